"""The social value pages: who sees the library and the recipes, the golden recipe made
through the form, the receipt, and the guards shown beside their fields."""

from decimal import Decimal

import pytest
from django.http import Http404

from commonweave.audit.models import AuditEvent
from commonweave.impact import services
from commonweave.impact.models import SocialValue, ValueRecipe
from commonweave.impact.values import SHIPPED
from commonweave.tenancy.viewer import viewer_for_user
from tests.conftest import assert_access, client_for

from .conftest import golden_form

pytestmark = pytest.mark.django_db

VALUERS = {"manager_a": 200, "analyst": 200}
# The outsider is a place admin in their own place: they see its library and its form.
ANY_PLACE = {**VALUERS, "outsider": 200}


def test_the_library_ships_the_three_open_values_with_sources_and_licences():
    shipped = {value.key: value for value in SocialValue.objects.filter(place__isnull=True)}
    assert sorted(shipped) == sorted(seed.key for seed in SHIPPED)
    wellby = shipped["hmt-wellby-2021"]
    assert (wellby.value, wellby.low, wellby.high, wellby.price_year) == (
        Decimal("13000.00"), Decimal("10000.00"), Decimal("16000.00"), 2019,
    )  # fmt: skip
    assert wellby.measure == "life_satisfaction"
    assert shipped["dcms-severe-loneliness-2020"].value == Decimal("9900.00")
    assert "not checked" in shipped["dcms-severe-loneliness-2020"].source_note
    assert shipped["eif-late-intervention-2016"].kind == "context_only"
    assert all(value.source_url and value.licence for value in shipped.values())


def test_who_sees_the_value_library(world):
    assert_access(world, "get", "/impact/values/", ANY_PLACE)


def test_who_may_open_the_recipe_form(world):
    assert_access(world, "get", "/impact/recipes/new/", ANY_PLACE)


def test_only_a_place_admin_loads_a_local_value(world):
    assert_access(world, "get", "/impact/values/new/", {"manager_a": 200, "outsider": 200})


def test_the_library_page_shows_each_source_and_licence(world):
    page = client_for(world.analyst).get("/impact/values/").content.decode()
    assert "HM Treasury" in page
    assert "Open Government Licence v3.0" in page
    assert "Context only" in page
    assert "Load a local or licensed value" not in page  # an analyst is not a place admin


def test_the_golden_recipe_through_the_form_and_its_receipt(world, wellby):
    client = client_for(world.manager_a)
    response = client.post("/impact/recipes/new/", golden_form(wellby))
    recipe = ValueRecipe.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/impact/recipes/{recipe.public_id}/"
    assert recipe.central == Decimal("520000.00")
    assert (recipe.deadweight, recipe.attribution) == (Decimal("0.2"), Decimal("1"))
    assert recipe.price_basis == "2019 prices"
    page = client.get(response["Location"]).content.decode()
    assert "£520,000" in page
    assert "2019 prices" in page
    assert 'id="receipt-deadweight"' in page
    assert "Assumption by" in page  # the deadweight had no source
    assert "Board decision, November 2026" in page
    assert "not read from a published cohort" in page
    event = AuditEvent.objects.get(object_type="impact.valuerecipe")
    assert (event.action, event.object_id) == ("create", recipe.public_id)
    assert event.detail["central"] == "520000.00"


def test_two_years_with_drop_off_through_the_form(world, wellby):
    client = client_for(world.analyst)
    client.post("/impact/recipes/new/", golden_form(wellby, duration_years="2", drop_off="20"))
    recipe = ValueRecipe.objects.get()
    assert recipe.central == Decimal("936000.00")
    assert recipe.by_year == ["520000.00", "416000.00"]


