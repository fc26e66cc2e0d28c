"""A synthetic directory and postcode file for the demo, tests and benchmarks.

Deterministic for a given seed. Uses bulk inserts so that 50,000 services stay quick.
"""

import csv
import random
import uuid
from pathlib import Path

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from . import search
from .enums import AssetKind
from .models import (
    Location,
    Organization,
    PostcodeLookup,
    Schedule,
    SearchWord,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from .services import ensure_default_taxonomy

CENTRE = (53.5409, -2.1114)  # Oldham town centre
# Oldham's 2023 wards (ONS, OGL v3.0; see data/PROVENANCE.md): the demo's neighbourhoods.
DEMO_WARDS = Path(__file__).resolve().parent / "data" / "oldham_ward2023_generalised.geojson"
AREAS = ["OL1", "OL2", "OL4", "OL8", "OL9"]
ACTIVITIES = [
    ("Lunch club", "food", "A hot two-course lunch and good company for older people."),
    ("Coffee morning", "social", "Drop in for a cuppa and a chat. Everyone welcome."),
    ("Walking group", "physical", "Gentle walks in the park, about an hour at an easy pace."),
    ("Bereavement support group", "bereavement", "A safe space to talk after a loss."),
    ("Debt advice drop-in", "money", "Free, confidential advice on debt and benefits."),
    ("Knit and natter", "arts", "Bring your knitting or learn how. Wool provided."),
    ("Men's shed", "social", "Woodwork, repairs and conversation for men of all ages."),
    ("Food pantry", "food", "Low-cost weekly shop for members: fruit, veg and essentials."),
    ("Carers' cafe", "carers", "Time out for unpaid carers, with advice on hand."),
    ("Digital skills class", "learning", "Help with phones, tablets and getting online."),
    ("Community garden", "arts", "Grow vegetables and flowers with your neighbours."),
    ("Peer support for anxiety", "mental", "Meet others who understand. Led by volunteers."),
    ("Stay and play", "families", "Play sessions for under-fives and their grown-ups."),
    ("Chair-based exercise", "physical", "Exercise you can do sitting down, for all abilities."),
    ("Housing advice surgery", "housing", "Advice on tenancies, repairs and homelessness."),
    ("ESOL conversation club", "learning", "Practise speaking English in a friendly group."),
]
SPACES = [
    ("Corner shop", "spaces", "The owner knows everyone and keeps an eye out for regulars."),
    ("Park bench by the pond", "spaces", "Where people stop for a chat on their morning walk."),
    ("Mosque open day", "faith", "Open doors, tea and conversation for neighbours of any faith."),
    ("Library cafe", "spaces", "Warm, free to sit, newspapers and wifi."),
]
STREETS = ["High Street", "Union Street", "Market Place", "Yorkshire Street", "Park Road"]
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA"]


def synthetic_postcodes(n=400, seed=4, centre=CENTRE):
    """[(postcode, lat, lon)]: made-up but well-formed postcodes scattered round the centre."""
    rng = random.Random(seed)
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    seen, out = set(), []
    while len(out) < n:
        pc = f"{rng.choice(AREAS)} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"
        if pc in seen:
            continue
        seen.add(pc)
        lat = centre[0] + rng.uniform(-0.05, 0.05)
        lon = centre[1] + rng.uniform(-0.08, 0.08)
        out.append((pc, round(lat, 6), round(lon, 6)))
    return out


def write_postcode_csv(path, rows):
    """An ONS Postcode Directory-style CSV (pcd, pcds, lat, long, ...)."""
    with open(path, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["pcd", "pcds", "lat", "long", "lsoa21", "osward"])
        for pc, lat, lon in rows:
            writer.writerow([pc.replace(" ", "").ljust(7), pc, lat, lon, "", ""])


def load_synthetic_postcodes(n=400, seed=4):
    rows = synthetic_postcodes(n, seed)
    PostcodeLookup.objects.bulk_create(
        [
            PostcodeLookup(postcode=pc.replace(" ", ""), latitude=la, longitude=lo)
            for pc, la, lo in rows
        ],
        ignore_conflicts=True,
    )
    return rows


@transaction.atomic
def generate_directory(place, *, services=200, locations=None, seed=4, postcodes=None):
    """Fill a place's directory with `services` entries and `locations` locations.

    Returns the number of services created. Locations are shared round-robin by services.
    """
    rng = random.Random(seed)
    ensure_default_taxonomy(place)
    terms = {t.code: t for t in TaxonomyTerm.objects.filter(place=place)}
    postcodes = postcodes or load_synthetic_postcodes(seed=seed)
    locations = locations or max(1, services // 2)
    now = timezone.now()
    n_orgs = max(1, services // 10)
    orgs = [
        Organization(
            id=uuid.UUID(int=rng.getrandbits(128), version=4),
            place=place,
            name=f"{rng.choice(['Friends of', 'Oldham', 'Chadderton', 'Failsworth'])} "
            f"{rng.choice(['Community Trust', 'Action', 'Together', 'Network'])} {i + 1}",
            description="A local organisation running groups and services.",
            website=f"https://example.org/org-{i + 1}",
        )
        for i in range(n_orgs)
    ]
    Organization.objects.bulk_create(orgs, batch_size=2000)
    locs = []
    for i in range(locations):
        pc, lat, lon = postcodes[i % len(postcodes)]
        locs.append(
            Location(
                id=uuid.UUID(int=rng.getrandbits(128), version=4),
                place=place,
                name=f"{rng.choice(['St Mary', 'Greenacres', 'Werneth', 'Hollinwood'])} "
                f"community centre {i + 1}",
                address_1=f"{rng.randint(1, 200)} {rng.choice(STREETS)}",
                city="Oldham",
                state_province="Greater Manchester",
                postal_code=pc,
                latitude=lat + rng.uniform(-0.002, 0.002),
                longitude=lon + rng.uniform(-0.002, 0.002),
            )
        )
    Location.objects.bulk_create(locs, batch_size=2000)
    rows, sals, schedules, links = [], [], [], []
    through = Service.taxonomy_terms.through
    vocabulary = set()
    for i in range(services):
        # The first entries cover every kind of activity and space once; then at random.
        if i < len(ACTIVITIES) + len(SPACES):
            is_space = i >= len(ACTIVITIES)
            name, code, description = (ACTIVITIES + SPACES)[i]
        else:
            is_space = rng.random() < 0.15
            name, code, description = rng.choice(SPACES if is_space else ACTIVITIES)
        free = rng.random() < 0.6
        s = Service(
            id=uuid.UUID(int=rng.getrandbits(128), version=4),
            place=place,
            kind=AssetKind.SPACE if is_space else rng.choice([AssetKind.SERVICE, AssetKind.GROUP]),
            organization=None if is_space else orgs[i % n_orgs],
            name=f"{name} {i + 1}" if services > len(ACTIVITIES) else name,
            description=description,
            is_free=free,
            fees_description="" if free else "£2 a session",
            minimum_age=rng.choice([None, None, 18, 50, 65]),
            takes_referrals=not is_space and rng.random() < 0.5,
            languages=["en"] + (["ur"] if rng.random() < 0.2 else []),
            last_checked_at=now - timezone.timedelta(days=rng.randint(0, 500)),
            updated_at=now,
        )
        s.search_text = (
            " "
            + " ".join(
                search.words(f"{s.name} {description} {terms[code].name if code in terms else ''}")
            )
            + " "
        )
        vocabulary.update(s.search_text.split())
        rows.append(s)
        sals.append(
            ServiceAtLocation(
                id=uuid.UUID(int=rng.getrandbits(128), version=4),
                place=place,
                service=s,
                location=locs[i % locations],
            )
        )
        opens = rng.choice([9, 10, 13, 18])
        schedules.append(
            Schedule(
                id=uuid.UUID(int=rng.getrandbits(128), version=4),
                service=s,
                byday=",".join(sorted(rng.sample(DAYS, 2), key=DAYS.index)),
                opens_at=f"{opens:02d}:00",
                closes_at=f"{opens + 2:02d}:00",
            )
        )
        if code in terms:
            links.append(through(service_id=s.id, taxonomyterm_id=terms[code].id))
    Service.objects.bulk_create(rows, batch_size=2000)
    ServiceAtLocation.objects.bulk_create(sals, batch_size=2000)
    Schedule.objects.bulk_create(schedules, batch_size=2000)
    through.objects.bulk_create(links, batch_size=2000, ignore_conflicts=True)
    # Term names are searchable too.
    for t in terms.values():
        vocabulary.update(search.words(t.name))
    SearchWord.objects.bulk_create(
        [SearchWord(place=place, word=w) for w in search.vocabulary_words(" ".join(vocabulary))],
        ignore_conflicts=True,
    )
    cache.delete(search._vocabulary_key(place))
    return services
