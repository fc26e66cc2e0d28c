"""Cohort change over a period: the people who checked in within the
dates, each compared first to latest *within* them, on the page, in both CSV downloads and
in the API, under the published-number rules; wrong dates are named next to the field."""

import csv
import html
import io
import random
import re
import statistics
from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from commonweave.audit.models import AuditEvent
from commonweave.demo.factories import ReferralFactory, ResidentFactory
from commonweave.insights.disclosure.counts import Cell, publish_count
from commonweave.jobs.models import Job
from commonweave.people.enums import ConsentPurpose, FrontDoor
from commonweave.people.models import Consent, Resident
from commonweave.tenancy.enums import Role
from commonweave.wellbeing import cohort, services, stats
from commonweave.wellbeing import period as period_module
from commonweave.wellbeing.models import ScoresExport
from tests.insights.test_published_change import assert_published_row_is_safe
from tests.queries import assert_same_queries_at_two_sizes

from .helpers import answered_checkin, export_csv
from .test_api import api

COHORT = reverse("wellbeing:cohort")
CHANGE_CSV = reverse("wellbeing:cohort_change_csv")
EXPORT_START = reverse("wellbeing:export_start")
DAY0 = date(2025, 1, 6)


def at(day, hour=12):
    """Noon (local time) on DAY0 + day."""
    return timezone.make_aware(datetime.combine(DAY0 + timedelta(days=day), time(hour)))


def check_in(resident, day, ratings, ons4=None, hour=12, packed=True):
    """A completed check-in made directly (as an import would): helpers.answered_checkin."""
    measures = {"ons4": ons4} if ons4 is not None else None
    return answered_checkin(resident, at(day, hour), ratings, measures, packed=packed)


def person(world, front_door=FrontDoor.PUBLIC_WEB, consent=False):
    resident = ReferralFactory(resident__organisation=world.org_a, front_door=front_door).resident
    if consent:
        Consent.objects.create(resident=resident, purpose=ConsentPurpose.EVALUATION, given=True)
    return resident


def row(result, code):
    return next(r for r in result.areas + result.measures if r.code == code)


def period(start, end):
    """The dates exactly as given (cohort windows are otherwise widened to whole weeks,
    tested below in test_windows_are_widened_to_whole_weeks)."""
    return {
        "period_from": DAY0 + timedelta(days=start),
        "period_to": DAY0 + timedelta(days=end),
        "whole_weeks_only": False,
    }


def query(start, end):
    """The page's GET parameters for a period (GOV.UK date inputs: day, month, year)."""
    params = {}
    for name, day in (("period_from", start), ("period_to", end)):
        when = DAY0 + timedelta(days=day)
        params |= {f"{name}_day": when.day, f"{name}_month": when.month, f"{name}_year": when.year}
    return params


# --- what a period means -----------------------------------------------------------------


def test_a_period_compares_each_persons_first_and_latest_check_in_within_it(world):
    people = [person(world) for _ in range(30)]
    for resident in people:
        check_in(resident, 0, {"home": 1, "money": 4})
        check_in(resident, 10, {"home": 3, "money": 4})
        check_in(resident, 20, {"home": 5, "money": 2})
    services.tracks_rebuild(world.place)
    viewer = world.viewer(world.analyst)
    assert row(cohort.cohort_change(viewer), "home").change.mean_change == 4.0
    first_half = cohort.cohort_change(viewer, **period(0, 10))
    second_half = cohort.cohort_change(viewer, **period(10, 20))
    assert row(first_half, "home").change.mean_change == 2.0
    assert row(first_half, "money").change.mean_change == 0.0
    assert row(second_half, "home").change.mean_change == 2.0
    assert row(second_half, "money").change.mean_change == -2.0
    assert first_half.residents.label == "30"


