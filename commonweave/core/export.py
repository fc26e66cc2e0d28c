"""CSV exports that spreadsheets cannot turn into formulas, with numbers kept as numbers.

A text cell starting with = + - @ tab or carriage return gets a leading apostrophe, so
Excel, LibreOffice and Google Sheets show it as text instead of running it. A number is
not a formula: finite Python numbers, and text that is wholly one plain decimal number (an
optional sign, digits, an optional fraction and exponent, e.g. "-3", "+0.42", "-1.20",
"-2.5e-05"), are written as they are, so a negative value or a signed change still sums
and sorts as a number. Anything more ("-2+3", "+A1", "-1 ", "-inf") is text and is
neutralised. The csv module takes care of commas, quotes and newlines inside cells.

    writer = safe_csv_writer(buffer)
    writer.writerow(["Name", "=HYPERLINK(...)", -0.25, "+0.42"])
    # -> Name,'=HYPERLINK(...),-0.25,+0.42

`csv_response` streams rows to the browser as a download that no cache keeps.
"""

import csv
import re
from collections.abc import Iterable, Iterator
from typing import Any

from django.http import StreamingHttpResponse

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

# One plain decimal number and nothing else: what a spreadsheet reads as a number, not a
# formula. ASCII digits only; no spaces, no thousands separators, no "inf" or "nan".
PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", re.ASCII)


def neutralise(value: object) -> str:
    """The cell as text, with a leading apostrophe if a spreadsheet would read a formula.

    A number (or text that is wholly a plain number, such as "-1.20") is left as it is."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


class SafeCsvWriter:
    """csv.writer with every cell neutralised. Same writerow/writerows interface."""

    def __init__(self, file: Any, **kwargs: Any) -> None:
        self._writer = csv.writer(file, **kwargs)

    def writerow(self, row: Iterable[object]) -> Any:
        return self._writer.writerow([neutralise(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def safe_csv_writer(file: Any, **kwargs: Any) -> SafeCsvWriter:
    return SafeCsvWriter(file, **kwargs)


class _Echo:
    """A file-like object whose write() returns the line, for streaming responses."""

    def write(self, value: str) -> str:
        return value


def csv_response(
    filename: str, header: Iterable[object], rows: Iterable[Iterable[object]]
) -> StreamingHttpResponse:
    """Stream `header` then `rows` as a neutralised CSV download named `filename`.

    The file starts with a UTF-8 byte order mark so Excel reads names with accents
    correctly. The filename must hold no personal data.
    """
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff"
        yield writer.writerow([neutralise(cell) for cell in header])
        for row in rows:
            yield writer.writerow([neutralise(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    return response
