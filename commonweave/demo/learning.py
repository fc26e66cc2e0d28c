"""Connecting the Dots for the demo place: a year of sessions where services and VCSE
groups heard residents' stories together, the barriers those stories showed in every
GMCA quadrant and how far the learning about each has gone (useful, good, great, with the
evidence), actions on them (some done, some overdue), a learning log, and Keep / Amplify /
Discard / Create boards with cards and votes.

Everything goes through the learning app's services as the people who did it, so the
barrier history, story links and audit events are what the pages would have written.
The services stamp "now"; afterwards the dates are set back to when each thing happened
(the session's date, the learning between sessions), through the models, since no service
writes history in the past.
"""

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from commonweave.learning.enums import ActionStatus, Column, EntryKind, Level, Quadrant
from commonweave.learning.models import Action, Board, Card, LevelChange, LogEntry, Session, Story
from commonweave.learning.services.actions import action_create, action_set_status
from commonweave.learning.services.barriers import (
    barrier_create,
    barrier_link_story,
    barrier_set_level,
)
from commonweave.learning.services.log import board_create, card_add, card_vote, log_entry_create
from commonweave.learning.services.sessions import attendee_add, session_create, story_add
from commonweave.people.enums import ConsentPurpose, Stage
from commonweave.people.models import Consent, Resident
from commonweave.tenancy.models import Membership
from commonweave.tenancy.viewer import viewer_for_user

# (days ago, title, outside guests as (name, organisation))
SESSIONS = (
    (170, "Winter pressures: heating, money and getting out", (("Pat Hughes", "Age UK Oldham"),)),
    (
        120,
        "Getting to things: transport and first visits",
        (("Sam Okafor", "Pennine Community Transport"),),
    ),
    (75, "Front doors: how people reach us", (("Dr Rana", "Union Street Surgery"),)),
    (
        30,
        "Housing, repairs and feeling safe at home",
        (("Lee Marsh", "Springhead Residents' Association"),),
    ),
    (-12, "Spring review: what we keep, amplify, discard and create", ()),
)

# (session index, title, text, linked to a consenting resident)
STORIES = (
    (
        0,
        "Cold flat, no one to ask",
        (
            "An older man had the heating off since October because he was frightened of the "
            "bills. He did not know he could get help with energy costs; the form for the Warm "
            "Home Discount was online only."
        ),
        True,
    ),
    (
        0,
        "The fuel voucher that came too late",
        (
            "A mother of two was referred for a fuel voucher. By the time the paperwork reached "
            "the food bank the voucher scheme had closed for the month."
        ),
        False,
    ),
    (
        0,
        "Lonely after her husband died",
        (
            "A woman in her eighties had not left the house since her husband's funeral except for"
            " the GP. She said a friendly face at the door was what she needed first."
        ),
        True,
    ),
    (
        1,
        "The bus that stops at four",
        (
            "A man wanted to go to the Men's Shed but the last bus back from the centre leaves "
            "before four, and a taxi costs more than his weekly food budget."
        ),
        True,
    ),
    (
        1,
        "Too anxious to walk in alone",
        (
            "A young woman was booked into a craft group three times and turned back at the door "
            "each time. What helped was her catalyst meeting her at the bus stop."
        ),
        False,
    ),
    (
        2,
        "Nobody at the surgery had heard of us",
        (
            "A woman saw three people at her practice about feeling low before anyone mentioned "
            "the link worker; the receptionist had never been told the service existed."
        ),
        False,
    ),
    (
        2,
        "Referred, then heard nothing",
        (
            "A practice nurse referred a patient and never heard whether he had been contacted, so"
            " she stopped referring."
        ),
        False,
    ),
    (
        2,
        "Three forms, the same questions",
        (
            "A carer was asked for the same details by the council, the housing association and us"
            " in one week, and gave up on two of them."
        ),
        True,
    ),
    (
        3,
        "Damp and a repair line that closes at five",
        (
            "A tenant working shifts could not report the damp in her child's bedroom: the repairs"
            " line closes before she finishes work."
        ),
        False,
    ),
    (
        3,
        "Scared of the stairwell",
        (
            "An older resident stopped going to the lunch club because the stairwell light had "
            "been broken for weeks and she did not feel safe coming home."
        ),
        False,
    ),
)