def test_people_in_a_period_are_those_who_checked_in_within_it(world):
    """Whole local days: a check-in at 23:00 on the last day is in, one at midnight is
    not; someone with one check-in in the period counts as a person but not as a pair."""
    inside = [person(world) for _ in range(9)]
    for resident in inside:
        check_in(resident, 1, {"home": 2})
        check_in(resident, 5, {"home": 3}, hour=23)
    just_one = [person(world) for _ in range(3)]
    for resident in just_one:
        check_in(resident, 3, {"home": 2})
        check_in(resident, 6, {"home": 5}, hour=0)  # the next day: outside
    outside = person(world)
    check_in(outside, 9, {"home": 1})
    viewer = world.viewer(world.analyst)
    result = cohort.cohort_change(viewer, **period(1, 5))
    # 12 people checked in (9 + 3), published as 10 or 15 (cell key, then rounding); 9 pairs
    assert result.residents.value in {10, 15}
    assert row(result, "home").change.n == 9
    start, end = period_module.period_bounds(DAY0 + timedelta(days=1), DAY0 + timedelta(days=5))
    residents = Resident.objects.active().filter(place=world.place)
    assert period_module.period_histogram(world.place, residents, start, end)[1].n == 12
    assert row(result, "home").change.mean_change == 1.0
    assert cohort.cohort_change(viewer, **period(7, 8)).residents.label == "0"


def test_only_an_end_or_only_a_start(world):
    for _ in range(30):
        resident = person(world)
        check_in(resident, 0, {"home": 1})
        check_in(resident, 10, {"home": 2})
        check_in(resident, 20, {"home": 4})
    viewer = world.viewer(world.analyst)
    until = cohort.cohort_change(viewer, period_to=DAY0 + timedelta(days=10))
    since = cohort.cohort_change(viewer, period_from=DAY0 + timedelta(days=10))
    assert row(until, "home").change.mean_change == 1.0
    assert row(since, "home").change.mean_change == 2.0


def test_a_period_and_a_front_door_together(world):
    for door, latest in ((FrontDoor.PUBLIC_WEB, 4), (FrontDoor.STAFF, 1)):
        for _ in range(30):
            resident = person(world, front_door=door)
            check_in(resident, 0, {"home": 2})
            check_in(resident, 5, {"home": latest})
            check_in(resident, 40, {"home": 5})
    viewer = world.viewer(world.analyst)
    staff = cohort.cohort_change(viewer, front_door=FrontDoor.STAFF, **period(0, 30))
    assert row(staff, "home").change.mean_change == -1.0
    assert staff.residents.label == "30"


def test_merged_away_records_are_not_in_a_period(world):
    people = [person(world) for _ in range(30)]
    for resident in people:
        check_in(resident, 0, {"home": 2})
        check_in(resident, 5, {"home": 4})
    people[0].merged_into = people[1]
    people[0].save(update_fields=["merged_into"])
    result = cohort.cohort_change(world.viewer(world.analyst), **period(0, 5))
    # 29 people counted: published as their cell, perturbed by their record keys (25 or 30)
    counted = Cell(29, sum(Resident.objects.get(pk=p.pk).record_key for p in people[1:]))
    published = publish_count(counted, threshold=world.place.suppression_threshold).label
    assert (result.residents.label, row(result, "home").change.n) == (published, 29)
    assert row(result, "home").published.enough is False


def test_a_period_covering_every_check_in_equals_the_whole_place(world):
    """The same people, the same first and latest answers: the period path (reading the
    answers) and the whole-place path (reading ScoreTrack) give identical statistics,
    with unanswered areas and ONS4 questions left blank along the way."""
    rng = random.Random(5)
    for _ in range(45):
        resident = person(world)
        for step in range(rng.randint(1, 5)):
            ratings = {key: rng.choice([None, 1, 2, 3, 4, 5]) for key in ("home", "money", "safe")}
            ons4 = None
            if rng.random() < 0.6:
                ons4 = {
                    code: rng.choice(["", 0, 3, 5, 7, 10])
                    for code in ("life_satisfaction", "worthwhile", "happiness", "anxiety")
                }
            check_in(resident, step * 7 + rng.randint(0, 3), ratings, ons4=ons4)
    services.tracks_rebuild(world.place)
    viewer = world.viewer(world.analyst)
    whole = cohort.cohort_change(viewer)
    spanning = cohort.cohort_change(viewer, **period(-1, 60))
    assert [(r.kind, r.code) for r in whole.areas + whole.measures] == [
        (r.kind, r.code) for r in spanning.areas + spanning.measures
    ]
    assert len(whole.measures) == 4
    pairs = zip(whole.areas + whole.measures, spanning.areas + spanning.measures, strict=True)
    for mine, theirs in pairs:
        assert mine.change == theirs.change
        assert mine.published == theirs.published


