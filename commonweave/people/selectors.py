"""Reads for resident journeys. Every selector takes the viewer, so no read can forget
whose data it is. Lists return querysets with their joins, ready to paginate."""

from django.db.models import Q
from django.utils import timezone

from commonweave.core.visibility import Level, shown, visible_fields
from commonweave.tenancy.enums import CASEWORK_ROLES

from . import hooks
from .access import SHARE_ROLES, residents_held_by, residents_visible_to
from .enums import OPEN_STAGES, ReferralStatus
from .models import Referral, Resident


def triage_queue(viewer, *, assigned_to=None):
    """Referrals waiting for first contact, soonest due first (overdue ones lead)."""
    if not viewer or not viewer.casework_org_ids:
        return Referral.objects.none()
    qs = Referral.objects.filter(
        place=viewer.place,
        status=ReferralStatus.NEW,
        resident__organisation_id__in=viewer.casework_org_ids,
        resident__merged_into__isnull=True,
    )
    if assigned_to is not None:
        qs = qs.filter(assigned_to=assigned_to)
    return qs.select_related("resident", "assigned_to", "referring_organisation").order_by(
        "due_at", "pk"
    )


def referral_for_triage(viewer, public_id):
    """One referral the viewer's casework organisations hold, or None."""
    if not viewer or not viewer.casework_org_ids:
        return None
    return (
        Referral.objects.select_related("resident", "assigned_to", "referring_organisation")
        .filter(
            public_id=public_id,
            place=viewer.place,
            resident__organisation_id__in=viewer.casework_org_ids,
        )
        .first()
    )


def referrals_made_by(viewer):
    """Referrals the viewer's organisations made: what a partner may follow up."""
    if not viewer or not viewer.member_org_ids:
        return Referral.objects.none()
    return (
        Referral.objects.filter(
            place=viewer.place, referring_organisation_id__in=viewer.member_org_ids
        )
        .select_related("referring_organisation", "resident")
        .order_by("-received_at", "-pk")
    )


def caseload(viewer, catalyst):
    """A catalyst's open residents, next actions first, overdue ones leading."""
    return (
        residents_held_by(viewer)
        .filter(catalyst=catalyst, stage__in=OPEN_STAGES)
        .order_by("next_action_due", "full_name", "pk")
    )


def overdue_next_actions(viewer, catalyst):
    return caseload(viewer, catalyst).filter(next_action_due__lt=timezone.localdate())


def possible_duplicates(viewer, resident, *, limit=10):
    """Other records the same organisation holds with the same name and date of birth,
    or the same phone number or email. Offered for merging, never merged silently."""
    match = Q()
    if resident.date_of_birth and resident.name_key:
        match |= Q(name_key=resident.name_key, date_of_birth=resident.date_of_birth)
    if resident.phone_key:
        match |= Q(phone_key=resident.phone_key)
    if resident.email_key:
        match |= Q(email_key=resident.email_key)
    if not match:
        return Resident.objects.none()
    return (
        residents_held_by(viewer)
        .filter(organisation_id=resident.organisation_id)
        .filter(match)
        .exclude(pk=resident.pk)
        .order_by("-created_at")[:limit]
    )


def resident_timeline(resident, *, level):
    """The resident's journey as one dated list of referrals, stages and conversations,
    each shown at `level` through the field policy; a kind of record the level sees
    nothing of (conversations, for consented sharing) is not read at all."""
    sources = (
        ("referral", resident.referrals.select_related("referring_organisation"), "received_at"),
        ("stage", resident.stage_changes.all(), "changed_at"),
        ("conversation", resident.conversations.select_related("author"), "happened_at"),
    )
    items = []
    for kind, records, dated in sources:
        if not visible_fields(records.model, level):
            continue
        items.extend(
            {"at": getattr(record, dated), "kind": kind, "obj": shown(record, level)}
            for record in records
        )
    items.extend(hooks.timeline_items(resident, level))  # other apps' records (text messages)
    items.sort(key=lambda item: item["at"], reverse=True)
    return items


def residents_with_possible_duplicates(viewer, residents) -> set:
    """Primary keys of those `residents` for which possible_duplicates would offer a match:
    the triage queue's flag, in one query for a whole page rather than one per row."""
    residents = list(residents)
    phones = {r.phone_key for r in residents if r.phone_key}
    emails = {r.email_key for r in residents if r.email_key}
    named = [r for r in residents if r.date_of_birth and r.name_key]
    match = Q(phone_key__in=phones) | Q(email_key__in=emails)
    if named:
        match |= Q(
            name_key__in={r.name_key for r in named},
            date_of_birth__in={r.date_of_birth for r in named},
        )
    if not (phones or emails or named):
        return set()
    candidates = list(
        residents_held_by(viewer)
        .filter(organisation_id__in={r.organisation_id for r in residents})
        .filter(match)
        .values_list("pk", "organisation_id", "name_key", "date_of_birth", "phone_key", "email_key")
    )
    flagged = set()
    for r in residents:
        for pk, org_id, name, born, phone, email in candidates:
            if pk == r.pk or org_id != r.organisation_id:
                continue
            if (
                (r.phone_key and phone == r.phone_key)
                or (r.email_key and email == r.email_key)
                or (
                    r.date_of_birth and r.name_key and (name, born) == (r.name_key, r.date_of_birth)
                )
            ):
                flagged.add(r.pk)
                break
    return flagged


