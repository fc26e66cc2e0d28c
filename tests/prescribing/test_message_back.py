"""The message back to the GP and referrer (issue 16, part 7): PRSB's sections, the
journey's SNOMED CT codes, "codes only" with no free text, and who may see it."""

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from jsonschema import Draft202012Validator, FormatChecker

from commonweave.audit.models import AuditEvent
from commonweave.demo.factories import ConnectionFactory, GoalFactory, ReferralFactory
from commonweave.people.enums import CloseReason, ContactOutcome, Stage
from commonweave.prescribing import message, prsb
from commonweave.prescribing.codes import (
    REFERRAL_TO_SOCIAL_PRESCRIBING,
    SOCIAL_PRESCRIBING_DECLINED,
)
from commonweave.prescribing.models import GPRegistration
from commonweave.prescribing.validators import nhs_number_is_valid
from tests.conftest import assert_access, client_for
from tests.wellbeing.helpers import answered_checkin

pytestmark = pytest.mark.django_db

PRSB_MODEL = Path("/work/shared/data/social_prescribing")
PRSB_MODEL = PRSB_MODEL / "prsb_social_prescribing_v1.1.json"
REASON = "Lonely since her husband died; low mood"
GOAL = "Get back to the allotment every week"


def url(resident, **query):
    address = reverse("prescribing:message_back", kwargs={"public_id": resident.public_id})
    return address + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def at(day, hour=10):
    return timezone.make_aware(datetime(2026, 3, day, hour))


@pytest.fixture
def journey(world, resident_a):
    """A resident referred by a GP, who wanted support, was connected to a group and a
    person, set a goal and checked in twice."""
    resident_a.date_of_birth = date(1948, 5, 17)
    resident_a.full_name = "Margaret Ann Hughes"
    resident_a.save()
    ReferralFactory(
        resident=resident_a,
        reason=REASON,
        referrer_name="Dr Patel",
        referrer_contact="01632 960 001",
        received_at=at(2),
        first_contact_at=at(3),
        first_contact_outcome=ContactOutcome.SPOKE,
    )
    ConnectionFactory(resident=resident_a, kind="group", name="Tuesday lunch club")
    ConnectionFactory(resident=resident_a, kind="person", name="Joan next door")
    GoalFactory(resident=resident_a, text=GOAL)
    ucla = {"lack_companionship": 3, "left_out": 3, "isolated": 3}
    answered_checkin(resident_a, at(4), {}, measures={"ucla3": ucla})
    better = {"lack_companionship": 1, "left_out": 2, "isolated": 1}
    answered_checkin(resident_a, at(30), {}, measures={"ucla3": better})
    GPRegistration.objects.create(
        resident=resident_a, practice_code="P83001", nhs_number="9434765919"
    )
    return resident_a


def build(world, resident, **kwargs):
    return message.build(world.viewer(world.catalyst_a), resident, **kwargs)


def valid(data):
    schema = prsb.message_back_schema()
    return list(Draft202012Validator(schema, format_checker=FormatChecker()).iter_errors(data))


def strings(value):
    if isinstance(value, dict):
        for child in value.values():
            yield from strings(child)
    elif isinstance(value, list):
        for child in value:
            yield from strings(child)
    elif isinstance(value, str):
        yield value


def free_text_elements(value, schema, path=""):
    """Every element of `value` the schema says is narrative free text."""
    if isinstance(value, list):
        for item in value:
            yield from free_text_elements(item, schema.get("items", {}), path)
        return
    if not isinstance(value, dict):
        return
    for key, child in value.items():
        child_schema = schema.get("properties", {}).get(key, {})
        if prsb.is_free_text(child_schema.get("items", child_schema), key):
            yield f"{path}/{key}"
        yield from free_text_elements(child, child_schema, f"{path}/{key}")


