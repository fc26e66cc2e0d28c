"""Services that take referrals receive one through Commonweave: sent from the connect page
with the resident's consent to share, seen and answered by the receiving organisation,
within the service's places, and audited."""

from html import escape

import pytest

from commonweave.audit.models import AuditEvent
from commonweave.demo import directory as demo
from commonweave.demo.factories import ResidentFactory
from commonweave.directory import referrals
from commonweave.directory.models import FollowUp, Service, ServiceReferral
from commonweave.people.enums import ConsentPurpose
from commonweave.people.models import Consent, ConsentEvent
from commonweave.people.services import consent_record
from tests.conftest import assert_access

pytestmark = pytest.mark.django_db


@pytest.fixture
def service(world):
    demo.generate_directory(world.place, services=5, locations=3)
    service = Service.objects.filter(place=world.place).first()
    service.takes_referrals = True
    service.status = "active"
    service.referral_organisation = world.org_b  # the council receives its referrals
    service.referral_places = 1
    service.save()
    return service


def refer_url(resident, service):
    return f"/directory/testford/connect/{resident.public_id}/refer/{service.id}/"


def send(client, resident, service, **extra):
    data = {"reason": "She would enjoy the company", "consent": "on", "method": "verbal"}
    return client.post(refer_url(resident, service), {**data, **extra})


def test_only_the_residents_caseworkers_can_open_the_referral_form(world, resident_a, service):
    assert_access(
        world, "get", refer_url(resident_a, service), {"catalyst_a": 200, "manager_a": 200}
    )


def test_a_referral_without_consent_is_refused(world, resident_a, service, login):
    response = send(login(world.catalyst_a), resident_a, service, consent="")
    html = response.content.decode()
    assert response.status_code == 400
    assert "You can only send a referral when they have agreed to their record being shared" in html
    assert "She would enjoy the company" in html  # what was typed is kept
    assert ServiceReferral.objects.count() == 0
    assert not Consent.objects.filter(resident=resident_a).exists()


def test_sending_records_consent_connection_and_referral(world, resident_a, service, login):
    client = login(world.catalyst_a)
    before = AuditEvent.objects.count()
    response = send(client, resident_a, service)
    assert response.status_code == 302
    referral = ServiceReferral.objects.get()
    assert (referral.resident, referral.service, referral.to_organisation) == (
        resident_a,
        service,
        world.org_b,
    )
    assert (referral.sent_by, referral.status, referral.from_organisation) == (
        world.catalyst_a,
        "sent",
        world.org_a,
    )
    # Consent to share with the receiving organisation, in the people app's append-only log.
    event = ConsentEvent.objects.get(resident=resident_a)
    assert (event.purpose, event.organisation, event.given, event.method) == (
        ConsentPurpose.SHARE,
        world.org_b,
        True,
        "verbal",
    )
    assert service.name in event.wording and referral.consent_event == event
    # A connection, "suggested" until the service answers, with its follow-ups.
    assert referral.link.connection.status == "suggested"
    assert [f.months for f in referral.link.follow_ups.all()] == [3, 6]
    # Audited: the consent, the connection and the referral, one event each.
    actions = list(AuditEvent.objects.order_by("pk")[before:].values_list("action", "object_type"))
    assert actions == [
        ("consent", "people.resident"),
        ("create", "people.connection"),
        ("create", "directory.servicereferral"),
    ]
    page = client.get(f"/directory/testford/connect/{resident_a.public_id}/").content.decode()
    assert "Referrals sent" in page and "Waiting for an answer" in page


def test_the_receiving_organisation_sees_and_accepts_it(world, resident_a, service, login):
    send(login(world.catalyst_a), resident_a, service)
    referral = ServiceReferral.objects.get()
    worker = login(world.worker_b)
    listing = worker.get("/directory/testford/referrals/").content.decode()
    assert escape(resident_a.display_name) in listing and escape(service.name) in listing
    # Organisation A's own staff do not receive it.
    other = login(world.catalyst_a).get("/directory/testford/referrals/").content.decode()
    assert escape(resident_a.display_name) not in other
    detail_url = f"/directory/testford/referrals/{referral.public_id}/"
    assert_access(world, "get", detail_url, {"worker_b": 200, "catalyst_b": 200})
    before = AuditEvent.objects.count()
    page = worker.get(detail_url).content.decode()
    assert "She would enjoy the company" in page
    view = AuditEvent.objects.get(pk__gt=AuditEvent.objects.order_by("pk")[before - 1].pk)
    assert (view.action, view.purpose, view.resident_id) == ("view", "shared", resident_a.public_id)
    response = worker.post(detail_url, {"decision": "accept", "note": "We will ring her"})
    assert response.status_code == 302
    referral.refresh_from_db()
    service.refresh_from_db()
    assert (referral.status, referral.decided_by, referral.decision_note) == (
        "accepted",
        world.worker_b,
        "We will ring her",
    )
    assert service.referral_places == 0  # the place is taken
    assert referral.link.connection.status == "made"
    decided = AuditEvent.objects.filter(object_type="directory.servicereferral", action="update")
    assert decided.get().detail == {"status": "accepted"}
    # The caseworker sees the answer.
    connect = login(world.catalyst_a).get(f"/directory/testford/connect/{resident_a.public_id}/")
    assert "Accepted" in connect.content.decode() and "We will ring her" in connect.content.decode()


