"""The chart library (chart.js, the heaviest file on these pages) is loaded only when a
page has something to draw: a resident's life map with check-ins, the cohort page with
published change."""

from django.urls import reverse

from .test_pages import complete, picture_url

CHART = "/static/chartjs/chart.umd.min.js"


def test_life_map_without_check_ins_loads_no_chart_script(world, resident_a, login):
    body = login(world.catalyst_a).get(picture_url(resident_a)).content.decode()
    assert "No check-ins yet" in body
    assert CHART not in body
    assert "wellbeing/picture.mjs" not in body


def test_life_map_with_check_ins_loads_the_charts(world, resident_a, login):
    complete(world, resident_a, {"home": 2, "money": 1})
    body = login(world.catalyst_a).get(picture_url(resident_a)).content.decode()
    assert body.count(CHART) == 1
    assert "wellbeing/picture.mjs" in body


def test_cohort_page_without_published_change_loads_no_chart_script(world, login):
    body = login(world.analyst).get(reverse("wellbeing:cohort")).content.decode()
    assert "Change over time" in body
    assert CHART not in body
