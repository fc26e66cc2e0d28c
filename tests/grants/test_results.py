"""After the money (issue 17, part 4): a community award's timeline of results, added on
its page, through the API or from a CSV file saved by Excel, with the same rules
everywhere (the fund's runners add; whoever sees the award sees its timeline; anyone else
finds a 404); a personal award's goal and life map for those holding the record; and the
evaluators' count of personal grants by how far their goal has come, published through
the disclosure rules."""

import codecs
import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from commonweave.audit.enums import Action
from commonweave.audit.models import AuditEvent
from commonweave.demo.factories import GoalFactory, MembershipFactory, ResidentFactory
from commonweave.grants import dashboard, results, services
from commonweave.grants.enums import ResultStatus, UpdateSource
from commonweave.grants.models import AwardUpdate
from commonweave.tenancy.enums import Role
from commonweave.tenancy.tokens import issue_api_token
from tests.api.conftest import token_client
from tests.conftest import assert_access, client_for
from tests.queries import assert_same_queries_at_two_sizes

TODAY = datetime.date(2026, 12, 7)


@pytest.fixture(autouse=True)
def _in_december():
    """Every date in these files is in the past: results are never dated ahead."""
    with time_machine.travel(datetime.datetime(2026, 12, 7, 12, tzinfo=datetime.UTC)):
        yield


@pytest.fixture
def chest(world, money):
    """A community chest run by organisation A with three awards: two approved community
    grants (a garden, a knitting group) and one still waiting."""
    fund = services.fund_create(
        viewer=money.first,
        name="Community chest",
        pot="5000",
        approval_threshold="1000",
        personal=False,
        community=True,
    )

    def approved(group, title, amount):
        award = services.award_request(
            viewer=money.second, fund=fund, group_name=group, title=title, amount=amount
        )
        return services.award_decide(viewer=money.first, award=award, decision="approve")

    garden = approved("Millbrook Allotment Society", "Tools and seeds", "750")
    knit = approved("Royton Knit and Natter", "Wool and tea", "250")
    waiting = services.award_request(
        viewer=money.second, fund=fund, group_name="Shaw Walking Football", title="Kit",
        amount="600",
    )  # fmt: skip
    return {"fund": fund, "garden": garden, "knit": knit, "waiting": waiting}


def award_url(award):
    return reverse("grants:award_detail", kwargs={"public_id": award.public_id})


def add_url(award):
    return reverse("grants:award_update_add", kwargs={"public_id": award.public_id})


def results_url(fund):
    return reverse("grants:fund_results", kwargs={"public_id": fund.public_id})


def update_form(**changes):
    data = {
        "update-on": "03/11/2026",
        "update-status": "on_track",
        "update-progress": "40%",
        "update-note": "Raised beds built; seeds ordered.",
    }
    return {**data, **changes}


# --- reading what people write -------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "status"),
    [
        ("On track", "on_track"),
        ("ON-TRACK", "on_track"),
        (" on_track ", "on_track"),
        ("complete", "completed"),
        ("Done", "completed"),
        ("COMPLETED", "completed"),
        ("not started", "not_started"),
        ("Behind", "delayed"),
        ("cancelled", "stopped"),
        ("sort of", None),
        ("", None),
    ],
)
def test_status_words_are_read_in_any_case(written, status):
    assert results.parse_status(written) == status


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("25", (25, "")),
        ("25%", (25, "")),
        (" 25 % ", (25, "")),
        ("100", (100, "")),
        ("0", (0, "")),
        ("62.5", (63, "How far along was rounded to 63%")),
        ("", (None, "")),
    ],
)
def test_progress_is_read_as_whole_percent(written, read):
    assert results.parse_progress(written) == read


@pytest.mark.parametrize("written", ["120%", "-5", "0.25", "half", "25%%"])
def test_progress_that_is_not_clearly_a_percentage_is_refused(written):
    with pytest.raises(ValidationError):
        results.parse_progress(written)


