"""Referrals through Commonweave to a directory service that takes them.

A caseworker with full access to a resident sends one from the connect page, only with the
resident's consent to share their record with the organisation that receives the service's
referrals. That consent is written through people.services.consent_record (the append-only
ConsentEvent plus the current Consent), so the receiving organisation's workers can open
the record read-only under the people access rules, and lose it again the moment the
consent is withdrawn. The receiving organisation accepts or declines; a service with a
number of places free never has more referrals waiting or accepted than it has places.
"""

import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.people.access import SHARE_ROLES, Access, access_level, residents_visible_to
from commonweave.people.enums import ConnectionStatus, ConsentPurpose

from .connecting import connect_resident, set_connection_status
from .enums import FollowUpOutcome, ReferralStatus, ServiceStatus
from .models import FollowUp, Service, ServiceReferral

DECLINED_WHY = "The service declined the referral."


def takes_commonweave_referrals(service) -> bool:
    return bool(
        service.takes_referrals
        and service.referral_organisation_id
        and service.status == ServiceStatus.ACTIVE
    )


def waiting_counts(service_ids) -> dict:
    """service id -> referrals waiting for an answer (one query for a page of results)."""
    rows = (
        ServiceReferral.objects.filter(service_id__in=list(service_ids))
        .values("service_id")
        .annotate(n=Count("pk", filter=Q(status=ReferralStatus.SENT)))
    )
    return {row["service_id"]: row["n"] for row in rows}


def places_free(service, waiting=None):
    """Places left for new referrals (None: no limit). Waiting referrals hold a place each."""
    if service.referral_places is None:
        return None
    if waiting is None:
        waiting = waiting_counts([service.pk]).get(service.pk, 0)
    return max(0, service.referral_places - waiting)


def consent_wording(service) -> str:
    """The standard words read or shown to the resident before a referral is sent."""
    org = service.referral_organisation
    return (
        f"You agree that we share your record with {org.name} so that they can answer "
        f"a referral to {service.name}. You can change your mind at any time."
    )


@transaction.atomic
def referral_send(*, viewer, resident, service, reason, consent_given, consent_method, wording=""):
    """Send a referral for the resident to the service's receiving organisation.

    Refused (ValidationError) without the resident's consent, when the service does not
    take referrals through Commonweave, when it has no places free, or when one is already
    waiting. Side effects: a ConsentEvent and Consent to share with the receiving
    organisation (unless it already holds the record), a people.Connection marked
    "suggested" with its 3- and 6-month follow-ups, the ServiceReferral, audit events.
    """
    from commonweave.people.services import consent_record

    if access_level(viewer, resident) is not Access.FULL:
        raise Http404
    if service.place_id != resident.place_id:
        raise PermissionDenied
    # Lock the entry so two referrals cannot take its last place at the same moment.
    service = (
        Service.objects.select_for_update(of=("self",))
        .select_related("referral_organisation")
        .get(pk=service.pk)
    )
    if not takes_commonweave_referrals(service):
        raise ValidationError("This service does not take referrals through Commonweave.")
    if not consent_given:
        raise ValidationError(
            {
                "consent": "You can only send a referral when they have agreed to their "
                "record being shared with " + service.referral_organisation.name
            }
        )
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why this service would help them"})
    if ServiceReferral.objects.filter(
        service=service, resident=resident, status=ReferralStatus.SENT
    ).exists():
        raise ValidationError("A referral to this service is already waiting for an answer.")
    if places_free(service) == 0:
        raise ValidationError("This service has no places free for referrals at the moment.")
    to_org = service.referral_organisation
    consent_event = None
    if to_org.pk != resident.organisation_id:
        consent_event = consent_record(
            viewer=viewer,
            resident=resident,
            purpose=ConsentPurpose.SHARE,
            given=True,
            method=consent_method,
            wording=(wording or "").strip() or consent_wording(service),
            organisation=to_org,
        )
    link = connect_resident(
        viewer=viewer,
        resident=resident,
        service=service,
        description="Referred through Commonweave",
        status=ConnectionStatus.SUGGESTED,
    )
    referral = ServiceReferral.objects.create(
        public_id=secrets.token_urlsafe(9)[:12],
        place=resident.place,
        service=service,
        resident=resident,
        link=link,
        from_organisation_id=resident.organisation_id,
        to_organisation=to_org,
        consent_event=consent_event,
        reason=reason.strip(),
        sent_by_id=viewer.user_id,
    )
    audit_record(
        viewer=viewer,
        action=Action.CREATE,
        purpose=Purpose.CASEWORK,
        obj=referral,
        resident=resident,
        detail={"service": str(service.pk), "to_organisation": to_org.pk},
    )
    return referral