def test_the_short_cut_and_reading_every_answer_agree(world):
    """Most people rate every area at their first and latest check-in in the period (only
    those two check-ins are read); others skip an area at one end, or had an area added
    to the life map part-way (all their answers are read). Both must give what a plain
    walk over every answer gives."""
    rng = random.Random(8)
    keys = [area.key for area in services.current_lifemap(world.place).areas.all()]
    expected = {}  # (resident, key) -> [first, latest, answers]

    def answer(resident, day, ratings):
        check_in(resident, day, ratings)
        for key, value in ratings.items():
            if value is not None:
                found = expected.setdefault((resident.pk, key), [value, value, 0])
                found[1], found[2] = value, found[2] + 1

    people = [person(world) for _ in range(36)]
    for n, resident in enumerate(people):
        for step in range(4):
            ratings = {key: rng.randint(1, 5) for key in keys}
            if n % 3 == 1 and step in (1, 2):
                ratings["money"] = None  # skipped in the middle: the short cut still holds
            if n % 3 == 2 and step == 3:
                ratings["home"] = None  # skipped at the latest: read in full
            answer(resident, step * 7 + n % 5, ratings)
    # The place adds an area; some people answer it from then on.
    admin = world.viewer(world.manager_a)
    areas = [
        {"key": a.key, "name": a.name, "kind": a.kind, "points": a.points}
        for a in services.current_lifemap(world.place).areas.all()
    ]
    services.lifemap_publish(viewer=admin, areas=[*areas, {**areas[0], "key": "food"}])
    for resident in people[:12]:
        for day in (30, 33):
            answer(resident, day, {**{key: rng.randint(1, 5) for key in keys}, "food": 3})
    result = cohort.cohort_change(world.viewer(world.analyst), **period(0, 40))
    for key in [*keys, "food"]:
        pairs = [(a, b) for (_, k), (a, b, n) in expected.items() if k == key and n >= 2]
        want = stats.paired_change(pairs)
        got = row(result, key).change
        assert (got.n, got.improved, got.same, got.worse) == (
            want.n,
            want.improved,
            want.same,
            want.worse,
        ), key
        assert abs(got.mean_change - want.mean_change) < 1e-9, key


# --- ONS4 with a question left blank -----------------------------------------------------


def test_ons4_blank_question_counts_in_the_other_three_everywhere(world, login):
    """Cohort change (both paths) and the export agree with scoring: a person who left
    anxiety blank at their latest check-in is paired for the three other questions only."""
    full = {"life_satisfaction": 4, "worthwhile": 4, "happiness": 4, "anxiety": 8}
    blank = {"life_satisfaction": 7, "worthwhile": 7, "happiness": 7, "anxiety": ""}
    for n in range(34):
        resident = person(world, consent=n == 0)
        check_in(resident, 0, {"home": 2}, ons4=full)
        check_in(resident, 10, {"home": 3}, ons4=blank if n < 4 else {**blank, "anxiety": 2})
    services.tracks_rebuild(world.place)
    viewer = world.viewer(world.analyst)
    for result in (cohort.cohort_change(viewer), cohort.cohort_change(viewer, **period(0, 10))):
        assert row(result, "ons4.life_satisfaction").change.n == 34
        assert row(result, "ons4.life_satisfaction").change.mean_change == 3.0
        assert row(result, "ons4.anxiety").change.n == 30
        assert row(result, "ons4.anxiety").change.mean_change == -6.0
    rows, _ = export_csv(login(world.analyst))
    latest = [r for r in rows if r[1] == str(DAY0 + timedelta(10))]
    assert sorted(r[4] for r in latest if r[2] == "measure") == [
        "happiness",
        "life_satisfaction",
        "worthwhile",
    ]


# --- the page, the downloads and the API -------------------------------------------------


@pytest.fixture
def thirty_two(world):
    for n in range(32):
        resident = person(world, consent=n < 2)
        check_in(resident, 0, {"home": 2}, ons4={"anxiety": 7})
        check_in(resident, 30, {"home": 4}, ons4={"anxiety": 3})
        check_in(resident, 60, {"home": 1})
    services.tracks_rebuild(world.place)


