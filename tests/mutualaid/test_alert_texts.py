"""An alert reaches the helper by text, through the messaging app's provider (the fake
one here, offline): after the need is saved, with the first name, the area and the kind
of help only, and never to a number that texted STOP."""

import pytest

from commonweave.messaging import phones
from commonweave.messaging.enums import MessageStatus
from commonweave.messaging.models import TextMessage, TextOptOut
from commonweave.mutualaid import services
from commonweave.mutualaid.enums import AidFrontDoor, Kind

from . import factories


@pytest.fixture(autouse=True)
def _fake_provider(settings):
    settings.MESSAGING_PROVIDER = "fake"


def _helpers(world, areas, cat, phones_):
    for i, phone in enumerate(phones_):
        volunteer = factories.helper(
            world.place, world.org_a, home=areas[0], checks=factories.full_checks(),
            first_name=f"Helper{i}",
        )  # fmt: skip
        volunteer.phone = phone
        volunteer.save(update_fields=["phone"])
        factories.offer(volunteer, cat)


def _ask(public, cat, area):
    return services.request_create(
        viewer=public,
        kind=Kind.NEED,
        category=cat,
        what="My husband's prescription from the chemist on Union Street",
        first_name="Ada",
        front_door=AidFrontDoor.WEB,
        neighbourhood=area,
        address="12 Union Street",
        phone="07700 900555",
    )


def test_each_alerted_helper_gets_one_text_after_the_need_is_saved(
    world, public, areas, django_capture_on_commit_callbacks
):
    cat = factories.category(world.place, "shopping")
    _helpers(world, areas, cat, [f"07700 9001{i:02d}" for i in range(3)])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        need = _ask(public, cat, areas[0])
        assert not TextMessage.objects.exists()  # nothing leaves before the need is saved
    for callback in callbacks:
        callback()
    texts = list(TextMessage.objects.all())
    assert sorted(t.phone for t in texts) == sorted(
        phones.normalise(f"07700 9001{i:02d}") for i in range(3)
    )
    assert need.alerts.count() == 3
    for text in texts:
        assert text.status == MessageStatus.SENT
        assert "Ada" in text.body and areas[0].name in text.body and "shopping" in text.body
        for private in ("Union Street", "900555", "prescription", "husband"):
            assert private not in text.body


def test_a_helper_who_texted_stop_is_alerted_on_their_page_but_not_texted(
    world, public, areas, django_capture_on_commit_callbacks
):
    cat = factories.category(world.place, "shopping")
    _helpers(world, areas, cat, ["07700 900101", "07700 900102"])
    TextOptOut.objects.create(
        place=world.place, phone=phones.normalise("07700 900101"), stopped=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        need = _ask(public, cat, areas[0])
    assert need.alerts.count() == 2
    status = dict(TextMessage.objects.values_list("phone", "status"))
    assert status == {
        phones.normalise("07700 900101"): MessageStatus.SUPPRESSED,
        phones.normalise("07700 900102"): MessageStatus.SENT,
    }
