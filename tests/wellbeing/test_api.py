"""The wellbeing API: submit a check-in, read scores, published cohort change; the same
access rules as the pages."""

import pytest

from commonweave.audit.models import AuditEvent
from commonweave.people import services as people_services
from commonweave.people.enums import ConsentPurpose
from commonweave.tenancy.enums import Role
from commonweave.tenancy.tokens import issue_api_token
from commonweave.wellbeing.models import CheckIn
from tests.api.conftest import session_client, token_client

ONS4 = {"life_satisfaction": 7, "worthwhile": 8, "happiness": 6, "anxiety": 1}


def api(org, role=Role.CATALYST):
    _, raw = issue_api_token(organisation=org, name="System", role=role)
    return token_client(raw)


def url(resident, suffix=""):
    return f"/api/residents/{resident.public_id}/wellbeing{suffix}"


def test_submit_a_check_in_and_read_the_scores(world, resident_a):
    client = api(world.org_a)
    response = client.post(
        url(resident_a, "/checkins"),
        {
            "ratings": {"home": 4, "money": 2},
            "better": {"money": "Benefits check"},
            "own_words": "A good month",
            "measures": {"ons4": ONS4},
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["resident_id"] == resident_a.public_id
    assert body["via"] == "api"
    home = next(r for r in body["ratings"] if r["key"] == "home")
    assert (home["value"], home["label"]) == (4, "Going well")
    scores = body["measures"][0]["scores"]
    assert scores["anxiety"] == {"value": 1, "band": "very low", "higher_is": "worse"}
    listed = client.get(url(resident_a))
    assert listed.status_code == 200
    assert [c["id"] for c in listed.json()["items"]] == [body["id"]]


def test_bad_answers_are_a_400_naming_each_field_and_nothing_is_saved(world, resident_a):
    response = api(world.org_a).post(
        url(resident_a, "/checkins"),
        {
            "ratings": {"home": 7, "nowhere": 1},
            "measures": {"ons4": {**ONS4, "anxiety": 11}},
        },
    )
    assert response.status_code == 400
    fields = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert sorted(fields) == ["measures.ons4.anxiety", "ratings.home", "ratings.nowhere"]
    assert fields["measures.ons4.anxiety"] == "Anxiety: enter a whole number from 0 to 10"
    assert CheckIn.objects.count() == 0


def test_wrong_types_are_a_400(world, resident_a):
    response = api(world.org_a).post(url(resident_a, "/checkins"), {"ratings": {"home": "x"}})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "ratings.home"


def test_an_incomplete_measure_is_kept_unscored(world, resident_a):
    response = api(world.org_a).post(
        url(resident_a, "/checkins"), {"measures": {"ucla3": {"left_out": 2}}}
    )
    assert response.status_code == 201
    assert response.json()["measures"] == [
        {"instrument": "ucla3", "version": 1, "complete": False, "scores": {}}
    ]


@pytest.mark.parametrize("org_name", ["org_b", "other"])
def test_other_organisations_get_404_even_with_a_shared_record(world, resident_a, org_name):
    people_services.consent_record(
        viewer=world.viewer(world.catalyst_a),
        resident=resident_a,
        purpose=ConsentPurpose.SHARE,
        organisation=world.org_b,
        given=True,
        method="verbal",
        wording="Share with the council",
    )
    org = world.org_b if org_name == "org_b" else world.other_place.lead_organisation
    client = api(org, Role.PARTNER_WORKER if org_name == "org_b" else Role.CATALYST)
    assert client.get(url(resident_a)).status_code == 404
    assert client.post(url(resident_a, "/checkins"), {"ratings": {"home": 3}}).status_code == 404
    assert CheckIn.objects.count() == 0


def test_reading_scores_is_audited_once_and_submitting_once(world, resident_a):
    client = api(world.org_a)
    before = AuditEvent.objects.count()
    client.post(url(resident_a, "/checkins"), {"ratings": {"home": 3}})
    client.get(url(resident_a))
    events = list(AuditEvent.objects.order_by("pk")[before:])
    assert [e.action for e in events] == ["update", "view"]
    assert {e.resident_id for e in events} == {resident_a.public_id}


def test_session_calls_need_csrf_for_changes(world, resident_a):
    client = session_client(world.catalyst_a, enforce_csrf_checks=True)
    assert client.post(url(resident_a, "/checkins"), {"ratings": {"home": 3}}).status_code == 403
    assert client.get(url(resident_a)).status_code == 200


def test_the_life_map_and_measures_are_described(world):
    body = api(world.org_b, Role.PARTNER_WORKER).get("/api/wellbeing/lifemap").json()
    assert body["version"] == 1
    assert body["areas"][0]["name"] == "People around me"
    assert body["areas"][0]["points"][0]["label"] == "Really hard right now"
    ucla = next(i for i in body["instruments"] if i["code"] == "ucla3")
    assert ucla["items"][0]["answers"][2] == {
        "value": 3,
        "label": "Often",
        "description": "",
        "colour": "",
    }


def test_cohort_change_is_published_under_the_rules(world):
    from commonweave.wellbeing import cohort

    from .test_cohort import assert_near, people_with_change

    people_with_change(world, 12)
    body = api(world.org_a, Role.ANALYST).get("/api/wellbeing/cohort").json()
    assert body["people"] in {"10", "15"}  # 12, perturbed by at most 2, rounded to 5
    home = next(r for r in body["rows"] if r["code"] == "home")
    assert (home["enough"], home["state"]) == (False, "not enough")
    assert home["mean_change"] == "not enough people yet"
    people_with_change(world, 20)
    body = api(world.org_a, Role.ANALYST).get("/api/wellbeing/cohort").json()
    home = next(r for r in body["rows"] if r["code"] == "home")
    # The same released numbers as the page's (the function behind both).
    result = cohort.cohort_change(world.viewer(world.analyst))
    published = next(r for r in result.areas if r.code == "home").published
    assert (home["people"], home["mean_change"], home["improved"]) == (
        published.n,
        published.mean_change,
        published.improved,
    )
    assert home["enough"]
    assert_near(next(r for r in result.areas if r.code == "home"), world.place, 2.0)


def test_cohort_is_404_without_an_aggregate_role(world):
    assert api(world.org_b, Role.PARTNER_WORKER).get("/api/wellbeing/cohort").status_code == 404