def published_for(world, start, end):
    """What the page, CSV and API publish for these dates (widened to whole weeks)."""
    viewer = world.viewer(world.analyst)
    dates = {k: v for k, v in period(start, end).items() if k != "whole_weeks_only"}
    return cohort.cohort_change(viewer, **dates)


def test_the_page_shows_a_period(world, login, thirty_two):
    response = login(world.analyst).get(COHORT, query(0, 30))
    body = response.content.decode()
    assert response.status_code == 200
    result = published_for(world, 0, 30)
    assert result.residents.label in {"30", "35"}  # 32, perturbed and rounded
    assert f"People in this group: <strong>{result.residents.label}</strong>" in body
    # 6 January 2025 is a Monday; 5 February a Wednesday, widened to Sunday 9 February.
    assert "Dates are widened to whole weeks" in body
    assert "People who checked in from 6 January 2025 up to 9 February 2025" in body
    home, anxiety = row(result, "home"), row(result, "ons4.anxiety")
    assert (home.change.mean_change, anxiety.change.mean_change) == (2.0, -4.0)
    assert home.published.mean_change in body and anxiety.published.mean_change in body
    assert row(cohort.cohort_change(world.viewer(world.analyst)), "home").change.mean_change == -1


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        (query(30, 0), "period_to", "The end of the period must be the same as or after its start"),
        (
            {"period_from_day": "31", "period_from_month": "2", "period_from_year": "2025"},
            "period_from",
            "Enter a real date, for example 27 3 1950",
        ),
        ({"period_from_day": "3"}, "period_from", "Enter a day, month and year"),
        (
            {
                "referred_from_day": "2",
                "referred_from_month": "3",
                "referred_from_year": "2025",
                "referred_to_day": "1",
                "referred_to_month": "3",
                "referred_to_year": "2025",
            },
            "referred_to",
            "The last referral date must be the same as or after the first",
        ),
    ],
)
def test_wrong_dates_are_named_next_to_the_field_and_show_no_numbers(
    world, login, thirty_two, params, field, message
):
    client = login(world.analyst)
    response = client.get(COHORT, params)
    body = response.content.decode()
    assert response.status_code == 400
    assert (
        f'<p id="id_{field}-error" class="govuk-error-message">'
        f'<span class="govuk-visually-hidden">Error:</span> {html.escape(message)}</p>'
    ) in body
    assert f'href="#id_{field}_day">{html.escape(message)}</a>' in body  # the summary
    assert "People in this group" not in body
    assert "+2.00" not in body
    # What was typed is kept.
    for name, value in params.items():
        assert f'name="{name}" value="{value}"' in body
    # The table's download link and the scores export with the same dates give the same
    # page: no file, no job and no audit.
    before = AuditEvent.objects.count()
    for download in (client.get(CHANGE_CSV, params), client.post(EXPORT_START, params)):
        assert download.status_code == 400
        assert "text/csv" not in download["Content-Type"]
        assert f'<p id="id_{field}-error" class="govuk-error-message">' in download.content.decode()
    assert AuditEvent.objects.count() == before
    assert not ScoresExport.objects.exists()
    assert not Job.objects.exists()


def test_the_change_csv_has_the_pages_published_numbers_for_a_period(world, login, thirty_two):
    before = AuditEvent.objects.count()
    response = login(world.catalyst_a).get(CHANGE_CSV, query(0, 30))
    assert response["Cache-Control"] == "no-store, private"
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == cohort.CHANGE_HEADER
    result = published_for(world, 0, 30)
    assert rows[1][:5] == ["group", "", "People in this group", "", result.residents.label]
    home = next(r for r in rows if r[1] == "home")
    published = row(result, "home").published
    # a signed number stays a number; the interval (text starting "+" or "-") is neutralised
    assert home[4] == published.n and home[6].startswith("'")
    assert [cell.removeprefix("'") for cell in home[4:]] == [
        published.n,
        published.mean_change,
        published.ci,
        published.dz,
        published.improved,
        published.same,
        published.worse,
    ]
    anxiety = next(r for r in rows if r[1] == "ons4.anxiety")
    assert anxiety[3:6] == [
        "worse",
        *[getattr(row(result, "ons4.anxiety").published, f) for f in ("n", "mean_change")],
    ]
    events = list(AuditEvent.objects.order_by("pk")[before:])
    assert [(e.action, e.object_type, e.object_id) for e in events] == [
        ("export", "wellbeing.export", "change")
    ]
    assert events[0].detail == {"period_from": "2025-01-06", "period_to": "2025-02-05"}


