"""Fair alerts, no broadcast storms: a need alerts the few nearest eligible, available
helpers asked least recently (five by default), never everyone."""

import datetime
import math
import random
from collections import Counter

from commonweave.mutualaid import services
from commonweave.mutualaid.enums import AidFrontDoor, Kind
from commonweave.mutualaid.models import Alert, PlaceSettings

from . import factories

START = datetime.datetime(2026, 6, 1, 9, tzinfo=datetime.UTC)


def _need(public, cat, area, now, **extra):
    return services.request_create(
        viewer=public,
        kind=Kind.NEED,
        category=cat,
        what="Some shopping",
        first_name="Ada",
        front_door=AidFrontDoor.WEB,
        neighbourhood=area,
        now=now,
        **extra,
    )


def test_100_helpers_and_20_needs_no_helper_gets_more_than_the_fair_share(world, public):
    rng = random.Random(16)
    areas = [
        factories.neighbourhood(
            world.place, west=-2.14 + 0.01 * (i % 4), south=53.53 + 0.01 * (i // 4)
        )
        for i in range(8)
    ]
    cat = factories.category(world.place, "shopping")
    for i in range(100):
        helper = factories.helper(
            world.place,
            world.org_a,
            home=rng.choice(areas),
            checks=factories.full_checks(),
            first_name=f"Helper {i}",
        )
        factories.offer(helper, cat)
    # Needs bunched in two streets, as a burst would be.
    for i in range(20):
        _need(public, cat, rng.choice(areas[:2]), START + datetime.timedelta(minutes=i))
    per_helper = Counter(
        Alert.objects.filter(place=world.place).values_list("volunteer_id", flat=True)
    )
    assert sum(per_helper.values()) == 20 * 5
    assert max(per_helper.values()) <= math.ceil(20 * 5 / 100) + 1


def test_a_need_alerts_five_by_default_and_the_place_can_change_it(world, public, areas):
    cat = factories.category(world.place, "shopping")
    for i in range(12):
        factories.offer(
            factories.helper(
                world.place,
                world.org_a,
                home=areas[0],
                checks=factories.full_checks(),
                first_name=f"H{i}",
            ),
            cat,
        )
    need = _need(public, cat, areas[0], START)
    assert need.alerts.count() == 5
    PlaceSettings.objects.filter(place=world.place).update(alerts_per_need=3)
    need = _need(public, cat, areas[0], START + datetime.timedelta(minutes=1))
    assert need.alerts.count() == 3


def test_the_nearest_come_first_and_the_least_recently_asked_among_them(world, public):
    near = factories.neighbourhood(world.place, "Near", west=-2.12)
    next_door = factories.neighbourhood(world.place, "Next door", west=-2.11)
    far = factories.neighbourhood(world.place, "Far", west=-1.90)  # about 15 km east
    cat = factories.category(world.place, "shopping")
    asked_lately = START - datetime.timedelta(hours=1)
    helpers = {
        "far": factories.helper(world.place, world.org_a, home=far, checks=factories.full_checks()),
        "near_recent": factories.helper(
            world.place,
            world.org_a,
            home=near,
            checks=factories.full_checks(),
            last_alerted_at=asked_lately,
        ),
        "next_door": factories.helper(
            world.place, world.org_a, home=next_door, checks=factories.full_checks()
        ),
        "near": factories.helper(
            world.place, world.org_a, home=near, checks=factories.full_checks()
        ),
    }
    for helper in helpers.values():
        factories.offer(helper, cat)
    need = _need(public, cat, near, START, alert=False)
    found = services.matching.rank(
        services.matching.candidates(need, today=START.date()), reach_km=3.0
    )
    by_id = {h.pk: name for name, h in helpers.items()}
    assert [by_id[c.volunteer_id] for c in found] == ["near", "next_door", "near_recent", "far"]


def test_unavailable_helpers_and_other_languages_and_times_are_not_alerted(world, public, areas):
    from commonweave.mutualaid.enums import When

    cat = factories.category(world.place, "shopping")
    away = factories.helper(world.place, world.org_a, home=areas[0], checks=factories.full_checks())
    away.available = False
    away.save()
    polish = factories.helper(
        world.place, world.org_a, home=areas[0], checks=factories.full_checks(), languages=("pl",)
    )
    evenings = factories.helper(
        world.place, world.org_a, home=areas[0], checks=factories.full_checks(), when=When.EVENING
    )
    urdu = factories.helper(
        world.place,
        world.org_a,
        home=areas[1],
        checks=factories.full_checks(),
        languages=("en", "ur"),
    )
    for helper in (away, polish, evenings, urdu):
        factories.offer(helper, cat)
    need = _need(public, cat, areas[0], START, language="ur", when=When.MORNING)
    assert list(need.alerts.values_list("volunteer_id", flat=True)) == [urdu.pk]


def test_a_helper_is_never_alerted_twice_for_one_need(world, public, areas):
    cat = factories.category(world.place, "shopping")
    for i in range(7):
        factories.offer(
            factories.helper(
                world.place,
                world.org_a,
                home=areas[0],
                checks=factories.full_checks(),
                first_name=f"H{i}",
            ),
            cat,
        )
    need = _need(public, cat, areas[0], START)
    again = services.need_alert(need=need, now=START + datetime.timedelta(hours=5))
    assert (
        len(again),
        need.alerts.count(),
        need.alerts.values("volunteer").distinct().count(),
    ) == (2, 7, 7)
    assert services.need_alert(need=need, now=START + datetime.timedelta(hours=9)) == []