@pytest.mark.parametrize(
    ("written", "day", "warned"),
    [
        ("2026-11-03", datetime.date(2026, 11, 3), False),
        ("03/11/2026", datetime.date(2026, 11, 3), False),
        ("3/11/26", datetime.date(2026, 11, 3), False),
        ("03/11/2026 00:00", datetime.date(2026, 11, 3), False),
        ("2026-11-03 00:00:00", datetime.date(2026, 11, 3), False),
        ("3 Nov 2026", datetime.date(2026, 11, 3), False),
        ("3rd November 2026", datetime.date(2026, 11, 3), False),
        ("11/25/2026", datetime.date(2026, 11, 25), True),
    ],
)
def test_dates_are_read_as_people_and_excel_write_them(written, day, warned):
    read, warning = results.parse_date(written, today=TODAY)
    assert (read, bool(warning)) == (day, warned)


@pytest.mark.parametrize("written", ["31/02/2026", "soon", "2027-01-01", "1999-12-31", ""])
def test_a_date_that_is_not_real_or_is_in_the_future_is_refused(written):
    with pytest.raises(ValidationError):
        results.parse_date(written, today=TODAY)


# --- on the award's page -------------------------------------------------------------------


def test_a_runner_adds_a_result_on_the_page_and_the_timeline_shows_it(world, chest):
    garden = chest["garden"]
    response = client_for(world.manager_a).post(add_url(garden), update_form())
    assert response.status_code == 302
    assert response["Location"] == award_url(garden) + "#timeline"
    update = AwardUpdate.objects.get()
    assert (update.on, update.status, update.progress, update.source) == (
        datetime.date(2026, 11, 3),
        ResultStatus.ON_TRACK,
        40,
        UpdateSource.PAGE,
    )
    html = client_for(world.catalyst_a).get(award_url(garden)).content.decode()
    assert "Raised beds built; seeds ordered." in html
    assert "40% along" in html and "3 November 2026" in html
    # The catalyst sees the timeline but does not run the fund: no form.
    assert add_url(garden) not in html
    assert add_url(garden) in client_for(world.manager_a).get(award_url(garden)).content.decode()


def test_bad_input_is_named_beside_each_field_and_what_was_typed_is_kept(world, chest):
    garden = chest["garden"]
    response = client_for(world.manager_a).post(
        add_url(garden),
        update_form(**{"update-on": "31/02/2026", "update-progress": "120%",
                       "update-status": "", "update-note": "Hall booked for March"}),
    )  # fmt: skip
    html = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error:" in html
    assert 'id="id_update-on-error"' in html and "Enter a real date" in html
    assert 'id="id_update-progress-error"' in html and "between 0 and 100%" in html
    assert 'id="id_update-status-error"' in html and "Choose how the project stands" in html
    assert 'value="31/02/2026"' in html and 'value="120%"' in html
    assert "Hall booked for March" in html
    assert not AwardUpdate.objects.exists()


def test_a_date_in_the_future_is_refused_beside_its_field(world, chest):
    response = client_for(world.manager_a).post(
        add_url(chest["garden"]), update_form(**{"update-on": "2099-01-01"})
    )
    assert response.status_code == 400
    assert "cannot be in the future" in response.content.decode()
    assert not AwardUpdate.objects.exists()


def test_who_sees_the_timeline_and_who_may_add_to_it(world, chest):
    garden = chest["garden"]
    results.update_add(viewer=world.viewer(world.manager_a), award=garden, on="2026-11-01",
                       status="on_track")  # fmt: skip
    # As the award's page: the fund's runners and its organisation's caseworkers.
    assert_access(world, "get", award_url(garden), {"catalyst_a": 200, "manager_a": 200})
    # Adding: only the runners. The catalyst may see it but finds no way to change it;
    # another organisation, the analyst and another place find nothing.
    assert_access(world, "post", add_url(garden), {"manager_a": 302}, data=update_form())
    assert AwardUpdate.objects.count() == 2  # the first, and the coordinator's