def test_the_scores_export_keeps_to_the_period(world, login, thirty_two):
    rows, _ = export_csv(login(world.analyst), query(0, 30))
    rows = rows[1:]
    assert {r[1] for r in rows} == {"2025-01-06", "2025-02-05"}
    assert len(rows) == 2 * 2 * 2  # 2 consenting people x 2 check-ins x (home + anxiety)


def test_who_may_download_the_change_table(world):
    from tests.conftest import assert_access

    assert_access(
        world,
        "get",
        CHANGE_CSV,
        {"catalyst_a": 200, "manager_a": 200, "catalyst_b": 200, "analyst": 200, "outsider": 200},
    )


def test_the_api_takes_a_period(world, thirty_two):
    client = api(world.org_a, Role.ANALYST)
    body = client.get(
        "/api/wellbeing/cohort", period_from="2025-01-06", period_to="2025-02-05"
    ).json()
    result = published_for(world, 0, 30)
    assert body["people"] == result.residents.label
    assert body["filters"] == {"period_from": "2025-01-06", "period_to": "2025-02-09"}
    assert body["privacy_budget"]["spent"] > 0
    home = next(r for r in body["rows"] if r["code"] == "home")
    published = row(result, "home").published
    assert (home["people"], home["mean_change"], home["improved"], home["state"]) == (
        published.n,
        published.mean_change,
        published.improved,
        "released",
    )


def test_windows_are_widened_to_whole_weeks(world):
    """Near-duplicate windows (ending a day apart) are the same published cohort."""
    for n in range(31):
        resident = person(world)
        check_in(resident, 0, {"home": 2})
        check_in(resident, 2 + n % 5, {"home": 4})  # Wednesday to Sunday of the first week
    viewer = world.viewer(world.analyst)
    answers = [
        cohort.cohort_change(viewer, period_from=DAY0, period_to=DAY0 + timedelta(days=end))
        for end in range(2, 7)
    ]
    assert all(a.filters["period_to"] == DAY0 + timedelta(days=6) for a in answers)
    assert len({tuple(r.published for r in a.areas) for a in answers}) == 1
    assert row(answers[0], "home").change.n == 31


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"period_from": "2025-02-30"}, "period_from", "Enter a date like 1950-03-27"),
        ({"period_to": "soon"}, "period_to", "Enter a date like 1950-03-27"),
        (
            {"period_from": "2025-02-05", "period_to": "2025-01-06"},
            "period_to",
            "The end of the period must be the same as or after its start",
        ),
        (
            {"referred_from": "2025-02-05", "referred_to": "2025-01-06"},
            "referred_to",
            "The last referral date must be the same as or after the first",
        ),
    ],
)
def test_the_api_names_a_wrong_date(world, params, field, message):
    response = api(world.org_a, Role.ANALYST).get("/api/wellbeing/cohort", **params)
    assert response.status_code == 400
    assert response.json() == {"errors": [{"field": field, "message": message}]}


def test_the_period_page_queries_do_not_grow_with_people(world, login):
    client = login(world.analyst)

    def make(count):
        for _ in range(count):
            resident = ResidentFactory(organisation=world.org_a)
            check_in(resident, 0, {"home": 2}, ons4={"anxiety": 5})
            check_in(resident, 3, {"home": 3}, ons4={"anxiety": 4})

    def fetch():
        assert client.get(COHORT, query(0, 5)).status_code == 200

    # Both sizes publish their rows; warm, so releasing is not what is counted (see
    # tests/wellbeing/test_cohort.py).
    [at_small] = assert_same_queries_at_two_sizes(make, fetch, small=31, large=45)
    assert at_small <= 25


# --- suppression: every window of a ladder, and each pair differing by one person ----------

NUMBER = re.compile(r"^(0|fewer than 8|\d{1,3}(,\d{3})*)$")


def assert_count(label):
    assert NUMBER.match(label), label
    if label not in ("0", "fewer than 8"):
        assert int(label.replace(",", "")) % 5 == 0, label


