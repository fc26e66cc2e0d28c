"""Passwords that are long enough but guessed at once: too few different characters, or one
piece repeated. Long passphrases stay welcome; there are no composition rules."""

import pytest
from django.contrib.auth.password_validation import password_validators_help_texts
from django.contrib.auth.password_validation import validate_password as django_validate
from django.core.exceptions import ValidationError
from django.urls import reverse

from commonweave.accounts.validators import CharacterVarietyValidator, repeated_unit
from tests.conftest import PASSWORD, client_for

FEW_CHARACTERS = "This password uses too few different characters."
REPEATED = "This password is the same few characters repeated."


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("aaaaaaaaaaaa", FEW_CHARACTERS),
        ("AaAaAaAaAaAa", FEW_CHARACTERS),  # case does not make a character different
        ("aaaabbbbcccc", FEW_CHARACTERS),
        ("121212121212", FEW_CHARACTERS),
        ("abcdeabcdeabcde", REPEATED),
        ("Tr0ub4dorTr0ub4dor", REPEATED),
        ("q1w2e3r4q1w2e3r4", REPEATED),
    ],
)
def test_too_little_variety_is_refused(password, message):
    with pytest.raises(ValidationError) as refused:
        CharacterVarietyValidator().validate(password)
    assert message in refused.value.messages[0]


@pytest.mark.parametrize(
    "password",
    [
        PASSWORD,  # "correct horse battery staple"
        "community connections",
        "the heron stands in the river every morning before the rain comes",
        "abcdeabcdeabcdX",  # almost a repetition is not one
        "zq8#Lm2!vR9w",
        "ünïcödé wörds hère",
    ],
)
def test_long_varied_passwords_and_passphrases_pass(password):
    CharacterVarietyValidator().validate(password)


def test_repeated_unit_finds_the_shortest_piece():
    assert repeated_unit("abcabcabc") == "abc"
    assert repeated_unit("aaaa") == "a"
    assert repeated_unit("abcab") is None
    assert repeated_unit("a") is None


def test_the_settings_use_it_and_explain_it(db):
    with pytest.raises(ValidationError) as refused:
        django_validate("aaaaaaaaaaaaaaaa")
    assert any(FEW_CHARACTERS in message for message in refused.value.messages)
    assert any("different characters" in text for text in password_validators_help_texts())


def test_changing_to_a_repetitive_password_is_refused_on_the_page(world):
    client = client_for(world.catalyst_a)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "aaaaaaaaaaaa",
            "new_password2": "aaaaaaaaaaaa",
        },
    )
    assert response.status_code == 400
    assert FEW_CHARACTERS in response.content.decode()
    world.catalyst_a.refresh_from_db()
    assert world.catalyst_a.check_password(PASSWORD)