def test_a_personal_award_has_no_timeline(world, money):
    award = services.award_request(
        viewer=money.catalyst, fund=money.fund, resident=money.resident, title="Photo ID",
        amount="30",
    )  # fmt: skip
    award = services.award_decide(viewer=money.first, award=award, decision="approve")
    with pytest.raises(ValidationError) as refused:
        results.update_add(viewer=money.first, award=award, on="2026-11-03", status="done")
    assert refused.value.message_dict == {
        "award": ["Only a community award has a timeline of results"]
    }
    html = client_for(world.manager_a).get(award_url(award)).content.decode()
    assert 'id="timeline"' not in html
    response = client_for(world.manager_a).post(add_url(award), update_form())
    assert response.status_code == 302
    assert not AwardUpdate.objects.exists()


def test_an_award_not_yet_approved_has_no_results(world, chest):
    with pytest.raises(ValidationError) as refused:
        results.update_add(viewer=world.viewer(world.manager_a), award=chest["waiting"],
                           on="2026-11-03", status="on_track")  # fmt: skip
    assert list(refused.value.message_dict) == ["award"]


def test_every_result_is_audited_once(world, chest):
    update = results.update_add(
        viewer=world.viewer(world.manager_a), award=chest["garden"], on="2026-11-03",
        status="Delayed", progress="30", note="The hall flooded",
    )  # fmt: skip
    events = AuditEvent.objects.filter(object_id=update.public_id)
    assert [(e.action, e.object_type) for e in events] == [(Action.CREATE, "grants.awardupdate")]
    assert events.get().detail == {"status": "delayed", "progress": 30, "source": "page"}
    assert "flooded" not in str(events.get().detail)


# --- a CSV file of results -----------------------------------------------------------------


def excel_file(chest, *, encoding, delimiter, bom=False):
    garden, knit = chest["garden"].public_id, chest["knit"].public_id
    waiting = chest["waiting"].public_id
    d = delimiter
    lines = [
        f"Award ID{d}Title{d}Group{d}Date{d}Status{d}Progress %{d}Notes",  # row 1
        f"{garden}{d}Tools and seeds{d}Millbrook{d}03/11/2026{d}On track{d}25%{d}"
        "Bought £120 of tools",  # row 2
        "",  # row 3: a blank line
        f"{knit.upper()}{d}{d}{d}2026-11-03{d}complete{d}100{d}",  # row 4
        f"{garden}{d}{d}{d}31/02/2026{d}done{d}50{d}Typo in the date",  # row 5
        f"zzzzzzzzzzzz{d}{d}{d}04/11/2026{d}on track{d}10{d}",  # row 6: no such award
        f"{knit}{d}{d}{d}05/11/2026{d}Delayed{d}120%{d}Over-keen",  # row 7
        f"{waiting}{d}{d}{d}05/11/2026{d}On track{d}{d}",  # row 8: not approved
        f"{garden}{d}Tools and seeds{d}Millbrook{d}{d}{d}{d}",  # row 9: template's row
        f"{garden}{d}{d}{d}11/25/2026{d}DONE{d}62.5{d}",  # row 10: month first
        f"{knit}{d}{d}{d}06/11/2026{d}sort of{d}{d}",  # row 11: unknown status
        "",
    ]
    text = "\r\n".join(lines)
    raw = text.encode(encoding)
    return (codecs.BOM_UTF8 + raw) if bom else raw