def test_the_eif_figure_is_refused_beside_the_value_field_keeping_what_was_typed(
    world, late_intervention
):
    response = client_for(world.manager_a).post(
        "/impact/recipes/new/",
        golden_form(late_intervention, measure="other", mean_change="0.4321"),
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert ValueRecipe.objects.count() == 0
    assert 'id="id_value-error"' in page
    assert "context only: it cannot be multiplied by a number of residents" in page
    assert 'value="0.4321"' in page


def test_a_wellby_on_another_measure_is_refused_beside_the_measure(world, wellby):
    response = client_for(world.manager_a).post(
        "/impact/recipes/new/", golden_form(wellby, measure="other")
    )
    assert response.status_code == 400
    assert 'id="id_measure-error"' in response.content.decode()


def test_a_percentage_over_100_is_named(world, wellby):
    response = client_for(world.manager_a).post(
        "/impact/recipes/new/", golden_form(wellby, deadweight="120")
    )
    assert response.status_code == 400
    assert 'id="id_deadweight-error"' in response.content.decode()


def test_a_recipe_is_seen_in_its_own_place_only(world, wellby):
    viewer = world.viewer(world.manager_a)
    client_for(world.manager_a).post("/impact/recipes/new/", golden_form(wellby))
    recipe = ValueRecipe.objects.get()
    assert recipe.place == viewer.place
    assert_access(world, "get", f"/impact/recipes/{recipe.public_id}/", VALUERS)


def test_a_local_value_needs_the_licence_confirmed_and_records_who(world):
    client = client_for(world.manager_a)
    data = {
        "name": "Local value bank: feeling in control",
        "value": "1200",
        "low": "1000",
        "high": "1400",
        "unit": "per person per year",
        "basis": "person",
        "measure": "",
        "price_year": "2023",
        "source_title": "A value bank",
        "source_publisher": "A publisher",
        "licence": "Licensed to Testford Connect",
    }
    refused = client.post("/impact/values/new/", data)
    assert refused.status_code == 400
    assert 'id="id_licence_confirmed-error"' in refused.content.decode()
    assert (
        client.post("/impact/values/new/", {**data, "licence_confirmed": "on"}).status_code == 302
    )
    loaded = SocialValue.objects.get(place=world.place)
    assert loaded.licence_confirmed_by == world.manager_a
    assert loaded.licence_confirmed_at is not None
    assert loaded.may_redistribute is False
    viewer = world.viewer(world.analyst)
    from commonweave.impact import selectors

    assert loaded in selectors.values_for(viewer)
    assert loaded not in selectors.values_for_export(viewer)
    other = viewer_for_user(world.outsider, world.other_place)  # another place's admin
    with pytest.raises(Http404):
        services.recipe_create(viewer=other, title="x", value=loaded, quantity=None, factors=None)


def test_the_double_counting_guard_records_who_justified_it_and_when(world, wellby, loneliness):
    from django.core.exceptions import ValidationError

    from commonweave.impact import recipes

    viewer = world.viewer(world.manager_a)

    def make(value, measure, mean):
        return services.recipe_create(
            viewer=viewer,
            title=f"{value.name}",
            value=value,
            quantity=recipes.Quantity(
                100,
                Decimal(mean),
                Decimal(mean) - Decimal("0.1"),
                Decimal(mean) + Decimal("0.1"),
                measure,
                "Connect cohort 2025",
            ),  # fmt: skip
            factors=recipes.Factors(Decimal("0.2"), Decimal("1"), 1, Decimal("0")),
        )

    both = [make(wellby, "life_satisfaction", "0.5"), make(loneliness, "severe_loneliness", "0.2")]
    with pytest.raises(ValidationError) as refused:
        services.total_create(viewer=viewer, title="All", recipes_in=both)
    assert "justification" in refused.value.message_dict
    why = "The loneliness value here counts only its health and productivity costs."
    total = services.total_create(viewer=viewer, title="All", recipes_in=both, justification=why)
    assert total.justification == why
    assert total.justified_by == world.manager_a
    assert total.justified_at is not None
    assert total.central == Decimal("520000.00") + Decimal("158400.00")


def test_the_figure_lists_make_the_same_queries_at_two_sizes(world, wellby):
    from commonweave.impact import recipes
    from tests.api.conftest import session_client
    from tests.queries import assert_same_queries_at_two_sizes

    viewer = world.viewer(world.analyst)
    page, api = client_for(world.analyst), session_client(world.analyst)

    def make(count):
        for _ in range(count):
            services.recipe_create(
                viewer=viewer,
                title="Life satisfaction",
                value=wellby,
                quantity=recipes.Quantity(
                    100, Decimal("0.5"), Decimal("0.3"), Decimal("0.7"), "life_satisfaction", "A"
                ),
                factors=recipes.Factors(Decimal("0.2"), Decimal("1"), 1, Decimal("0")),
            )

    def fetch_page():
        assert page.get("/impact/recipes/").status_code == 200

    def fetch_api():
        assert api.get("/api/impact/recipes").status_code == 200

    assert_same_queries_at_two_sizes(make, [fetch_page, fetch_api])


def test_a_licensed_value_is_withheld_from_an_export_receipt(world, wellby):
    from commonweave.impact import receipt, recipes

    admin = world.viewer(world.manager_a)
    licensed = services.local_value_add(
        viewer=admin,
        name="Licensed value",
        value=Decimal("1000"),
        low=Decimal("1000"),
        high=Decimal("1000"),
        unit="per person per year",
        basis="person",
        price_year=2023,
        source_title="A value bank",
        source_publisher="A publisher",
        licence="Licensed to Testford Connect",
        licence_confirmed=True,
    )
    recipe = services.recipe_create(
        viewer=admin,
        title="Licensed figure",
        value=licensed,
        quantity=recipes.Quantity(
            10, Decimal("0.5"), Decimal("0.4"), Decimal("0.6"), "other", "Cohort B"
        ),
        factors=recipes.Factors(Decimal("0"), Decimal("1"), 1, Decimal("0")),
    )
    assert recipe.central == Decimal("5000.00")
    inside = {row.key: row for row in receipt.rows(recipe)}
    outside = {row.key: row for row in receipt.rows(recipe, for_export=True)}
    assert "A value bank" in inside["value"].source
    assert "licence confirmed by manager.a@example.org" in inside["value"].source
    assert outside["value"].source == ""
    assert outside["value"].factor == "Licensed value"
    assert "Withheld" in outside["value"].value


def test_a_correction_is_a_new_version_and_the_old_figure_is_kept(world, wellby):
    client = client_for(world.manager_a)
    client.post("/impact/recipes/new/", golden_form(wellby))
    first = ValueRecipe.objects.get()
    form = client.get(f"/impact/recipes/new/?from={first.public_id}").content.decode()
    assert 'value="20"' in form  # the deadweight as typed, in per cent
    assert f'value="{first.public_id}"' in form
    corrected = golden_form(wellby, deadweight="25", previous=first.public_id)
    response = client.post("/impact/recipes/new/", corrected)
    second = ValueRecipe.objects.exclude(pk=first.pk).get()
    assert response["Location"] == f"/impact/recipes/{second.public_id}/"
    assert (second.version, second.previous, second.central) == (2, first, Decimal("487500.00"))
    first.refresh_from_db()
    assert first.central == Decimal("520000.00")
    assert (
        "This figure has been corrected"
        in client.get(f"/impact/recipes/{first.public_id}/").content.decode()
    )
    again = client.post("/impact/recipes/new/", corrected)
    assert again.status_code == 400
    assert "already has a newer version" in again.content.decode()