def test_the_full_message_is_valid_prsb_and_carries_the_journey(world, journey):
    built = build(world, journey)
    assert built.problems == [] and valid(built.data) == []
    person = built.data["person_demographics"]
    assert person["person_name"] == {
        "person_first_name": ["Margaret Ann"],
        "person_family_name": ["Hughes"],
    }
    assert person["date_of_birth"] == "1948-05-17" and person["nhs_number"] == "9434765919"
    assert "persons_address" not in person  # the GP holds it: not sent
    assert built.data["gp_practice"]["gp_practice_record_entry"][0] == {
        "gp_practice_identifier": "P83001"
    }
    entry = built.data["referral_details"]["referral_details_record_entry"][0]
    assert entry["referrer_details"]["name"] == "Dr Patel"
    assert entry["reason_for_referral"]["free_text"] == REASON
    assert built.data["coded_events"] == [
        {
            "system": "http://snomed.info/sct",
            "code": REFERRAL_TO_SOCIAL_PRESCRIBING,
            "display": "Referral to social prescribing service",
            "date": "2026-03-03",
        }
    ]
    signposts = built.data["signpost_details"]["signpost_details_record_entry"]
    services = [s["signpost_to"]["service"] for s in signposts]
    assert {"coded_value": "group", "free_text": "Tuesday lunch club"} in services
    # A person they were connected to is named by kind only: the name is theirs.
    assert {"coded_value": "person"} in services
    assert "Joan next door" not in json.dumps(built.data)
    results = [
        (a["structured_assessment"]["assessment_result"]["value"], a["comment"])
        for a in built.data["assessments"]["assessments_record_entry"]
        if a["structured_assessment"]["structured_assessment_name"]["coded_value"].endswith(
            "/total"
        )
    ]
    assert results == [(9, "First check-in, 2026-03-04"), (4, "Latest check-in, 2026-03-30")]
    plan = built.data["plan_and_requested_actions"]["plan_and_requested_actions_record_entry"]
    assert plan == [{"actions_for_person_or_their_carer": GOAL}]


def test_codes_only_carries_no_free_text_and_is_still_valid(world, journey):
    full = build(world, journey)
    codes = build(world, journey, codes_only=True)
    assert codes.data["codes_only"] is True
    assert valid(codes.data) == []
    schema = prsb.message_back_schema()
    assert list(free_text_elements(full.data, schema))  # the full message had some
    assert list(free_text_elements(codes.data, schema)) == []
    words = " ".join(strings(codes.data))
    for written in (REASON, GOAL, "Tuesday lunch club", "First check-in"):
        assert written not in words
    # What is left: codes, dates, identifiers and numbers.
    assert codes.data["coded_events"] == full.data["coded_events"]
    assert codes.data["person_demographics"]["nhs_number"] == "9434765919"
    values = [
        a["structured_assessment"]["assessment_result"]["value"]
        for a in codes.data["assessments"]["assessments_record_entry"]
    ]
    assert 9 in values and 4 in values


def test_a_declined_episode_carries_the_declined_code_and_no_activities(world, resident_a):
    ReferralFactory(
        resident=resident_a,
        received_at=at(2),
        first_contact_at=at(5),
        first_contact_outcome=ContactOutcome.DECLINED,
    )
    ConnectionFactory(resident=resident_a, kind="group", name="Suggested before the call")
    GoalFactory(resident=resident_a, text=GOAL)
    built = build(world, resident_a)
    assert [e["code"] for e in built.data["coded_events"]] == [SOCIAL_PRESCRIBING_DECLINED]
    assert built.data["coded_events"][0]["date"] == "2026-03-05"
    for activities in ("signpost_details", "assessments", "plan_and_requested_actions"):
        assert activities not in built.data


