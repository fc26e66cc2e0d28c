"""One field-level rule for every rendering of a personal record.

Every free-text field of a resident's journey is filled with its own marker; then, for
each access level, the page and the API answer are read by the same viewer and the
markers each shows are compared with the field policy (commonweave/people/visibility.py)
and with each other. A field shown by one rendering and hidden by another, or shown
where the policy hides it, fails here.
"""

import json

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse
from django.utils import timezone

from commonweave.core.visibility import Level, declared_policies, policy_for, visible_fields
from commonweave.demo.factories import (
    ConnectionFactory,
    ConversationFactory,
    GoalFactory,
    ReferralFactory,
    ResidentFactory,
)
from commonweave.people import enums as pe
from commonweave.people.models import ConsentEvent, Resident, StageChange
from commonweave.tenancy.enums import Role
from commonweave.tenancy.tokens import issue_api_token
from commonweave.wellbeing import services as wellbeing_services
from tests.api.conftest import token_client
from tests.conftest import client_for

PEOPLE_MODELS = (
    "people.Resident",
    "people.Referral",
    "people.StageChange",
    "people.Conversation",
    "people.Goal",
    "people.Connection",
    "people.Consent",
    "people.ConsentEvent",
)


def _personal_models():
    """Resident and every model that points, directly or through another personal model,
    at a resident: the records of a person."""
    found = {Resident}
    grew = True
    while grew:
        grew = False
        for model in apps.get_models():
            if model not in found and any(
                f.is_relation and f.related_model in found for f in model._meta.concrete_fields
            ):
                found.add(model)
                grew = True
    return sorted(found, key=lambda m: m._meta.label)


def test_every_field_of_every_personal_model_has_a_declared_rule():
    """A field added to a personal record is hidden everywhere until someone decides, in
    the policy, which access levels see it."""
    undeclared, unclassified = [], {}
    for model in _personal_models():
        label = model._meta.label
        if label not in declared_policies():
            undeclared.append(label)
            continue
        names = {f.name for f in model._meta.concrete_fields} | {
            f.name for f in model._meta.many_to_many
        }
        missing = names - policy_for(model).classified
        if missing:
            unclassified[label] = sorted(missing)
    assert (undeclared, unclassified) == ([], {})


def test_policies_name_only_fields_that_exist():
    for label, policy in declared_policies().items():
        model = apps.get_model(label)
        names = {f.name for f in model._meta.get_fields()}
        assert policy.classified - names == set(), label


def test_no_level_sees_more_than_full_access():
    for label, policy in declared_policies().items():
        for level in Level:
            assert policy.fields_for(level) <= policy.fields_for(Level.FULL), (label, level)


# --- the same viewer sees the same fields on the page and in the API ----------------------


def _free_text_fields(model):
    """Fields a person types: where a marker can be planted and found again."""
    policy = policy_for(model)
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField)
        and not f.choices
        and f.name not in policy.internal
        and f.name != "public_id"
    ]


class Markers:
    """A distinct marker for each (model, field), planted in that field."""

    def __init__(self, prefix="qx"):
        self.prefix = prefix
        self.by_marker = {}

    def fill(self, record, *, skip=()):
        for f in _free_text_fields(type(record)):
            if f.name in skip:
                continue
            marker = f"{self.prefix}{len(self.by_marker):03d}z"
            if isinstance(f, models.EmailField):
                marker = f"{marker}@example.org"
            self.by_marker[marker] = (type(record)._meta.label, f.name)
            setattr(record, f.name, marker)
        record.save()
        return record

    def found_in(self, text):
        return {where for marker, where in self.by_marker.items() if marker in text}

    def visible_at(self, level):
        return {
            (label, name)
            for label, name in self.by_marker.values()
            if name in visible_fields(label, level)
        }


def _journey(world, markers, *, stage):
    """A resident of organisation A with one of everything, shared with organisation B."""
    resident = ResidentFactory(organisation=world.org_a, catalyst=world.catalyst_a)
    resident.stage = stage
    if stage in pe.OPEN_STAGES:
        skip = ("closed_note", "graduation_words", "giving_back")
    elif stage == pe.Stage.GRADUATED:
        resident.graduated_at = timezone.now()
        skip = ("closed_note",)
    else:
        resident.closed_at = timezone.now()
        resident.closed_reason = pe.CloseReason.choices[0][0]
        skip = ("graduation_words", "giving_back")
    resident.next_action_due = timezone.localdate()
    markers.fill(resident, skip=skip)
    resident.refresh_keys()
    resident.save()
    markers.fill(ReferralFactory(resident=resident, referring_organisation=world.org_a))
    markers.fill(StageChange(resident=resident, to_stage=stage))
    markers.fill(ConversationFactory(resident=resident, author=world.catalyst_a))
    markers.fill(GoalFactory(resident=resident))
    markers.fill(ConnectionFactory(resident=resident))
    from commonweave.people import services

    services.consent_record(
        viewer=world.viewer(world.catalyst_a),
        resident=resident,
        purpose=pe.ConsentPurpose.SHARE,
        given=True,
        method=pe.ConsentMethod.choices[0][0],
        wording="qx900z",
        organisation=world.org_b,
    )
    markers.by_marker["qx900z"] = ("people.ConsentEvent", "wording")
    assert ConsentEvent.objects.filter(resident=resident).count() == 1
    return resident


