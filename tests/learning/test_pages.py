import datetime

import pytest

from commonweave.audit.models import AuditEvent
from commonweave.learning import pack_jobs, services
from commonweave.learning.models import Action, Barrier, Session
from tests.conftest import assert_access
from tests.conftest import client_for as login_as
from tests.queries import assert_same_queries_at_two_sizes

from .conftest import RESIDENT_NAME, pdf_via_job, set_story_consent

pytestmark = pytest.mark.django_db

STAFF = {"catalyst_a": 200, "manager_a": 200, "worker_b": 200, "catalyst_b": 200, "analyst": 200}


def test_every_learning_page_is_for_staff_of_the_place(world, storied, monkeypatch):
    # Who may start a PDF build is the point here, not the PDF (test_pack_jobs builds those).
    monkeypatch.setattr(pack_jobs, "pdf_from_html", lambda html: b"%PDF-1.7 not drawn")
    s, b = storied["session"].public_id, storied["barrier"].public_id
    board = services.board_create(viewer=world.viewer(world.worker_b), title="Review")
    # Objects of this place: the outsider (another place) finds nothing there.
    for url in [
        f"/learning/sessions/{s}/",
        f"/learning/sessions/{s}/pack/",
        f"/learning/barriers/{b}/",
        f"/learning/boards/{board.public_id}/",
    ]:
        assert_access(world, "get", url, STAFF)
    # Anyone on the staff may build the PDF pack (for themselves: see test_pack_jobs).
    assert_access(world, "post", f"/learning/sessions/{s}/pack.pdf", dict.fromkeys(STAFF, 302))
    # Lists: everyone with a role sees their own place's, and nothing of another's.
    for url in [
        "/learning/",
        "/learning/sessions/",
        "/learning/barriers/",
        "/learning/barriers/board/",
        "/learning/barriers/new/",
        "/learning/actions/",
        "/learning/log/",
        "/learning/log/new/",
        "/learning/boards/",
        "/learning/partnership/",
    ]:
        assert_access(world, "get", url, {**STAFF, "outsider": 200})
        page = login_as(world.outsider).get(url).content.decode()
        assert "Connecting the Dots: March" not in page
        assert "Hospital discharge happens" not in page


def test_unknown_ids_are_404(world, login):
    client = login(world.catalyst_a)
    assert client.get("/learning/sessions/nosuchsession/").status_code == 404
    assert client.get("/learning/barriers/nosuchbarrie/").status_code == 404


def test_session_page_names_resident_only_for_those_who_may_see_them(world, storied, login):
    url = f"/learning/sessions/{storied['session'].public_id}/"
    own = login(world.catalyst_a).get(url).content.decode()
    assert RESIDENT_NAME in own
    assert storied["resident"].public_id in own
    for user in (world.worker_b, world.catalyst_b, world.analyst):
        page = login(user).get(url).content.decode()
        assert RESIDENT_NAME not in page
        assert storied["resident"].public_id not in page
        assert "An anonymous story." in page
        assert "Home from hospital with no one told" in page


def test_withdrawn_story_consent_hides_the_resident_on_the_next_request(world, storied, login):
    client = login(world.catalyst_a)
    url = f"/learning/sessions/{storied['session'].public_id}/"
    assert RESIDENT_NAME in client.get(url).content.decode()
    set_story_consent(world, storied["resident"], False)
    for page_url in (url, f"/learning/barriers/{storied['barrier'].public_id}/", url + "pack/"):
        page = client.get(page_url).content.decode()
        assert RESIDENT_NAME not in page
        assert storied["resident"].public_id not in page


def test_plan_a_session_and_bring_stories(world, login):
    client = login(world.worker_b)
    response = client.post(
        "/learning/sessions/new/",
        {
            "title": "April session",
            "held_on_day": "9",
            "held_on_month": "4",
            "held_on_year": "2026",
            "notes": "",
            "decisions": "",
        },
    )
    session = Session.objects.get(title="April session")
    assert response.status_code == 302
    url = f"/learning/sessions/{session.public_id}/"
    response = client.post(
        url + "attendees/",
        {"attendee-name": "Sam Ward", "attendee-organisation_name": "Ward 7, Queen's Hospital"},
    )
    assert response.status_code == 302
    assert [a.organisation_label for a in session.attendees.all()] == ["Ward 7, Queen's Hospital"]
    response = client.post(
        url + "stories/",
        {"story-title": "Lost letter", "story-text": "A letter went to an old address."},
    )
    story = session.stories.get()
    assert response["Location"] == f"/learning/barriers/new/?story={story.public_id}"


