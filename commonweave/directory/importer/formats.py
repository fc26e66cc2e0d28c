"""The other shapes a council's data comes in, turned into the ORUK 3.0 records the feed
importer reads, and the check that refuses a wrong file at upload.

    ORUK v1 JSON       eligibilitys, service_taxonomys, regular_schedules, languages as
                       {"language"} and locations' physical_addresses, renamed (from_v1)
    HSDS datapackage   a .zip with datapackage.json and its CSV tables (services.csv,
                       organizations.csv, locations.csv, service_at_location(s).csv,
                       addresses.csv, phones.csv, contacts.csv, schedules.csv, ...) joined
                       into nested service records (datapackage_records)
    GeoJSON            a FeatureCollection of Points: each feature a service with one
                       location (geojson_records)
    sniffing           what a file looks like, by its content (refusal), and the checks
                       at upload (upload_refusal: JSON parsed, a datapackage's manifest
                       and services table found, a CSV decoded) for the import form,
                       which the staff API uses too

Everything here is pure: bytes or parsed JSON in, records (and notes for the report) out.
"""

import csv
import io
import json
import re
import uuid
import zipfile
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .feed import records_in
from .fields import clean_number
from .report import Invalid
from .sources import MAX_FEED_BYTES, decode_csv, parse_json

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, .doc: old Office files
PDF_MAGIC = b"%PDF"
# Other files that are sometimes uploaded by mistake, by their first bytes.
IMAGE_MAGIC = {
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"GIF87a": "GIF",
    b"GIF89a": "GIF",
}
GZIP_MAGIC = b"\x1f\x8b"
WEEKDAYS = {
    "monday": "MO",
    "tuesday": "TU",
    "wednesday": "WE",
    "thursday": "TH",
    "friday": "FR",
    "saturday": "SA",
    "sunday": "SU",
}


@dataclass
class Converted:
    """The records read from a file, and what the report should say about reading it."""

    records: list
    notes: list = field(default_factory=list)  # warnings for the whole file (str)
    truncated: bool = False  # not the whole feed: nothing may be retired


# --- sniffing ------------------------------------------------------------------------------


def _zip_names(raw: bytes) -> list[str] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None


def is_datapackage(raw: bytes) -> bool:
    names = _zip_names(raw) if raw.startswith(ZIP_MAGIC) else None
    return bool(names) and _datapackage_name(names or []) is not None


def _datapackage_name(names) -> str | None:
    found = [n for n in names if n.rsplit("/", 1)[-1] == "datapackage.json"]
    return min(found, key=len) if found else None


def refusal(raw: bytes) -> str | None:
    """What is wrong with the file, judged by its content (None: it may be data we read).

    A datapackage .zip, JSON and text are let through here (their own checks follow);
    spreadsheets, documents, PDFs and other archives are refused saying what they are."""
    save_csv = _("Save it as CSV (UTF-8) and upload that.")
    data_itself = _(
        "Upload the data itself: a CSV file, an Open Referral UK JSON file, a GeoJSON file "
        "or an HSDS datapackage (.zip)."
    )
    if raw.startswith(PDF_MAGIC):
        return _("This is a PDF.") + " " + data_itself
    for magic, kind in IMAGE_MAGIC.items():
        if raw.startswith(magic):
            return _("This is a %(kind)s image.") % {"kind": kind} + " " + data_itself
    if raw.startswith(GZIP_MAGIC):
        return _("This is a compressed (.gz) file.") + " " + data_itself
    if raw.startswith(OLE2_MAGIC):
        return _("This looks like an older Excel workbook (.xls).") + " " + save_csv
    if raw.startswith(ZIP_MAGIC):
        names = _zip_names(raw)
        if names is None:
            return _("This .zip file could not be opened.")
        if _datapackage_name(names) is not None:
            return None
        if any(n.startswith("xl/") for n in names):
            return _("This looks like an Excel workbook (.xlsx).") + " " + save_csv
        if any(n.startswith("word/") for n in names):
            return _("This looks like a Word document (.docx). Upload the data as a CSV file.")
        if "mimetype" in names or "content.xml" in names:
            return _("This looks like a spreadsheet or document (.ods).") + " " + save_csv
        return _(
            "This .zip file has no datapackage.json. Upload an HSDS datapackage (a .zip "
            "with datapackage.json and its CSV files), or the CSV file itself."
        )
    return None


