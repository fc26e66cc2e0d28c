from django.core.management.base import BaseCommand

from commonweave.learning.services import action_reminders_send


class Command(BaseCommand):
    help = (
        "Remind owners of learning actions that are overdue or due within a week, at most "
        "once a day each, through settings.LEARNING_REMINDER_SENDER (console by default). "
        "Safe to run as often as you like."
    )

    def add_arguments(self, parser):
        parser.add_argument("--within-days", type=int, default=7)

    def handle(self, *args, within_days, **options):
        result = action_reminders_send(within_days=within_days)
        self.stdout.write(f"Sent {result['sent']}; {result['unreachable']} without an address")
