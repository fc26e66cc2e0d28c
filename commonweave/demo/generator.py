"""The demo place: a realistic synthetic partnership, generated in bulk.

`generate_demo(residents=N, seed=S)` builds one place ("Hartley Vale") with partner
organisations of every kind, staff in every role, and N residents whose journeys run
from referral through every front door to graduation or closure over the last 18
months: referral clocks kept, late and still waiting; stage histories; conversations;
goals; connections; consent given and withdrawn; a few possible duplicates.

Journeys are told in commonweave.demo.journeys and written in chunks of plain rows
(commonweave.demo.bulk) inside one transaction, so 100,000 residents take well under
two minutes on SQLite. The data keeps the invariants the services keep (the keys
Resident.refresh_keys() computes, due_at = received_at + the response promise,
StageChange rows that end at the resident's stage, Consent = the latest ConsentEvent),
but writes no audit events: generating a demo is nobody reading a record.

Deterministic for a given seed: names, stories and histories repeat exactly; times are
relative to `now`. Public ids come from a second generator seeded with the place slug
too, so two demo places from one seed do not collide.
"""

import random
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone
from faker import Faker

from commonweave.accounts.models import User
from commonweave.core.perf import no_cyclic_gc
from commonweave.people.enums import ReferrerKind
from commonweave.people.models import Resident
from commonweave.prescribing.models import GPRegistration
from commonweave.tenancy.enums import OrganisationKind, Phase, Role
from commonweave.tenancy.models import Membership, Organisation, Place
from commonweave.tenancy.tokens import issue_api_token

from . import phrases as ph
from .area import place_demo_areas
from .bulk import reserve_ids
from .journeys import HOLDERS, PARTNERS, Journeys, weighted

DEMO_PASSWORD = "community connections"
CASELOAD_TARGET = 45  # open residents per catalyst, so caseloads land around 30-60
# Share of residents still open (referred to connecting) with a catalyst, measured from
# the journey model (commonweave.demo.journeys); sizes the number of catalysts for CASELOAD_TARGET.
OPEN_SHARE = 0.32
CHUNK = 5000
_NAME_LOCALES = (("en_GB", 86), ("pl_PL", 3), ("en_IN", 3), ("yo_NG", 3), ("ro_RO", 3))
_NAME_LOCALES += (("tw_GH", 2),)


@dataclass(frozen=True)
class Login:
    email: str
    password: str
    role: str
    organisation: str


@dataclass
class DemoReport:
    place: Place
    logins: list = field(default_factory=list)
    more_logins: int = 0  # further catalysts not listed
    tokens: list = field(default_factory=list)  # (organisation, name, role label, raw token)
    counts: dict = field(default_factory=dict)
    seconds: float = 0.0