def referrals_followed_by(viewer):
    """Referrals a viewer may follow up as the referrer: those made by an organisation
    where they work with people, or by them personally. An analyst or place admin sees
    only their own, since those roles see aggregates, not people."""
    if not viewer:
        return Referral.objects.none()
    return referrals_made_by(viewer).filter(
        Q(referring_organisation_id__in=viewer.org_ids(*SHARE_ROLES))
        # An API token has no user: `referred_by_id=None` would match every token referral.
        | (Q(referred_by_id=viewer.user_id) if viewer.user_id else Q(pk__in=[]))
    )


def referral_for_referrer(viewer, public_id):
    """One referral the viewer follows as its referrer, or one whose resident their
    casework organisations hold; else None (the caller's 404)."""
    if not viewer:
        return None
    referral = (
        Referral.objects.select_related("resident", "referring_organisation")
        .filter(public_id=public_id, place=viewer.place)
        .first()
    )
    if referral is None:
        return None
    if referral.resident.organisation_id in viewer.casework_org_ids:
        return referral
    if referrals_followed_by(viewer).filter(pk=referral.pk).exists():
        return referral
    return None


def contacts_waiting(viewer, catalyst, *, unassigned=False):
    """Referrals assigned to this catalyst still waiting for first contact, and with
    `unassigned` also those no one has taken yet in the viewer's casework organisations
    (the catalyst's own organisations, so a coordinator looking at a team member's day sees
    what that person could take). Soonest due first, so overdue ones lead."""
    if not unassigned:
        return triage_queue(viewer, assigned_to=catalyst)
    catalyst_orgs = catalyst.memberships.filter(role__in=CASEWORK_ROLES).values("organisation_id")
    return triage_queue(viewer).filter(
        Q(assigned_to=catalyst)
        | Q(assigned_to__isnull=True, resident__organisation_id__in=catalyst_orgs)
    )


# What the "Shared with us" list shows of each resident, on the page and in the API alike:
# every one of these is visible at the shared level of the field policy
# (people/visibility.py), and the list renders them through it.
SHARED_LIST_FIELDS = (
    "public_id",
    "full_name",
    "preferred_name",
    "stage",
    "stage_changed_at",
    "organisation",
    "updated_at",
)


def residents_shared_with(viewer):
    """Residents the viewer opens by consented sharing: those residents_visible_to lets
    them open that none of their casework organisations holds. The same rule as
    access_level's SHARED, not a second copy of it. Alphabetical, ready to paginate."""
    return (
        residents_visible_to(viewer)
        .exclude(organisation_id__in=viewer.casework_org_ids if viewer else ())
        .select_related("organisation")
        .order_by("full_name", "pk")
    )


def shared_list_rows(residents):
    """The rows of the "Shared with us" list, through the field policy at the shared level:
    what the page shows and the API answers, field for field."""
    rows = []
    for resident in residents:
        record = shown(resident, Level.SHARED)
        row = record.values(SHARED_LIST_FIELDS)
        organisation = record.value("organisation")
        row["organisation"] = (
            None if organisation is None else {"id": organisation.pk, "name": organisation.name}
        )
        row["display_name"] = record.display_name
        row["stage_label"] = record.get_stage_display()
        rows.append(row)
    return rows


def residents_matching(viewer, query, *, limit=50):
    """Residents the viewer may open whose name, phone or postcode matches `query`.
    Searches the normalised keys, so case, spacing and phone formatting don't matter."""
    from .access import residents_visible_to
    from .models import name_key, phone_key

    match = Q(name_key__contains=name_key(query)) if name_key(query) else Q(pk__in=[])
    digits = phone_key(query)
    if len(digits) >= 6:
        match |= Q(phone_key__contains=digits)
    postcode = " ".join(query.upper().split())
    if 5 <= len(postcode) <= 8:
        match |= Q(postcode__iexact=postcode)
    found = (
        residents_visible_to(viewer)
        .filter(match)
        .select_related("organisation", "catalyst")
        .order_by("full_name", "pk")
    )
    return found if limit is None else found[:limit]


def current_consents(resident):
    """The resident's consents as they stand now, one row per purpose (and organisation)."""
    return list(resident.consents.select_related("organisation").order_by("purpose", "pk"))
