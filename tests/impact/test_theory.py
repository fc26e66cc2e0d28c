"""The theory of change (issue 18, part 3): versions kept whole and readable, "what changed"
from version 2, indicators only from the fixed list, nothing half saved, the audit event,
and who reads and saves it, on the pages and in the API alike."""

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from commonweave.audit.models import AuditEvent
from commonweave.core.versioning import Conflict
from commonweave.impact import selectors
from commonweave.impact.enums import IndicatorSource
from commonweave.impact.models import (
    Activity,
    Assumption,
    Indicator,
    Outcome,
    TheoryOfChange,
    TheoryVersion,
)
from commonweave.impact.services_theory import (
    ActivityIn,
    AssumptionIn,
    IndicatorIn,
    OutcomeIn,
    TheoryIn,
    theory_save,
)
from commonweave.tenancy.enums import Role
from commonweave.tenancy.tokens import issue_api_token
from tests.api.conftest import session_client, token_client
from tests.conftest import assert_access, client_for

pytestmark = pytest.mark.django_db

READERS = {
    "catalyst_a": 200, "manager_a": 200, "worker_b": 200, "catalyst_b": 200, "analyst": 200,
    "outsider": 200,  # a place admin in their own place: reads (and edits) its own theory
}  # fmt: skip
EDITORS = {"manager_a": 200, "outsider": 200}


def content(**changes) -> TheoryIn:
    """A small theory: three outcomes with indicators, two activities, two assumptions."""
    data = {
        "area_analysis": "Many children in the east of the ward grow up in poverty.",
        "outcomes": (
            OutcomeIn(
                "Families feel less alone",
                "Parents know neighbours and services they trust",
                (
                    IndicatorIn("Connections made", IndicatorSource.CONNECTIONS_MADE, "400 a year"),
                    IndicatorIn("Wellbeing", IndicatorSource.WELLBEING_CHANGE),
                ),
            ),
            OutcomeIn(
                "Services work together",
                "",
                (IndicatorIn("Bridging ties", IndicatorSource.BRIDGING_TIES),),
            ),
            OutcomeIn(
                "We reach those most in need",
                "",
                (IndicatorIn("Most deprived share", IndicatorSource.AREA_MOST_DEPRIVED, "60%"),),
            ),
        ),  # fmt: skip
        "activities": (
            ActivityIn("Connection catalysts", (1, 3)),
            ActivityIn("Partners' learning sessions", (2,)),
        ),
        "assumptions": (
            AssumptionIn("Parents will talk to a catalyst", activity=1),
            AssumptionIn("Partners have time to meet", outcome=2),
            AssumptionIn("Funding lasts five years"),
        ),
        "change_note": "",
    }
    data.update(changes)
    return TheoryIn(**data)


def save(world, user=None, based_on=0, **changes):
    return theory_save(
        viewer=world.viewer(user or world.manager_a), content=content(**changes), based_on=based_on
    )


def counts():
    return [
        model.objects.count()
        for model in (TheoryVersion, Outcome, Indicator, Activity, Assumption, AuditEvent)
    ] + [Activity.outcomes.through.objects.count()]


def form_data(**changes):
    data = {
        "version": "0",
        "area_analysis": "Many children in the east of the ward grow up in poverty.",
        "outcome_1_title": "Families feel less alone",
        "outcome_1_indicator_1_name": "Connections made",
        "outcome_1_indicator_1_source": "connections_made",
        "outcome_1_indicator_1_target": "400 a year",
        # Outcome 2 left blank: outcome 3 becomes the second.
        "outcome_3_title": "We reach those most in need",
        "outcome_3_indicator_2_name": "Most deprived share",
        "outcome_3_indicator_2_source": "area_most_deprived",
        "activity_1_title": "Connection catalysts",
        "activity_1_outcomes": "1, 3",
        "assumption_1_text": "Parents will talk to a catalyst",
        "assumption_1_about": "activity-1",
        "assumption_2_text": "Funding lasts five years",
        "change_note": "",
    }
    data.update(changes)
    return data


# --- versions --------------------------------------------------------------------------


