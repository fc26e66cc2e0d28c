"""The message back to the GP and referrer: the journey as the PRSB Social Prescribing
standard's sections (prsb.py), plus its coded events (codes.py).

Built only for the holding organisation's caseworkers (full access), who file or send it.
Data minimisation: the person's name, date of birth and NHS number identify them to the
GP; their address and contact details are left out (the practice holds them). "Codes
only" leaves out every element whose PRSB type is narrative free text (and every "free
text" and "comment"), so no words anyone wrote leave with it: what is left is codes,
dates, identifiers, names and numbers.
"""

from dataclasses import dataclass, field
from datetime import date

from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from jsonschema import Draft202012Validator, FormatChecker

from commonweave.directory.models import ServiceReferral
from commonweave.people.enums import ConnectionKind, ConnectionStatus, ReferrerKind
from commonweave.wellbeing.selectors import resident_picture

from . import prsb
from .codes import coded_events, declined
from .models import GPRegistration


@dataclass
class MessageBack:
    data: dict
    problems: list = field(default_factory=list)  # what stops it being a valid message

    @property
    def valid(self) -> bool:
        return not self.problems


def _names(full_name: str) -> tuple[list[str], list[str]]:
    """PRSB wants first names (middle names included) and a family name."""
    words = full_name.split()
    if len(words) < 2:
        return words, words
    return [" ".join(words[:-1])[:35]], [words[-1][:35]]


def _demographics(resident, gp: GPRegistration | None) -> dict:
    first, family = _names(resident.full_name)
    person: dict = {"person_name": {"person_first_name": first, "person_family_name": family}}
    if resident.preferred_name:
        person["person_name"]["person_preferred_name"] = resident.preferred_name[:70]
    if resident.date_of_birth:
        person["date_of_birth"] = resident.date_of_birth.isoformat()
    if gp and gp.nhs_number:
        person["nhs_number"] = gp.nhs_number.replace(" ", "")
    return person


def _gp_practice(gp: GPRegistration | None) -> dict:
    if gp is None:
        return {}
    entry = {"gp_practice_identifier": gp.practice_code}
    if gp.gp_name:
        entry["gp_name"] = gp.gp_name
    if gp.practice_name:
        entry["gp_practice_details"] = gp.practice_name
    return {"gp_practice_record_entry": [entry]}


def _referrer_name(referral) -> str:
    if referral.referrer_name:
        return referral.referrer_name[:70]
    if referral.referring_organisation_id:
        return referral.referring_organisation.name[:70]
    return str(ReferrerKind(referral.referrer_kind).label)[:70]


def _referral_entry(referral, resident) -> dict:
    organisation = {}
    if referral.referring_organisation_id:
        organisation["free_text"] = referral.referring_organisation.name[:150]
    return {
        "date": referral.received_at.isoformat(timespec="minutes"),
        "referrer_details": {
            "name": _referrer_name(referral),
            "service": {"free_text": str(ReferrerKind(referral.referrer_kind).label)},
            "organisation": organisation,
            "contact_details": (referral.referrer_contact or _("Not given"))[:70],
        },
        "referral_method": str(referral.get_front_door_display()),
        "reason_for_referral": {"free_text": referral.reason[:150]},
        "referral_to": {
            "service": {"free_text": _("Social prescribing (connection catalyst)")},
            "organisation": {"free_text": resident.organisation.name[:150]},
        },
    }


def _signposts(resident) -> list[dict]:
    entries = []
    for connection in resident.connections.exclude(status=ConnectionStatus.SUGGESTED):
        to = {"service": {"coded_value": connection.kind}}
        if connection.kind != ConnectionKind.PERSON:  # a person's name is theirs, not ours
            to["service"]["free_text"] = connection.name[:150]
        entries.append({"date": connection.made_on.isoformat(), "signpost_to": to})
    referrals = ServiceReferral.objects.filter(resident=resident).select_related(
        "service", "to_organisation"
    )
    for referral in referrals.order_by("sent_at"):
        entries.append(
            {
                "date": referral.sent_at.date().isoformat(),
                "signpost_to": {
                    # The directory entry's Open Referral id: a code a partner system knows.
                    "service": {
                        "coded_value": str(referral.service_id),
                        "free_text": referral.service.name[:150],
                    },
                    "organisation": {"free_text": referral.to_organisation.name[:150]},
                },
                "reason_for_signpost": {"free_text": referral.reason[:150]},
            }
        )
    return sorted(entries, key=lambda e: e["date"])


