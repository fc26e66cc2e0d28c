"""factory-boy factories for tests and small demo places. The bulk demo generator
(commonweave.demo.generator) builds the same models in batches for speed."""

from datetime import timedelta

import factory
from django.utils import timezone

from commonweave.accounts.models import User
from commonweave.people import enums as pe
from commonweave.people.models import (
    Connection,
    Consent,
    Conversation,
    Goal,
    Referral,
    Resident,
)
from commonweave.tenancy.enums import OrganisationKind, Role
from commonweave.tenancy.models import Membership, Organisation, Place


class PlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Place
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Place {n}")
    slug = factory.Sequence(lambda n: f"place-{n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    place = factory.SubFactory(PlaceFactory)
    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = OrganisationKind.VCSE


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    name = factory.Faker("name", locale="en_GB")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def _save_password(self, create, extracted, **kwargs):
        if create:
            self.save(update_fields=["password"])


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.CATALYST


class ResidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resident

    organisation = factory.SubFactory(OrganisationFactory)
    place = factory.SelfAttribute("organisation.place")
    full_name = factory.Faker("name", locale="en_GB")
    date_of_birth = factory.Faker("date_of_birth", minimum_age=18, maximum_age=95)
    phone = factory.Sequence(lambda n: f"07700 9{n:05d}")
    email = ""
    postcode = factory.Faker("postcode", locale="en_GB")
    stage = pe.Stage.ENGAGED
    what_matters = "Getting out of the house more and seeing people."
    strengths = "Good with their hands; knows the area well."

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        obj = model_class(*args, **kwargs)
        obj.refresh_keys()
        obj.save()
        return obj


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    resident = factory.SubFactory(ResidentFactory, stage=pe.Stage.REFERRED)
    place = factory.SelfAttribute("resident.place")
    front_door = pe.FrontDoor.PUBLIC_WEB
    referrer_kind = pe.ReferrerKind.NEIGHBOUR
    reason = "She has not been out since her husband died and I worry about her."
    urgency = pe.Urgency.ROUTINE
    consent = pe.ReferralConsent.AGREED
    received_at = factory.LazyFunction(timezone.now)
    due_at = factory.LazyAttribute(
        lambda o: (
            o.received_at
            + (timedelta(hours=3) if o.urgency == pe.Urgency.URGENT else timedelta(hours=24))
        )
    )


class ConversationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Conversation

    resident = factory.SubFactory(ResidentFactory)
    kind = pe.ConversationKind.IN_PERSON
    notes = "We talked about the lunch club at the community centre."


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    resident = factory.SubFactory(ResidentFactory)
    text = "Go to the lunch club on my own"


class ConnectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Connection

    resident = factory.SubFactory(ResidentFactory)
    kind = pe.ConnectionKind.GROUP
    name = "Tuesday lunch club"


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    resident = factory.SubFactory(ResidentFactory)
    purpose = pe.ConsentPurpose.SHARE
    given = True
