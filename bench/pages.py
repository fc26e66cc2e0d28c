"""The pages measured, who views them, and how: Django's in-process test client, a few
untimed requests first, then `runs` timed ones; the query count of each page comes from
separate requests under CaptureQueriesContext, so counting never slows the timings."""

import statistics
import sys
import time
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from commonweave.accounts.models import User
from commonweave.people.enums import OPEN_STAGES
from commonweave.tenancy.enums import Role
from commonweave.tenancy.tokens import issue_api_token

TARGET_P95_MS = 150
CASELOAD_RANGE = (30, 60)  # a realistic caseload for the catalyst whose pages are timed


@dataclass(frozen=True)
class Page:
    name: str
    viewer: str  # "catalyst", "analyst" or "token"
    url: object  # callable(context) -> list of URLs, cycled through


PAGES = [
    Page("caseload", "catalyst", lambda c: [reverse("people:caseload")]),
    Page(
        "resident_detail",
        "catalyst",
        lambda c: [reverse("people:resident_detail", args=[pid]) for pid in c["caseload_ids"]],
    ),
    Page("triage", "catalyst", lambda c: [reverse("people:triage")]),
    Page("overview", "analyst", lambda c: [reverse("insights:overview")]),
    Page("api_residents", "token", lambda c: ["/api/residents"]),
    # Area profiles (issue 18): the place, its three busiest wards, and the API.
    Page("area_profile", "analyst", lambda c: [reverse("impact:area_profile")]),
    Page(
        "area_profile_ward",
        "analyst",
        lambda c: [f"{reverse('impact:area_profile')}?ward={code}" for code in c["ward_codes"]],
    ),
    Page("api_area_profile", "token", lambda c: ["/api/impact/area-profile"]),
]


def busiest_wards(place, n=3) -> list[str]:
    """The codes of the wards where most of the place's residents live."""
    from commonweave.people.models import Resident

    return list(
        Resident.objects.filter(place=place)
        .exclude(ward_code="")
        .values("ward_code")
        .annotate(n=Count("pk"))
        .order_by("-n", "ward_code")
        .values_list("ward_code", flat=True)[:n]
    )


def pick_catalyst(place):
    """The lead organisation's catalyst whose open caseload is nearest 45 (within 30-60)."""
    open_cases = Count(
        "caseload",
        filter=Q(
            caseload__stage__in=OPEN_STAGES,
            caseload__merged_into__isnull=True,
            caseload__place=place,
        ),
    )
    catalysts = list(
        User.objects.filter(
            memberships__organisation=place.lead_organisation, memberships__role=Role.CATALYST
        )
        .annotate(open_cases=open_cases)
        .order_by("pk")
    )
    low, high = CASELOAD_RANGE
    fitting = [u for u in catalysts if low <= u.open_cases <= high] or catalysts
    return min(fitting, key=lambda u: (abs(u.open_cases - 45), u.pk))


def pick_analyst(place):
    return User.objects.filter(
        memberships__organisation__place=place, memberships__role=Role.ANALYST
    ).first()


def signed_in(user):
    client = Client(raise_request_exception=False)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def percentile(values, fraction):
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * fraction
    below = int(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def measure(page, size, client, urls, headers, *, runs, warmup):
    record = {
        "name": page.name,
        "n": size,
        "runs": 0,
        "p50_ms": None,
        "p95_ms": None,
        "queries": None,
        "target_p95_ms": TARGET_P95_MS,
        "status": "error",
    }
    if not urls:
        record["error"] = "no URL to open (page not routed, or an empty caseload)"
        return record
    for i in range(warmup):
        client.get(urls[i % len(urls)], **headers)
    bad = {}
    times = []
    sizes = []
    for i in range(runs):
        url = urls[i % len(urls)]
        start = time.perf_counter()
        response = client.get(url, **headers)
        times.append((time.perf_counter() - start) * 1000)
        sizes.append(len(response.content))
        if response.status_code != 200:
            bad[response.status_code] = bad.get(response.status_code, 0) + 1
    counts = []
    for url in urls[:3]:
        with CaptureQueriesContext(connection) as captured:
            client.get(url, **headers)
        counts.append(len(captured.captured_queries))
    record.update(
        runs=runs,
        p50_ms=round(statistics.median(times), 1),
        p95_ms=round(percentile(times, 0.95), 1),
        queries=max(counts),
        kb=round(statistics.median(sizes) / 1024, 1),
    )
    if bad:
        record["http_status"] = max(bad, key=bad.get)
        record["error"] = f"{sum(bad.values())} of {runs} requests did not answer 200"
    else:
        record["status"] = "ok" if record["p95_ms"] <= TARGET_P95_MS else "over"
    return record


def measure_place(place, size, *, runs, warmup):
    catalyst = pick_catalyst(place)
    analyst = pick_analyst(place)
    caseload_ids = list(
        catalyst.caseload.filter(stage__in=OPEN_STAGES, merged_into__isnull=True)
        .order_by("pk")
        .values_list("public_id", flat=True)
    )
    _, raw = issue_api_token(
        organisation=place.lead_organisation, name="Benchmark", role=Role.CATALYST
    )
    context = {"caseload_ids": caseload_ids, "ward_codes": busiest_wards(place)}
    clients = {
        "catalyst": (signed_in(catalyst), {}),
        "analyst": (signed_in(analyst), {}),
        "token": (Client(raise_request_exception=False), {"HTTP_AUTHORIZATION": f"Bearer {raw}"}),
    }
    print(
        f"bench: catalyst with {len(caseload_ids)} open residents; measuring "
        f"{len(PAGES)} pages x {runs} runs",
        file=sys.stderr,
    )
    for page in PAGES:
        client, headers = clients[page.viewer]
        try:
            urls = page.url(context)
        except NoReverseMatch:
            urls = []
        record = measure(page, size, client, urls, headers, runs=runs, warmup=warmup)
        if page.name in ("caseload", "resident_detail"):
            record["caseload"] = len(caseload_ids)
        yield record


def print_table(results, constant, summary):
    out = sys.stderr
    out.write("\n page              residents   p50 ms   p95 ms  queries  status\n")
    out.write(" " + "-" * 66 + "\n")
    for r in results:
        p50 = "-" if r["p50_ms"] is None else f"{r['p50_ms']:.1f}"
        p95 = "-" if r["p95_ms"] is None else f"{r['p95_ms']:.1f}"
        queries = "-" if r["queries"] is None else str(r["queries"])
        status = r["status"] + (f" (HTTP {r['http_status']})" if "http_status" in r else "")
        out.write(f" {r['name']:<17} {r['n']:>9,} {p50:>8} {p95:>8} {queries:>8}  {status}\n")
    same = ", ".join(f"{c['page']}={'yes' if c['constant'] else 'NO'}" for c in constant)
    out.write(f"\n query count the same at every size: {same}\n")
    out.write(
        f" {summary['ok']} ok, {summary['over']} over the {TARGET_P95_MS} ms p95 target, "
        f"{summary['error']} errors; {summary['seconds']} s in all\n"
    )
