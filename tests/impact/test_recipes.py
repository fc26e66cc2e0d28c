"""The recipe arithmetic (impact/recipes.py), without a database: the golden recipes of
issue 18, the guards, uprating and ranges, and properties over generated inputs."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonweave.impact import deflators, recipes
from commonweave.impact.enums import ChangeMeasure, ValueBasis, ValueKind
from commonweave.impact.values import LATE_INTERVENTION, SEVERE_LONELINESS, WELLBY


def value(seed):
    return recipes.Value(
        key=seed.key,
        name=seed.name,
        amount=seed.value,
        low=seed.low,
        high=seed.high,
        price_year=seed.price_year,
        basis=seed.basis,
        kind=seed.kind,
        measure=seed.measure,
        overlap_group=seed.overlap_group,
    )


def quantity(n=100, mean="0.5", low="0.3", high="0.7", measure=ChangeMeasure.LIFE_SATISFACTION):
    return recipes.Quantity(
        n=n,
        mean_change=Decimal(mean),
        ci_low=Decimal(low),
        ci_high=Decimal(high),
        measure=measure,
        cohort_label="Connect cohort 2025",
    )


def factors(deadweight="0.2", attribution="1", years=1, drop_off="0"):
    return recipes.Factors(
        deadweight=Decimal(deadweight),
        attribution=Decimal(attribution),
        duration_years=years,
        drop_off=Decimal(drop_off),
    )


# --- golden recipes ------------------------------------------------------------------------


def test_100_residents_half_a_point_one_year_20pc_deadweight_is_520000_in_2019_prices():
    result = recipes.value_of(quantity(), value(WELLBY), factors())
    assert result.central == Decimal("520000.00")
    assert result.by_year == (Decimal("520000.00"),)
    assert result.units == Decimal("50.0")
    assert result.price_basis() == "2019 prices"


def test_the_same_over_two_years_with_20pc_drop_off_is_520000_plus_416000():
    result = recipes.value_of(quantity(), value(WELLBY), factors(years=2, drop_off="0.2"))
    assert result.by_year == (Decimal("520000.00"), Decimal("416000.00"))
    assert result.central == Decimal("936000.00")


def test_drop_off_compounds_year_by_year():
    result = recipes.value_of(quantity(), value(WELLBY), factors(years=3, drop_off="0.2"))
    assert result.by_year == (Decimal("520000.00"), Decimal("416000.00"), Decimal("332800.00"))
    assert result.central == Decimal("1268800.00")


def test_attribution_scales_the_figure():
    result = recipes.value_of(quantity(), value(WELLBY), factors(attribution="0.5"))
    assert result.central == Decimal("260000.00")


def test_decimal_throughout_rounding_only_at_the_end():
    # 7 people, +0.333 each, a third of it ours: 2.331 WELLBYs × £13,000 × 0.8 / 3 …
    result = recipes.value_of(
        quantity(n=7, mean="0.333", low="0.1", high="0.5"),
        value(WELLBY),
        factors(attribution="0.333333"),
    )
    exact = Decimal(7) * Decimal("0.333") * 13000 * Decimal("0.8") * Decimal("0.333333")
    assert result.central == exact.quantize(Decimal("0.01"))


def test_loneliness_values_people_who_made_the_change():
    # 40 people of whom a quarter are no longer severely lonely: 10 × £9,900 × 0.8.
    result = recipes.value_of(
        quantity(
            n=40, mean="0.25", low="0.15", high="0.35", measure=ChangeMeasure.SEVERE_LONELINESS
        ),
        value(SEVERE_LONELINESS),
        factors(),
    )
    assert result.central == Decimal("79200.00")


# --- the guards ----------------------------------------------------------------------------


def test_the_eif_context_figure_cannot_be_multiplied_by_a_count():
    eif = value(LATE_INTERVENTION)
    assert eif.kind == ValueKind.CONTEXT_ONLY
    with pytest.raises(recipes.ContextOnly) as refused:
        recipes.value_of(quantity(measure=ChangeMeasure.OTHER), eif, factors())
    assert list(refused.value.errors) == ["value"]
    assert "context only" in refused.value.errors["value"]
    with pytest.raises(recipes.ContextOnly):
        recipes.times_count(eif, Decimal(100))


def test_a_per_head_value_is_context_only_whatever_its_kind_says():
    mislabelled = recipes.Value(
        key="x", name="Per head", amount=Decimal("287"), low=Decimal("287"),
        high=Decimal("287"), price_year=2016, basis=ValueBasis.HEAD,
        kind=ValueKind.MONETISABLE,
    )  # fmt: skip
    with pytest.raises(recipes.ContextOnly):
        recipes.times_count(mislabelled, Decimal(100))


def test_a_wellby_applies_only_to_life_satisfaction():
    with pytest.raises(recipes.WrongMeasure) as refused:
        recipes.value_of(quantity(measure=ChangeMeasure.OTHER), value(WELLBY), factors())
    assert "measure" in refused.value.errors


def test_every_bad_input_is_named():
    with pytest.raises(recipes.RecipeRefused) as refused:
        recipes.value_of(
            quantity(n=0, mean="0.5", low="0.6", high="0.4"),
            value(WELLBY),
            factors(deadweight="1.2", attribution="-0.1", years=0, drop_off="2"),
        )
    assert set(refused.value.errors) == {
        "n", "ci_low", "ci_high", "deadweight", "attribution", "duration_years", "drop_off",
    }  # fmt: skip


def test_a_change_beyond_the_scale_is_refused():
    with pytest.raises(recipes.RecipeRefused) as refused:
        recipes.value_of(quantity(mean="11", low="10", high="12"), value(WELLBY), factors())
    assert "mean_change" in refused.value.errors


def _part(label, seed, measure=ChangeMeasure.LIFE_SATISFACTION, cohort="Connect cohort 2025"):
    q = quantity(measure=measure, mean="0.25", low="0.1", high="0.4")
    q = recipes.Quantity(q.n, q.mean_change, q.ci_low, q.ci_high, q.measure, cohort)
    return recipes.Part(label, cohort, value(seed), recipes.value_of(q, value(seed), factors()))


def test_one_cohorts_loneliness_value_and_wellbys_are_not_added_without_a_justification():
    wellbys = _part("WELLBYs", WELLBY)
    lonely = _part("Loneliness", SEVERE_LONELINESS, ChangeMeasure.SEVERE_LONELINESS)
    with pytest.raises(recipes.DoubleCounting) as refused:
        recipes.total_of([wellbys, lonely])
    assert list(refused.value.errors) == ["justification"]
    with pytest.raises(recipes.DoubleCounting):
        recipes.total_of([wellbys, lonely], justification="ok")
    why = "The life-satisfaction change is net of the loneliness gain, measured apart."
    total = recipes.total_of([wellbys, lonely], justification=why)
    assert total.central == wellbys.result.central + lonely.result.central
    assert total.overlaps == (("WELLBYs", "Loneliness"),)
    assert total.justification == why


def test_different_cohorts_add_up_without_a_justification():
    first = _part("WELLBYs A", WELLBY, cohort="Cohort A")
    second = _part("Loneliness B", SEVERE_LONELINESS, ChangeMeasure.SEVERE_LONELINESS, "Cohort B")
    total = recipes.total_of([first, second])
    assert total.overlaps == ()
    assert total.justification == ""


def test_the_same_cohort_valued_twice_with_one_value_is_double_counting():
    with pytest.raises(recipes.DoubleCounting):
        recipes.total_of(
            [_part("One", WELLBY), _part("Two", WELLBY, cohort=" connect  COHORT 2025")]
        )


# --- uprating ------------------------------------------------------------------------------


def test_uprating_uses_the_stated_deflator_and_says_so():
    series = deflators.DeflatorSeries(
        key="test", title="GDP deflators (test)", publisher="HM Treasury", edition="June 2025",
        url="https://example.org", licence="OGL", base="2019 = 100", provisional=False,
        index={2019: Decimal("100"), 2025: Decimal("125")},
    )  # fmt: skip
    result = recipes.value_of(quantity(), value(WELLBY), factors(), uprate_to=2025, series=series)
    assert result.central == Decimal("650000.00")  # 520,000 × 125 / 100
    assert result.uprating.factor == Decimal("1.25")
    assert result.prices_year == 2025
    basis = result.price_basis()
    assert basis.startswith("2019 prices uprated to 2025 prices with the GDP deflator")
    assert "HM Treasury, GDP deflators (test), June 2025" in basis
    assert "provisional" not in basis


def test_no_deflator_figures_ship_so_uprating_is_refused_naming_the_field():
    assert deflators.DEFAULT.index == {}
    with pytest.raises(recipes.RecipeRefused) as refused:
        recipes.value_of(quantity(), value(WELLBY), factors(), uprate_to=2025)
    assert list(refused.value.errors) == ["uprate_to"]


def test_a_year_the_deflator_lacks_is_refused_naming_the_field():
    with pytest.raises(recipes.RecipeRefused) as refused:
        recipes.value_of(quantity(), value(WELLBY), factors(), uprate_to=1990)
    assert list(refused.value.errors) == ["uprate_to"]


def test_uprating_to_the_price_year_is_no_uprating():
    result = recipes.value_of(quantity(), value(WELLBY), factors(), uprate_to=2019)
    assert result.uprating is None
    assert result.price_basis() == "2019 prices"


# --- ranges and properties -----------------------------------------------------------------


def test_the_range_takes_the_interval_and_the_values_range():
    result = recipes.value_of(quantity(), value(WELLBY), factors())
    assert result.low == Decimal("240000.00")  # 100 × 0.3 × £10,000 × 0.8
    assert result.high == Decimal("896000.00")  # 100 × 0.7 × £16,000 × 0.8


shares = st.decimals(min_value=0, max_value=1, places=3)
changes = st.decimals(min_value=Decimal("0.01"), max_value=3, places=2)


@st.composite
def recipes_in(draw):
    mean = draw(changes)
    low = mean - draw(st.decimals(min_value=0, max_value=mean, places=2))
    high = mean + draw(st.decimals(min_value=0, max_value=2, places=2))
    return (
        quantity(n=draw(st.integers(1, 5000)), mean=str(mean), low=str(low), high=str(high)),
        factors(
            deadweight=str(draw(shares)),
            attribution=str(draw(shares)),
            years=draw(st.integers(1, 10)),
            drop_off=str(draw(shares)),
        ),
    )


@settings(max_examples=150, deadline=None)
@given(recipes_in())
def test_ranges_bound_the_central_figure(made):
    q, f = made
    result = recipes.value_of(q, value(WELLBY), f)
    assert result.low <= result.central <= result.high


@settings(max_examples=150, deadline=None)
@given(recipes_in(), st.integers(1, 500))
def test_more_people_never_value_less(made, more):
    q, f = made
    bigger = recipes.Quantity(q.n + more, q.mean_change, q.ci_low, q.ci_high, q.measure, "x")
    assert (
        recipes.value_of(bigger, value(WELLBY), f).central
        >= recipes.value_of(q, value(WELLBY), f).central
    )


def _central(q, f, **change):
    factors_ = recipes.Factors(
        change.get("deadweight", f.deadweight),
        change.get("attribution", f.attribution),
        f.duration_years,
        f.drop_off,
    )
    return recipes.value_of(q, value(WELLBY), factors_).central


@settings(max_examples=150, deadline=None)
@given(recipes_in(), shares)
def test_more_deadweight_never_values_more(made, other):
    q, f = made
    low, high = sorted((f.deadweight, other))
    assert _central(q, f, deadweight=high) <= _central(q, f, deadweight=low)


@settings(max_examples=150, deadline=None)
@given(recipes_in(), shares)
def test_more_attribution_never_values_less(made, other):
    q, f = made
    low, high = sorted((f.attribution, other))
    assert _central(q, f, attribution=high) >= _central(q, f, attribution=low)
