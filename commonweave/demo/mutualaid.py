"""Neighbours helping neighbours in the demo place (issue 16): helpers across the wards
(some of them residents who graduated and now give back), their offers, and six weeks of
needs from every front door — most matched within the day, done and thanked, a few still
waiting (one past its promise), and a lift to an appointment under way with its "on my
way" check-in. Everything goes through the mutual-aid services, so alerts, texts to
helpers (the fake provider's outbox), clocks, audit events and network ties are the real
ones.

`generate_partnership` calls `generate_mutual_aid` after the wards exist.
"""

import datetime
import random

from django.utils import timezone

from commonweave.directory.models import Neighbourhood
from commonweave.mutualaid import lone_working, safeguarding, services
from commonweave.mutualaid.actors import Helper
from commonweave.mutualaid.enums import (
    AidFrontDoor,
    AidUrgency,
    DbsType,
    Kind,
    MatchStatus,
    Side,
)
from commonweave.mutualaid.matching import candidates
from commonweave.mutualaid.models import Category, PlaceSettings, Request
from commonweave.people.enums import Stage
from commonweave.people.models import Resident
from commonweave.tenancy.enums import Role
from commonweave.tenancy.models import Membership
from commonweave.tenancy.viewer import public_viewer, viewer_for_user

HELPER_NAMES = (
    "Aisha", "Bernard", "Chloe", "Dev", "Eileen", "Farhan", "Gwen", "Harpreet", "Ian",
    "Jolanta", "Kwame", "Lorna", "Mo", "Nadia", "Owen", "Priya", "Ray", "Sian", "Tomasz",
    "Una", "Vik", "Wendy", "Yusuf", "Zainab", "Alan", "Beata", "Carl", "Dot",
)  # fmt: skip
ASKER_NAMES = (
    "Agnes", "Bill", "Connie", "Des", "Edna", "Frank", "Gladys", "Harold", "Iris", "Jim",
    "Kath", "Len", "Maureen", "Norman", "Olive", "Pat", "Rita", "Stan", "Thelma", "Vera",
)  # fmt: skip
NEEDS = {
    "shopping": ("Bread, milk and a few tins from the shop", "A weekly shop from the list"),
    "prescription": ("My tablets are ready at the chemist", "Collect a prescription"),
    "phone-chat": ("Someone to ring for a natter on Sundays", "A chat on the phone"),
    "online-help": ("Help to fill in a form online", "Booking a doctor's appointment online"),
    "dog-walking": ("Walk my dog while my hip mends", "Dog needs a walk mornings"),
    "lift": ("A lift to the hospital on Thursday", "A lift to the eye clinic"),
    "odd-jobs": ("Put up a curtain rail", "Clear the front path"),
}
OFFERS = {
    "shopping": "I can drop shopping off on my way home",
    "prescription": "I pass the chemist most days",
    "phone-chat": "Happy to ring someone for a chat",
    "online-help": "I'm good with computers and forms",
    "dog-walking": "I walk my own dog every morning",
    "lift": "I have a car and free afternoons",
    "odd-jobs": "Handy with a drill and a spade",
}
MATCHED_NEEDS = 72
# Hours from a need to its proposed match, in turn.
DELAYS = ((0.3, 3), (0.5, 3), (1, 3), (3, 8), (4, 12), (8, 20), (10, 23), (26, 60), (75, 110))
DOORS = (AidFrontDoor.WEB, AidFrontDoor.TEXT, AidFrontDoor.PHONE, AidFrontDoor.CATALYST)


def _checks(today, rng, *, level):
    """Checks for a helper: "home" allows home visits, "doorstep" only doorstep tasks."""
    done = today - datetime.timedelta(days=rng.randint(20, 200))
    checks = {
        "references_checked_on": done,
        "training_completed_on": done + datetime.timedelta(days=7),
    }
    if level == "home":
        checks.update(
            dbs_type=DbsType.ENHANCED,
            dbs_issued_on=done,
            update_service_checked_on=today - datetime.timedelta(days=rng.randint(1, 60)),
            recheck_due_on=today + datetime.timedelta(days=rng.randint(90, 700)),
        )
    return checks


