"""Wellbeing benchmarks: `python -m bench.wellbeing` (SQLite, or PostgreSQL via DATABASE_URL).

Generates 10,000 residents, each referred once (front doors and dates spread over the year
before their first check-in), with 50 weekly check-ins each (500,000 check-ins, 4,000,000
area ratings, 200,000 measure responses) with the demo generator in a throwaway database,
then times with Django's in-process client, each target p95:

* cohort change for the whole place, as an analyst (300 ms);
* one resident's life map with 50 check-ins, as their catalyst (150 ms);
* cohort change over the last quarter: the people who checked in within it, first to
  latest within it (300 ms);
* the cohort referred in a quarter, and the cohort who came by one front door (300 ms
  each), and one front door over the last quarter (300 ms).

Prints one JSON object per line; exits 1 if a target is missed.
"""

import argparse
import json
import statistics
import sys
import time
from types import SimpleNamespace

from bench.run import configure_environment, create_database

TARGETS_MS = {
    "wellbeing_cohort_place": 300,
    "wellbeing_resident_50_checkins": 150,
    "wellbeing_cohort_quarter": 300,
    "wellbeing_cohort_referred_quarter": 300,
    "wellbeing_cohort_front_door": 300,
    "wellbeing_cohort_quarter_front_door": 300,
}


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=10_000)
    parser.add_argument("--per-resident", type=int, default=50)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--sqlite-path")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="With --sqlite-path: time an already generated database again, no generating",
    )
    return parser.parse_args(argv)


def _dates(**days):
    """The cohort page's GOV.UK date inputs for {name: date}."""
    params = {}
    for name, day in days.items():
        params |= {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}
    return params


def _cohort_urls(place):
    """{case: cohort page address}: the last quarter (91 days up to today), the quarter of
    the latest referrals, one front door, and that front door over the last quarter."""
    from datetime import timedelta
    from urllib.parse import urlencode

    from django.db.models import Max
    from django.utils import timezone

    from commonweave.people.enums import FrontDoor
    from commonweave.people.models import Referral

    today = timezone.localdate()
    quarter = _dates(period_from=today - timedelta(days=90), period_to=today)
    latest = Referral.objects.filter(place=place).aggregate(at=Max("received_at"))["at"]
    referred_to = timezone.localdate(latest) if latest else today
    referred = _dates(referred_from=referred_to - timedelta(days=90), referred_to=referred_to)
    door = {"front_door": FrontDoor.PUBLIC_WEB.value}
    return {
        "wellbeing_cohort_quarter": f"/wellbeing/cohort/?{urlencode(quarter)}",
        "wellbeing_cohort_referred_quarter": f"/wellbeing/cohort/?{urlencode(referred)}",
        "wellbeing_cohort_front_door": f"/wellbeing/cohort/?{urlencode(door)}",
        "wellbeing_cohort_quarter_front_door": f"/wellbeing/cohort/?{urlencode(door | quarter)}",
    }


def _time(client, urls, runs, warmup):
    from django.db import connection

    for i in range(warmup):
        client.get(urls[i % len(urls)])
    samples = []
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(urls[0])
    assert response.status_code == 200, (urls[0], response.status_code)
    for i in range(runs):
        url = urls[i % len(urls)]
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    samples.sort()
    return {
        "runs": runs,
        "queries": len(queries),
        "p50_ms": round(statistics.median(samples), 1),
        "p95_ms": round(samples[max(0, int(len(samples) * 0.95) - 1)], 1),
    }


def _generate(args):
    from commonweave.accounts.models import User
    from commonweave.demo.wellbeing import generate_checkins
    from commonweave.jobs.progress import TerminalBar
    from commonweave.tenancy.enums import Role
    from commonweave.tenancy.models import Membership, Organisation, Place

    place = Place.objects.create(name="Bench wellbeing", slug="bench-wellbeing")
    org = Organisation.objects.create(place=place, name="Bench Connect")
    place.lead_organisation = org
    place.save(update_fields=["lead_organisation"])
    catalyst = User.objects.create_user(email="catalyst@bench.example", name="Catalyst")
    analyst = User.objects.create_user(email="analyst@bench.example", name="Analyst")
    Membership.objects.create(user=catalyst, organisation=org, role=Role.CATALYST)
    Membership.objects.create(user=analyst, organisation=org, role=Role.ANALYST)
    bar = TerminalBar(sys.stderr, "check-ins")
    start = time.perf_counter()
    made = generate_checkins(
        place,
        org,
        residents=args.residents,
        per_resident=args.per_resident,
        seed=args.seed,
        on_progress=lambda d, t: bar.update(d, t, final=d == t),
    )
    print(
        json.dumps(
            {
                "name": "wellbeing_generate",
                "residents": made.residents,
                "checkins": made.checkins,
                "ratings": made.ratings,
                "measures": made.measures,
                "seconds": round(time.perf_counter() - start, 1),
            }
        ),
        flush=True,
    )
    return made


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    cleanup = configure_environment(args)
    teardown = None
    failed = False
    try:
        import django

        django.setup()
        from django.db import connection
        from django.test import Client

        from commonweave.accounts.models import User
        from commonweave.people.models import Resident
        from commonweave.tenancy.models import Place

        teardown = create_database()
        print(f"bench: {connection.vendor}", file=sys.stderr)
        place = Place.objects.filter(slug="bench-wellbeing").first() if args.reuse else None
        if place is None:
            made = _generate(args)
        else:
            from commonweave.demo.wellbeing import referrals_generate
            from commonweave.wellbeing.models import CheckIn

            made = SimpleNamespace(checkins=CheckIn.objects.filter(place=place).count())
            referrals_generate(place, seed=args.seed)  # databases generated before referrals
        place = Place.objects.get(slug="bench-wellbeing")
        catalyst = User.objects.get(email="catalyst@bench.example")
        analyst = User.objects.get(email="analyst@bench.example")
        residents = list(
            Resident.objects.filter(place=place)
            .order_by("?")
            .values_list("public_id", flat=True)[:10]
        )

        def signed_in(user):
            client = Client()
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            return client

        cases = {
            "wellbeing_cohort_place": (signed_in(analyst), ["/wellbeing/cohort/"], args.runs),
            "wellbeing_resident_50_checkins": (
                signed_in(catalyst),
                [f"/wellbeing/residents/{p}/" for p in residents],
                args.runs,
            ),
        }
        analyst_client = signed_in(analyst)
        for name, url in _cohort_urls(place).items():
            cases[name] = (analyst_client, [url], args.runs)
        for name, (client, urls, runs) in cases.items():
            result = {
                "name": name,
                "checkins": made.checkins,
                **_time(client, urls, runs, args.warmup if runs >= 10 else 1),
            }
            target = TARGETS_MS[name]
            result["target_ms"] = target
            result["ok"] = target is None or result["p95_ms"] <= target
            failed |= not result["ok"]
            print(json.dumps(result), flush=True)
    finally:
        if teardown:
            teardown()
        if cleanup:
            cleanup()
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
