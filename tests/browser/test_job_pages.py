"""The job page in real Chromium: htmx polls until the job ends; axe finds nothing to fix."""

from commonweave.demo.factories import ResidentFactory
from commonweave.jobs.enums import JobKind, JobStatus
from commonweave.jobs.models import Job

from .conftest import sign_in


def test_the_status_polls_until_the_job_finishes(page, world):
    job = Job.objects.create(
        place=world.place,
        kind=JobKind.RECOMPUTE_KEYS,
        started_by=world.manager_a,
        status=JobStatus.RUNNING,
        total=200,
        done=80,
        message="Checked 80 of 200 residents",
    )
    sign_in(page, world.manager_a.email)
    page.goto(f"/jobs/{job.public_id}/")
    bar = page.page.get_by_role("progressbar", name="Recompute duplicate keys: progress")
    assert bar.get_attribute("value") == "40"
    page.page.get_by_text("40% complete (80 of 200)").wait_for()
    page.axe("running job")

    Job.objects.filter(pk=job.pk).update(done=150, message="Checked 150 of 200 residents")
    page.page.get_by_text("75% complete (150 of 200)").wait_for(timeout=5000)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.DONE, done=200, result={"changed": 3})
    page.page.get_by_text("100% complete (200 of 200)").wait_for(timeout=5000)
    assert page.page.locator("#job-status[hx-trigger]").count() == 0  # polling has stopped
    page.axe("finished job")


def test_a_place_admin_starts_a_recompute_from_the_jobs_page(page, world):
    ResidentFactory.create_batch(3, organisation=world.org_a)
    sign_in(page, world.manager_a.email)
    page.goto("/jobs/")
    page.axe("jobs list")
    page.page.get_by_role("button", name="Recompute duplicate keys").click()
    page.page.get_by_text("100% complete (3 of 3)").wait_for()
    assert page.page.get_by_role("heading", name="Recompute duplicate keys").is_visible()
    page.axe("job page")
    page.goto("/jobs/")
    page.axe("jobs list with a job")


def test_without_javascript_the_refresh_link_shows_new_progress(no_js_page, world):
    job = Job.objects.create(
        place=world.place,
        kind=JobKind.RECOMPUTE_KEYS,
        started_by=world.manager_a,
        status=JobStatus.RUNNING,
        total=10,
        done=1,
    )
    sign_in(no_js_page, world.manager_a.email)
    no_js_page.goto(f"/jobs/{job.public_id}/")
    no_js_page.page.get_by_text("10% complete (1 of 10)").wait_for()
    Job.objects.filter(pk=job.pk).update(done=6)
    no_js_page.page.get_by_role("link", name="Refresh").click()
    no_js_page.page.get_by_text("60% complete (6 of 10)").wait_for()