@pytest.mark.parametrize(
    ("encoding", "delimiter", "bom", "read_as"),
    [
        ("cp1252", ";", False, "Windows-1252"),
        ("utf-8", ",", True, "UTF-8"),
        ("utf-8", "\t", False, "UTF-8"),
    ],
)
def test_an_excel_saved_file_is_read_and_each_problem_reported_by_row(
    world, chest, encoding, delimiter, bom, read_as
):
    viewer = world.viewer(world.manager_a)
    raw = excel_file(chest, encoding=encoding, delimiter=delimiter, bom=bom)
    report = results.updates_import_csv(viewer=viewer, fund=chest["fund"], file=raw)

    assert (report.encoding, report.delimiter) == (read_as, delimiter)
    assert (report.rows, report.added, report.skipped) == (9, 3, 1)
    rejected = {problem.row: problem.reason for problem in report.rejected}
    assert sorted(rejected) == [5, 6, 7, 8, 11]
    assert rejected[5].startswith("Date: Enter a real date")
    assert rejected[6] == "There is no award with this id in this fund"
    assert rejected[7] == "Progress: How far along must be between 0 and 100%"
    assert rejected[8] == "Results are recorded once an award is approved"
    assert rejected[11].startswith("Status: write one of Not started, On track")
    warned = {(problem.row, problem.reason) for problem in report.warnings}
    assert (10, "The date was read month first, as 25 November 2026") in warned
    assert (10, "How far along was rounded to 63%") in warned
    assert (10, "Marked completed at 63%: kept as written") in warned
    assert len(warned) == 3

    saved = sorted(
        (u.award.public_id, u.on, u.status, u.progress, u.note, u.source)
        for u in AwardUpdate.objects.select_related("award")
    )
    garden, knit = chest["garden"].public_id, chest["knit"].public_id
    assert saved == sorted([
        (garden, datetime.date(2026, 11, 3), "on_track", 25, "Bought £120 of tools", "csv"),
        (knit, datetime.date(2026, 11, 3), "completed", 100, "", "csv"),
        (garden, datetime.date(2026, 11, 25), "completed", 63, "", "csv"),
    ])  # fmt: skip
    # Nothing of a rejected row was saved: no result for row 7's knitting group but row 4's.
    assert AwardUpdate.objects.filter(award=chest["knit"]).count() == 1

    again = results.updates_import_csv(viewer=viewer, fund=chest["fund"], file=raw)
    assert (again.added, AwardUpdate.objects.count()) == (0, 3)
    assert {p.reason for p in again.warnings} >= {"Already on the timeline: not added again"}


def test_the_import_is_one_audit_event_with_its_counts(world, chest):
    raw = excel_file(chest, encoding="utf-8", delimiter=",")
    results.updates_import_csv(viewer=world.viewer(world.manager_a), fund=chest["fund"], file=raw)
    event = AuditEvent.objects.filter(object_id=chest["fund"].public_id).latest("pk")
    assert (event.action, event.detail) == (
        Action.CREATE,
        {"results_import": "csv", "rows": 9, "added": 3, "skipped": 1, "warnings": 3,
         "rejected": 5},
    )  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (b"PK\x03\x04" + b"\0" * 40, "This .zip file could not be opened."),
        (b"award,title\nabc,def\n", "The header row needs the columns award, date and status"),
        (b"   \n", "The file is empty"),
        ("award,date,status\n".encode("utf-16"), "neither UTF-8 nor Windows-1252"),
    ],
)
def test_a_file_we_cannot_read_is_refused_whole(world, chest, raw, says):
    with pytest.raises(ValidationError) as refused:
        results.updates_import_csv(
            viewer=world.viewer(world.manager_a), fund=chest["fund"], file=raw
        )
    assert says in refused.value.message_dict["file"][0]
    assert not AwardUpdate.objects.exists()


