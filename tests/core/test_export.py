"""CSV exports neutralise spreadsheet formulas and survive awkward text."""

import csv
import io

import pytest

from commonweave.core.export import csv_response, neutralise, safe_csv_writer


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
        ("+44 7700 900123", "'+44 7700 900123"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\tindented", "'\tindented"),
        ("\rreturn", "'\rreturn"),
        ("plain text", "plain text"),
        ("a = b", "a = b"),
        ("", ""),
        (None, ""),
        (25, "25"),
    ],
)
def test_cells_that_start_a_formula_get_a_leading_apostrophe(cell, written):
    assert neutralise(cell) == written


def test_safe_writer_round_trips_commas_quotes_and_newlines():
    buffer = io.StringIO()
    writer = safe_csv_writer(buffer)
    writer.writerow(["Smith, Jo", 'She said "hello"', "line one\nline two", "=1+1"])
    writer.writerows([["@x", "ok"]])
    rows = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert rows == [
        ["Smith, Jo", 'She said "hello"', "line one\nline two", "'=1+1"],
        ["'@x", "ok"],
    ]


def test_csv_response_is_a_neutralised_download_no_cache_keeps():
    response = csv_response("numbers.csv", ["Name", "Value"], [["=cmd|' /C calc'!A0", 5]])
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text))) == [["Name", "Value"], ["'=cmd|' /C calc'!A0", "5"]]
    assert response["Content-Disposition"] == 'attachment; filename="numbers.csv"'
    assert response["Cache-Control"] == "no-store, private"
