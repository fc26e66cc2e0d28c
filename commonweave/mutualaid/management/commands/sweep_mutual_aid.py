from django.core.management.base import BaseCommand

from commonweave.mutualaid.lone_working import checkins_escalate
from commonweave.mutualaid.services import needs_alert_again
from commonweave.tenancy.models import Place


class Command(BaseCommand):
    help = (
        "Escalate missed lone-working check-ins to the safeguarding lead, and alert the next "
        "helpers for needs still waiting. Idempotent; run it every minute."
    )

    def handle(self, *args, **options):
        escalated = len(checkins_escalate())
        alerts = sum(needs_alert_again(place=place) for place in Place.objects.all())
        self.stdout.write(f"Escalated {escalated} missed check-ins; sent {alerts} alerts")
