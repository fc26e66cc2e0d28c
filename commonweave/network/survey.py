"""Network surveys (name generators): upload and check, review, then import as a job.

A name-generator CSV has one row per respondent naming a contact: respondent, contact,
relationship, strength, date.

1. `survey_upload` keeps the file on a SurveyImport and checks it at once (one pass over
   the rows): each bad row with its reason, and each name not in the network yet with
   its likely matches. Nothing is imported.
2. `survey_confirm` records the coordinator's choice for each such name (the same as a
   node already there, add it, or leave its rows out; one choice covers the names not
   chosen one by one) and queues a JobKind.NETWORK_SURVEY_IMPORT job.
3. `run_survey_import` (the job) records the good rows as ties in batches with a
   progress bar. Each batch commits with the last line it reached, so a job started again
   carries on where it stopped. The report keeps every row not imported with its reason;
   the file and the choices are dropped at the end.

`survey_import_now` runs steps 2-3 in the foreground for the command line
(manage.py import_network_survey), with the bar on the terminal.
"""

import csv
import datetime
import difflib
import io
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.core.text import without_refused
from commonweave.jobs.enums import JobKind
from commonweave.people.models import name_key
from commonweave.tenancy.models import Organisation

from .enums import NodeKind, SurveyState, TieSource, TieType
from .models import Node, SurveyImport, Tie
from .services import STRENGTH_MAX, can_record_ties
from .specs import org_key, org_spec

SURVEY_IMPORT = JobKind.NETWORK_SURVEY_IMPORT.value
SURVEY_COLUMNS = ("respondent", "contact", "relationship", "strength", "date")
MAX_SURVEY_BYTES = 2 * 1024 * 1024  # from the web and the API
MAX_SURVEY_ROWS = 20_000
REVIEW_NAMES = 200  # names offered one by one for review; the rest follow one choice
REVIEW_ERRORS = 500  # bad rows kept for the review page (the report keeps them all)
BATCH = 1000
LEAVE, NEW = "", "new"
NEW_KINDS = (NodeKind.PERSON, NodeKind.ORGANISATION, NodeKind.GROUP)

_TYPE_WORDS = {
    "friend": TieType.FAMILY_FRIEND,
    "family": TieType.FAMILY_FRIEND,
    "colleague": TieType.WORKS_WITH,
    "work": TieType.WORKS_WITH,
    "partner": TieType.PARTNERSHIP,
    "help": TieType.HELPS,
    "advice": TieType.HELPS,
}


def _tie_type_from(text):
    text = (text or "").strip().lower()
    for choice in TieType:
        if text in (choice.value, choice.label.lower()):
            return choice
    for word, choice in _TYPE_WORDS.items():
        if word in text:
            return choice
    return None


# --- reading the file -----------------------------------------------------------------------


@dataclass
class SurveyRow:
    line: int
    respondent: str
    contact: str
    tie_type: str
    strength: float
    started_on: datetime.date


@dataclass
class Parsed:
    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # (line, reason)

    @property
    def names(self) -> set:
        return {n for row in self.rows for n in (row.respondent, row.contact)}


def _text(data, max_bytes) -> str:
    if isinstance(data, str):
        return without_refused(data)
    if max_bytes is not None and len(data) > max_bytes:
        raise ValidationError({"file": "The file must be smaller than 2 MB."})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError({"file": "The file must be a CSV saved as UTF-8."}) from exc
    # A NUL in a file is debris, never meant, and PostgreSQL refuses it.
    return without_refused(text)


def _check_row(line, cells, today) -> tuple[SurveyRow | None, str]:
    """The row, or None and every reason it cannot be used."""
    reasons = []
    if not cells["respondent"]:
        reasons.append("the respondent is missing")
    if not cells["contact"]:
        reasons.append("the named contact is missing")
    if cells["respondent"] and name_key(cells["respondent"]) == name_key(cells["contact"]):
        reasons.append("a respondent cannot name themselves")
    tie_type = _tie_type_from(cells["relationship"])
    if tie_type is None:
        reasons.append(f"relationship type '{cells['relationship'][:40]}' is not one we know")
    try:
        strength = float(cells["strength"] or 1)
        if not 0 < strength <= STRENGTH_MAX:
            raise ValueError
    except ValueError:
        strength = None
        reasons.append(
            f"strength must be a number above 0 and up to {STRENGTH_MAX:g} "
            f"(the scale runs to {STRENGTH_MAX:g}; 1 is an ordinary tie)"
        )
    try:
        started_on = datetime.date.fromisoformat(cells["date"]) if cells["date"] else today
        if started_on > today:
            reasons.append("the date is in the future")
    except ValueError:
        started_on = None
        reasons.append("the date must be written as YYYY-MM-DD")
    if reasons:
        return None, "; ".join(reasons)
    row = SurveyRow(line, cells["respondent"], cells["contact"], tie_type, strength, started_on)
    return row, ""