def test_closing_because_they_did_not_want_support_is_declined_once(world, resident_a):
    ReferralFactory(
        resident=resident_a,
        received_at=at(2),
        first_contact_at=at(3),
        first_contact_outcome=ContactOutcome.SPOKE,
    )
    resident_a.stage = Stage.CLOSED
    resident_a.closed_at = at(20)
    resident_a.closed_reason = CloseReason.DECLINED
    resident_a.save()
    built = build(world, resident_a)
    assert [(e["code"], e["date"]) for e in built.data["coded_events"]] == [
        (REFERRAL_TO_SOCIAL_PRESCRIBING, "2026-03-03"),
        (SOCIAL_PRESCRIBING_DECLINED, "2026-03-20"),
    ]
    assert built.data["closure_reason"] == {"code": "declined", "display": "Did not want support"}


def test_no_first_contact_yet_means_no_code(world, resident_a):
    ReferralFactory(resident=resident_a, first_contact_at=None)
    assert build(world, resident_a).data["coded_events"] == []


def test_what_is_missing_is_named_before_it_is_sent(world, resident_a):
    resident_a.date_of_birth = None
    resident_a.save()
    ReferralFactory(resident=resident_a)
    problems = " ".join(build(world, resident_a).problems)
    assert "Add their date of birth" in problems
    assert "Add their GP practice code" in problems


@pytest.mark.parametrize(
    ("number", "ok"),
    [
        ("9434765919", True),
        ("943 476 5919", True),
        ("9434765918", False),  # one digit wrong: the check digit catches it
        ("4010232137", True),
        ("123456789", False),
        ("12345678AB", False),
    ],
)
def test_nhs_numbers_are_checked_by_their_check_digit(number, ok):
    assert nhs_number_is_valid(number) is ok


def test_the_shipped_schema_is_the_one_derived_from_prsbs_model():
    if not PRSB_MODEL.exists():
        pytest.skip(f"SKIPPED: PRSB's model not found at {PRSB_MODEL}")
    model = json.loads(PRSB_MODEL.read_text(encoding="utf-8"))
    assert prsb.schema_json(model) == prsb.SCHEMA_PATH.read_text(encoding="utf-8")
    derived = prsb.derive_schema(model)
    demographics = derived["properties"]["person_demographics"]
    assert demographics["required"] == ["person_name", "date_of_birth"]
    reason = derived["properties"]["referral_details"]["properties"][
        "referral_details_record_entry"
    ]["items"]["properties"]["reason_for_referral"]["properties"]["free_text"]
    assert reason == {
        "type": "string",
        "maxLength": 150,
        "x-prsb-type": "text",
        "x-prsb-path": "Referral details / Referral details record entry / Reason for referral"
        " / Free text",
    }


# --- pages -------------------------------------------------------------------------------


def test_only_the_holding_organisations_caseworkers_reach_it(world, journey):
    assert_access(world, "get", url(journey), {"catalyst_a": 200, "manager_a": 200})
    assert_access(world, "get", url(journey, format="json"), {"catalyst_a": 200, "manager_a": 200})


def test_the_page_shows_it_and_each_download_is_audited(world, journey):
    client = client_for(world.catalyst_a)
    page = client.get(url(journey)).content.decode()
    assert "Referral to social prescribing service" in page and "P83001" in page
    codes_page = client.get(url(journey, codes_only=1)).content.decode()
    assert REASON not in codes_page and "871731000000106" in codes_page
    response = client.get(url(journey, format="json", codes_only=1))
    assert response["Content-Disposition"].endswith('-codes-only.json"')
    assert json.loads(response.content)["codes_only"] is True
    pdf = client.get(url(journey, format="pdf"))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    exports = AuditEvent.objects.filter(resident_id=journey.public_id, action="export")
    assert sorted((e.detail["format"], e.detail["codes_only"]) for e in exports) == [
        ("json", True),
        ("pdf", False),
    ]


