"""One resident's whole journey, as rows ready to insert.

A journey follows what the services would have written: a referral through a front door
with its response clock (due 24 hours after it arrived, 3 if urgent), first contact
kept within the promise, late, or still waiting; then engaged, connecting and graduated,
or closed with a reason. Each change of stage is a StageChange row ending at the
resident's stage; conversations carry the next action; goals progress as far as the
person has come; consent events are appended and the current Consent is the latest.
Everything after `now` is cut off, so the demo is a snapshot of a living place.
"""

import random
import string
import unicodedata
import zlib
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from commonweave.people import enums as pe
from commonweave.people.models import (
    Connection,
    Consent,
    ConsentEvent,
    Conversation,
    Goal,
    Referral,
    Resident,
    StageChange,
    name_key,
    phone_key,
)
from commonweave.people.services import CONTACT_CONSENT_BY_REFERRER, RESPONSE_PROMISE

from . import phrases as ph
from .bulk import Table, adapters

HISTORY_DAYS = 540  # about 18 months of referrals
# Where residents are held: the lead VCSE holds most; the council's community
# connectors and the community centre's coordinators hold their own.
HOLDERS = (("lead", 82), ("council", 11), ("centre", 7))
PARTNERS = ("council", "nhs", "housing", "school", "police", "centre", "shed")
# The day the first catalyst (catalyst.1) signs in to: first contacts waiting for them, one
# already overdue, and an urgent referral no one in their organisation has taken yet.
# (hours since it arrived, urgent, assigned to the first catalyst)
WAITING = ((30, False, True), (4, False, True), (1, True, False))
_ID_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_LONDON = ZoneInfo("Europe/London")
_POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
H = timedelta(hours=1)
_SECOND = timedelta(seconds=1)
D = timedelta(days=1)

S = pe.Stage
Out = pe.ContactOutcome
Door = pe.FrontDoor
Kind = pe.ReferrerKind
Method = pe.ContactMethod
Cx = pe.ConnectionStatus

_SLOTS = {}
_SLOT_WORDS = {
    "topic": ph.TOPICS,
    "mood": ph.MOODS,
    "group": ph.CONNECTIONS["group"],
    "verdict": ph.VERDICTS,
    "setback": ph.SETBACKS,
}

RESIDENT_COLUMNS = (
    "id", "public_id", "place_id", "organisation_id", "full_name", "preferred_name",
    "date_of_birth", "phone", "email", "address", "postcode", "contact_method",
    "contact_when", "stage", "stage_changed_at", "catalyst_id", "what_matters", "strengths",
    "has_to_give", "next_action", "next_action_due", "graduated_at", "graduation_words",
    "giving_back", "closed_at", "closed_reason", "closed_note", "merged_into_id",
    "name_key", "phone_key", "email_key", "version", "created_at", "updated_at",
)  # fmt: skip
REFERRAL_COLUMNS = (
    "public_id", "place_id", "resident_id", "front_door", "referrer_kind", "referrer_name",
    "referrer_contact", "referring_organisation_id", "referred_by_id", "reason", "urgency",
    "consent", "received_at", "due_at", "status", "assigned_to_id", "assigned_at",
    "first_contact_at", "first_contact_outcome", "first_contact_note", "first_contact_by_id",
)  # fmt: skip
COLUMNS = {
    Resident: RESIDENT_COLUMNS,
    Referral: REFERRAL_COLUMNS,
    StageChange: ("resident_id", "from_stage", "to_stage", "changed_at", "changed_by_id", "note"),
    Conversation: (
        "resident_id", "author_id", "happened_at", "kind", "notes", "next_action",
        "next_action_due", "created_at",
    ),
    Goal: (
        "resident_id", "text", "progress", "created_by_id", "created_at", "updated_at",
        "achieved_at",
    ),
    Connection: (
        "resident_id", "kind", "name", "description", "status", "made_on", "recorded_by_id",
        "created_at",
    ),
    ConsentEvent: (
        "resident_id", "purpose", "organisation_id", "given", "method", "wording",
        "recorded_by_id", "recorded_at",
    ),
    Consent: ("resident_id", "purpose", "organisation_id", "given", "since"),
}  # fmt: skip


