"""A resident's "who has seen my record" includes every list and search that showed them,
not only the times their record was opened."""

from html import escape

from django.urls import reverse

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.models import AuditEvent, AuditEventSubject
from commonweave.audit.services import audit_chain_verify, audit_record
from commonweave.demo.factories import ResidentFactory
from tests.conftest import client_for
from tests.queries import assert_same_queries_at_two_sizes


def log_of(world, resident, user=None):
    url = reverse("people:resident_log", kwargs={"public_id": resident.public_id})
    html = client_for(user or world.manager_a).get(url).content.decode()
    if 'id="audit-events"' not in html:
        return ""
    return html.split('id="audit-events"', 1)[1].split("</table>", 1)[0]


def test_a_caseload_and_a_search_show_in_the_residents_log_and_no_one_elses(world):
    resident_a = ResidentFactory(
        organisation=world.org_a, catalyst=world.catalyst_a, full_name="Mavis Quennell"
    )
    elsewhere = ResidentFactory(organisation=world.org_a, full_name="Norbert Oakes")
    catalyst = client_for(world.catalyst_a)
    caseload = catalyst.get(reverse("people:caseload"))
    assert escape(resident_a.full_name) in caseload.content.decode()
    found = catalyst.post(reverse("people:resident_search"), {"q": "Quennell"})
    assert escape(resident_a.full_name) in found.content.decode()

    listed = AuditEvent.objects.filter(action__in=[Action.LIST, Action.SEARCH]).order_by("pk")
    assert [(e.action, e.resident_id, e.detail["residents"]) for e in listed] == [
        (Action.LIST, "", [resident_a.public_id]),
        (Action.SEARCH, "", [resident_a.public_id]),
    ]
    assert "Quennell" not in str([e.detail for e in listed])  # ids, never names or words

    table = log_of(world, resident_a)
    name = escape(world.catalyst_a.name)
    assert f"Listed on the caseload of {name}" in table
    assert f"Found in a search by {name}" in table

    other = log_of(world, elsewhere)
    assert "Listed on" not in other and "Found in a search" not in other
    assert audit_chain_verify() == (True, None)


def test_a_coordinator_looking_at_a_catalysts_caseload_says_whose(world, resident_a):
    url = reverse("people:caseload")
    client_for(world.manager_a).get(url, {"catalyst": world.catalyst_a.pk})
    table = log_of(world, resident_a)
    assert (
        f"Listed on the caseload of {escape(world.catalyst_a.name)}, shown to "
        f"{escape(world.manager_a.name)}"
    ) in table


def test_other_lists_say_what_they_were(world, resident_a):
    viewer = world.viewer(world.catalyst_a)
    for action, purpose, kind in (
        (Action.LIST, Purpose.TRIAGE, "people.referral"),
        (Action.LIST, Purpose.CASEWORK, "directory.followup"),
        (Action.EXPORT, Purpose.SHARED, "learning.learningsession"),
    ):
        audit_record(
            viewer=viewer,
            action=action,
            purpose=purpose,
            object_type=kind,
            residents=[resident_a],
        )
    table = log_of(world, resident_a)
    name = escape(world.catalyst_a.name)
    for words in (
        f"Listed for triage, shown to {name}",
        f"Listed among follow-ups due, shown to {name}",
        f"Named in an export by {name}",
    ):
        assert words in table


def test_the_api_list_and_search_reach_the_log_too(world, resident_a):
    from commonweave.tenancy.tokens import issue_api_token

    _, raw = issue_api_token(organisation=world.org_a, name="Partner", role="catalyst")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    client = client_for(None)
    assert client.get("/api/residents", **auth).status_code == 200
    body = {"q": resident_a.full_name.split()[-1]}
    searched = client.post("/api/residents/search", body, content_type="application/json", **auth)
    assert searched.status_code == 200
    subjects = AuditEventSubject.objects.filter(resident_id=resident_a.public_id)
    assert sorted(s.event.action for s in subjects) == [Action.LIST, Action.SEARCH]
    table = log_of(world, resident_a)
    assert "Found in a search by API token: Partner" in table


def test_the_admin_search_by_resident_includes_the_lists(world, resident_a):
    client_for(world.catalyst_a).get(reverse("people:caseload"))
    html = (
        client_for(world.manager_a)
        .get(reverse("audit:log"), {"resident": resident_a.public_id})
        .content.decode()
    )
    assert "No entries" not in html
    assert "Listed" in html


def test_the_log_with_lists_costs_the_same_queries_however_many(world, resident_a):
    url = reverse("people:resident_log", kwargs={"public_id": resident_a.public_id})
    manager = client_for(world.manager_a)
    client_for(world.catalyst_a).get(reverse("people:caseload"))

    def make(count):
        for user in (world.catalyst_a, world.manager_a) * count:
            client_for(user).get(reverse("people:caseload"), {"catalyst": world.catalyst_a.pk})
            client_for(user).post(reverse("people:resident_search"), {"q": resident_a.full_name})

    def fetch():
        assert manager.get(url).status_code == 200

    assert_same_queries_at_two_sizes(make, fetch, small=0, large=5)
