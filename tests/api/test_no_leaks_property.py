"""Property: for any organisations, residents, consents and token roles, no token ever
sees a resident it should not, in the list or in detail, and no write reaches one.

The expected answer is the rule in words, written out here independently of
people/access.py: a token sees a resident when
  - its organisation holds the record and the token does casework there (catalyst or
    coordinator): full access, notes included; or
  - the resident gave SHARE consent (still given) to the token's organisation and the
    token's role may receive shared records (catalyst, coordinator, partner worker):
    shared access, no notes.
Anything else, including merged-away records and other places, is a 404.
"""

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonweave.demo.factories import (
    ConsentFactory,
    ConversationFactory,
    OrganisationFactory,
    PlaceFactory,
    ResidentFactory,
)
from commonweave.people.enums import ConsentPurpose
from commonweave.tenancy.enums import Role
from tests.api.conftest import token_client

CASEWORK = {Role.CATALYST, Role.COORDINATOR}
MAY_RECEIVE_SHARES = {Role.CATALYST, Role.COORDINATOR, Role.PARTNER_WORKER}
ROLES = list(Role)
PURPOSES = list(ConsentPurpose)


@st.composite
def scenarios(draw):
    orgs = draw(st.integers(min_value=1, max_value=4))
    org = st.integers(min_value=0, max_value=orgs - 1)
    residents = draw(
        st.lists(
            st.tuples(org, st.booleans()),  # (holding organisation, merged away?)
            min_size=1,
            max_size=6,
        )
    )
    resident = st.integers(min_value=0, max_value=len(residents) - 1)
    consents = draw(
        st.lists(
            st.tuples(resident, org, st.sampled_from(PURPOSES), st.booleans()),
            max_size=10,
            unique_by=lambda c: (c[0], c[1], c[2]),
        )
    )
    # Tokens: (organisation index, role); index == orgs means an organisation elsewhere.
    tokens = draw(
        st.lists(
            st.tuples(st.integers(min_value=0, max_value=orgs), st.sampled_from(ROLES)),
            min_size=1,
            max_size=4,
        )
    )
    return orgs, residents, consents, tokens


def expected_access(token_org, role, holder, merged, shares_to):
    """'full', 'shared' or None, by the rule in words above."""
    if merged or token_org is None:
        return None
    if token_org == holder and role in CASEWORK:
        return "full"
    if token_org in shares_to and role in MAY_RECEIVE_SHARES:
        return "shared"
    return None


def build(world, scenario):
    orgs_n, resident_specs, consent_specs, token_specs = scenario
    place = PlaceFactory()
    orgs = [OrganisationFactory(place=place) for _ in range(orgs_n)]
    place.lead_organisation = orgs[0]
    place.save(update_fields=["lead_organisation"])
    elsewhere = OrganisationFactory(place=world.other_place)
    residents = []
    for index, (holder, _merged) in enumerate(resident_specs):
        resident = ResidentFactory(organisation=orgs[holder])
        ConversationFactory(resident=resident, notes=f"private-note-{index}-{resident.public_id}")
        residents.append(resident)
    # Duplicates merged away point at the record kept, held by the first organisation.
    kept = ResidentFactory(organisation=orgs[0])
    for index, (_holder, merged) in enumerate(resident_specs):
        if merged:
            residents[index].merged_into = kept
            residents[index].save(update_fields=["merged_into"])
    residents.append(kept)
    shares_to = {index: set() for index in range(len(residents))}  # kept: shared with none
    for resident_index, org_index, purpose, given_now in consent_specs:
        ConsentFactory(
            resident=residents[resident_index],
            organisation=orgs[org_index],
            purpose=purpose,
            given=given_now,
        )
        if purpose == ConsentPurpose.SHARE and given_now:
            shares_to[resident_index].add(org_index)
    # A resident of the other place, shared with its own organisation: never visible here.
    stranger = ResidentFactory(organisation=elsewhere)
    ConsentFactory(resident=stranger, organisation=elsewhere)
    return orgs, elsewhere, residents, shares_to, stranger


@pytest.mark.slow
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios())
def test_no_token_ever_sees_a_resident_it_should_not(world, issue_token, scenario):
    with transaction.atomic():
        _check(world, issue_token, scenario)
        transaction.set_rollback(True)  # each example starts from the same empty place


def _check(world, issue_token, scenario):
    orgs, elsewhere, residents, shares_to, stranger = build(world, scenario)
    _, resident_specs, _, token_specs = scenario
    resident_specs = [*resident_specs, (0, False)]  # the kept record
    leaks = []
    for org_index, role in token_specs:
        token_org = orgs[org_index] if org_index < len(orgs) else elsewhere
        client = token_client(issue_token(token_org, role))
        expected = {}
        for index, resident in enumerate(residents):
            holder, merged = resident_specs[index]
            access = expected_access(
                org_index if org_index < len(orgs) else None,
                role,
                holder,
                merged,
                shares_to[index],
            )
            if access:
                expected[resident.public_id] = access
        if org_index == len(orgs) and role in CASEWORK | MAY_RECEIVE_SHARES:
            # The other place's own organisation sees its own resident, nothing of ours.
            expected[stranger.public_id] = "full" if role in CASEWORK else "shared"

        listed = {}
        page = 1
        while True:
            body = client.get("/api/residents", page=page, size=100).json()
            listed.update({item["public_id"]: item["access"] for item in body["items"]})
            if page >= body["pages"]:
                break
            page += 1
        # Everything listed is compared: other examples were rolled back.
        if listed != expected:
            leaks.append(("list", role, org_index, listed, expected))

        for resident in [*residents, stranger]:
            url = f"/api/residents/{resident.public_id}"
            response = client.get(url)
            want = expected.get(resident.public_id)
            if want is None:
                if (response.status_code, response.json()) != (404, {"detail": "Not found"}):
                    leaks.append(("detail", role, org_index, resident.public_id))
                write = client.post(f"{url}/goals", {"text": "Should never be saved"})
                if write.status_code != 404 or resident.goals.exists():
                    leaks.append(("write", role, org_index, resident.public_id))
                continue
            body = response.json()
            if response.status_code != 200 or body["access"] != want:
                leaks.append(("detail-access", role, org_index, resident.public_id))
            if want == "shared" and (
                body["conversations"] is not None or b"private-note-" in response.content
            ):
                leaks.append(("notes", role, org_index, resident.public_id))
    assert leaks == []