def test_story_form_refuses_a_link_without_consent_and_keeps_what_was_typed(world, login):
    from commonweave.demo.factories import ResidentFactory

    resident = ResidentFactory(organisation=world.org_a, catalyst=world.catalyst_a)
    session = services.session_create(
        viewer=world.viewer(world.catalyst_a), title="S", held_on=datetime.date(2026, 1, 1)
    )
    response = login(world.catalyst_a).post(
        f"/learning/sessions/{session.public_id}/stories/",
        {
            "story-title": "Kept title",
            "story-text": "Kept text",
            "story-resident": resident.public_id,
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "have not agreed to their story being used" in body
    assert "Kept title" in body and "Kept text" in body
    assert session.stories.count() == 0


def test_new_barrier_that_reads_like_an_existing_one_is_suggested_first(world, storied, login):
    client = login(world.worker_b)
    session = storied["session"]
    story = services.story_add(
        viewer=world.viewer(world.worker_b),
        session=session,
        title="Back from the ward",
        text="No one knew he was home.",
    )
    data = {
        "title": "When someone leaves hospital nobody lets their support network know",
        "quadrant": "system",
        "story": story.public_id,
    }
    response = client.post("/learning/barriers/new/", data)
    assert response.status_code == 200
    assert "This reads like a barrier already in the register" in response.content.decode()
    assert Barrier.objects.count() == 1
    response = client.post(
        f"/learning/barriers/{storied['barrier'].public_id}/link/", {"story": story.public_id}
    )
    assert response.status_code == 302
    assert storied["barrier"].stories.count() == 2
    # or add it anyway
    response = client.post("/learning/barriers/new/", {**data, "add_anyway": "on"})
    assert response.status_code == 302
    assert Barrier.objects.count() == 2


def test_level_and_action_forms(world, storied, login):
    client = login(world.worker_b)
    url = f"/learning/barriers/{storied['barrier'].public_id}/"
    response = client.post(url + "level/", {"level-level": "useful", "level-evidence": ""})
    assert response.status_code == 400
    assert "Give the evidence in words" in response.content.decode()
    response = client.post(
        url + "level/", {"level-level": "useful", "level-evidence": "Her GP now knows."}
    )
    assert response.status_code == 302
    response = client.post(
        url + "actions/",
        {
            "action-description": "Tell the lunch club on discharge",
            "action-owner_organisation": world.org_b.pk,
            "action-owner": world.worker_b.pk,
            "action-due_on_day": "1",
            "action-due_on_month": "6",
            "action-due_on_year": "2026",
        },
    )
    assert response.status_code == 302
    action = Action.objects.get()
    assert (action.owner, action.owner_organisation) == (world.worker_b, world.org_b)
    page = client.get("/learning/actions/").content.decode()
    assert "Tell the lunch club on discharge" in page


def test_action_status_only_by_owning_organisation(world, storied, login):
    action = services.action_create(
        viewer=world.viewer(world.manager_a),
        barrier=storied["barrier"],
        description="Do it",
        owner_organisation=world.org_b,
        owner=world.worker_b,
        due_on=datetime.date(2026, 6, 1),
    )
    url = f"/learning/actions/{action.public_id}/status/"
    assert login(world.analyst).post(url, {"status": "done", "version": 1}).status_code == 404
    assert login(world.catalyst_b).post(url, {"status": "done", "version": 1}).status_code == 302
    action.refresh_from_db()
    assert action.status == "done"


@pytest.mark.slow
def test_pack_pdf_is_audited_and_names_only_consented_residents(world, storied, login):
    before = AuditEvent.objects.filter(action="export").count()
    data = pdf_via_job(login(world.worker_b), storied["session"])
    assert data.startswith(b"%PDF")
    # Building it is not an export; downloading it is, once.
    assert AuditEvent.objects.filter(action="export").count() == before + 1
    event = AuditEvent.objects.filter(action="export").latest("pk")
    assert (event.detail["format"], event.detail["residents"]) == ("pdf", [])
    text = _pdf_text(data)
    assert "Home from hospital" in text
    assert "Oyelaran" not in text
    own = _pdf_text(pdf_via_job(login(world.catalyst_a), storied["session"]))
    assert "Oyelaran" in own
    set_story_consent(world, storied["resident"], False)
    assert "Oyelaran" not in _pdf_text(pdf_via_job(login(world.catalyst_a), storied["session"]))


def _pdf_text(data):
    """The text drawn in a WeasyPrint PDF (its content streams are zlib-compressed)."""
    import re
    import zlib

    chunks = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            chunks.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return _decode_text(b"".join(chunks), data)


def _decode_text(content, data):
    # Text is drawn with glyph ids; map them back through the fonts' ToUnicode CMaps.
    import re
    import zlib

    cmap = {}
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            raw = zlib.decompress(stream)
        except zlib.error:
            continue
        if b"beginbfchar" in raw or b"beginbfrange" in raw:
            for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", raw):
                try:
                    cmap[src.upper()] = bytes.fromhex(dst.decode()).decode("utf-16-be")
                except ValueError:
                    continue
    out = []
    for run in re.findall(rb"<([0-9A-Fa-f]+)>", content):
        run = run.upper()
        width = 4 if len(cmap) and all(len(k) == 4 for k in list(cmap)[:5]) else 2
        out.append("".join(cmap.get(run[i : i + width], "") for i in range(0, len(run), width)))
    return "".join(out)


def test_register_and_board_query_counts_do_not_grow(world, storied, login):
    client = login(world.worker_b)
    viewer = world.viewer(world.worker_b)

    def make(count):
        for _ in range(count):
            n = Barrier.objects.count()
            b = services.barrier_create(viewer=viewer, title=f"Barrier {n}", quadrant="practice")
            services.barrier_link_story(viewer=viewer, barrier=b, story=storied["story"])

    def fetch(url):
        def get():
            assert client.get(url).status_code == 200

        return get

    pages = [fetch("/learning/barriers/"), fetch("/learning/barriers/board/")]
    # The small size is the one barrier of `storied`.
    assert_same_queries_at_two_sizes(make, pages, small=0, large=15, warm=False)


def test_kadc_board_pages(world, login):
    client = login(world.worker_b)
    response = client.post("/learning/boards/", {"title": "Autumn review"})
    assert response.status_code == 302
    url = response["Location"]
    assert client.post(url, {"column": "keep", "text": "Joint visits"}).status_code == 302
    card = __import__("commonweave.learning.models", fromlist=["Card"]).Card.objects.get()
    assert client.post(f"{url}cards/{card.pk}/vote/").status_code == 302
    page = client.get(url).content.decode()
    assert "1 vote" in page and "Take back vote" in page
    assert client.post(url, {"column": "keep", "text": ""}).status_code == 400


def test_log_search_page(world, login):
    client = login(world.analyst)
    response = client.post(
        "/learning/log/new/",
        {
            "kind": "reflection",
            "title": "Chairing",
            "body": "Residents chairing changed the room.",
            "tags": "power sharing",
        },
    )
    assert response.status_code == 302
    assert "Chairing" in client.get("/learning/log/?q=room").content.decode()
    assert "Chairing" not in client.get("/learning/log/?q=parking").content.decode()


def test_only_place_admins_change_the_partnership(world, login):
    data = {"form": "phase", "phase-phase": "design", "phase-note": "Funding agreed"}
    assert login(world.worker_b).post("/learning/partnership/", data).status_code == 404
    assert login(world.manager_a).post("/learning/partnership/", data).status_code == 302
    world.place.refresh_from_db()
    assert world.place.phase == "design"
    page = login(world.worker_b).get("/learning/partnership/").content.decode()
    assert "Funding agreed" in page
