"""A synthetic directory and postcode file for the demo, tests and benchmarks.

`generate_directory(place, services=N, locations=M, seed=S)` fills a place's directory
with entries that read like a real borough's: lunch clubs, food banks, choirs, advice
drop-ins and corner shops (directory_catalogue.KINDS), named for their neighbourhood, venue
or day ("Werneth Walking Group", "Tuesday Lunch Club at St Anne's Church Hall"), each name
unique in the place and never numbered. Most have a phone number (Ofcom's drama ranges),
an email and website (example.org / example.com) and opening times, and are run by an
organisation: the partnership's own, the council, an NHS trust, a charity or a local group.
The groups and places the demo's casework and network mention (directory_catalogue.ANCHORS)
come first, so a catalyst searching for a resident's group finds it.

Deterministic for a given seed. Rows are written as plain tuples (commonweave.demo.bulk):
building model instances cost more than the database's own work, so 50,000 services and
100,000 locations stay quick.
"""

import bisect
import csv
import json
import random
import re
import uuid
from functools import cache
from itertools import accumulate
from pathlib import Path
from types import SimpleNamespace

from django.core.cache import cache as django_cache
from django.db import connection, transaction
from django.utils import timezone

from commonweave.directory import search
from commonweave.directory.models import (
    Contact,
    Location,
    Organization,
    PostcodeLookup,
    Schedule,
    SearchWord,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from commonweave.directory.search import ensure_related_words
from commonweave.directory.services import ensure_default_taxonomy

from . import directory_catalogue as cat
from .bulk import adapters

CENTRE = (53.5409, -2.1114)  # Oldham town centre
# Oldham's 2023 wards (ONS, OGL v3.0; see data/PROVENANCE.md): the demo's neighbourhoods.
DEMO_WARDS = Path(__file__).resolve().parent / "data" / "oldham_ward2023_generalised.geojson"
AREAS = ["OL1", "OL2", "OL4", "OL8", "OL9"]
BATCH = 5000
# Shares of entries with contact details (spaces such as parks and shops have fewer).
CONTACT_SHARE, SPACE_CONTACT_SHARE = 0.9, 0.35
WEB_SHARE, EMAIL_SHARE = 0.7, 0.6


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


# ---- Names ----------------------------------------------------------------------------------


@cache
def _ward_centres():
    """[(lat, lon, ward name)] from the demo's ward boundaries."""
    with open(DEMO_WARDS) as fh:
        features = json.load(fh)["features"]
    return [
        (float(f["properties"]["lat"]), float(f["properties"]["lon"]), f["properties"]["area_name"])
        for f in features
    ]


def _neighbourhood(lat, lon, rng):
    """A neighbourhood of the ward whose centre is nearest (lat, lon)."""
    ward = min(_ward_centres(), key=lambda c: (c[0] - lat) ** 2 + ((c[1] - lon) * 0.6) ** 2)[2]
    return rng.choice(cat.WARD_NEIGHBOURHOODS[ward])


def _saint_of(area):
    """The parish church's saint in a neighbourhood: always the same one."""
    return cat.SAINTS[sum(map(ord, area)) % len(cat.SAINTS)]


def _slug(name):
    return re.sub(r"[^a-z0-9]+", "-", name.lower().replace("'", "")).strip("-")


def _sessions(text):
    """'MO,WE 10:00-12:00; FR 13:00-15:00' -> [('MO,WE', '10:00', '12:00'), ...]"""
    out = []
    for part in text.split(";"):
        days, hours = part.split()
        opens, closes = hours.split("-")
        out.append((days, opens, closes))
    return out


def _part_of_day(opens):
    hour = int(opens[:2])
    return "mornings" if hour < 12 else "afternoons" if hour < 17 else "evenings"


class _Venues:
    """Distinct venue names for locations, drawn per neighbourhood while they last."""

    def __init__(self, rng):
        self.rng = rng
        self.used = set(cat.ANCHOR_VENUES)
        self.pools = {}

    def name(self, area, street):
        pool = self.pools.get(area)
        if pool is None:
            pool = []
            for pattern in cat.VENUE_PATTERNS:
                if "{saint}" in pattern:
                    pool += [pattern.format(saint=s) for s in cat.SAINTS]
                else:
                    pool.append(pattern.replace("{area}", area))
            self.rng.shuffle(pool)
            self.pools[area] = pool
        while pool:
            name = pool.pop().replace("{street}", street)
            if name not in self.used:
                self.used.add(name)
                return name
        return ""  # a location known by its address alone


class _Namer:
    """Unique, believable names: the kind's patterns for the entry's own neighbourhood,
    venue and day first, then the same with its street or its day and time of day."""

    def __init__(self, place_name, taken=()):
        self.place_name = place_name
        self.seen = {n.lower() for n in taken}

    def _take(self, name):
        key = name.lower()
        if key in self.seen:
            return None
        self.seen.add(key)
        return name

    def name(self, kind, *, area, venue, street, sessions, rng):
        day = cat.DAY_NAMES.get(sessions[0][0], "") if len(sessions) == 1 else ""
        slots = {"area": area, "venue": venue, "day": day, "place": self.place_name,
                 "saint": _saint_of(area)}  # fmt: skip
        bases = [
            p.format(**slots)
            for p in kind.names
            if (venue or "{venue}" not in p) and (day or "{day}" not in p)
        ] or [kind.names[0].format(**{**slots, "venue": f"{area} Community Centre"})]
        rng.shuffle(bases)
        when = f"{day} {_part_of_day(sessions[0][1])}" if day else ""
        others = rng.sample(cat.STREETS, len(cat.STREETS))
        for make in (
            lambda base: [base],
            lambda base: [f"{base} ({area})"] if area not in base else [],
            lambda base: [f"{base}, {street}", when and f"{base} ({when})"],
            lambda base: [f"{base} ({area}), {street}" if area not in base else "",
                          when and f"{base}, {street} ({when})"],
            lambda base: [f"{base}, {other}" for other in others]
            + ([f"{base} ({area}), {other}" for other in others] if area not in base else []),
            lambda base: [f"{base}, corner of {one} and {two}" for one in others for two in others
                          if one < two],
        ):  # fmt: skip
            for base in bases:
                for name in make(base):
                    if name and (found := self._take(name)):
                        return found
        raise ValueError(f"Too many entries of the kind {kind.key!r} to name them apart")


# ---- Contact details ------------------------------------------------------------------------


def _phone(rng, style):
    """A number from Ofcom's ranges for drama: never a real line."""
    n = rng.randrange(1000)
    if style == "mobile":
        return f"07700 900{n:03d}"
    if style == "freephone":
        return f"0808 157 0{n:03d}"
    return f"0161 496 0{n:03d}"


class _Organisations:
    """The organisations that run entries, made the first time one is needed."""

    PUBLIC = {"council", "pcn", "trust", "library"}

    def __init__(self, place, rng, id_of):
        self.place, self.rng, self.id_of = place, rng, id_of
        self.by_name = {}  # name -> (id, email, website, phone, name)
        self.rows = []

    def get(self, provider, area):
        template = cat.PROVIDERS.get(provider, provider)
        saint = _saint_of(area)
        name = template.format(place=self.place.name, area=area, saint=saint)
        found = self.by_name.get(name)
        if found:
            return found
        domain = "example.com" if provider in self.PUBLIC else "example.org"
        website = f"https://{_slug(name)[:50]}.{domain}"
        email = f"hello@{_slug(name)[:50]}.{domain}"
        description = cat.ORGANISATION_DESCRIPTIONS.get(provider) or cat.CHARITY_DESCRIPTION
        org_id = self.id_of()
        style = "freephone" if provider in self.PUBLIC and self.rng.random() < 0.2 else "land"
        found = (org_id, email, website, _phone(self.rng, style), name)
        self.by_name[name] = found
        self.rows.append((org_id, name, description.format(place=self.place.name), email, website))
        return found


# ---- The generator --------------------------------------------------------------------------


def _plan(services, rng):
    """The catalogue kind of each entry: the anchors, every kind once, then by weight."""
    kinds = {k.key: k for k in cat.KINDS}
    plan = [(kinds[key], name) for name, (key, _, _) in cat.ANCHORS.items()][:services]
    every = list(cat.KINDS)
    rng.shuffle(every)
    plan += [(k, None) for k in every[: max(0, services - len(plan))]]
    weights = list(accumulate(k.weight for k in cat.KINDS))
    while len(plan) < services:
        pick = bisect.bisect_right(weights, rng.random() * weights[-1])
        plan.append((cat.KINDS[pick], None))
    return plan


def _placed(plan, hidden, public):
    """The location index of each entry. Anchors meet at their venues; confidential entries
    each have one of the locations after the public ones; the rest go round the public
    locations, those no anchor uses first, so every location is used when there are enough
    entries (in a small directory, anchors beyond the first at each venue go round too)."""
    venue_index = {venue: i for i, (_, _, venue, _) in enumerate(public) if venue}
    hidden_at = {entry: len(public) + n for n, entry in enumerate(hidden)}
    pinned = {}
    for i, (_, anchor) in enumerate(plan):
        if anchor and cat.ANCHORS[anchor][1] in venue_index:
            pinned[i] = venue_index[cat.ANCHORS[anchor][1]]
    at_venues = set(pinned.values())
    free = [i for i in range(len(public)) if i not in at_venues]
    loose = len(plan) - len(pinned) - len(hidden_at)
    shared, first = [], set()
    for i, at in pinned.items():
        if at in first:
            shared.append(i)
        first.add(at)
    for i in reversed(shared):
        if loose >= len(free):
            break
        del pinned[i]
        loose += 1
    order = free + sorted(at_venues)
    where, n = [], 0
    for i in range(len(plan)):
        if i in hidden_at:
            where.append(hidden_at[i])
        elif i in pinned:
            where.append(pinned[i])
        else:
            where.append(order[n % len(order)])
            n += 1
    return where


class _Writer:
    """Rows for one model as tuples in `columns` order, each value prepared for the database
    the way its field would prepare it. The model's other fields take their defaults (an
    empty string for text), so fields added to the models later need no change here."""

    def __init__(self, model, columns):
        meta = model._meta
        fields = {f.attname: f for f in meta.concrete_fields}
        missing = [
            f for f in meta.concrete_fields if f.attname not in columns and not f.primary_key
        ]
        self.defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in missing)
        for f, value in zip(missing, self.defaults, strict=True):
            if value is None and not f.null:
                raise ValueError(f"The demo directory must fill {meta.label}.{f.name}")
        qn = connection.ops.quote_name
        names = [fields[c].column for c in columns] + [f.column for f in missing]
        # Names come from model metadata and are quoted; every value is a parameter.
        self.sql = (
            f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(n) for n in names)}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(names))})"
        )
        self.rows = []

    def write(self, cursor):
        rows = self.rows
        for start in range(0, len(rows), BATCH):
            cursor.executemany(
                self.sql, [row + self.defaults for row in rows[start : start + BATCH]]
            )
        self.rows = []


