"""Every instrument scored exactly by its published rules, with every edge: a missing
item, an answer out of range, anxiety's reversed direction and each band boundary."""

import json
from pathlib import Path

import pytest

from commonweave.wellbeing import scoring

FOLDER = Path(__file__).resolve().parents[2] / "commonweave" / "wellbeing" / "instruments"


def load(name):
    return json.loads((FOLDER / f"{name}.json").read_text())


ONS4 = load("ons4")
UCLA3 = load("ucla3")
DIRECT = load("ons_loneliness")
POSITIVE_BANDS = ["low"] * 5 + ["medium"] * 2 + ["high"] * 2 + ["very high"] * 2
ANXIETY_BANDS = ["very low"] * 2 + ["low"] * 2 + ["medium"] * 2 + ["high"] * 5


def ons4(**answers):
    base = {"life_satisfaction": 5, "worthwhile": 5, "happiness": 5, "anxiety": 5}
    return {**base, **answers}


@pytest.mark.parametrize("definition", [ONS4, UCLA3, DIRECT])
def test_shipped_definitions_are_valid(definition):
    assert scoring.validate_definition(definition) is definition


@pytest.mark.parametrize("item", ["life_satisfaction", "worthwhile", "happiness"])
@pytest.mark.parametrize("value", range(11))
def test_ons4_positive_items_band_at_every_point(item, value):
    result = scoring.score(ONS4, ons4(**{item: value}))
    assert result.complete is True
    assert result.metrics[item].value == value
    assert result.metrics[item].band == POSITIVE_BANDS[value]
    assert result.metrics[item].higher_is == "better"


@pytest.mark.parametrize("value", range(11))
def test_ons4_anxiety_bands_run_the_other_way(value):
    metric = scoring.score(ONS4, ons4(anxiety=value)).metrics["anxiety"]
    assert (metric.value, metric.band, metric.higher_is) == (value, ANXIETY_BANDS[value], "worse")


@pytest.mark.parametrize(
    ("value", "band"),
    [(4, "low"), (5, "medium"), (6, "medium"), (7, "high"), (8, "high"), (9, "very high")],
)
def test_ons4_life_satisfaction_boundaries(value, band):
    assert (
        scoring.score(ONS4, ons4(life_satisfaction=value)).metrics["life_satisfaction"].band == band
    )


@pytest.mark.parametrize(
    ("value", "band"),
    [(1, "very low"), (2, "low"), (3, "low"), (4, "medium"), (5, "medium"), (6, "high")],
)
def test_ons4_anxiety_boundaries(value, band):
    assert scoring.score(ONS4, ons4(anxiety=value)).metrics["anxiety"].band == band


def test_ons4_is_four_separate_scores_never_a_composite():
    result = scoring.score(ONS4, ons4(life_satisfaction=9, anxiety=9))
    assert sorted(result.metrics) == ["anxiety", "happiness", "life_satisfaction", "worthwhile"]
    assert result.metrics["life_satisfaction"].band == "very high"
    assert result.metrics["anxiety"].band == "high"


ONS4_ITEMS = ["life_satisfaction", "worthwhile", "happiness", "anxiety"]


@pytest.mark.parametrize("missing", ONS4_ITEMS)
def test_ons4_missing_item_has_no_score_and_the_other_three_keep_theirs(missing):
    """ONS publishes the four measures separately, each from its own question: a blank
    question has no score (never a guess) and takes nothing from the others."""
    answers = {"life_satisfaction": 8, "worthwhile": 7, "happiness": 2, "anxiety": 6}
    del answers[missing]
    result = scoring.score(ONS4, answers)
    assert (result.complete, result.missing) == (False, (missing,))
    assert {code: m.value for code, m in result.metrics.items()} == answers
    assert missing not in result.as_json()


def test_ons4_with_only_anxiety_answered_keeps_its_reversed_direction():
    result = scoring.score(ONS4, {"anxiety": 6})
    assert result.missing == ("life_satisfaction", "worthwhile", "happiness")
    assert result.as_json() == {"anxiety": {"value": 6, "band": "high", "higher_is": "worse"}}


def test_ons4_with_nothing_answered_has_no_score():
    assert scoring.score(ONS4, {}) == scoring.Score(complete=False, missing=tuple(ONS4_ITEMS))


def test_blank_answer_counts_as_missing():
    result = scoring.score(ONS4, ons4(anxiety=""))
    assert (result.complete, result.missing) == (False, ("anxiety",))
    assert sorted(result.metrics) == ["happiness", "life_satisfaction", "worthwhile"]


def test_a_refused_answer_is_refused_even_when_another_item_is_blank():
    with pytest.raises(scoring.AnswerError) as caught:
        scoring.score(ONS4, {"life_satisfaction": 11, "anxiety": ""})
    assert caught.value.errors == {
        "life_satisfaction": "Life satisfaction: enter a whole number from 0 to 10"
    }


