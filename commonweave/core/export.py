"""CSV exports that spreadsheets cannot turn into formulas.

A cell starting with = + - @ tab or carriage return gets a leading apostrophe, so Excel,
LibreOffice and Google Sheets show it as text instead of running it. The csv module
takes care of commas, quotes and newlines inside cells.

    writer = safe_csv_writer(buffer)
    writer.writerow(["Name", "=HYPERLINK(...)"])   # -> Name,'=HYPERLINK(...)

`csv_response` streams rows to the browser as a download that no cache keeps.
"""

import csv
from collections.abc import Iterable, Iterator
from typing import Any

from django.http import StreamingHttpResponse

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    """The cell as text, with a leading apostrophe if a spreadsheet would read a formula."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS):
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