def json_refusal(data) -> str | None:
    """Why parsed JSON is not something we import (None when it is)."""
    if isinstance(data, list):
        if all(isinstance(item, dict) for item in data):
            return None
    elif isinstance(data, dict):
        if isinstance(data.get("resources"), list) and not isinstance(data.get("services"), list):
            return _(
                "This is a datapackage.json on its own. Upload the .zip that holds it with its "
                "CSV files."
            )
        if data.get("type") == "FeatureCollection" and isinstance(data.get("features"), list):
            return None
        if data.get("type") == "Feature":
            return None
        if isinstance(data.get("contents"), list) or isinstance(data.get("services"), list):
            return None
        if data.get("name") or data.get("id"):
            return None  # one service
    return _("This JSON is not a list of services or an ORUK page.")


# --- JSON: ORUK 3.0, ORUK v1, GeoJSON -------------------------------------------------------


def is_geojson(data) -> bool:
    return isinstance(data, dict) and data.get("type") in ("FeatureCollection", "Feature")


def json_records(data, *, salt: str) -> Converted:
    """The ORUK 3.0 records in parsed JSON: a feed (3.0 or v1) or GeoJSON points."""
    if is_geojson(data):
        return geojson_records(data, salt=salt)
    records = records_in(data)
    converted = [from_v1(r) if isinstance(r, dict) else r for r in records]
    notes = []
    if any(c is not r for c, r in zip(converted, records, strict=True)):
        notes.append(_("read as an Open Referral UK version 1 feed"))
    return Converted(converted, notes)


def _dicts(value) -> list[dict]:
    """The JSON objects in a list (none when it is not a list)."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _weekday(value) -> str:
    text = str(value or "").strip()
    return WEEKDAYS.get(text.lower(), text.upper()[:2] if text else "")


def from_v1(record: dict) -> dict:
    """An ORUK v1 service record in the 3.0 shape (the same dict when it has no v1 keys).

    v1 names its lists with an "s" on the singular (eligibilitys, service_taxonomys,
    regular_schedules), keeps ages in eligibilitys, categories as service_taxonomys[].taxonomy,
    languages as {"language"} and addresses as a location's physical_addresses."""
    v1_keys = ("eligibilitys", "service_taxonomys", "regular_schedules", "fundings")
    locations = [
        sal["location"]
        for sal in _dicts(record.get("service_at_locations"))
        if isinstance(sal.get("location"), dict)
    ]
    has_v1_location = any("physical_addresses" in loc for loc in locations)
    has_v1_language = any("language" in lang for lang in _dicts(record.get("languages")))
    if not (any(k in record for k in v1_keys) or has_v1_location or has_v1_language):
        return record
    out = {k: v for k, v in record.items() if k not in v1_keys}
    eligibility = _dicts(record.get("eligibilitys"))
    if eligibility:
        first = eligibility[0]
        for age in ("minimum_age", "maximum_age"):
            if out.get(age) in (None, "") and first.get(age) not in (None, ""):
                out[age] = first[age]
        texts = [str(e.get("eligibility") or "").strip() for e in eligibility]
        if not out.get("eligibility_description") and any(texts):
            out["eligibility_description"] = "; ".join(t for t in texts if t)
    terms = [
        st["taxonomy"]
        for st in _dicts(record.get("service_taxonomys"))
        if isinstance(st.get("taxonomy"), dict)
    ]
    if terms:
        out["attributes"] = _dicts(out.get("attributes")) + [
            {
                "taxonomy_term": {
                    "id": t.get("id"),
                    "name": t.get("name"),
                    "description": t.get("description") or "",
                    "code": t.get("code") or "",
                }
            }
            for t in terms
        ]
    schedules = _dicts(record.get("regular_schedules"))
    if schedules:
        out["schedules"] = _dicts(out.get("schedules")) + [
            {
                "id": s.get("id"),
                "freq": str(s.get("freq") or "WEEKLY").upper(),
                "byday": s.get("byday") or _weekday(s.get("weekday")),
                "opens_at": s.get("opens_at"),
                "closes_at": s.get("closes_at"),
                "description": s.get("description") or "",
            }
            for s in schedules
        ]
    if has_v1_language:
        out["languages"] = [
            {"name": lang.get("language"), **lang} for lang in _dicts(record.get("languages"))
        ]
    if has_v1_location:
        sals = []
        for sal in _dicts(record.get("service_at_locations")):
            loc = sal.get("location")
            if isinstance(loc, dict) and "physical_addresses" in loc:
                addresses = _dicts(loc["physical_addresses"])
                loc = {k: v for k, v in loc.items() if k != "physical_addresses"}
                sal = {**sal, "location": {**loc, "addresses": addresses}}
            sals.append(sal)
        out["service_at_locations"] = sals
    return out


def _first(props: dict, *names) -> str:
    for name in names:
        value = props.get(name)
        if value not in (None, "") and not isinstance(value, dict | list):
            return str(value).strip()
    return ""


