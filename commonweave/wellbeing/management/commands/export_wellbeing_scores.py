"""`manage.py export_wellbeing_scores --place hartley-vale --user analyst@... --output f.csv`

The scores export for evaluators in the foreground, with a progress bar on stderr: the same
job as the page's "Prepare the scores for download" (recorded as a job, audited as an export
by the user named), written straight to --output; nothing is left in the exports storage.
"""

import shutil
import sys
from datetime import date
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from commonweave.accounts.models import User
from commonweave.jobs.services import job_run
from commonweave.people.enums import FrontDoor
from commonweave.tenancy.models import Place
from commonweave.tenancy.viewer import viewer_for_user
from commonweave.wellbeing import exports


class Command(BaseCommand):
    help = (
        "Export every score of the residents who agreed to take part in evaluation, with "
        "pseudonymous ids, as CSV (analysts and place admins). Shows a progress bar."
    )

    def add_arguments(self, parser):
        parser.add_argument("--place", required=True, help="The place's slug.")
        parser.add_argument("--user", required=True, help="Your email address (audited).")
        parser.add_argument("--output", required=True, help="The CSV file to write.")
        parser.add_argument("--front-door", choices=FrontDoor.values)
        for name in ("referred-from", "referred-to", "period-from", "period-to"):
            parser.add_argument(f"--{name}", type=date.fromisoformat, help="YYYY-MM-DD")

    def handle(self, *args, **options):
        place = Place.objects.filter(slug=options["place"]).first()
        user = User.objects.filter(email__iexact=options["user"], is_active=True).first()
        viewer = viewer_for_user(user, place) if place and user else None
        if not exports.can_export(viewer):
            raise CommandError("No such place, or that user is not its analyst or place admin.")
        output = Path(options["output"])
        if output.exists():
            raise CommandError(f"{output} exists already; choose another file.")
        filters = {
            name: options[name]
            for name in ("front_door", "referred_from", "referred_to", "period_from", "period_to")
        }
        try:
            export = exports.scores_export_create(viewer=viewer, **filters)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        try:
            job_run(export.job, stream=options.get("stderr") or sys.stderr)
        except PermissionDenied:
            raise CommandError("That user may no longer export scores.") from None
        except Exception:
            export.job.refresh_from_db()
            raise CommandError(f"Job {export.job.public_id} failed: {export.job.error}") from None
        export.refresh_from_db()
        source = exports.scores_export_download(viewer=viewer, export=export)
        with source, output.open("xb") as target:
            shutil.copyfileobj(source, target)
        self.stdout.write(f"{export.rows:,} rows written to {output} (job {export.job.public_id})")
