"""After the money (issue 17, part 4, docs/grants.md "After the money").

* A **community award** has a timeline of dated results (`AwardUpdate`): how the project
  stands, how far along it is and what happened, typed on the award's page, sent through
  the API or read from a CSV file of the fund's awards. The newest line is the award's
  current status. Nothing is edited or deleted: a correction is a newer line.
* A **personal award** is linked to the resident's goal; evaluators, who never see a
  personal record, read the money dashboard's `dashboard.goal_outcomes`: approved personal
  grants with a goal, counted by how far the goal has come, every count published.

Who may: the fund's runners add results (rules.runs); whoever may see the award sees its
timeline (rules.may_see, through selectors.award_open). Everyone else finds a 404.
"""

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from commonweave.audit.enums import Action
from commonweave.core.text import without_refused
from commonweave.directory.importer.formats import refusal
from commonweave.directory.importer.report import Invalid
from commonweave.directory.importer.sources import decode_csv

from . import rules
from .enums import AwardStatus, RecipientKind, ResultStatus, UpdateSource
from .models import Award, AwardUpdate, Fund
from .services import _audit

NOTE_MAX = 4000
MAX_BYTES = 2 * 1024 * 1024  # a few thousand rows, read while the page waits
MAX_ROWS = 5000
EARLIEST = date(2000, 1, 1)

# --- reading what people write -----------------------------------------------------------


def _words(value: object) -> str:
    """ "  On_Track! " -> "on track": lower case, letters and digits, single spaces."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", str(value or "").lower()).split())


# Status words people use, read in any case and spacing ("On track", "ON-TRACK",
# "complete", "done"). A word that could mean two things is not here: it is refused.
STATUS_WORDS: dict[str, str] = {
    **dict.fromkeys(
        ("not started", "not yet started", "notstarted", "to do", "todo", "planned",
         "pending", "not begun"),
        ResultStatus.NOT_STARTED,
    ),
    **dict.fromkeys(
        ("on track", "ontrack", "in progress", "inprogress", "started", "ongoing",
         "underway", "under way", "going well", "green", "ok"),
        ResultStatus.ON_TRACK,
    ),
    **dict.fromkeys(
        ("delayed", "delay", "behind", "late", "running late", "slipping", "at risk",
         "amber", "behind schedule"),
        ResultStatus.DELAYED,
    ),
    **dict.fromkeys(
        ("completed", "complete", "done", "finished", "achieved", "delivered"),
        ResultStatus.COMPLETED,
    ),
    **dict.fromkeys(
        ("stopped", "cancelled", "canceled", "abandoned", "halted", "not going ahead"),
        ResultStatus.STOPPED,
    ),
}  # fmt: skip


def parse_status(value: object) -> str | None:
    """A ResultStatus from what someone wrote: its value ("on_track"), its label in the
    current language or English, or a common word for it; None when it is none of them."""
    words = _words(value)
    if not words:
        return None
    for status in ResultStatus:
        if words in (_words(status.value), _words(status.label)):
            return status.value
    return STATUS_WORDS.get(words)


def status_choices_text() -> str:
    return ", ".join(str(label) for label in ResultStatus.labels)


_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def parse_progress(value: object) -> tuple[int | None, str]:
    """How far along, in whole percent: "25", "25%", " 25 % ", "62.5" (rounded, with a
    warning). Returns (percent or None when blank, warning or ""). ValidationError for
    anything else, over 100 or below 0, or a fraction between 0 and 1 (0.25 could be a
    quarter or a quarter of one percent: write 25%)."""
    text = str(value if value is not None else "").strip().replace(",", ".")
    if not text:
        return None, ""
    text = text.removesuffix("%").strip()
    for suffix in ("percent", "per cent", "pc"):
        if text.lower().endswith(suffix):
            text = text[: -len(suffix)].strip()
    if not _NUMBER.fullmatch(text):
        raise ValidationError(_("Write how far along as a percentage, like 25 or 25%"))
    number = float(text)
    if number < 0 or number > 100:
        raise ValidationError(_("How far along must be between 0 and 100%"))
    if 0 < number < 1:
        raise ValidationError(
            _("How far along is between 0 and 1: write it as a percentage, like 25%")
        )
    whole = int(number + 0.5)
    if whole != number:
        return whole, _("How far along was rounded to %(whole)s%%") % {"whole": whole}
    return whole, ""


_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}  # fmt: skip
_YMD = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_DMY = re.compile(r"(\d{1,2})[-/. ](\d{1,2})[-/. ](\d{2}|\d{4})")
_D_MONTH_Y = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[- ]([a-z]+)\.?,?[- ](\d{2}|\d{4})")
_TIME = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*(am|pm)?$", re.IGNORECASE)


def _year(text: str) -> int:
    year = int(text)
    return 2000 + year if len(text) == 2 else year


def parse_date(value: object, *, today: date | None = None) -> tuple[date, str]:
    """A date as people and spreadsheets write it: 2026-11-03, 03/11/2026 (day first, as
    in the UK), 3-11-26, 3 Nov 2026, with or without Excel's time after it. A date that
    only reads month first (11/25/2026) is read so, with a warning. Returns (date, warning
    or ""). ValidationError when there is none, it cannot be read, or it is in the future."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        day, warning = value, ""
    else:
        text = _TIME.sub("", str(value or "").strip()).strip().lower()
        if not text:
            raise ValidationError(_("Enter the date of the update"))
        day, warning = _read_date(text)
    today = today or timezone.localdate()
    if day > today:
        raise ValidationError(_("The date of an update cannot be in the future"))
    if day < EARLIEST:
        raise ValidationError(_("Enter a real date, for example 03/11/2026 or 2026-11-03"))
    return day, warning