def weighted(rng, pairs):
    total = sum(w for _, w in pairs)
    pick = rng.random() * total
    for value, weight in pairs:
        pick -= weight
        if pick < 0:
            return value
    return pairs[-1][0]


def local_date(moment: datetime) -> date:
    return moment.astimezone(_LONDON).date()


def _ascii(text):
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


class Journeys:
    """Builds residents one by one into per-table row buffers (see `tables`)."""

    def __init__(self, *, place, orgs, users, names, rng, id_rng, now, residents):
        self.place_id = place.pk
        self.org_ids = {key: org.pk for key, org in orgs.items()}
        self.org_names = {key: org.name for key, org in orgs.items()}
        self.names, self.rng, self.id_rng = names, rng, id_rng
        self.now = now.astimezone(UTC).replace(microsecond=0)
        self.today = local_date(self.now)
        self.casework = {
            "lead": [u.pk for u in users["catalyst"]],
            "council": [u.pk for u in users["council_catalyst"]],
            "centre": [u.pk for u in users["centre_coordinator"]],
        }
        self.catalyst_names = {
            u.pk: (u.name, u.email)
            for key in ("catalyst", "council_catalyst", "centre_coordinator")
            for u in users[key]
        }
        self.partner_workers = {key: users[f"{key}_worker"][0] for key in PARTNERS}
        self.tables = {model: Table(model, columns) for model, columns in COLUMNS.items()}
        self.dt, self.d = adapters()
        self.phone_counter = 0
        self.email_counter = 0
        # "A few" possible duplicates: about one in 250, at least 3, at most 100.
        target = min(100, max(3, residents // 250))
        self.duplicate_every = max(2, residents // target) if residents >= 6 else 0
        # A steady trickle of very recent referrals keeps the triage queue alive.
        self.recent_share = min(0.03, max(6 / max(residents, 1), 0.006))
        self.previous = None
        self.first = ""
        self.residents = residents
        self.waiting_rng = random.Random(hash(rng.getstate()))  # draws nothing from rng

    # --- small helpers ---------------------------------------------------------------

    def public_id(self):
        # 31**12 possible ids: two alike among a million residents is a few-in-a-million
        # chance, and the unique index would then refuse the whole demo, not corrupt it.
        return "".join(self.id_rng.choices(_ID_ALPHABET, k=12))

    def fill(self, template):
        """A phrase with its slots filled; only the slots it has cost a random draw."""
        slots = _SLOTS.get(template)
        if slots is None:
            slots = _SLOTS[template] = tuple(
                name for _, name, _, _ in string.Formatter().parse(template) if name
            )
        rng = self.rng
        values = {}
        for name in slots:
            values[name] = self.first if name == "first" else rng.choice(_SLOT_WORDS[name])
        return template.format(**values)

    def days(self, low, high):
        return timedelta(seconds=int((low + (high - low) * self.rng.random()) * 86400))

    def hours(self, low, high):
        return timedelta(seconds=int((low + (high - low) * self.rng.random()) * 3600))

    def daytime(self, at, after, before=None):
        """`at` moved to working hours on the same day, unless that would put it at or
        before `after` or after `before`; seconds dropped."""
        hour = int(9 + 8 * self.rng.random())
        moved = at.replace(hour=hour, microsecond=0)
        if moved <= after or (before is not None and moved > before):
            return at.replace(microsecond=0)
        return moved

    def received_at(self, door):
        rng = self.rng
        if rng.random() < self.recent_share:
            return self.now - self.hours(0.2, 36)
        # Referrals grow as the partnership becomes known: density rises across the window.
        u = rng.random() if rng.random() < 0.5 else rng.random() ** 0.5
        day = self.today - timedelta(days=int((1 - u) * HISTORY_DAYS) + 1)
        if door in (Door.STAFF, Door.API):
            while day.weekday() >= 5:
                day -= D
            hour = rng.uniform(8.5, 17.5)
        else:
            hour = rng.uniform(7, 23)
        local = datetime(day.year, day.month, day.day, tzinfo=_LONDON) + timedelta(hours=hour)
        return local.astimezone(UTC).replace(microsecond=0)

    # --- who, and through which door -------------------------------------------------

    def source(self, holder, forced_door=None):
        """(front door, referrer kind, referring organisation key, referring user id)."""
        rng = self.rng
        if holder == "council":
            return Door.STAFF, Kind.COUNCIL, "council", rng.choice(self.casework["council"])
        if holder == "centre":
            return Door.STAFF, Kind.COMMUNITY, "centre", rng.choice(self.casework["centre"])
        door = forced_door or weighted(
            rng, ((Door.PUBLIC_WEB, 38), (Door.STAFF, 37), (Door.API, 15), (Door.TEXT, 10))
        )
        if door == Door.PUBLIC_WEB:
            kinds = ((Kind.SELF, 40), (Kind.FAMILY, 25), (Kind.NEIGHBOUR, 20), (Kind.SHOP, 8))
            return door, weighted(rng, (*kinds, (Kind.COMMUNITY, 7))), None, None
        if door == Door.TEXT:
            return door, (Kind.SELF if rng.random() < 0.6 else Kind.FAMILY), None, None
        if door == Door.API:
            org = weighted(rng, (("nhs", 65), ("housing", 25), ("council", 10)))
            kind = {"nhs": Kind.GP, "housing": Kind.HOUSING, "council": Kind.COUNCIL}[org]
            return door, kind, org, None
        org = weighted(
            rng,
            (("council", 22), ("nhs", 25), ("housing", 14), ("school", 9), ("police", 8))
            + (("shed", 5), ("centre", 5), ("lead", 12)),
        )
        if org == "lead":
            # A catalyst typing in a referral that came by phone.
            kinds = ((Kind.SELF, 40), (Kind.FAMILY, 30), (Kind.NEIGHBOUR, 20), (Kind.SHOP, 10))
            return door, weighted(rng, kinds), org, rng.choice(self.casework["lead"])
        kind = {
            "council": Kind.COUNCIL,
            "nhs": Kind.GP,
            "housing": Kind.HOUSING,
            "school": Kind.SCHOOL,
            "police": Kind.POLICE,
        }.get(org, Kind.COMMUNITY)
        return door, kind, org, self.partner_workers[org].pk

    def reason(self, kind):
        pool = {
            Kind.SELF: ph.REASONS_SELF,
            Kind.FAMILY: ph.REASONS_FAMILY,
            Kind.NEIGHBOUR: ph.REASONS_NEIGHBOUR,
            Kind.SHOP: ph.REASONS_SHOP,
            Kind.COMMUNITY: ph.REASONS_NEIGHBOUR + ph.REASONS_PROFESSIONAL,
        }.get(kind, ph.REASONS_PROFESSIONAL)
        return self.rng.choice(pool)

    def referrer(self, kind, ref_org_key, referrer_id):
        """(referrer_name, referrer_contact) as the referral form would have them."""
        rng = self.rng
        if referrer_id is not None:
            user = self.catalyst_names.get(referrer_id)
            if user is None:
                worker = self.partner_workers[ref_org_key]
                user = (worker.name, worker.email)
            return user
        if kind in (Kind.FAMILY, Kind.NEIGHBOUR, Kind.SHOP, Kind.COMMUNITY):
            first, last = self.names.person(rng)
            return f"{first} {last}", f"07700 900{rng.randint(0, 999):03d}"
        if ref_org_key == "nhs":
            return f"Dr {self.names.person(rng)[1]}", "Hartley Vale Medical Practice"
        if ref_org_key:
            return self.org_names[ref_org_key], "Partner system"
        return "", ""

    # --- the person ------------------------------------------------------------------

    def person(self, received):
        rng = self.rng
        first, last = self.names.person(rng)
        born = None
        if rng.random() > 0.04:
            age = int(rng.triangular(18, 96, 74))
            born = local_date(received) - timedelta(days=age * 365 + rng.randint(0, 364))
        phone = ""
        if rng.random() < 0.86:
            # Ofcom's drama range first (07700 900000-999999), unique per resident.
            phone = f"07700 {(900000 + self.phone_counter) % 1000000:06d}"
            self.phone_counter += 1
        email = ""
        if rng.random() < 0.3:
            self.email_counter += 1
            domain = rng.choice(("example.com", "example.org", "example.net"))
            email = f"{_ascii(first)}.{_ascii(last)}{self.email_counter}@{domain}"
        if phone:
            method = weighted(
                rng,
                ((Method.PHONE, 60), (Method.TEXT, 20), (Method.VISIT, 10))
                + ((Method.EMAIL, 5 if email else 0), (Method.VIA_REFERRER, 5)),
            )
        else:
            method = Method.EMAIL if email else rng.choice((Method.VISIT, Method.VIA_REFERRER))
        letters = _POSTCODE_LETTERS
        self.first = first
        preferred = ph.NICKNAMES.get(first, "") if rng.random() < 0.5 else ""
        if preferred:
            self.first = preferred
        return {
            "full_name": f"{first} {last}",
            "preferred_name": preferred,
            "date_of_birth": born,
            "phone": phone,
            "email": email,
            "address": (
                f"{rng.randint(1, 160)} {rng.choice(self.names.streets)}, {rng.choice(ph.AREAS)}"
            ),
            "postcode": (
                f"{rng.choice(ph.POSTCODE_DISTRICTS)} {rng.randint(1, 9)}"
                f"{rng.choice(letters)}{rng.choice(letters)}"
            ),
            "contact_method": method,
            "contact_when": rng.choice(ph.CONTACT_WHEN),
        }

    # --- one resident ----------------------------------------------------------------

    def build(self, index, resident_id):
        """Append one resident and everything that hangs off it to the row buffers."""
        doors = list(Door)
        # The last few residents, from their own random stream, so everyone before them
        # is the same with or without them.
        waiting = index - (self.residents - len(WAITING))
        if waiting >= 0 and index >= len(doors):
            main, self.rng = self.rng, self.waiting_rng
            try:
                return self.journey("lead", resident_id, waiting=WAITING[waiting])
            finally:
                self.rng = main
        every = self.duplicate_every
        if every and index % every == every - 1 and self.previous is not None:
            return self.duplicate_of(self.previous, resident_id)
        forced = doors[index] if index < len(doors) else None
        holder = "lead" if forced else weighted(self.rng, HOLDERS)
        self.previous = self.journey(holder, resident_id, forced)
        return self.previous

    def journey(self, holder, rid, forced_door=None, waiting=None):
        """One resident's journey; `waiting` (from WAITING) makes it a first contact still
        waiting on the first catalyst's day."""
        rng, now = self.rng, self.now
        door, kind, ref_org_key, referrer_id = self.source(holder, forced_door)
        received = self.received_at(door)
        urgency = pe.Urgency.URGENT if rng.random() < 0.1 else pe.Urgency.ROUTINE
        if waiting:
            received = now - waiting[0] * H - self.hours(0, 0.5)
            urgency = pe.Urgency.URGENT if waiting[1] else pe.Urgency.ROUTINE
        promise = RESPONSE_PROMISE[urgency]
        due = received + promise
        agreed = kind == Kind.SELF or rng.random() < 0.75
        resident = self.person(received)
        catalyst = self.casework[holder][0] if waiting else rng.choice(self.casework[holder])
        referrer_name, referrer_contact = self.referrer(kind, ref_org_key, referrer_id)
        resident.update(id=rid, organisation_id=self.org_ids[holder], created_at=received)
        referral = {
            "front_door": door,
            "referrer_kind": kind,
            "referrer_name": referrer_name,
            "referrer_contact": referrer_contact,
            "referring_organisation_id": self.org_ids[ref_org_key] if ref_org_key else None,
            "referred_by_id": referrer_id,
            "reason": self.reason(kind),
            "urgency": urgency,
            "consent": pe.ReferralConsent.AGREED if agreed else pe.ReferralConsent.NOT_YET,
            "received_at": received,
            "due_at": due,
            "status": pe.ReferralStatus.NEW,
        }
        story = _Story(rid)
        story.stage(received, S.REFERRED, referrer_id)

        # First contact: most within the promise, some late, a few never reached.
        roll = rng.random()
        if roll < 0.84:
            contact_at = received + promise * rng.uniform(0.05, 0.95)
        elif roll < 0.96:
            contact_at = due + self.hours(1, 48)
        else:
            contact_at = None
        if waiting:
            contact_at = None
        if contact_at is not None:
            # Into working hours where that keeps a kept promise kept and a late one late.
            if contact_at <= due:
                contact_at = self.daytime(contact_at, received + 5 * 60 * _SECOND, due)
            else:
                contact_at = self.daytime(contact_at, due)
        until = contact_at or (received + self.hours(1, 8))
        assigned_at = (received + (until - received) * rng.uniform(0.1, 0.6)).replace(microsecond=0)
        if assigned_at <= now and (not waiting or waiting[2]):
            referral["assigned_to_id"] = catalyst
            referral["assigned_at"] = assigned_at
            resident["catalyst_id"] = catalyst
        if agreed:
            story.consent(received, "contact", None, True, "referrer", referrer_id)

        if contact_at is None or contact_at > now:
            # Not reached (yet): failed attempts are notes; the clock keeps running.
            first_try = received + (due - received) * 0.7
            if (contact_at is None or contact_at > due + H) and first_try <= now:
                story.note(first_try, catalyst, self.no_answer())
            if contact_at is None and received + 7 * D <= now:
                referral["status"] = pe.ReferralStatus.CLOSED
                self.close(resident, story, received + self.days(3, 7), "no_contact", catalyst)
            return self.emit(resident, referral, story, catalyst, None)

        # Reached.
        if contact_at > due + H:
            story.note(due - promise * 0.3, catalyst, self.no_answer())
        outcome = weighted(rng, ((Out.SPOKE, 85), (Out.MESSAGE, 8), (Out.DECLINED, 7)))
        note = rng.choice(ph.FIRST_CONTACT_NOTES)
        referral.update(
            first_contact_at=contact_at,
            first_contact_outcome=outcome,
            first_contact_note=note,
            first_contact_by_id=catalyst,
            status=pe.ReferralStatus.CONTACTED,
        )
        story.note(contact_at, catalyst, f"First contact: {outcome.label}.\n{note}")
        story.stage(contact_at, S.CONTACTED, catalyst)
        if not agreed and outcome == Out.SPOKE:
            story.consent(contact_at, "contact", None, True, "verbal", catalyst)
        if outcome == Out.DECLINED:
            self.close(resident, story, contact_at, "declined", catalyst)
            return self.emit(resident, referral, story, catalyst, contact_at)

        # The journey after first contact, cut off at now.
        plan = []
        engaged = contact_at + self.days(2, 21)
        if rng.random() < 0.08:
            reason = weighted(rng, (("declined", 5), ("no_contact", 3), ("moved", 1)))
            plan.append((contact_at + self.days(7, 40), S.CLOSED, reason))
        else:
            plan.append((engaged, S.ENGAGED, None))
            connecting = engaged + self.days(10, 60)
            if rng.random() < 0.06:
                reasons = (("other_service", 35), ("moved", 25), ("declined", 25), ("other", 10))
                reason = weighted(rng, (*reasons, ("died", 5)))
                plan.append((engaged + self.days(20, 90), S.CLOSED, reason))
            else:
                plan.append((connecting, S.CONNECTING, None))
                if rng.random() < 0.15:
                    reasons = (("moved", 35), ("other_service", 25), ("declined", 20))
                    reason = weighted(rng, (*reasons, ("died", 10), ("other", 10)))
                    plan.append((connecting + self.days(30, 200), S.CLOSED, reason))
                else:
                    plan.append((connecting + self.days(45, 200), S.GRADUATED, None))
        reached = {}
        previous = contact_at
        for at, stage, reason in plan:
            at = previous = self.daytime(at, previous)
            if at > now:
                break
            reached[stage] = at
            if stage == S.CLOSED:
                self.close(resident, story, at, reason, catalyst)
            else:
                story.stage(at, stage, catalyst)
            if stage == S.GRADUATED:
                resident["graduated_at"] = at
                resident["graduation_words"] = rng.choice(ph.GRADUATION_WORDS)
                resident["giving_back"] = rng.choice(ph.GIVING_BACK) if rng.random() < 0.6 else ""
        if S.ENGAGED in reached:
            end = story.stages[-1][0] if story.stages[-1][1] in (S.GRADUATED, S.CLOSED) else now
            self.casework_history(resident, story, reached, end, catalyst, ref_org_key, holder)
        return self.emit(resident, referral, story, catalyst, contact_at)

    def no_answer(self):
        return f"First contact: {Out.NO_ANSWER.label}.\n{self.rng.choice(ph.NO_ANSWER_NOTES)}"

    def close(self, resident, story, at, reason, catalyst):
        note = ph.CLOSE_NOTES[reason]
        story.stage(at, S.CLOSED, catalyst, note)
        resident["closed_at"] = at
        resident["closed_reason"] = pe.CloseReason(reason)
        resident["closed_note"] = note

    def casework_history(self, resident, story, reached, end, catalyst, ref_org_key, holder):
        """Conversations, goals, connections and consents from engagement to `end`."""
        rng = self.rng
        engaged = reached[S.ENGAGED]
        resident["what_matters"] = rng.choice(ph.WHAT_MATTERS)
        resident["strengths"] = rng.choice(ph.STRENGTHS) if rng.random() < 0.85 else ""
        resident["has_to_give"] = rng.choice(ph.HAS_TO_GIVE)
        final = next((s for s in (S.CLOSED, S.GRADUATED, S.CONNECTING) if s in reached), S.ENGAGED)

        # Conversations every two to six weeks; the latest sets the next action. Open
        # journeys are mostly kept up: their latest talk is usually within three weeks.
        when = []
        at = engaged
        while at <= end and len(when) < 8:
            when.append(at)
            at = self.daytime(at + self.days(14, 42), at)
        if final in (S.ENGAGED, S.CONNECTING) and rng.random() < 0.8:
            recent = self.daytime(end - self.days(0.5, 21), when[-1], end)
            if recent > when[-1]:
                when.append(recent)
        kinds = list(pe.ConversationKind)
        for at in when:
            story.note(
                at,
                catalyst,
                self.fill(rng.choice(ph.CONVERSATION_NOTES)),
                kind=rng.choice(kinds),
                next_action=self.fill(rng.choice(ph.NEXT_ACTIONS)),
                next_action_due=local_date(at) + timedelta(days=rng.randint(5, 21)),
            )

        # Goals in their own words, with progress that fits how far they have come.
        progress_by_stage = {
            S.ENGAGED: (0, 0, 25),
            S.CONNECTING: (25, 50, 50, 75, 100),
            S.GRADUATED: (75, 100, 100, 100),
            S.CLOSED: (0, 25, 50),
        }[final]
        dt = self.dt
        for text in rng.sample(ph.GOALS, rng.randint(1, 3)):
            created = min(engaged + self.days(0, 14), end)
            progress = rng.choice(progress_by_stage)
            achieved = min(created + self.days(20, 150), end) if progress == 100 else None
            updated = achieved or min(created + self.days(0, 60), end)
            story.goals.append(
                (story.rid, text, progress, catalyst, dt(created), dt(updated), dt(achieved))
            )

        # Connections once connecting; an engaged person may have one suggested.
        if S.CONNECTING in reached:
            start = reached[S.CONNECTING]
            statuses = {
                S.GRADUATED: ((Cx.GOING, 70), (Cx.MADE, 20), (Cx.STOPPED, 10)),
                S.CLOSED: ((Cx.STOPPED, 60), (Cx.MADE, 40)),
            }.get(final, ((Cx.MADE, 50), (Cx.GOING, 30), (Cx.SUGGESTED, 20)))
            for _ in range(rng.randint(1, 4)):
                when = min(start + self.days(0, 90), end)
                self.connection(story, when, weighted(rng, statuses), catalyst)
        elif rng.random() < 0.4:
            self.connection(story, min(engaged + self.days(1, 20), end), Cx.SUGGESTED, catalyst)

        # Consent: evaluation, story, and sharing with the referring partner or another.
        at = min(engaged + self.hours(0, 2), end)
        method = "verbal" if rng.random() < 0.6 else "written"
        given = []
        if rng.random() < 0.55:
            given.append(("evaluation", None))
        if rng.random() < 0.35:
            given.append(("story", None))
        if ref_org_key and ref_org_key != holder and rng.random() < 0.65:
            given.append(("share", ref_org_key))
        if rng.random() < 0.15:
            other = rng.choice(PARTNERS)
            if other not in (holder, ref_org_key):
                given.append(("share", other))
        for purpose, org_key in given:
            story.consent(at, purpose, org_key, True, method, catalyst)
            if rng.random() < 0.05 and end > at + D:
                withdrawn = (at + (end - at) * rng.uniform(0.2, 1.0)).replace(microsecond=0)
                story.consent(withdrawn, purpose, org_key, False, "verbal", catalyst)
        # About half agree to texts. Decided from their name, not a draw of `rng` nor their
        # database id, so the same seed gives the same people on every database.
        if zlib.crc32(resident["full_name"].encode()) % 2 == 0:
            story.consent(at, "texts", None, True, method, catalyst)

    def connection(self, story, at, status, catalyst):
        rng = self.rng
        kind = rng.choice(tuple(ph.CONNECTIONS))
        story.connections.append(
            (
                story.rid,
                kind,
                rng.choice(ph.CONNECTIONS[kind]),
                "",
                status,
                self.d(local_date(at)),
                catalyst,
                self.dt(at),
            )
        )

    # --- rows ------------------------------------------------------------------------

    def emit(self, resident, referral, story, catalyst, contact_at):
        """Stage, next action and history made consistent, then appended as rows."""
        dt, d, tables = self.dt, self.d, self.tables
        last_at, last_stage = story.stages[-1][0], story.stages[-1][1]
        resident["stage"] = last_stage
        resident["stage_changed_at"] = last_at
        resident["version"] = len(story.stages)
        resident["updated_at"] = max([last_at] + [n[0] for n in story.notes])
        if last_stage in (S.ENGAGED, S.CONNECTING) and story.notes:
            latest = max(story.notes, key=lambda n: n[0])
            resident["next_action"], resident["next_action_due"] = latest[4], latest[5]
        elif last_stage == S.CONTACTED and contact_at is not None:
            resident["next_action"] = ph.FIRST_NEXT_ACTION
            resident["next_action_due"] = local_date(contact_at) + timedelta(
                days=self.rng.randint(2, 7)
            )
        if last_stage in (S.GRADUATED, S.CLOSED) and not resident.get("catalyst_id"):
            resident["catalyst_id"] = catalyst
        tables[Resident].rows.append(self.resident_row(resident))
        referral["resident_id"] = story.rid
        tables[Referral].rows.append(self.referral_row(referral))
        previous = ""
        rows = tables[StageChange].rows
        for at, stage, by, note in story.stages:
            rows.append((story.rid, previous, stage, dt(at), by, note))
            previous = stage
        rows = tables[Conversation].rows
        for at, author, kind, notes, action, action_due in story.notes:
            rows.append((story.rid, author, dt(at), kind, notes, action, d(action_due), dt(at)))
        tables[Goal].rows.extend(story.goals)
        tables[Connection].rows.extend(story.connections)
        latest = {}
        rows = tables[ConsentEvent].rows
        for at, purpose, org_key, given, method, by in story.events:
            org_id = self.org_ids[org_key] if org_key else None
            if method == "referrer":
                wording = CONTACT_CONSENT_BY_REFERRER
            else:
                wording = ph.CONSENT_WORDING[purpose].format(org=self.org_names.get(org_key, ""))
            rows.append((story.rid, purpose, org_id, given, method, wording, by, dt(at)))
            key = (purpose, org_id)
            if key not in latest or at >= latest[key][0]:
                latest[key] = (at, given)
        rows = tables[Consent].rows
        for (purpose, org_id), (at, given) in latest.items():
            rows.append((story.rid, purpose, org_id, given, dt(at)))
        return resident

    def resident_row(self, r):
        dt, d = self.dt, self.d
        email = r["email"]
        return (
            r["id"], self.public_id(), self.place_id, r["organisation_id"], r["full_name"],
            r["preferred_name"], d(r["date_of_birth"]), r["phone"], email, r["address"],
            r["postcode"], r["contact_method"], r["contact_when"], r["stage"],
            dt(r["stage_changed_at"]), r.get("catalyst_id"), r.get("what_matters", ""),
            r.get("strengths", ""), r.get("has_to_give", ""), r.get("next_action", ""),
            d(r.get("next_action_due")), dt(r.get("graduated_at")),
            r.get("graduation_words", ""), r.get("giving_back", ""), dt(r.get("closed_at")),
            r.get("closed_reason", ""), r.get("closed_note", ""), None,
            # The keys Resident.refresh_keys() computes, from the same functions.
            name_key(r["full_name"]), phone_key(r["phone"]), (email or "").strip().lower(),
            r["version"], dt(r["created_at"]), dt(r["updated_at"]),
        )  # fmt: skip

    def referral_row(self, f):
        dt = self.dt
        return (
            self.public_id(), self.place_id, f["resident_id"], f["front_door"],
            f["referrer_kind"], f["referrer_name"], f["referrer_contact"],
            f["referring_organisation_id"], f["referred_by_id"], f["reason"], f["urgency"],
            f["consent"], dt(f["received_at"]), dt(f["due_at"]), f["status"],
            f.get("assigned_to_id"), dt(f.get("assigned_at")), dt(f.get("first_contact_at")),
            f.get("first_contact_outcome", ""), f.get("first_contact_note", ""),
            f.get("first_contact_by_id"),
        )  # fmt: skip

    def duplicate_of(self, original, rid):
        """A second referral for someone already known: same name and date of birth, or
        the same phone under another surname. Waiting in triage, never merged."""
        rng = self.rng
        first, last = self.names.person(rng)
        same_phone = bool(original["phone"]) and rng.random() < 0.35
        received = self.now - self.hours(1, 60)
        resident = {
            "id": rid,
            "organisation_id": original["organisation_id"],
            "full_name": (
                f"{original['full_name'].split(' ')[0]} {last}"
                if same_phone
                else original["full_name"]
            ),
            "preferred_name": "",
            "date_of_birth": None if same_phone else original["date_of_birth"],
            "phone": original["phone"] if same_phone else "",
            "email": "",
            "address": original["address"],
            "postcode": original["postcode"],
            "contact_method": original["contact_method"],
            "contact_when": "",
            "created_at": received,
        }
        referrer_name, referrer_contact = self.referrer(Kind.NEIGHBOUR, None, None)
        referral = {
            "front_door": Door.PUBLIC_WEB,
            "referrer_kind": Kind.NEIGHBOUR,
            "referrer_name": referrer_name,
            "referrer_contact": referrer_contact,
            "referring_organisation_id": None,
            "referred_by_id": None,
            "reason": self.reason(Kind.NEIGHBOUR),
            "urgency": pe.Urgency.ROUTINE,
            "consent": pe.ReferralConsent.NOT_YET,
            "received_at": received,
            "due_at": received + RESPONSE_PROMISE[pe.Urgency.ROUTINE],
            "status": pe.ReferralStatus.NEW,
        }
        story = _Story(rid)
        story.stage(received, S.REFERRED, None)
        self.emit(resident, referral, story, None, None)
        return original


class _Story:
    """What happened to one resident, in the order it happened, before it becomes rows."""

    __slots__ = ("rid", "stages", "notes", "goals", "connections", "events")

    def __init__(self, rid):
        self.rid = rid
        self.stages = []  # (at, stage, by, note)
        self.notes = []  # (at, author, kind, notes, next_action, next_action_due)
        self.goals = []  # rows
        self.connections = []  # rows
        self.events = []  # (at, purpose, organisation key, given, method, by)

    def stage(self, at, stage, by, note=""):
        self.stages.append((at, stage, by, note))

    def note(self, at, author, notes, *, kind=pe.ConversationKind.PHONE, **action):
        at = at.replace(microsecond=0)
        self.notes.append(
            (at, author, kind, notes, action.get("next_action", ""), action.get("next_action_due"))
        )

    def consent(self, at, purpose, org_key, given, method, by):
        self.events.append((at, purpose, org_key, given, method, by))
