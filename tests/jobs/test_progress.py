"""job_progress: the job row follows the work without a write per item; a bar goes to stderr."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commonweave.jobs.enums import JobKind, JobStatus
from commonweave.jobs.models import Job
from commonweave.jobs.progress import TerminalBar, error_summary, job_progress


@pytest.fixture
def job(world):
    return Job.objects.create(place=world.place, kind=JobKind.RECOMPUTE_KEYS)


def _job_updates(queries):
    return [q for q in queries if q["sql"].startswith("UPDATE") and "jobs_job" in q["sql"]]


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_a_loop_of_10000_items_writes_the_counter_about_a_hundred_times(job):
    with (
        CaptureQueriesContext(connection) as ctx,
        job_progress(job, total=10_000, stream=None, clock=FakeClock()) as progress,
    ):
        for _ in range(10_000):
            progress.advance()
    updates = _job_updates(ctx.captured_queries)
    # One write per 1% step, plus starting and finishing: far fewer than one per item.
    assert len(updates) <= 102
    assert len(updates) >= 50
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == (JobStatus.DONE, 10_000, 10_000)


def test_writes_are_also_spaced_in_time_when_the_size_is_not_known(job):
    clock = FakeClock()
    with (
        CaptureQueriesContext(connection) as ctx,
        job_progress(job, stream=None, clock=clock) as progress,
    ):
        for _ in range(10_000):
            clock.now += 0.001  # ten seconds of work in all
            progress.advance()
    updates = _job_updates(ctx.captured_queries)
    # About two writes a second, plus starting and finishing.
    assert 18 <= len(updates) <= 23
    job.refresh_from_db()
    assert (job.done, job.total, job.percent) == (10_000, 10_000, 100)


def test_progress_is_visible_while_it_runs(job):
    clock = FakeClock()
    with job_progress(job, total=200, stream=None, clock=clock) as progress:
        progress.advance(50, message="Checked 50 of 200")
        seen = Job.objects.get(pk=job.pk)
        assert (seen.status, seen.done, seen.percent, seen.message) == (
            JobStatus.RUNNING,
            50,
            25,
            "Checked 50 of 200",
        )
        assert seen.started_at is not None
        assert seen.finished_at is None


def test_an_exception_marks_the_job_failed_with_a_summary_and_is_raised(job):
    secret = "Margaret Thistlewood 07700 900123"
    with pytest.raises(ValueError), job_progress(job, total=10, stream=None) as progress:
        progress.advance(3)
        raise ValueError(f"could not handle {secret}")
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.done == 3
    assert job.finished_at is not None
    assert job.error.startswith("ValueError at test_progress.py:")
    assert "Margaret" not in job.error + job.message + str(job.result)


def test_error_summary_names_our_code_not_the_message():
    def inner():
        raise KeyError("Margaret Thistlewood")

    try:
        inner()
    except KeyError as exc:
        summary = error_summary(exc)
    assert summary.startswith("KeyError at ")
    assert summary.endswith("in inner")
    assert "Margaret" not in summary


def test_the_terminal_bar_prints_a_line_per_tenth_when_stderr_is_a_log(job):
    stream = io.StringIO()
    with job_progress(job, total=1000, stream=stream, clock=FakeClock()) as progress:
        for _ in range(1000):
            progress.advance()
    lines = stream.getvalue().splitlines()
    assert lines[-1] == f"recompute_keys {job.public_id} [{'#' * 30}] 100% 1,000/1,000 done"
    # The first step, then each tenth (10% ... 90%), then the closing line for 100%.
    assert len(lines) == 11
    label = f"recompute_keys {job.public_id}"
    assert lines[3] == f"{label} [#########---------------------]  30% 300/1,000"


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_the_terminal_bar_redraws_in_place_on_a_terminal():
    stream = FakeTerminal()
    bar = TerminalBar(stream, "recompute_keys abc")
    bar.update(5, 10)
    bar.update(10, 10, final=True, note="done")
    assert stream.getvalue() == (
        "\rrecompute_keys abc [###############---------------]  50% 5/10"
        f"\rrecompute_keys abc [{'#' * 30}] 100% 10/10 done\n"
    )


def test_without_a_size_a_log_gets_a_line_every_ten_seconds():
    stream, clock = io.StringIO(), FakeClock()
    bar = TerminalBar(stream, "import x", clock=clock)
    for _ in range(300):  # thirty seconds, an update every tenth of a second
        clock.now += 0.1
        bar.update(int(clock.now * 10), 0)
    bar.update(300, 0, final=True, note="done")
    lines = stream.getvalue().splitlines()
    assert lines == [
        f"import x [{'?' * 30}] 1 items",
        f"import x [{'?' * 30}] 101 items",  # ten seconds later
        f"import x [{'?' * 30}] 202 items",
        f"import x [{'?' * 30}] 300 items done",
    ]