def parse_survey(data, *, max_bytes=MAX_SURVEY_BYTES, max_rows=MAX_SURVEY_ROWS) -> Parsed:
    """Every usable row and every bad row with its reasons (line numbers count the header
    as line 1). A file without the columns is refused as a whole (ValidationError on
    "file"). `max_rows` None: no limit (the command line)."""
    reader = csv.reader(io.StringIO(_text(data, max_bytes)))
    header = [h.strip().lower() for h in next(reader, [])]
    if any(c not in header for c in SURVEY_COLUMNS):
        raise ValidationError(
            {"file": f"The first row must name the columns: {', '.join(SURVEY_COLUMNS)}."}
        )
    index = {c: header.index(c) for c in SURVEY_COLUMNS}
    parsed = Parsed()
    today = timezone.localdate()
    try:
        for line, raw in enumerate(reader, start=2):
            if max_rows is not None and line - 1 > max_rows:
                parsed.errors.append((line, f"More than {max_rows:,} rows; the rest skipped."))
                break
            if not any(cell.strip() for cell in raw):
                continue
            cells = {c: (raw[i].strip() if i < len(raw) else "") for c, i in index.items()}
            row, reason = _check_row(line, cells, today)
            if row is None:
                parsed.errors.append((line, reason))
            else:
                parsed.rows.append(row)
    except csv.Error as exc:
        raise ValidationError({"file": "The file is not a CSV we can read."}) from exc
    return parsed


# --- names ----------------------------------------------------------------------------------


def _labelled_nodes(place) -> dict:
    """{name key: (node id, public id, label)} of every labelled node a survey name may be
    (residents never: they are in the network only by pseudonym)."""
    by_key = {}
    nodes = (
        Node.objects.filter(place=place)
        .exclude(kind=NodeKind.RESIDENT)
        .exclude(label="")
        .order_by("kind", "label", "pk")
        .values_list("pk", "public_id", "label")
    )
    for pk, public_id, label in nodes.iterator(chunk_size=5000):
        by_key.setdefault(name_key(label), (pk, public_id, label))
    return by_key


def _place_organisations(place) -> dict:
    """{name key: organisation} of the place's own organisations. A survey naming one is
    tied to that organisation's node (the one derive.py keys "org:<id>"), so importing a
    survey into a new place adds no second copy of it, and the organisation's own node
    is not left with no ties."""
    return {name_key(o.name): o for o in Organisation.objects.filter(place=place)}


def _node_key(kind, name) -> str:
    """The key services.node_create gives a node added by hand, so the two agree."""
    if kind == NodeKind.ORGANISATION:
        return f"ext:{name_key(name)[:200]}"
    return f"{kind}:manual:{name_key(name)[:180]}"


def review_findings(place, parsed: Parsed) -> dict:
    """What the review page shows: how many rows can be imported, the bad rows, and the
    names not in the network yet (the first REVIEW_NAMES with up to three likely matches,
    closest first)."""
    by_key = _labelled_nodes(place)
    orgs = _place_organisations(place)
    unknown = sorted(n for n in parsed.names if name_key(n) not in by_key | orgs.keys())
    labels = list(by_key)
    suggestions = {}
    for name in unknown[:REVIEW_NAMES]:
        close = difflib.get_close_matches(name_key(name), labels, n=3, cutoff=0.75)
        suggestions[name] = [[by_key[k][1], by_key[k][2]] for k in close]
    return {
        "rows": len(parsed.rows),
        "bad": len(parsed.errors),
        "errors": [list(e) for e in parsed.errors[:REVIEW_ERRORS]],
        "known": len(parsed.names) - len(unknown),
        "unknown": unknown,
        "suggestions": suggestions,
    }


# --- upload and confirm ---------------------------------------------------------------------


def _require_recorder(viewer):
    if not can_record_ties(viewer):
        raise PermissionDenied