def test_a_wrong_practice_code_or_nhs_number_is_explained_and_kept(world, resident_a):
    client = client_for(world.catalyst_a)
    address = reverse("prescribing:gp_edit", kwargs={"public_id": resident_a.public_id})
    response = client.post(address, {"practice_code": "P8300", "nhs_number": "943 476 5918"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "a letter then 5 numbers" in page and "Check each digit" in page
    assert 'value="P8300"' in page and "943 476 5918" in page
    assert not GPRegistration.objects.exists()
    response = client.post(address, {"practice_code": "p83001 ", "nhs_number": "943 476 5919"})
    assert response.status_code == 302
    saved = GPRegistration.objects.get(resident=resident_a)
    assert (saved.practice_code, saved.nhs_number) == ("P83001", "9434765919")
    assert AuditEvent.objects.filter(resident_id=resident_a.public_id, action="create").exists()


def test_nobody_else_can_change_the_gp_registration(world, resident_a):
    address = reverse("prescribing:gp_edit", kwargs={"public_id": resident_a.public_id})
    assert_access(
        world, "post", address, {"catalyst_a": 400, "manager_a": 400}, data={"practice_code": ""}
    )
    assert not GPRegistration.objects.exists()


def test_dates_and_times_are_days_in_the_message(world, journey):
    for event in build(world, journey).data["coded_events"]:
        assert date.fromisoformat(event["date"]) <= timezone.localdate() + timedelta(days=1)


# --- API ---------------------------------------------------------------------------------


def _api(organisation, role):
    from commonweave.tenancy.tokens import issue_api_token
    from tests.api.conftest import token_client

    _, raw = issue_api_token(organisation=organisation, name="GP system link", role=role)
    return token_client(raw)


def test_the_api_gives_the_pages_message_to_the_same_people(world, journey):
    from commonweave.tenancy.enums import Role

    address = f"/api/residents/{journey.public_id}/message-back"
    answer = _api(world.org_a, Role.CATALYST).get(address, codes_only="true")
    assert answer.status_code == 200
    body = answer.json()
    assert body["valid"] is True and body["problems"] == []
    assert body["message"] == build(world, journey, codes_only=True).data
    for organisation, role in ((world.org_b, Role.CATALYST), (world.org_a, Role.ANALYST)):
        refused = _api(organisation, role).get(address)
        assert (refused.status_code, refused.json()) == (404, {"detail": "Not found"})
    assert AuditEvent.objects.filter(
        resident_id=journey.public_id, action="export", detail__format="api"
    ).exists()


def test_a_bad_registration_by_api_is_a_400_naming_the_field(world, resident_a):
    from commonweave.tenancy.enums import Role

    client = _api(world.org_a, Role.CATALYST).client
    address = f"/api/residents/{resident_a.public_id}/gp-registration"

    def put(body):
        return client.put(address, data=json.dumps(body), content_type="application/json")

    for body, field in (
        ({"practice_code": "83001"}, "practice_code"),
        ({"practice_code": "P83001", "nhs_number": "9434765918"}, "nhs_number"),
    ):
        response = put(body)
        assert response.status_code == 400
        assert [e["field"] for e in response.json()["errors"]] == [field]
    assert not GPRegistration.objects.exists()
    response = put({"practice_code": "p83001", "nhs_number": "943 476 5919"})
    assert response.status_code == 200
    assert response.json()["nhs_number"] == "9434765919"
    assert client.get(address).json()["practice_code"] == "P83001"


def test_the_demo_gives_gp_referred_residents_a_complete_message(db):
    from commonweave.demo.generator import generate_demo
    from commonweave.people.models import Resident
    from commonweave.tenancy.viewer import viewer_for_user

    report = generate_demo(residents=30, seed=3)
    registered = GPRegistration.objects.filter(resident__place=report.place)
    assert registered.exists()
    checked = 0
    for registration in registered:
        resident = Resident.objects.get(pk=registration.resident_id)
        assert resident.referrals.filter(referrer_kind="gp").exists()
        if resident.catalyst is None or resident.date_of_birth is None:
            continue
        viewer = viewer_for_user(resident.catalyst, report.place)
        assert message.build(viewer, resident).problems == []
        checked += 1
    assert checked