def _read_date(text: str) -> tuple[date, str]:
    unreadable = ValidationError(_("Enter a real date, for example 03/11/2026 or 2026-11-03"))
    try:
        if match := _YMD.fullmatch(text):
            year, month, day = (int(part) for part in match.groups())
            return date(year, month, day), ""
        if match := _DMY.fullmatch(text):
            first, second, year = int(match[1]), int(match[2]), _year(match[3])
            if second > 12 >= first:  # 11/25/2026 can only be month first
                read = date(year, first, second)
                return read, _("The date was read month first, as %(date)s") % {
                    "date": date_format(read, "j F Y")
                }
            return date(year, second, first), ""
        if match := _D_MONTH_Y.fullmatch(text):
            named = _MONTHS.get(match[2])
            if named is not None:
                return date(_year(match[3]), named, int(match[1])), ""
    except ValueError:
        raise unreadable from None
    raise unreadable


def clean_note(value: object) -> str:
    note = without_refused(str(value or "")).strip()
    if len(note) > NOTE_MAX:
        raise ValidationError(
            _("Keep what happened to %(max)s characters or fewer") % {"max": NOTE_MAX}
        )
    return note


# --- the timeline --------------------------------------------------------------------------


def has_timeline(award: Award) -> bool:
    return award.recipient_kind == RecipientKind.ORGANISATION


def _timeline_refusal(award: Award) -> str | None:
    if not has_timeline(award):
        return _("Only a community award has a timeline of results")
    if award.status != AwardStatus.APPROVED:
        return _("Results are recorded once an award is approved")
    return None


def timeline_of(viewer, award: Award) -> QuerySet[AwardUpdate]:
    """The award's results, oldest first (the last is its current status). The award was
    opened through selectors.award_open, so the viewer may see it; this checks again."""
    if not rules.may_see(viewer, award):
        raise Http404
    return AwardUpdate.objects.filter(place=award.place_id, award=award)


def current_of(updates: Iterable[AwardUpdate]) -> AwardUpdate | None:
    """The newest line of a timeline listed oldest first."""
    updates = list(updates)
    return updates[-1] if updates else None


def community_awards_of(viewer, fund: Fund) -> QuerySet[Award]:
    """The fund's approved community awards (for its runners) with their current status:
    the newest result's date, status and progress, in one query."""
    if not rules.runs(viewer, fund):
        raise Http404
    newest = AwardUpdate.objects.filter(award=OuterRef("pk")).order_by("-on", "-recorded_at", "-pk")
    return (
        Award.objects.filter(
            place=fund.place_id,
            fund=fund,
            recipient_kind=RecipientKind.ORGANISATION,
            status=AwardStatus.APPROVED,
        )
        .select_related("organisation")
        .annotate(
            result_on=Subquery(newest.values("on")[:1]),
            result_status=Subquery(newest.values("status")[:1]),
            result_progress=Subquery(newest.values("progress")[:1]),
        )
        .order_by("title", "pk")
    )


