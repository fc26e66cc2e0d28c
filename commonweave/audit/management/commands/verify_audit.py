"""Check the audit log from a daily timer: exit 0 with one quiet line when it is intact
(and sign a new checkpoint of its head), non-zero with a loud message on stderr when not.

    manage.py verify_audit --checkpoint-file /var/lib/commonweave-audit/checkpoints.jsonl

The checkpoint file is the copy outside the database: each good run appends the new
checkpoint to it, and each run requires the file's newest checkpoint to still be in the
log. Someone who can write to the database can delete the newest events *and* the newest
checkpoint rows, but not what this file holds, so keep it where they cannot reach it.
"""

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from commonweave.audit.services import (
    Pin,
    audit_checkpoint,
    audit_verify,
    parse_checkpoint_line,
)


class Command(BaseCommand):
    help = (
        "Check every audit event's HMAC and link, the residents it listed, the signed "
        "checkpoints and the chain head; when all is well, sign a new checkpoint."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--checkpoint-file",
            type=Path,
            help="A file outside the database: its newest checkpoint must still be in the "
            "log, and a new one is appended to it when the log is intact",
        )
        parser.add_argument(
            "--no-checkpoint",
            action="store_true",
            help="Only check; write no checkpoint",
        )

    def handle(
        self,
        *args: Any,
        checkpoint_file: Path | None = None,
        no_checkpoint: bool = False,
        **options: Any,
    ) -> None:
        pins: list[Pin] = []
        problems: list[str] = []
        if checkpoint_file is not None and checkpoint_file.exists():
            lines = [line for line in checkpoint_file.read_text().splitlines() if line.strip()]
            if lines:
                pin, problem = parse_checkpoint_line(lines[-1], source=str(checkpoint_file))
                pins += [pin] if pin else []
                problems += [problem] if problem else []
        report = audit_verify(pins=pins)
        problems += report.problems
        if problems:
            self.stderr.write(
                self.style.ERROR(
                    "!!! "
                    + _("THE AUDIT LOG HAS BEEN CHANGED OR DAMAGED")
                    + " !!!\n"
                    + "\n".join(f"  - {problem}" for problem in problems)
                    + "\n"
                    + _(
                        "Do not write a new checkpoint over this. Keep a copy of the database "
                        "as it is and find out who had write access to it."
                    )
                )
            )
            raise CommandError(_("Audit log verification failed"), returncode=2)
        line = _("Audit log intact: %(events)s entries, head %(seq)s %(hash)s.") % {
            "events": report.events,
            "seq": report.head_seq,
            "hash": report.head_hash[:16],
        }
        if not no_checkpoint:
            checkpoint = audit_checkpoint(report)
            if checkpoint_file is not None:
                with checkpoint_file.open("a") as out:
                    out.write(json.dumps(checkpoint.as_line(), sort_keys=True) + "\n")
            line += " " + _("Checkpoint %(id)s written.") % {"id": checkpoint.pk}
        self.stdout.write(line)
