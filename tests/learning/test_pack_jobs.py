"""The session pack PDF is built by a background job for whoever asked, and for them only:
they download it once, it is gone after that or after a day, a download re-checks the
naming rule, and only the download is an export (one audit event)."""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command

from commonweave.audit.models import AuditEvent
from commonweave.jobs.enums import JobKind, JobStatus
from commonweave.jobs.models import Job
from commonweave.learning import services
from commonweave.learning.models import SessionPack
from commonweave.tenancy.enums import Role
from commonweave.tenancy.models import Membership
from commonweave.tenancy.tokens import issue_api_token
from tests.api.conftest import session_client, token_client

from .conftest import RESIDENT_NAME, api_pdf_via_job, pdf_via_job, set_story_consent
from .test_pages import _pdf_text

pytestmark = pytest.mark.django_db
SURNAME = "Oyelaran"


def _start(client, session):
    response = client.post(f"/learning/sessions/{session.public_id}/pack.pdf")
    assert response.status_code == 302
    return response["Location"]  # /learning/packs/<job>/


def _attend(world, storied, organisation):
    services.attendee_add(
        viewer=world.viewer(world.catalyst_a),
        session=storied["session"],
        name="Someone",
        organisation=organisation,
    )


def _exports():
    return AuditEvent.objects.filter(action="export").count()


@pytest.mark.slow
def test_only_whoever_asked_finds_and_downloads_the_pdf_and_only_once(world, storied, login):
    _attend(world, storied, world.org_a)
    owner = login(world.catalyst_a)
    url = _start(owner, storied["session"])
    job = Job.objects.get(kind=JobKind.LEARNING_PACK)
    assert url == f"/learning/packs/{job.public_id}/"
    assert (job.status, job.started_by) == (JobStatus.DONE, world.catalyst_a)
    # Nobody else finds it: not a colleague, not a place admin, not another place.
    for user in (world.manager_a, world.analyst, world.worker_b, world.outsider):
        client = login(user)
        assert client.get(url).status_code == 404
        assert client.post(url + "download/").status_code == 404
    assert login(None).get(url).status_code == 302  # sign in first
    before = _exports()
    first = owner.post(url + "download/")
    assert first.status_code == 200
    assert first["Content-Disposition"] == (
        f'attachment; filename="session-{storied["session"].public_id}.pdf"'
    )
    assert "no-store" in first["Cache-Control"]
    assert SURNAME in _pdf_text(first.content)
    assert _exports() == before + 1
    event = AuditEvent.objects.filter(action="export").latest("pk")
    assert (event.actor, event.detail["residents"], event.detail["job"]) == (
        world.catalyst_a,
        [storied["resident"].public_id],
        job.public_id,
    )
    # Once: the bytes are gone, and a second try says so.
    assert bytes(SessionPack.objects.get().data) == b""
    again = owner.post(url + "download/")
    assert again.status_code == 410
    assert "downloaded already" in again.content.decode()
    assert "You downloaded this pack" in owner.get(url).content.decode()
    assert _exports() == before + 1


@pytest.mark.slow
def test_the_jobs_page_shows_the_build_to_whoever_asked_and_no_one_is_named_there(
    world, storied, login
):
    owner = login(world.catalyst_a)
    _start(owner, storied["session"])
    job = Job.objects.get(kind=JobKind.LEARNING_PACK)
    page = owner.get(f"/jobs/{job.public_id}/").content.decode()
    assert "Build a session pack" in page and "Finished" in page
    # The job row holds ids and counts only.
    row = f"{job.message} {job.result} {job.error}"
    for words in (RESIDENT_NAME, storied["session"].title, storied["story"].title):
        assert words not in row
    assert job.result["session"] == storied["session"].public_id


@pytest.mark.slow
def test_a_consent_withdrawn_after_the_build_makes_the_file_unusable(world, storied, login):
    _attend(world, storied, world.org_a)
    owner = login(world.catalyst_a)
    url = _start(owner, storied["session"])
    assert SessionPack.objects.get().named == [storied["resident"].pk]
    set_story_consent(world, storied["resident"], False)
    before = _exports()
    response = owner.post(url + "download/")
    assert response.status_code == 410
    assert "someone withdrew their consent" in response.content.decode()
    assert bytes(SessionPack.objects.get().data) == b""  # deleted, not kept for later
    assert _exports() == before  # nothing left the building
    # A new build follows the rule as it is now.
    assert SURNAME not in _pdf_text(pdf_via_job(owner, storied["session"]))


@pytest.mark.slow
def test_another_organisation_joining_after_the_build_also_stops_the_file(world, storied, login):
    _attend(world, storied, world.org_a)
    owner = login(world.catalyst_a)
    url = _start(owner, storied["session"])
    _attend(world, storied, world.org_b)  # the council holds no consent for her
    assert owner.post(url + "download/").status_code == 410


@pytest.mark.slow
def test_a_pack_naming_no_one_is_not_stopped_by_later_changes(world, storied, login):
    client = login(world.worker_b)  # may not see the resident: the pack names no one
    url = _start(client, storied["session"])
    set_story_consent(world, storied["resident"], False)
    response = client.post(url + "download/")
    assert response.status_code == 200
    assert SURNAME not in _pdf_text(response.content)