def geojson_records(data, *, salt: str) -> Converted:
    """Each Point feature of a FeatureCollection as a service with one location."""
    features = data.get("features") if data.get("type") == "FeatureCollection" else [data]
    records, skipped = [], 0
    for feature in features if isinstance(features, list) else []:
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        coords = geometry.get("coordinates") if isinstance(geometry, dict) else None
        if not (
            isinstance(geometry, dict)
            and geometry.get("type") == "Point"
            and isinstance(coords, list)
            and len(coords) >= 2
        ):
            skipped += 1
            continue
        props = feature.get("properties") or {}
        props = props if isinstance(props, dict) else {}
        lon, lat = coords[0], coords[1]
        name = _first(props, "name", "title", "Name")
        key = _first(props, "id") or (str(feature["id"]) if feature.get("id") else "")
        key = key or str(uuid.uuid5(uuid.NAMESPACE_URL, f"geojson:{salt}:{name}:{lat}:{lon}"))
        base = uuid.uuid5(uuid.NAMESPACE_URL, f"geojson-loc:{salt}:{key}")
        record = {
            "id": key,
            "name": name,
            "description": _first(props, "description", "details", "summary"),
            "url": _first(props, "url", "website", "web"),
            "email": _first(props, "email", "e-mail"),
            "service_at_locations": [
                {
                    "id": str(uuid.uuid5(base, "sal")),
                    "location": {
                        "id": str(base),
                        "name": _first(props, "location_name", "venue"),
                        "location_type": "physical",
                        "latitude": lat,
                        "longitude": lon,
                        "addresses": [
                            {
                                "address_1": _first(props, "address", "address_1", "street"),
                                "city": _first(props, "city", "town"),
                                "postal_code": _first(props, "postcode", "postal_code", "zip"),
                                "country": "GB",
                            }
                        ],
                    },
                }
            ],
        }
        phone = _first(props, "phone", "telephone", "tel")
        if phone:
            record["contacts"] = [
                {"id": str(uuid.uuid5(base, "contact")), "phones": [{"number": phone}]}
            ]
        records.append(record)
    notes = [_("read as GeoJSON: each point is a service with one location")]
    if skipped:
        notes.append(
            _("%(count)d features were left out: only points are read") % {"count": skipped}
        )
    return Converted(records, notes)


# --- HSDS tabular datapackage ----------------------------------------------------------------

# Table name (datapackage resource name, or file name without .csv) -> our name for it.
TABLES = {
    "service": "services",
    "services": "services",
    "organization": "organizations",
    "organizations": "organizations",
    "location": "locations",
    "locations": "locations",
    "service_at_location": "service_at_locations",
    "service_at_locations": "service_at_locations",
    "address": "addresses",
    "addresses": "addresses",
    "phone": "phones",
    "phones": "phones",
    "contact": "contacts",
    "contacts": "contacts",
    "schedule": "schedules",
    "schedules": "schedules",
    "cost_option": "cost_options",
    "cost_options": "cost_options",
    "language": "languages",
    "languages": "languages",
    "attribute": "attributes",
    "attributes": "attributes",
    "taxonomy_term": "taxonomy_terms",
    "taxonomy_terms": "taxonomy_terms",
}


def _clean_row(row: dict) -> dict:
    return {
        (k or "").strip(): v.strip()
        for k, v in row.items()
        if k and isinstance(v, str) and v.strip()
    }


def _package_paths(archive) -> tuple[str, dict]:
    """The folder of a datapackage's manifest, and our table name -> its path in the
    archive (Invalid when it has no manifest, too much inside, or no services table)."""
    names = archive.namelist()
    manifest = _datapackage_name(names)
    if manifest is None:
        raise Invalid(_("the .zip file has no datapackage.json"))
    folder = manifest[: -len("datapackage.json")]
    if sum(i.file_size for i in archive.infolist()) > MAX_FEED_BYTES:
        raise Invalid(_("the datapackage is too large when unpacked"))
    try:
        package = json.loads(archive.read(manifest).decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, zipfile.BadZipFile):
        raise Invalid(_("the datapackage.json is not JSON")) from None
    paths: dict[str, str] = {}
    resources = package.get("resources") if isinstance(package, dict) else None
    for resource in resources if isinstance(resources, list) else []:
        if not isinstance(resource, dict) or not isinstance(resource.get("path"), str):
            continue
        name = TABLES.get(str(resource.get("name") or ""))
        stem = resource["path"].rsplit("/", 1)[-1].removesuffix(".csv")
        name = name or TABLES.get(stem)
        if name:
            paths.setdefault(name, folder + resource["path"].lstrip("./"))
    for path in names:  # tables the manifest does not list, by their usual file names
        if path.startswith(folder) and path.endswith(".csv"):
            stem = path[len(folder) :].removesuffix(".csv")
            if stem in TABLES:
                paths.setdefault(TABLES[stem], path)
    paths = {name: path for name, path in paths.items() if path in names}
    if "services" not in paths:
        raise Invalid(_("the datapackage has no services.csv"))
    return folder, paths