def status_label(value: str | None) -> str:
    return str(ResultStatus(value).label) if value in ResultStatus.values else ""


def recipient_name(award: Award) -> str:
    return award.organisation.name if award.organisation is not None else award.group_name


@transaction.atomic
def update_add(
    *,
    viewer,
    award: Award,
    on,
    status,
    progress=None,
    note: str = "",
    source: str = UpdateSource.PAGE,
) -> AwardUpdate:
    """A new line of a community award's timeline, by one of the fund's runners. `on` is
    a date or how someone wrote one; `status` a ResultStatus or a word for it; `progress`
    whole percent, "25%", or blank. Every problem is a ValidationError naming its field,
    and nothing is saved.

    Side effects: an AwardUpdate, one audit event, a fresh money dashboard on commit."""
    award = Award.objects.select_related("fund").get(pk=award.pk)
    if not rules.runs(viewer, award.fund):
        raise Http404
    refused = _timeline_refusal(award)
    if refused:
        raise ValidationError({"award": refused})
    errors: dict[str, list[str]] = {}

    def read(name, parse):
        try:
            return parse()
        except ValidationError as error:
            errors[name] = error.messages
            return None

    day = read("on", lambda: parse_date(on)[0])
    chosen = parse_status(status)
    if chosen is None:
        errors["status"] = [
            _("Choose how it stands: %(choices)s") % {"choices": status_choices_text()}
        ]
    percent = read("progress", lambda: parse_progress(progress)[0])
    text = read("note", lambda: clean_note(note))
    if errors or chosen is None:
        raise ValidationError(errors)
    update = AwardUpdate.objects.create(
        place_id=award.place_id,
        award=award,
        on=day,
        status=chosen,
        progress=percent,
        note=text or "",
        source=source,
        recorded_by=getattr(viewer, "user", None),
    )
    _audit(
        viewer,
        Action.CREATE,
        update,
        award=award,
        detail={"status": chosen, "progress": percent, "source": source},
    )
    return update


# --- a CSV file of results -----------------------------------------------------------------

TEMPLATE_COLUMNS = ("award", "title", "group", "date", "status", "progress", "note")

# Column headings people use, after _words(); "%" reads as "percent".
COLUMNS: dict[str, str] = {
    **dict.fromkeys(("award", "award id", "awardid", "award ref", "award reference",
                     "reference", "ref", "id", "grant id", "grant"), "award"),
    **dict.fromkeys(("date", "on", "when", "update date", "date of update", "as at",
                     "as of", "reported on", "date reported"), "date"),
    **dict.fromkeys(("status", "result status", "state", "rag", "rag status",
                     "how it stands"), "status"),
    **dict.fromkeys(("progress", "progress percent", "percent", "percent complete",
                     "percentage", "percentage complete", "complete percent",
                     "how far along", "how far along percent", "percent done"), "progress"),
    **dict.fromkeys(("note", "notes", "what happened", "update", "comment", "comments",
                     "details", "description"), "note"),
    **dict.fromkeys(("title", "what it is for", "group", "group name", "recipient",
                     "organisation", "organization", "project"), ""),
}  # fmt: skip
NEEDED = ("award", "date", "status")


@dataclass(frozen=True)
class RowProblem:
    row: int  # as a spreadsheet numbers it: the header is row 1
    award: str  # the award id as written (cut short), "" if none
    reason: str


@dataclass
class ImportReport:
    rows: int = 0  # rows with anything in them, below the header
    added: int = 0
    skipped: int = 0  # rows with only an award's id (the template's), or already recorded
    encoding: str = ""
    delimiter: str = ","
    warnings: list[RowProblem] = field(default_factory=list)
    rejected: list[RowProblem] = field(default_factory=list)
    added_ids: list[str] = field(default_factory=list)

    @property
    def delimiter_name(self) -> str:
        return {";": _("semicolons"), "\t": _("tabs")}.get(self.delimiter, _("commas"))


def _column_key(heading: str) -> str | None:
    words = _words(str(heading).replace("%", " percent "))
    return COLUMNS.get(words)


