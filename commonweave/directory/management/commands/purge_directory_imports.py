from django.core.management.base import BaseCommand

from commonweave.directory.importer.jobs import imports_unmapped_purge


class Command(BaseCommand):
    help = (
        "Drop uploaded CSVs whose column mapping was not chosen within a day (also done "
        "whenever an import is started). Idempotent; run it daily from cron."
    )

    def handle(self, *args, **options):
        gone = imports_unmapped_purge()
        self.stdout.write(f"{gone} waiting import(s) dropped")
