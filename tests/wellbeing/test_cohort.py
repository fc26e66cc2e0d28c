"""Cohort change for evaluators: the page, the pseudonymous CSV export, and who may see
them. Published numbers: people perturbed and rounded to 5 ("fewer than 8" for 1-7),
nothing but the count under 30 paired people, changes with noise (insights.disclosure;
the noise itself is tested in tests/insights/test_differencing.py)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from commonweave.audit.models import AuditEvent
from commonweave.demo.factories import ReferralFactory, ResidentFactory
from commonweave.insights.disclosure.change import mean_noise_scale
from commonweave.people.enums import ConsentPurpose, FrontDoor
from commonweave.people.models import Consent
from commonweave.wellbeing import cohort, exports, services
from commonweave.wellbeing.models import (
    ScoreTrack,
)
from tests.conftest import assert_access
from tests.queries import assert_same_queries_at_two_sizes

from .helpers import answered_checkin, export_csv

COHORT = reverse("wellbeing:cohort")
EXPORT_START = reverse("wellbeing:export_start")


def make_checkin(resident, ratings, when, anxiety=None):
    measures = None
    if anxiety is not None:
        answers = {"life_satisfaction": 6, "worthwhile": 6, "happiness": 6, "anxiety": anxiety}
        measures = {"ons4": answers}
    return answered_checkin(resident, ratings=ratings, when=when, measures=measures)


def people_with_change(
    world, count, *, front_door=FrontDoor.PUBLIC_WEB, consent=False, home=(2, 4), anxiety=(7, 3)
):
    start = timezone.now() - timedelta(days=90)
    residents = []
    for _ in range(count):
        referral = ReferralFactory(resident__organisation=world.org_a, front_door=front_door)
        resident = referral.resident
        make_checkin(resident, {"home": home[0], "money": 3}, start, anxiety=anxiety[0])
        make_checkin(resident, {"home": home[1], "money": 3}, start + timedelta(days=30))
        make_checkin(
            resident, {"home": home[1], "money": 3}, start + timedelta(days=60), anxiety=anxiety[1]
        )
        if consent:
            Consent.objects.create(resident=resident, purpose=ConsentPurpose.EVALUATION, given=True)
        residents.append(resident)
    services.tracks_rebuild(world.place)  # rows made directly, as a bulk import would
    return residents


def assert_near(row, place, exact_mean):
    """The published mean is the exact one plus Laplace noise of the documented scale:
    twelve scales out happens once in 160,000 draws."""
    width = cohort._area_widths(place).get(row.code) or 10
    if row.kind == ScoreTrack.MEASURE:
        width = 10  # ONS4 questions are 0-10
    assert row.change.mean_change == exact_mean
    scale = mean_noise_scale(row.change.n, width)
    assert abs(row.published.mean_value - exact_mean) <= 12 * scale + 0.005


def assert_few(share):
    """No one is in this group; with noise on the counts (scale 2) it shows as hidden or a
    small share (a noisy count of 16 or more happens about once in 5,000)."""
    assert share == "not enough people yet" or int(share.rstrip("%")) < 40, share


def test_who_can_see_cohort_change(world):
    # Aggregates: catalysts, coordinators, analysts, place admins (each in their own place).
    assert_access(
        world,
        "get",
        COHORT,
        {"catalyst_a": 200, "manager_a": 200, "catalyst_b": 200, "analyst": 200, "outsider": 200},
    )


def test_who_can_ask_for_the_scores_export(world):
    # Analysts and place admins, each in their own place (the outsider's export is of theirs).
    assert_access(world, "post", EXPORT_START, {"manager_a": 302, "analyst": 302, "outsider": 302})


def test_thirty_paired_people_show_change(world, login):
    people_with_change(world, 32)
    body = login(world.analyst).get(COHORT).content.decode()
    result = cohort.cohort_change(world.viewer(world.analyst))
    # 32 people, perturbed by at most 2 and rounded to 5
    assert result.residents.label in {"30", "35"}
    assert f"People in this group: <strong>{result.residents.label}</strong>" in body
    home = next(row for row in result.areas if row.code == "home")
    assert home.published.enough and home.change.n == 32
    assert_near(home, world.place, 2.0)
    assert int(home.published.n) % 5 == 0  # from the noisy counts, rounded
    # ... and never more than the group's own published count
    for row in result.areas + result.measures:
        assert int(row.published.n) <= int(result.residents.label)
    assert_few(home.published.worse)
    money = next(row for row in result.areas if row.code == "money")
    assert_near(money, world.place, 0.0)
    # The page shows the same released numbers as the function (and so the API and CSV).
    assert home.published.mean_change in body and home.published.ci in body


def test_anxiety_falling_is_counted_as_improvement(world):
    people_with_change(world, 31, anxiety=(7, 3))
    result = cohort.cohort_change(world.viewer(world.analyst))
    anxiety = next(row for row in result.measures if row.code == "ons4.anxiety")
    assert anxiety.higher_is == "worse"
    assert (anxiety.change.improved, anxiety.change.worse) == (31, 0)
    assert_near(anxiety, world.place, -4.0)
    assert_few(anxiety.published.worse)


def test_fewer_than_thirty_shows_not_enough_people(world, login):
    people_with_change(world, 12)
    body = login(world.analyst).get(COHORT).content.decode()
    assert "Not enough people yet" in body
    assert "+2.0" not in body and "+1.9" not in body
    result = cohort.cohort_change(world.viewer(world.analyst))
    assert all(not row.published.enough for row in result.areas + result.measures)
    assert f"People in this group: <strong>{result.residents.label}</strong>" in body
    assert result.residents.label in {"10", "15"}


def test_small_groups_show_fewer_than_the_threshold(world, login):
    people_with_change(world, 3)
    body = login(world.analyst).get(COHORT).content.decode()
    assert "People in this group: <strong>fewer than 8</strong>" in body


def test_cohort_by_front_door(world):
    people_with_change(world, 30, front_door=FrontDoor.PUBLIC_WEB, home=(2, 4))
    people_with_change(world, 30, front_door=FrontDoor.STAFF, home=(4, 3))
    viewer = world.viewer(world.analyst)
    web = cohort.cohort_change(viewer, front_door=FrontDoor.PUBLIC_WEB)
    staff = cohort.cohort_change(viewer, front_door=FrontDoor.STAFF)
    assert_near(next(r for r in web.areas if r.code == "home"), world.place, 2.0)
    assert_near(next(r for r in staff.areas if r.code == "home"), world.place, -1.0)


def test_other_places_are_never_counted(world, login):
    people_with_change(world, 31)
    body = login(world.outsider).get(COHORT).content.decode()
    assert "People in this group: <strong>0</strong>" in body
    assert "+2.00" not in body


def test_export_has_pseudonymous_ids_consented_people_only_and_is_audited(world, login):
    consented = people_with_change(world, 2, consent=True)
    not_consented = people_with_change(world, 1)
    before = AuditEvent.objects.count()
    rows, response = export_csv(login(world.analyst))
    assert rows[0] == exports.EXPORT_HEADER
    people = {row[0] for row in rows[1:]}
    assert people == {exports.pseudonym(world.place, r.pk) for r in consented}
    text = "\n".join(",".join(row) for row in rows)
    for resident in consented + not_consented:
        assert resident.public_id not in text
        assert resident.full_name not in text
    assert len(rows) == 1 + 2 * (3 * 2 + 2 * 4)  # 3 check-ins x 2 areas, 2 ONS4 x 4 metrics
    events = list(AuditEvent.objects.order_by("pk")[before:])
    assert [(e.action, e.object_type) for e in events] == [("export", "wellbeing.export")]
    assert response["Cache-Control"] == "no-store, private"


def test_cohort_queries_do_not_grow_with_people(world, login):
    client = login(world.analyst)

    def fetch():
        assert client.get(COHORT).status_code == 200

    # Both sizes over 30 paired people, so both publish their rows (one more query reads
    # the releases); warm, so the rows are released before counting (asking again is
    # what is counted: a release is a few queries per page, not per person).
    [at_small] = assert_same_queries_at_two_sizes(
        lambda count: people_with_change(world, count), fetch, small=31, large=45
    )
    assert at_small <= 20


def test_partner_without_aggregate_role_gets_404(world, login):
    assert login(world.worker_b).get(COHORT).status_code == 404
    assert login(world.catalyst_a).post(EXPORT_START).status_code == 404


def _tracks(place):
    return sorted(
        ScoreTrack.objects.filter(place=place).values_list(
            "resident_id", "kind", "code", "higher_is", "first_value", "latest_value", "answers"
        )
    )


def test_tracks_kept_by_the_services_match_a_rebuild_from_every_answer(world):
    viewer = world.viewer(world.catalyst_a)
    ons4 = {"life_satisfaction": 3, "worthwhile": 4, "happiness": 5, "anxiety": 8}
    for n in range(3):
        resident = ResidentFactory(organisation=world.org_a, catalyst=world.catalyst_a)
        for step in range(n + 1):
            checkin = services.checkin_start(viewer=viewer, resident=resident)
            services.checkin_submit(
                viewer=viewer,
                checkin=checkin,
                ratings={"home": 1 + step, "money": 5 - step} if step != 1 else {"home": 2},
                measures={"ons4": {**ons4, "anxiety": 8 - step}} if step % 2 == 0 else {},
            )
    kept = _tracks(world.place)
    assert ("measure", "ons4.anxiety") in {(k, c) for _, k, c, *_ in kept}
    services.tracks_rebuild(world.place)
    assert _tracks(world.place) == kept


def test_merged_away_records_are_not_counted(world):
    people = people_with_change(world, 30)
    viewer = world.viewer(world.analyst)
    home = next(r for r in cohort.cohort_change(viewer).areas if r.code == "home")
    assert home.change.n == 30
    people[0].merged_into = people[1]
    people[0].save(update_fields=["merged_into"])
    home = next(r for r in cohort.cohort_change(viewer).areas if r.code == "home")
    assert home.change.n == 29
    assert home.published.enough is False


def test_the_page_tells_no_pairs_at_all_from_a_measure_no_one_answered_twice(world, login):
    """Everyone has one check-in: no change anywhere, and the page says so once. Then
    people check in twice but answer ONS4 only the first time: the areas have change, and
    ONS4 is named as answered in the place but by no one in the group twice."""
    start = timezone.now() - timedelta(days=40)
    people = [ResidentFactory(organisation=world.org_a) for _ in range(10)]
    for resident in people:
        make_checkin(resident, {"home": 2}, start, anxiety=5)
    services.tracks_rebuild(world.place)
    body = login(world.analyst).get(COHORT).content.decode()
    assert body.count("No one in this group has two check-ins yet") == 2  # areas, measures
    assert "answered a measure twice" not in body
    for resident in people:
        make_checkin(resident, {"home": 3}, start + timedelta(days=20))
    services.tracks_rebuild(world.place)
    body = login(world.analyst).get(COHORT).content.decode()
    assert "No one in this group has two check-ins yet" not in body
    assert "No one in this group has answered a measure twice yet." in body
    assert "Answered in this place, but by no one in this group twice yet:" in body
    assert "<li>Personal wellbeing (ONS4): Anxiety</li>" in body
