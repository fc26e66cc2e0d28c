"""A resident's own check-in, a few questions at a time: "Step n of m", back links, the
answers kept in the session between steps (never in the address), plain words with no
measure names or scoring, and nothing stored until the last step is saved. All of it is
plain form posts: no JavaScript."""

import re

from django.test import Client
from django.urls import reverse

from commonweave.wellbeing import services
from commonweave.wellbeing.enums import CheckInStatus
from commonweave.wellbeing.models import AreaRating, CheckIn, CheckInLink, MeasureResponse
from commonweave.wellbeing.views.residents import STEP_SESSION_PREFIX
from tests.wellbeing.test_links import DONE, complete, resident, send, token_from

# The default life map (8 areas, four to a step) and the three shipped measures: two steps
# of areas, one of feelings (ONS4), one of loneliness (the ONS question and UCLA-3), and
# the person's own words.
STEPS = [
    "How things are going",
    "More about how things are going",
    "How you have been feeling",
    "Time with other people",
    "Anything else?",
]


def open_link(world, login, outbox, **kwargs):
    checkin = send(world, resident(world, **kwargs), login)
    return checkin, reverse("wellbeing:link", args=[token_from(outbox)])


def heading(body):
    return re.search(r'<h1 class="govuk-heading-l">([^<]*)</h1>', body).group(1)


def test_each_step_says_where_it_is_with_a_caption_heading_and_back_link(world, login, outbox):
    _, url = open_link(world, login, outbox)
    client = Client()
    for number, title in enumerate(STEPS, start=1):
        page = client.get(f"{url}?step={number}")
        body = page.content.decode()
        assert page.status_code == 200
        assert f'<span class="govuk-caption-l">Step {number} of 5</span>' in body
        assert heading(body) == title
        assert f"<title>Step {number} of 5: {title}" in body
        if number == 1:
            assert "govuk-back-link" not in body
        else:
            assert f'href="{url}?step={number - 1}" class="govuk-back-link">Back</a>' in body
        assert f'name="step" value="{number}"' in body
        assert "<script>" not in body  # no inline script: plain forms, no JavaScript needed
    assert "Save check-in" in body and "Continue" not in body


def test_the_steps_group_the_questions(world, login, outbox):
    _, url = open_link(world, login, outbox)
    client = Client()
    names = [
        set(re.findall(r'name="((?:area|better|m)_[\w]+)"', client.get(f"{url}?step={n}").text))
        for n in range(1, 6)
    ]
    areas = [a.key for a in services.current_lifemap(world.place).areas.all()]
    assert names[0] == {f"{kind}_{key}" for key in areas[:4] for kind in ("area", "better")}
    assert names[1] == {f"{kind}_{key}" for key in areas[4:] for kind in ("area", "better")}
    assert names[2] == {
        "m_ons4__life_satisfaction",
        "m_ons4__worthwhile",
        "m_ons4__happiness",
        "m_ons4__anxiety",
    }
    assert names[3] == {
        "m_ons_loneliness__how_often_lonely",
        "m_ucla3__lack_companionship",
        "m_ucla3__left_out",
        "m_ucla3__isolated",
    }
    assert names[4] == set()
    assert 'name="own_words"' in client.get(f"{url}?step=5").text


def test_residents_see_no_measure_names_or_scoring(world, login, outbox):
    _, url = open_link(world, login, outbox)
    client = Client()
    bodies = " ".join(client.get(f"{url}?step={n}").text.split("<main", 1)[1] for n in range(1, 6))
    for instrument in services.instruments_for(world.place):
        assert instrument.name not in bodies
        assert instrument.definition["source"] not in bodies
    for word in ("ONS", "UCLA", "score", "Score", "questionnaire", "scale", "measure"):
        assert word not in bodies, word


def test_catalysts_still_see_the_measure_names(world, login, outbox):
    checkin = services.checkin_start(
        viewer=world.viewer(world.catalyst_a), resident=resident(world)
    )
    body = login(world.catalyst_a).get(reverse("wellbeing:checkin", args=[checkin.public_id]))
    for instrument in services.instruments_for(world.place):
        assert instrument.name in body.content.decode()


