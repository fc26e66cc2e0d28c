"""A check-in's answers are numbers: true/false, numbers sent as text and fractions are
refused by name, before anything is saved. (Python's bool is an int, so without care
`true` on "How often do you feel lonely?" would record 1, "Often/always".)"""

import pytest
from django.core.exceptions import ValidationError

from commonweave.audit.models import AuditEvent
from commonweave.wellbeing import services
from commonweave.wellbeing.enums import CheckInStatus
from commonweave.wellbeing.models import AreaRating, CheckIn, MeasureResponse

from .test_api import api, url

LONELY = "measures.ons_loneliness.how_often_lonely"


def nothing_saved():
    return (
        CheckIn.objects.count(),
        AreaRating.objects.count(),
        MeasureResponse.objects.count(),
    ) == (0, 0, 0)


def body_with(field, value):
    """A check-in with good answers everywhere except `value` at `field`."""
    ratings = {"home": 4, "money": 2}
    lonely = {"how_often_lonely": 5}
    if field == "ratings.home":
        ratings["home"] = value
    else:
        lonely["how_often_lonely"] = value
    return {"ratings": ratings, "measures": {"ons_loneliness": lonely}}


@pytest.mark.parametrize("field", ["ratings.home", LONELY])
@pytest.mark.parametrize(
    ("value", "message"),
    [
        (True, "Enter a number from the scale, not true or false"),
        (False, "Enter a number from the scale, not true or false"),
        ("3", "Enter a number from the scale, not text in quotes"),
        ("1", "Enter a number from the scale, not text in quotes"),
        (2.5, "Enter a whole number"),
    ],
)
def test_booleans_text_and_fractions_are_a_400_naming_the_field(
    world, resident_a, field, value, message
):
    before = AuditEvent.objects.count()
    response = api(world.org_a).post(url(resident_a, "/checkins"), body_with(field, value))
    assert response.status_code == 400, response.content
    assert response.json()["errors"] == [{"field": field, "message": message}]
    assert nothing_saved()  # the good answers beside it are not kept either
    assert AuditEvent.objects.count() == before


def test_true_on_the_loneliness_question_does_not_record_often_always(world, resident_a):
    client = api(world.org_a)
    refused = client.post(
        url(resident_a, "/checkins"),
        {"measures": {"ons_loneliness": {"how_often_lonely": True}}},
    )
    assert refused.status_code == 400
    assert nothing_saved()
    assert client.get(url(resident_a)).json()["items"] == []


def test_whole_number_answers_are_recorded_as_given(world, resident_a):
    client = api(world.org_a)
    response = client.post(url(resident_a, "/checkins"), body_with(LONELY, 1))
    assert response.status_code == 201, response.content
    body = response.json()
    ratings = {r["key"]: (r["value"], r["label"]) for r in body["ratings"]}
    assert ratings["home"] == (4, "Going well")
    assert ratings["money"] == (2, "Not going well")
    assert body["measures"] == [
        {
            "instrument": "ons_loneliness",
            "version": 1,
            "complete": True,
            "scores": {
                "how_often_lonely": {"value": 1, "band": "Often/always", "higher_is": "better"}
            },
        }
    ]
    (response,) = MeasureResponse.objects.all()
    assert response.answers == {"how_often_lonely": 1}
    assert CheckIn.objects.get().status == CheckInStatus.COMPLETE


def test_a_whole_number_written_with_a_point_is_that_number(world, resident_a):
    response = api(world.org_a).post(url(resident_a, "/checkins"), body_with(LONELY, 3.0))
    assert response.status_code == 201, response.content
    assert MeasureResponse.objects.get().answers == {"how_often_lonely": 3}


def test_null_is_no_answer_never_a_value(world, resident_a):
    response = api(world.org_a).post(
        url(resident_a, "/checkins"),
        {
            "ratings": {"home": None, "money": 2},
            "measures": {"ons_loneliness": {"how_often_lonely": None}},
        },
    )
    assert response.status_code == 201, response.content
    stored = dict(AreaRating.objects.values_list("area__key", "value"))
    assert stored["home"] is None
    assert stored["money"] == 2
    assert not MeasureResponse.objects.exists()  # an unanswered measure is left out
    assert response.json()["measures"] == []


# The service checks the same for any caller, so a page or a future endpoint cannot
# record `True` as 1 either.


@pytest.mark.parametrize("value", [True, "3", 2.5, float("nan"), float("inf")])
@pytest.mark.parametrize("field", ["ratings.home", LONELY])
def test_the_service_refuses_answers_that_are_not_whole_numbers(world, resident_a, field, value):
    viewer = world.viewer(world.catalyst_a)
    checkin = services.checkin_start(viewer=viewer, resident=resident_a)
    with pytest.raises(ValidationError) as caught:
        services.checkin_submit(viewer=viewer, checkin=checkin, **body_with(field, value))
    assert list(caught.value.message_dict) == [field]
    checkin.refresh_from_db()
    assert checkin.status == CheckInStatus.DRAFT
    assert not AreaRating.objects.exists()
    assert not MeasureResponse.objects.exists()
