from django.core.management.base import BaseCommand

from commonweave.learning.pack_jobs import packs_purge


class Command(BaseCommand):
    help = (
        "Delete session pack PDFs a day after they were built, downloaded or not (each "
        "new build also does this). Safe to run as often as you like, e.g. hourly."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"Deleted {packs_purge()} session packs past their time")
