"""Network surveys (name generators): checked on upload, names not in the network matched,
added or left out at review, then imported by a background job with progress; every row
not imported is reported with its reason and the good ones are kept."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import models
from django.http import Http404
from django.urls import reverse

from commonweave.audit.models import AuditEvent
from commonweave.jobs.enums import JobKind, JobStatus
from commonweave.jobs.models import Job
from commonweave.network import derive, services, survey
from commonweave.network.enums import NodeKind, SurveyState, TieSource, TieType
from commonweave.network.models import Node, SurveyImport, Tie
from commonweave.tenancy.viewer import viewer_for_user
from tests.conftest import assert_access, client_for

pytestmark = pytest.mark.django_db

SURVEY = (
    "respondent,contact,relationship,strength,date\n"
    "Testford Connect,Testford Council,partner,4,2026-01-10\n"
    "Testford Connect,Testfrod Council,works with,2,2026-02-01\n"
    "Testford Connect,Faith Forum,colleague,1,\n"
    ",Nobody,knows,1,2026-01-01\n"
    "Testford Council,Testford Council,knows,1,2026-01-01\n"
    "Testford Council,Faith Forum,rival,1,2026-01-01\n"
    "Testford Council,Faith Forum,knows,lots,01/02/2026\n"
)
BAD_ROWS = [
    [5, "the respondent is missing"],
    [6, "a respondent cannot name themselves"],
    [7, "relationship type 'rival' is not one we know"],
    [
        8,
        "strength must be a number above 0 and up to 10 (the scale runs to 10; 1 is an "
        "ordinary tie); the date must be written as YYYY-MM-DD",
    ],
]


@pytest.fixture
def orgs(world):
    ids = derive.ensure_nodes(
        world.place,
        {derive.org_key(o.pk): derive.org_spec(o) for o in (world.org_a, world.org_b)},
    )
    return (
        Node.objects.get(pk=ids[derive.org_key(world.org_a.pk)]),
        Node.objects.get(pk=ids[derive.org_key(world.org_b.pk)]),
    )


def _upload(world, text=SURVEY, user=None):
    return survey.survey_upload(
        viewer=world.viewer(user or world.manager_a), data=text.encode(), file_name="s.csv"
    )


def _survey_ties():
    return Tie.objects.filter(source=TieSource.SURVEY).order_by("started_on", "pk")


# --- checking and review --------------------------------------------------------------------


def test_upload_checks_the_file_and_saves_nothing_but_the_review(world, orgs):
    a, b = orgs
    imp = _upload(world)
    f = imp.findings
    assert (imp.state, f["rows"], f["bad"], f["known"]) == (SurveyState.REVIEW, 3, 4, 2)
    assert f["errors"] == BAD_ROWS
    assert f["unknown"] == ["Faith Forum", "Testfrod Council"]
    assert f["suggestions"]["Faith Forum"] == []
    # the likeliest match first, with its label for the review page
    assert f["suggestions"]["Testfrod Council"][0] == [b.public_id, "Testford Council"]
    assert Tie.objects.count() == 0
    assert imp.job is None


def test_a_file_without_the_columns_is_refused_and_not_kept(world):
    with pytest.raises(ValidationError) as caught:
        _upload(world, "a,b\n1,2\n")
    assert (
        "respondent, contact, relationship, strength, date" in caught.value.message_dict["file"][0]
    )
    assert SurveyImport.objects.count() == 0


@pytest.mark.parametrize("persona", ["catalyst_a", "worker_b", "analyst", "outsider"])
def test_only_coordinators_and_place_admins_import_surveys(world, orgs, persona):
    with pytest.raises(PermissionDenied):
        _upload(world, user=world.personas[persona])
    assert SurveyImport.objects.count() == 0


def test_another_places_import_does_not_exist_for_its_admin(world, orgs):
    imp = _upload(world)
    elsewhere = viewer_for_user(world.outsider, world.other_place)  # a place admin there
    with pytest.raises(Http404):
        survey.survey_get(elsewhere, imp.public_id)
    with pytest.raises(Http404):
        survey.survey_confirm(viewer=elsewhere, imp=imp)


# --- the import job -------------------------------------------------------------------------


def test_confirm_imports_as_a_job_with_matches_new_names_and_a_report(world, orgs):
    a, b = orgs
    imp = _upload(world)
    imp = survey.survey_confirm(
        viewer=world.viewer(world.manager_a),
        imp=imp,
        names={"Testfrod Council": b.public_id, "Faith Forum": "new"},
        new_kind=NodeKind.ORGANISATION,
    )
    assert imp.state == SurveyState.DONE
    job = imp.job
    assert (job.kind, job.status, job.done, job.total) == (
        JobKind.NETWORK_SURVEY_IMPORT,
        JobStatus.DONE,
        3,
        3,
    )
    assert job.result == {"created": 3, "not_imported": 4}
    assert [(t.target_node.label, t.tie_type, t.strength, t.directed) for t in _survey_ties()] == [
        ("Testford Council", TieType.PARTNERSHIP, 4.0, True),
        ("Testford Council", TieType.WORKS_WITH, 2.0, True),
        ("Faith Forum", TieType.WORKS_WITH, 1.0, True),
    ]
    faith = Node.objects.get(label="Faith Forum")
    assert (faith.kind, faith.key) == (NodeKind.ORGANISATION, "ext:faith forum")
    assert (imp.report["created"], imp.report["nodes_added"], imp.report["bad"]) == (3, 1, BAD_ROWS)
    assert imp.report["skipped"] == []
    # the file, the choices and the names of the review are not kept
    assert (bytes(imp.payload), imp.decisions) == (b"", {})
    assert "unknown" not in imp.findings
    event = AuditEvent.objects.get(
        action="create",
        object_type="network.surveyimport",
        detail__job=job.public_id,
        detail__survey_ties=3,
    )
    assert event.detail["bad_rows"] == 4


def test_names_left_undecided_are_left_out_not_guessed(world, orgs):
    imp = survey.survey_confirm(viewer=world.viewer(world.manager_a), imp=_upload(world))
    assert imp.report["created"] == 1
    assert imp.report["skipped"] == [
        [3, "a name in it was left out at review"],
        [4, "a name in it was left out at review"],
    ]
    assert not Node.objects.filter(label__in=["Faith Forum", "Testfrod Council"]).exists()


def test_one_choice_adds_every_name_not_decided_one_by_one(world, orgs):
    imp = survey.survey_confirm(
        viewer=world.viewer(world.manager_a), imp=_upload(world), unknown="new"
    )
    assert imp.report["created"] == 3
    added = Node.objects.filter(label__in=["Faith Forum", "Testfrod Council"])
    assert sorted(added.values_list("label", "kind")) == [
        ("Faith Forum", NodeKind.PERSON),
        ("Testfrod Council", NodeKind.PERSON),
    ]


def test_a_match_in_another_place_is_refused_and_nothing_is_queued(world, orgs):
    other_place = world.other_place
    stranger = Node.objects.create(
        place=other_place, kind=NodeKind.ORGANISATION, key="ext:x", label="X"
    )
    imp = _upload(world)
    with pytest.raises(ValidationError) as caught:
        survey.survey_confirm(
            viewer=world.viewer(world.manager_a), imp=imp, names={"Faith Forum": stranger.public_id}
        )
    assert "names" in caught.value.message_dict
    imp.refresh_from_db()
    assert (imp.state, imp.job) == (SurveyState.REVIEW, None)
    assert not Job.objects.filter(kind=JobKind.NETWORK_SURVEY_IMPORT).exists()


def test_an_import_cannot_be_confirmed_twice(world, orgs):
    imp = survey.survey_confirm(viewer=world.viewer(world.manager_a), imp=_upload(world))
    with pytest.raises(ValidationError):
        survey.survey_confirm(viewer=world.viewer(world.manager_a), imp=imp)
    assert _survey_ties().count() == 1


def test_a_job_that_fails_part_way_keeps_its_batches_and_carries_on_without_doubles(
    world, orgs, monkeypatch
):
    rows = "".join(f"Testford Connect,Contact {i},knows,1,2026-01-0{1 + i % 9}\n" for i in range(7))
    imp = _upload(world, "respondent,contact,relationship,strength,date\n" + rows)
    monkeypatch.setattr(survey, "BATCH", 3)
    calls = {"n": 0}
    real = models.QuerySet.bulk_create

    def failing_bulk_create(qs, objs, *args, **kwargs):
        if qs.model is Tie:
            calls["n"] += 1
            if calls["n"] == 2:
                raise RuntimeError("the database went away")
        return real(qs, objs, *args, **kwargs)

    monkeypatch.setattr(models.QuerySet, "bulk_create", failing_bulk_create)
    imp = survey.survey_confirm(viewer=world.viewer(world.manager_a), imp=imp, unknown="new")
    imp.refresh_from_db()
    assert (imp.state, imp.job.status, imp.done_through) == (
        SurveyState.FAILED,
        JobStatus.FAILED,
        4,
    )
    assert _survey_ties().count() == 3  # the first batch is kept
    imp = survey.survey_restart(viewer=world.viewer(world.manager_a), imp=imp)
    assert (imp.state, imp.report["created"]) == (SurveyState.DONE, 7)
    assert sorted(_survey_ties().values_list("target_node__label", flat=True)) == [
        f"Contact {i}" for i in range(7)
    ]


# --- the command line -----------------------------------------------------------------------


def _command(tmp_path, text, *args):
    path = tmp_path / "survey.csv"
    path.write_text(text)
    out, err = io.StringIO(), io.StringIO()
    call_command("import_network_survey", "testford", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_check_reports_bad_rows_and_unknown_names_and_imports_nothing(
    world, orgs, tmp_path
):
    out, _ = _command(tmp_path, SURVEY, "--check")
    assert "line 6: a respondent cannot name themselves" in out
    assert "not in the network: Testfrod Council (like Testford Council, " in out
    assert "3 rows can be imported, 4 cannot; 2 names are not in the network yet." in out
    assert Tie.objects.count() == 0 and SurveyImport.objects.count() == 0


def test_command_imports_a_file_beyond_the_page_limits_with_a_terminal_bar(
    world, orgs, tmp_path, monkeypatch
):
    monkeypatch.setattr(survey, "MAX_SURVEY_ROWS", 5)
    rows = "".join(f"Testford Connect,Contact {i},knows,1,2026-01-01\n" for i in range(12))
    out, err = _command(tmp_path, SURVEY + rows, "--unknown", "new", "--as", "organisation")
    assert "12 more" not in out
    assert "15 ties recorded, 14 names added, 4 rows not imported" in out
    assert "line 7: relationship type 'rival' is not one we know" in out
    assert "network_survey_import" in err and "100%" in err  # the progress bar
    imp = SurveyImport.objects.get()
    assert (imp.job.status, imp.job.started_by, imp.state) == (
        JobStatus.DONE,
        None,
        SurveyState.DONE,
    )
    assert Node.objects.filter(label="Contact 11", kind=NodeKind.ORGANISATION).exists()


# --- the pages ------------------------------------------------------------------------------


def _post_file(client, text=SURVEY):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("survey.csv", text.encode(), content_type="text/csv")
    return client.post(reverse("network:survey"), {"file": upload})


def test_survey_pages_upload_review_import_and_report(world, orgs):
    client = client_for(world.manager_a)
    response = _post_file(client)
    imp = SurveyImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("network:survey_detail", args=[imp.public_id])
    review = client.get(response["Location"]).content.decode()
    assert "A respondent cannot name themselves" in review
    assert "The same as Testford Council" in review
    assert Tie.objects.count() == 0
    # "Faith Forum" is name-0 (sorted); Testfrod is matched; the rest would be left out
    done = client.post(
        response["Location"],
        {"name-0": "new", "name-1": orgs[1].public_id, "unknown": "leave", "new_kind": "group"},
    )
    assert done.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Ties recorded" in page and "Rows not imported" in page
    assert "Relationship type &#x27;rival&#x27; is not one we know" in page
    assert _survey_ties().count() == 3
    assert Node.objects.get(label="Faith Forum").kind == NodeKind.GROUP
    # the status region is what htmx polls
    partial = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div id="survey-status"')


def test_review_errors_show_on_the_page_and_nothing_is_imported(world, orgs):
    client = client_for(world.manager_a)
    _post_file(client)
    imp = SurveyImport.objects.get()
    url = reverse("network:survey_detail", args=[imp.public_id])
    response = client.post(url, {"name-0": "not-a-choice", "unknown": "leave"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Select a valid choice" in body
    assert "Choose what the names added are" in body
    assert SurveyImport.objects.get().state == SurveyState.REVIEW


def test_a_bad_file_is_an_error_next_to_the_field(world):
    response = _post_file(client_for(world.manager_a), "a,b\n1,2\n")
    assert response.status_code == 400
    assert "The first row must name the columns" in response.content.decode()


def test_survey_import_pages_are_for_the_places_coordinators_only(world, orgs):
    imp = _upload(world)
    url = reverse("network:survey_detail", args=[imp.public_id])
    assert_access(world, "get", url, {"manager_a": 200})


# --- the API --------------------------------------------------------------------------------


def test_api_check_then_import_then_poll_for_the_report(world, orgs):
    client = client_for(world.manager_a)
    created = client.post(
        "/api/network/surveys",
        {"csv": SURVEY, "file_name": "s.csv"},
        content_type="application/json",
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["state"], body["rows"], body["job"]) == ("review", 3, None)
    assert body["bad_rows"][0] == {"line": 5, "reason": "the respondent is missing"}
    unknown = {u["name"]: u["suggestions"] for u in body["unknown_names"]}
    assert unknown["Testfrod Council"][0] == {"id": orgs[1].public_id, "label": "Testford Council"}
    started = client.post(
        f"/api/network/surveys/{body['id']}/import",
        {"names": {"Testfrod Council": orgs[1].public_id}, "unknown": "new"},
        content_type="application/json",
    )
    assert started.status_code == 202
    polled = client.get(f"/api/network/surveys/{body['id']}").json()
    assert polled["job"]["status"] == "done" and polled["job"]["percent"] == 100
    assert polled["report"]["created"] == 3
    assert [r["line"] for r in polled["report"]["not_imported"]] == [5, 6, 7, 8]
    assert polled["unknown_names"] is None


def test_api_refuses_bad_input_by_field_and_hides_imports_from_others(world, orgs):
    client = client_for(world.manager_a)
    bad = client.post(
        "/api/network/surveys", {"csv": "a,b\n1,2\n"}, content_type="application/json"
    )
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "csv"
    imp = _upload(world)
    wrong = client.post(
        f"/api/network/surveys/{imp.public_id}/import",
        {"names": {"Faith Forum": "nosuchnode00"}},
        content_type="application/json",
    )
    assert wrong.status_code == 400
    assert wrong.json()["errors"][0]["field"] == "names"
    for user in (world.catalyst_a, world.worker_b, world.analyst, world.outsider):
        other = client_for(user)
        assert other.get(f"/api/network/surveys/{imp.public_id}").status_code == 404
    for user in (world.catalyst_a, world.worker_b, world.analyst):
        response = client_for(user).post(
            "/api/network/surveys", {"csv": SURVEY}, content_type="application/json"
        )
        assert response.status_code == 404
    # the outsider is a place admin in Elsewhere: their survey goes there
    client_for(world.outsider).post(
        "/api/network/surveys", {"csv": SURVEY}, content_type="application/json"
    )
    assert SurveyImport.objects.filter(place=world.place).count() == 1


def test_node_create_and_survey_agree_on_keys(world):
    viewer = world.viewer(world.manager_a)
    node = services.node_create(viewer=viewer, kind=NodeKind.GROUP, label="Walking Group")
    assert node.key == survey._node_key(NodeKind.GROUP, "walking group")
