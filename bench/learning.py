"""`python -m bench.learning`: the learning pages and barrier similarity at a borough's size.

Generates one place with 5,000 barriers, 20,000 actions and 2,000 sessions (with 6,000
stories and 8,000 barrier-story links), then prints one JSON line per measurement:

* {"name": "learning_generate", "seconds": ...}
* {"name": "learning_register" | "learning_register_filtered" | "learning_board" |
  "learning_actions", "n": 5000, "p50_ms", "p95_ms", "queries", "target_p95_ms": 150,
  "status": "ok" | "over" | "error"}
* {"name": "similarity_build", "n": 5000, "runs", "p50_ms", "p95_ms", "target_p95_ms": 200,
  "status"}: the very first suggestion for a place (no index anywhere: built and saved);
* {"name": "similarity_cold", ...}: the first suggestion in a fresh process (nothing in
  memory, stemming caches empty: the saved index is loaded and checked);
* {"name": "similarity", ...}: suggestions for new barrier texts against the built index;
* {"name": "similarity_after_add" | "similarity_after_edit", ...}: a suggestion right after
  a barrier was added or reworded (only that barrier is swapped into the index);
* {"name": "learning_suggest", ...}: the htmx suggestions fragment (POST) as a page.

Uses the same throwaway database as `python -m bench` (temporary SQLite, or a "_bench"
PostgreSQL database when DATABASE_URL is set).
"""

import argparse
import datetime
import random
import statistics
import sys
import time

BARRIERS, ACTIONS, SESSIONS, STORIES = 5000, 20000, 2000, 6000
SIMILARITY_TARGET_MS = 200

_WHO = [
    "Residents",
    "Older people",
    "Carers",
    "Tenants",
    "People leaving hospital",
    "Families",
    "Young adults",
    "People without internet",
    "Non-English speakers",
    "Disabled residents",
]
_WHAT = [
    "cannot book",
    "wait months for",
    "are turned away from",
    "are never told about",
    "have to repeat their story to",
    "lose touch with",
    "cannot reach by phone",
    "must apply online for",
    "get letters in jargon about",
    "are charged for",
]
_SERVICE = [
    "GP appointments",
    "housing repairs",
    "social care assessments",
    "benefit claims",
    "mental health support",
    "the food bank",
    "hospital discharge",
    "council tax support",
    "adult education",
    "community transport",
    "pharmacy deliveries",
    "debt advice",
]
_WHY = [
    "because forms are online only",
    "because staff change often",
    "after a hospital stay",
    "unless a professional refers them",
    "because opening hours are short",
    "because no service holds the whole picture",
    "because funding rules compete",
    "when interpreters are not booked",
    "because data is not shared",
    "",
]
_QUADRANTS = ["leadership", "practice", "system", "workforce"]
_LEVELS = ["new", "new", "useful", "useful", "good", "great"]


class _Poster:
    """A client whose get() posts the same form: measure() times GETs."""

    def __init__(self, client, data):
        self.client, self.data = client, data

    def get(self, url, **headers):
        return self.client.post(url, self.data, **headers)


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.learning")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--sqlite-path")
    return parser.parse_args(argv)


def generate(seed):
    from commonweave.demo.factories import (
        MembershipFactory,
        OrganisationFactory,
        PlaceFactory,
        UserFactory,
    )
    from commonweave.learning.models import Action, Barrier, BarrierStory, Session, Story
    from commonweave.tenancy.enums import Role

    rng = random.Random(seed)
    place = PlaceFactory(name="Bench learning", slug="bench-learning")
    orgs = [OrganisationFactory(place=place, name=f"Partner {i}") for i in range(8)]
    place.lead_organisation = orgs[0]
    place.save(update_fields=["lead_organisation"])
    users = []
    for i, org in enumerate(orgs):
        user = UserFactory(email=f"learning{i}@example.org")
        MembershipFactory(user=user, organisation=org, role=Role.PARTNER_WORKER)
        users.append(user)
    MembershipFactory(user=users[0], organisation=orgs[0], role=Role.COORDINATOR)
    start = datetime.date(2024, 1, 1)
    sessions = Session.objects.bulk_create(
        Session(
            place=place,
            title=f"Connecting the Dots {i}",
            held_on=start + datetime.timedelta(days=rng.randrange(700)),
        )
        for i in range(SESSIONS)
    )
    stories = Story.objects.bulk_create(
        Story(
            place=place,
            session=rng.choice(sessions),
            title=f"Story {i}",
            text="An anonymous account of what got in the way.",
            brought_by=rng.choice(orgs),
        )
        for i in range(STORIES)
    )
    now = datetime.datetime.now(datetime.UTC)
    barriers = Barrier.objects.bulk_create(
        Barrier(
            place=place,
            title=f"{rng.choice(_WHO)} {rng.choice(_WHAT)} {rng.choice(_SERVICE)} "
            f"{rng.choice(_WHY)}".strip(),
            quadrant=rng.choice(_QUADRANTS),
            service_area=rng.choice(_SERVICE),
            level=rng.choice(_LEVELS),
            updated_at=now - datetime.timedelta(minutes=rng.randrange(500000)),
        )
        for _ in range(BARRIERS)
    )
    links = set()
    while len(links) < 8000:
        links.add((rng.randrange(BARRIERS), rng.randrange(STORIES)))
    BarrierStory.objects.bulk_create(
        BarrierStory(
            barrier=barriers[b],
            story=stories[s],
            seen_on=start + datetime.timedelta(days=rng.randrange(700)),
        )
        for b, s in links
    )
    Action.objects.bulk_create(
        Action(
            place=place,
            barrier=rng.choice(barriers),
            description="Agree a named contact between the two services",
            owner=rng.choice(users),
            owner_organisation=orgs[rng.randrange(len(orgs))],
            due_on=start + datetime.timedelta(days=rng.randrange(900)),
            status=rng.choice(["open", "in_progress", "done", "done"]),
        )
        for _ in range(ACTIONS)
    )
    return place, users[0]


