"""Money in the demo place (issue 17): a small good things fund with a year of personal
grants — asked for by catalysts from residents' pages, decided by the coordinator (and the
place admin too above the threshold), paid with their method, one paid to the wrong shop
and reversed, a few with what they made possible in the resident's words, and some still
waiting — and a community chest with grants to local groups, each paid one with a
timeline of its results. All through the grants services, so approvals, the ledger and
audit events are the real ones.

Two participatory rounds on the chest: a decided spring round (applications by the web
form, a nomination and a conversation, one not eligible with its reason, a two-person panel
with a declared conflict, paper, text and web ballots, the count, and the winners' grants
asked for), and an autumn round with its public vote open and voter codes handed out.

`generate_partnership` calls `generate_money`.
"""

import datetime
import random

from django.utils import timezone

from commonweave.grants import results, rounds, services, vote, winners
from commonweave.grants.enums import AwardStatus
from commonweave.people.enums import Stage
from commonweave.people.models import Resident
from commonweave.tenancy.enums import Role
from commonweave.tenancy.models import Membership
from commonweave.tenancy.viewer import public_viewer, viewer_for_user

FOUNDATION = "Hartley Vale Community Foundation"
# (what, purpose, reason, pounds, supplier, what it made possible)
SMALL_GOOD_THINGS = (
    ("A photo ID card", "GTIP170", "GTIR090", 15, "Post Office",
     "I could open a bank account and get my wages paid in."),
    ("A second-hand fridge", "GTIP020", "GTIR010", 85, "Furniture Link", ""),
    ("A bus pass for the winter", "GTIP100", "GTIR010", 48, "First Bus",
     "I get to the lunch club every Tuesday now. I look forward to it all week."),
    ("A mobility scooter battery", "GTIP030", "GTIR020", 120, "Vale Mobility", ""),
    ("A tablet and a month of data", "GTIP040", "GTIR090", 140, "Currys",
     "I video call my grandson in Leeds on Sundays."),
    ("Walking boots for the walking group", "GTIP080", "GTIR040", 45, "Millets", ""),
    ("Gas meter top-up", "GTIP050", "GTIR100", 30, "", ""),
    ("A course fee: food hygiene level 2", "GTIP130", "GTIR110", 25, "Oldham College",
     "I have started volunteering in the community café kitchen."),
    ("A kettle and a toaster", "GTIP020", "GTIR080", 35, "Argos", ""),
    ("Swimming sessions", "GTIP110", "GTIR040", 40, "Oldham Leisure", ""),
)  # fmt: skip
COMMUNITY = (
    ("Millbrook Allotment Society", "1090321", "", "Tools and seeds for the new plots", 750),
    ("Shaw Men's Walking Football", "", "12345678", "Kit and pitch hire for a season", 600),
    ("Royton Knit and Natter", "", "", "Wool, needles and tea for a year", 250),
    ("Alexandra Park Friends", "1123456", "", "A bench and planters by the lake", 1200),
)

# A community award's timeline (grants.results): (days ago, status, progress, what happened).
RESULTS = (
    ((60, "not_started", 0, "Plots marked out; tools ordered."),
     (30, "on_track", 40, "Twelve raised beds built by volunteers."),
     (5, "completed", 100, "Every plot taken; first harvest shared at the open day.")),
    ((45, "on_track", 25, "Kit bought; pitch booked on Thursdays."),
     (10, "delayed", 50, "Pitch closed for drainage work: sessions moved to March.")),
    ((50, "on_track", 30, "Wool and needles in; eight regulars."),
     (25, "on_track", 60, "Two new members from the library group."),
     (3, "on_track", 80, "Blankets for the hospice under way.")),
)  # fmt: skip