@pytest.mark.parametrize("bad", [-1, 11, 99, "ten", "5.5", 5.5, True, [], "-1"])
def test_ons4_out_of_range_is_refused_with_a_clear_message(bad):
    with pytest.raises(scoring.AnswerError) as caught:
        scoring.score(ONS4, ons4(happiness=bad))
    assert caught.value.errors == {"happiness": "Happiness: enter a whole number from 0 to 10"}


def test_answers_as_strings_of_digits_are_accepted():
    assert scoring.score(ONS4, ons4(happiness="10")).metrics["happiness"].value == 10


def test_unknown_item_is_refused():
    with pytest.raises(scoring.AnswerError) as caught:
        scoring.score(ONS4, ons4(mood=3))
    assert caught.value.errors == {"mood": "mood is not a question in Personal wellbeing (ONS4)"}


def test_every_bad_answer_is_named_at_once():
    with pytest.raises(scoring.AnswerError) as caught:
        scoring.score(ONS4, ons4(happiness=11, anxiety=-1))
    assert sorted(caught.value.errors) == ["anxiety", "happiness"]


UCLA_ITEMS = ["lack_companionship", "left_out", "isolated"]


@pytest.mark.parametrize("a", [1, 2, 3])
@pytest.mark.parametrize("b", [1, 2, 3])
@pytest.mark.parametrize("c", [1, 2, 3])
def test_ucla3_total_is_the_sum_three_to_nine(a, b, c):
    result = scoring.score(UCLA3, dict(zip(UCLA_ITEMS, [a, b, c], strict=True)))
    assert result.metrics["total"].value == a + b + c
    assert 3 <= result.metrics["total"].value <= 9
    assert result.metrics["total"].higher_is == "worse"


@pytest.mark.parametrize("bad", [0, 4, "often"])
def test_ucla3_out_of_range_is_refused(bad):
    with pytest.raises(scoring.AnswerError) as caught:
        scoring.score(UCLA3, {"lack_companionship": bad, "left_out": 1, "isolated": 1})
    assert caught.value.errors == {
        "lack_companionship": "Lack companionship: choose one of the answers given"
    }


@pytest.mark.parametrize("missing", UCLA_ITEMS)
def test_ucla3_missing_item_gets_no_score(missing):
    answers = dict.fromkeys(UCLA_ITEMS, 2)
    del answers[missing]
    assert scoring.score(UCLA3, answers) == scoring.Score(complete=False, missing=(missing,))


@pytest.mark.parametrize(
    ("value", "band"),
    [
        (1, "Often/always"),
        (2, "Some of the time"),
        (3, "Occasionally"),
        (4, "Hardly ever"),
        (5, "Never"),
    ],
)
def test_direct_loneliness_five_answers(value, band):
    metric = scoring.score(DIRECT, {"how_often_lonely": value}).metrics["how_often_lonely"]
    assert (metric.value, metric.band, metric.higher_is) == (value, band, "better")


@pytest.mark.parametrize("bad", [0, 6])
def test_direct_loneliness_out_of_range(bad):
    with pytest.raises(scoring.AnswerError):
        scoring.score(DIRECT, {"how_often_lonely": bad})


def test_direct_loneliness_unanswered_gets_no_score():
    assert scoring.score(DIRECT, {}).complete is False


def test_choices_carry_the_words():
    assert scoring.item_choices(UCLA3["items"][0]) == [
        (1, "Hardly ever or never"),
        (2, "Some of the time"),
        (3, "Often"),
    ]
    assert scoring.item_choices(ONS4["items"][0])[0] == (0, "0")


# --- a loaded instrument with reversed items and a raw->metric lookup table --------------


def fake_licensed(reverse_first=False):
    """Shaped like SWEMWBS (7 items 1-5, raw 7-35, a conversion table), with made-up
    numbers: the real table is licensed and never ships."""
    items = [
        {
            "code": f"q{n}",
            "text": f"Statement {n}",
            "options": [
                {"value": v, "label": w}
                for v, w in enumerate(
                    ["None of the time", "Rarely", "Some of the time", "Often", "All of the time"],
                    start=1,
                )
            ],
        }
        for n in range(1, 8)
    ]
    if reverse_first:
        items[0]["reverse"] = True
    table = {
        str(raw): round(7 + (raw - 7) * 1.01 + (0.37 if raw % 2 else 0), 2) for raw in range(7, 36)
    }
    return {
        "code": "fake_wemwbs",
        "version": 1,
        "name": "Fake short wellbeing scale",
        "items": items,
        "scoring": {
            "metrics": [
                {
                    "code": "metric",
                    "label": "Metric score",
                    "rule": "lookup",
                    "items": [f"q{n}" for n in range(1, 8)],
                    "higher_is": "better",
                    "table": table,
                    "bands": [
                        {"label": "low", "min": 0, "max": 17.99},
                        {"label": "typical", "min": 18, "max": 27.99},
                        {"label": "high", "min": 28, "max": 100},
                    ],
                }
            ]
        },
    }


