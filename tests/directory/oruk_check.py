"""What the ORUK validators check (see ORUK_VALIDATOR_NOTES.md), as a reusable test helper."""

import json
import random
from pathlib import Path
from urllib.parse import urlparse

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

PROFILE = Path(__file__).parent / "oruk_profile"
ENVELOPE = {
    "total_items": int,
    "total_pages": int,
    "page_number": int,
    "size": int,
    "first_page": bool,
    "last_page": bool,
    "empty": bool,
    "contents": list,
}
# endpoint -> (schema of a list item, schema of the /{id} record)
ENDPOINTS = {
    "services": ("service_list", "service"),
    "organizations": ("organization_list", "organization"),
    "service_at_locations": ("service_at_location_list", "service_at_location"),
    "taxonomies": ("taxonomy", "taxonomy"),
    "taxonomy_terms": ("taxonomy_term", "taxonomy_term"),
}

checker = FormatChecker()


@checker.checks("uri", raises=ValueError)
def _is_uri(value):
    if not isinstance(value, str):
        return True
    parts = urlparse(value)
    if not (parts.scheme and (parts.netloc or parts.scheme in ("mailto", "urn", "tel"))):
        raise ValueError(f"not a URI: {value!r}")
    return True


_validators = {}


def _retrieve(uri):
    # The profile's schemas refer to each other by file name ("taxonomy_term.json").
    schema = json.loads((PROFILE / Path(uri).name).read_text())
    return Resource.from_contents(schema, default_specification=DRAFT202012)


registry = Registry(retrieve=_retrieve)


def validator(name):
    if name not in _validators:
        schema = json.loads((PROFILE / f"{name}.json").read_text())
        _validators[name] = Draft202012Validator(schema, format_checker=checker, registry=registry)
    return _validators[name]


def schema_errors(name, record):
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator(name).iter_errors(record)
    ]


def check_envelope(body, page_number, per_page):
    problems = []
    for key, kind in ENVELOPE.items():
        if not isinstance(body.get(key), kind):
            problems.append(f"{key} missing or not {kind.__name__}")
    if problems:
        return problems
    n = len(body["contents"])
    if body["page_number"] != page_number:
        problems.append("page_number is not the page asked for")
    if body["first_page"] != (page_number == 1):
        problems.append("first_page wrong")
    if body["last_page"] != (page_number == body["total_pages"]):
        problems.append("last_page wrong")
    if body["empty"] != (n == 0):
        problems.append("empty wrong")
    if body["size"] != n:
        problems.append("size is not the number of items in contents")
    if page_number != body["total_pages"] and n != per_page:
        problems.append("a page other than the last has fewer than per_page items")
    expected_pages = max(1, -(-body["total_items"] // per_page))
    if body["total_pages"] != expected_pages:
        problems.append("total_pages does not match total_items / per_page")
    return problems


def check_feed(client, base, per_page=5, seed=0):
    """Walk every endpoint like the validator: first, middle, last page; up to 10 ids.

    Returns a dict of problems (empty when the feed passes) and the ids checked.
    """
    rng = random.Random(seed)
    problems, checked = {}, {}
    root = client.get(base)
    body = root.json()
    for key in ("version", "profile", "openapi_url"):
        if not body.get(key):
            problems.setdefault("/", []).append(f"{key} missing")
    for endpoint, (list_schema, item_schema) in ENDPOINTS.items():
        url = f"{base}{endpoint}"
        first = client.get(url, {"page": 1, "per_page": per_page})
        if first.status_code != 200 or first["Access-Control-Allow-Origin"] != "*":
            problems.setdefault(endpoint, []).append(f"status {first.status_code} or no CORS")
            continue
        body = first.json()
        pages = {1: body}
        total_pages = body.get("total_pages", 1)
        for number in {total_pages // 2, total_pages} - {0, 1}:
            pages[number] = client.get(url, {"page": number, "per_page": per_page}).json()
        ids = []
        for number, page in pages.items():
            for p in check_envelope(page, number, per_page):
                problems.setdefault(endpoint, []).append(f"page {number}: {p}")
            for item in page.get("contents", []):
                for e in schema_errors(list_schema, item):
                    problems.setdefault(endpoint, []).append(f"page {number} item: {e}")
                ids.append(item.get("id"))
        if len(set(ids)) != len(ids):
            problems.setdefault(endpoint, []).append("duplicate ids across pages")
        sample = rng.sample(ids, min(10, len(ids)))
        for record_id in sample:
            detail = client.get(f"{url}/{record_id}")
            if detail.status_code != 200:
                problems.setdefault(endpoint, []).append(f"{record_id}: {detail.status_code}")
                continue
            for e in schema_errors(item_schema, detail.json()):
                problems.setdefault(endpoint, []).append(f"{record_id}: {e}")
        checked[endpoint] = sample
    return problems, checked