class Progress:
    """A progress bar on the terminal (stderr): `residents  4500/10000 [====>     ] 45%`.

    Redraws in place on a terminal; elsewhere prints a line every tenth of the way.
    """

    def __init__(self, label, total, stream=None, width=30):
        self.label, self.total, self.width = label, max(total, 1), width
        self.stream = stream if stream is not None else sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.started = time.perf_counter()
        self._last_tenth = -1

    def update(self, done):
        fraction = min(done / self.total, 1.0)
        tenth = int(fraction * 10)
        if not self.tty and tenth == self._last_tenth and done < self.total:
            return
        self._last_tenth = tenth
        filled = int(fraction * self.width)
        bar = "=" * filled + (">" if filled < self.width else "") + " " * (self.width - filled - 1)
        elapsed = time.perf_counter() - self.started
        line = (
            f"{self.label}  {done:>{len(str(self.total))}}/{self.total} [{bar[: self.width]}] "
            f"{fraction:4.0%}  {elapsed:5.1f}s"
        )
        if self.tty:
            self.stream.write("\r" + line + ("\n" if done >= self.total else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def staff_email(local, slug):
    return f"{local}@{slug}.example"


class _Names:
    """Pools of names and streets drawn once from Faker (seeded), then combined quickly."""

    def __init__(self, seed):
        self.pools = []
        for locale, weight in _NAME_LOCALES:
            fake = Faker(locale)
            fake.seed_instance(seed)
            size = 400 if locale == "en_GB" else 60
            self.pools.append(
                (
                    (
                        [fake.first_name_female() for _ in range(size)],
                        [fake.first_name_male() for _ in range(size)],
                        [fake.last_name() for _ in range(size * 2)],
                    ),
                    weight,
                )
            )
        fake = Faker("en_GB")
        fake.seed_instance(seed)
        self.streets = sorted(
            {f"{fake.last_name()} {fake.random_element(ph.STREET_SUFFIXES)}" for _ in range(240)}
        )

    def person(self, rng):
        female, male, last = weighted(rng, self.pools)
        first = rng.choice(female if rng.random() < 0.58 else male)
        return first, rng.choice(last)


class _Staff:
    """The demo place's organisations and people, by key."""

    def __init__(self):
        self.orgs = {}  # key -> Organisation
        self.users = {}  # key -> list of User
        self.logins = []  # Login rows for the table
        self.more_logins = 0


def _make_place(slug, name):
    place = Place.objects.create(name=name, slug=slug, phase=Phase.DELIVERY)
    staff = _Staff()
    for key, org_name, kind in ph.ORGANISATIONS:
        staff.orgs[key] = Organisation.objects.create(
            place=place, name=org_name.format(place=name), kind=OrganisationKind(kind)
        )
    place.lead_organisation = staff.orgs["lead"]
    place.save(update_fields=["lead_organisation"])
    return place, staff


def _make_staff(place, staff, names, rng, residents):
    """Users for every role. Casework staff are sized so caseloads stay realistic."""
    slug = place.slug
    casework = {
        key: max(
            1 if key != "lead" else 2,
            round(residents * share / 100 * OPEN_SHARE / CASELOAD_TARGET),
        )
        for key, share in HOLDERS
    }
    # (user key, email local part, [(org key, role), ...])
    people = [
        ("coordinator", "coordinator", [("lead", Role.COORDINATOR), ("shed", Role.PARTNER_WORKER)]),
        ("admin", "admin", [("lead", Role.PLACE_ADMIN)]),
        ("analyst", "analyst", [("lead", Role.ANALYST)]),
    ]
    people += [
        ("catalyst", f"catalyst.{n}", [("lead", Role.CATALYST)])
        for n in range(1, casework["lead"] + 1)
    ]
    people += [
        ("council_catalyst", f"council.connector.{n}", [("council", Role.CATALYST)])
        for n in range(1, casework["council"] + 1)
    ]
    people += [
        ("centre_coordinator", f"centre.coordinator.{n}", [("centre", Role.COORDINATOR)])
        for n in range(1, casework["centre"] + 1)
    ]
    for key in PARTNERS:
        people.append((f"{key}_worker", f"{key}.worker", [(key, Role.PARTNER_WORKER)]))

    # One hash for everyone: hashing is deliberately slow and the password is shared.
    hashed = User(email="x@example.org")
    hashed.set_password(DEMO_PASSWORD)
    users = []
    for _, local, _ in people:
        first, last = names.person(rng)
        users.append(
            User(
                email=staff_email(local, slug),
                name=f"{first} {last}",
                password=hashed.password,
                date_joined=timezone.now(),
            )
        )
    User.objects.bulk_create(users)
    users = {u.email: u for u in User.objects.filter(email__in=[u.email for u in users])}
    memberships = []
    shown_per_key = {}
    for key, local, grants in people:
        user = users[staff_email(local, slug)]
        staff.users.setdefault(key, []).append(user)
        for org_key, role in grants:
            memberships.append(Membership(user=user, organisation=staff.orgs[org_key], role=role))
    Membership.objects.bulk_create(memberships)
    for key, local, grants in people:
        shown_per_key[key] = shown_per_key.get(key, 0) + 1
        if shown_per_key[key] > (3 if key == "catalyst" else 1):
            staff.more_logins += 1
            continue
        for org_key, role in grants:
            staff.logins.append(
                Login(
                    staff_email(local, slug),
                    DEMO_PASSWORD,
                    Role(role).label,
                    staff.orgs[org_key].name,
                )
            )
    return staff


def place_logins(place) -> tuple[list[Login], int]:
    """The demo logins of an existing place (one per role and organisation, three
    catalysts), and how many more staff share the demo password."""
    memberships = (
        Membership.objects.filter(
            organisation__place=place, user__email__endswith=f"@{place.slug}.example"
        )
        .select_related("user", "organisation")
        .order_by("organisation__pk", "role", "user__pk")
    )
    logins, seen, more = [], {}, 0
    for m in memberships:
        key = (m.organisation_id, m.role)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > (3 if m.role == Role.CATALYST else 1):
            more += 1
            continue
        logins.append(Login(m.user.email, DEMO_PASSWORD, m.get_role_display(), m.organisation.name))
    return logins, more


# Made-up practices (ODS-shaped codes in no real use) for the residents a GP referred.
DEMO_PRACTICES = (
    ("Y99001", "Hartley Vale Medical Centre"),
    ("Y99002", "Millbrook Surgery"),
    ("Y99003", "Canal Street Health Centre"),
)


def demo_nhs_number(rng) -> str:
    """A well-formed NHS number in the 999 range, which the NHS keeps for testing."""
    while True:
        digits = [9, 9, 9] + [rng.randrange(10) for _ in range(6)]
        check = 11 - sum(d * (10 - i) for i, d in enumerate(digits)) % 11
        check = 0 if check == 11 else check
        if check != 10:
            return "".join(map(str, digits)) + str(check)


def gp_registrations(place, rng):
    """Residents referred by a GP have that practice recorded (and most an NHS number),
    so their message back to the GP is complete."""
    residents = Resident.objects.filter(
        place=place, referrals__referrer_kind=ReferrerKind.GP
    ).distinct()
    GPRegistration.objects.bulk_create(
        GPRegistration(
            resident_id=pk,
            practice_code=(practice := rng.choice(DEMO_PRACTICES))[0],
            practice_name=practice[1],
            nhs_number=demo_nhs_number(rng) if rng.random() < 0.8 else "",
        )
        for pk in residents.values_list("pk", flat=True)
    )


def _issue_tokens(staff):
    admin = staff.users["admin"][0]
    issued = []
    for key, name, role in (
        ("nhs", "GP practice referral system", Role.PARTNER_WORKER),
        ("housing", "Housing management system", Role.PARTNER_WORKER),
        ("lead", "Lead organisation reporting", Role.COORDINATOR),
    ):
        org = staff.orgs[key]
        _, raw = issue_api_token(organisation=org, name=name, role=role, created_by=admin)
        issued.append((org.name, name, Role(role).label, raw))
    return issued


@contextmanager
def _roomy_sqlite_cache(cursor):
    """A big page cache while generating: index pages stay in memory instead of spilling
    to the write-ahead log page by page. Restored afterwards."""
    if connection.vendor != "sqlite":
        yield
        return
    cursor.execute("PRAGMA cache_size")
    before = cursor.fetchone()[0]
    cursor.execute("PRAGMA cache_size = -262144")  # 256 MiB
    try:
        yield
    finally:
        cursor.execute(f"PRAGMA cache_size = {int(before)}")


def _analyze(tables):
    """Fresh planner statistics for the tables just filled, so pages use the indexes."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # Sampled so a million rows take seconds; 1,000 rows was too few for good plans.
            cursor.execute("PRAGMA analysis_limit = 20000")
            cursor.execute("ANALYZE")
        elif connection.vendor == "postgresql":
            for model in tables:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def generate_demo(
    *,
    residents,
    seed=1,
    slug=ph.PLACE_SLUG,
    name=ph.PLACE_NAME,
    now=None,
    stream=None,
    chunk=CHUNK,
) -> DemoReport:
    """Build the demo place with `residents` residents. Raises ValueError if `slug` exists.

    Side effects: one Place with organisations, staff users (password DEMO_PASSWORD),
    memberships, residents with their histories, and three API tokens (returned raw in the
    report, stored only as hashes). No audit events. Progress goes to `stream` (stderr).
    """
    if residents < 0:
        raise ValueError("residents must be zero or more")
    if Place.objects.filter(slug=slug).exists():
        raise ValueError(f"A place with the slug {slug!r} already exists")
    started = time.perf_counter()
    rng = random.Random(seed)
    id_rng = random.Random(f"{seed}:{slug}")
    names = _Names(seed)
    now = now or timezone.now()
    progress = Progress("residents", residents, stream=stream)
    with transaction.atomic(), no_cyclic_gc():
        place, staff = _make_place(slug, name)
        staff = _make_staff(place, staff, names, rng, residents)
        journeys = Journeys(
            place=place, orgs=staff.orgs, users=staff.users, names=names, rng=rng,
            id_rng=id_rng, now=now or timezone.now(), residents=residents,
        )  # fmt: skip
        done = 0
        progress.update(0)
        with connection.cursor() as cursor, _roomy_sqlite_cache(cursor):
            while done < residents:
                size = min(chunk, residents - done)
                for index, resident_id in enumerate(reserve_ids(Resident, size), start=done):
                    journeys.build(index, resident_id)
                for table in journeys.tables.values():
                    table.flush(cursor)
                done += size
                progress.update(done)
        gp_registrations(place, random.Random(f"{seed}:gp"))
        place_demo_areas(place, seed=seed)  # IoD 2025; residents' LSOA and ward
        tokens = _issue_tokens(staff)
    counts = {
        str(model._meta.verbose_name_plural): table.written
        for model, table in journeys.tables.items()
    }
    _analyze(journeys.tables)
    return DemoReport(
        place=place,
        logins=staff.logins,
        more_logins=staff.more_logins,
        tokens=tokens,
        counts=counts,
        seconds=time.perf_counter() - started,
    )
