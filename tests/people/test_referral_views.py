"""The front doors: the public referral form, staff entry, and a partner's own referrals."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.models import AuditEvent
from commonweave.demo.factories import MembershipFactory, ReferralFactory, UserFactory
from commonweave.people import services
from commonweave.people.enums import (
    ContactOutcome,
    FrontDoor,
    ReferralConsent,
    ReferrerKind,
    Urgency,
)
from commonweave.people.forms.referrals import NO_CONTACT_ERROR
from commonweave.people.models import Referral, Resident
from commonweave.tenancy.enums import Role
from tests.conftest import assert_access, client_for
from tests.queries import assert_same_queries_at_two_sizes

REFER = reverse("people:refer")
CHECK = reverse("people:refer_check")
THANKS = reverse("people:refer_thanks")
MY_REFERRALS = reverse("people:my_referrals")
STAFF_REFERRAL = reverse("people:staff_referral")
DETAIL_LINK = re.compile(r'href="/referrals/[a-z2-9]{12}/"')


def public_data(**overrides):
    data = {
        "for_whom": "someone_else",
        "place": "testford",
        "full_name": "Margaret Oduya",
        "preferred_name": "Peggy",
        "date_of_birth_day": "4",
        "date_of_birth_month": "11",
        "date_of_birth_year": "1941",
        "phone": "07700 900461",
        "email": "",
        "address": "",
        "postcode": "tf1 2ab",
        "contact_method": "phone",
        "contact_when": "Mornings",
        "reason": "She has stopped coming to the shop since her husband died.",
        "urgency": "routine",
        "consent": "agreed",
        "referrer_kind": "shop",
        "referrer_name": "Sam at the corner shop",
        "referrer_contact": "07700 900999",
        "website": "",
    }
    data.update(overrides)
    return data


def personal_values(data):
    return [
        data[k]
        for k in ("full_name", "preferred_name", "phone", "postcode", "referrer_name")
        if data.get(k)
    ]


# --- the public form ---------------------------------------------------------------------


def send(client, data, form_url=REFER):
    """Fill the form, then send it from the check page: the two posts a person makes."""
    checked = client.post(form_url, data)
    assert (checked.status_code, checked["Location"]) == (302, CHECK), checked.content.decode()
    return client.post(CHECK)


def test_public_form_opens_without_signing_in_and_carries_a_hidden_honeypot(world):
    response = Client().get(REFER)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<div class="cw-hp" aria-hidden="true">' in html
    assert 'name="website" id="id_website" value="" tabindex="-1" autocomplete="off"' in html
    assert "A short explanation of why you think they&#x27;d benefit will do" in html
    assert "within 3 hours" in html
    # Two places take referrals, so the form asks which.
    assert '<option value="testford">Testford</option>' in html
    assert "no-store" in response["Cache-Control"]


def test_public_referral_is_created_and_thanks_without_personal_data_in_the_address(world):
    data = public_data()
    client = Client()
    checked = client.post(REFER, data)
    response = client.post(CHECK)
    assert response.status_code == 302
    assert response["Location"] == THANKS
    for location in (checked["Location"], response["Location"]):
        for value in personal_values(data):
            assert value.lower() not in location.lower()
    referral = Referral.objects.get()
    assert (referral.front_door, referral.place, referral.resident.organisation) == (
        FrontDoor.PUBLIC_WEB,
        world.place,
        world.org_a,
    )
    assert (referral.referrer_kind, referral.referrer_name, referral.consent) == (
        ReferrerKind.SHOP,
        "Sam at the corner shop",
        ReferralConsent.AGREED,
    )
    resident = referral.resident
    assert (resident.full_name, resident.preferred_name, resident.postcode, resident.phone) == (
        "Margaret Oduya",
        "Peggy",
        "TF1 2AB",
        "07700 900461",
    )
    assert resident.date_of_birth.isoformat() == "1941-11-04"
    assert referral.due_at - referral.received_at == timedelta(hours=24)


def test_thanks_page_says_who_will_contact_them_and_within_24_hours(world):
    client = Client()
    client.post(REFER, public_data())
    response = client.post(CHECK, follow=True)
    html = response.content.decode()
    assert response.redirect_chain == [(THANKS, 302)]
    assert "A connection catalyst from Testford Connect will contact them within" in html
    assert "<strong>24 hours</strong>" in html
    assert "Margaret" not in html


def test_urgent_referral_is_promised_within_3_hours(world):
    client = Client()
    send(client, public_data(urgency="urgent"))
    response = client.get(THANKS)
    assert "<strong>3 hours</strong>, because you told us it is urgent" in response.content.decode()
    referral = Referral.objects.get()
    assert (referral.urgency, referral.due_at - referral.received_at) == (
        Urgency.URGENT,
        timedelta(hours=3),
    )


def test_referring_yourself_needs_no_referrer_details(world):
    data = public_data(
        for_whom="myself", consent="", referrer_kind="", referrer_name="", referrer_contact=""
    )
    client = Client()
    send(client, data)
    assert "will contact you within" in client.get(THANKS).content.decode()
    referral = Referral.objects.get()
    assert (referral.referrer_kind, referral.consent, referral.referrer_name) == (
        ReferrerKind.SELF,
        ReferralConsent.AGREED,
        "",
    )


def test_referring_yourself_ignores_someone_else_fields_typed_before_changing_your_mind(world):
    data = public_data(for_whom="myself", referrer_name="Left over", consent="not_yet")
    send(Client(), data)
    referral = Referral.objects.get()
    assert (referral.referrer_kind, referral.consent, referral.referrer_name) == (
        ReferrerKind.SELF,
        ReferralConsent.AGREED,
        "",
    )


def test_missing_contact_details_keep_the_input_show_errors_by_the_field_and_save_nothing(world):
    data = public_data(phone="", email="", address="", postcode="", reason="")
    response = Client().post(REFER, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert '<div class="govuk-error-summary"' in html
    assert "<title>Error: " in html
    assert (
        f'<p id="id_phone-error" class="govuk-error-message">'
        f'<span class="govuk-visually-hidden">Error:</span> {NO_CONTACT_ERROR}</p>'
    ) in html
    assert 'id="id_reason-error"' in html
    assert 'value="Margaret Oduya"' in html
    assert 'value="Sam at the corner shop"' in html
    assert (Referral.objects.count(), Resident.objects.count()) == (0, 0)


def test_someone_else_referring_must_say_who_they_are(world):
    data = public_data(referrer_kind="", referrer_name="", referrer_contact="", consent="")
    response = Client().post(REFER, data)
    html = response.content.decode()
    for field in ("referrer_kind", "referrer_name", "referrer_contact", "consent"):
        assert f'id="id_{field}-error"' in html
    for message in (
        "Enter your name",
        "Enter your phone number or email",
        "Select who you are to them",
        "Select whether they know you are referring them",
    ):
        assert message in html
    assert Referral.objects.count() == 0


def test_someone_else_fields_are_a_conditional_reveal_labelled_as_needed_not_optional(world):
    html = Client().get(REFER).content.decode()
    assert 'value="someone_else" data-aria-controls="conditional-someone-else">' in html
    reveal = html.split('id="conditional-someone-else">', 1)[1].split("</fieldset>\n")[0]
    for label in (
        "Your name, if you are referring someone else",
        "Your phone number or email, if you are referring someone else",
        "Who are you to them, if you are referring someone else?",
        "Do they know you are referring them, if you are referring someone else?",
    ):
        assert label in reveal
    # Needed when someone else is chosen, so never marked "(optional)".
    assert "if you are referring someone else (optional)" not in html
    assert "someone else? (optional)" not in html
    # Hidden only by the GOV.UK script: without JavaScript, the fields show.
    assert 'class="govuk-radios__conditional govuk-radios__conditional--hidden"' in html


def test_a_seven_digit_phone_number_is_refused_next_to_the_field(world):
    response = Client().post(REFER, public_data(phone="4960123"))
    html = response.content.decode()
    assert response.status_code == 400
    assert (
        '<p id="id_phone-error" class="govuk-error-message"><span class="govuk-visually-hidden">'
        "Error:</span> Enter a UK phone number, like 07700 900 982 or 0161 496 0123</p>"
    ) in html
    assert 'value="4960123"' in html
    assert Referral.objects.count() == 0


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("+44 161 496 0123", "0161 496 0123"),
        ("01614960123", "0161 496 0123"),
        ("(020) 7946-0018", "020 7946 0018"),
        ("07700900982", "07700 900982"),
    ],
)
def test_uk_phone_numbers_are_accepted_however_typed(world, typed, kept):
    send(Client(), public_data(phone=typed))
    assert Referral.objects.get().resident.phone == kept


@pytest.mark.parametrize("typed", ["1234567", "+33 1 23 45 67 89", "0161 496 01234", "call me"])
def test_numbers_that_are_not_one_uk_phone_number_are_refused(world, typed):
    response = Client().post(REFER, public_data(phone=typed))
    assert response.status_code == 400
    assert "Enter a UK phone number" in response.content.decode()


def test_check_your_answers_lists_everything_and_stores_nothing_yet(world):
    client = Client()
    client.post(REFER, public_data())
    response = client.get(CHECK)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Check your answers before sending the referral" in html
    for shown in (
        "Margaret Oduya",
        "Peggy",
        "4 November 1941",
        "07700 900461",
        "TF1 2AB",
        "Sam at the corner shop",
        "Testford",
        "She has stopped coming to the shop since her husband died.",
    ):
        assert shown in html
    full_name = '<span class="govuk-visually-hidden"> full name</span>'
    assert f'href="/refer/#id_full_name">Change{full_name}' in html
    assert 'href="/refer/#id_date_of_birth_day">' in html
    assert 'href="/refer/#id_urgency_0">' in html
    assert "no-store" in response["Cache-Control"]
    assert (Referral.objects.count(), Resident.objects.count()) == (0, 0)


def test_change_goes_back_to_the_form_with_everything_kept_then_send(world):
    client = Client()
    client.post(REFER, public_data())
    form = client.get(REFER).content.decode()
    for kept in (
        'value="Margaret Oduya"',
        'value="Peggy"',
        'value="07700 900461"',
        'value="Sam at the corner shop"',
        'value="someone_else" checked data-aria-controls="conditional-someone-else">',
    ):
        assert kept in form
    assert Referral.objects.count() == 0
    changed = client.post(REFER, public_data(full_name="Margaret Oduya-Bell"))
    assert changed["Location"] == CHECK
    assert "Margaret Oduya-Bell" in client.get(CHECK).content.decode()
    assert client.post(CHECK)["Location"] == THANKS
    assert Referral.objects.get().resident.full_name == "Margaret Oduya-Bell"
    # Sent: the draft is forgotten, so the form is empty and the check page has nothing.
    assert "Margaret" not in client.get(REFER).content.decode()
    assert client.get(CHECK)["Location"] == REFER


def test_the_check_page_without_a_draft_goes_back_to_the_form(world):
    assert Client().get(CHECK)["Location"] == REFER
    assert Client().post(CHECK)["Location"] == REFER
    assert Referral.objects.count() == 0


def test_the_reference_is_on_the_confirmation_and_the_staff_pages(world):
    client = Client()
    send(client, public_data())
    referral = Referral.objects.get()
    assert re.fullmatch(r"CW-[CDFHJKMNPRTWXY34679]{4}-[CDFHJKMNPRTWXY34679]{4}", referral.reference)
    thanks = client.get(THANKS).content.decode()
    assert f"Your reference is<br><strong>{referral.reference}</strong>" in thanks
    assert referral.reference not in client.get(THANKS).wsgi_request.get_full_path()
    catalyst = client_for(world.catalyst_a)
    for url in (
        reverse("people:referral_detail", args=[referral.public_id]),
        reverse("people:triage_referral", args=[referral.public_id]),
    ):
        assert referral.reference in catalyst.get(url).content.decode()


def test_each_referral_has_its_own_reference(world):
    references = {ReferralFactory(place=world.place).reference for _ in range(50)}
    assert len(references) == 50
    field = Referral._meta.get_field("reference")
    assert (field.unique, field.editable) == (True, False)


def test_a_place_named_in_the_link_is_implicit(world):
    response = Client().get(REFER + "?place=elsewhere")
    assert 'name="place"' not in response.content.decode()
    data = public_data()
    del data["place"]
    client = Client()
    send(client, data, form_url=REFER + "?place=elsewhere")
    assert Referral.objects.get().place == world.other_place


def test_change_keeps_a_place_named_in_the_link(world):
    data = public_data()
    del data["place"]
    client = Client()
    client.post(REFER + "?place=elsewhere", data)
    assert 'href="/refer/?place=elsewhere#id_full_name"' in client.get(CHECK).content.decode()


def test_a_filled_honeypot_thanks_the_bot_and_keeps_nothing(world):
    client = Client()
    response = client.post(REFER, public_data(website="http://spam.example"))
    assert (response.status_code, response["Location"]) == (302, THANKS)
    assert client.get(CHECK)["Location"] == REFER
    assert (Referral.objects.count(), Resident.objects.count()) == (0, 0)


def test_rate_limit_refuses_politely_after_the_limit_keeping_the_input(world, settings):
    settings.PUBLIC_REFERRAL_RATE_PER_HOUR = 2
    client = Client(REMOTE_ADDR="203.0.113.9")
    statuses = [send(client, public_data()).status_code for _ in range(2)]
    client.post(REFER, public_data(full_name="Third Person"))
    refused = client.post(CHECK)
    assert statuses == [302, 302]
    assert refused.status_code == 429
    html = refused.content.decode()
    assert "Nothing you typed has been lost" in html
    assert "phone" in html
    assert "Third Person" in html
    assert Referral.objects.count() == 2
    # Another address is not affected, and no raw address is kept in the cache.
    assert send(Client(REMOTE_ADDR="198.51.100.7"), public_data()).status_code == 302
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM commonweave_cache")
        stored = [row[0] for row in cursor.fetchall()]
    assert stored and not [key for key in stored if "203.0.113.9" in key]


def test_rate_limit_resets_after_an_hour(world, settings):
    settings.PUBLIC_REFERRAL_RATE_PER_HOUR = 1
    client = Client()
    start = timezone.now().replace(minute=5)
    with time_machine.travel(start, tick=False):
        assert send(client, public_data()).status_code == 302
        client.post(REFER, public_data())
        assert client.post(CHECK).status_code == 429
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        # The session has timed out by then, so they fill the form in again.
        assert send(client, public_data()).status_code == 302
    assert Referral.objects.count() == 2


# --- staff entry -------------------------------------------------------------------------


def test_any_staff_role_may_open_the_staff_referral_form(world):
    assert_access(
        world,
        "get",
        STAFF_REFERRAL,
        dict.fromkeys(("catalyst_a", "manager_a", "worker_b", "catalyst_b", "analyst"), 200)
        | {"outsider": 200},
    )


def test_staff_referral_starts_from_the_organisation_kind_and_redirects_to_its_page(world):
    client = client_for(world.worker_b)
    form = client.get(STAFF_REFERRAL).content.decode()
    assert '<option value="council" selected>Council worker</option>' in form
    assert 'name="referring_organisation"' not in form  # one organisation: implicit
    data = public_data(referrer_kind="council")
    response = client.post(STAFF_REFERRAL, data)
    referral = Referral.objects.get()
    assert response["Location"] == reverse(
        "people:referral_detail", kwargs={"public_id": referral.public_id}
    )
    assert (referral.front_door, referral.referring_organisation, referral.referred_by) == (
        FrontDoor.STAFF,
        world.org_b,
        world.worker_b,
    )
    # A partner's referral is held by the lead organisation, who will make contact.
    assert referral.resident.organisation == world.org_a
    assert referral.referrer_name == world.worker_b.name
    assert client.get(response["Location"]).status_code == 200


def test_staff_in_several_organisations_choose_which_they_refer_for(world):
    MembershipFactory(user=world.worker_b, organisation=world.org_a, role=Role.PARTNER_WORKER)
    client = client_for(world.worker_b)
    assert 'name="referring_organisation"' in client.get(STAFF_REFERRAL).content.decode()
    missing = client.post(STAFF_REFERRAL, public_data(referrer_kind="council"))
    assert 'id="id_referring_organisation-error"' in missing.content.decode()
    client.post(
        STAFF_REFERRAL, public_data(referrer_kind="council", referring_organisation=world.org_a.pk)
    )
    assert Referral.objects.get().referring_organisation == world.org_a


def test_staff_referral_with_errors_saves_nothing(world):
    response = client_for(world.catalyst_a).post(
        STAFF_REFERRAL, public_data(full_name="", consent="")
    )
    html = response.content.decode()
    assert 'id="id_full_name-error"' in html and 'id="id_consent-error"' in html
    assert 'value="Sam at the corner shop"' not in html  # no referrer fields for staff
    assert Referral.objects.count() == 0


# --- a partner's own referrals -----------------------------------------------------------


def staff_referral(world, user, organisation, **person):
    person.setdefault("full_name", "Frank Osei")
    person.setdefault("phone", "07700 900123")
    return services.referral_create(
        viewer=world.viewer(user),
        front_door=FrontDoor.STAFF,
        person=services.PersonDetails(**person),
        referrer_kind=ReferrerKind.COUNCIL,
        reason="Lives alone and has had two falls.",
        referring_organisation_id=organisation.pk,
    )


def test_everyone_with_a_role_has_a_referrals_page(world):
    assert_access(
        world,
        "get",
        MY_REFERRALS,
        dict.fromkeys(
            ("catalyst_a", "manager_a", "worker_b", "catalyst_b", "analyst", "outsider"), 200
        ),
    )


def test_someone_with_no_role_in_any_place_finds_nothing(world):
    nobody = client_for(UserFactory(email="nobody@example.org"))
    assert nobody.get(MY_REFERRALS).status_code == 404
    assert nobody.get(STAFF_REFERRAL).status_code == 404


def test_partners_see_their_organisations_referrals_with_status_but_not_notes(world):
    made_by_b = staff_referral(world, world.worker_b, world.org_b, full_name="Frank Osei")
    ReferralFactory(resident__organisation=world.org_a, resident__full_name="Public Person")
    services.referral_record_contact(
        viewer=world.viewer(world.catalyst_a),
        referral=made_by_b,
        outcome=ContactOutcome.SPOKE,
        note="Talked about his late wife and money worries",
    )
    page = client_for(world.worker_b).get(MY_REFERRALS).content.decode()
    assert "Frank Osei" in page
    assert "Public Person" not in page
    assert "Contacted" in page and "Yes, contacted within 24 hours" in page
    assert "money worries" not in page
    detail = client_for(world.catalyst_b).get(
        reverse("people:referral_detail", kwargs={"public_id": made_by_b.public_id})
    )
    assert detail.status_code == 200
    assert "Lives alone and has had two falls." in detail.content.decode()
    assert "money worries" not in detail.content.decode()
    assert "Open this referral in triage" not in detail.content.decode()


def test_an_analyst_sees_only_referrals_they_made_themselves(world):
    by_catalyst = staff_referral(world, world.catalyst_a, world.org_a, full_name="Ada Lovell")
    by_analyst = staff_referral(world, world.analyst, world.org_a, full_name="Bea Marsh")
    client = client_for(world.analyst)
    page = client.get(MY_REFERRALS).content.decode()
    assert "Bea Marsh" in page and "Ada Lovell" not in page
    detail = reverse("people:referral_detail", kwargs={"public_id": by_analyst.public_id})
    assert client.get(detail).status_code == 200
    other = reverse("people:referral_detail", kwargs={"public_id": by_catalyst.public_id})
    assert client.get(other).status_code == 404


def test_referral_detail_of_a_referral_organisation_b_made(world):
    referral = staff_referral(world, world.worker_b, world.org_b)
    url = reverse("people:referral_detail", kwargs={"public_id": referral.public_id})
    assert_access(
        world,
        "get",
        url,
        {"catalyst_a": 200, "manager_a": 200, "worker_b": 200, "catalyst_b": 200},
    )


def test_referral_detail_of_a_public_referral_is_for_the_holder_only(world):
    referral = ReferralFactory(resident__organisation=world.org_a)
    url = reverse("people:referral_detail", kwargs={"public_id": referral.public_id})
    assert_access(world, "get", url, {"catalyst_a": 200, "manager_a": 200})
    page = client_for(world.catalyst_a).get(url).content.decode()
    assert "Open this referral in triage" in page


def test_referral_detail_writes_one_audit_event_as_the_referrer(world):
    referral = staff_referral(world, world.worker_b, world.org_b)
    before = AuditEvent.objects.count()
    client_for(world.worker_b).get(
        reverse("people:referral_detail", kwargs={"public_id": referral.public_id})
    )
    events = list(AuditEvent.objects.order_by("pk")[before:])
    assert [(e.action, e.purpose, e.resident_id) for e in events] == [
        (Action.VIEW, Purpose.REFERRER, referral.resident.public_id)
    ]


def test_my_referrals_is_paginated_fifty_to_a_page(world):
    for index in range(51):
        staff_referral(world, world.worker_b, world.org_b, phone=f"07700 91{index:04d}")
    client = client_for(world.worker_b)
    first = client.get(MY_REFERRALS).content.decode()
    assert len(DETAIL_LINK.findall(first)) == 50
    assert '<nav class="govuk-pagination"' in first and 'href="?page=2"' in first
    assert len(DETAIL_LINK.findall(client.get(MY_REFERRALS + "?page=2").content.decode())) == 1


@pytest.mark.parametrize("sizes", [(3, 30)])
def test_my_referrals_query_count_does_not_grow_with_the_list(world, sizes):
    client = client_for(world.worker_b)

    def make(count):
        for _ in range(count):
            index = Referral.objects.count()
            staff_referral(world, world.worker_b, world.org_b, phone=f"07700 92{index:04d}")

    def fetch():
        assert client.get(MY_REFERRALS).status_code == 200

    small, large = sizes
    assert_same_queries_at_two_sizes(make, fetch, small=small, large=large)
