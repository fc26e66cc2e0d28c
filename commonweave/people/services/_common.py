"""What the people services share: the response promise, the editable profile fields,
the details a referral brings and the access checks."""

from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.http import Http404

from commonweave.area.postcodes import postcode_area
from commonweave.tenancy.models import Organisation

from ..access import Access, access_level
from ..enums import (
    Urgency,
)

# The response promise: "someone will contact you within 24 hours - 3 if it's an emergency".
RESPONSE_PROMISE = {Urgency.ROUTINE: timedelta(hours=24), Urgency.URGENT: timedelta(hours=3)}

CONTACT_CONSENT_BY_REFERRER = (
    "The person who referred them told us they agreed to be contacted by the partnership."
)

# Fields a caseworker may edit on the resident's profile (the version guards them).
PROFILE_FIELDS = (
    "full_name",
    "preferred_name",
    "date_of_birth",
    "phone",
    "email",
    "address",
    "postcode",
    "contact_method",
    "contact_when",
    "what_matters",
    "strengths",
    "has_to_give",
)


@dataclass(frozen=True)
class PersonDetails:
    full_name: str
    preferred_name: str = ""
    date_of_birth: object = None
    phone: str = ""
    email: str = ""
    address: str = ""
    postcode: str = ""
    contact_method: str = "phone"
    contact_when: str = ""


def postcode_codes(postcode: str) -> dict[str, str]:
    """The neighbourhood (LSOA 2021) and ward of a postcode, saved on the resident beside it
    (blank when the loaded postcode directory does not know it, and no LSOA for Northern
    Ireland). Their deprivation decile is joined when read (area.selectors), not copied."""
    area = postcode_area(postcode)
    return {"lsoa_code": area.lsoa_code, "ward_code": area.ward_code}


def _require_full(viewer, resident):
    if access_level(viewer, resident) is not Access.FULL:
        raise Http404


def _holding_organisation(viewer, referring_org_id):
    """Who holds a new referral: the referrer's own casework organisation, or the place's lead."""
    if referring_org_id and referring_org_id in viewer.casework_org_ids:
        return Organisation.objects.get(pk=referring_org_id)
    lead = viewer.place.lead_organisation
    if lead is None:
        raise ValidationError("This place has no lead organisation to receive referrals yet.")
    return lead
