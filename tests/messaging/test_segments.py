"""How many texts a body is sent as, and the set-up form that refuses an automatic reply
longer than one."""

import pytest

from commonweave.messaging.forms import SetupForm
from commonweave.messaging.models import MessagingSetup
from commonweave.messaging.segments import count_segments, first_non_gsm7


@pytest.mark.parametrize(
    ("text", "encoding", "units", "count"),
    [
        ("", "GSM-7", 0, 0),
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("€" * 80, "GSM-7", 160, 1),  # the extension table counts twice
        ("€" * 81, "GSM-7", 162, 2),
        ("é" * 160, "GSM-7", 160, 1),  # é is in the GSM alphabet
        ("ê" * 70, "UCS-2", 70, 1),  # ê is not
        ("ê" * 71, "UCS-2", 71, 2),
        ("ê" * 134, "UCS-2", 134, 2),
        ("ê" * 135, "UCS-2", 135, 3),
        ("Hi 👋", "UCS-2", 5, 1),  # an emoji is two UTF-16 units
        ("\u2019" + "a" * 69, "UCS-2", 70, 1),  # a curly apostrophe forces UCS-2
    ],
)
def test_segments(text, encoding, units, count):
    segments = count_segments(text)
    assert (segments.encoding, segments.units, segments.count) == (encoding, units, count)


def test_first_character_that_forces_ucs2():
    assert first_non_gsm7("It\u2019s fine") == "\u2019"
    assert first_non_gsm7("It's fine") == ""


def setup_data(**changes):
    data = {
        "provider": "",
        "urgent_words": "urgent",
        "acknowledgement": "",
        "acknowledgement_out_of_hours": "",
        "opens_at": "09:00",
        "closes_at": "17:00",
        "open_days": ["1", "2", "3", "4", "5"],
    }
    data.update(changes)
    return data


def form(world, **changes):
    return SetupForm(
        setup_data(**changes), instance=MessagingSetup(place=world.place), place=world.place
    )


def test_an_automatic_reply_longer_than_one_text_is_flagged(world):
    long = "Thanks for your text to {place}. " + "We will be in touch very soon. " * 5
    bound = form(world, acknowledgement=long)
    assert not bound.is_valid()
    assert bound.errors["acknowledgement"] == [
        "This is 188 characters, so it is sent as 2 texts (one text holds 160). "
        "Shorten it to send one text."
    ]


def test_an_emoji_makes_the_limit_70(world):
    bound = form(world, acknowledgement_out_of_hours="Thanks 🙂 " + "x" * 65)
    assert not bound.is_valid()
    assert "one text holds 70" in bound.errors["acknowledgement_out_of_hours"][0]


def test_a_reply_that_fits_one_text_is_accepted(world):
    bound = form(world, acknowledgement="Thanks, {place} will reply in {hours} hours. Call 999.")
    assert bound.is_valid(), bound.errors
    assert bound.cleaned_data["open_days"] == "12345"


def test_an_unknown_placeholder_is_refused(world):
    bound = form(world, acknowledgement="Hello {name}")
    assert not bound.is_valid()
    assert bound.errors["acknowledgement"] == ["Use only {place}, {hours} and {opens}, not {name}."]


def test_closing_must_follow_opening(world):
    bound = form(world, opens_at="17:00", closes_at="09:00")
    assert not bound.is_valid()
    assert bound.errors["closes_at"] == ["Closing time must be after opening time"]


def test_notify_is_refused_where_no_partner_is_a_public_body(world):
    world.org_b.kind = "vcse"
    world.org_b.save(update_fields=["kind"])
    bound = form(world, provider="notify")
    assert not bound.is_valid()
    assert "only for public sector bodies" in bound.errors["provider"][0]


def test_notify_is_allowed_where_a_council_is_a_partner(world):
    assert world.org_b.kind == "council"
    assert form(world, provider="notify").is_valid()
