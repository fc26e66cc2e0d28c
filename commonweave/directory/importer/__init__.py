"""Import an ORUK/HSDS feed or a CSV into a place's directory (export is in exporter.py).

Each record is checked on its own, and every record that can be a service is kept: a field
is repaired where the intent is clear (a website without https://, an email in <…> or
after "mailto:", "N/A" or "TBC" meaning none) or dropped with a warning naming it; a nested
location or organisation that cannot be used is dropped alone, with a warning. Only a
record that cannot be a service (no name, a repeated id, another place's id) is rejected,
with its reason; records in = stored + rejected. HTML in text becomes plain text once, here
(core.text.html_to_text). Ids from the feed are kept, so a re-import updates the same
entries and, when nothing changed, writes nothing at all (no history rows, no updated_at
bumps). A complete feed of a source retires (makes inactive) the source's services it no
longer holds and restores those that come back.

    report.py      Invalid, ImportReport, Problem (a row with its field)
    fields.py      one field's checks and repairs (text, http(s) URLs, email, phone, ids,
                   ages, coordinates)
    feed.py        ORUK service records: import_service, import_oruk, retire_absent
    nested.py      terms, locations, organisations and child rows inside a service
    lookup.py      bulk look-ups per chunk, and the "another place owns this id" check
    csv_import.py  a plain CSV with column mapping, as ORUK-shaped records
    taxonomy.py    a place's own category list
    sources.py     reading bytes from a file, an upload or a URL, with a size limit
    jobs.py        the import as a background job, started from the web
"""

from .csv_import import CSV_FIELDS, csv_headers, csv_to_records, guess_mapping, import_csv
from .feed import CHUNK, import_oruk, import_service, records_in, retire_absent
from .fields import (
    clean_age,
    clean_coord,
    clean_email,
    clean_id,
    clean_phone,
    clean_text,
    clean_time,
    clean_url,
)
from .report import ImportReport, Invalid, Problem
from .sources import (
    MAX_FEED_BYTES,
    decode_text,
    fetch_url,
    load_json,
    load_text,
    parse_json,
    read_limited,
)
from .taxonomy import import_taxonomy_csv

__all__ = [
    "CHUNK",
    "CSV_FIELDS",
    "MAX_FEED_BYTES",
    "ImportReport",
    "Invalid",
    "Problem",
    "clean_age",
    "clean_coord",
    "clean_email",
    "clean_id",
    "clean_phone",
    "clean_text",
    "clean_time",
    "clean_url",
    "csv_headers",
    "csv_to_records",
    "decode_text",
    "fetch_url",
    "guess_mapping",
    "import_csv",
    "import_oruk",
    "import_service",
    "import_taxonomy_csv",
    "load_json",
    "load_text",
    "parse_json",
    "read_limited",
    "records_in",
    "retire_absent",
]
