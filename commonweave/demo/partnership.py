"""Everything the demo place needs besides its people and their journeys (generator.py),
so that each role's first screen shows what the partnership does: a directory of named
groups and services, residents' own-network drawings, wellbeing check-ins over time,
Connecting the Dots, neighbours helping neighbours (mutual aid), referrals to partners'
services, and the network analysed, with its picture laid out, ready for the network page.

`python -m commonweave demo` calls generate_partnership after generate_demo.
"""

import time

from commonweave.directory.neighbourhoods import import_boundaries
from commonweave.network.compute import snapshot_compute
from commonweave.network.derive import sync_ties

from .checkins import generate_wellbeing
from .directory import DEMO_WARDS, generate_directory
from .grants import generate_money
from .learning import generate_learning
from .mutualaid import generate_mutual_aid
from .network import demo_drawings
from .referrals import generate_service_referrals
from .theory import generate_theory

# Deriving ties takes about 1.7 s per 1,000 residents, and the analysis grows with them:
# both done inline only for demos up to this size (bigger: Network -> Recompute, a job).
NETWORK_SYNC_LIMIT = 10_000


def generate_partnership(place, *, residents, seed=1, say=print) -> dict:
    """Fill in the rest of the demo place after its residents. `say` gets one line per
    part. Returns {part: counts}.

    Side effects: the directory and wards; own-network drawings, Connecting the Dots,
    service referrals (through their apps' services, audited); check-ins (in bulk, with
    tracks rebuilt); the derived network ties and a finished network snapshot.
    """
    done = {}

    def part(name, line, work):
        started = time.perf_counter()
        done[name] = result = work()
        say(f"{line(result)} ({time.perf_counter() - started:.1f}s)")

    # Seeded by the place, so a second demo place gets its own directory ids.
    part(
        "directory",
        lambda n: f"Directory: {n} services, groups, events and spaces",
        lambda: generate_directory(place, services=200, seed=place.pk),
    )
    part(
        "wards",
        lambda r: f"Neighbourhoods: {r.created + r.updated} wards (Oldham's, ONS, OGL)",
        lambda: import_boundaries(place, DEMO_WARDS, kind="ward"),
    )
    part(
        "drawings",
        lambda d: (
            f"Own networks: {d['drawings']} drawings of {d['residents']} residents' "
            "networks, made with their catalysts"
        ),
        lambda: demo_drawings(place, seed=place.pk),
    )
    part(
        "wellbeing",
        lambda w: (
            f"Wellbeing: {w['checkins']:,} check-ins by {w['residents']:,} residents, "
            f"{w['measures']:,} measures answered"
        ),
        lambda: generate_wellbeing(place, seed=seed),
    )
    part(
        "learning",
        lambda c: (
            f"Connecting the Dots: {c['sessions']} sessions, {c['stories']} stories, "
            f"{c['barriers']} barriers, {c['actions']} actions, {c['cards']} board cards"
        ),
        lambda: generate_learning(place, seed=seed),
    )
    part(
        "mutual aid",
        lambda m: (
            f"Mutual aid: {m['helpers']} helpers, {m['offers']} offers, {m['needs']} needs "
            f"from neighbours, {m['matched']} matched"
        ),
        lambda: generate_mutual_aid(place, seed=seed),
    )
    part(
        "money",
        lambda m: f"Money: {m['funds']} funds, {m['awards']} awards, {m['paid']} paid",
        lambda: generate_money(place, seed=seed),
    )
    part(
        "theory of change",
        lambda n: f"Theory of change: {n} versions (outcomes, activities, indicators)",
        lambda: generate_theory(place),
    )
    part(
        "service referrals",
        lambda r: (
            f"Referrals to partners' services: {r['sent']} sent to {r['services']} "
            f"services, {r['accepted']} accepted"
        ),
        lambda: generate_service_referrals(place, seed=seed),
    )
    if residents <= NETWORK_SYNC_LIMIT:
        part(
            "ties",
            lambda t: f"Network: {t['created']:,} ties derived from the records",
            lambda: sync_ties(place),
        )
        part(
            "snapshot",
            lambda s: (
                f"Network analysed: {s.summary['nodes']:,} nodes, "
                f"{s.summary['edges']:,} links, picture laid out"
            ),
            lambda: snapshot_compute(place),
        )
    else:
        say("Network: derive the ties and analyse them from Network -> Recompute (a job).")
    return done
