"""A helper's profile, kept by the organisation that holds them: reading it (with or without
their phone and checks), changing it, pausing and resuming them.

The field policy (visibility.py) gives the holding organisation's caseworkers *full*
access to a helper, phone and email included; their safeguarding checks are restricted
to the same people. What this module adds is *when* those are read: the profile alone
(`volunteer_profile_open`), the phone and email only on a request that says so
(`volunteer_contact_open`), the checks only where they are shown (`checks_open`). Each of
those reads writes one audit event, and each change one more (without the values).

Services follow services.py: keyword arguments, the acting viewer, one transaction, a
404 (Http404) when a rule says no and a ValidationError naming the field for bad input.
"""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record

from . import rules, selectors
from .enums import DbsType, When
from .models import Volunteer, VolunteerChecks
from .services import CHECK_FIELDS

# What a caseworker may change of a helper's profile (the checks have their own service,
# services.checks_record; the link, the organisation and the resident never change here).
PROFILE_FIELDS = (
    "first_name",
    "phone",
    "email",
    "skills",
    "home",
    "areas",
    "when",
    "languages",
    "available",
)

# Checks recorded as done on a date: that date cannot be in the future.
PAST_CHECKS = tuple(name for name in CHECK_FIELDS if name not in ("dbs_type", "recheck_due_on"))


def _require_holder(viewer, volunteer: Volunteer) -> None:
    if not rules.can_coordinate(viewer) or not rules.coordinates(viewer, volunteer):
        raise Http404


def _audit_read(viewer, volunteer: Volunteer, detail: dict | None = None) -> None:
    audit_record(
        viewer=viewer,
        action=Action.VIEW,
        purpose=Purpose.ADMIN,
        obj=volunteer,
        resident=volunteer.resident,
        detail=detail,
        organisation_id=volunteer.organisation_id,
    )


def volunteer_profile_open(viewer, public_id: str) -> Volunteer:
    """A helper held by one of the viewer's casework organisations, with their areas, for
    showing their profile (no phone or email in what the caller shows). Anyone else: 404.
    Side effects: one audit event (VIEW)."""
    volunteer = selectors.volunteer_for_coordinator(viewer, public_id)
    _audit_read(viewer, volunteer)
    return volunteer


def volunteer_contact_open(*, viewer, volunteer: Volunteer) -> Volunteer:
    """The helper's phone and email, for a caseworker of the organisation holding them.
    Side effects: one audit event (VIEW, `detail={"reveal": "contact"}`) for every reveal."""
    _require_holder(viewer, volunteer)
    _audit_read(viewer, volunteer, {"reveal": "contact"})
    return volunteer


def checks_open(*, viewer, volunteer: Volunteer) -> VolunteerChecks | None:
    """The helper's safeguarding checks (restricted fields), for the holding organisation's
    caseworkers. Side effects: one audit event (VIEW, `detail={"read": "checks"}`)."""
    _require_holder(viewer, volunteer)
    checks = VolunteerChecks.objects.filter(volunteer=volunteer).first()
    _audit_read(viewer, volunteer, {"read": "checks"})
    return checks


def checks_validate(checks: dict, *, today: datetime.date | None = None) -> dict:
    """Checks as the API sends them, checked as the page's form checks them: a known DBS
    type, and no check done on a date still to come. Returns them ready for
    services.checks_record; raises a ValidationError naming each field."""
    today = today or timezone.localdate()
    errors = {}
    if checks.get("dbs_type") not in (None, *DbsType.values):
        errors["dbs_type"] = _("Choose a kind of DBS certificate")
    for name in PAST_CHECKS:
        value = checks.get(name)
        if value is not None and value > today:
            errors[name] = _("The date must be in the past")
    if errors:
        raise ValidationError(errors)
    return {name: checks.get(name) for name in CHECK_FIELDS}


def email_valid(email: str) -> bool:
    try:
        validate_email(email)
    except ValidationError:
        return False
    return True


def _clean_profile(volunteer: Volunteer, changes: dict) -> dict:
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"not a profile field: {sorted(unknown)}")
    errors = {}
    cleaned = dict(changes)
    if "first_name" in cleaned:
        cleaned["first_name"] = (cleaned["first_name"] or "").strip()
        if not cleaned["first_name"]:
            errors["first_name"] = _("Enter a first name")
    for name in ("phone", "email"):
        if name in cleaned:
            cleaned[name] = (cleaned[name] or "").strip()
    if cleaned.get("email") and not email_valid(cleaned["email"]):
        errors["email"] = _("Enter an email address like name@example.org")
    if "when" in cleaned and cleaned["when"] not in When.values:
        errors["when"] = _("Choose when they can help")
    if "skills" in cleaned:
        cleaned["skills"] = [s.strip() for s in cleaned["skills"] or () if s and s.strip()]
    if "languages" in cleaned:
        cleaned["languages"] = [
            code.strip().lower() for code in cleaned["languages"] or () if code and code.strip()
        ]
    home = cleaned.get("home")
    if home is not None and home.place_id != volunteer.place_id:
        errors["home"] = _("Choose an area in this place")
    if "areas" in cleaned:
        cleaned["areas"] = list(cleaned["areas"] or ())
        if any(area.place_id != volunteer.place_id for area in cleaned["areas"]):
            errors["areas"] = _("Choose areas in this place")
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def volunteer_update(*, viewer, volunteer: Volunteer, **changes) -> Volunteer:
    """Change a helper's profile: any of PROFILE_FIELDS (`areas` a list of neighbourhoods
    they also cover; `available` False pauses them: no alerts, no suggestions).

    Side effects: the Volunteer's changed fields (and covered areas); one audit event
    (UPDATE) naming the fields that changed, never their values. Nothing changed: no event."""
    _require_holder(viewer, volunteer)
    cleaned = _clean_profile(volunteer, changes)
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    changed = []
    for name, value in cleaned.items():
        if name == "areas":
            if {a.pk for a in value} != set(volunteer.areas.values_list("pk", flat=True)):
                volunteer.areas.set(value)
                changed.append(name)
        elif getattr(volunteer, name) != value:
            setattr(volunteer, name, value)
            changed.append(name)
    fields = [name for name in changed if name != "areas"]
    if fields:
        volunteer.save(update_fields=fields)
    if changed:
        audit_record(
            viewer=viewer,
            action=Action.UPDATE,
            purpose=Purpose.ADMIN,
            obj=volunteer,
            resident=volunteer.resident,
            detail={"fields": sorted(changed)},
            organisation_id=volunteer.organisation_id,
        )
    return volunteer


def volunteer_pause(*, viewer, volunteer: Volunteer, available: bool) -> Volunteer:
    """Pause a helper (no alerts, not suggested for needs) or take them back.
    Side effects: as volunteer_update for `available`."""
    return volunteer_update(viewer=viewer, volunteer=volunteer, available=available)
