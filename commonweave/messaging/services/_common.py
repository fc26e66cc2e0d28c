"""What the messaging services share: who acts when a text arrives, a place's set-up,
STOP and START, and a text waiting to send."""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from commonweave.people import services as people
from commonweave.people.enums import ConsentMethod, ConsentPurpose
from commonweave.people.models import Consent
from commonweave.tenancy.viewer import Viewer

from .. import phones
from ..enums import Direction, MessageStatus
from ..models import MessagingSetup, TextMessage, TextOptOut


@dataclass(frozen=True)
class TextFrontDoor(Viewer):
    """Who acts when a text arrives: nobody signed in, through one provider. The audit
    log names it "text:<provider>"."""

    provider: str = ""

    @property
    def label(self) -> str:
        return f"text:{self.provider}"


def setup_for(place) -> MessagingSetup:
    """The place's set-up, or the defaults (unsaved) when it has none."""
    return MessagingSetup.objects.filter(place=place).first() or MessagingSetup(place=place)


def may_send(phone: str, essential: bool = False, *, place=None) -> bool:
    """Whether a text may go to `phone` now. An essential text (the answer to a text they
    just sent, with its urgent-help advice, or the confirmation of STOP or START) always
    may; anything else not after STOP (to this place, or to any place when `place` is
    None) until START, nor to a resident whose consent to texts was recorded as withdrawn."""
    if essential:
        return True
    number = phones.normalise(phone)
    if not number:
        return False
    stopped = TextOptOut.objects.filter(phone=number, stopped=True)
    withdrawn = Consent.objects.filter(
        purpose=ConsentPurpose.TEXTS,
        given=False,
        resident__phone_key=phones.key(number),
        resident__merged_into__isnull=True,
    )
    if place is not None:
        stopped = stopped.filter(place=place)
        withdrawn = withdrawn.filter(resident__place=place)
    return not stopped.exists() and not withdrawn.exists()


def _opt_out(*, actor, place, phone, stop: bool, residents, at) -> None:
    TextOptOut.objects.update_or_create(
        place=place, phone=phone, defaults={"stopped": stop, "since": at}
    )
    said = "STOP" if stop else "START"
    for resident in residents:
        people.consent_record_by_resident(
            actor=actor,
            resident=resident,
            purpose=ConsentPurpose.TEXTS,
            given=not stop,
            method=ConsentMethod.TEXT,
            wording=_("They texted %(word)s to the partnership's number.") % {"word": said},
            at=at,
        )


def _queue(*, place, provider, phone, body, kind, resident=None, referral=None, at=None, by=None):
    return TextMessage.objects.create(
        place=place,
        resident=resident,
        referral=referral,
        direction=Direction.OUT,
        kind=kind,
        provider=provider,
        phone=phone,
        body=body,
        status=MessageStatus.QUEUED,
        at=at or timezone.now(),
        sent_by_id=by,
    )
