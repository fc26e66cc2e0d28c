"""Money in the demo place (issue 17): a small good things fund with a year of personal
grants — asked for by catalysts from residents' pages, decided by the coordinator (and the
place admin too above the threshold), paid with their method, one paid to the wrong shop
and reversed, a few with what they made possible in the resident's words, and some still
waiting — and a community chest with grants to local groups, each paid one with a
timeline of its results. All through the grants services, so approvals, the ledger and
audit events are the real ones.

`generate_partnership` calls `generate_money`.
"""

import datetime
import random

from django.utils import timezone

from commonweave.grants import results, services
from commonweave.grants.enums import AwardStatus
from commonweave.people.enums import Stage
from commonweave.people.models import Resident
from commonweave.tenancy.enums import Role
from commonweave.tenancy.models import Membership
from commonweave.tenancy.viewer import viewer_for_user

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
    return counts
