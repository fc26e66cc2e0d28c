"""What each access level sees of the network's records about people (the field policy,
commonweave/core/visibility.py).

A resident's node, and the node of a private person only they named, is never labelled in
the place's network: only the roles that run the analysis (analysts, coordinators, place
admins) see such nodes at all, and by pseudonym — the kind of node, its sector and
neighbourhood (network/selectors.py decides who; everyone else gets the partnership network
of organisations and groups). Ties between people carry no note in the analysis. A
resident's own network drawing (who they see, could call on and help, by name) is casework
only; it reaches the place's network only as pseudonymous ties, with consent.

Which level a node or tie renders at follows from whom it is about (`node_level`,
`tie_level`): a node about one person (a resident, or someone or a group only a resident
named, which is keyed under them with a pseudonym) renders pseudonymously, and only the
analysis roles reach it at all; any other node (an organisation, group, service, venue or
professional contact) is no one's personal record and renders whole, as does a tie between
two such nodes. A resident's own network drawing renders at the viewer's access to the
resident (full: only the holding organisation's caseworkers reach it).
"""

from commonweave.core.visibility import Level, declare

from .enums import NodeKind

NODE = declare(
    "network.Node",
    full=(
        "public_id",
        "place",
        "kind",
        "label",
        "organisation",
        "resident",
        "pseudonym",
        "sector",
        "neighbourhood",
        "created_at",
    ),
    pseudonymous=("public_id", "place", "kind", "pseudonym", "sector", "neighbourhood"),
    internal=("id", "key", "record_key"),
)

TIE = declare(
    "network.Tie",
    full=(
        "public_id",
        "place",
        "source_node",
        "target_node",
        "tie_type",
        "strength",
        "directed",
        "started_on",
        "ended_on",
        "source",
        "note",
        "created_by",
        "created_at",
    ),
    pseudonymous=(
        "public_id",
        "place",
        "source_node",
        "target_node",
        "tie_type",
        "strength",
        "directed",
        "started_on",
        "ended_on",
        "source",
    ),
    internal=("id", "source_key"),
)

OWN_NETWORK_DRAWING = declare(
    "network.OwnNetworkDrawing",
    full=("place", "resident", "public_id", "number", "drawn_on", "drawn_by", "created_at"),
    internal=("id",),
)

# `key` is the member's public id, the same in every drawing: it names them in the page's
# addresses and in the API, so it is shown (to full access) like any record's public id.
OWN_NETWORK_MEMBER = declare(
    "network.OwnNetworkMember",
    full=("drawing", "key", "name", "kind", "closeness", "sees", "call_on", "helps"),
    internal=("id",),
)


def node_level(kind, pseudonym) -> Level:
    """The level a node renders at, to anyone who may see it (network/selectors.py)."""
    personal = kind == NodeKind.RESIDENT or bool(pseudonym)
    return Level.PSEUDONYMOUS if personal else Level.FULL


def tie_level(*ends: Level) -> Level:
    """A tie renders at the weaker level of the nodes it joins: pseudonymously as soon as
    one end is about a person."""
    return Level.PSEUDONYMOUS if Level.PSEUDONYMOUS in ends else Level.FULL


def node_fields(kind, pseudonym) -> frozenset[str]:
    """The node fields its level may show: for rows read without a model instance (the
    picture, exports), thousands at a time; one record is rendered with `shown`."""
    return NODE.fields_for(node_level(kind, pseudonym))
