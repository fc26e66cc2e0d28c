"""Numbers in CSV exports stay numbers: only text is neutralised against formulas.

A negative value or a signed change ("-0.25", "+0.42") must reach the spreadsheet as a
number that sums and sorts, not as text behind an apostrophe; anything that is more than
one plain number and starts like a formula is still neutralised."""

import csv
import io
from decimal import Decimal

import pytest

from commonweave.core.export import csv_response, neutralise, safe_csv_writer

NUMBERS = [
    (-0.25, "-0.25"),
    (-3, "-3"),
    (0, "0"),
    (1.5e-05, "1.5e-05"),
    (-2.5e-05, "-2.5e-05"),
    (Decimal("-1.20"), "-1.20"),
    ("-1.20", "-1.20"),
    ("+0.42", "+0.42"),
    ("-3", "-3"),
    ("+2.00", "+2.00"),
    ("-.5", "-.5"),
    ("-4.", "-4."),
    ("-1E+2", "-1E+2"),
]

FORMULAS = [
    "=1+2",
    "+A1",
    "-2+3",
    "@SUM(A1)",
    '=HYPERLINK("http://evil.example","x")',
    "\t-1",
    "\r1",
    "-1 ",  # not wholly a number
    "- 1",
    "-1,5",
    "-1.2.3",
    "+-1",
    "-",
    "+",
    "-inf",
    "-nan",
    "-\u0663",  # a non-ASCII digit
    "+1-1",
    "-1e5+cmd|' /C calc'!A0",
    "+0.42 to +0.50",
]


@pytest.mark.parametrize(("cell", "written"), NUMBERS)
def test_numbers_and_numeric_text_are_written_unchanged(cell, written):
    assert neutralise(cell) == written
    float(neutralise(cell))  # and still read as a number


@pytest.mark.parametrize("cell", FORMULAS)
def test_text_that_starts_like_a_formula_is_neutralised(cell):
    assert neutralise(cell) == "'" + cell


def test_a_table_keeps_its_numbers_numeric_and_its_formulas_harmless():
    rows = [
        ["area", "change", "low", "high", "note"],
        ["home", -0.25, "-1.20", "+0.42", "=1+2"],
        ["money", -3, "+2.00", "-4.00", "+A1"],
        ["food", Decimal("-0.10"), "0", "12", "@SUM(A1)"],
        ["work", 2, "-2+3", "-1e-3", '=HYPERLINK("http://x","y")'],
    ]
    buffer = io.StringIO()
    safe_csv_writer(buffer).writerows(rows)
    response = csv_response("change.csv", rows[0], rows[1:])
    streamed = b"".join(response.streaming_content).decode("utf-8-sig")
    for text in (buffer.getvalue(), streamed):
        read = list(csv.reader(io.StringIO(text)))
        assert read[0] == rows[0]
        body = read[1:]
        assert [row[1] for row in body] == ["-0.25", "-3", "-0.10", "2"]
        assert [[float(cell) for cell in row[1:4]] for row in body[:3]] == [
            [-0.25, -1.2, 0.42],
            [-3.0, 2.0, -4.0],
            [-0.1, 0.0, 12.0],
        ]
        assert body[0][2:4] == ["-1.20", "+0.42"]  # the text as the app wrote it
        assert body[3][2:4] == ["'-2+3", "-1e-3"]
        assert [row[4] for row in body] == [
            "'=1+2",
            "'+A1",
            "'@SUM(A1)",
            '\'=HYPERLINK("http://x","y")',
        ]