def _prep(model, field_name):
    field = model._meta.get_field(field_name)
    return lambda value: field.get_db_prep_save(value, connection)


@transaction.atomic
def generate_directory(place, *, services=200, locations=None, seed=4, postcodes=None):
    """Fill a place's directory with `services` entries and `locations` locations.

    Returns the number of services created. Locations are shared round-robin by services,
    except that entries kept at a confidential address (a refuge's outreach) each get one
    of the last locations, published by its area only.
    """
    rng = random.Random(seed)
    ensure_default_taxonomy(place)
    ensure_related_words(place)
    terms = {t.code: t for t in TaxonomyTerm.objects.filter(place=place)}
    postcodes = postcodes or load_synthetic_postcodes(seed=seed)
    locations = locations or max(1, services // 2)
    now = timezone.now()
    at_time, _ = adapters()
    uid = _prep(Service, "id")
    as_json = _prep(Service, "languages")
    as_time = cache(_prep(Schedule, "opens_at"))
    now_db = at_time(now)
    checked = [at_time(now - timezone.timedelta(days=d)) for d in range(501)]

    def new_id():
        return uuid.UUID(int=rng.getrandbits(128), version=4)

    plan = _plan(services, rng)
    hidden = [i for i, (kind, _) in enumerate(plan) if kind.confidential]
    if len(hidden) >= locations:
        hidden = []
    public = locations - len(hidden)

    # Locations: a neighbourhood from the postcode's ward, a venue while they last.
    areas = {pc: _neighbourhood(lat, lon, rng) for pc, lat, lon in postcodes}
    venues = _Venues(rng)
    locs = []  # (id, area, venue, street)
    loc_rows = []
    for i in range(locations):
        pc, lat, lon = postcodes[i % len(postcodes)]
        area = areas[pc]
        street = rng.choice(cat.STREETS)
        confidential = i >= public
        if confidential:
            venue = ""
        elif i < len(cat.ANCHOR_VENUES):
            venue = cat.ANCHOR_VENUES[i]
        else:
            venue = venues.name(area, street)
        loc_id = new_id()
        locs.append((loc_id, area, venue, street))
        loc_rows.append(
            (
                uid(loc_id), place.pk, venue, f"{rng.randint(1, 200)} {street}", "Oldham",
                "Greater Manchester", pc, lat + rng.uniform(-0.002, 0.002),
                lon + rng.uniform(-0.002, 0.002), confidential,
                f"{area}, {place.name}" if confidential else "", now_db,
            )
        )  # fmt: skip
    where = _placed(plan, hidden, locs[:public])

    orgs = _Organisations(place, rng, new_id)
    namer = _Namer(place.name, taken=[name for _, name in plan if name])
    service_rows, sal_rows, schedule_rows, contact_rows, link_rows = [], [], [], [], []
    vocabulary = set()
    languages = {}
    for i, (kind, anchor) in enumerate(plan):
        loc_id, area, venue, street = locs[where[i]]
        times = cat.ANCHORS[anchor][2] if anchor else (rng.choice(kind.times) if kind.times else "")
        sessions = _sessions(times) if times else [("", "", "")]
        name = anchor or namer.name(
            kind, area=area, venue=venue, street=street, sessions=sessions, rng=rng
        )
        org = orgs.get(rng.choice(kind.providers), area) if kind.providers else None
        service_id = new_id()
        free = not kind.cost or kind.cost.lower().startswith("free")
        url = email = ""
        if org and rng.random() < WEB_SHARE:
            url = f"{org[2]}/{kind.key}"
        if org and rng.random() < EMAIL_SHARE:
            email = org[1]
        term = terms.get(kind.code)
        text = search.search_text_for(
            SimpleNamespace(
                name=name,
                description=kind.description,
                eligibility=kind.eligibility,
                organization_id=org and org[0],
                organization=SimpleNamespace(name=org[4] if org else ""),
            ),
            [term.name] if term else (),
        )
        vocabulary.update(text.split())
        if kind.languages not in languages:
            languages[kind.languages] = as_json(list(kind.languages))
        service_rows.append(
            (
                uid(service_id), place.pk, kind.kind, org and uid(org[0]), name,
                kind.description, url, email, "active", kind.ages[0], kind.ages[1],
                kind.eligibility, free, "" if free else kind.cost, kind.how, kind.access,
                languages[kind.languages],
                kind.referrals or (kind.kind == "group" and rng.random() < 0.25),
                checked[rng.randint(0, 500)], now_db, text,
            )
        )  # fmt: skip
        sal_rows.append((uid(new_id()), place.pk, uid(service_id), uid(loc_id)))
        for byday, opens, closes in sessions if times else ():
            schedule_rows.append(
                (uid(new_id()), uid(service_id), byday, as_time(opens), as_time(closes))
            )
        share = SPACE_CONTACT_SHARE if kind.kind == "space" else CONTACT_SHARE
        if rng.random() < share:
            if kind.kind == "group" and rng.random() < 0.5:
                who, title = rng.choice(cat.ORGANISER_NAMES), "Organiser"
                phone = _phone(rng, "mobile")
            else:
                who, title, phone = "", "", org[3] if org else _phone(rng, "land")
            contact_rows.append((uid(new_id()), uid(service_id), who, title, email, phone))
        if term:
            link_rows.append((uid(service_id), uid(term.id)))

    writers = {
        Organization: ["id", "place_id", "name", "description", "email", "website", "updated_at"],
        Location: [
            "id", "place_id", "name", "address_1", "city", "state_province", "postal_code",
            "latitude", "longitude", "confidential", "area", "updated_at",
        ],
        Service: [
            "id", "place_id", "kind", "organization_id", "name", "description", "url", "email",
            "status", "minimum_age", "maximum_age", "eligibility", "is_free", "fees_description",
            "how_to_access", "accessibility", "languages", "takes_referrals", "last_checked_at",
            "updated_at", "search_text",
        ],
        ServiceAtLocation: ["id", "place_id", "service_id", "location_id"],
        Schedule: ["id", "service_id", "byday", "opens_at", "closes_at"],
        Contact: ["id", "service_id", "name", "title", "email", "phone"],
        Service.taxonomy_terms.through: ["service_id", "taxonomyterm_id"],
    }  # fmt: skip
    writers = {model: _Writer(model, columns) for model, columns in writers.items()}
    writers[Organization].rows = [
        (uid(org_id), place.pk, name, description, email, website, now_db)
        for org_id, name, description, email, website in orgs.rows
    ]
    writers[Location].rows = loc_rows
    writers[Service].rows = service_rows
    writers[ServiceAtLocation].rows = sal_rows
    writers[Schedule].rows = schedule_rows
    writers[Contact].rows = contact_rows
    writers[Service.taxonomy_terms.through].rows = link_rows
    with connection.cursor() as cursor:
        for writer in writers.values():
            writer.write(cursor)
    # Term names are searchable too.
    for t in terms.values():
        vocabulary.update(search.words(t.name))
    SearchWord.objects.bulk_create(
        [SearchWord(place=place, word=w) for w in search.vocabulary_words(" ".join(vocabulary))],
        ignore_conflicts=True,
    )
    django_cache.delete(search._vocabulary_key(place))
    return services
