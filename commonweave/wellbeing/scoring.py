"""Scoring validated measures from their definitions: instruments are data, not code.

A definition (JSON, see instruments/*.json) names its items and the answers each allows
(`options` with values and words, or a whole-number `min`..`max`, optionally `reverse`d),
and its metrics. Each metric is one of three rules:

- "item":   the answer to one item (ONS4 reports its four items separately);
- "sum":    the total of its items after reversing reversed items (UCLA-3: 3..9);
- "lookup": that total converted through a raw->metric `table` (e.g. SWEMWBS).

A metric may carry `bands` (inclusive min..max, each with a label) and says whether
`higher_is` "better" or "worse". An answer outside what an item allows is refused with a
message.

Unanswered items (never a guess): a metric is scored only when every item it is made
from is answered, and otherwise has no score at all - no imputation, no pro-rating. So a
UCLA-3 total (or a SWEMWBS score) with any item blank has no score, while ONS4, whose four
measures ONS publishes separately, each from its own single question, keeps a score for
each question answered and none for the one left blank. The response is `complete` only
when every item is answered.
"""

from dataclasses import dataclass, field
from decimal import Decimal

RULES = ("item", "sum", "lookup")
DIRECTIONS = ("better", "worse")


class DefinitionError(ValueError):
    """The instrument definition itself is malformed; `problems` lists every fault."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


class AnswerError(ValueError):
    """One or more answers are not allowed; `errors` maps item code -> message."""

    def __init__(self, errors):
        self.errors = dict(errors)
        super().__init__("; ".join(self.errors.values()))


@dataclass(frozen=True)
class MetricScore:
    code: str
    label: str
    value: float | int
    band: str
    higher_is: str


@dataclass(frozen=True)
class Score:
    complete: bool
    missing: tuple = ()
    metrics: dict = field(default_factory=dict)  # code -> MetricScore

    def as_json(self) -> dict:
        return {
            code: {"value": m.value, "band": m.band, "higher_is": m.higher_is}
            for code, m in self.metrics.items()
        }


# --- items -------------------------------------------------------------------------------


def item_values(item) -> list[int]:
    """Every answer the item allows, in order."""
    if item.get("options"):
        return [option["value"] for option in item["options"]]
    return list(range(item["min"], item["max"] + 1))


def item_choices(item) -> list[tuple[int, str]]:
    """(value, words) for a form: option words, or the number itself."""
    if item.get("options"):
        return [(option["value"], option["label"]) for option in item["options"]]
    return [(value, str(value)) for value in item_values(item)]


def _item_label(item) -> str:
    return item.get("label") or item["code"].replace("_", " ").capitalize()


def _allowed_words(item) -> str:
    if item.get("options"):
        return "choose one of the answers given"
    return f"enter a whole number from {item['min']} to {item['max']}"


def _scored_value(item, value: int) -> int:
    if item.get("reverse"):
        values = item_values(item)
        return min(values) + max(values) - value
    return value


def _as_int(value):
    """A whole number from an int or a string of digits; None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    if isinstance(value, float | Decimal) and value == int(value):
        return int(value)
    return None


# --- checking answers --------------------------------------------------------------------


def clean_answers(definition, answers) -> dict:
    """The answers as {item code: int}, blanks dropped; AnswerError naming each bad one."""
    items = {item["code"]: item for item in definition["items"]}
    errors, cleaned = {}, {}
    for code, raw in (answers or {}).items():
        if code not in items:
            errors[code] = f"{code} is not a question in {definition['name']}"
            continue
        if raw is None or raw == "":
            continue
        item = items[code]
        value = _as_int(raw)
        if value is None or value not in item_values(item):
            errors[code] = f"{_item_label(item)}: {_allowed_words(item)}"
            continue
        cleaned[code] = value
    if errors:
        raise AnswerError(errors)
    return cleaned


def score(definition, answers) -> Score:
    """Score answers by the definition's rules. Raises AnswerError for answers the items do
    not allow. Each metric is scored only from a full set of its own items (see above);
    `missing` names the unanswered items and `complete` is True when there are none."""
    cleaned = clean_answers(definition, answers)
    missing = tuple(item["code"] for item in definition["items"] if item["code"] not in cleaned)
    items = {item["code"]: item for item in definition["items"]}
    metrics = {}
    for metric in definition["scoring"]["metrics"]:
        if any(code not in cleaned for code in metric["items"]):
            continue  # never a guess: no score for a metric with an item unanswered
        value = _metric_value(metric, items, cleaned)
        metrics[metric["code"]] = MetricScore(
            code=metric["code"],
            label=metric.get("label", metric["code"]),
            value=value,
            band=band_for(metric, value),
            higher_is=metric.get("higher_is", "better"),
        )
    return Score(complete=not missing, missing=missing, metrics=metrics)


def _metric_value(metric, items, answers):
    rule = metric["rule"]
    if rule == "item":
        code = metric["items"][0]
        return _scored_value(items[code], answers[code])
    total = sum(_scored_value(items[code], answers[code]) for code in metric["items"])
    if rule == "sum":
        return total
    return metric["table"][str(total)]  # "lookup": definitions are checked to cover every total


def band_for(metric, value) -> str:
    for band in metric.get("bands") or ():
        if band["min"] <= value <= band["max"]:
            return band["label"]
    return ""


# --- checking definitions ----------------------------------------------------------------


