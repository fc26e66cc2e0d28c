"""Learning fixtures: a session with a story about resident A, who may or may not have
agreed to their story being used."""

import datetime

import pytest

from commonweave.learning import services
from commonweave.people.enums import ConsentMethod, ConsentPurpose
from commonweave.people.services import consent_record

RESIDENT_NAME = "Winifred Oyelaran-Smythe"


@pytest.fixture(autouse=True)
def _fresh_similarity_index():
    """Tests roll the database back, so ids repeat: no index may outlive its test."""
    from commonweave.learning import similarity

    similarity._cache.clear()
    yield
    similarity._cache.clear()


def set_story_consent(world, resident, given):
    consent_record(
        viewer=world.viewer(world.catalyst_a),
        resident=resident,
        purpose=ConsentPurpose.STORY,
        given=given,
        method=ConsentMethod.VERBAL,
        wording="Can we share your story with services, so they can learn from it?",
    )


@pytest.fixture
def storied(world):
    """resident A (named, story consent given) and a session with her linked story."""
    from commonweave.demo.factories import ResidentFactory

    resident = ResidentFactory(
        organisation=world.org_a,
        catalyst=world.catalyst_a,
        full_name=RESIDENT_NAME,
        preferred_name="",
    )
    set_story_consent(world, resident, True)
    viewer = world.viewer(world.catalyst_a)
    session = services.session_create(
        viewer=viewer, title="Connecting the Dots: March", held_on=datetime.date(2026, 3, 4)
    )
    story = services.story_add(
        viewer=viewer,
        session=session,
        title="Home from hospital with no one told",
        text="She came home from hospital and no one knew; the lunch club noticed first.",
        resident_public_id=resident.public_id,
    )
    barrier = services.barrier_create(
        viewer=viewer,
        title="Hospital discharge happens without telling the person's support network",
        quadrant="system",
        service_area="Hospital discharge",
        story=story,
    )
    return {"resident": resident, "session": session, "story": story, "barrier": barrier}


def set_share_consent(world, resident, organisation, given):
    consent_record(
        viewer=world.viewer(world.catalyst_a),
        resident=resident,
        purpose=ConsentPurpose.SHARE,
        organisation=organisation,
        given=given,
        method=ConsentMethod.VERBAL,
        wording="Can we share your record with the council?",
    )


def pdf_via_job(client, session):
    """Build the session's PDF pack as the page does (a background job: inline in tests),
    check its progress page offers the download, and download it. Returns the PDF bytes."""
    start = client.post(f"/learning/sessions/{session.public_id}/pack.pdf")
    assert start.status_code == 302
    page = client.get(start["Location"])
    assert page.status_code == 200
    assert "Download the PDF" in page.content.decode()
    response = client.post(start["Location"] + "download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return response.content


def api_pdf_via_job(client, session):
    """The same through the API: start (202), poll, download. Returns the PDF bytes."""
    start = client.post(f"/api/learning/sessions/{session.public_id}/pack-jobs")
    assert start.status_code == 202
    poll = client.get(f"/api/learning/pack-jobs/{start.json()['job_id']}").json()
    assert (poll["status"], poll["ready"], poll["percent"]) == ("done", True, 100)
    response = client.get(poll["download"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return response.content
