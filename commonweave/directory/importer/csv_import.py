"""A plain CSV with column mapping, turned into ORUK-shaped records and imported as a feed.

The fields a council spreadsheet commonly carries can each be mapped to a column: the
cells are read into the ORUK record the feed importer checks (feed.py), so a cell that
cannot be used is dropped with a warning there. What only a spreadsheet says (a category
named but not in this place's list, a language we do not know, accessibility without an
address, a phone that is not a UK number) is a warning for that row too
(`CsvRecords.warnings`), never a rejected row.
"""

import csv
import io
import re
import uuid

from django.utils.translation import gettext as _

from ..models import TaxonomyTerm
from .csv_fields import is_free, read_languages, read_sessions, read_status
from .feed import import_oruk
from .fields import clean_id, clean_phone, is_short_phone, stable_id, uk_phone
from .report import ImportReport, Invalid

CSV_FIELDS = [
    "id",
    "name",
    "description",
    "status",
    "organization",
    "organization_url",
    "url",
    "email",
    "phone",
    "opening_hours",
    "fees",
    "eligibility",
    "minimum_age",
    "maximum_age",
    "languages",
    "accessibility",
    "address_1",
    "city",
    "postcode",
    "latitude",
    "longitude",
    "category",
]

# Other column names people give our fields, for guessing a mapping (compared with case,
# spaces and punctuation ignored: "E-mail", "e mail" and "EMAIL" are one name).
ALIASES = {
    "id": [
        "ref", "reference", "ref no", "reference number", "charity number", "charity no",
        "registered charity number", "service id", "record id", "unique id", "uid",
        "identifier",
    ],
    "name": ["title", "service name", "group name", "activity", "activity name"],
    "description": ["details", "about", "summary", "service description"],
    "status": ["active", "service status", "is active", "open or closed", "live"],
    "organization": [
        "organisation", "organisation name", "organization name", "provider",
        "provider name", "run by", "charity name",
    ],
    "organization_url": [
        "organisation website", "organization website", "organisation url",
        "organization url", "provider website", "charity website",
    ],
    "url": ["website", "web", "web address", "link", "service website", "homepage"],
    "email": ["email address", "contact email", "service email"],
    "phone": [
        "telephone", "phone number", "tel", "tel no", "telephone number", "contact number",
        "contact phone", "phone no", "contact telephone", "mobile",
    ],
    "opening_hours": [
        "opening times", "opening hours", "hours", "times", "when", "days and times",
        "session times", "schedule",
    ],
    "fees": ["cost", "costs", "price", "fee", "charge", "charges", "fees and charges"],
    "eligibility": [
        "who for", "who it is for", "eligibility description", "eligibility criteria",
        "criteria",
    ],
    "minimum_age": ["min age", "age from", "youngest", "minimum age"],
    "maximum_age": ["max age", "age to", "oldest", "maximum age"],
    "languages": ["language", "languages spoken", "spoken languages"],
    "accessibility": [
        "access", "accessibility information", "disabled access", "wheelchair access",
        "access information",
    ],
    "address_1": ["address", "address line 1", "address 1", "street", "street address"],
    "city": ["town", "town or city", "locality"],
    "postcode": ["post code", "postal code", "zip"],
    "latitude": ["lat"],
    "longitude": ["lon", "lng", "long"],
    "category": ["categories", "type", "taxonomy", "service type"],
}  # fmt: skip


class CsvRecords(list):
    """The records of a CSV, with `warnings`: (record number, id, reason, field) about
    cells that only the CSV reading could find wrong."""

    def __init__(self, *args):
        super().__init__(*args)
        self.warnings: list[tuple[int, str, str, str]] = []