def _delimiter(text: str) -> str:
    """The delimiter of the header row: a comma, or Excel's semicolon (in countries that
    write a decimal comma), or a tab; whichever splits the first non-blank line most."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _decode(raw: bytes) -> tuple[str, str]:
    why = refusal(raw)
    if why:
        raise ValidationError({"file": why})
    try:
        text, encoding = decode_csv(raw)
    except Invalid as error:
        message = str(error)
        raise ValidationError({"file": message[:1].upper() + message[1:]}) from None
    return text, encoding


def read_upload(upload) -> bytes:
    """An uploaded file's bytes, at most MAX_BYTES (ValidationError naming `file`)."""
    if upload is None:
        raise ValidationError({"file": _("Choose a CSV file to upload")})
    raw = upload.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise ValidationError(
            {"file": _("The file must be smaller than %(mb)s MB: split it into parts")
             % {"mb": MAX_BYTES // (1024 * 1024)}}
        )  # fmt: skip
    if not raw.strip():
        raise ValidationError({"file": _("The file is empty")})
    return raw


def _check_row(
    cells: dict[str, str], awards: dict[str, Award], today: date
) -> tuple[dict | None, list[str], list[str]]:
    """One row read: (values to save or None, reasons it is refused, warnings)."""
    problems: list[str] = []
    warnings: list[str] = []
    award_id = "".join(cells.get("award", "").split()).lower()
    award = awards.get(award_id)
    if not award_id:
        problems.append(_("No award id: copy it from the template"))
    elif award is None:
        problems.append(_("There is no award with this id in this fund"))
    elif refused := _timeline_refusal(award):
        problems.append(refused)
    values: dict = {"award": award}
    try:
        values["on"], warning = parse_date(cells.get("date", ""), today=today)
        if warning:
            warnings.append(warning)
    except ValidationError as error:
        problems.extend(_("Date: %(why)s") % {"why": m} for m in error.messages)
    status_text = cells.get("status", "")
    values["status"] = parse_status(status_text)
    if values["status"] is None:
        problems.append(
            _("Status: write one of %(choices)s") % {"choices": status_choices_text()}
            if status_text.strip()
            else _("Status: say how it stands (%(choices)s)") % {"choices": status_choices_text()}
        )
    try:
        values["progress"], warning = parse_progress(cells.get("progress", ""))
        if warning:
            warnings.append(warning)
    except ValidationError as error:
        problems.extend(_("Progress: %(why)s") % {"why": m} for m in error.messages)
    try:
        values["note"] = clean_note(cells.get("note", ""))
    except ValidationError as error:
        problems.extend(_("Note: %(why)s") % {"why": m} for m in error.messages)
    if (
        not problems
        and values["status"] == ResultStatus.COMPLETED
        and (values["progress"] is not None and values["progress"] < 100)
    ):
        warnings.append(
            _("Marked completed at %(progress)s%%: kept as written")
            % {"progress": values["progress"]}
        )
    return (None if problems else values), problems, warnings


def _is_template_row(cells: dict[str, str]) -> bool:
    """A row of the template left as it was: an award's id and nothing to record."""
    return not any(cells.get(name, "").strip() for name in ("date", "status", "progress", "note"))


@transaction.atomic
def updates_import_csv(*, viewer, fund: Fund, file, source: str = UpdateSource.CSV) -> ImportReport:
    """Results for the fund's community awards from a CSV file (bytes, or an upload), by
    one of its runners. Reads Excel's saves: UTF-8 with or without a byte-order mark or
    Windows-1252, commas, semicolons or tabs, blank lines; repairs what is clearly meant
    (dates written day first or with a time, "25%", status words in any case) and says so
    as a warning on its row. A row that cannot be read is rejected whole with its row
    number and reason, never half saved; every other row is added. A row left as the
    template had it (only the award's id) and a row already on the timeline are skipped,
    so uploading a file twice adds nothing the second time. A file that is not a CSV we
    can read is a ValidationError naming `file`, and nothing is saved.

    Side effects: AwardUpdate rows (source `csv`), one audit event for the import, a
    fresh money dashboard on commit."""
    if not rules.runs(viewer, fund):
        raise Http404
    raw = file if isinstance(file, bytes) else read_upload(file)
    if not raw.strip():
        raise ValidationError({"file": _("The file is empty")})
    text, encoding = _decode(raw)
    report = ImportReport(encoding=encoding or "UTF-8", delimiter=_delimiter(text))
    records = list(csv.reader(io.StringIO(text), delimiter=report.delimiter))
    header_at = next((i for i, row in enumerate(records) if any(c.strip() for c in row)), None)
    if header_at is None:
        raise ValidationError({"file": _("The file is empty")})
    if len(records) - header_at - 1 > MAX_ROWS:
        raise ValidationError(
            {"file": _("The file has more than %(max)s rows: split it into parts")
             % {"max": f"{MAX_ROWS:,}"}}
        )  # fmt: skip
    columns: dict[str, int] = {}
    header_row = header_at + 1
    for index, heading in enumerate(records[header_at]):
        key = _column_key(heading)
        if key is None and heading.strip():
            report.warnings.append(
                RowProblem(header_row, "",
                           _("Column %(n)s was not read: its heading is not one we know")
                           % {"n": index + 1})
            )  # fmt: skip
        elif key and key in columns:
            report.warnings.append(
                RowProblem(header_row, "", _("Column %(n)s repeats a column: the first was read")
                           % {"n": index + 1})
            )  # fmt: skip
        elif key:
            columns[key] = index
    missing = [name for name in NEEDED if name not in columns]
    if missing:
        raise ValidationError(
            {"file": _("The header row needs the columns award, date and status (missing: "
                       "%(missing)s). Download the template to start from.")
             % {"missing": ", ".join(missing)}}
        )  # fmt: skip
    awards = {
        award.public_id: award
        for award in Award.objects.filter(place=fund.place_id, fund=fund).select_related("fund")
    }
    seen = {
        (u.award_id, u.on, u.status, u.progress, u.note.strip())
        for u in AwardUpdate.objects.filter(place=fund.place_id, award__fund=fund).only(
            "award_id", "on", "status", "progress", "note"
        )
    }
    today = timezone.localdate()
    new: list[AwardUpdate] = []
    user = getattr(viewer, "user", None)
    width = len(records[header_at])
    for number, row in enumerate(records[header_at + 1 :], start=header_row + 1):
        cells = {key: (row[index] if index < len(row) else "") for key, index in columns.items()}
        if not any(cell.strip() for cell in row):
            continue  # a blank line
        report.rows += 1
        written_id = "".join(cells.get("award", "").split())[:20]
        if _is_template_row(cells):
            report.skipped += 1
            continue
        values, problems, warnings = _check_row(cells, awards, today)
        if any(cell.strip() for cell in row[width:]):
            warnings.append(
                _("This row has more cells than the header row: the extra were not read")
            )
        if values is None:
            report.rejected.append(RowProblem(number, written_id, "; ".join(problems)))
            continue
        award = values["award"]
        identity = (award.pk, values["on"], values["status"], values["progress"], values["note"])
        if identity in seen:
            report.skipped += 1
            report.warnings.append(
                RowProblem(number, written_id, _("Already on the timeline: not added again"))
            )
            continue
        seen.add(identity)
        report.warnings.extend(RowProblem(number, written_id, w) for w in warnings)
        new.append(
            AwardUpdate(
                place_id=fund.place_id,
                award=award,
                on=values["on"],
                status=values["status"],
                progress=values["progress"],
                note=values["note"],
                source=source,
                recorded_by=user,
            )
        )
    AwardUpdate.objects.bulk_create(new, batch_size=500)
    report.added = len(new)
    report.added_ids = [update.public_id for update in new]
    _audit(
        viewer,
        Action.CREATE,
        fund,
        detail={
            "results_import": source,
            "rows": report.rows,
            "added": report.added,
            "skipped": report.skipped,
            "warnings": len(report.warnings),
            "rejected": len(report.rejected),
        },
    )
    return report


def template_rows(viewer, fund: Fund) -> list[list[str]]:
    """The template's rows: one per approved community award of the fund, with its id,
    title and group, and the columns to fill in left blank."""
    return [
        [award.public_id, award.title, recipient_name(award), "", "", "", ""]
        for award in community_awards_of(viewer, fund)
    ]