# (quadrant, title, description, service area, stories,
#  [(level, evidence, days after the story's session)])
BARRIERS: tuple = (
    (
        Quadrant.PRACTICE,
        "Energy help forms are online only",
        "People without the internet or confidence online cannot apply for energy support.",
        "Energy and money",
        (0, 1),
        [
            (
                Level.USEFUL,
                "Catalyst filled in the form with him on paper; the heating is back on.",
                6,
            ),
            (
                Level.GOOD,
                (
                    "Root cause: the council's form has no paper or phone route, and staff at the "
                    "library were not allowed to help."
                ),
                40,
            ),
            (
                Level.GREAT,
                (
                    "The council added a phone route and library staff now help people apply; no "
                    "case since January."
                ),
                110,
            ),
        ],
    ),
    (
        Quadrant.PRACTICE,
        "People are asked to walk into a group alone the first time",
        "First visits fail when no one goes with the person or meets them there.",
        "Groups and activities",
        (4,),
        [(Level.USEFUL, "She now goes to the craft group every week with a volunteer buddy.", 20)],
    ),
    (
        Quadrant.SYSTEM,
        "No bus back from Brook Street after 4pm",
        (
            "The 409 stops running mid-afternoon, so evening and late-afternoon groups are out of "
            "reach."
        ),
        "Transport",
        (3,),
        [
            (Level.USEFUL, "Community transport now collects him on Thursdays.", 10),
            (
                Level.GOOD,
                (
                    "Root cause: the timetable was cut in 2024 and groups were never told; three "
                    "groups are affected."
                ),
                45,
            ),
        ],
    ),
    (
        Quadrant.SYSTEM,
        "Housing repairs line closes before shift workers finish",
        "Tenants working days cannot report repairs by phone.",
        "Housing",
        (8,),
        [],
    ),
    (
        Quadrant.LEADERSHIP,
        "Referrers never hear what happened",
        "Practices and partners get no word back after a referral, so they stop referring.",
        "Referrals",
        (6,),
        [
            (
                Level.USEFUL,
                "The nurse was told he had been seen and is now at the walking group.",
                5,
            ),
            (
                Level.GOOD,
                (
                    "Root cause: no agreement on what we tell referrers; the partnership board has"
                    " now asked for one."
                ),
                30,
            ),
        ],
    ),
    (
        Quadrant.LEADERSHIP,
        "Nobody owns the budget for a first journey",
        "A taxi to a first session would often be enough, but no partner's budget covers it.",
        "Transport",
        (3, 4),
        [],
    ),
    (
        Quadrant.WORKFORCE,
        "Reception staff do not know the link worker service",
        "Front-desk staff at practices were never briefed, so people are not offered it.",
        "Primary care",
        (5,),
        [
            (Level.USEFUL, "She has now met her catalyst and joined the walking group.", 7),
            (
                Level.GOOD,
                "Root cause: no induction covers social prescribing for reception teams.",
                25,
            ),
            (
                Level.GREAT,
                (
                    "Every practice's reception team has had a 20-minute briefing and it is in "
                    "their induction; referrals from reception doubled."
                ),
                70,
            ),
        ],
    ),
    (
        Quadrant.WORKFORCE,
        "Each service asks the same questions again",
        "Residents repeat their story to every organisation they meet.",
        "Data sharing",
        (7,),
        [
            (
                Level.USEFUL,
                (
                    "Her catalyst passed her details on with her consent; she did not have to "
                    "repeat them."
                ),
                8,
            )
        ],
    ),
)

# (barrier index, description, owner org key, due in days (negative: overdue), status)
ACTIONS = (
    (
        0,
        "Ask the council to add a paper and phone route to the energy support form",
        "council",
        -90,
        ActionStatus.DONE,
    ),
    (0, "Brief library staff on helping people apply", "lead", -60, ActionStatus.DONE),
    (
        2,
        "Map which groups meet after the last bus and tell the transport team",
        "centre",
        -14,
        ActionStatus.IN_PROGRESS,
    ),
    (2, "Raise the 409 timetable with the transport authority", "council", -5, ActionStatus.OPEN),
    (3, "Pilot evening repair reporting by text message", "housing", 21, ActionStatus.OPEN),
    (4, "Agree what referrers are told, and when", "lead", -20, ActionStatus.IN_PROGRESS),
    (5, "Cost a small fund for first journeys to groups", "lead", 30, ActionStatus.OPEN),
    (6, "Brief the last two practices' reception teams", "nhs", -40, ActionStatus.DONE),
    (7, "Draft a shared consent form for the partnership", "council", 45, ActionStatus.OPEN),
)

