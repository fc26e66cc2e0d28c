"""The recompute-duplicate-keys job, end to end through django.tasks."""

import io
import logging
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.tasks import TaskResultStatus
from django.utils import timezone

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.models import AuditEvent
from commonweave.demo.factories import ResidentFactory
from commonweave.jobs import services
from commonweave.jobs.enums import JobKind, JobStatus
from commonweave.jobs.models import Job
from commonweave.jobs.tasks import run_job
from commonweave.people.models import Resident


@pytest.fixture
def residents(world):
    """Five residents in Testford, two with stale keys, and one in another place."""
    people = [ResidentFactory(organisation=world.org_a) for _ in range(4)]
    people.append(ResidentFactory(organisation=world.org_b, phone="+44 7700 900999"))
    Resident.objects.filter(pk__in=[people[0].pk, people[4].pk]).update(
        name_key="stale", phone_key=""
    )
    elsewhere = ResidentFactory(organisation__place=world.other_place)
    Resident.objects.filter(pk=elsewhere.pk).update(name_key="stale")
    return people


def _keys(resident):
    resident.refresh_from_db()
    return resident.name_key, resident.phone_key


def test_enqueued_with_the_immediate_backend_the_job_runs_to_done(world, residents):
    job, started = services.recompute_keys_start(viewer=world.viewer(world.manager_a))
    assert started is True
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert (job.total, job.done) == (5, 5)
    assert job.result == {"residents": 5, "changed": 2}
    assert job.message == "Checked 5 residents; 2 needed new keys"
    assert job.started_by == world.manager_a
    assert job.task_id != ""
    assert job.started_at is not None and job.finished_at is not None
    assert _keys(residents[4]) == (residents[4].name_key, "07700900999")
    assert _keys(residents[0])[0] != "stale"
    # Other places are untouched.
    assert Resident.objects.filter(place=world.other_place, name_key="stale").count() == 1


def test_the_run_is_audited_once_with_counts_only(world, residents):
    before = AuditEvent.objects.count()
    job, _ = services.recompute_keys_start(viewer=world.viewer(world.manager_a))
    events = list(AuditEvent.objects.order_by("pk")[before:])
    assert len(events) == 1
    event = events[0]
    assert (event.action, event.purpose, event.object_type) == (
        Action.UPDATE,
        Purpose.ADMIN,
        "people.resident",
    )
    assert (event.actor, event.place) == (world.manager_a, world.place)
    assert event.detail == {
        "job": job.public_id,
        "kind": "recompute_keys",
        "residents": 5,
        "changed": 2,
    }


def test_a_second_start_while_one_is_under_way_returns_that_job(world, residents):
    running = Job.objects.create(
        place=world.place, kind=JobKind.RECOMPUTE_KEYS, status=JobStatus.RUNNING
    )
    job, started = services.recompute_keys_start(viewer=world.viewer(world.manager_a))
    assert (job, started) == (running, False)
    assert Job.objects.count() == 1


def test_only_place_admins_can_start_it(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.recompute_keys_start(viewer=world.viewer(world.catalyst_a))
    assert Job.objects.count() == 0


def test_a_failure_marks_the_job_failed_without_personal_data(
    world, residents, monkeypatch, caplog
):
    name = residents[2].full_name

    def broken(resident):
        raise ValueError(f"cannot normalise {resident.full_name}")

    monkeypatch.setattr(Resident, "refresh_keys", broken)
    job = services.job_create(place=world.place, kind=JobKind.RECOMPUTE_KEYS)
    with caplog.at_level(logging.INFO):
        task_result = run_job.enqueue(job.public_id)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error.startswith("ValueError at ")
    assert job.error.endswith("in recompute_duplicate_keys")  # the last line of our code
    assert job.finished_at is not None
    assert (job.total, job.done) == (5, 0)
    # The task backend sees a failure too, but only our sanitised one.
    assert task_result.status == TaskResultStatus.FAILED
    [error] = task_result.errors
    assert error.exception_class_path == "commonweave.jobs.tasks.JobFailed"
    stored = " ".join([job.error, job.message, str(job.result), error.traceback, caplog.text])
    for part in name.split():
        assert part not in stored
    assert "ValueError" in caplog.text  # the log says what kind of error and where


def test_a_job_that_is_not_queued_is_not_run_again(world, residents):
    job = Job.objects.create(place=world.place, kind=JobKind.RECOMPUTE_KEYS, status="done")
    result = run_job.enqueue(job.public_id)
    assert result.return_value == {"job": job.public_id, "skipped": True}


def test_the_command_runs_the_same_job_with_a_bar_on_stderr(world, residents):
    out, err = io.StringIO(), io.StringIO()
    call_command("recompute_keys", place="testford", stdout=out, stderr=err)
    job = Job.objects.get()
    assert (job.status, job.total, job.done, job.started_by) == (JobStatus.DONE, 5, 5, None)
    assert job.result == {"residents": 5, "changed": 2}
    assert f"recompute_keys {job.public_id} [{'#' * 30}] 100% 5/5 done" in err.getvalue()
    assert out.getvalue() == f"Job {job.public_id}: Checked 5 residents; 2 needed new keys\n"
    event = AuditEvent.objects.order_by("-pk").first()
    assert (event.actor_label, event.detail["job"]) == (f"job:{job.public_id}", job.public_id)


def test_the_command_refuses_an_unknown_place(world):
    with pytest.raises(CommandError, match="No place with the slug 'nowhere'"):
        call_command("recompute_keys", place="nowhere", stderr=io.StringIO())
    assert Job.objects.count() == 0


def test_the_command_reports_a_failure_by_job_reference(world, residents, monkeypatch):
    monkeypatch.setattr(Resident, "refresh_keys", lambda r: 1 / 0)
    with pytest.raises(CommandError, match=r"Job \w{12} failed: ZeroDivisionError at "):
        call_command("recompute_keys", place="testford", stderr=io.StringIO())
    assert Job.objects.get().status == JobStatus.FAILED


@pytest.mark.django_db(transaction=True)
def test_with_the_database_backend_a_worker_runs_the_queued_job(world, residents, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    job, started = services.recompute_keys_start(viewer=world.viewer(world.manager_a))
    job.refresh_from_db()
    assert (started, job.status, job.done) == (True, JobStatus.QUEUED, 0)

    worker = {"batch": True, "startup_delay": False, "reload": False, "verbosity": 0}
    call_command("db_worker", **worker, stdout=io.StringIO(), stderr=io.StringIO())

    job.refresh_from_db()
    assert (job.status, job.total, job.done) == (JobStatus.DONE, 5, 5)
    assert run_job.get_result(job.task_id).status == TaskResultStatus.SUCCESSFUL


def test_a_stalled_job_does_not_block_a_new_start(world, residents):
    stalled = Job.objects.create(
        place=world.place, kind=JobKind.RECOMPUTE_KEYS, status=JobStatus.RUNNING
    )
    Job.objects.filter(pk=stalled.pk).update(updated_at=timezone.now() - timedelta(minutes=16))
    job, started = services.recompute_keys_start(viewer=world.viewer(world.manager_a))
    assert started is True
    assert job != stalled