def test_no_page_download_or_api_answer_breaks_the_rules_for_any_group(world, login):
    """Person i checks in on days 2i and 2i+1, so the period [0, 2k-1] holds exactly the
    first k people. For every k from 1 to 40 the page, the change CSV and the API show
    only protected counts and no change under 30 pairs; and comparing k with k+1 (one
    person more) does not give that person's change (the noise is in the way)."""
    rng = random.Random(11)
    for i in range(40):
        resident = person(world)
        ons4 = {"happiness": rng.randint(0, 10)}
        check_in(resident, 2 * i, {"home": rng.randint(1, 5)}, ons4=ons4)
        later = {"happiness": rng.randint(0, 10)} if rng.random() < 0.9 else {}
        check_in(resident, 2 * i + 1, {"home": rng.randint(1, 5)}, ons4=later)
    viewer = world.viewer(world.analyst)
    client = login(world.analyst)
    token = api(world.org_a, Role.ANALYST)
    previous, misses = None, []
    for k in range(1, 41):
        exact_dates = cohort.cohort_change(viewer, **period(0, 2 * k - 1))
        # k people, perturbed by at most 2 when 8 or more, then rounded to 5
        if k < 8:
            assert exact_dates.residents.value is None
        else:
            assert exact_dates.residents.value in {5 * ((m + 2) // 5) for m in range(k - 2, k + 3)}
        # The rows themselves: counts protected, nothing else under 30 pairs.
        for r in exact_dates.areas + exact_dates.measures:
            assert_published_row_is_safe(r.change.n, r.published, 8)
        # The page shows the published cells of the same dates widened to whole weeks, and
        # nothing finer; the API and the CSV show the same.
        dates = {key: v for key, v in period(0, 2 * k - 1).items() if key != "whole_weeks_only"}
        result = cohort.cohort_change(viewer, **dates)
        for r in result.areas + result.measures:
            assert_published_row_is_safe(r.change.n, r.published, 8)
        body = client.get(COHORT, query(0, 2 * k - 1)).content.decode()
        shown = re.search(r"People in this group: <strong>([^<]*)</strong>", body).group(1)
        assert_count(shown)
        people_cells = re.findall(
            r'<th scope="row" class="govuk-table__header">[^<]*</th>\s*'
            r'<td class="govuk-table__cell govuk-table__cell--numeric">([^<]*)</td>',
            body,
        )
        assert len(people_cells) == len(result.areas + result.measures)
        for label in people_cells:
            assert_count(label)
        if not any(r.published.enough for r in result.areas + result.measures):
            assert "Mean change</th>" in body and "%</td>" not in body
        # The API and the CSV carry the same labels.
        answer = token.get(
            "/api/wellbeing/cohort",
            period_from=str(DAY0),
            period_to=str(DAY0 + timedelta(days=2 * k - 1)),
        ).json()
        assert answer["people"] == result.residents.label
        for api_row, r in zip(answer["rows"], result.areas + result.measures, strict=True):
            assert api_row["people"] == r.published.n
            assert api_row["mean_change"] == r.published.mean_change
            assert (api_row["improved"], api_row["same"], api_row["worse"]) == (
                r.published.improved,
                r.published.same,
                r.published.worse,
            )
        text = b"".join(client.get(CHANGE_CSV, query(0, 2 * k - 1)).streaming_content)
        for line in list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))[1:]:
            assert_count(line[4])
        # One person more than the previous group: a new release (new noise), never the
        # exact difference (the spread of the error is tested in
        # tests/insights/test_published_change.py).
        if previous is not None:
            earlier = {p.code: p for p in previous.areas + previous.measures}
            for r in exact_dates.areas + exact_dates.measures:
                before = earlier.get(r.code)
                if before is None or not (r.published.enough and before.published.enough):
                    continue
                n = before.change.n
                if r.change.n == n + 1:
                    exact = (n + 1) * r.change.mean_change - n * before.change.mean_change
                    guess = (n + 1) * r.published.mean_value - n * before.published.mean_value
                    misses.append(abs(guess - exact))
        previous = exact_dates
    # Each pair one person apart: the differencing attack is off by the noise (spread in
    # tests/insights/test_published_change.py), typically by whole points, never exact.
    assert misses and statistics.median(misses) > 1