def survey_get(viewer, public_id) -> SurveyImport:
    """The viewer's place's survey import, else 404 (coordinators and place admins)."""
    if not can_record_ties(viewer):
        raise Http404
    imp = (
        SurveyImport.objects.select_related("job", "started_by")
        .filter(place=viewer.place, public_id=public_id)
        .first()
    )
    if imp is None:
        raise Http404
    return imp


def survey_upload(*, viewer, data, file_name="") -> SurveyImport:
    """Keep and check a survey file for review. A file that cannot be read at all is
    refused (ValidationError on "file") and nothing is kept.

    Side effects: a SurveyImport waiting for review (the file and its findings)."""
    _require_recorder(viewer)
    data = data.encode() if isinstance(data, str) else bytes(data)
    parsed = parse_survey(data)
    return SurveyImport.objects.create(
        place=viewer.place,
        started_by_id=viewer.user_id,
        file_name=(file_name or "")[-200:],
        payload=data,
        size=len(data),
        findings=review_findings(viewer.place, parsed),
    )


def _clean_decisions(viewer, imp, names, unknown, new_kind) -> dict:
    errors = {}
    allowed = set(imp.findings.get("unknown", []))
    chosen = {}
    ids = {v for v in names.values() if v not in (LEAVE, NEW)}
    found = set(
        Node.objects.filter(place=viewer.place, public_id__in=ids)
        .exclude(kind=NodeKind.RESIDENT)
        .values_list("public_id", flat=True)
    )
    for name, value in names.items():
        if name not in allowed:
            errors["names"] = "Choose only for names the file has that are not in the network"
        elif value not in (LEAVE, NEW) and value not in found:
            errors["names"] = "One of the matches chosen is not in this place's network"
        else:
            chosen[name] = value
    if unknown not in (LEAVE, NEW):
        errors["unknown"] = "Choose whether to add the other names or leave their rows out"
    if new_kind not in NEW_KINDS:
        errors["new_kind"] = "Choose what the names added are: people, organisations or groups"
    if errors:
        raise ValidationError(errors)
    return {"names": chosen, "unknown": unknown}


def survey_confirm(*, viewer, imp, names=None, unknown=LEAVE, new_kind=NodeKind.PERSON):
    """Record the review and queue the import. `names` maps a name not in the network to a
    node's public id (the same as it), "new" (add it) or "" (leave out the rows naming it);
    `unknown` is the choice for the names not in `names`.

    Side effects: the choices saved; a Job queued (with the ImmediateBackend it has run
    when this returns); one audit event.
    """
    _require_recorder(viewer)
    if imp.place_id != viewer.place.pk:
        raise Http404
    if imp.state != SurveyState.REVIEW:
        raise ValidationError("This survey has already been imported.")
    imp.decisions = _clean_decisions(viewer, imp, names or {}, unknown, new_kind)
    imp.new_kind = new_kind
    imp.state = SurveyState.QUEUED
    _start_job(viewer, imp)
    from commonweave.jobs import services as jobs

    jobs.job_enqueue(imp.job)
    imp.refresh_from_db()
    return imp


def _start_job(viewer, imp):
    from commonweave.jobs import services as jobs

    with transaction.atomic():
        imp.job = jobs.job_create(place=imp.place, kind=SURVEY_IMPORT, started_by=viewer.user)
        imp.save(update_fields=["decisions", "new_kind", "state", "job"])
        audit_record(
            viewer=viewer,
            action=Action.CREATE,
            purpose=Purpose.ADMIN,
            object_type="network.surveyimport",
            object_id=imp.public_id,
            detail={"job": imp.job.public_id, "rows": imp.findings.get("rows", 0)},
        )


def survey_restart(*, viewer, imp):
    """Start a failed import again: it carries on after the last line saved."""
    _require_recorder(viewer)
    if imp.place_id != viewer.place.pk:
        raise Http404
    if imp.state != SurveyState.FAILED or not imp.payload:
        raise ValidationError("Only an import that stopped part way can be started again.")
    imp.state = SurveyState.QUEUED
    _start_job(viewer, imp)
    from commonweave.jobs import services as jobs

    jobs.job_enqueue(imp.job)
    imp.refresh_from_db()
    return imp


# --- importing (the job) --------------------------------------------------------------------


