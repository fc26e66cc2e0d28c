"""The scores export for evaluators as a background job (the project rule that report
builds run as jobs with progress): asked for on the cohort page, built with
progress, downloadable once and only by the person who asked, audited as an export,
deleted after the download or a day; the same from the terminal; and the API's pages."""

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from commonweave.audit.models import AuditEvent
from commonweave.demo.factories import MembershipFactory, ReferralFactory
from commonweave.jobs.enums import JobKind, JobStatus
from commonweave.jobs.models import Job
from commonweave.jobs.services import job_run
from commonweave.people.enums import ConsentPurpose
from commonweave.people.models import Consent
from commonweave.tenancy.enums import Role
from commonweave.tenancy.models import Membership
from commonweave.wellbeing import exports
from commonweave.wellbeing.models import ScoresExport

from .helpers import answered_checkin
from .test_api import api

START = reverse("wellbeing:export_start")
ONS4 = {"life_satisfaction": 5, "worthwhile": 6, "happiness": 7, "anxiety": 3}


def export_page(export):
    return reverse("wellbeing:export", args=[export.public_id])


def download(export):
    return reverse("wellbeing:export_download", args=[export.public_id])


@pytest.fixture
def scored(world):
    """Three people with two check-ins each; two agreed to take part in evaluation."""
    people = []
    when = timezone.now() - timedelta(days=20)
    for n in range(3):
        resident = ReferralFactory(resident__organisation=world.org_a).resident
        if n < 2:
            Consent.objects.create(resident=resident, purpose=ConsentPurpose.EVALUATION, given=True)
        answered_checkin(resident, when, {"home": 2, "money": 3}, {"ons4": ONS4})
        answered_checkin(resident, when + timedelta(days=7), {"home": 4})
        people.append(resident)
    return people


def test_asking_runs_a_job_with_progress_and_the_asker_downloads_it_once(
    world, login, scored, _exports_folder
):
    client = login(world.analyst)
    response = client.post(START)
    export = ScoresExport.objects.get()
    assert response.status_code == 302
    assert response.url == export_page(export)
    job = Job.objects.get()
    # Two people x (3 ratings + 1 ONS4 response) rows read, counted as it went.
    assert (job.kind, job.status, job.started_by) == (
        JobKind.WELLBEING_EXPORT,
        JobStatus.DONE,
        world.analyst,
    )
    assert (job.done, job.total, job.percent) == (8, 8, 100)
    assert job.result == {"rows": 14}  # 10 ratings and 4 ONS4 scores
    assert job.message == "14 rows ready to download"
    page = client.get(export_page(export)).content.decode()
    assert "Download the scores (CSV)" in page
    assert "14 rows" in page
    assert AuditEvent.objects.filter(action="export").count() == 0  # nothing has left yet

    answer = client.post(download(export))
    text = b"".join(answer.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == exports.EXPORT_HEADER
    assert len(rows) == 15
    assert {r[0] for r in rows[1:]} == {exports.pseudonym(world.place, p.pk) for p in scored[:2]}
    assert answer["Cache-Control"] == "no-store, private"
    assert answer["Content-Disposition"] == 'attachment; filename="wellbeing-scores.csv"'
    events = list(AuditEvent.objects.filter(action="export"))
    assert [(e.object_type, e.object_id, e.detail["rows"]) for e in events] == [
        ("wellbeing.export", "scores", 14)
    ]
    # Sent once, then gone: the file is deleted and a second try says so.
    assert list(_exports_folder.iterdir()) == []
    again = client.post(download(export), follow=True)
    assert "That file has gone: it can be downloaded once, for a day." in again.content.decode()
    assert "You downloaded this file on" in again.content.decode()
    assert AuditEvent.objects.filter(action="export").count() == 1


def test_only_the_person_who_asked_sees_or_downloads_it(world, login, scored, _exports_folder):
    login(world.analyst).post(START)
    export = ScoresExport.objects.get()
    second_analyst = MembershipFactory(organisation=world.org_a, role=Role.ANALYST).user
    for user in (second_analyst, world.manager_a, world.catalyst_a, world.outsider):
        client = login(user)
        assert client.get(export_page(export)).status_code == 404
        assert client.post(download(export)).status_code == 404
    assert len(list(_exports_folder.iterdir())) == 1  # still there for the analyst
    assert not AuditEvent.objects.filter(action="export").exists()


def test_the_file_is_deleted_a_day_after_it_was_asked_for(world, login, scored, _exports_folder):
    login(world.analyst).post(START)
    export = ScoresExport.objects.get()
    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1)):
        client = login(world.analyst)  # a new session: the first has timed out
        page = client.get(export_page(export)).content.decode()
        assert "This file was kept for a day and has been deleted." in page
        assert "Download the scores (CSV)" not in page
        assert client.post(download(export)).status_code == 302
        assert len(list(_exports_folder.iterdir())) == 1
        call_command("purge_wellbeing_exports", stdout=io.StringIO())
    assert list(_exports_folder.iterdir()) == []
    export.refresh_from_db()
    assert export.deleted_at is not None and export.downloaded_at is None
    assert not AuditEvent.objects.filter(action="export").exists()


