"""Inject a text as if a resident had sent it to a place (the fake provider's front door)."""

from django.core.management.base import BaseCommand, CommandError

from commonweave.messaging.enums import ProviderName
from commonweave.messaging.providers import InboundText
from commonweave.messaging.services import fake_inbound_id, inbound_receive
from commonweave.tenancy.models import Place


class Command(BaseCommand):
    help = (
        "Receive a text from PHONE saying BODY in the place PLACE_SLUG, through the same "
        "front door as a real one (stored, routed, acknowledged). With --id, running it again "
        "receives nothing more."
    )

    def add_arguments(self, parser):
        parser.add_argument("place_slug")
        parser.add_argument("phone")
        parser.add_argument("body")
        parser.add_argument("--id", default="", help="The provider's message id (for replays)")

    def handle(self, *args, place_slug, phone, body, id, **options):  # noqa: A002
        place = Place.objects.filter(slug=place_slug).first()
        if place is None:
            raise CommandError(f"No place {place_slug!r}")
        text = InboundText(provider_message_id=id or fake_inbound_id(), phone=phone, body=body)
        message, created = inbound_receive(place=place, provider=ProviderName.FAKE, text=text)
        if not created:
            self.stdout.write("Already received: nothing new.")
        elif message is not None:
            if message.referral_id:
                where = f"with referral {message.referral.reference}"
            elif message.resident_id:
                where = "on a resident's record"
            else:
                where = "not routed (a STOP or START, or no lead organisation)"
            self.stdout.write(f"Received text {message.public_id}, {where}.")