def datapackage_refusal(raw: bytes) -> str | None:
    """Why a datapackage .zip cannot be imported, found without reading its tables: its
    manifest, its size unpacked and its services table are checked (None when they pass)."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            _package_paths(archive)
    except Invalid as exc:  # before ValueError, which it is
        return _("This is a datapackage (.zip) we cannot read: %(why)s.") % {"why": exc}
    except (zipfile.BadZipFile, OSError, ValueError):
        return _("This .zip file could not be opened.")
    return None


def _read_tables(raw: bytes) -> tuple[dict, list]:
    """Our table name -> its rows, read from the datapackage's CSV files."""
    notes: list = []
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise Invalid(_("the .zip file could not be opened")) from None
    with archive:
        folder, paths = _package_paths(archive)
        tables = {}
        for name, path in paths.items():
            text, encoding = decode_csv(archive.read(path))
            if encoding:
                notes.append(
                    _("%(file)s was read as %(encoding)s")
                    % {"file": path[len(folder) :], "encoding": encoding}
                )
            tables[name] = [_clean_row(r) for r in csv.DictReader(io.StringIO(text))]
    return tables, notes


def _by(rows, key) -> dict:
    grouped: dict = {}
    for row in rows:
        if row.get(key):
            grouped.setdefault(row[key], []).append(row)
    return grouped


def _cost(row: dict) -> dict:
    """A cost option row with its amount as a number, as in JSON (a CSV cell is text)."""
    amount = clean_number(row.get("amount", "").replace("£", "").replace(",", ""))
    return row if amount is None else {**row, "amount": amount}


def datapackage_records(raw: bytes) -> Converted:
    """The services of an HSDS tabular datapackage (.zip), each joined with its
    organisation, locations (with addresses), contacts and phones, schedules, costs,
    languages and categories, as nested ORUK 3.0 records."""
    tables, notes = _read_tables(raw)
    organizations = {o["id"]: o for o in tables.get("organizations", []) if o.get("id")}
    addresses = _by(tables.get("addresses", []), "location_id")
    locations = {
        loc["id"]: {**loc, "addresses": addresses.get(loc["id"], [])}
        for loc in tables.get("locations", [])
        if loc.get("id")
    }
    sals = _by(tables.get("service_at_locations", []), "service_id")
    phones = tables.get("phones", [])
    phones_of_contact = _by(phones, "contact_id")
    phones_of_service = _by([p for p in phones if not p.get("contact_id")], "service_id")
    contacts = _by(tables.get("contacts", []), "service_id")
    schedules = _by(tables.get("schedules", []), "service_id")
    costs = _by(tables.get("cost_options", []), "service_id")
    languages = _by(tables.get("languages", []), "service_id")
    terms = {t["id"]: t for t in tables.get("taxonomy_terms", []) if t.get("id")}
    # An attribute may be linked to another table (an organisation, a location): only a
    # service's are categories here. HSDS names the table in link_entity or link_type.
    attributes = _by(
        [
            a
            for a in tables.get("attributes", [])
            if (a.get("link_entity") or a.get("link_type") or "service").lower() == "service"
        ],
        "link_id",
    )
    records = []
    for service in tables["services"]:
        sid = service.get("id", "")
        record = dict(service)
        if not record.get("fees") and record.get("fees_description"):
            record["fees"] = record["fees_description"]  # HSDS 3.0's name for the cost
        org = organizations.get(service.get("organization_id", ""))
        if org:
            record["organization"] = org
        record["service_at_locations"] = [
            {**sal, "location": locations[sal["location_id"]]}
            for sal in sals.get(sid, [])
            if sal.get("location_id") in locations
        ]
        record["contacts"] = [
            {**c, "phones": phones_of_contact.get(c.get("id", ""), [])}
            for c in contacts.get(sid, [])
        ]
        if phones_of_service.get(sid):
            record["contacts"].append({"phones": phones_of_service[sid]})
        record["schedules"] = schedules.get(sid, [])
        record["cost_options"] = [_cost(c) for c in costs.get(sid, [])]
        record["languages"] = languages.get(sid, [])
        record["attributes"] = [
            {**a, "taxonomy_term": terms[a["taxonomy_term_id"]]}
            for a in attributes.get(sid, [])
            if a.get("taxonomy_term_id") in terms
        ]
        records.append(record)
    notes.insert(0, _("read as an HSDS datapackage"))
    return Converted(records, notes)


