"""The mutual-aid safeguarding log: missed lone-working check-ins (raised by the system,
lone_working.checkins_escalate) and concerns (raised by a helper on their link,
lone_working.concern_raise, or by staff from a need's or a helper's page, `concern_raise`
here), each acknowledged and then closed with an outcome.

Who reads a note (`notes_visible_to`), decided here and nowhere else:

* the place's safeguarding lead (`PlaceSettings.safeguarding_lead`, a signed-in person
  with a role in the place): every note of the place;
* a **coordinator** (the role, not a catalyst) of an organisation holding the need or the
  helper the note is about: through its match (the need's organisation and the helper's,
  which may differ), the need or helper it was raised from, or the helper who raised it
  on their own link. An API token with the coordinator role counts as its organisation's
  coordinator; no token is ever the lead.

Everyone else, including catalysts (they raise concerns but do not read the log), place
admins in that role alone, analysts, partner workers and other places, finds nothing: the
log's pages and API answer 404. Whoever may read a note may acknowledge and close it.

Reading a note's words is audited: a list writes one LIST event naming the notes shown
(and the residents among the people they are about), one note's page one VIEW; raising,
acknowledging and closing each write one event, never with the words.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.people.models import Resident
from commonweave.tenancy.enums import Role
from commonweave.tenancy.viewer import Viewer

from . import rules
from .alerts import deliver_safeguarding_note
from .models import Match, PlaceSettings, Request, SafeguardingNote, Volunteer

HELPER_LABEL = "helper:"  # actors.Helper.label: "helper:<public id>"


class NoteStatus:
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    CLOSED = "closed"

    LABELS = {
        OPEN: gettext_lazy("New"),
        ACKNOWLEDGED: gettext_lazy("Acknowledged"),
        CLOSED: gettext_lazy("Closed"),
    }


def note_status(note: SafeguardingNote) -> str:
    if note.closed_at is not None:
        return NoteStatus.CLOSED
    if note.acknowledged_at is not None:
        return NoteStatus.ACKNOWLEDGED
    return NoteStatus.OPEN


# --- who may read the log --------------------------------------------------------------------


def is_safeguarding_lead(viewer) -> bool:
    """The viewer is the signed-in person named as their place's safeguarding lead."""
    if not isinstance(viewer, Viewer) or viewer.user is None:
        return False
    return PlaceSettings.objects.filter(
        place=viewer.place, safeguarding_lead_id=viewer.user.pk
    ).exists()


def _coordinator_org_ids(viewer) -> frozenset[int]:
    return viewer.org_ids(Role.COORDINATOR) if isinstance(viewer, Viewer) else frozenset()


def may_read_log(viewer) -> bool:
    """The log page (or API list) is there for the lead and for coordinators."""
    return bool(_coordinator_org_ids(viewer)) or is_safeguarding_lead(viewer)


def notes_visible_to(viewer) -> QuerySet[SafeguardingNote]:
    """The notes this viewer may read (the rule is in the module's docstring)."""
    if not isinstance(viewer, Viewer):
        return SafeguardingNote.objects.none()
    notes = SafeguardingNote.objects.filter(place=viewer.place)
    if not is_safeguarding_lead(viewer):
        orgs = _coordinator_org_ids(viewer)
        if not orgs:
            return SafeguardingNote.objects.none()
        own_helpers = (
            Volunteer.objects.filter(place=viewer.place, organisation_id__in=orgs)
            .annotate(label=Concat(Value(HELPER_LABEL), "public_id", output_field=CharField()))
            .values("label")
        )
        notes = notes.filter(
            Q(need__organisation_id__in=orgs)
            | Q(volunteer__organisation_id__in=orgs)
            | Q(match__need__organisation_id__in=orgs)
            | Q(match__volunteer__organisation_id__in=orgs)
            | Q(raised_by__in=own_helpers)
        )
    return notes.select_related(
        "need__neighbourhood",
        "volunteer__home",
        "match__need__neighbourhood",
        "match__volunteer__home",
    )


# --- reading it ------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoteRow:
    """A note as the log shows it: what it is about (first names and areas only)."""

    note: SafeguardingNote
    need: Request | None
    helper: Volunteer | None
    raised_by: str  # "system", "staff" or "helper"

    @property
    def status(self) -> str:
        return note_status(self.note)

    @property
    def status_label(self) -> str:
        return str(NoteStatus.LABELS[self.status])


def _raised_by(label: str) -> str:
    if label == "system":
        return "system"
    if label.startswith(HELPER_LABEL):
        return "helper"
    return "staff"


def _rows(place, notes: list[SafeguardingNote]) -> list[NoteRow]:
    raisers = {
        n.raised_by.removeprefix(HELPER_LABEL)
        for n in notes
        if n.raised_by.startswith(HELPER_LABEL) and n.match_id is None and n.volunteer_id is None
    }
    by_label = (
        {
            v.public_id: v
            for v in Volunteer.objects.filter(place=place, public_id__in=raisers).select_related(
                "home"
            )
        }
        if raisers
        else {}
    )
    rows = []
    for note in notes:
        match = note.match
        need = note.need or (match.need if match else None)
        helper = note.volunteer or (match.volunteer if match else None)
        if helper is None and note.raised_by.startswith(HELPER_LABEL):
            helper = by_label.get(note.raised_by.removeprefix(HELPER_LABEL))
        rows.append(NoteRow(note, need, helper, _raised_by(note.raised_by)))
    return rows


def _residents_of(rows: list[NoteRow]) -> list[str]:
    ids = {
        person.resident_id
        for row in rows
        for person in (row.need, row.helper)
        if person is not None and person.resident_id is not None
    }
    if not ids:
        return []
    return list(Resident.objects.filter(pk__in=ids).values_list("public_id", flat=True))