def _assessments(viewer, resident) -> list[dict]:
    entries = []
    for row in resident_picture(viewer, resident).measures:
        readings = [("first", row.first, row.first_on), ("latest", row.latest, row.latest_on)]
        if row.first_on == row.latest_on:
            readings = readings[1:]
        for which, value, on in readings:
            words = _("First check-in") if which == "first" else _("Latest check-in")
            entries.append(
                {
                    "assessment_type": f"{row.instrument}: {row.label}"[:150],
                    "structured_assessment": {
                        "structured_assessment_name": {
                            "coded_value": f"{row.instrument}/{row.metric}",
                            "free_text": str(row.label)[:150],
                        },
                        "assessment_result": {"value": value["value"]},
                    },
                    "comment": f"{words}, {on.isoformat()}",
                }
            )
    return entries


def _plan(resident) -> list[dict]:
    return [
        {"actions_for_person_or_their_carer": goal.text}
        for goal in resident.goals.all()
        if goal.text.strip()
    ]


def build(viewer, resident, *, codes_only: bool = False) -> MessageBack:
    """The message back for a resident the viewer has opened with full access."""
    gp = GPRegistration.objects.filter(resident=resident).first()
    referrals = list(
        resident.referrals.select_related("referring_organisation").order_by("received_at")
    )
    events = coded_events(resident, referrals)
    data: dict = {
        "person_demographics": _demographics(resident, gp),
        "gp_practice": _gp_practice(gp),
        "referral_details": {
            "referral_details_record_entry": [_referral_entry(r, resident) for r in referrals]
        },
    }
    # A declined episode carries the declined code and no activities.
    if not declined(events):
        if signposts := _signposts(resident):
            data["signpost_details"] = {"signpost_details_record_entry": signposts}
        if assessments := _assessments(viewer, resident):
            data["assessments"] = {"assessments_record_entry": assessments}
        if plan := _plan(resident):
            data["plan_and_requested_actions"] = {"plan_and_requested_actions_record_entry": plan}
    data["coded_events"] = [event.as_json() for event in events]
    data["closure_reason"] = (
        {"code": resident.closed_reason, "display": str(resident.get_closed_reason_display())}
        if resident.closed_at and resident.closed_reason
        else None
    )
    data["codes_only"] = codes_only
    schema = prsb.message_back_schema()
    if codes_only:
        data = _without_free_text(data, schema)
    return MessageBack(data, problems(data, schema))


def _without_free_text(value, schema):
    """The value with every free-text element taken out (by the schema's PRSB types);
    groups left empty by that are dropped unless the standard requires them."""
    if isinstance(value, list):
        items = schema.get("items", {})
        kept = [_without_free_text(v, items) for v in value]
        return [v for v in kept if v not in ({}, None)]
    if not isinstance(value, dict) or "properties" not in schema:
        return value
    required = set(schema.get("required", ()))
    out = {}
    for key, child in value.items():
        child_schema = schema["properties"].get(key, {})
        if prsb.is_free_text(child_schema.get("items", child_schema), key):
            continue
        kept = _without_free_text(child, child_schema)
        if kept in ({}, []) and key not in required:
            continue
        out[key] = kept
    return out


# What a worker can do about the usual gaps, by where the schema found them.
MISSING = {
    ("person_demographics", "date_of_birth"): _lazy("Add their date of birth"),
    ("gp_practice", "gp_practice_record_entry"): _lazy("Add their GP practice code"),
    ("referral_details", "referral_details_record_entry"): _lazy("Add the referral"),
}


def _where(error) -> tuple[str, ...]:
    path = tuple(p for p in error.absolute_path if not isinstance(p, int))
    if error.validator == "required" and "'" in error.message:
        path = (*path, error.message.split("'")[1])
    return path


def problems(data, schema) -> list[str]:
    """What makes the message invalid under the derived schema, in words a worker can act
    on: usually a missing date of birth or GP practice code."""
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    found = []
    for error in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path)):
        where = _where(error)
        if where in MISSING:
            found.append(str(MISSING[where]))
            continue
        words = " / ".join(p.replace("_", " ") for p in where) or _("the message")
        if error.validator == "required":
            found.append(_("%(where)s is missing") % {"where": words.capitalize()})
        else:
            found.append(
                _("%(where)s is not valid: %(why)s")
                % {"where": words.capitalize(), "why": error.message}
            )
    return found