def _person(place, org_id, role):
    membership = (
        Membership.objects.filter(organisation_id=org_id, role=role)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return viewer_for_user(membership.user, place) if membership else None


def generate_money(place, *, seed=1, now=None) -> dict:
    """Two funds and their awards for the demo place. Returns counts.

    Side effects: through grants.services: funds, money in, awards, approvals, payments, a
    reversal; community awards' results; audit events; texts to residents told of a grant
    (sent after commit)."""
    rng = random.Random(f"{seed}:money")
    now = now or timezone.now()
    lead = place.lead_organisation_id
    coordinator = _person(place, lead, Role.COORDINATOR)
    admin = _person(place, lead, Role.PLACE_ADMIN)
    catalyst = _person(place, lead, Role.CATALYST)
    if not (coordinator and admin and catalyst):
        return {"funds": 0, "awards": 0, "paid": 0}
    small = services.fund_create(
        viewer=coordinator,
        name="Small good things",
        programme="Connect",
        funders=[FOUNDATION],
        pot="5000",
        source=FOUNDATION,
        approval_threshold="100",
        pot_on=(now - datetime.timedelta(days=365)).date(),
        starts_on=(now - datetime.timedelta(days=365)).date(),
    )
    chest = services.fund_create(
        viewer=coordinator,
        name="Community chest",
        programme="Residents decide",
        funders=[FOUNDATION, "Hartley Vale District Council"],
        pot="10000",
        source="Hartley Vale District Council",
        approval_threshold="500",
        pot_on=(now - datetime.timedelta(days=200)).date(),
        personal=False,
        community=True,
    )
    residents = list(
        Resident.objects.filter(
            place=place,
            organisation_id=lead,
            catalyst_id=catalyst.user_id,
            stage__in=[Stage.ENGAGED, Stage.CONNECTING, Stage.GRADUATED],
        ).order_by("pk")[: len(SMALL_GOOD_THINGS) * 2]
    )
    counts = {"funds": 2, "awards": 0, "paid": 0}
    for i, resident in enumerate(residents):
        what, purpose, reason, pounds, supplier, words = SMALL_GOOD_THINGS[
            i % len(SMALL_GOOD_THINGS)
        ]
        asked = now - datetime.timedelta(days=330 * (len(residents) - i) / len(residents) + 1)
        award = services.award_request(
            viewer=catalyst, fund=small, resident=resident, title=what, amount=pounds,
            why=rng.choice(("It is what stands between them and getting out again.",
                            "Their worker and they agreed it would unblock the next step.")),
            supplier=supplier, purpose_code=purpose, reason_code=reason, now=asked,
        )  # fmt: skip
        counts["awards"] += 1
        if i >= len(residents) - 3:
            if pounds >= 100:  # one approval given, waiting for a second person
                services.award_decide(viewer=coordinator, award=award, decision="approve")
            continue  # the newest wait for a decision
        for approver in (coordinator, admin):
            award.refresh_from_db()
            if award.status == AwardStatus.REQUESTED:
                services.award_decide(
                    viewer=approver,
                    award=award,
                    decision="approve",
                    evidence="Talked it through with their catalyst.",
                )
        paid_on = (asked + datetime.timedelta(days=rng.randint(1, 6))).date()
        method = "supplier" if supplier else "voucher"
        payment = services.payment_record(
            viewer=coordinator, award=award, amount=pounds, method=method, paid_on=paid_on
        )
        counts["paid"] += 1
        if i == 4:
            services.entry_reverse(
                viewer=coordinator, entry=payment, reason="Paid to the wrong shop"
            )
            services.payment_record(viewer=coordinator, award=award, amount=pounds,
                                    method="card", paid_on=paid_on)  # fmt: skip
        if words:
            services.made_possible_record(
                viewer=catalyst, award=award, words=words, shareable=i % 2 == 0
            )
    for i, (group, charity, company, what, pounds) in enumerate(COMMUNITY):
        # Asked for by the catalyst who met the group, so both runners may decide.
        award = services.award_request(
            viewer=catalyst, fund=chest, group_name=group, charity_number=charity,
            company_number=company, title=what, amount=pounds,
            why="Chosen by the residents' panel.",
        )  # fmt: skip
        counts["awards"] += 1
        for approver in (admin, coordinator)[: 1 if i == 3 else 2]:
            award.refresh_from_db()
            if award.status == AwardStatus.REQUESTED and award.requested_by_id != approver.user_id:
                services.award_decide(viewer=approver, award=award, decision="approve")
        award.refresh_from_db()
        if award.status == AwardStatus.APPROVED:
            services.payment_record(viewer=coordinator, award=award, amount=pounds,
                                    method="bank_transfer")  # fmt: skip
            counts["paid"] += 1
            for days_ago, status, progress, note in RESULTS[i % len(RESULTS)]:
                on = min((now - datetime.timedelta(days=days_ago)).date(), timezone.localdate())
                results.update_add(viewer=coordinator, award=award, on=on, status=status,
                                   progress=progress, note=note)  # fmt: skip
    counts["rounds"] = _rounds(place, chest, coordinator, admin, rng)
    return counts


# (group, contact, project, what for, pounds, how it came in)
SPRING = (
    ("Werneth Youth Club", "Dee Oduya", "Friday night football", "Pitch hire and a coach", 400,
     "web"),
    ("Hathershaw Food Share", "Sam Patel", "A second fridge", "Keep more fresh food for families",
     350, "web"),
    ("Coppice Tenants", "Jo Marsh", "Street party", "Tables, a gazebo and a first-aid kit", 300,
     "conversation"),
    ("Glodwick Sewing Circle", "Amina Begum", "Sewing machines", "Two machines for lessons", 450,
     "nomination"),
    ("Oldham Ramblers", "Pat Green", "A minibus day out", "Hire for a day in the Peaks", 500,
     "web"),
)  # fmt: skip
AUTUMN = (
    ("Chadderton Men's Shed", "Bill Ashworth", "A lathe", "A safe lathe for the shed", 600),
    ("Failsworth Parents", "Kim Lee", "Toddler group toys", "Toys and mats", 250),
    ("Royton Library Friends", "Viv Hart", "Chatty café", "Tea and cake for a year", 300),
)  # fmt: skip


def _rounds(place, chest, coordinator, admin, rng) -> int:
    """A decided spring round and an autumn round with its vote open (see the module's
    docstring). Returns how many rounds."""
    public = public_viewer(place)
    spring = rounds.round_open(
        viewer=coordinator, fund=chest, name="Spring: residents decide", budget="1200",
        rule="approval",
    )  # fmt: skip
    apps = []
    for group, contact, title, what_for, pounds, channel in SPRING:
        data = {"group_name": group, "contact_name": contact, "contact_email": "",
                "title": title, "what_for": what_for, "amount": pounds}  # fmt: skip
        if channel == "web":
            apps.append(rounds.application_submit(viewer=public, round_=spring, **data))
        else:
            apps.append(
                rounds.application_record(viewer=admin, round_=spring, channel=channel, **data)
            )
    rounds.round_move(viewer=coordinator, round_=spring, state="screening")
    for app in apps[:-1]:
        rounds.application_screen(viewer=coordinator, application=app, eligible=True)
    rounds.application_screen(
        viewer=coordinator, application=apps[-1], eligible=False,
        reason="A day trip is outside this round's rules: it funds things that last.",
    )  # fmt: skip
    rounds.round_move(viewer=coordinator, round_=spring, state="panel")
    panel = [
        rounds.panellist_add(viewer=coordinator, round_=spring, name=name, hourly_rate=rate)
        for name, rate in (
            ("Maureen (resident panellist)", "12.60"),
            ("Tariq (youth worker)", None),
        )
    ]
    rounds.conflict_declare(
        viewer=coordinator, application=apps[0], panellist=panel[1],
        reason="Volunteers at the youth club",
    )  # fmt: skip
    for panellist in panel:
        for app in apps[:-1]:
            if panellist is panel[1] and app is apps[0]:
                continue
            marks = {c: rng.randint(2, 5) for c in spring.rubric}
            rounds.score_record(viewer=coordinator, application=app, marks=marks,
                                panellist=panellist)  # fmt: skip
    rounds.round_move(viewer=coordinator, round_=spring, state="vote")
    refs = [app.ref for app in apps[:-1]]
    for i in range(24):
        chosen = sorted(rng.sample(refs, rng.randint(1, 3)))
        rounds.ballot_enter(viewer=coordinator, round_=spring, ref=f"{i + 1:03d}",
                            channel="paper" if i % 3 else "text", choices=chosen)  # fmt: skip
    for code in vote.codes_issue(viewer=coordinator, round_=spring, how_many=8)[:5]:
        vote.vote_cast(round_=spring, code=code, choices=sorted(rng.sample(refs, 2)))
    rounds.round_count(viewer=coordinator, round_=spring)
    winners.awards_make(viewer=coordinator, round_=spring)

    autumn = rounds.round_open(
        viewer=coordinator, fund=chest, name="Autumn: have your say", budget="800",
        rule="k_of_n", max_choices=2,
    )  # fmt: skip
    autumn_apps = [
        rounds.application_submit(
            viewer=public,
            round_=autumn,
            group_name=group,
            contact_name=contact,
            contact_email="",
            title=title,
            what_for=what_for,
            amount=pounds,
        )  # fmt: skip
        for group, contact, title, what_for, pounds in AUTUMN
    ]
    rounds.round_move(viewer=coordinator, round_=autumn, state="screening")
    for app in autumn_apps:
        rounds.application_screen(viewer=coordinator, application=app, eligible=True)
    rounds.round_move(viewer=coordinator, round_=autumn, state="vote")
    for code in vote.codes_issue(viewer=coordinator, round_=autumn, how_many=20)[:6]:
        vote.vote_cast(round_=autumn, code=code, choices=sorted(rng.sample(
            [app.ref for app in autumn_apps], 2)))  # fmt: skip
    return 2