# ---- the receiving organisation ------------------------------------------------------------


def receiving_org_ids(viewer):
    """The organisations whose incoming referrals this viewer may answer."""
    return viewer.org_ids(*SHARE_ROLES) if viewer else frozenset()


def referrals_received(viewer):
    """Referrals to the viewer's organisations, newest first, each marked `.visible` when
    the resident's record may still be opened (consent withdrawn: not visible)."""
    orgs = receiving_org_ids(viewer)
    rows = list(
        ServiceReferral.objects.filter(place=viewer.place, to_organisation_id__in=orgs)
        .select_related("service", "resident", "from_organisation", "to_organisation")
        .order_by("-sent_at", "-pk")
    )
    visible = set(
        residents_visible_to(viewer)
        .filter(pk__in={r.resident_id for r in rows})
        .values_list("pk", flat=True)
    )
    for row in rows:
        row.visible = row.resident_id in visible
    return rows


def referral_for_receiver(viewer, public_id):
    """A referral sent to one of the viewer's organisations, else Http404."""
    referral = (
        ServiceReferral.objects.select_related(
            "service", "resident", "from_organisation", "to_organisation", "link"
        )
        .filter(public_id=public_id, place=viewer.place)
        .first()
    )
    if referral is None or referral.to_organisation_id not in receiving_org_ids(viewer):
        raise Http404
    return referral


@transaction.atomic
def referral_decide(*, viewer, referral, accept: bool, note=""):
    """The receiving organisation accepts or declines a waiting referral.

    Needs the resident's consent to share still in force (else Http404, as for any record
    they may no longer see). Accepting takes one of the service's places, if it counts
    them; declining marks the connection stopped and answers its follow-ups ("never
    started"). Side effects: the referral, the service's places, the connection, one
    audit event.
    """
    if referral.to_organisation_id not in receiving_org_ids(viewer):
        raise Http404
    if access_level(viewer, referral.resident) is Access.NONE:
        raise Http404
    referral = ServiceReferral.objects.select_for_update().get(pk=referral.pk)
    if referral.status != ReferralStatus.SENT:
        raise ValidationError("This referral has already been answered.")
    service = Service.objects.select_for_update().get(pk=referral.service_id)
    now = timezone.now()
    if accept:
        if service.referral_places:
            service.referral_places -= 1
            service.save(update_fields=["referral_places"])
        if referral.link_id:
            set_connection_status(referral.link, ConnectionStatus.MADE)
    elif referral.link_id:
        set_connection_status(referral.link, ConnectionStatus.STOPPED)
        FollowUp.objects.filter(link_id=referral.link_id, outcome="").update(
            outcome=FollowUpOutcome.NEVER_STARTED,
            why=DECLINED_WHY,
            answered_at=now,
            answered_by_id=viewer.user_id,
        )
    referral.status = ReferralStatus.ACCEPTED if accept else ReferralStatus.DECLINED
    referral.decided_by_id = viewer.user_id
    referral.decided_at = now
    referral.decision_note = note.strip()
    referral.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit_record(
        viewer=viewer,
        action=Action.UPDATE,
        purpose=Purpose.SHARED,
        obj=referral,
        resident=referral.resident,
        detail={"status": referral.status},
    )
    return referral


def referrals_for_resident(resident):
    """The referrals sent for a resident (the caller has opened their record)."""
    return ServiceReferral.objects.filter(resident=resident).select_related(
        "service", "to_organisation"
    )