def test_asking_again_purges_expired_exports(world, login, scored, _exports_folder):
    login(world.analyst).post(START)
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        login(world.analyst).post(START)
    assert ScoresExport.objects.filter(deleted_at__isnull=True).count() == 1
    assert len(list(_exports_folder.iterdir())) == 1


def test_the_job_refuses_someone_who_lost_the_analyst_role(world, scored, _exports_folder):
    viewer = world.viewer(world.analyst)
    export = exports.scores_export_create(viewer=viewer)
    Membership.objects.filter(user=world.analyst).delete()
    with pytest.raises(PermissionDenied):
        job_run(export.job, stream=None)
    export.job.refresh_from_db()
    assert export.job.status == JobStatus.FAILED
    assert export.job.error.startswith("PermissionDenied at commonweave/wellbeing/exports.py")
    assert list(_exports_folder.glob("*")) == []


def test_who_may_ask(world, login):
    for user in (world.catalyst_a, world.worker_b, world.catalyst_b):
        assert login(user).post(START).status_code == 404
    assert not Job.objects.exists()


def test_the_cohort_page_offers_the_export_to_analysts_only(world, login, scored):
    cohort = reverse("wellbeing:cohort")
    analyst = login(world.analyst).get(cohort, {"front_door": "public_web"}).content.decode()
    assert "Prepare the scores for download" in analyst
    assert '<input type="hidden" name="front_door" value="public_web">' in analyst
    assert "Download this table as CSV" in analyst
    catalyst = login(world.catalyst_a).get(cohort).content.decode()
    assert "Prepare the scores for download" not in catalyst
    assert "Download this table as CSV" in catalyst


def test_the_filters_travel_with_the_request(world, login, scored):
    client = login(world.analyst)
    client.post(START, {"front_door": "text"})
    export = ScoresExport.objects.get()
    assert export.rows == 0  # nobody came by text message
    page = client.get(export_page(export)).content.decode()
    assert "Text message" in page


def test_an_empty_export_is_not_offered_and_the_page_says_why(world, login, scored):
    client = login(world.analyst)
    cohort = client.get(reverse("wellbeing:cohort"), {"front_door": "text"}).content.decode()
    assert "Prepare the scores for download" not in cohort
    assert "There are no scores to prepare for evaluators" in cohort
    client.post(START, {"front_door": "text"})  # asked for anyway (an old page, say)
    export = ScoresExport.objects.get()
    page = client.get(export_page(export)).content.decode()
    assert "Download the scores (CSV)" not in page
    assert "There is nothing to download" in page
    refused = client.post(download(export), follow=True)
    assert refused.redirect_chain == [(export_page(export), 302)]
    assert "There is nothing to download: the file has no rows." in refused.content.decode()
    assert not AuditEvent.objects.filter(action="export", object_id="scores").exists()


def test_the_terminal_command_shows_a_bar_and_writes_the_file(world, scored, tmp_path):
    out, err = io.StringIO(), io.StringIO()
    target = tmp_path / "scores.csv"
    call_command(
        "export_wellbeing_scores",
        place=world.place.slug,
        user=world.analyst.email,
        output=str(target),
        stdout=out,
        stderr=err,
    )
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 15
    assert "14 rows written to" in out.getvalue()
    assert "wellbeing_export" in err.getvalue()
    assert "100% 8/8 done" in err.getvalue()
    event = AuditEvent.objects.get(action="export")
    assert (event.actor_id, event.object_id) == (world.analyst.pk, "scores")
    assert ScoresExport.objects.get().deleted_at is not None