def test_a_new_version_keeps_the_old_one_readable_and_unchanged(world):
    first = save(world)
    viewer = world.viewer(world.analyst)
    before = selectors.theory_outline(selectors.theory_version_open(viewer, 1))
    before_titles = [row.outcome.title for row in before[0]]
    second = save(
        world,
        based_on=1,
        outcomes=(OutcomeIn("Children thrive", "", (IndicatorIn("Graduations", "graduations"),)),),
        activities=(ActivityIn("Family hubs", (1,)),),
        assumptions=(),
        change_note="The board narrowed the theory to one outcome after the area review.",
    )
    assert (first.number, second.number) == (1, 2)
    assert TheoryOfChange.objects.get(place=world.place).version == 2
    old = selectors.theory_version_open(viewer, 1)
    outcomes, general = selectors.theory_outline(old)
    assert [row.outcome.title for row in outcomes] == before_titles == [
        "Families feel less alone", "Services work together", "We reach those most in need",
    ]  # fmt: skip
    assert [i.name for i in outcomes[0].indicators] == ["Connections made", "Wellbeing"]
    assert [a.activity.title for a in outcomes[2].activities] == ["Connection catalysts"]
    assert [a.text for a in outcomes[1].assumptions] == ["Partners have time to meet"]
    assert [a.text for a in general] == ["Funding lasts five years"]
    assert [s.activity.title for s in outcomes[0].activities] == ["Connection catalysts"]
    assert outcomes[0].activities[0].assumptions[0].text == "Parents will talk to a catalyst"
    current = selectors.theory_current(viewer)
    assert (current.number, [o.title for o in current.outcomes.all()]) == (2, ["Children thrive"])
    assert [v.number for v in selectors.theory_versions(viewer)] == [2, 1]

    client = client_for(world.worker_b)
    old_page = client.get("/impact/theory/versions/1/").content.decode()
    assert "Outcome 3: We reach those most in need" in old_page
    assert "This is an earlier version" in old_page
    current_page = client.get("/impact/theory/").content.decode()
    assert "Outcome 1: Children thrive" in current_page
    assert "Families feel less alone" not in current_page
    history = client.get("/impact/theory/history/").content.decode()
    assert "The board narrowed the theory" in history
    assert "The first version." in history


def test_versions_are_never_deleted(world):
    from commonweave.impact.models import NeverDeleted

    version = save(world)
    with pytest.raises(NeverDeleted):
        version.delete()
    with pytest.raises(NeverDeleted):
        Outcome.objects.filter(version=version).delete()


def test_what_changed_is_required_from_version_two(world):
    save(world)
    with pytest.raises(ValidationError) as refused:
        save(world, based_on=1)
    assert list(refused.value.message_dict) == ["change_note"]
    assert TheoryVersion.objects.count() == 1


