from django.core.management.base import BaseCommand

from commonweave.wellbeing.exports import scores_exports_purge


class Command(BaseCommand):
    help = (
        "Delete scores exports that were downloaded or are more than a day old (also done "
        "whenever an export is asked for). Idempotent; run it daily from cron."
    )

    def handle(self, *args, **options):
        gone = scores_exports_purge()
        self.stdout.write(f"{gone} export file(s) deleted")