def _coordinator(place):
    membership = (
        Membership.objects.filter(organisation_id=place.lead_organisation_id, role=Role.COORDINATOR)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return viewer_for_user(membership.user, place)


def generate_mutual_aid(place, *, seed=1, now=None) -> dict:
    """Helpers, offers and needs for the demo place. Returns counts.

    Side effects: through mutualaid.services and lone_working: helpers with checks,
    offers, needs (their alerts texted to helpers through the place's provider), matches
    at each step, one lone-working visit under way; audit events as those services write.
    """
    rng = random.Random(f"{seed}:mutual-aid")
    now = now or timezone.now()
    today = timezone.localdate(now)
    coordinator = _coordinator(place)
    public = public_viewer(place)
    services.place_settings(place)  # seeds the categories
    # The lead organisation's coordinator reads the safeguarding log.
    PlaceSettings.objects.filter(place=place).update(safeguarding_lead=coordinator.user)
    categories = {c.slug: c for c in Category.objects.filter(place=place)}
    wards = list(Neighbourhood.objects.filter(place=place).order_by("name"))
    if not wards:
        return {"helpers": 0, "offers": 0, "needs": 0, "matched": 0}

    helpers = []
    # Residents who graduated give back: the first few become helpers in one step.
    graduates = Resident.objects.filter(
        place=place, organisation_id=place.lead_organisation_id, stage=Stage.GRADUATED
    ).order_by("pk")[:14]
    for resident in graduates:
        volunteer, _secret = services.volunteer_from_resident(
            viewer=coordinator, resident=resident, home=rng.choice(wards)
        )
        helpers.append(volunteer)
    for i, name in enumerate(HELPER_NAMES):
        home = wards[i % len(wards)]
        volunteer, _secret = services.volunteer_create(
            viewer=coordinator,
            first_name=name,
            home=home,
            areas=rng.sample(wards, k=min(2, len(wards))),
            phone=f"07700 900{100 + i:03d}",
            languages=["en"] + (["ur"] if i % 7 == 3 else []) + (["pl"] if i % 9 == 4 else []),
            now=now - datetime.timedelta(days=rng.randint(50, 200)),
        )
        helpers.append(volunteer)
    for i, volunteer in enumerate(helpers):
        level = "home" if i % 3 else "doorstep"
        services.checks_record(
            viewer=coordinator, volunteer=volunteer, **_checks(today, rng, level=level)
        )

    offers = 0
    for i, volunteer in enumerate(helpers):
        allowed = ["shopping", "prescription", "phone-chat", "online-help", "dog-walking"]
        if i % 3:
            allowed += ["lift", "odd-jobs"]
        for slug in rng.sample(allowed, k=3):
            services.request_create(
                viewer=coordinator,
                kind=Kind.OFFER,
                category=categories[slug],
                what=OFFERS[slug],
                first_name=volunteer.first_name,
                front_door=AidFrontDoor.PHONE,
                neighbourhood=volunteer.home,
                volunteer=volunteer,
                now=volunteer.created_at,
            )
            offers += 1

    counts = {"helpers": len(helpers), "offers": offers, "needs": 0, "matched": 0}
    slugs = list(NEEDS)

    def ask(i, slug, made, urgency=AidUrgency.ROUTINE, alert=False):
        # Only the needs still waiting alert helpers: the demo's past is matched directly,
        # which keeps it quick to build (make run, and the demo's tests).
        door = DOORS[i % len(DOORS)]
        counts["needs"] += 1
        return services.request_create(
            viewer=coordinator if door == AidFrontDoor.CATALYST else public,
            kind=Kind.NEED,
            category=categories[slug],
            what=rng.choice(NEEDS[slug]),
            first_name=ASKER_NAMES[i % len(ASKER_NAMES)],
            front_door=door,
            neighbourhood=wards[(i * 5) % len(wards)],
            urgency=urgency,
            address=f"{10 + i} {rng.choice(('Mill Lane', 'Chapel Street', 'Oak Road'))}",
            phone=f"07700 900{300 + i:03d}",  # Ofcom's drama range
            now=made,
            alert=alert,
        )

    def match(need, made, delay_hours):
        found = candidates(need, today=today)
        if not found:
            return None, None
        volunteer = next(v for v in helpers if v.pk == found[0].volunteer_id)
        proposed = made + datetime.timedelta(hours=delay_hours)
        proposal = services.match_propose(
            actor=coordinator, need=need, volunteer=volunteer, now=proposed
        )
        accepted = proposed + datetime.timedelta(hours=rng.uniform(0.2, 3))
        services.match_accept(
            actor=Helper(volunteer), match=proposal, side=Side.HELPER, now=accepted
        )
        counts["matched"] += 1
        matched = services.match_accept(
            actor=coordinator, match=proposal, side=Side.NEED, now=accepted
        )
        return matched, volunteer

    # Ten weeks of needs, matched: a third within 3 hours, most of the rest within the
    # day, one in nine in 1 to 3 days and one in nine later (each band big enough to
    # publish); done the next day, half thanked.
    for i in range(MATCHED_NEEDS):
        slug = slugs[i % len(slugs)]
        made = now - datetime.timedelta(hours=30 + 70 * 24 * (MATCHED_NEEDS - i) / MATCHED_NEEDS)
        urgency = AidUrgency.URGENT if i % 6 == 0 else AidUrgency.ROUTINE
        need = ask(i, slug, made, urgency)
        low, high = DELAYS[i % len(DELAYS)]
        done, _volunteer = match(need, made, rng.uniform(low, high))
        if done is None:
            continue
        finished = done.accepted_at + datetime.timedelta(days=1)
        services.match_done(actor=coordinator, match=done, now=finished)
        if i % 2:
            services.match_thank(
                actor=coordinator,
                match=done,
                thanks=rng.choice(("Thank you so much", "You were a star", "Lovely to meet")),
                now=finished + datetime.timedelta(days=1),
            )
    # Still waiting: four within the promise, two past it.
    for j, hours_ago in enumerate((1, 3, 6, 12, 30, 52)):
        ask(MATCHED_NEEDS + j, slugs[j], now - datetime.timedelta(hours=hours_ago), alert=True)
    # A catalyst's worry about a neighbour who asked, waiting for the lead.
    worried = Request.objects.filter(place=place, kind=Kind.NEED).order_by("-created_at")[1]
    safeguarding.concern_raise(
        viewer=coordinator,
        need=worried,
        text="When I rang back they sounded confused and said nobody had "
        "been round for days. Could someone check on them?",
        now=now - datetime.timedelta(hours=3),
    )
    # A lift to an appointment happening now: the helper is on their way.
    made = now - datetime.timedelta(hours=20)
    lift, volunteer = match(ask(MATCHED_NEEDS + 6, "lift", made), made, 2)
    if lift is not None:
        _under_way(coordinator, volunteer, lift, now)
    return counts


def _under_way(coordinator, volunteer, match, now):
    """A home visit happening now: its window planned and the helper on their way."""
    if match.status != MatchStatus.ACCEPTED:
        return
    lone_working.lone_working_plan(
        viewer=coordinator,
        match=match,
        starts_at=now - datetime.timedelta(minutes=30),
        ends_at=now + datetime.timedelta(hours=1),
    )
    lone_working.checkin_on_my_way(
        helper=Helper(volunteer), match=match, now=now - datetime.timedelta(minutes=25)
    )