@pytest.mark.slow
def test_packs_are_deleted_after_a_day_whether_or_not_downloaded(world, storied, login):
    start = datetime.datetime(2026, 5, 1, 9, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        owner = login(world.catalyst_a)
        url = _start(owner, storied["session"])
        _start(owner, storied["session"])  # a second copy, also not downloaded
    assert SessionPack.objects.count() == 2
    with time_machine.travel(start + datetime.timedelta(hours=23), tick=False):
        owner = login(world.catalyst_a)  # (signed in again: idle sessions time out)
        assert owner.get(url).status_code == 200
    with time_machine.travel(start + datetime.timedelta(hours=25), tick=False):
        owner = login(world.catalyst_a)
        assert owner.get(url).status_code == 404
        assert owner.post(url + "download/").status_code == 404
        out = io.StringIO()
        call_command("purge_session_packs", stdout=out)
        assert out.getvalue().strip() == "Deleted 2 session packs past their time"
        assert SessionPack.objects.count() == 0
        call_command("purge_session_packs", stdout=out)  # idempotent
    # The job rows stay: they hold no people.
    assert Job.objects.filter(kind=JobKind.LEARNING_PACK).count() == 2


@pytest.mark.slow
def test_a_new_build_purges_expired_packs(world, storied, login):
    start = datetime.datetime(2026, 5, 1, 9, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        _start(login(world.catalyst_a), storied["session"])
    with time_machine.travel(start + datetime.timedelta(days=2), tick=False):
        _start(login(world.worker_b), storied["session"])
    assert [p.requested_by for p in SessionPack.objects.all()] == [world.worker_b]


def _token(org, role=Role.CATALYST):
    return token_client(issue_api_token(organisation=org, name="Case system", role=role)[1])


@pytest.mark.slow
def test_api_pack_jobs_belong_to_the_token_that_started_them(world, storied):
    _attend(world, storied, world.org_a)
    holder = _token(world.org_a)
    start = holder.post(f"/api/learning/sessions/{storied['session'].public_id}/pack-jobs")
    assert start.status_code == 202
    body = start.json()
    assert (body["status"], body["ready"], body["downloaded"]) == ("done", True, False)
    poll, pdf = f"/api/learning/pack-jobs/{body['job_id']}", body["download"]
    assert pdf == poll + "/pdf"
    # Another token of the same organisation, or a person there, finds nothing.
    for other in (_token(world.org_a), session_client(world.catalyst_a), _token(world.org_b)):
        assert other.get(poll).status_code == 404
        assert other.get(pdf).status_code == 404
    response = holder.get(pdf)
    assert response.status_code == 200
    assert SURNAME in _pdf_text(response.content)
    again = holder.get(pdf)
    assert (again.status_code, again.json()["detail"][:30]) == (
        410,
        "This pack was downloaded alrea",
    )
    after = holder.get(poll).json()
    assert (after["ready"], after["downloaded"], after["download"]) == (False, True, None)


@pytest.mark.slow
def test_api_download_is_refused_once_consent_is_withdrawn(world, storied):
    _attend(world, storied, world.org_a)
    holder = _token(world.org_a)
    body = holder.post(f"/api/learning/sessions/{storied['session'].public_id}/pack-jobs").json()
    set_story_consent(world, storied["resident"], False)
    response = holder.get(body["download"])
    assert response.status_code == 410
    assert "consent withdrawn" in response.json()["detail"]
    assert SURNAME not in _pdf_text(api_pdf_via_job(holder, storied["session"]))


def test_api_html_pack_is_immediate_and_pdf_is_not_offered_there(world, storied):
    client = _token(world.org_a)
    url = f"/api/learning/sessions/{storied['session'].public_id}/pack"
    assert client.get(url)["Content-Type"].startswith("text/html")
    response = client.get(url, format="pdf")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["format"]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_with_a_worker_the_build_waits_and_the_download_waits_for_it(world, storied, settings):
    from tests.conftest import client_for

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    owner = client_for(world.catalyst_a)
    url = _start(owner, storied["session"])
    page = owner.get(url).content.decode()
    assert "Waiting for a worker to start it" in page and "Download the PDF" not in page
    assert owner.post(url + "download/").status_code == 409
    # Asking again while it waits gives the same build.
    assert _start(owner, storied["session"]) == url
    assert SessionPack.objects.count() == 1
    api = session_client(world.catalyst_a)
    job_id = url.rstrip("/").rsplit("/", 1)[1]
    assert api.get(f"/api/learning/pack-jobs/{job_id}/pdf").status_code == 409

    worker = {"batch": True, "startup_delay": False, "reload": False, "verbosity": 0}
    call_command("db_worker", **worker, stdout=io.StringIO(), stderr=io.StringIO())
    assert "Download the PDF" in owner.get(url).content.decode()
    assert owner.post(url + "download/").status_code == 200


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_build_for_someone_who_lost_their_role_meanwhile_fails_and_makes_nothing(
    world, storied, settings
):
    from tests.conftest import client_for

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    _start(client_for(world.catalyst_a), storied["session"])
    Membership.objects.filter(user=world.catalyst_a).delete()
    worker = {"batch": True, "startup_delay": False, "reload": False, "verbosity": 0}
    call_command("db_worker", **worker, stdout=io.StringIO(), stderr=io.StringIO())
    job = Job.objects.get(kind=JobKind.LEARNING_PACK)
    assert job.status == JobStatus.FAILED
    assert job.error.startswith("RequesterLostAccess at commonweave/learning/pack_jobs.py")
    pack = SessionPack.objects.get()
    assert (bytes(pack.data), pack.built_at) == (b"", None)
