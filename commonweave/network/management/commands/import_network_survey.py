"""Import a name-generator survey (CSV: respondent, contact, relationship, strength, date)
into a place's network, with a progress bar on the terminal. For files too big for the
survey page (no size or row limit here).

    manage.py import_network_survey testford survey.csv --check
    manage.py import_network_survey testford survey.csv --unknown new --as organisation

--check prints the bad rows and the names not in the network yet, and imports nothing
(the review step). Names not in the network are left out unless --unknown new adds them.
The import runs as a job (it appears on the place's jobs page); each row not imported is
printed with its reason.
"""

import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from commonweave.tenancy.models import Place

from ... import survey
from ...enums import NodeKind


class Command(BaseCommand):
    help = "Import a network survey CSV into a place's relationship network."

    def add_arguments(self, parser):
        parser.add_argument("place", help="The place's slug")
        parser.add_argument("file", help="The survey CSV (UTF-8)")
        parser.add_argument(
            "--check", action="store_true", help="Report bad rows and unknown names only"
        )
        parser.add_argument(
            "--unknown",
            choices=["leave", "new"],
            default="leave",
            help="Names not in the network: leave their rows out (default) or add them",
        )
        parser.add_argument(
            "--as",
            dest="new_kind",
            choices=[k.value for k in survey.NEW_KINDS],
            default=NodeKind.PERSON.value,
            help="What names added are (default person)",
        )

    def handle(self, *args, place, file, check, unknown, new_kind, **options):
        place_obj = Place.objects.filter(slug=place).first()
        if place_obj is None:
            raise CommandError("No place with that slug")
        try:
            with open(file, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            raise CommandError(f"Could not read the file: {type(exc).__name__}") from None
        try:
            if check:
                self._check(place_obj, data)
                return
            imp = survey.survey_import_now(
                place=place_obj,
                data=data,
                file_name=file,
                unknown="" if unknown == "leave" else unknown,
                new_kind=new_kind,
                stream=getattr(self.stderr, "_out", sys.stderr),
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        report = imp.report
        for line, reason in sorted(report.get("bad", []) + report.get("skipped", [])):
            self.stdout.write(f"line {line}: {reason}")
        not_imported = len(report.get("bad", [])) + len(report.get("skipped", []))
        self.stdout.write(
            f"{report.get('created', 0):,} ties recorded, "
            f"{report.get('nodes_added', 0):,} names added, {not_imported:,} rows not imported "
            f"(import {imp.public_id}, job {imp.job.public_id})."
        )

    def _check(self, place, data):
        parsed = survey.parse_survey(data, max_bytes=None, max_rows=None)
        findings = survey.review_findings(place, parsed)
        for line, reason in parsed.errors:
            self.stdout.write(f"line {line}: {reason}")
        for name in findings["unknown"]:
            matches = findings["suggestions"].get(name)
            like = f" (like {', '.join(label for _, label in matches)})" if matches else ""
            self.stdout.write(f"not in the network: {name}{like}")
        self.stdout.write(
            f"{findings['rows']:,} rows can be imported, {findings['bad']:,} cannot; "
            f"{len(findings['unknown']):,} names are not in the network yet. Nothing imported."
        )