def notes_list(viewer, *, closed: bool = False, limit: int | None = 200) -> QuerySet:
    """The notes the viewer may read, still open (or, with `closed`, closed), newest first.
    Not audited by itself: `notes_read` audits what is shown."""
    if not may_read_log(viewer):
        raise Http404
    return notes_visible_to(viewer).filter(closed_at__isnull=not closed)


def notes_read(viewer, notes) -> list[NoteRow]:
    """The rows of the notes about to be shown with their words.
    Side effects: one audit event (LIST) naming the notes and the residents among the
    people they are about."""
    notes = list(notes)
    rows = _rows(viewer.place, notes)
    audit_record(
        viewer=viewer,
        action=Action.LIST,
        purpose=Purpose.CASEWORK,
        object_type=SafeguardingNote._meta.label_lower,
        residents=_residents_of(rows),
        detail={"notes": [n.public_id for n in notes]},
    )
    return rows


def note_get(viewer, public_id: str) -> SafeguardingNote:
    """One note the viewer may read, to act on (not audited: the action is)."""
    note = notes_visible_to(viewer).filter(public_id=public_id).first()
    if note is None:
        raise Http404
    return note


def note_open(viewer, public_id: str) -> NoteRow:
    """One note with its words. Side effects: one audit event (VIEW)."""
    note = note_get(viewer, public_id)
    row = _rows(viewer.place, [note])[0]
    residents = _residents_of([row])
    audit_record(
        viewer=viewer,
        action=Action.VIEW,
        purpose=Purpose.CASEWORK,
        obj=note,
        residents=residents,
    )
    return row


# --- writing it ------------------------------------------------------------------------------


def concern_raise(
    *,
    viewer,
    text: str,
    need: Request | None = None,
    volunteer: Volunteer | None = None,
    match: Match | None = None,
    now=None,
) -> SafeguardingNote:
    """A caseworker raises a safeguarding concern about a need or a helper their
    organisation holds, or a match of its needs (or about nothing on record). It goes to
    the place's safeguarding lead, as a helper's concern does (lone_working.concern_raise).

    Side effects: a SafeguardingNote, delivered (alerts.deliver_safeguarding_note); one
    audit event (CREATE, without the words)."""
    if not rules.can_coordinate(viewer):
        raise Http404
    for held in (need, volunteer, match.need if match else None):
        if held is not None and not rules.coordinates(viewer, held):
            raise Http404
    if not (text or "").strip():
        raise ValidationError({"text": _("Tell us what worries you")})
    settings = PlaceSettings.objects.filter(place=viewer.place).first()
    with transaction.atomic():
        note = SafeguardingNote.objects.create(
            place=viewer.place,
            kind=SafeguardingNote.Kind.CONCERN,
            match=match,
            need=need,
            volunteer=volunteer,
            text=text.strip(),
            raised_by=viewer.label,
            lead_id=settings.safeguarding_lead_id if settings else None,
            created_at=now or timezone.now(),
        )
        about = need or (match.need if match else None)
        audit_record(
            viewer=viewer,
            action=Action.CREATE,
            purpose=Purpose.CASEWORK,
            obj=note,
            resident=(about.resident if about else None)
            or (volunteer.resident if volunteer else None),
        )
    deliver_safeguarding_note(note, now=now)
    return note


def _locked(viewer, note: SafeguardingNote) -> SafeguardingNote:
    if not notes_visible_to(viewer).filter(pk=note.pk).exists():
        raise Http404
    return SafeguardingNote.objects.select_for_update().get(pk=note.pk)


def _audit_change(viewer, note, what: str) -> None:
    audit_record(
        viewer=viewer,
        action=Action.UPDATE,
        purpose=Purpose.CASEWORK,
        obj=note,
        detail={"safeguarding": what},
    )


@transaction.atomic
def note_acknowledge(*, viewer, note: SafeguardingNote, now=None) -> SafeguardingNote:
    """Someone who may read the note says they have seen it and are dealing with it.
    Acknowledging twice changes nothing. Side effects: `acknowledged_at` and `_by`; one
    audit event."""
    note = _locked(viewer, note)
    if note.closed_at is not None:
        raise ValidationError(_("This note is already closed"))
    if note.acknowledged_at is None:
        note.acknowledged_at = now or timezone.now()
        note.acknowledged_by = viewer.user
        note.save(update_fields=["acknowledged_at", "acknowledged_by"])
        _audit_change(viewer, note, "acknowledged")
    return note


@transaction.atomic
def note_close(*, viewer, note: SafeguardingNote, outcome: str, now=None) -> SafeguardingNote:
    """Close a note with what was done (the outcome), acknowledging it if nobody had.
    Side effects: `closed_at`, `_by`, `outcome` (and the acknowledgement); one audit event
    (without the words)."""
    if not (outcome or "").strip():
        # Say so before anything else, but never to someone who may not see the note.
        _locked(viewer, note)
        raise ValidationError({"outcome": _("Say what was done")})
    note = _locked(viewer, note)
    if note.closed_at is not None:
        raise ValidationError(_("This note is already closed"))
    now = now or timezone.now()
    fields = ["closed_at", "closed_by", "outcome"]
    note.closed_at = now
    note.closed_by = viewer.user
    note.outcome = outcome.strip()
    if note.acknowledged_at is None:
        note.acknowledged_at = now
        note.acknowledged_by = viewer.user
        fields += ["acknowledged_at", "acknowledged_by"]
    note.save(update_fields=fields)
    _audit_change(viewer, note, "closed")
    return note
