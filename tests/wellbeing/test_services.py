"""The life map per place (versioned), check-ins, measures, priorities and achievements."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.http import Http404

from commonweave.audit.models import AuditEvent
from commonweave.demo.factories import ResidentFactory
from commonweave.wellbeing import services
from commonweave.wellbeing.defaults import DEFAULT_AREAS
from commonweave.wellbeing.enums import AchievementKind, CheckInStatus
from commonweave.wellbeing.models import (
    AreaRating,
    CheckIn,
    Instrument,
    LifeMapVersion,
    MeasureResponse,
    ScoreTrack,
)

from .test_scoring import fake_licensed

ONS4_OK = {"life_satisfaction": 7, "worthwhile": 8, "happiness": 6, "anxiety": 3}


def submit(world, resident, ratings=None, **kwargs):
    viewer = world.viewer(world.catalyst_a)
    checkin = services.checkin_start(viewer=viewer, resident=resident)
    return services.checkin_submit(
        viewer=viewer, checkin=checkin, ratings=ratings or {"home": 3}, **kwargs
    )


def test_default_life_map_is_created_once_on_first_use(world):
    first = services.current_lifemap(world.place)
    again = services.current_lifemap(world.place)
    assert first == again
    assert first.number == 1
    assert [a.name for a in first.areas.all()] == [name for _, name, _ in DEFAULT_AREAS]
    assert LifeMapVersion.objects.filter(place=world.place).count() == 1
    assert first.areas.get(key="home").points[0] == {"value": 1, "label": "Really hard right now"}


def test_each_place_has_its_own_life_map(world):
    assert services.current_lifemap(world.place) != services.current_lifemap(world.other_place)


def new_areas():
    return [
        {
            "key": "home",
            "name": "Where I live",
            "kind": "scale",
            "points": [{"value": 0, "label": "Awful"}, {"value": 10, "label": "Brilliant"}],
        },
        {
            "key": "food",
            "name": "Enough food",
            "kind": "traffic_light",
            "points": [
                {"value": 1, "colour": "red", "label": "Red", "description": "Often go without"},
                {"value": 2, "colour": "amber", "label": "Amber", "description": "Sometimes short"},
                {"value": 3, "colour": "green", "label": "Green", "description": "Always enough"},
            ],
        },
    ]


def test_editing_the_life_map_never_changes_earlier_check_ins(world, resident_a):
    old = submit(world, resident_a, ratings={"home": 2})
    version = services.lifemap_publish(viewer=world.viewer(world.manager_a), areas=new_areas())
    assert version.number == 2
    rating = AreaRating.objects.get(checkin=old, area__key="home")
    assert (rating.area.name, rating.area.label_for(2)) == ("Home", "Not going well")
    new = submit(world, resident_a, ratings={"home": 10, "food": 3})
    assert new.version == version
    assert {r.area.name: r.value for r in new.ratings.all()} == {
        "Where I live": 10,
        "Enough food": 3,
    }


def test_only_place_admins_publish_a_life_map(world):
    with pytest.raises(PermissionDenied):
        services.lifemap_publish(viewer=world.viewer(world.catalyst_a), areas=new_areas())


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            lambda a: a[1]["points"][0].update(colour="blue"),
            "Area 2: a traffic light has red, amber and green, in order",
        ),
        (
            lambda a: a[1]["points"][2].update(description=""),
            "Area 2: describe each colour in plain words",
        ),
        (lambda a: a[0]["points"][1].update(label=" "), "Area 1: every point needs words"),
        (lambda a: a[0]["points"].reverse(), "Area 1: point values must rise from hardest to best"),
        (lambda a: a[1].update(key="home"), "Area 2: the key 'home' is used twice"),
    ],
)
def test_a_bad_life_map_is_refused(world, change, problem):
    areas = new_areas()
    change(areas)
    with pytest.raises(ValidationError) as caught:
        services.lifemap_publish(viewer=world.viewer(world.manager_a), areas=areas)
    assert problem in caught.value.message_dict["areas"]


def test_check_in_records_ratings_notes_and_scored_measures(world, resident_a):
    checkin = submit(
        world,
        resident_a,
        ratings={"home": 4, "money": 2},
        better={"money": "A benefits check"},
        own_words="Better than last month",
        measures={"ons4": ONS4_OK},
    )
    assert checkin.status == CheckInStatus.COMPLETE
    assert checkin.own_words == "Better than last month"
    ratings = {r.area.key: (r.value, r.better) for r in checkin.ratings.all()}
    assert ratings["home"] == (4, "")
    assert ratings["money"] == (2, "A benefits check")
    assert ratings["safe"] == (None, "")  # every area has a row, unanswered is None
    measure = MeasureResponse.objects.get(checkin=checkin)
    assert measure.complete is True
    assert measure.scores["anxiety"] == {"value": 3, "band": "low", "higher_is": "worse"}


def test_incomplete_measure_is_kept_but_not_scored(world, resident_a):
    checkin = submit(world, resident_a, measures={"ucla3": {"left_out": 2}})
    measure = MeasureResponse.objects.get(checkin=checkin)
    assert (measure.complete, measure.scores, measure.answers) == (False, {}, {"left_out": 2})
    assert not ScoreTrack.objects.filter(resident=resident_a, kind=ScoreTrack.MEASURE).exists()


def test_ons4_with_a_blank_question_keeps_the_answered_three_and_tracks_only_them(
    world, resident_a
):
    answers = {"life_satisfaction": 7, "worthwhile": 8, "happiness": 6}
    checkin = submit(world, resident_a, measures={"ons4": {**answers, "anxiety": None}})
    measure = MeasureResponse.objects.get(checkin=checkin)
    assert measure.complete is False
    assert {code: s["value"] for code, s in measure.scores.items()} == answers
    tracked = ScoreTrack.objects.filter(resident=resident_a, kind=ScoreTrack.MEASURE)
    assert sorted(tracked.values_list("code", flat=True)) == [
        "ons4.happiness",
        "ons4.life_satisfaction",
        "ons4.worthwhile",
    ]


def test_out_of_range_answers_are_refused_and_nothing_is_saved(world, resident_a):
    viewer = world.viewer(world.catalyst_a)
    checkin = services.checkin_start(viewer=viewer, resident=resident_a)
    with pytest.raises(ValidationError) as caught:
        services.checkin_submit(
            viewer=viewer,
            checkin=checkin,
            ratings={"home": 9},
            measures={"ons4": {**ONS4_OK, "anxiety": 11}},
        )
    assert caught.value.message_dict == {
        "ratings.home": [
            "Home: choose one of 1 (Really hard right now), 2 (Not going well), "
            "3 (Getting by), 4 (Going well), 5 (Going really well)"
        ],
        "measures.ons4.anxiety": ["Anxiety: enter a whole number from 0 to 10"],
    }
    checkin.refresh_from_db()
    assert checkin.status == CheckInStatus.DRAFT
    assert AreaRating.objects.filter(checkin=checkin).count() == 0


def test_a_check_in_needs_at_least_one_answer_and_completes_once(world, resident_a):
    viewer = world.viewer(world.catalyst_a)
    checkin = services.checkin_start(viewer=viewer, resident=resident_a)
    with pytest.raises(ValidationError):
        services.checkin_submit(viewer=viewer, checkin=checkin, ratings={})
    services.checkin_submit(viewer=viewer, checkin=checkin, ratings={"home": 3})
    with pytest.raises(ValidationError) as caught:
        services.checkin_submit(viewer=viewer, checkin=checkin, ratings={"home": 4})
    assert caught.value.messages == ["This check-in has already been completed"]


@pytest.mark.parametrize("persona", ["catalyst_b", "worker_b", "analyst", "outsider"])
def test_other_organisations_cannot_start_or_submit(world, resident_a, persona):
    viewer = world.viewer(getattr(world, persona))
    with pytest.raises(Http404):
        services.checkin_start(viewer=viewer, resident=resident_a)
    checkin = services.checkin_start(viewer=world.viewer(world.catalyst_a), resident=resident_a)
    with pytest.raises(Http404):
        services.checkin_submit(viewer=viewer, checkin=checkin, ratings={"home": 3})


def test_each_change_is_audited_once(world, resident_a):
    before = AuditEvent.objects.count()
    submit(world, resident_a)
    events = list(AuditEvent.objects.order_by("pk")[before:])
    assert [(e.action, e.resident_id) for e in events] == [
        ("create", resident_a.public_id),
        ("update", resident_a.public_id),
    ]


def test_improvement_is_recorded_as_an_achievement(world, resident_a):
    submit(world, resident_a, ratings={"home": 2, "money": 3})
    later = submit(world, resident_a, ratings={"home": 4, "money": 2})
    achievements = list(resident_a.wellbeing_achievements.all())
    assert [(a.kind, a.area_key, a.checkin) for a in achievements] == [
        (AchievementKind.IMPROVED, "home", later)
    ]
    assert achievements[0].description == "Home: from “Not going well” to “Going well”"


def test_priority_met_is_an_achievement(world, resident_a):
    viewer = world.viewer(world.catalyst_a)
    priority = services.priority_add(
        viewer=viewer,
        resident=resident_a,
        area_key="people",
        why_now="Lonely since the move",
        will_do="Try the Tuesday lunch club",
    )
    services.priority_met(viewer=viewer, priority=priority)
    assert priority.met_at is not None
    assert [(a.kind, a.area_key) for a in resident_a.wellbeing_achievements.all()] == [
        (AchievementKind.PRIORITY_MET, "people")
    ]


def test_priority_needs_why_and_what(world, resident_a):
    with pytest.raises(ValidationError) as caught:
        services.priority_add(
            viewer=world.viewer(world.catalyst_a),
            resident=resident_a,
            area_key="nope",
            why_now=" ",
            will_do="",
        )
    assert sorted(caught.value.message_dict) == ["area", "why_now", "will_do"]


def test_shipped_instruments_are_offered_everywhere(world):
    codes = [i.code for i in services.instruments_for(world.place)]
    assert sorted(codes) == ["ons4", "ons_loneliness", "ucla3"]


def test_load_instrument_command_adds_a_place_instrument_with_a_lookup_table(
    world, resident_a, tmp_path
):
    path = tmp_path / "fake.json"
    path.write_text(json.dumps(fake_licensed()))
    call_command("load_instrument", str(path), "--place", "testford")
    call_command("load_instrument", str(path), "--place", "testford")  # idempotent
    assert Instrument.objects.filter(code="fake_wemwbs").count() == 1
    assert "fake_wemwbs" in [i.code for i in services.instruments_for(world.place)]
    assert "fake_wemwbs" not in [i.code for i in services.instruments_for(world.other_place)]
    checkin = submit(world, resident_a, measures={"fake_wemwbs": {f"q{n}": 3 for n in range(1, 8)}})
    scores = MeasureResponse.objects.get(checkin=checkin).scores
    assert scores["metric"]["value"] == fake_licensed()["scoring"]["metrics"][0]["table"]["21"]


def test_load_instrument_refuses_a_bad_definition_and_says_why(world, tmp_path):
    definition = fake_licensed()
    del definition["scoring"]["metrics"][0]["table"]["7"]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(definition))
    with pytest.raises(CommandError, match=r"no value for raw totals \[7\]"):
        call_command("load_instrument", str(path))
    path.write_text("{not json")
    with pytest.raises(CommandError, match="Not valid JSON"):
        call_command("load_instrument", str(path))
    assert not Instrument.objects.filter(code="fake_wemwbs").exists()


def test_a_place_instrument_replaces_a_shipped_one_of_the_same_code(world, tmp_path):
    definition = fake_licensed() | {"code": "ons4", "name": "Our ONS4"}
    services.instrument_load(definition=definition, place=world.place)
    names = {i.code: i.name for i in services.instruments_for(world.place)}
    assert names["ons4"] == "Our ONS4"
    assert {i.code: i.name for i in services.instruments_for(world.other_place)}["ons4"] == (
        "Personal wellbeing (ONS4)"
    )


def test_check_ins_belong_to_their_resident(world, resident_a):
    other = ResidentFactory(organisation=world.org_a, catalyst=world.catalyst_a)
    submit(world, resident_a)
    assert CheckIn.objects.filter(resident=other).count() == 0


def test_shipped_instruments_load_again_after_a_flush(db):
    """Live-server tests flush the rows migration 0002 loaded; this puts them back."""
    Instrument.objects.filter(place__isnull=True).delete()
    loaded = services.load_shipped_instruments()
    assert sorted(i.code for i in loaded) == ["ons4", "ons_loneliness", "ucla3"]
    assert Instrument.objects.filter(place__isnull=True).count() == 3