def _resolve(place, parsed, decisions, new_kind) -> tuple[dict, int]:
    """{name: node id} for every name the import may use, adding the names chosen "new".
    Returns the map and how many nodes were added."""
    by_key = _labelled_nodes(place)
    orgs = _place_organisations(place)
    resolved = {}
    chosen = decisions.get("names", {})
    default = decisions.get("unknown", LEAVE)
    wanted_ids, to_add, own = {}, {}, {}
    for name in parsed.names:
        org = orgs.get(name_key(name))
        if org is not None:
            own[name] = org
            continue
        known = by_key.get(name_key(name))
        if known is not None:
            resolved[name] = known[0]
            continue
        choice = chosen.get(name, default)
        if choice == NEW:
            to_add[name] = _node_key(new_kind, name)
        elif choice:
            wanted_ids[name] = choice
    ids = dict(
        Node.objects.filter(place=place, public_id__in=set(wanted_ids.values()))
        .exclude(kind=NodeKind.RESIDENT)
        .values_list("public_id", "pk")
    )
    resolved.update({n: ids[p] for n, p in wanted_ids.items() if p in ids})
    if own:
        from .derive import ensure_nodes

        org_ids = ensure_nodes(place, {org_key(o.pk): org_spec(o) for o in own.values()})
        resolved.update({name: org_ids[org_key(o.pk)] for name, o in own.items()})
    if to_add:
        from .derive import ensure_nodes

        before = Node.objects.filter(place=place, key__in=list(to_add.values())).count()
        specs = {
            key: {"kind": new_kind, "label": name.strip()[:200]} for name, key in to_add.items()
        }
        node_ids = ensure_nodes(place, specs)
        resolved.update({name: node_ids[key] for name, key in to_add.items()})
        added = len(set(to_add.values())) - before
    else:
        added = 0
    return resolved, added


def _both_named(tie, strength):
    """The other person named this tie too: it becomes one undirected tie holding both
    reports (their strengths averaged, both kept in the note)."""
    first = tie.strength
    tie.directed = False
    tie.strength = (first + strength) / 2
    tie.note = f"Named by both (strengths {first:g} and {strength:g})"[:200]


def import_rows(imp, parsed, *, progress, user_id=None) -> dict:
    """Record the good rows of `parsed` as ties for `imp`, after `imp.done_through`.

    Each batch of BATCH rows commits with its last line, so nothing is recorded twice if
    the job is started again. Returns the report: counts and each row not imported with
    its reason (bad rows, and rows naming a name left out at review)."""
    place = imp.place
    resolved, added = _resolve(place, parsed, imp.decisions or {}, imp.new_kind)
    report = dict(imp.report or {})
    skipped = list(report.get("skipped", []))
    created = report.get("created", 0)
    both = report.get("both_named", 0)
    todo = [row for row in parsed.rows if row.line > imp.done_through]
    progress.set_total(len(parsed.rows))
    progress.advance(len(parsed.rows) - len(todo))
    progress.set_message(f"Recording {len(todo):,} ties")
    # Survey ties already recorded, by (who named, who was named, kind): a tie named by
    # both people is one tie with both reports, not two.
    named = {
        (t.source_node_id, t.target_node_id, t.tie_type): t
        for t in Tie.objects.filter(place=place, source=TieSource.SURVEY, ended_on__isnull=True)
    }
    for start in range(0, len(todo), BATCH):
        batch = todo[start : start + BATCH]
        ties, answered = [], []
        for row in batch:
            a, b = resolved.get(row.respondent), resolved.get(row.contact)
            if a is None or b is None:
                skipped.append([row.line, "a name in it was left out at review"])
            elif a == b:
                skipped.append([row.line, "both names are the same node"])
            elif (other := named.get((b, a, row.tie_type))) is not None and other.directed:
                _both_named(other, row.strength)
                both += 1
                if other.pk is not None:
                    answered.append(other)
            else:
                tie = Tie(
                    place=place,
                    source_node_id=a,
                    target_node_id=b,
                    tie_type=row.tie_type,
                    strength=row.strength,
                    directed=True,  # a name generator records who named whom
                    started_on=row.started_on,
                    source=TieSource.SURVEY,
                    created_by_id=user_id,
                )
                named[(a, b, row.tie_type)] = tie
                ties.append(tie)
        created += len(ties)
        report.update(created=created, skipped=skipped, both_named=both)
        with transaction.atomic():
            Tie.objects.bulk_create(ties, batch_size=BATCH)
            if answered:
                Tie.objects.bulk_update(answered, ["directed", "strength", "note"])
            SurveyImport.objects.filter(pk=imp.pk).update(
                done_through=batch[-1].line, report=report
            )
        imp.done_through = batch[-1].line
        progress.advance(len(batch))
    report.update(
        created=created,
        both_named=both,
        nodes_added=report.get("nodes_added", 0) + added,
        bad=[list(e) for e in parsed.errors],
        skipped=skipped,
    )
    return report