def test_the_results_page_uploads_a_file_and_shows_the_report(world, chest):
    client = client_for(world.manager_a)
    page = client.get(results_url(chest["fund"]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Tools and seeds" in html and "Wool and tea" in html and "Kit" not in html
    assert "No results yet" in html
    fund_page = client.get(
        reverse("grants:fund_detail", kwargs={"public_id": chest["fund"].public_id})
    )
    assert results_url(chest["fund"]) in fund_page.content.decode()

    upload = SimpleUploadedFile(
        "results.csv", excel_file(chest, encoding="cp1252", delimiter=";"), "text/csv"
    )
    response = client.post(results_url(chest["fund"]), {"file": upload})
    html = response.content.decode()
    assert response.status_code == 200
    assert "3 results added." in html and "5 rows could not be read." in html
    assert "Row 6 (zzzzzzzzzzzz): There is no award with this id in this fund" in html
    assert "Windows-1252, semicolons" in html
    assert "Completed, 63% along" in html  # the garden's newest result, on the list


def test_a_spreadsheet_uploaded_on_the_page_is_refused_beside_the_field(world, chest):
    upload = SimpleUploadedFile("results.xlsx", b"PK\x03\x04" + b"\0" * 40)
    response = client_for(world.manager_a).post(results_url(chest["fund"]), {"file": upload})
    assert response.status_code == 400
    assert 'id="id_file-error"' in response.content.decode()
    assert not AwardUpdate.objects.exists()


def test_the_template_lists_the_funds_approved_community_awards(world, chest):
    response = client_for(world.manager_a).get(results_url(chest["fund"]) + "?template=csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = [line.split(",") for line in text.strip().splitlines()]
    assert rows[0] == list(results.TEMPLATE_COLUMNS)
    assert sorted(row[0] for row in rows[1:]) == sorted(
        [chest["garden"].public_id, chest["knit"].public_id]
    )
    # The template, filled in and uploaded as it is, adds nothing and rejects nothing.
    report = results.updates_import_csv(
        viewer=world.viewer(world.manager_a), fund=chest["fund"], file=text.encode()
    )
    assert (report.added, report.skipped, report.rejected) == (0, 2, [])


def test_the_results_page_is_for_the_funds_runners(world, chest):
    assert_access(world, "get", results_url(chest["fund"]), {"manager_a": 200})


# --- the API: the same rules, fields and report --------------------------------------------


@pytest.fixture
def tokens(world):
    roles = {
        "coordinator_a": (world.org_a, Role.COORDINATOR),
        "catalyst_a": (world.org_a, Role.CATALYST),
        "worker_b": (world.org_b, Role.PARTNER_WORKER),
        "analyst": (world.org_a, Role.ANALYST),
        "elsewhere": (world.other_place.lead_organisation, Role.COORDINATOR),
    }
    made = {}
    for name, (org, role) in roles.items():
        _, raw = issue_api_token(organisation=org, name="Partner system", role=role)
        made[name] = token_client(raw)
    return made


def statuses(tokens, method, url, body=None):
    return {
        name: (client.get(url) if method == "get" else client.post(url, body or {})).status_code
        for name, client in tokens.items()
    }


def test_the_api_timeline_has_the_pages_rules_and_fields(world, chest, tokens):
    garden = chest["garden"]
    url = f"/api/money/awards/{garden.public_id}/updates"
    body = {"on": "2026-11-03", "status": "on_track", "progress": 40, "note": "Beds built"}
    assert statuses(tokens, "post", url, body) == {
        "coordinator_a": 201, "catalyst_a": 404, "worker_b": 404, "analyst": 404,
        "elsewhere": 404,
    }  # fmt: skip
    assert statuses(tokens, "get", url) == {
        "coordinator_a": 200, "catalyst_a": 200, "worker_b": 404, "analyst": 404,
        "elsewhere": 404,
    }  # fmt: skip
    answer = tokens["catalyst_a"].get(url).json()
    update = AwardUpdate.objects.get()
    shown = {
        "id": update.public_id, "on": "2026-11-03", "status": "on_track",
        "status_label": "On track", "progress": 40, "note": "Beds built", "source": "api",
        "source_label": "Through the API",
    }  # fmt: skip
    assert answer == {
        "award": garden.public_id, "title": "Tools and seeds", "current": shown,
        "updates": [shown],
    }  # fmt: skip
    # Every field the API gives is on the page, as the page shows it.
    html = client_for(world.catalyst_a).get(award_url(garden)).content.decode()
    for text in ("3 November 2026", "On track", "40% along", "Beds built", "Through the API"):
        assert text in html


def test_the_api_names_each_bad_field_and_saves_nothing(world, chest, tokens):
    url = f"/api/money/awards/{chest['garden'].public_id}/updates"
    response = tokens["coordinator_a"].post(
        url, {"on": "03/11/2026", "status": "sort of", "progress": 120}
    )
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"on", "status", "progress"}
    future = tokens["coordinator_a"].post(url, {"on": "2099-01-01", "status": "on_track"})
    assert future.status_code == 400
    assert [e["field"] for e in future.json()["errors"]] == ["on"]
    assert not AwardUpdate.objects.exists()


def test_the_api_refuses_a_timeline_on_a_personal_award(world, money, tokens):
    award = services.award_request(
        viewer=money.catalyst, fund=money.fund, resident=money.resident, title="Photo ID",
        amount="30",
    )  # fmt: skip
    services.award_decide(viewer=money.first, award=award, decision="approve")
    response = tokens["coordinator_a"].post(
        f"/api/money/awards/{award.public_id}/updates", {"on": "2026-11-03", "status": "done"}
    )
    assert response.status_code == 400
    response = tokens["coordinator_a"].get(f"/api/money/awards/{award.public_id}/updates")
    assert response.json() == {
        "errors": [
            {"field": "award", "message": "Only a community award has a timeline of results"}
        ]
    }


def test_the_api_reads_a_csv_with_the_pages_report(world, chest, tokens):
    raw = excel_file(chest, encoding="cp1252", delimiter=";")
    url = f"/api/money/funds/{chest['fund'].public_id}/results.csv"
    client = tokens["coordinator_a"].client
    response = client.post(url, data=raw, content_type="text/csv")
    assert response.status_code == 200, response.content
    report = response.json()
    assert (report["rows"], report["added"], report["skipped"]) == (9, 3, 1)
    assert [p["row"] for p in report["rejected"]] == [5, 6, 7, 8, 11]
    assert report["rejected"][1] == {
        "row": 6, "award": "zzzzzzzzzzzz", "reason": "There is no award with this id in this fund",
    }  # fmt: skip
    assert report["encoding"] == "Windows-1252"
    # Uploaded as a file, the same file adds nothing more.
    again = client.post(url, {"file": SimpleUploadedFile("r.csv", raw)})
    assert (again.status_code, again.json()["added"]) == (200, 0)
    assert AwardUpdate.objects.count() == 3
    bad = client.post(url, data=b"award,title\n", content_type="text/csv")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "file"
    for name in ("catalyst_a", "worker_b", "analyst", "elsewhere"):
        refused = tokens[name].client.post(url, data=raw, content_type="text/csv")
        assert refused.status_code == 404
    assert AwardUpdate.objects.count() == 3


def test_the_api_lists_how_each_award_stands_as_the_page_does(world, chest, tokens):
    results.update_add(viewer=world.viewer(world.manager_a), award=chest["knit"],
                       on="2026-11-03", status="completed", progress=100)  # fmt: skip
    url = f"/api/money/funds/{chest['fund'].public_id}/results"
    assert statuses(tokens, "get", url) == {
        "coordinator_a": 200, "catalyst_a": 404, "worker_b": 404, "analyst": 404,
        "elsewhere": 404,
    }  # fmt: skip
    awards = tokens["coordinator_a"].get(url).json()["awards"]
    assert [(a["title"], a["group"], a["status_label"], a["progress"]) for a in awards] == [
        ("Tools and seeds", "Millbrook Allotment Society", "", None),
        ("Wool and tea", "Royton Knit and Natter", "Completed", 100),
    ]
    template = tokens["coordinator_a"].get(url + ".csv")
    assert template.status_code == 200
    assert template.content.decode("utf-8-sig").splitlines()[0] == ",".join(
        results.TEMPLATE_COLUMNS
    )


# --- personal awards: the goal, the life map, and the evaluators' counts ------------------


def personal(money, goal=None):
    award = services.award_request(
        viewer=money.catalyst, fund=money.fund, resident=goal.resident if goal else money.resident,
        title="A bus pass", amount="45", goal=goal,
    )  # fmt: skip
    return services.award_decide(viewer=money.first, award=award, decision="approve")


def test_a_personal_award_shows_the_goal_and_links_the_life_map_for_its_caseworkers(world, money):
    goal = GoalFactory(resident=money.resident, progress=50)
    award = personal(money, goal)
    html = client_for(world.catalyst_a).get(award_url(award)).content.decode()
    assert "Halfway there" in html
    life_map = reverse("wellbeing:picture", kwargs={"public_id": money.resident.public_id})
    goals = reverse("people:resident_detail", kwargs={"public_id": money.resident.public_id})
    assert life_map in html and f"{goals}#goal-{goal.pk}" in html
    # The links are never to a page they may not open.
    assert client_for(world.catalyst_a).get(life_map).status_code == 200
    # A place admin runs the fund but holds no caseload: the award, not the record.
    admin = MembershipFactory(organisation=world.org_a, role=Role.PLACE_ADMIN).user
    html = client_for(admin).get(award_url(award)).content.decode()
    assert "Halfway there" in html and life_map not in html
    assert client_for(admin).get(life_map).status_code == 404


def test_goal_outcomes_count_grants_by_how_far_the_goal_has_come_published(world, money):
    place = world.place
    for _i in range(3):
        personal(money, GoalFactory(resident=ResidentFactory(organisation=world.org_a,
                                                            catalyst=world.catalyst_a),
                                    progress=100))  # fmt: skip
    for _i in range(12):
        personal(money, GoalFactory(resident=ResidentFactory(organisation=world.org_a,
                                                            catalyst=world.catalyst_a),
                                    progress=50))  # fmt: skip
    personal(money)  # no goal: not counted
    table = dashboard.goal_outcomes(place, threshold=8)
    rows = {row.key: row.count for row in table.rows}
    assert list(rows) == ["not_started", "made_a_start", "halfway", "nearly_there", "achieved"]
    assert rows["achieved"].suppressed and rows["achieved"].label == "fewer than 8"
    assert rows["not_started"].value == 0
    # Twelve grants: perturbed by the cell key (at most 2) and rounded to 5.
    assert rows["halfway"].value in (10, 15)
    assert rows["halfway"].value % 5 == 0
    # The total is made from the published cells only.
    assert table.total.value == rows["halfway"].value
    assert table.suppressed_cells == 1
    assert Decimal(table.total.value) >= 0


def test_the_results_lists_and_the_timeline_take_as_many_queries_at_two_sizes(world, chest, tokens):
    viewer = world.viewer(world.manager_a)
    fund, garden = chest["fund"], chest["garden"]
    made = []

    def make(n):
        for i in range(n):
            award = services.award_request(
                viewer=world.viewer(world.catalyst_a), fund=fund, group_name=f"Group {i}",
                title=f"Project {len(made)}", amount="10",
            )  # fmt: skip
            award = services.award_decide(viewer=viewer, award=award, decision="approve")
            made.append(award)
            for award_ in (award, garden):
                results.update_add(viewer=viewer, award=award_, on="2026-11-03",
                                   status="on_track", note=f"line {len(made)}")  # fmt: skip

    def ok(response):
        assert response.status_code == 200

    client = client_for(world.manager_a)
    api = tokens["coordinator_a"]
    assert_same_queries_at_two_sizes(
        make,
        [
            lambda: ok(client.get(results_url(fund))),
            lambda: ok(client.get(award_url(garden))),
            lambda: ok(api.get(f"/api/money/funds/{fund.public_id}/results")),
            lambda: ok(api.get(f"/api/money/awards/{garden.public_id}/updates")),
            lambda: dashboard.goal_outcomes(world.place, threshold=8),
        ],
    )