LOG = (
    (
        EntryKind.REFLECTION,
        "What the winter stories taught us",
        {
            "body": (
                "Most winter stories were not about heating alone: they were about not knowing who"
                " to ask. The paper route for energy help mattered, but so did someone going with "
                "people the first time."
            )
        },
        "energy, loneliness",
        (0, 1),
    ),
    (
        EntryKind.CYCLE,
        "Buddies for first visits",
        {
            "tried": "Volunteers met people at the bus stop for their first visit to a group.",
            "happened": "Nine of twelve people went back a second time, against about half before.",
            "learnt": "The first ten minutes matter more than which group it is.",
            "will_change": "Offer a buddy to everyone going to a group for the first time.",
        },
        "groups, first visits",
        (1,),
    ),
    (
        EntryKind.REFLECTION,
        "Telling referrers what happened",
        {
            "body": (
                "Referrals from practices fell when nurses heard nothing back. One short message "
                "after first contact brought two practices back."
            )
        },
        "referrals, primary care",
        (4,),
    ),
    (
        EntryKind.CYCLE,
        "Reception briefings at two practices",
        {
            "tried": "A 20-minute briefing for reception teams at two practices.",
            "happened": "Referrals from reception went from none to eleven in two months.",
            "learnt": "People at the front desk are glad to have something to offer.",
            "will_change": "Make the briefing part of every practice's induction.",
        },
        "primary care, workforce",
        (6,),
    ),
    (
        EntryKind.REFLECTION,
        "Housing stories keep coming back to repairs",
        {
            "body": (
                "Three of the last session's stories were about repairs that could not be "
                "reported. This sits with the housing association's systems, not with people."
            )
        },
        "housing",
        (3,),
    ),
)

BOARDS = (
    (
        2,
        "Front doors review",
        (
            (Column.KEEP, "Catalysts calling back within a day"),
            (Column.KEEP, "The text message front door"),
            (Column.AMPLIFY, "Reception teams offering the service"),
            (Column.AMPLIFY, "Telling referrers what happened"),
            (Column.DISCARD, "Asking people to fill in a form before we call"),
            (Column.CREATE, "A shared consent form across partners"),
        ),
    ),
    (
        4,
        "Spring review",
        (
            (Column.KEEP, "Buddies for first visits to a group"),
            (Column.KEEP, "Connecting the Dots every six weeks"),
            (Column.AMPLIFY, "Community transport for first journeys"),
            (Column.AMPLIFY, "Library staff helping with online forms"),
            (Column.DISCARD, "Paper sign-in sheets at groups"),
            (Column.DISCARD, "Separate referral forms for each partner"),
            (Column.CREATE, "Evening repair reporting by text"),
            (Column.CREATE, "A small fund for first journeys"),
        ),
    ),
)


def _viewers(place):
    """One viewer per (org key, role) the learning work needs, by the demo's email names."""
    slug = place.slug
    wanted = {
        "coordinator": f"coordinator@{slug}.example",
        "admin": f"admin@{slug}.example",
        "catalyst": f"catalyst.1@{slug}.example",
        "council": f"council.connector.1@{slug}.example",
        "centre": f"centre.coordinator.1@{slug}.example",
        "nhs": f"nhs.worker@{slug}.example",
        "housing": f"housing.worker@{slug}.example",
    }
    members = {
        m.user.email: m.user
        for m in Membership.objects.filter(
            organisation__place=place, user__email__in=wanted.values()
        ).select_related("user")
    }
    return {key: viewer_for_user(members[email], place) for key, email in wanted.items()}


def _consenting_residents(place, lead, rng, n):
    """Residents held by the lead organisation who agreed to their story being used."""
    consented = Consent.objects.filter(
        purpose=ConsentPurpose.STORY, organisation__isnull=True, given=True
    ).values("resident_id")
    ids = list(
        Resident.objects.filter(
            place=place,
            organisation=lead,
            merged_into__isnull=True,
            stage__in=(Stage.ENGAGED, Stage.CONNECTING, Stage.GRADUATED),
            pk__in=consented,
        )
        .order_by("pk")
        .values_list("public_id", flat=True)
    )
    rng.shuffle(ids)
    return ids[:n]