def _finish(imp, report, state=SurveyState.DONE):
    """Keep the report; drop the file, the choices and the names of the review."""
    imp.report = report
    imp.state = state
    imp.payload = b""
    imp.decisions = {}
    imp.findings = {k: v for k, v in imp.findings.items() if k in ("rows", "bad", "known")}
    imp.save(update_fields=["report", "state", "payload", "decisions", "findings"])


def run_survey_import(*, job, progress):
    """The job's work. A file that cannot be read (it was checked on upload, so only if
    changed since) ends the import as failed with the reason in its report.
    Side effects: ties (source survey) and any nodes added; the report; one audit event."""
    imp = SurveyImport.objects.select_related("place").get(job=job)
    progress.set_message("Reading the file")
    try:
        parsed = parse_survey(bytes(imp.payload), max_bytes=None, max_rows=None)
    except ValidationError as error:
        reason = "; ".join(error.message_dict.get("file", error.messages))
        _finish(imp, {"created": 0, "bad": [[0, reason]], "skipped": []}, SurveyState.FAILED)
        progress.message = "Nothing imported: the file could not be read"
        progress.result = {"created": 0}
        return
    _run(imp, job, progress, parsed)


def _run(imp, job, progress, parsed):
    from commonweave.jobs.services import _audit_actor

    try:
        report = import_rows(imp, parsed, progress=progress, user_id=job.started_by_id)
    except Exception:
        # the batches saved so far stay; starting it again carries on after them
        SurveyImport.objects.filter(pk=imp.pk).update(state=SurveyState.FAILED)
        raise
    _finish(imp, report)
    not_imported = len(report["bad"]) + len(report["skipped"])
    progress.message = (f"{report['created']:,} ties recorded; {not_imported:,} rows not imported")[
        :200
    ]
    progress.result = {"created": report["created"], "not_imported": not_imported}
    audit_record(
        viewer=_audit_actor(job),
        action=Action.CREATE,
        purpose=Purpose.ADMIN,
        object_type="network.surveyimport",
        object_id=imp.public_id,
        detail={
            "job": job.public_id,
            "survey_ties": report["created"],
            "nodes_added": report["nodes_added"],
            "bad_rows": len(report["bad"]),
            "skipped_rows": len(report["skipped"]),
        },
    )


def survey_import_now(
    *, place, data, file_name="", unknown=LEAVE, new_kind=NodeKind.PERSON, stream=None
) -> SurveyImport:
    """Import a survey file in the foreground (the command line): no size or row limit,
    `unknown` ("new" or "") for every name not in the network, and the import run as a job
    here with its bar on `stream`. The file is read once and not stored.
    Side effects: as run_survey_import; the job and the import's report."""
    from commonweave.jobs import services as jobs
    from commonweave.jobs.progress import job_progress

    if unknown not in (LEAVE, NEW):
        raise ValidationError({"unknown": "Choose new or leave for names not in the network."})
    if new_kind not in NEW_KINDS:
        raise ValidationError({"new_kind": "Choose person, organisation or group."})
    parsed = parse_survey(data, max_bytes=None, max_rows=None)
    with transaction.atomic():
        imp = SurveyImport.objects.create(
            place=place,
            file_name=(file_name or "")[-200:],
            size=len(data),
            findings={"rows": len(parsed.rows), "bad": len(parsed.errors)},
            decisions={"names": {}, "unknown": unknown},
            new_kind=new_kind,
            state=SurveyState.QUEUED,
            job=jobs.job_create(place=place, kind=SURVEY_IMPORT),
        )
    with job_progress(imp.job, stream=stream) as progress:
        _run(imp, imp.job, progress, parsed)
    imp.refresh_from_db()
    return imp


def register():
    from commonweave.jobs import services as jobs

    jobs.RUNNERS.setdefault(SURVEY_IMPORT, run_survey_import)