def _normal(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", str(name).casefold())


def csv_headers(text: str) -> list[str]:
    """The column names in a CSV's first row (blank ones left out)."""
    first = next(csv.reader(io.StringIO(text)), [])
    return [h.strip() for h in first if h and h.strip()]


def guess_mapping(headers) -> dict:
    """Our field -> the CSV column that looks like it ("" when none does); a column is
    guessed for one field at most."""
    by_normal: dict[str, str] = {}
    for h in headers:
        by_normal.setdefault(_normal(h), h)
    mapping, used = {}, set()
    for field in CSV_FIELDS:
        names = [_normal(n) for n in [field, *ALIASES.get(field, [])]]
        found = next((by_normal[n] for n in names if n in by_normal and n not in used), "")
        if found:
            used.add(_normal(found))
        mapping[field] = found
    return mapping


def _service_key(place, raw_id: str, name: str, postcode: str) -> str:
    """The service id: a UUID as given; another id (a charity number, a reference) gives
    the stable UUID the feed importer would make from it; none, one from name and postcode."""
    if raw_id:
        try:
            return str(clean_id(raw_id))
        except Invalid:
            return str(stable_id(place.pk, "service", raw_id))
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"csv:{place.slug}:{name}:{postcode}"))


def _terms(place) -> dict:
    terms: dict[str, TaxonomyTerm] = {}
    for t in TaxonomyTerm.objects.filter(place=place):
        terms.setdefault(t.name.lower(), t)
        if t.code:
            terms.setdefault(t.code.lower(), t)
    return terms


def _attribute(term) -> dict:
    return {
        "taxonomy_term": {
            "id": str(term.id),
            "name": term.name,
            "description": term.description,
            "code": term.code,
        }
    }


def csv_to_records(text: str, mapping: dict | None = None, *, place) -> CsvRecords:
    """Rows of a plain CSV as ORUK-shaped records. `mapping` maps our field -> CSV column.

    Rows without an id get a stable one from their name and postcode, so a re-import of
    the same file updates the same entries. Rows of empty cells are left out.
    """
    mapping = {f: f for f in CSV_FIELDS} | (mapping or {})
    terms = _terms(place)
    records = CsvRecords()
    for row in csv.DictReader(io.StringIO(text)):
        if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
            continue  # a row of empty cells is not a record

        def get(name, row=row):
            column = mapping.get(name, "")
            return (row.get(column, "") or "").strip() if column else ""

        key = _service_key(place, get("id"), get("name"), get("postcode"))
        number = len(records) + 1

        def warn(reason, field, number=number, record_id=key[:64]):
            records.warnings.append((number, record_id, reason, field))

        record = {
            "id": key,
            "name": get("name"),
            "description": get("description"),
            "url": get("url"),
            "email": get("email"),
            "minimum_age": get("minimum_age"),
            "maximum_age": get("maximum_age"),
            "fees": "Free" if get("fees") and is_free(get("fees")) else get("fees"),
            "eligibility_description": get("eligibility"),
        }
        if get("status"):
            status = read_status(get("status"))
            record["status"] = str(status) if status else get("status")  # feed.py warns
        _contact(record, key, get("phone"), warn)
        _schedule(record, key, get("opening_hours"))
        _languages(record, get("languages"), warn)
        if get("organization"):
            record["organization"] = {
                "id": str(
                    uuid.uuid5(uuid.NAMESPACE_URL, f"csv-org:{place.slug}:{get('organization')}")
                ),
                "name": get("organization"),
                "description": "",
                "website": get("organization_url"),
            }
        elif get("organization_url"):
            warn(_("organisation website without an organisation name was left out"),
                 "organization website")  # fmt: skip
        _location(record, key, get, warn)
        attributes: list[dict] = []
        for name in filter(None, (n.strip() for n in re.split(r"[,;|]", get("category")))):
            term = terms.get(name.lower())
            if term is None:
                warn(_("a category is not in this place's list: it was left out"), "category")
            elif all(a["taxonomy_term"]["id"] != str(term.id) for a in attributes):
                attributes.append(_attribute(term))
        if attributes:
            record["attributes"] = attributes
        records.append(record)
    return records