# --- any of them ---------------------------------------------------------------------------


def file_records(raw: bytes, *, salt: str) -> Converted:
    """The records in a JSON file (ORUK 3.0 or v1, or GeoJSON) or a datapackage .zip."""
    if raw.startswith(ZIP_MAGIC):
        return datapackage_records(raw)
    why = refusal(raw)
    if why:
        raise Invalid(why)
    return json_records(parse_json(raw), salt=salt)


def _expected(source) -> str:
    """What the upload form asks for, said after what a refused file looks like."""
    if source == "csv":
        return _("Expected a CSV file with a header row (UTF-8, or Excel's Windows-1252).")
    return _(
        "Expected an Open Referral UK JSON file (version 3.0 or 1), a GeoJSON file or an "
        "HSDS datapackage (.zip)."
    )


# The start of a JSON object or list of objects, for a JSON file uploaded as a CSV.
JSON_START = re.compile(r'\s*(?:\{\s*"|\[\s*[{\]])')


def parse_upload_json(raw: bytes) -> tuple[object, str | None]:
    """(the parsed JSON, None), or (None, why it does not parse) in words: cut short (a
    download or a copy that stopped early), broken at a line and column, or not UTF-8.
    The whole file is parsed once: within the upload limit that is quick, and it is the
    only way to know."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, _("The file is not UTF-8 text, so it cannot be JSON. Save it as UTF-8.")
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        if exc.pos >= len(text.rstrip()):
            return None, _(
                "This JSON file is cut short: it ends at line %(line)d before the data is "
                "complete. Upload the whole file."
            ) % {"line": exc.lineno}
        return None, _(
            "This file starts like JSON but is broken at line %(line)d, column %(column)d."
        ) % {"line": exc.lineno, "column": exc.colno}
    except RecursionError:
        return None, _("This JSON file is nested too deeply to read.")


def upload_refusal(raw: bytes, name: str, source: str) -> str | None:
    """Why an uploaded file cannot be imported as `source` ("oruk_json" for a data file,
    "csv"), judged by its content and then its name; None when it may be imported. The
    import form runs this, for the import page and the staff API alike, so a wrong or
    broken file is refused before anything is stored: JSON is parsed, a datapackage's
    manifest and services table are looked for, a CSV is decoded. Each refusal says what
    the file looks like and what was expected."""
    if not raw or raw.isspace():
        return _("The file is empty.") + " " + _expected(source)
    why = refusal(raw)
    if why:
        return why
    lower = (name or "").lower()
    if raw.startswith(ZIP_MAGIC):  # a datapackage (refusal let it through)
        if source == "csv":
            return _(
                "This is an HSDS datapackage (.zip): choose the Open Referral UK (HSDS) file "
                "option to import it."
            )
        return datapackage_refusal(raw)
    if source == "csv":
        return _csv_refusal(raw, lower)
    if not lower.endswith((".json", ".geojson")):
        return _("The file must be a .json file, a .geojson file or a datapackage .zip")
    head = raw[:2048].decode("utf-8-sig", errors="ignore").lstrip()
    if not head.startswith(("{", "[")):
        if head.startswith("<"):
            return (
                _("The file is not JSON: it looks like a web page (HTML)")
                + ". "
                + (_expected(source))
            )
        if "," in head.split("\n", 1)[0]:
            return _(
                "The file is not JSON: it looks like a CSV file. Choose the CSV option to "
                "import it."
            )
        return _("The file is not JSON.") + " " + _expected(source)
    data, why = parse_upload_json(raw)
    if why:
        return why + " " + _expected(source)
    return json_refusal(data)


def _csv_refusal(raw: bytes, lower: str) -> str | None:
    if not lower.endswith((".csv", ".txt")):
        return _("The file must be a .csv file")
    try:
        text, _encoding = decode_csv(raw)
    except Invalid as exc:
        return str(exc)[:1].upper() + str(exc)[1:]
    if JSON_START.match(text):
        return _(
            "This looks like JSON, not CSV. Choose the Open Referral UK (HSDS) file option "
            "to import it."
        )
    if text.lstrip().startswith("<"):
        return _("This looks like a web page (HTML), not CSV.") + " " + _expected("csv")
    header = next(csv.reader(io.StringIO(text)), [])
    if not any(cell.strip() for cell in header):
        return _("The file is not a CSV with a header row.") + " " + _expected("csv")
    return None