def main(argv=None):
    from bench.run import configure_environment, create_database, emit

    args = parse_args(sys.argv[1:] if argv is None else argv)
    cleanup = configure_environment(args)
    teardown = None
    try:
        import django

        django.setup()
        from django.db import connection
        from django.db.models import Count

        from bench.pages import Page, measure, percentile, signed_in
        from commonweave.learning import selectors, similarity
        from commonweave.learning.models import Barrier, SimilarityIndex
        from commonweave.tenancy.viewer import viewer_for_user

        teardown = create_database()
        print(f"bench.learning: {connection.vendor}", file=sys.stderr)
        started = time.perf_counter()
        place, user = generate(args.seed)
        emit({"name": "learning_generate", "seconds": round(time.perf_counter() - started, 2)})
        busiest = (
            Barrier.objects.filter(place=place)
            .annotate(n=Count("story_links"))
            .order_by("-n")
            .values_list("public_id", flat=True)
            .first()
        )
        client = signed_in(user)
        session = client.session
        session["current_place_id"] = place.pk
        session.save()
        pages = [
            ("learning_register", ["/learning/barriers/", "/learning/barriers/?page=40"]),
            (
                "learning_register_filtered",
                ["/learning/barriers/?quadrant=system&level=good", "/learning/barriers/?q=housing"],
            ),
            ("learning_board", ["/learning/barriers/board/"]),
            ("learning_actions", ["/learning/actions/"]),
            ("learning_sessions", ["/learning/sessions/", "/learning/sessions/?page=20"]),
            ("learning_barrier", [f"/learning/barriers/{busiest}/"]),
        ]
        results = []
        for name, urls in pages:
            record = measure(
                Page(name, "staff", None),
                BARRIERS,
                client,
                urls,
                {},
                runs=args.runs,
                warmup=args.warmup,
            )
            emit(record)
            results.append(record)

        viewer = viewer_for_user(user, place)
        rng = random.Random(args.seed + 1)

        def timed(name, call, runs, target=SIMILARITY_TARGET_MS, before=None):
            times = []
            for i in range(runs):
                if before is not None:
                    before(i)
                start = time.perf_counter()
                call(i)
                times.append((time.perf_counter() - start) * 1000)
            p95 = round(percentile(times, 0.95), 1)
            record = {
                "name": name,
                "n": BARRIERS,
                "runs": runs,
                "p50_ms": round(statistics.median(times), 1),
                "p95_ms": p95,
                "target_p95_ms": target,
                "status": "ok" if p95 <= target else "over",
            }
            emit(record)
            results.append(record)

        def fresh_process(_):
            similarity._cache.clear()
            similarity._stem.cache_clear()
            similarity._grams.cache_clear()

        def first_ever(i):
            fresh_process(i)
            SimilarityIndex.objects.all().delete()

        first_text = "Carers cannot reach the GP by phone"
        timed(
            "similarity_build",
            lambda _: selectors.similar_barriers(viewer, first_text),
            max(5, args.runs // 3),
            before=first_ever,
        )
        timed(
            "similarity_cold",
            lambda _: selectors.similar_barriers(viewer, first_text),
            max(5, args.runs // 3),
            before=fresh_process,
        )

        def suggest(_):
            text = f"{rng.choice(_WHO)} {rng.choice(_WHAT)} {rng.choice(_SERVICE)}"
            assert selectors.similar_barriers(viewer, text), text

        timed("similarity", suggest, args.runs)
        from commonweave.learning import services
        from commonweave.learning.models import Barrier

        timed(
            "similarity_after_add",
            lambda _: selectors.similar_barriers(viewer, "Carers pay for medicine deliveries"),
            10,
            before=lambda i: services.barrier_create(
                viewer=viewer,
                title=f"Carers are charged for pharmacy deliveries {i}",
                quadrant="system",
            ),
        )
        edited = list(Barrier.objects.filter(place=place).order_by("pk")[:10])
        timed(
            "similarity_after_edit",
            lambda _: selectors.similar_barriers(viewer, "Tenants wait for repairs"),
            10,
            before=lambda i: services.barrier_update(
                viewer=viewer,
                barrier=edited[i],
                version=edited[i].version,
                title=f"{edited[i].title} (reworded {i})",
            ),
        )
        csrf_client = client
        record = measure(
            Page("learning_suggest", "staff", None),
            BARRIERS,
            _Poster(csrf_client, {"title": "Older people cannot book GP appointments"}),
            ["/learning/barriers/suggest/"],
            {"HTTP_HX_REQUEST": "true"},
            runs=args.runs,
            warmup=args.warmup,
        )
        emit(record)
        results.append(record)
        bad = [r["name"] for r in results if r["status"] != "ok"]
        emit(
            {
                "name": "learning_summary",
                "database": connection.vendor,
                "not_ok": bad,
                "seconds": round(time.perf_counter() - started, 1),
            }
        )
        return 0 if not any(r["status"] == "error" for r in results) else 1
    finally:
        if teardown is not None:
            teardown()
        if cleanup is not None:
            cleanup()


if __name__ == "__main__":
    raise SystemExit(main())