def _at(day, hour=11):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def generate_learning(place, *, seed=1) -> dict:
    """Connecting the Dots for the demo place, through the learning services. Returns counts."""
    rng = random.Random(f"{seed}:learning")
    today = timezone.localdate()
    v = _viewers(place)
    orgs = {o.kind: o for o in place.organisations.all()}
    by_key = {
        "lead": place.lead_organisation,
        "council": orgs.get("council"),
        "nhs": orgs.get("nhs"),
        "housing": orgs.get("housing"),
        "centre": place.organisations.filter(name__icontains="Community Centre").first(),
    }
    staff = [v["coordinator"], v["catalyst"], v["council"], v["centre"], v["nhs"], v["housing"]]

    sessions = []
    for days_ago, title, guests in SESSIONS:
        held = today - timedelta(days=days_ago)
        session = session_create(
            viewer=v["coordinator"],
            title=title,
            held_on=held,
            notes="" if days_ago < 0 else "Stories heard, barriers named, actions agreed.",
            decisions="" if days_ago < 0 else "Actions recorded on each barrier.",
        )
        for viewer in rng.sample(staff, k=rng.randint(4, len(staff))):
            attendee_add(
                viewer=v["coordinator"],
                session=session,
                user=viewer.user,
                organisation=_org_of(viewer),
            )
        for name, organisation in guests:
            attendee_add(
                viewer=v["coordinator"],
                session=session,
                name=name,
                organisation_name=organisation,
            )
        Session.objects.filter(pk=session.pk).update(created_at=_at(min(held, today), 9))
        sessions.append(session)

    linked = iter(_consenting_residents(place, by_key["lead"], rng, 5))
    stories = []
    for index, title, text, consented in STORIES:
        resident = next(linked, "") if consented else ""
        story = story_add(
            viewer=v["coordinator"] if resident else rng.choice(staff),
            session=sessions[index],
            title=title,
            text=text,
            resident_public_id=resident,
        )
        Story.objects.filter(pk=story.pk).update(created_at=_at(sessions[index].held_on, 10))
        stories.append(story)

    barriers = []
    for quadrant, title, description, area, story_ids, levels in BARRIERS:
        first = stories[story_ids[0]]
        barrier = barrier_create(
            viewer=rng.choice(staff),
            title=title,
            quadrant=quadrant,
            description=description,
            service_area=area,
            story=first,
        )
        for i in story_ids[1:]:
            barrier_link_story(viewer=v["coordinator"], barrier=barrier, story=stories[i])
        held = sessions[STORIES[story_ids[0]][0]].held_on
        for level, evidence, days in levels:
            change = barrier_set_level(
                viewer=v["coordinator"], barrier=barrier, level=level, evidence=evidence
            )
            at = _at(min(held + timedelta(days=days), today), 15)
            LevelChange.objects.filter(pk=change.pk).update(at=at)
            type(barrier).objects.filter(pk=barrier.pk).update(level_changed_at=at)
        barrier.refresh_from_db()
        barriers.append(barrier)

    actions = 0
    for index, description, owner_key, due_in, status in ACTIONS:
        owner_org = by_key.get(owner_key) or place.lead_organisation
        viewer = v["coordinator"]
        action = action_create(
            viewer=viewer,
            barrier=barriers[index],
            description=description,
            owner_organisation=owner_org,
            owner_name=_owner_name(owner_key),
            due_on=today + timedelta(days=due_in),
        )
        if status != ActionStatus.OPEN:
            action_set_status(viewer=viewer, action=action, status=status, version=action.version)
        created = _at(today + timedelta(days=min(due_in, 0) - 30), 12)
        Action.objects.filter(pk=action.pk).update(created_at=created)
        if status == ActionStatus.DONE:
            Action.objects.filter(pk=action.pk).update(
                done_at=_at(today + timedelta(days=due_in - 3), 14)
            )
        actions += 1

    for n, (kind, title, texts, tags, barrier_ids) in enumerate(LOG):
        entry = log_entry_create(
            viewer=rng.choice([v["coordinator"], v["catalyst"], v["council"]]),
            kind=kind,
            title=title,
            tags=tags,
            barriers=[barriers[i] for i in barrier_ids],
            **texts,
        )
        LogEntry.objects.filter(pk=entry.pk).update(
            created_at=_at(today - timedelta(days=150 - 30 * n), 16)
        )

    cards = 0
    for session_index, title, board_cards in BOARDS:
        session = sessions[session_index]
        board = board_create(viewer=v["coordinator"], title=title, session=session)
        Board.objects.filter(pk=board.pk).update(created_at=_at(min(session.held_on, today), 9))
        for column, text in board_cards:
            card = card_add(viewer=rng.choice(staff), board=board, column=column, text=text)
            cards += 1
            for voter in rng.sample(staff, k=rng.randint(0, 4)):
                card_vote(viewer=voter, card=card, vote=True)
        Card.objects.filter(board=board).update(created_at=_at(min(session.held_on, today), 10))
    return {
        "sessions": len(sessions),
        "stories": len(stories),
        "barriers": len(barriers),
        "actions": actions,
        "log entries": len(LOG),
        "cards": cards,
    }


_OWNERS = {
    "lead": "Partnership manager",
    "council": "Community connections lead",
    "nhs": "Practice manager, Union Street Surgery",
    "housing": "Tenancy services manager",
    "centre": "Centre coordinator",
}


def _owner_name(key):
    return _OWNERS.get(key, "Partnership manager")


def _org_of(viewer):
    """The organisation they first joined in the place (the coordinator's is the lead)."""
    membership = (
        Membership.objects.filter(user=viewer.user, organisation__place=viewer.place)
        .select_related("organisation")
        .order_by("pk")
        .first()
    )
    return membership.organisation
