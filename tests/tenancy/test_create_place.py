import pytest
from django.core.management import CommandError, call_command

from commonweave.tenancy.models import Membership, Place
from commonweave.tenancy.viewer import viewer_for_user

pytestmark = pytest.mark.django_db


def test_a_new_place_gets_its_lead_organisation_and_first_admin(monkeypatch):
    monkeypatch.setenv("ADMIN_PW", "a long enough passphrase here")
    call_command(
        "create_place",
        name="Hartley Vale",
        lead="Hartley Vale Connect",
        admin_email="Ada@Example.org",
        admin_name="Ada Admin",
        password_env="ADMIN_PW",
    )
    place = Place.objects.get(slug="hartley-vale")
    assert place.lead_organisation.name == "Hartley Vale Connect"
    membership = Membership.objects.filter(organisation=place.lead_organisation)
    user = membership.first().user
    assert user.email == "ada@example.org" and user.check_password("a long enough passphrase here")
    assert viewer_for_user(user, place).is_place_admin


def test_a_weak_password_is_refused_and_nothing_is_created(monkeypatch):
    monkeypatch.setenv("ADMIN_PW", "short")
    with pytest.raises(CommandError, match="too short"):
        call_command(
            "create_place",
            name="Hartley Vale",
            lead="Connect",
            admin_email="ada@example.org",
            admin_name="Ada",
            password_env="ADMIN_PW",
        )
    assert not Place.objects.exists()
