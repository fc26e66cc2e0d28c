"""Search relevance: `python -m bench.search_relevance` (SQLite, or PostgreSQL via DATABASE_URL).

Builds the realistic directory of tests/directory/search_corpus.py, runs its resident
queries, and prints one JSON object: the share whose expected entry is in the top five
(the judged set, as the suite runs it; exits 1 below the target), the misses, and the
p50/p95 query time (selectors.find_services, in process).

Then the same queries among --padding demo entries, for information only. The demo's
entries are real-sounding ("Hathershaw Repair Café", "Chair Yoga, Grotton"), so there the
judged entry is one of many right answers and a miss is often not a wrong answer: the
record counts a demo entry as a hit when its name holds every word of the expected name
(accents and plurals aside), and lists the misses for a person to read.
"""

import argparse
import json
import statistics
import sys
import time

from bench.run import configure_environment, create_database

HIT_RATE_TARGET = 0.9


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--padding", type=int, default=2000, help="demo entries added")
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--sqlite-path")
    return parser.parse_args(argv)


def measure(place, name):
    from django.db import connection

    from commonweave.directory import search, selectors
    from commonweave.directory.models import Service
    from tests.directory.search_corpus import QUERIES

    samples, misses = [], []
    for query, expected in QUERIES:
        start = time.perf_counter()
        ids = selectors.find_services(place, selectors.Filters(text=query))[:5]
        samples.append((time.perf_counter() - start) * 1000)
        names = list(Service.objects.filter(pk__in=ids).values_list("name", flat=True))
        wanted = set(search.words(expected))
        if not any(expected in n or wanted <= set(search.words(n)) for n in names):
            misses.append({"query": query, "expected": expected, "top5": names})
    samples.sort()
    return {
        "name": name,
        "database": connection.vendor,
        "services": Service.objects.filter(place=place).count(),
        "queries": len(QUERIES),
        "hit_rate": round(1 - len(misses) / len(QUERIES), 3),
        "p50_ms": round(statistics.median(samples), 1),
        "p95_ms": round(samples[max(0, int(len(samples) * 0.95) - 1)], 1),
        "misses": misses,
    }


def build(slug, padding, seed):
    from commonweave.demo import directory as demo
    from commonweave.directory import search, services
    from commonweave.tenancy.models import Place
    from tests.directory.search_corpus import entries

    place = Place.objects.create(name=slug.replace("-", " ").title(), slug=slug)
    if padding:
        demo.generate_directory(place, services=padding, seed=seed)
    search.ensure_related_words(place)
    for name, description in entries():
        services.service_save(
            viewer=None,
            place=place,
            data={"name": name, "description": description, "status": "active"},
        )
    return place


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    cleanup = configure_environment(args)
    teardown = None
    try:
        import django

        django.setup()
        teardown = create_database()
        judged = measure(build("judged", 0, args.seed), "search_relevance")
        judged["target"] = HIT_RATE_TARGET
        judged["ok"] = judged["hit_rate"] >= HIT_RATE_TARGET
        print(json.dumps(judged), flush=True)
        if args.padding:
            padded = measure(build("padded", args.padding, args.seed), "search_relevance_padded")
            padded["note"] = "information only: many demo entries are right answers too"
            print(json.dumps(padded), flush=True)
        return 0 if judged["ok"] else 1
    finally:
        if teardown:
            teardown()
        if cleanup:
            cleanup()


if __name__ == "__main__":
    raise SystemExit(main())
