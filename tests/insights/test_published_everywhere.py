"""Property: an analyst (who may see only published numbers) is never given a count of
people from 1 to 7, or one that is not a published number, by any read endpoint of the
API. Walks every GET endpoint of the OpenAPI schema (and the first items of each list) in
a small demo place, where small counts abound, and checks every whole number in every
answer.

Whole numbers that are not counts of people are listed below with the reason; a new
endpoint that adds an exact count fails here until it publishes it or says why not.
"""

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client

from commonweave.tenancy.enums import Role
from commonweave.tenancy.models import Membership, Place
from commonweave.tenancy.tokens import issue_api_token
from tests.api.test_api_crawl import ITEM_PARAMS, SKIP, _item_ids

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

NOT_COUNTS_OF_PEOPLE = [
    (r"\.(page|pages|version|id)$", "paging, optimistic versions and database ids"),
    (r"^\.count$", "how many records the list holds: the analyst can page through them all"),
    (r"\.metrics\.", "one node's own measures (degree, community number), not a count"),
    (r"\.summary\.(communities|diameter|components_total)$", "groups and path lengths"),
    (
        r"\.community_sizes\[\]\[\]$",
        "pairs of [community number, published size]; sizes are checked on their own below",
    ),  # fmt: skip
    (r"\.(suppression_threshold|suppressed_cells)$", "the rule itself, and how many cells"),
    (r"\.(points|answers)\[\]\.value$", "the answer scale of a question (1 to 10)"),
    (r"\.items\[\]\.cards$", "barrier cards on a board, not people"),
    (r"\.cards\[\]\.votes$", "staff's dot votes on a review board they work at together"),
    (r"\.(minimum_age|maximum_age|distance_m|months)$", "ages, metres and months"),
    (r"\.(referral_places|places_free)$", "a service's places to refer into, for referring"),
    (r"\.price_year$", "the year a social value's prices are in"),
    (
        r"\.(area_lsoas|area_lsoas_with_population|area_population)$",
        "an area's neighbourhoods and population from the Indices of Deprivation: open data "
        "about the area, not people the partnership serves",
    ),
    (
        r"(^\.number|\.(outcomes|activities|assumptions|indicators|items)\[\]\.(number|activity|outcome)"
        r"|\.(outcomes|activities)\[\]\.(activities|outcomes)\[\])$",
        "the theory of change's own numbering of its versions, outcomes, activities and "
        "assumptions, and the links between them",
    ),
]


def _whole_numbers(value, path=""):
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _whole_numbers(child, f"{path}.{key}")
    elif isinstance(value, list):
        for child in value:
            yield from _whole_numbers(child, f"{path}[]")
    elif isinstance(value, int) and not isinstance(value, bool):
        yield path, value


def _published(value) -> bool:
    return value == 0 or (value >= 8 and value % 5 == 0)


def _community_sizes(body):
    summary = body.get("summary") if isinstance(body, dict) else None
    for pair in (summary or {}).get("community_sizes") or []:
        yield pair[1]


def test_no_api_answer_gives_an_analyst_an_unpublished_count_of_people():
    call_command("demo", "--residents", "40", "--seed", "6", stdout=io.StringIO(),
                 stderr=io.StringIO())  # fmt: skip
    place = Place.objects.get()
    analyst = Membership.objects.filter(organisation__place=place, role=Role.ANALYST).first()
    _, raw = issue_api_token(organisation=analyst.organisation, name="check", role=Role.ANALYST)
    client = Client(headers={"Authorization": f"Bearer {raw}"}, raise_request_exception=False)
    schema = client.get("/api/openapi.json").json()
    paths = [path for path, ops in schema["paths"].items() if "get" in ops]
    allowed = [re.compile(pattern) for pattern, _why in NOT_COUNTS_OF_PEOPLE]
    answers = {}
    for path in (p for p in paths if "{" not in p):
        response = client.get(path)
        if response.status_code == 200 and "json" in response.get("Content-Type", ""):
            answers[path] = response.json()
    for template in (p for p in paths if "{" in p and not p.startswith(SKIP)):
        head, _, rest = template.partition("/{")
        param, _, tail = rest.partition("}")
        if param not in ITEM_PARAMS or "{" in tail:
            continue
        for item_id in _item_ids(answers.get(head), param):
            response = client.get(f"{head}/{item_id}{tail}")
            if response.status_code == 200 and "json" in response.get("Content-Type", ""):
                answers[f"{head}/{item_id}{tail}"] = response.json()
    assert len(answers) > 20
    problems, checked = [], 0
    for endpoint, body in answers.items():
        for where, value in _whole_numbers(body):
            if any(pattern.search(where) for pattern in allowed):
                continue
            checked += 1
            if not _published(value):
                problems.append(f"{endpoint} {where} = {value}")
        problems += [
            f"{endpoint} community size {size}"
            for size in _community_sizes(body)
            if size is not None and not _published(size)
        ]
    assert checked > 20  # published numbers were found and checked, not only skipped
    assert not problems, "\n".join(problems)