def _get(value, *path, default=""):
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return default
        value = value[key]
    return value


def _text(service: dict) -> str:
    code = service.get("coded_value") or ""
    if code in ConnectionKind.values:
        code = str(ConnectionKind(code).label)
    return service.get("free_text") or code


def _day(iso: str) -> str:
    """ "2026-03-07" (or a date and time) as "7 March 2026"."""
    try:
        return date_format(date.fromisoformat(iso[:10]), "j F Y")
    except ValueError:
        return iso


def readable(data: dict) -> list[dict]:
    """The message as a person reads it, for the page and the PDF: headed sections, each
    with rows (label, value) and/or a table (head, rows). Built from the message itself,
    so "codes only" shows exactly what it carries."""
    person = data.get("person_demographics", {})
    name = " ".join(
        [*_get(person, "person_name", "person_first_name", default=[]),
         *_get(person, "person_name", "person_family_name", default=[])]
    )  # fmt: skip
    sections = [
        {
            "title": _("The person"),
            "rows": [
                (_("Name"), name),
                (_("Date of birth"), _day(person.get("date_of_birth", ""))),
                (_("NHS number"), person.get("nhs_number", "")),
            ],
        }
    ]
    practice = (_get(data, "gp_practice", "gp_practice_record_entry", default=[]) or [{}])[0]
    sections.append(
        {
            "title": _("GP practice"),
            "rows": [
                (_("Practice code (ODS)"), practice.get("gp_practice_identifier", "")),
                (_("Practice"), practice.get("gp_practice_details", "")),
                (_("GP"), practice.get("gp_name", "")),
            ],
        }
    )
    referrals = _get(data, "referral_details", "referral_details_record_entry", default=[])
    sections.append(
        {
            "title": _("Referrals"),
            "head": [_("Date"), _("Referred by"), _("Reason")],
            "table": [
                (
                    _day(r.get("date", "")),
                    _get(r, "referrer_details", "name"),
                    _get(r, "reason_for_referral", "free_text"),
                )
                for r in referrals
            ],
        }
    )
    signposts = _get(data, "signpost_details", "signpost_details_record_entry", default=[])
    sections.append(
        {
            "title": _("Activities they were connected to"),
            "head": [_("Date"), _("Activity")],
            "table": [
                (_day(s.get("date", "")), _text(_get(s, "signpost_to", "service", default={})))
                for s in signposts
            ],
        }
    )
    sections.append(_measures(data))
    goals = _get(data, "plan_and_requested_actions", "plan_and_requested_actions_record_entry",
                 default=[])  # fmt: skip
    sections.append(
        {
            "title": _("Their goals"),
            "head": [_("Goal")],
            "table": [(g.get("actions_for_person_or_their_carer", ""),) for g in goals],
        }
    )
    sections.append(
        {
            "title": _("Coded events (SNOMED CT)"),
            "head": [_("Date"), _("Code"), _("Meaning")],
            "table": [
                (_day(e["date"]), e["code"], e["display"]) for e in data.get("coded_events", [])
            ],
        }
    )
    if reason := data.get("closure_reason"):
        sections.append(
            {
                "title": _("Why the work ended"),
                "rows": [(_("Reason"), reason.get("display") or reason["code"])],
            }
        )
    for section in sections:
        section["rows"] = [(label, value) for label, value in section.get("rows", []) if value]
    return sections


def _measures(data: dict) -> dict:
    """Each measure's first and latest score side by side."""
    rows: dict[str, list] = {}
    for entry in _get(data, "assessments", "assessments_record_entry", default=[]):
        structured = entry.get("structured_assessment", {})
        code = _get(structured, "structured_assessment_name", "coded_value")
        label = entry.get("assessment_type") or code
        value = _get(structured, "assessment_result", "value")
        when = entry.get("comment", "").rsplit(", ", 1)[-1] if entry.get("comment") else ""
        rows.setdefault(code, [label]).append(f"{value} ({_day(when)})" if when else str(value))
    return {
        "title": _("Wellbeing measures"),
        "head": [_("Measure"), _("First"), _("Latest")],
        "table": [(row[0], row[1], row[2] if len(row) > 2 else row[1]) for row in rows.values()],
    }