def test_declining_needs_a_reason_and_closes_the_loop(world, resident_a, service, login):
    send(login(world.catalyst_a), resident_a, service)
    referral = ServiceReferral.objects.get()
    worker = login(world.worker_b)
    detail_url = f"/directory/testford/referrals/{referral.public_id}/"
    missing = worker.post(detail_url, {"decision": "decline"})
    assert missing.status_code == 400 and "Say why you are declining" in missing.content.decode()
    worker.post(detail_url, {"decision": "decline", "note": "Full until spring"})
    referral.refresh_from_db()
    service.refresh_from_db()
    assert referral.status == "declined" and service.referral_places == 1
    assert referral.link.connection.status == "stopped"
    answers = set(FollowUp.objects.filter(link=referral.link).values_list("outcome", "why"))
    assert answers == {("never_started", "The service declined the referral.")}
    again = worker.post(detail_url, {"decision": "accept"})
    referral.refresh_from_db()
    assert again.status_code == 200 and referral.status == "declined"  # answered once only


def test_capacity_is_respected(world, resident_a, service, login):
    client = login(world.catalyst_a)
    send(client, resident_a, service)
    second = ResidentFactory(organisation=world.org_a, catalyst=world.catalyst_a)
    # The waiting referral holds the only place.
    response = send(client, second, service)
    assert "no places free for referrals at the moment" in response.content.decode()
    assert ServiceReferral.objects.count() == 1
    search = client.get(f"/directory/testford/connect/{second.public_id}/", {"q": service.name})
    html = search.content.decode()
    assert "no places free at the moment" in html
    assert refer_url(second, service) not in html
    entry = client.get(f"/directory/testford/entries/{service.id}/").content.decode()
    assert "no places free at the moment" in entry
    # A service without a limit takes any number.
    Service.objects.filter(pk=service.pk).update(referral_places=None)
    assert send(client, second, service).status_code == 302
    assert referrals.places_free(Service.objects.get(pk=service.pk)) is None


def test_one_waiting_referral_per_resident_and_service(world, resident_a, service, login):
    Service.objects.filter(pk=service.pk).update(referral_places=None)
    client = login(world.catalyst_a)
    send(client, resident_a, service)
    response = send(client, resident_a, service)
    assert "already waiting for an answer" in response.content.decode()
    assert ServiceReferral.objects.count() == 1


def test_withdrawn_consent_hides_the_resident_at_once(world, resident_a, service, login):
    send(login(world.catalyst_a), resident_a, service)
    referral = ServiceReferral.objects.get()
    consent_record(
        viewer=world.viewer(world.catalyst_a),
        resident=resident_a,
        purpose=ConsentPurpose.SHARE,
        given=False,
        method="verbal",
        wording="They asked us to stop sharing.",
        organisation=world.org_b,
    )
    worker = login(world.worker_b)
    listing = worker.get("/directory/testford/referrals/").content.decode()
    assert escape(resident_a.display_name) not in listing
    assert "Consent to share was withdrawn" in listing
    detail_url = f"/directory/testford/referrals/{referral.public_id}/"
    assert worker.get(detail_url).status_code == 404
    assert worker.post(detail_url, {"decision": "accept"}).status_code == 404
    referral.refresh_from_db()
    assert referral.status == "sent"


def test_services_that_do_not_take_referrals_have_no_form(world, resident_a, service, login):
    client = login(world.catalyst_a)
    Service.objects.filter(pk=service.pk).update(referral_organisation=None)
    assert client.get(refer_url(resident_a, service)).status_code == 404
    Service.objects.filter(pk=service.pk).update(
        referral_organisation=world.org_b, takes_referrals=False
    )
    assert send(client, resident_a, service).status_code == 404
    assert ServiceReferral.objects.count() == 0


def test_coordinators_set_the_receiving_partner_and_places(world, service, login):
    from commonweave.directory.forms import EntryForm

    client = login(world.manager_a)
    form = {k: v for k, v in EntryForm.initial_for(service).items() if v not in (None, False)}
    form.update(
        categories=form.get("categories", []),
        referral_organisation=str(world.org_b.pk),
        referral_places="4",
        takes_referrals="on",
    )
    response = client.post(f"/directory/testford/entries/{service.id}/edit/", form)
    assert response.status_code == 302
    service.refresh_from_db()
    assert (service.referral_organisation, service.referral_places) == (world.org_b, 4)
    form.pop("takes_referrals")
    refused = client.post(f"/directory/testford/entries/{service.id}/edit/", form)
    assert "Tick this if referrals can be sent to the partner you chose" in refused.content.decode()