def test_lookup_converts_the_raw_total_through_the_table():
    definition = scoring.validate_definition(fake_licensed())
    for raw_each in range(1, 6):
        answers = {f"q{n}": raw_each for n in range(1, 8)}
        raw = 7 * raw_each
        assert (
            scoring.score(definition, answers).metrics["metric"].value
            == (definition["scoring"]["metrics"][0]["table"][str(raw)])
        )


def test_lookup_bands_apply_to_the_converted_value():
    definition = fake_licensed()
    low = scoring.score(definition, {f"q{n}": 1 for n in range(1, 8)})
    high = scoring.score(definition, {f"q{n}": 5 for n in range(1, 8)})
    assert (low.metrics["metric"].band, high.metrics["metric"].band) == ("low", "high")


@pytest.mark.parametrize(("answer", "scored"), [(1, 5), (2, 4), (3, 3), (4, 2), (5, 1)])
def test_reversed_item_is_reversed_before_summing(answer, scored):
    definition = fake_licensed(reverse_first=True)
    answers = {f"q{n}": 1 for n in range(1, 8)} | {"q1": answer}
    raw = scored + 6
    assert (
        scoring.score(definition, answers).metrics["metric"].value
        == (definition["scoring"]["metrics"][0]["table"][str(raw)])
    )


@pytest.mark.parametrize("missing", [f"q{n}" for n in range(1, 8)])
def test_lookup_score_needs_every_item(missing):
    answers = {f"q{n}": 3 for n in range(1, 8)}
    del answers[missing]
    result = scoring.score(fake_licensed(), answers)
    assert (result.complete, result.missing, result.metrics) == (False, (missing,), {})


def test_a_metric_is_scored_only_from_its_own_items():
    """Two metrics in one instrument: a blank item takes away only the metric it is in."""
    definition = fake_licensed()
    definition["scoring"]["metrics"].append(
        {"code": "first_two", "rule": "sum", "items": ["q1", "q2"], "higher_is": "better"}
    )
    scoring.validate_definition(definition)
    answers = {f"q{n}": 4 for n in range(1, 8)}
    del answers["q5"]
    result = scoring.score(definition, answers)
    assert {code: m.value for code, m in result.metrics.items()} == {"first_two": 8}


def test_lookup_table_must_cover_every_raw_total():
    definition = fake_licensed()
    del definition["scoring"]["metrics"][0]["table"]["20"]
    with pytest.raises(scoring.DefinitionError) as caught:
        scoring.validate_definition(definition)
    assert caught.value.problems == ["Metric 'metric': the table has no value for raw totals [20]"]


def test_bands_must_not_leave_gaps():
    definition = json.loads(json.dumps(ONS4))
    definition["scoring"]["metrics"][0]["bands"][1]["min"] = 6
    with pytest.raises(scoring.DefinitionError) as caught:
        scoring.validate_definition(definition)
    assert caught.value.problems == ["Metric 'life_satisfaction': the value 5 falls in no band"]


def test_bands_must_not_overlap():
    definition = json.loads(json.dumps(ONS4))
    definition["scoring"]["metrics"][3]["bands"][0]["max"] = 2
    with pytest.raises(scoring.DefinitionError) as caught:
        scoring.validate_definition(definition)
    assert caught.value.problems == ["Metric 'anxiety': the value 2 falls in more than one band"]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda d: d.pop("items"), "Missing 'items'"),
        (lambda d: d.update(items=[]), "'items' must be a non-empty list"),
        (lambda d: d["items"][0].update(min=10, max=0), "Item 1: 'min' must be less than 'max'"),
        (
            lambda d: d["items"][1].update(code="life_satisfaction"),
            "Item 2: code 'life_satisfaction' is used twice",
        ),
        (
            lambda d: d["scoring"]["metrics"][0].update(rule="mean"),
            "Metric 'life_satisfaction': 'rule' must be one of item, sum, lookup",
        ),
        (
            lambda d: d["scoring"]["metrics"][0].update(items=["nope"]),
            "Metric 'life_satisfaction': unknown items nope",
        ),
        (
            lambda d: d.update(code="bad code!"),
            "'code' must be letters, digits and underscores (40 at most)",
        ),
    ],
)
def test_malformed_definitions_are_refused_with_the_reason(change, problem):
    definition = json.loads(json.dumps(ONS4))
    change(definition)
    with pytest.raises(scoring.DefinitionError) as caught:
        scoring.validate_definition(definition)
    assert problem in caught.value.problems
