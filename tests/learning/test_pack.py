"""The session pack is handed to everyone who came: it names a resident only where they
agreed to their story being used AND the exporter and every attending organisation may
see them (the holding organisation, or one they agreed to share with). Pages, PDF, API."""

import pytest

from commonweave.audit.models import AuditEvent
from commonweave.learning import services
from commonweave.tenancy.enums import Role
from commonweave.tenancy.tokens import issue_api_token
from tests.api.conftest import token_client

from .conftest import (
    RESIDENT_NAME,
    api_pdf_via_job,
    pdf_via_job,
    set_share_consent,
    set_story_consent,
)
from .test_pages import _pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
SURNAME = "Oyelaran"


def _attend(world, storied, *, organisation=None, outside=""):
    return services.attendee_add(
        viewer=world.viewer(world.catalyst_a),
        session=storied["session"],
        name="Someone",
        organisation=organisation,
        organisation_name=outside,
    )


def _packs(client, storied):
    """The pack as the pages give it (HTML at once; the PDF built by a job): (HTML, PDF text)."""
    base = f"/learning/sessions/{storied['session'].public_id}/"
    html = client.get(base + "pack/").content.decode()
    pdf = _pdf_text(pdf_via_job(client, storied["session"]))
    return html, pdf


def _api_packs(client, storied):
    html = client.get(f"/api/learning/sessions/{storied['session'].public_id}/pack")
    assert html.status_code == 200
    return html.content.decode(), _pdf_text(api_pdf_via_job(client, storied["session"]))


def _named(texts):
    return [SURNAME in text for text in texts]


def test_holding_organisation_alone_at_the_session_sees_the_name(world, storied, login):
    _attend(world, storied, organisation=world.org_a)
    assert _named(_packs(login(world.catalyst_a), storied)) == [True, True]


def test_an_attending_organisation_without_consent_means_no_one_is_named(world, storied, login):
    _attend(world, storied, organisation=world.org_a)
    _attend(world, storied, organisation=world.org_b)
    client = login(world.catalyst_a)
    assert _named(_packs(client, storied)) == [False, False]
    html, _ = _packs(client, storied)
    assert storied["resident"].public_id not in html
    assert "An anonymous story." in html
    # The session page is for the catalyst alone, who holds the record: named there.
    page = client.get(f"/learning/sessions/{storied['session'].public_id}/").content.decode()
    assert RESIDENT_NAME in page
    # The export's audit event names no one.
    event = AuditEvent.objects.filter(action="export").latest("pk")
    assert event.detail["residents"] == []


def test_consent_to_share_with_every_attending_organisation_names_them(world, storied, login):
    _attend(world, storied, organisation=world.org_a)
    _attend(world, storied, organisation=world.org_b)
    set_share_consent(world, storied["resident"], world.org_b, True)
    assert _named(_packs(login(world.catalyst_a), storied)) == [True, True]
    # the council worker may see the shared record, so their own export names them too
    assert _named(_packs(login(world.worker_b), storied)) == [True, True]
    event = AuditEvent.objects.filter(action="export").latest("pk")
    assert event.detail["residents"] == [storied["resident"].public_id]
    # withdrawing the sharing consent takes effect on the very next export
    set_share_consent(world, storied["resident"], world.org_b, False)
    assert _named(_packs(login(world.catalyst_a), storied)) == [False, False]


def test_anyone_from_outside_the_partnership_means_no_one_is_named(world, storied, login):
    _attend(world, storied, organisation=world.org_a)
    _attend(world, storied, outside="Queen's Hospital, Ward 7")
    assert _named(_packs(login(world.catalyst_a), storied)) == [False, False]


def test_without_story_consent_no_pack_names_them_even_for_the_holder(world, storied, login):
    _attend(world, storied, organisation=world.org_a)
    set_story_consent(world, storied["resident"], False)
    assert _named(_packs(login(world.catalyst_a), storied)) == [False, False]


def test_pack_api_applies_the_same_rule(world, storied):
    _attend(world, storied, organisation=world.org_a)
    _, raw = issue_api_token(organisation=world.org_a, name="Case system", role=Role.CATALYST)
    holder = token_client(raw)
    assert _named(_api_packs(holder, storied)) == [True, True]
    _attend(world, storied, organisation=world.org_b)
    assert _named(_api_packs(holder, storied)) == [False, False]
    _, raw = issue_api_token(organisation=world.org_b, name="Council", role=Role.PARTNER_WORKER)
    partner = token_client(raw)
    assert _named(_api_packs(partner, storied)) == [False, False]
    set_share_consent(world, storied["resident"], world.org_b, True)
    assert _named(_api_packs(partner, storied)) == [True, True]
    other = token_client(
        issue_api_token(
            organisation=world.other_place.organisations.get(), name="x", role=Role.CATALYST
        )[1]
    )
    url = f"/api/learning/sessions/{storied['session'].public_id}/pack"
    assert other.get(url).status_code == 404
    assert other.post(url + "-jobs").status_code == 404
