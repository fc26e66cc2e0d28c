"""Own-network drawings for the demo place (`python -m commonweave demo` calls this).

A few residents who agreed to take part in evaluation (so their network rolls up into the
place's, without names) get a drawing made with their catalyst some months ago, and most
of them a second drawing since, with new people and groups and someone moved closer, so
"then and now" has something to show. Everything goes through own_network's services, as
if the catalyst had drawn it: audited, and re-derived into the place network.
Names are made up; some groups are ones the resident was connected to, so their ties
meet the group's node in the place network.
"""

import random
from datetime import timedelta

from django.utils import timezone

from commonweave.network import own_network
from commonweave.network.derive import OWN_NETWORK_CONSENT
from commonweave.network.enums import Closeness, MemberKind
from commonweave.people.access import Access, access_level
from commonweave.people.enums import ConnectionKind
from commonweave.people.models import Connection, Consent, Resident
from commonweave.tenancy.viewer import viewer_for_user

PEOPLE = [
    "Mum",
    "My daughter Jo",
    "Brother Dave",
    "Neighbour at number 12",
    "Friend from school",
    "Auntie Pat",
    "Grandson Liam",
    "The lady at the corner shop",
    "Old workmate Raj",
    "Cousin Sam",
]
GROUPS = [
    ("Tuesday walking group", MemberKind.GROUP),
    ("The library", MemberKind.PLACE),
    ("Food bank", MemberKind.SERVICE),
    ("Church coffee morning", MemberKind.GROUP),
    ("Allotment society", MemberKind.GROUP),
    ("GP surgery", MemberKind.SERVICE),
]


def _consenting(place, limit, rng):
    """Up to `limit` residents of the place whose evaluation consent stands, with a
    catalyst, chosen at random but the same for the same seed."""
    ids = list(
        Consent.objects.filter(
            resident__place=place,
            resident__merged_into__isnull=True,
            resident__catalyst__isnull=False,
            purpose=OWN_NETWORK_CONSENT,
            organisation__isnull=True,
            given=True,
        )
        .order_by("resident_id")
        .values_list("resident_id", flat=True)
    )
    chosen = sorted(rng.sample(ids, min(limit, len(ids))))
    return list(Resident.objects.filter(pk__in=chosen).select_related("catalyst", "place"))


def _add(viewer, resident, name, kind, rng, closeness=None):
    said = {"sees": rng.random() < 0.8, "call_on": rng.random() < 0.5, "helps": rng.random() < 0.3}
    if not any(said.values()):
        said["sees"] = True
    return own_network.member_add(
        viewer=viewer,
        resident=resident,
        name=name,
        kind=kind,
        closeness=closeness or rng.choice(list(Closeness)),
        **said,
    )


def demo_drawings(place, *, residents=8, seed=1, today=None) -> dict:
    """Drawings for up to `residents` consenting residents; two drawings for about two in
    three of them. Returns counts {"residents", "drawings", "members"}.
    Side effects: drawings and members through own_network (audit events, derived ties)."""
    rng = random.Random(f"own-network:{seed}:{place.pk}")
    today = today or timezone.localdate()
    counts = {"residents": 0, "drawings": 0, "members": 0}
    for resident in _consenting(place, residents, rng):
        viewer = viewer_for_user(resident.catalyst, place)
        if own_network.drawings_of(resident) or viewer is None:
            continue  # already drawn, or their catalyst has left
        if access_level(viewer, resident) is not Access.FULL:
            continue
        joined = (
            Connection.objects.filter(resident=resident, kind=ConnectionKind.GROUP)
            .values_list("name", flat=True)
            .first()
        )
        groups = ([(joined, MemberKind.GROUP)] if joined else []) + rng.sample(GROUPS, 2)
        people = rng.sample(PEOPLE, 5)
        first_on = today - timedelta(days=rng.randint(90, 200))
        own_network.drawing_again(viewer=viewer, resident=resident, drawn_on=first_on)
        members = [_add(viewer, resident, name, MemberKind.PERSON, rng) for name in people[:2]]
        members.append(_add(viewer, resident, *groups[0], rng, closeness=Closeness.FURTHER))
        counts["drawings"] += 1
        if rng.random() < 0.67:
            own_network.drawing_again(
                viewer=viewer,
                resident=resident,
                drawn_on=today - timedelta(days=rng.randint(3, 40)),
            )
            counts["drawings"] += 1
            latest = own_network.drawings_of(resident)[-1]
            moved = next(m for m in latest.members.all() if m.key == members[-1].key)
            own_network.member_change(
                viewer=viewer,
                resident=resident,
                member=moved,
                name=moved.name,
                kind=moved.kind,
                closeness=Closeness.CLOSE,
                sees=True,
                call_on=True,
                helps=moved.helps,
            )
            for name in people[2 : 2 + rng.randint(1, 3)]:
                members.append(_add(viewer, resident, name, MemberKind.PERSON, rng))
            for name, kind in groups[1:]:
                members.append(_add(viewer, resident, name, kind, rng))
        counts["residents"] += 1
        counts["members"] += len(members)
    return counts