def _contact(record, key, phone, warn):
    """The phone as the service's contact. A UK number is stored in its national format
    (fields.clean_phone); anything else is kept as typed, with a warning on the row."""
    if not phone:
        return
    kept = clean_phone(phone)
    if kept and uk_phone(kept) is None and not is_short_phone(kept):
        warn(_("phone is not a UK phone number we could read: it was kept as written"), "phone")
    record["contacts"] = [
        {
            "id": str(uuid.uuid5(uuid.UUID(key), "csv-contact")),
            "name": "",
            "phones": [{"number": phone}],
        }
    ]


def _schedule(record, key, hours):
    """Opening hours in words as a schedule's description, with its days and times too
    when they are clearly weekly sessions: "Mon-Fri 9am-5pm" is one schedule, "Mon 9-12,
    Wed 1-4pm" two, each with its own words. Anything less clear stays in words only,
    without a warning (it is still shown as written)."""
    if not hours:
        return
    base = uuid.UUID(key)
    sessions = read_sessions(hours)
    if not sessions:
        record["schedules"] = [{"id": str(uuid.uuid5(base, "csv-schedule")), "description": hours}]
        return
    record["schedules"] = [
        {
            # The first keeps the id a one-session cell always had, so re-imports match.
            "id": str(uuid.uuid5(base, "csv-schedule" if n == 0 else f"csv-schedule-{n}")),
            "description": hours if len(sessions) == 1 else session["text"],
            "freq": "WEEKLY",
            "byday": session["byday"],
            "opens_at": session["opens_at"],
            "closes_at": session["closes_at"],
        }
        for n, session in enumerate(sessions)
    ]


def _languages(record, cell, warn):
    if not cell:
        return
    codes, unknown = read_languages(cell)
    if unknown:
        warn(_("a language was not recognised: it was left out"), "languages")
    if codes:
        record["languages"] = [{"code": code} for code in codes]


def _location(record, key, get, warn):
    if not (get("address_1") or get("postcode") or get("latitude") or get("longitude")):
        if get("accessibility"):
            warn(_("accessibility without an address was left out"), "accessibility")
        return
    loc_id = uuid.uuid5(uuid.NAMESPACE_URL, f"csv-loc:{key}")
    location = {
        "id": str(loc_id),
        "location_type": "physical",
        "latitude": get("latitude"),
        "longitude": get("longitude"),
        "addresses": [
            {
                "address_1": get("address_1"),
                "city": get("city"),
                "postal_code": get("postcode"),
                "country": "GB",
            }
        ],
    }
    if get("accessibility"):
        location["accessibility"] = [
            {
                "id": str(uuid.uuid5(loc_id, "csv-accessibility")),
                "description": get("accessibility"),
            }
        ]
    record["service_at_locations"] = [{"id": str(uuid.uuid5(loc_id, "sal")), "location": location}]


def add_row_warnings(report: ImportReport, records) -> None:
    """Add the CSV's own warnings to the report of importing its records (those of rows
    that were rejected are left out, as the feed importer leaves out theirs)."""
    rejected = {e[0] for e in report.errors}
    warned = {w[0] for w in report.warnings}
    for number, record_id, reason, field in getattr(records, "warnings", []):
        if number in rejected:
            continue
        if number not in warned:
            report.stored_with_warnings += 1
            warned.add(number)
        report.warn(number, record_id, reason, field)


def import_csv(
    place,
    text: str,
    mapping=None,
    *,
    viewer=None,
    on_progress=None,
    complete=False,
    source_key="",
) -> ImportReport:
    """Import a CSV: a file of additions or changes (partial) unless `complete` says it is
    the whole of the source `source_key`."""
    records = csv_to_records(text, mapping, place=place)
    report = import_oruk(
        place,
        records,
        viewer=viewer,
        on_progress=on_progress,
        complete=complete,
        source_key=source_key,
    )
    add_row_warnings(report, records)
    return report