@pytest.fixture
def issue_token():
    def issue(organisation, role=Role.PARTNER_WORKER):
        return issue_api_token(organisation=organisation, name="Partner system", role=role)[1]

    return issue


@pytest.fixture
def journeys(world):
    markers = Markers()
    residents = [
        # An open journey too: only there does the page show the next action (a finished
        # journey has no next step), so its field is checked on a page that shows it.
        _journey(world, markers, stage=pe.Stage.ENGAGED),
        _journey(world, markers, stage=pe.Stage.GRADUATED),
        _journey(world, markers, stage=pe.Stage.CLOSED),
    ]
    return markers, residents


def _page_and_api(user, organisation, role, public_id, issue_token):
    page = client_for(user).get(reverse("people:resident_detail", args=[public_id]))
    api = token_client(issue_token(organisation, role)).get(f"/api/residents/{public_id}")
    assert (page.status_code, api.status_code) == (200, 200)
    return page.content.decode(), json.dumps(api.json())


@pytest.mark.parametrize(
    ("persona", "organisation", "role", "level"),
    [
        ("catalyst_a", "org_a", Role.CATALYST, Level.FULL),
        ("worker_b", "org_b", Role.PARTNER_WORKER, Level.SHARED),
    ],
)
def test_page_and_api_show_the_same_fields_of_a_resident(
    world, journeys, issue_token, persona, organisation, role, level
):
    markers, residents = journeys
    on_page, in_api = set(), set()
    for resident in residents:
        page, api = _page_and_api(
            getattr(world, persona),
            getattr(world, organisation),
            role,
            resident.public_id,
            issue_token,
        )
        on_page |= markers.found_in(page)
        in_api |= markers.found_in(api)
    assert on_page == in_api
    assert on_page <= markers.visible_at(level)
    if level is Level.SHARED:
        # Consented sharing shows exactly what the policy allows, nothing less.
        assert on_page == markers.visible_at(Level.SHARED)


def test_a_sharing_partner_never_sees_what_workers_wrote(world, journeys, issue_token):
    markers, residents = journeys
    seen = set()
    for resident in residents:
        page, api = _page_and_api(
            world.worker_b, world.org_b, Role.PARTNER_WORKER, resident.public_id, issue_token
        )
        seen |= markers.found_in(page) | markers.found_in(api)
    hidden = {
        ("people.Referral", "reason"),
        ("people.StageChange", "note"),
        ("people.Resident", "closed_note"),
        ("people.Resident", "next_action"),
        ("people.Resident", "graduation_words"),
        ("people.Conversation", "notes"),
        ("people.Connection", "description"),
    }
    assert seen & hidden == set()
    assert ("people.Resident", "what_matters") in seen


def test_a_referrer_sees_the_same_referral_on_the_page_and_in_the_api(world, issue_token):
    """Organisation B referred someone whom organisation A holds, with no sharing consent:
    B follows the referral as it sent it, never the journey."""
    markers = Markers()
    resident = markers.fill(ResidentFactory(organisation=world.org_a, catalyst=world.catalyst_a))
    resident.refresh_keys()
    resident.save()
    referral = markers.fill(ReferralFactory(resident=resident, referring_organisation=world.org_b))
    markers.fill(ConversationFactory(resident=resident, author=world.catalyst_a))
    page = client_for(world.worker_b).get(
        reverse("people:referral_detail", args=[referral.public_id])
    )
    api = token_client(issue_token(world.org_b)).get(f"/api/referrals/{referral.public_id}")
    assert (page.status_code, api.status_code) == (200, 200)
    on_page = markers.found_in(page.content.decode())
    in_api = markers.found_in(json.dumps(api.json()))
    assert on_page == in_api == markers.visible_at(Level.REFERRER)
    assert ("people.Referral", "reason") in on_page
    assert ("people.Resident", "phone") not in on_page