def test_the_page_asks_what_changed_beside_the_field_keeping_what_was_typed(world):
    save(world)
    before = counts()
    response = client_for(world.manager_a).post(
        "/impact/theory/edit/",
        form_data(version="1", outcome_1_title="Families feel less alone (typed again)"),
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_change_note-error"' in page
    assert "Say what changed since version 1, and why" in page
    assert 'value="Families feel less alone (typed again)"' in page
    assert counts() == before


def test_the_edit_form_saves_rows_renumbered_and_links_them(world):
    client = client_for(world.manager_a)
    response = client.post("/impact/theory/edit/", form_data())
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == "/impact/theory/"
    version = TheoryVersion.objects.get()
    assert [(o.number, o.title) for o in version.outcomes.order_by("number")] == [
        (1, "Families feel less alone"), (2, "We reach those most in need"),
    ]  # fmt: skip
    catalysts = version.activities.get()
    assert sorted(catalysts.outcomes.values_list("number", flat=True)) == [1, 2]
    by_text = {a.text: a for a in version.assumptions.all()}
    assert by_text["Parents will talk to a catalyst"].activity == catalysts
    assert by_text["Funding lasts five years"].outcome is None
    assert version.created_by == world.manager_a
    # The form for the next version starts from this one.
    page = client.get("/impact/theory/edit/").content.decode()
    assert 'value="We reach those most in need"' in page
    assert 'name="version" value="1"' in page


def test_an_activity_must_name_outcomes_that_are_filled_in(world):
    response = client_for(world.manager_a).post(
        "/impact/theory/edit/", form_data(activity_1_outcomes="2")
    )
    assert response.status_code == 400
    assert 'id="id_activity_1_outcomes-error"' in response.content.decode()
    assert TheoryVersion.objects.count() == 0


def test_an_empty_form_is_refused_beside_its_fields(world):
    response = client_for(world.manager_a).post("/impact/theory/edit/", {"version": "0"})
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_area_analysis-error"' in page
    assert 'id="id_outcome_1_title-error"' in page


# --- indicators from the fixed list, and no half save ------------------------------------


def test_indicators_come_only_from_the_fixed_list(world):
    response = client_for(world.manager_a).post(
        "/impact/theory/edit/", form_data(outcome_1_indicator_1_source="number_of_hugs")
    )
    assert response.status_code == 400
    assert 'id="id_outcome_1_indicator_1_source-error"' in response.content.decode()
    assert 'value="connections_made"' in response.content.decode()  # the choices stay
    bad = OutcomeIn("Happier", "", (IndicatorIn("Hugs", "number_of_hugs"),))
    with pytest.raises(ValidationError) as refused:
        save(world, outcomes=(bad,), activities=(), assumptions=())
    assert list(refused.value.message_dict) == ["outcomes.0.indicators.0.source"]
    assert TheoryVersion.objects.count() == 0


def test_a_bad_indicator_in_the_third_outcome_saves_nothing_at_all(world):
    save(world)
    before = counts()
    outcomes = content().outcomes
    third = OutcomeIn(outcomes[2].title, "", (IndicatorIn("Hugs", "number_of_hugs"),))
    with pytest.raises(ValidationError) as refused:
        save(world, based_on=1, outcomes=(*outcomes[:2], third), change_note="More outcomes")
    assert list(refused.value.message_dict) == ["outcomes.2.indicators.0.source"]
    assert counts() == before
    assert TheoryOfChange.objects.get(place=world.place).version == 1
    api = session_client(world.manager_a)
    body = {
        "version": 1,
        "area_analysis": "The area",
        "change_note": "More outcomes",
        "outcomes": [
            {"title": "One"},
            {"title": "Two"},
            {"title": "Three", "indicators": [{"name": "Hugs", "source": "number_of_hugs"}]},
        ],
    }
    response = api.post("/api/impact/theory", body)
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["outcomes.2.indicators.0.source"]
    assert counts() == before


def test_a_version_saved_meanwhile_is_a_conflict_not_an_overwrite(world):
    save(world)
    save(world, based_on=1, change_note="Second thoughts")
    with pytest.raises(Conflict):
        save(world, based_on=1, change_note="Mine")
    response = client_for(world.manager_a).post(
        "/impact/theory/edit/", form_data(version="1", change_note="Mine, typed")
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else saved changes" in page
    assert 'name="version" value="2"' in page  # saving again follows version 2
    assert "Mine, typed" in page
    api = session_client(world.manager_a)
    answer = api.post(
        "/api/impact/theory",
        {"version": 1, "area_analysis": "x", "outcomes": [{"title": "y"}], "change_note": "z"},
    )
    assert answer.status_code == 409
    assert (answer.json()["version"], answer.json()["current"]["version"]) == (2, 2)
    assert TheoryVersion.objects.count() == 2


# --- audit --------------------------------------------------------------------------------


def test_saving_a_version_writes_one_audit_event(world):
    before = AuditEvent.objects.count()
    version = save(world)
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.get(object_type="impact.theoryversion")
    assert (event.action, event.object_id) == ("create", str(version.pk))
    assert event.detail["version"] == 1
    assert (event.detail["outcomes"], event.detail["indicators"]) == (3, 4)


# --- who ----------------------------------------------------------------------------------


def test_who_reads_the_theory_pages(world):
    assert_access(world, "get", "/impact/theory/", READERS)
    assert_access(world, "get", "/impact/theory/history/", READERS)
    save(world)
    # The outsider's own place has no version 1.
    in_place = {name: code for name, code in READERS.items() if name != "outsider"}
    assert_access(world, "get", "/impact/theory/versions/1/", in_place)
    assert client_for(world.analyst).get("/impact/theory/versions/2/").status_code == 404


def test_who_saves_a_version(world):
    assert_access(world, "get", "/impact/theory/edit/", EDITORS)
    assert_access(world, "post", "/impact/theory/edit/", {"manager_a": 400, "outsider": 400})
    for user in (world.analyst, world.catalyst_a, world.worker_b):
        with pytest.raises(Http404):
            save(world, user=user)
    reader = client_for(world.analyst).get("/impact/theory/").content.decode()
    assert "/impact/theory/edit/" not in reader
    assert (
        "/impact/theory/edit/"
        in client_for(world.manager_a).get("/impact/theory/").content.decode()
    )


def test_pages_and_api_answer_every_persona_alike(world):
    save(world)
    body = {
        "version": 1,
        "area_analysis": "The area",
        "outcomes": [{"title": "One"}],
        "change_note": "Why",
    }
    for name, user in world.personas.items():
        if user is None:
            continue
        page, api = client_for(user), session_client(user)
        assert (
            page.get("/impact/theory/").status_code,
            page.get("/impact/theory/history/").status_code,
            page.get("/impact/theory/versions/1/").status_code,
            page.get("/impact/theory/edit/").status_code,
        ) == (
            api.get("/api/impact/theory").status_code,
            api.get("/api/impact/theory/versions").status_code,
            api.get("/api/impact/theory/versions/1").status_code,
            {201: 200, 409: 200}.get(api.post("/api/impact/theory", body).status_code, 404),
        ), name
        body["version"] = TheoryOfChange.objects.get(place=world.place).version


def test_api_tokens_follow_the_same_rules(world):
    def token(organisation, role):
        return token_client(issue_api_token(organisation=organisation, name="T", role=role)[1])

    tokens = {
        "coordinator": token(world.org_a, Role.COORDINATOR),
        "place_admin": token(world.org_a, Role.PLACE_ADMIN),
        "analyst": token(world.org_b, Role.ANALYST),
        "catalyst": token(world.org_a, Role.CATALYST),
        "worker": token(world.org_b, Role.PARTNER_WORKER),
        "elsewhere": token(world.other_place.lead_organisation, Role.COORDINATOR),
    }
    reads = {name: c.get("/api/impact/theory").status_code for name, c in tokens.items()}
    assert set(reads.values()) == {200}
    assert tokens["worker"].get("/api/impact/theory").json()["version"] == 0
    body = {
        "version": 0,
        "area_analysis": "The area",
        "outcomes": [
            {"title": "One", "indicators": [{"name": "Helpers", "source": "helpers"}]},
            {"title": "Two"},
        ],
        "activities": [{"title": "Act", "outcomes": [2]}],
        "assumptions": [{"text": "It works", "outcome": 1}],
    }
    saves = {
        name: c.post("/api/impact/theory", body).status_code
        for name, c in tokens.items()
        if name not in ("coordinator", "place_admin")
    }
    assert saves == {"analyst": 404, "catalyst": 404, "worker": 404, "elsewhere": 201}
    made = tokens["coordinator"].post("/api/impact/theory", body)
    assert made.status_code == 201, made.content
    out = made.json()
    assert out["version"] == 1
    assert out["saved_by"].startswith("API token")
    assert (
        out["outcomes"][0]["indicators"][0]["source_label"]
        == "Neighbours helping others (mutual aid)"
    )
    assert (out["outcomes"][1]["activities"], out["activities"][0]["outcomes"]) == ([1], [2])
    assert (out["outcomes"][0]["assumptions"], out["assumptions"][0]["outcome"]) == ([1], 1)
    refused = tokens["place_admin"].post("/api/impact/theory", {**body, "version": 1})
    assert refused.status_code == 400
    assert [e["field"] for e in refused.json()["errors"]] == ["change_note"]
    assert tokens["worker"].get("/api/impact/theory/versions/1").json() == {
        **tokens["worker"].get("/api/impact/theory").json()
    }
    listed = tokens["analyst"].get("/api/impact/theory/versions").json()
    assert [item["version"] for item in listed["items"]] == [1]
    assert tokens["elsewhere"].get("/api/impact/theory/versions/1").json()["area_analysis"] == (
        "The area"
    )  # its own place's version 1, saved above
    assert tokens["worker"].get("/api/impact/theory/versions/99").status_code == 404
    assert tokens["worker"].get("/api/impact/theory/versions/0").status_code == 404


def test_the_api_names_bad_references(world):
    api = session_client(world.manager_a)
    body = {
        "version": 0,
        "area_analysis": "The area",
        "outcomes": [{"title": "One"}],
        "activities": [{"title": "Act", "outcomes": [2]}],
        "assumptions": [{"text": "Both", "outcome": 1, "activity": 1}],
    }
    response = api.post("/api/impact/theory", body)
    assert response.status_code == 400
    assert sorted(e["field"] for e in response.json()["errors"]) == [
        "activities.0.outcomes", "assumptions.0.activity",
    ]  # fmt: skip
    assert TheoryVersion.objects.count() == 0


def test_the_theory_pages_make_the_same_queries_at_two_sizes(world):
    from tests.queries import assert_same_queries_at_two_sizes

    page, api = client_for(world.analyst), session_client(world.analyst)
    made = [0]

    def make(count):
        for _ in range(count):
            save(world, based_on=made[0], change_note="Again" if made[0] else "")
            made[0] += 1

    def fetch_pages():
        for url in ("/impact/theory/", "/impact/theory/history/", "/impact/theory/versions/1/"):
            assert page.get(url).status_code == 200

    def fetch_api():
        for url in ("/api/impact/theory", "/api/impact/theory/versions"):
            assert api.get(url).status_code == 200

    assert_same_queries_at_two_sizes(make, [fetch_pages, fetch_api], small=2, large=6)


def test_every_link_on_the_theory_pages_works_for_each_reader(world):
    import re

    save(world)
    save(world, based_on=1, change_note="Second")
    for name in READERS:
        client = client_for(world.personas[name])
        for path in ("/impact/theory/", "/impact/theory/history/", "/impact/theory/versions/1/"):
            page = client.get(path).content.decode()
            for link in set(re.findall(r'href="(/impact/[^"]*)"', page)):
                assert client.get(link).status_code == 200, (name, path, link)
