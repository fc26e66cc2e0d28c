"""The journey's social-prescribing facts as SNOMED CT coded events.

Derived from what the journey already records, so there is one source of truth: the
first contact of a referral where the person wanted support is "Referral to social
prescribing service"; one where they did not, or a journey closed because they did not
want support, is "Social prescribing declined". NHS England's guidance (as summarised by
NHS Transformation Partners' link worker FAQ) is to record the referral code once per
episode, at its first interaction; here an episode is one referral.
"""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commonweave.people.enums import CloseReason, ContactOutcome

SNOMED = "http://snomed.info/sct"
REFERRAL_TO_SOCIAL_PRESCRIBING = "871731000000106"
SOCIAL_PRESCRIBING_DECLINED = "871711000000103"
TERMS = {
    REFERRAL_TO_SOCIAL_PRESCRIBING: _("Referral to social prescribing service"),
    SOCIAL_PRESCRIBING_DECLINED: _("Social prescribing declined"),
}


@dataclass(frozen=True)
class CodedEvent:
    code: str
    on: date

    @property
    def display(self) -> str:
        return str(TERMS[self.code])

    def as_json(self) -> dict:
        return {
            "system": SNOMED,
            "code": self.code,
            "display": self.display,
            "date": self.on.isoformat(),
        }


def _day(moment) -> date:
    return timezone.localdate(moment)


def coded_events(resident, referrals) -> list[CodedEvent]:
    """The coded events of a resident's journey, oldest first."""
    events = []
    for referral in referrals:
        if referral.first_contact_at is None:
            continue
        if referral.first_contact_outcome == ContactOutcome.SPOKE:
            events.append(
                CodedEvent(REFERRAL_TO_SOCIAL_PRESCRIBING, _day(referral.first_contact_at))
            )
        elif referral.first_contact_outcome == ContactOutcome.DECLINED:
            events.append(CodedEvent(SOCIAL_PRESCRIBING_DECLINED, _day(referral.first_contact_at)))
    closed_declined = (
        resident.closed_at is not None and resident.closed_reason == CloseReason.DECLINED
    )
    if closed_declined and not any(e.code == SOCIAL_PRESCRIBING_DECLINED for e in events):
        events.append(CodedEvent(SOCIAL_PRESCRIBING_DECLINED, _day(resident.closed_at)))
    return sorted(events, key=lambda e: (e.on, e.code))


def declined(events: list[CodedEvent]) -> bool:
    """Whether the episode ended with the person declining: the latest event says so."""
    return bool(events) and events[-1].code == SOCIAL_PRESCRIBING_DECLINED