# --- the same rule beyond the journey: wellbeing, network, directory referrals, the pack ---


def _api_item(payload, key, value):
    """The one item of a listing whose `key` is `value`, as JSON text."""
    (item,) = [i for i in payload["items"] if i[key] == value]
    return json.dumps(item)


def test_wellbeing_page_and_api_show_the_same_fields_of_a_check_in(world, issue_token):
    """A resident's check-ins: full access sees exactly the policy's fields on the life map
    page and in the API; consented sharing sees neither (no field of them at shared)."""
    from tests.wellbeing.helpers import answered_checkin

    resident = ResidentFactory(organisation=world.org_a, catalyst=world.catalyst_a)
    area_keys = [a.key for a in wellbeing_services.current_lifemap(world.place).areas.all()]
    markers = Markers()
    for day in (1, 2):
        when = timezone.now() - timezone.timedelta(days=10 - day)
        checkin = answered_checkin(resident, when, dict.fromkeys(area_keys, 2))
        markers.fill(checkin)
        for rating in checkin.ratings.all():
            markers.fill(rating)
    page = client_for(world.catalyst_a).get(reverse("wellbeing:picture", args=[resident.public_id]))
    api = token_client(issue_token(world.org_a, Role.CATALYST)).get(
        f"/api/residents/{resident.public_id}/wellbeing"
    )
    assert (page.status_code, api.status_code) == (200, 200)
    on_page = markers.found_in(page.content.decode())
    in_api = markers.found_in(json.dumps(api.json()))
    assert on_page == in_api == markers.visible_at(Level.FULL)
    assert ("wellbeing.CheckIn", "own_words") in on_page
    # Consented sharing: the policy shows no field of a check-in, and both are a 404.
    assert markers.visible_at(Level.SHARED) == set()
    shared_page = client_for(world.worker_b).get(
        reverse("wellbeing:picture", args=[resident.public_id])
    )
    shared_api = token_client(issue_token(world.org_b)).get(
        f"/api/residents/{resident.public_id}/wellbeing"
    )
    assert (shared_page.status_code, shared_api.status_code) == (404, 404)


def test_own_network_page_and_api_show_the_same_fields(world, issue_token):
    from commonweave.network import own_network
    from commonweave.network.enums import Closeness, MemberKind

    resident = ResidentFactory(organisation=world.org_a, catalyst=world.catalyst_a)
    markers = Markers()
    for n in range(2):
        member = own_network.member_add(
            viewer=world.viewer(world.catalyst_a),
            resident=resident,
            name=f"Friend {n}",
            kind=MemberKind.PERSON,
            closeness=Closeness.CLOSE,
            sees=True,
        )
        # `key` is the member's public id: in addresses and the API, never a marker.
        markers.fill(member, skip=("key",))
    page = client_for(world.catalyst_a).get(reverse("network:own", args=[resident.public_id]))
    api = token_client(issue_token(world.org_a, Role.CATALYST)).get(
        f"/api/network/residents/{resident.public_id}/own-network"
    )
    assert (page.status_code, api.status_code) == (200, 200)
    on_page = markers.found_in(page.content.decode())
    in_api = markers.found_in(json.dumps(api.json()))
    assert on_page == in_api == markers.visible_at(Level.FULL)


@pytest.mark.parametrize(
    ("kind", "level"),
    [("resident", Level.PSEUDONYMOUS), ("organisation", Level.FULL)],
)
def test_network_node_page_and_api_show_the_same_fields(world, issue_token, kind, level):
    """A resident's node is shown by pseudonym (never its label) to the analysis roles; an
    organisation's node is no one's personal record and shows whole: the node page and
    the API's nodes show the same of each."""
    from commonweave.network.models import Node

    resident = ResidentFactory(organisation=world.org_a, catalyst=world.catalyst_a)
    markers = Markers()
    node = Node.objects.create(
        place=world.place,
        kind=kind,
        key=f"test:{kind}",
        resident=resident if kind == "resident" else None,
        organisation=world.org_b if kind == "organisation" else None,
    )
    # A pseudonym is what makes a node personal: an organisation's has none.
    markers.fill(node, skip=("key",) if kind == "resident" else ("key", "pseudonym"))
    page = client_for(world.analyst).get(reverse("network:node", args=[node.public_id]))
    analyst_api = token_client(issue_token(world.org_a, Role.ANALYST))
    api = analyst_api.get("/api/network/nodes?size=5000")
    export = analyst_api.get("/api/network/nodes.csv")
    assert (page.status_code, api.status_code, export.status_code) == (200, 200, 200)
    on_page = markers.found_in(page.content.decode())
    in_api = markers.found_in(_api_item(api.json(), "id", node.public_id))
    (row,) = [
        line
        for line in b"".join(export.streaming_content).decode().splitlines()
        if node.public_id in line
    ]
    in_export = markers.found_in(row)
    assert on_page == in_api == in_export == markers.visible_at(level)
    assert (("network.Node", "label") in on_page) == (level is Level.FULL)