def test_the_terminal_command_refuses_someone_who_may_not_export(world, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not its analyst or place admin"):
        call_command(
            "export_wellbeing_scores",
            place=world.place.slug,
            user=world.catalyst_a.email,
            output=str(tmp_path / "x.csv"),
        )
    assert not (tmp_path / "x.csv").exists()


# --- the API: the same rows, a page of check-ins at a time --------------------------------


def test_the_api_pages_pseudonymous_scores_and_audits_each_page(world, scored):
    client = api(world.org_a, Role.ANALYST)
    first = client.get("/api/wellbeing/scores", size=3).json()
    assert (first["count"], first["page"], first["pages"]) == (4, 1, 2)
    assert len(first["items"]) == 3
    people = {item["person"] for item in first["items"]}
    assert people <= {exports.pseudonym(world.place, p.pk) for p in scored[:2]}
    opening = first["items"][0]
    assert [(s["kind"], s["code"], s["value"]) for s in opening["scores"]] == [
        ("life map", "home", 2.0),
        ("life map", "money", 3.0),
        ("measure", "life_satisfaction", 5.0),
        ("measure", "worthwhile", 6.0),
        ("measure", "happiness", 7.0),
        ("measure", "anxiety", 3.0),
    ]
    second = client.get("/api/wellbeing/scores", size=3, page=2).json()
    assert len(second["items"]) == 1
    events = AuditEvent.objects.filter(action="export", object_id="scores-api")
    assert [e.detail["page"] for e in events.order_by("pk")] == [1, 2]
    for body in (first, second):
        for resident in scored:
            assert resident.public_id not in str(body)


def test_the_api_scores_are_for_analysts_and_place_admins(world, scored):
    assert api(world.org_a, Role.CATALYST).get("/api/wellbeing/scores").status_code == 404
    assert api(world.org_b, Role.PARTNER_WORKER).get("/api/wellbeing/scores").status_code == 404
    bad = api(world.org_a, Role.ANALYST).get(
        "/api/wellbeing/scores", period_from="2025-02-05", period_to="2025-01-06"
    )
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "period_to"
    assert not AuditEvent.objects.filter(action="export").exists()


def test_the_page_polls_while_the_job_waits_and_shows_only_its_status_to_htmx(world, login, scored):
    export = exports.scores_export_create(viewer=world.viewer(world.analyst))  # not queued
    client = login(world.analyst)
    body = client.get(export_page(export)).content.decode()
    assert "Waiting for a worker to start it" in body
    assert f'hx-get="{export_page(export)}" hx-trigger="every 1s"' in body
    assert "Download the scores (CSV)" not in body
    waiting = client.post(download(export), follow=True).content.decode()
    assert "The file is not ready yet." in waiting  # nothing to download yet
    partial = client.get(export_page(export), headers={"HX-Request": "true"}).content.decode()
    assert partial.strip().startswith('<div id="export-status"')
    assert "<html" not in partial
    job_run(export.job, stream=None)
    done = client.get(export_page(export), headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in done  # finished: the polling stops
    assert "Download the scores (CSV)" in done


def test_the_export_and_the_api_carry_only_what_the_pseudonymous_level_sees(
    world, scored, tmp_path
):
    """The field policy's pseudonymous level (wellbeing/visibility.py) is the day, the area
    or measure and its value: a person's own words and what would make an area better
    never leave, in the file or the API, and neither do names or record ids."""
    from commonweave.core.visibility import Level, visible_fields
    from commonweave.wellbeing.models import AreaRating, CheckIn

    assert "own_words" not in visible_fields(CheckIn, Level.PSEUDONYMOUS)
    assert "better" not in visible_fields(AreaRating, Level.PSEUDONYMOUS)
    CheckIn.objects.update(own_words="qx-own-words-z")
    AreaRating.objects.update(better="qx-better-z")
    target = tmp_path / "scores.csv"
    call_command(
        "export_wellbeing_scores",
        place=world.place.slug,
        user=world.analyst.email,
        output=str(target),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    exported = target.read_text(encoding="utf-8-sig")
    answered = str(api(world.org_a, Role.ANALYST).get("/api/wellbeing/scores").json())
    for text in (exported, answered):
        assert "qx-" not in text
        for resident in scored:
            assert resident.public_id not in text
            assert resident.full_name not in text
