"""A check-in's ratings and a measure response's scores packed into one short text each.

Cohort change over a period compares each person's first and latest answers within it.
Reading those answers row by row costs one read per rating; packed, the first and latest
check-in of a person are two index entries (period.py), whatever the number of areas.
The rows (AreaRating, MeasureResponse.scores) stay the record; these are derived from
them by the check-in services, the demo generator and `tracks_rebuild`, and an empty
packing only means "read the rows instead" (never a wrong answer).

Areas: one character per area of the check-in's life map version, in position order:
chr(ord("0") + value) for a rating (values 0 to 74), "-" for an area left unrated.
Empty when a value cannot be packed so.

Measures: the scores of every response on the check-in, "<shape>|<values>". The shape
lists the responses by instrument id, "<instrument id>=<directions>" joined by commas,
with one direction letter per metric in the order of the instrument's definition ("b"
higher is better, "w" worse); the values are the scores in the same order, as Python
writes a float, all responses' joined by commas. A response is packed only when every
metric was scored: otherwise its directions are empty and it gives no values. Empty when
the check-in has no measure response.
"""

ZERO = ord("0")
HIGHEST = ord("z") - ZERO  # 74: values above this are not packed
UNRATED = "-"
DIRECTIONS = {"better": "b", "worse": "w"}
DIRECTION_NAMES = {letter: name for name, letter in DIRECTIONS.items()}


def pack_areas(areas, values) -> str:
    """`areas` in position order (the check-in's version); `values` maps key -> value."""
    chars = []
    for area in areas:
        value = values.get(area.key)
        if value is None:
            chars.append(UNRATED)
        elif isinstance(value, int) and 0 <= value <= HIGHEST:
            chars.append(chr(ZERO + value))
        else:
            return ""
    return "".join(chars)


def unpack_areas(keys, packed) -> dict:
    """{key: value} of the rated areas; `keys` in position order of the packing's version."""
    return {
        key: ord(char) - ZERO for key, char in zip(keys, packed, strict=True) if char != UNRATED
    }


def metric_codes(definition) -> list:
    return [metric["code"] for metric in definition["scoring"]["metrics"]]


def pack_scores(definition, scores) -> tuple[str, list]:
    """(directions, values) of one response's `scores` (metric code -> {value, band,
    higher_is}, as stored); ("", []) unless every metric was scored."""
    directions, values = [], []
    for code in metric_codes(definition):
        score = scores.get(code)
        if score is None:
            return "", []
        direction = DIRECTIONS.get(score.get("higher_is") or "better")
        if direction is None:
            return "", []
        directions.append(direction)
        values.append(repr(float(score["value"])))
    return "".join(directions), values


def pack_measures(responses) -> str:
    """`responses`: (instrument id, definition, scores) of each response on a check-in."""
    shape, values = [], []
    for instrument_id, definition, scores in sorted(responses, key=lambda r: r[0]):
        directions, scored = pack_scores(definition, scores)
        shape.append(f"{instrument_id}={directions}")
        values += scored
    return ",".join(shape) + "|" + ",".join(values) if shape else ""


def measure_shape(shape) -> list:
    """[(instrument id, directions, first column)] of a packing's shape; directions are
    empty for a response that was not packed (and has no columns)."""
    found, column = [], 0
    for part in shape.split(",") if shape else ():
        instrument_id, _, directions = part.partition("=")
        found.append((int(instrument_id), directions, column))
        column += len(directions)
    return found
