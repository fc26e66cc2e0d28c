"""Job pages: who may watch a job, the progress page with and without JavaScript, starting one."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from commonweave.demo.factories import ResidentFactory
from commonweave.jobs.enums import JobKind, JobStatus
from commonweave.jobs.models import Job
from commonweave.tenancy.models import Membership
from tests.conftest import assert_access, client_for
from tests.queries import assert_same_queries_at_two_sizes


def _job(world, user, **fields):
    fields = {"status": JobStatus.RUNNING, "total": 200, "done": 80, **fields}
    return Job.objects.create(
        place=world.place, kind=JobKind.RECOMPUTE_KEYS, started_by=user, **fields
    )


def _url(job):
    return reverse("jobs:detail", kwargs={"public_id": job.public_id})


def test_public_ids_are_random_not_sequence_numbers(world):
    first, second = _job(world, world.manager_a), _job(world, world.manager_a)
    assert len(first.public_id) == 12
    # The address holds the random id and nothing else (a digit of the pk may occur in it).
    assert _url(first) == f"/jobs/{first.public_id}/"
    assert first.public_id != second.public_id


def test_only_the_starter_and_place_admins_see_a_job(world):
    job = _job(world, world.catalyst_a)
    assert_access(world, "get", _url(job), {"catalyst_a": 200, "manager_a": 200})


def test_a_place_admins_job_is_hidden_from_everyone_else(world):
    job = _job(world, world.manager_a)
    # The outsider is a place admin too, but of another place: 404.
    assert_access(world, "get", _url(job), {"manager_a": 200})


def test_an_unknown_job_is_a_404(world):
    response = client_for(world.manager_a).get("/jobs/abcdefghjkmn/")
    assert response.status_code == 404


def test_leaving_the_place_ends_access_to_jobs_started_there(world):
    job = _job(world, world.catalyst_a)
    Membership.objects.filter(user=world.catalyst_a).delete()
    assert client_for(world.catalyst_a).get(_url(job)).status_code == 404


def test_the_page_shows_progress_without_javascript(world):
    job = _job(world, world.catalyst_a, message="Checked 80 of 200 residents")
    response = client_for(world.catalyst_a).get(_url(job))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    assert (
        '<progress class="govuk-!-width-full" max="100" value="40" '
        'aria-label="Recompute duplicate keys: progress">40%</progress>'
    ) in html
    assert "40% complete (80 of 200)" in html
    assert "Running" in html
    assert "Checked 80 of 200 residents" in html
    # A plain link reloads the page; no timed refresh (WCAG 2.2.1) and no inline script.
    assert f'<a class="govuk-link" href="{_url(job)}">Refresh' in html
    assert 'http-equiv="refresh"' not in html
    assert "<script>" not in html
    assert response["Cache-Control"] == "no-store, private"


def test_htmx_gets_the_status_fragment_which_polls_every_second_while_running(world):
    job = _job(world, world.catalyst_a)
    response = client_for(world.catalyst_a).get(_url(job), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="job-status"')
    assert f'hx-get="{_url(job)}" hx-trigger="every 1s" hx-swap="outerHTML"' in html
    assert 'value="40"' in html


@pytest.mark.parametrize("status", [JobStatus.DONE, JobStatus.FAILED])
def test_a_finished_job_stops_polling(world, status):
    job = _job(world, world.catalyst_a, status=status, error="ValueError at x.py:1 in f")
    response = client_for(world.catalyst_a).get(_url(job), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "hx-trigger" not in html
    assert "Refresh" not in html


def test_a_failed_job_says_so_and_gives_its_reference(world):
    job = _job(
        world, world.catalyst_a, status=JobStatus.FAILED, error="ValueError at a.py:3 in run"
    )
    html = client_for(world.catalyst_a).get(_url(job)).content.decode()
    assert "This job stopped before it finished" in html
    assert job.public_id in html
    assert "ValueError at a.py:3 in run" in html


def test_a_queued_job_waits_for_a_worker(world):
    job = _job(world, world.catalyst_a, status=JobStatus.QUEUED, total=0, done=0)
    html = client_for(world.catalyst_a).get(_url(job)).content.decode()
    assert "Waiting for a worker to start it" in html
    assert '<progress class="govuk-!-width-full" max="100" aria-label=' in html  # indeterminate


def test_the_list_shows_your_own_jobs(world):
    mine = _job(world, world.catalyst_a)
    _job(world, world.manager_a)
    response = client_for(world.catalyst_a).get(reverse("jobs:list"))
    assert [j.public_id for j in response.context["jobs"]] == [mine.public_id]
    assert "Recompute duplicate keys</button>" not in response.content.decode()


def test_a_place_admin_lists_every_job_in_the_place_and_can_start_a_recompute(world):
    jobs = [_job(world, world.catalyst_a), _job(world, world.manager_a)]
    Job.objects.create(place=world.other_place, kind=JobKind.RECOMPUTE_KEYS)
    response = client_for(world.manager_a).get(reverse("jobs:list"))
    assert {j.public_id for j in response.context["jobs"]} == {j.public_id for j in jobs}
    html = response.content.decode()
    assert f'action="{reverse("jobs:start_recompute")}"' in html


def test_the_list_needs_a_role_in_a_place(world):
    assert_access(
        world,
        "get",
        reverse("jobs:list"),
        {name: 200 for name in world.personas if name != "anonymous"},
    )


def test_the_list_query_count_does_not_grow_with_jobs(world):
    client = client_for(world.manager_a)
    starters = [world.catalyst_a, world.catalyst_b]

    def make(count):
        for _ in range(count):
            _job(world, starters[Job.objects.count() % 2])

    def fetch():
        assert client.get(reverse("jobs:list")).status_code == 200

    assert_same_queries_at_two_sizes(make, fetch, small=1, large=21)


def test_starting_a_recompute_is_for_place_admins_only(world):
    # The outsider is a place admin in their own place, so starts one there.
    assert_access(
        world, "post", reverse("jobs:start_recompute"), {"manager_a": 302, "outsider": 302}
    )
    assert sorted(Job.objects.values_list("place__slug", "started_by__email")) == [
        ("elsewhere", "outsider@example.org"),
        ("testford", "manager.a@example.org"),
    ]


def test_starting_needs_a_post(world):
    response = client_for(world.manager_a).get(reverse("jobs:start_recompute"))
    assert response.status_code == 405


def test_the_start_button_runs_the_job_and_shows_its_page(world):
    ResidentFactory.create_batch(3, organisation=world.org_a)
    client = client_for(world.manager_a)
    response = client.post(reverse("jobs:start_recompute"))
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url(job)
    # The ImmediateBackend has run it already.
    page = client.get(response["Location"]).content.decode()
    assert (job.status, job.total, job.done) == (JobStatus.DONE, 3, 3)
    assert "100% complete (3 of 3)" in page
    assert "Finished" in page


def test_a_second_press_shows_the_job_already_under_way(world):
    running = _job(world, world.manager_a)
    client = client_for(world.manager_a)
    response = client.post(reverse("jobs:start_recompute"), follow=True)
    assert response.redirect_chain == [(_url(running), 302)]
    assert "already being recomputed" in response.content.decode()
    assert Job.objects.count() == 1


def test_a_stalled_job_stops_polling_so_the_session_can_time_out(world):
    job = _job(world, world.catalyst_a)
    Job.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(minutes=16))
    response = client_for(world.catalyst_a).get(_url(job), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "hx-trigger" not in html
    assert "the worker running it may have stopped" in html