def _possible_raw(metric, items) -> set:
    """Every value the metric's rule can produce before any lookup."""
    totals = {0}
    for code in metric["items"]:
        item = items[code]
        values = {_scored_value(item, v) for v in item_values(item)}
        totals = {t + v for t in totals for v in values}
    return totals


def metric_width(definition, metric_code) -> float:
    """The metric's highest possible score minus its lowest: a change in it lies within
    plus or minus this (the published-number module calibrates its noise to it)."""
    items = {item["code"]: item for item in definition["items"]}
    for metric in definition["scoring"]["metrics"]:
        if metric["code"] == metric_code:
            raw = _possible_raw(metric, items)
            if metric["rule"] == "lookup":
                raw = {float(metric["table"][str(total)]) for total in raw}
            return float(max(raw) - min(raw))
    raise KeyError(metric_code)


def validate_definition(definition) -> dict:
    """Check a definition completely; raises DefinitionError listing every problem."""
    problems = []
    if not isinstance(definition, dict):
        raise DefinitionError(["The definition must be a JSON object"])
    for key in ("code", "name", "items", "scoring"):
        if key not in definition:
            problems.append(f"Missing '{key}'")
    if problems:
        raise DefinitionError(problems)
    code = definition["code"]
    if not isinstance(code, str) or not code.replace("_", "").isalnum() or len(code) > 40:
        problems.append("'code' must be letters, digits and underscores (40 at most)")
    version = definition.get("version", 1)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        problems.append("'version' must be a whole number of at least 1")
    items = {}
    if not isinstance(definition["items"], list) or not definition["items"]:
        problems.append("'items' must be a non-empty list")
    else:
        for position, item in enumerate(definition["items"], start=1):
            problems += _item_problems(position, item, items)
    metrics = (
        (definition["scoring"] or {}).get("metrics")
        if isinstance(definition["scoring"], dict)
        else None
    )
    if not metrics or not isinstance(metrics, list):
        problems.append("'scoring.metrics' must be a non-empty list")
    elif not problems:
        seen = set()
        for metric in metrics:
            problems += _metric_problems(metric, items, seen)
    if problems:
        raise DefinitionError(problems)
    return definition


def _item_problems(position, item, items) -> list:
    where = f"Item {position}"
    if not isinstance(item, dict) or not item.get("code") or not item.get("text"):
        return [f"{where} needs a 'code' and 'text'"]
    if item["code"] in items:
        return [f"{where}: code '{item['code']}' is used twice"]
    if item.get("options"):
        values = [option.get("value") for option in item["options"]]
        if any(_as_int(v) is None or isinstance(v, str) for v in values):
            return [f"{where}: every option needs a whole-number 'value'"]
        if len(set(values)) != len(values):
            return [f"{where}: option values must differ"]
        if any(not option.get("label") for option in item["options"]):
            return [f"{where}: every option needs a 'label' in words"]
    else:
        low, high = item.get("min"), item.get("max")
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (low, high)):
            return [f"{where}: give 'options', or whole-number 'min' and 'max'"]
        if low >= high:
            return [f"{where}: 'min' must be less than 'max'"]
        if high - low > 100:
            return [f"{where}: a scale may have at most 101 points"]
    items[item["code"]] = item
    return []


def _metric_problems(metric, items, seen) -> list:
    name = metric.get("code") if isinstance(metric, dict) else None
    if not name:
        return ["Every metric needs a 'code'"]
    where = f"Metric '{name}'"
    if name in seen:
        return [f"{where} is defined twice"]
    seen.add(name)
    if metric.get("rule") not in RULES:
        return [f"{where}: 'rule' must be one of {', '.join(RULES)}"]
    if metric.get("higher_is", "better") not in DIRECTIONS:
        return [f"{where}: 'higher_is' must be 'better' or 'worse'"]
    used = metric.get("items")
    if not isinstance(used, list) or not used:
        return [f"{where}: 'items' must list the items it uses"]
    unknown = [code for code in used if code not in items]
    if unknown:
        return [f"{where}: unknown items {', '.join(map(str, unknown))}"]
    if metric["rule"] == "item" and len(used) != 1:
        return [f"{where}: the 'item' rule uses exactly one item"]
    possible = _possible_raw(metric, items)
    if metric["rule"] == "lookup":
        table = metric.get("table")
        if not isinstance(table, dict):
            return [f"{where}: the 'lookup' rule needs a 'table' of raw total -> value"]
        gaps = sorted(total for total in possible if str(total) not in table)
        if gaps:
            return [f"{where}: the table has no value for raw totals {gaps}"]
        extra = sorted(set(table) - {str(total) for total in possible})
        if extra:
            return [f"{where}: the table has totals that cannot occur: {', '.join(extra)}"]
        if any(not isinstance(v, int | float) or isinstance(v, bool) for v in table.values()):
            return [f"{where}: every table value must be a number"]
        possible = set(table.values())
    bands = metric.get("bands")
    if bands:
        if any(
            not isinstance(b, dict) or not b.get("label") or "min" not in b or "max" not in b
            for b in bands
        ):
            return [f"{where}: every band needs 'label', 'min' and 'max'"]
        for value in sorted(possible):
            hits = [b for b in bands if b["min"] <= value <= b["max"]]
            if len(hits) != 1:
                state = "no band" if not hits else "more than one band"
                return [f"{where}: the value {value} falls in {state}"]
    return []