def test_answers_are_kept_between_steps_and_going_back(world, login, outbox):
    _, url = open_link(world, login, outbox)
    client = Client()
    moved = client.post(url, {"step": "1", "area_home": "4", "better_home": "A bus pass"})
    assert (moved.status_code, moved.url) == (302, f"{url}?step=2")
    client.post(url, {"step": "3", "m_ons4__happiness": "7"})
    back = client.get(f"{url}?step=1").text
    assert 'name="area_home" type="radio" value="4" checked' in back
    assert "A bus pass</textarea>" in back
    assert (
        'name="m_ons4__happiness" type="radio" value="7" checked'
        in client.get(f"{url}?step=3").text
    )
    # Changing an answer replaces it (a browser posts the whole step again); the other
    # steps keep theirs.
    client.post(url, {"step": "1", "area_home": "2", "better_home": "A bus pass"})
    assert 'name="area_home" type="radio" value="2" checked' in client.get(f"{url}?step=1").text
    # Steps not posted again keep what they had.
    for number in (2, 4, 5):
        client.post(url, {"step": str(number)})
    checkin = CheckIn.objects.get()
    assert checkin.status == CheckInStatus.COMPLETE
    home = AreaRating.objects.get(checkin=checkin, area__key="home")
    assert (home.value, home.better) == (2, "A bus pass")
    assert MeasureResponse.objects.get().answers["happiness"] == 7


def test_nothing_is_stored_until_the_last_step_is_saved(world, login, outbox):
    checkin, url = open_link(world, login, outbox)
    client = Client()
    answers = {
        "area_home": "4",
        "area_safe": "5",
        "m_ons4__anxiety": "2",
        "m_ucla3__lack_companionship": "1",
        "m_ucla3__left_out": "2",
        "m_ucla3__isolated": "1",
        "own_words": "A good week",
    }
    for number in range(1, 5):
        assert client.post(url, {**answers, "step": str(number)}).status_code == 302
    checkin.refresh_from_db()
    assert checkin.status == CheckInStatus.DRAFT
    assert (AreaRating.objects.count(), MeasureResponse.objects.count()) == (0, 0)
    assert CheckInLink.objects.get().used_at is None
    saved = client.post(url, {**answers, "step": "5"})
    assert saved.url == DONE
    checkin.refresh_from_db()
    assert (checkin.status, checkin.own_words) == (CheckInStatus.COMPLETE, "A good week")
    ratings = dict(AreaRating.objects.filter(value__isnull=False).values_list("area__key", "value"))
    assert ratings == {"home": 4, "safe": 5}
    scores = {r.instrument.code: r.scores for r in MeasureResponse.objects.all()}
    assert scores["ucla3"]["total"]["value"] == 4
    assert scores["ons4"] == {"anxiety": {"value": 2, "band": "low", "higher_is": "worse"}}
    # The session forgets the answers once they are stored.
    assert not [k for k, _ in client.session.items() if k.startswith(STEP_SESSION_PREFIX)]


def test_no_answers_travel_in_the_address(world, login, outbox):
    _, url = open_link(world, login, outbox)
    client = Client()
    for number in range(1, 5):
        moved = client.post(url, {"step": str(number), "own_words": "secret words"})
        assert moved.url == f"{url}?step={number + 1}"
    page = client.get(f"{url}?step=5").text
    assert re.findall(r'href="([^"]*\?[^"]*)"', page) == [f"{url}?step=4"]
    assert 'method="post"' in page and "action=" not in page


def test_answering_nothing_is_explained_on_the_last_step(world, login, outbox):
    checkin, url = open_link(world, login, outbox)
    response = complete(Client(), url, {"own_words": "Only words"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Step 5 of 5" in body
    assert "Answer at least one question" in body
    assert "Only words</textarea>" in body
    checkin.refresh_from_db()
    assert checkin.status == CheckInStatus.DRAFT


def test_a_step_out_of_range_shows_the_nearest_step(world, login, outbox):
    _, url = open_link(world, login, outbox)
    client = Client()
    assert "Step 1 of 5" in client.get(f"{url}?step=0").text
    assert "Step 5 of 5" in client.get(f"{url}?step=99").text
    assert "Step 1 of 5" in client.get(f"{url}?step=two").text
