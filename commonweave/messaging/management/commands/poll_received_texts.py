"""Fetch texts received by GOV.UK Notify that its callback may have missed."""

from django.core.management.base import BaseCommand, CommandError

from commonweave.messaging.providers import NotifyProvider, ProviderError
from commonweave.messaging.services import notify_poll
from commonweave.tenancy.models import Place


class Command(BaseCommand):
    help = (
        "Ask GOV.UK Notify for received texts (newest first, page by page) and receive each "
        "one not yet stored, stopping at the first page already fully known. Idempotent: "
        "texts already stored are skipped. Needs notifications-python-client and NOTIFY_API_KEY."
    )

    def add_arguments(self, parser):
        parser.add_argument("place_slug")
        parser.add_argument("--pages", type=int, default=10, help="At most this many pages")

    def handle(self, *args, place_slug, pages, **options):
        place = Place.objects.filter(slug=place_slug).first()
        if place is None:
            raise CommandError(f"No place {place_slug!r}")
        provider = NotifyProvider()
        try:
            created = notify_poll(place=place, fetch=provider.received_page, max_pages=pages)
        except ProviderError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Received {created} new text(s).")
