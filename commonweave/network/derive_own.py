"""A resident's own network (own_network.py) rolled up into the place network, with their
consent, as pseudonymous ties: derive.py calls these for the residents it re-derives."""

from django.db.models import Q

from commonweave.people.enums import ConsentPurpose
from commonweave.people.models import name_key

from .enums import CLOSENESS_STRENGTH, MEMBER_NODE_KIND, RELATIONS, MemberKind, NodeKind, TieSource
from .models import Node, OwnNetworkDrawing, OwnNetworkMember, resident_pseudonym
from .specs import BATCH, TieSpec, resident_key

# The consent under which a resident's own network joins the place network: their network
# is counted, without names, in the partnership's evaluation (people.ConsentPurpose).
OWN_NETWORK_CONSENT = ConsentPurpose.EVALUATION
OWN_PREFIX = "own:"


def own_node_key(resident_id, member_key) -> str:
    return f"{OWN_PREFIX}{resident_id}:{member_key}"


def _match_keys(name) -> list:
    """Keys a group, service or place the partnership already knows would have (from a
    connection, a hand-recorded node or a partner organisation), most specific first."""
    key = name_key(name)
    if not key:
        return []
    return [
        f"{NodeKind.GROUP}:{key[:180]}",
        f"{NodeKind.SERVICE}:{key[:180]}",
        f"{NodeKind.VENUE}:{key[:180]}",
        f"{NodeKind.GROUP}:manual:{key[:180]}",
        f"{NodeKind.SERVICE}:manual:{key[:180]}",
        f"ext:{key[:200]}",
    ]


def own_rows(place, residents, consents):
    """(drawings by resident, keys of labelled nodes members may match) for the residents
    whose consent to roll up is given now. Names are read here and never stored on a node."""
    consenting = [
        c.resident_id
        for c in consents
        if c.purpose == OWN_NETWORK_CONSENT and c.given and c.resident_id in residents
    ]
    drawings = {}
    if not consenting:
        return drawings, set()
    members = (
        OwnNetworkMember.objects.filter(drawing__resident_id__in=consenting)
        .order_by("drawing__resident_id", "drawing__number", "pk")
        .values_list(
            "drawing__resident_id",
            "drawing__number",
            "drawing__drawn_on",
            "key",
            "name",
            "kind",
            "closeness",
            "sees",
            "call_on",
            "helps",
        )
    )
    for rid, number, drawn_on in OwnNetworkDrawing.objects.filter(
        resident_id__in=consenting
    ).values_list("resident_id", "number", "drawn_on"):
        drawings.setdefault(rid, {})[number] = (drawn_on, [])
    candidates = set()
    for rid, number, _, *member in members:
        drawings[rid][number][1].append(member)
        if member[2] != MemberKind.PERSON:
            candidates.update(_match_keys(member[1]))
    known = set()
    candidates = list(candidates)
    for start in range(0, len(candidates), BATCH):
        known.update(
            Node.objects.filter(place=place, key__in=candidates[start : start + BATCH])
            .exclude(label="")
            .values_list("key", flat=True)
        )
    return drawings, known


def own_network_ties(residents, drawings, known):
    """Each member of the latest drawing is a tie from the resident for each thing they
    said (sees, could call on, helps), since the first drawing that said it; a member
    left out of a later drawing ends on that drawing's date. People are unlabelled nodes
    private to the resident; a group or service the partnership already knows shares its
    node; anything else is an unlabelled node of its kind."""
    expected, nodes = {}, {}
    for rid, by_number in drawings.items():
        resident = residents.get(rid)
        if resident is None or resident.merged_into_id:
            continue
        ordered = [by_number[n] for n in sorted(by_number)]
        first, last, latest = {}, {}, {}
        for index, (drawn_on, members) in enumerate(ordered):
            for key, name, kind, closeness, *said in members:
                latest[key] = (name, kind, closeness)
                for (relation, _, _), yes in zip(RELATIONS, said, strict=True):
                    if yes:
                        first.setdefault((key, relation), drawn_on)
                        last[(key, relation)] = index
        tie_types = {relation: tie_type for relation, _, tie_type in RELATIONS}
        for (key, relation), started_on in first.items():
            name, kind, closeness = latest[key]
            target = next((k for k in _match_keys(name) if k in known), None)
            if kind == MemberKind.PERSON or target is None:
                target = own_node_key(rid, key)
                nodes[target] = {
                    "kind": MEMBER_NODE_KIND.get(kind, NodeKind.PERSON),
                    "pseudonym": resident_pseudonym(target),
                }
            else:
                nodes.setdefault(target, {"kind": NodeKind.GROUP})
            index = last[(key, relation)]
            expected[f"{own_node_key(rid, key)}:{relation}"] = TieSpec(
                a=resident_key(rid),
                b=target,
                tie_type=tie_types[relation],
                source=TieSource.OWN_NETWORK,
                started_on=started_on,
                strength=CLOSENESS_STRENGTH.get(closeness, 1.0),
                directed=relation != "sees",
                ended_on=None if index == len(ordered) - 1 else ordered[index + 1][0],
            )
    return expected, nodes


def _key_range(prefix) -> Q:
    """Keys starting with `prefix` ending in ":", as a range the (place, key) index serves
    (a LIKE is case-insensitive in SQLite and cannot use it)."""
    return Q(key__gte=prefix, key__lt=prefix[:-1] + ";")


def forget_own_nodes(place, keep, resident_ids=None):
    """Delete the private nodes of own networks no longer rolled up (consent withdrawn,
    member removed), so nothing of them stays in the place network. `resident_ids`
    limits it to those residents' nodes (None: the whole place)."""
    if resident_ids is None:
        scope = _key_range(OWN_PREFIX)
    else:
        scope = Q(pk__in=[])
        for rid in resident_ids:
            scope |= _key_range(own_node_key(rid, ""))
    nodes = Node.objects.filter(scope, place=place).order_by()
    stale = [pk for pk, key in nodes.values_list("pk", "key") if key not in keep]
    for start in range(0, len(stale), BATCH):
        Node.objects.filter(pk__in=stale[start : start + BATCH]).delete()