@pytest.fixture
def service_taking_referrals(world):
    from commonweave.demo import directory as demo
    from commonweave.directory.models import Service

    demo.generate_directory(world.place, services=3, locations=2)
    service = Service.objects.filter(place=world.place).first()
    service.takes_referrals = True
    service.status = "active"
    service.referral_organisation = world.org_b
    service.save()
    return service


def test_a_referral_received_shows_the_same_fields_on_the_page_and_in_the_api(
    world, issue_token, service_taking_referrals
):
    """Organisation B receives a referral from A, with the person's consent to share: its
    page and its API answer show the same fields of the referral and of the person, and
    none the shared level does not see."""
    from commonweave.directory import referrals

    markers = Markers()
    resident = markers.fill(ResidentFactory(organisation=world.org_a, catalyst=world.catalyst_a))
    resident.refresh_keys()
    resident.save()
    referral = referrals.referral_send(
        viewer=world.viewer(world.catalyst_a),
        resident=resident,
        service=service_taking_referrals,
        reason="placeholder",
        consent_given=True,
        consent_method=pe.ConsentMethod.choices[0][0],
    )
    markers.fill(referral)
    page = client_for(world.worker_b).get(
        reverse("directory:referral_received", args=[world.place.slug, referral.public_id])
    )
    api = token_client(issue_token(world.org_b)).get(
        f"/api/directory/received-referrals/{referral.public_id}"
    )
    assert (page.status_code, api.status_code) == (200, 200)
    on_page = markers.found_in(page.content.decode())
    in_api = markers.found_in(json.dumps(api.json()))
    assert on_page == in_api
    assert on_page <= markers.visible_at(Level.SHARED)
    assert {
        ("directory.ServiceReferral", "reason"),
        ("directory.ServiceReferral", "decision_note"),
        ("people.Resident", "contact_when"),
    } <= on_page
    # The list names the person the same way on the page and in the API.
    listed_page = client_for(world.worker_b).get(
        reverse("directory:referrals_received", args=[world.place.slug])
    )
    listed_api = token_client(issue_token(world.org_b)).get("/api/directory/received-referrals")
    assert markers.found_in(listed_page.content.decode()) == markers.found_in(
        json.dumps(listed_api.json())
    )


def test_the_session_pack_pdf_shows_no_field_the_policy_hides(world):
    """The PDF pack names a person (story consent, every organisation present may see them)
    at the shared level, and a story under no name at the pseudonymous level: every field
    it shows is one the policy lets that level see."""
    from commonweave.learning import pack
    from commonweave.learning import services as learning
    from commonweave.people import services
    from tests.learning.test_pages import _pdf_text

    markers = Markers()
    resident = markers.fill(ResidentFactory(organisation=world.org_a, catalyst=world.catalyst_a))
    resident.refresh_keys()
    resident.save()
    viewer = world.viewer(world.catalyst_a)
    services.consent_record(
        viewer=viewer,
        resident=resident,
        purpose=pe.ConsentPurpose.STORY,
        given=True,
        method=pe.ConsentMethod.choices[0][0],
        wording="Can we share your story?",
    )
    session = learning.session_create(
        viewer=viewer, title="Connecting the Dots", held_on=timezone.localdate()
    )
    named = learning.story_add(
        viewer=viewer,
        session=session,
        title="placeholder",
        text="placeholder",
        resident_public_id=resident.public_id,
    )
    anonymous = learning.story_add(viewer=viewer, session=session, title="x", text="x")
    named_markers, anonymous_markers = Markers(prefix="qn"), Markers(prefix="qa")
    named_markers.fill(named)
    anonymous_markers.fill(anonymous)
    # What the pack job builds for the person who asks (pack_jobs.run_pack).
    html = pack.pack_html(pack.pack_context(viewer, session), pdf=True)
    text = _pdf_text(pack.pdf_from_html(html))
    person = markers.found_in(text)
    assert person, "the pack names the person who agreed"
    assert person <= markers.visible_at(Level.SHARED)
    assert person <= {("people.Resident", "full_name"), ("people.Resident", "preferred_name")}
    assert named_markers.found_in(text) == named_markers.visible_at(Level.SHARED)
    assert anonymous_markers.found_in(text) == anonymous_markers.visible_at(Level.PSEUDONYMOUS)
