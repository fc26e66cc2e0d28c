"""Ties that record themselves: derive the network from what people already record.

Each derived tie names the row it came from (`source_key`): a connection made for a
resident, a referral between organisations, a resident's casework with the organisation
holding their record, consent to share the record with a partner, organisations at
the same Connecting the Dots session, and — with the resident's consent — the latest
drawing of their own network (pseudonymous ties; withdrawing consent removes them and
their private nodes at the next sync). Each node's neighbourhood is filled from the
directory (locate.py). Deriving is idempotent: the same rows always give
the same ties; a withdrawn row ends its tie (keeping its history for growth), a deleted
row removes it.

`sync_ties(place)` derives the whole place (the recompute job runs it first); the signal
receivers in signals.py call `sync_residents` / `sync_session` for one row at a time, so
the people and learning apps never call this app.
"""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from commonweave.people.enums import (
    ConnectionKind,
    ConnectionStatus,
    ConsentPurpose,
    ReferralStatus,
    Stage,
)
from commonweave.people.models import Connection, Consent, Referral, Resident, name_key
from commonweave.tenancy.models import Organisation

from .derive_own import (  # noqa: F401 - OWN_NETWORK_CONSENT, own_node_key: this app's API
    OWN_NETWORK_CONSENT,
    OWN_PREFIX,
    forget_own_nodes,
    own_network_ties,
    own_node_key,
    own_rows,
)
from .enums import DERIVED_SOURCES, NodeKind, TieSource, TieType
from .locate import fill_neighbourhoods
from .models import Node, Tie, resident_pseudonym
from .specs import (  # noqa: F401 - the key and spec helpers are used through derive.*
    _UNKNOWN_ORG,
    BATCH,
    ENDED_NOW,
    TieSpec,
    external_key,
    external_spec,
    org_key,
    org_spec,
    resident_key,
    resident_spec,
)

_CONNECTION_NODE_KIND = {
    ConnectionKind.GROUP: NodeKind.GROUP,
    ConnectionKind.SERVICE: NodeKind.SERVICE,
    ConnectionKind.PLACE: NodeKind.VENUE,
}


def _connection_target(connection) -> tuple[str, dict]:
    """The node a connection points at. A named person the resident knows is private to
    that resident: keyed under them and never labelled."""
    key_text = name_key(connection.name)[:180]
    if connection.kind == ConnectionKind.PERSON:
        person = resident_pseudonym(f"{connection.resident_id}:{key_text}")
        return f"person:{connection.resident_id}:{person}", {
            "kind": NodeKind.PERSON,
            "pseudonym": person,
        }
    kind = _CONNECTION_NODE_KIND.get(connection.kind, NodeKind.GROUP)
    return f"{kind}:{key_text}", {"kind": kind, "label": connection.name.strip()[:200]}


# --- nodes ----------------------------------------------------------------------------------


def ensure_nodes(place, specs: dict) -> dict:
    """Node ids for these keys, creating the missing ones. `specs` maps key -> fields."""
    ids = {}
    keys = list(specs)
    for start in range(0, len(keys), BATCH):
        chunk = keys[start : start + BATCH]
        ids.update(Node.objects.filter(place=place, key__in=chunk).values_list("key", "pk"))
    missing = [Node(place=place, key=k, **specs[k]) for k in keys if k not in ids]
    if missing:
        Node.objects.bulk_create(missing, batch_size=BATCH, ignore_conflicts=True)
        for start in range(0, len(missing), BATCH):
            chunk = [n.key for n in missing[start : start + BATCH]]
            ids.update(Node.objects.filter(place=place, key__in=chunk).values_list("key", "pk"))
    return ids


# --- applying -------------------------------------------------------------------------------


def _apply(place, expected: dict, existing: dict, node_ids: dict, *, today=None) -> dict:
    """Make the stored derived ties match `expected` (source_key -> TieSpec).

    `existing` maps source_key -> Tie for every derived tie in scope; those not expected
    are deleted (their row is gone). Returns counts of created, updated, ended, deleted.
    """
    today = today or timezone.localdate()
    create, update = [], []
    counts = {"created": 0, "updated": 0, "ended": 0, "deleted": 0}
    for key, spec in expected.items():
        tie = existing.get(key)
        if spec.ended_on == ENDED_NOW:
            ended_on = tie.ended_on if tie is not None and tie.ended_on else today
        else:
            ended_on = spec.ended_on
        if tie is None:
            if ended_on is not None and spec.ended_on == ENDED_NOW:
                continue  # never recorded as active: nothing to end
            create.append(
                Tie(
                    place=place,
                    source_node_id=node_ids[spec.a],
                    target_node_id=node_ids[spec.b],
                    tie_type=spec.tie_type,
                    strength=spec.strength,
                    directed=spec.directed,
                    started_on=spec.started_on,
                    ended_on=ended_on,
                    source=spec.source,
                    source_key=key,
                )
            )
            continue
        values = {
            "source_node_id": node_ids[spec.a],
            "target_node_id": node_ids[spec.b],
            "tie_type": spec.tie_type,
            "strength": spec.strength,
            "directed": spec.directed,
            "started_on": spec.started_on,
            "ended_on": ended_on,
        }
        if any(getattr(tie, f) != v for f, v in values.items()):
            if ended_on is not None and tie.ended_on is None:
                counts["ended"] += 1
            for f, v in values.items():
                setattr(tie, f, v)
            update.append(tie)
    stale = [tie.pk for key, tie in existing.items() if key not in expected]
    if create:
        Tie.objects.bulk_create(create, batch_size=BATCH)
    if update:
        Tie.objects.bulk_update(
            update,
            [
                "source_node",
                "target_node",
                "tie_type",
                "strength",
                "directed",
                "started_on",
                "ended_on",
            ],
            batch_size=BATCH,
        )
    for start in range(0, len(stale), BATCH):
        Tie.objects.filter(pk__in=stale[start : start + BATCH]).delete()
    counts.update(created=len(create), updated=len(update), deleted=len(stale))
    return counts


# --- what the people app records -----------------------------------------------------------


def _resident_ties(residents, connections, referrals, consents, org_names, own=None):
    """Expected ties and node specs for these residents (dicts of their rows)."""
    expected, nodes = {}, {}
    if own is not None:
        expected, nodes = own_network_ties(residents, *own)
    for r in residents.values():
        if r.merged_into_id:
            continue
        nodes[resident_key(r.pk)] = resident_spec(r.pk)
    for c in connections:
        resident = residents.get(c.resident_id)
        if resident is None or resident.merged_into_id or c.status == ConnectionStatus.SUGGESTED:
            continue
        target, spec = _connection_target(c)
        nodes[target] = spec
        expected[f"connection:{c.pk}"] = TieSpec(
            a=resident_key(c.resident_id),
            b=target,
            tie_type=TieType.CONNECTION,
            source=TieSource.CONNECTION,
            started_on=c.made_on,
            strength=2.0 if c.status == ConnectionStatus.GOING else 1.0,
            ended_on=ENDED_NOW if c.status == ConnectionStatus.STOPPED else None,
        )
    first_referral = {}
    for ref in referrals:
        resident = residents.get(ref.resident_id)
        if resident is None or resident.merged_into_id:
            continue
        received = timezone.localdate(ref.received_at)
        if ref.resident_id not in first_referral or received < first_referral[ref.resident_id]:
            first_referral[ref.resident_id] = received
        if ref.referring_organisation_id and ref.referring_organisation_id != (
            resident.organisation_id
        ):
            for org_id in (ref.referring_organisation_id, resident.organisation_id):
                nodes[org_key(org_id)] = org_names.get(org_id, _UNKNOWN_ORG)
            expected[f"referral:{ref.pk}"] = TieSpec(
                a=org_key(ref.referring_organisation_id),
                b=org_key(resident.organisation_id),
                tie_type=TieType.REFERRAL,
                source=TieSource.REFERRAL,
                started_on=received,
                directed=True,
                ended_on=ENDED_NOW if ref.status == ReferralStatus.CLOSED else None,
            )
    for r in residents.values():
        if r.merged_into_id:
            continue
        nodes[org_key(r.organisation_id)] = org_names.get(r.organisation_id, _UNKNOWN_ORG)
        started = first_referral.get(r.pk) or timezone.localdate(r.created_at)
        closed = r.stage == Stage.CLOSED
        expected[f"casework:{r.pk}"] = TieSpec(
            a=resident_key(r.pk),
            b=org_key(r.organisation_id),
            tie_type=TieType.CASEWORK,
            source=TieSource.REFERRAL,
            started_on=started,
            ended_on=(timezone.localdate(r.closed_at) if r.closed_at else ENDED_NOW)
            if closed
            else None,
        )
    for consent in consents:
        resident = residents.get(consent.resident_id)
        if (
            resident is None
            or resident.merged_into_id
            or consent.organisation_id is None
            or consent.purpose != ConsentPurpose.SHARE
        ):
            continue
        nodes[org_key(consent.organisation_id)] = org_names.get(
            consent.organisation_id, _UNKNOWN_ORG
        )
        since = timezone.localdate(consent.since)
        expected[f"share:{consent.resident_id}:{consent.organisation_id}"] = TieSpec(
            a=resident_key(consent.resident_id),
            b=org_key(consent.organisation_id),
            tie_type=TieType.SHARING,
            source=TieSource.CONSENT,
            started_on=since,
            ended_on=None if consent.given else ENDED_NOW,
        )
    return expected, nodes


def _org_specs(place):
    return {o.pk: org_spec(o) for o in Organisation.objects.filter(place=place)}


def _rows_for(resident_filter):
    residents = {
        r.pk: r
        for r in Resident.objects.filter(resident_filter).only(
            "pk",
            "place_id",
            "organisation_id",
            "merged_into_id",
            "stage",
            "created_at",
            "closed_at",
        )
    }
    ids = list(residents)
    connections = list(
        Connection.objects.filter(resident_id__in=ids).only(
            "pk", "resident_id", "kind", "name", "status", "made_on"
        )
    )
    referrals = list(
        Referral.objects.filter(resident_id__in=ids).only(
            "pk", "resident_id", "referring_organisation_id", "received_at", "status"
        )
    )
    consents = list(
        Consent.objects.filter(
            resident_id__in=ids, purpose__in=[ConsentPurpose.SHARE, OWN_NETWORK_CONSENT]
        ).only("resident_id", "purpose", "organisation_id", "given", "since")
    )
    return residents, connections, referrals, consents


def _existing_for(place, keys, node_ids_in_scope):
    existing = {}
    keys = list(keys)
    for start in range(0, len(keys), BATCH):
        for tie in Tie.objects.filter(place=place, source_key__in=keys[start : start + BATCH]):
            existing[tie.source_key] = tie
    if node_ids_in_scope:
        for tie in Tie.objects.filter(
            Q(source_node_id__in=node_ids_in_scope) | Q(target_node_id__in=node_ids_in_scope),
            place=place,
            source__in=[
                TieSource.CONNECTION,
                TieSource.REFERRAL,
                TieSource.CONSENT,
                TieSource.OWN_NETWORK,
            ],
        ):
            existing[tie.source_key] = tie
    return existing


@transaction.atomic
def sync_residents(place, resident_ids) -> dict:
    """Re-derive the ties of these residents (after one of their rows changed).

    Side effects: creates missing nodes; creates, updates, ends or deletes derived ties;
    deletes the node of a resident merged into another (their ties moved with their rows).
    """
    resident_ids = [pk for pk in resident_ids if pk]
    residents, connections, referrals, consents = _rows_for(Q(pk__in=resident_ids, place=place))
    own = own_rows(place, residents, consents)
    expected, nodes = _resident_ties(
        residents, connections, referrals, consents, _org_specs(place), own=own
    )
    node_ids = ensure_nodes(place, nodes)
    own_nodes = [node_ids[resident_key(pk)] for pk in residents if resident_key(pk) in node_ids]
    existing = _existing_for(place, expected, own_nodes)
    counts = _apply(place, expected, existing, node_ids)
    forget_own_nodes(place, set(nodes), resident_ids)
    fill_neighbourhoods(place, resident_ids=list(residents))
    merged = [resident_key(pk) for pk, r in residents.items() if r.merged_into_id]
    if merged:
        Node.objects.filter(place=place, key__in=merged).delete()
    return counts


# --- sessions (the learning app) -----------------------------------------------------------


def _session_ties(session, attendees, org_names):
    expected, nodes = {}, {}
    keys = set()
    for a in attendees:
        if a.organisation_id:
            key = org_key(a.organisation_id)
            nodes[key] = org_names.get(a.organisation_id) or {"kind": NodeKind.ORGANISATION}
        elif (a.organisation_name or "").strip() and name_key(a.organisation_name):
            key = external_key(a.organisation_name)
            nodes[key] = external_spec(a.organisation_name)
        else:
            continue
        keys.add(key)
    ordered = sorted(keys)
    for i, ka in enumerate(ordered):
        for kb in ordered[i + 1 :]:
            expected[f"session:{session.pk}:{ka}|{kb}"[:120]] = TieSpec(
                a=ka,
                b=kb,
                tie_type=TieType.CO_ATTENDANCE,
                source=TieSource.CO_ATTENDANCE,
                started_on=session.held_on,
            )
    return expected, nodes


def _sessions_model():
    from django.apps import apps

    try:
        return apps.get_model("learning", "Session")
    except LookupError:
        return None


@transaction.atomic
def sync_session(session_id) -> dict:
    """Re-derive the co-attendance ties of one session (or remove them if it is gone)."""
    session_model = _sessions_model()
    session = (
        session_model.objects.select_related("place").filter(pk=session_id).first()
        if session_model
        else None
    )
    prefix = f"session:{session_id}:"
    if session is None:
        Tie.objects.filter(source=TieSource.CO_ATTENDANCE, source_key__startswith=prefix).delete()
        return {"deleted": True}
    place = session.place
    expected, nodes = _session_ties(session, list(session.attendees.all()), _org_specs(place))
    node_ids = ensure_nodes(place, nodes)
    existing = {
        t.source_key: t for t in Tie.objects.filter(place=place, source_key__startswith=prefix)
    }
    return _apply(place, expected, existing, node_ids)


# --- neighbours helping (the mutual-aid app) ----------------------------------------------

# A match both sides accepted (and what follows it) is a helping tie; a declined or
# cancelled one is none.
_HELPING_STATUSES = ("accepted", "done", "thanked")
HELPING_PREFIX = "aid-match:"


def _matches_model():
    from django.apps import apps

    try:
        return apps.get_model("mutualaid", "Match")
    except LookupError:
        return None


def _helping_end(resident_id, private_key) -> tuple[str, dict]:
    """A side of a helping tie: the resident's own node when they are one, else a private
    person (never labelled) for the helper or the neighbour who asked."""
    if resident_id:
        return resident_key(resident_id), resident_spec(resident_id)
    return private_key, {"kind": NodeKind.PERSON, "pseudonym": resident_pseudonym(private_key)}


def _helping_ties(matches):
    """Expected ties and node specs for these matches: the helper helps the person asking."""
    expected, nodes = {}, {}
    for match in matches:
        if match.status not in _HELPING_STATUSES or match.accepted_at is None:
            continue
        helper, helper_spec = _helping_end(
            match.volunteer.resident_id, f"aid-helper:{match.volunteer_id}"
        )
        asker, asker_spec = _helping_end(match.need.resident_id, f"aid-asker:{match.need_id}")
        if helper == asker:
            continue
        nodes[helper], nodes[asker] = helper_spec, asker_spec
        expected[f"{HELPING_PREFIX}{match.pk}"] = TieSpec(
            a=helper,
            b=asker,
            tie_type=TieType.HELPS,
            source=TieSource.MUTUAL_AID,
            directed=True,
            started_on=timezone.localdate(match.accepted_at),
        )
    return expected, nodes


def _helping_rows(match_model, **filters):
    return match_model.objects.filter(**filters).select_related("need", "volunteer")


@transaction.atomic
def sync_helping(match_id) -> dict:
    """Re-derive the helping tie of one match (or remove it if the match is gone)."""
    match_model = _matches_model()
    match = _helping_rows(match_model, pk=match_id).first() if match_model else None
    key = f"{HELPING_PREFIX}{match_id}"
    if match is None:
        Tie.objects.filter(source=TieSource.MUTUAL_AID, source_key=key).delete()
        return {"deleted": True}
    expected, nodes = _helping_ties([match])
    node_ids = ensure_nodes(match.place, nodes)
    existing = {t.source_key: t for t in Tie.objects.filter(place=match.place, source_key=key)}
    return _apply(match.place, expected, existing, node_ids)


# --- the whole place -----------------------------------------------------------------------


def sync_ties(place, *, progress=None) -> dict:
    """Derive every tie of the place from its records; idempotent.

    Side effects: as sync_residents for every resident and sync_session for every session,
    plus deleting derived ties whose row no longer exists.
    """
    org_names = _org_specs(place)
    for org_id, spec in org_names.items():
        Node.objects.filter(place=place, key=org_key(org_id)).exclude(label=spec["label"]).update(
            label=spec["label"]
        )
    ensure_nodes(place, {org_key(pk): spec for pk, spec in org_names.items()})
    resident_ids = list(
        Resident.objects.filter(place=place).order_by("pk").values_list("pk", flat=True)
    )
    totals = {"created": 0, "updated": 0, "ended": 0, "deleted": 0}
    seen_keys, own_keys = set(), set()
    with transaction.atomic():
        for start in range(0, len(resident_ids), BATCH):
            chunk = resident_ids[start : start + BATCH]
            residents, connections, referrals, consents = _rows_for(Q(pk__in=chunk))
            own = own_rows(place, residents, consents)
            expected, nodes = _resident_ties(
                residents, connections, referrals, consents, org_names, own=own
            )
            own_keys.update(k for k in nodes if k.startswith(OWN_PREFIX))
            node_ids = ensure_nodes(place, nodes)
            existing = _existing_for(place, expected, [])
            for key, value in _apply(place, expected, existing, node_ids).items():
                totals[key] += value
            seen_keys.update(expected)
            merged = [resident_key(pk) for pk, r in residents.items() if r.merged_into_id]
            if merged:
                Node.objects.filter(place=place, key__in=merged).delete()
            if progress is not None:
                progress.advance(len(chunk))
        session_model = _sessions_model()
        if session_model is not None:
            for session in session_model.objects.filter(place=place).prefetch_related("attendees"):
                expected, nodes = _session_ties(session, list(session.attendees.all()), org_names)
                node_ids = ensure_nodes(place, nodes)
                existing = {
                    t.source_key: t
                    for t in Tie.objects.filter(
                        place=place, source_key__startswith=f"session:{session.pk}:"
                    )
                }
                for key, value in _apply(place, expected, existing, node_ids).items():
                    totals[key] += value
                seen_keys.update(expected)
        match_model = _matches_model()
        if match_model is not None:
            matches = _helping_rows(match_model, place=place, status__in=_HELPING_STATUSES)
            expected, nodes = _helping_ties(matches.iterator(chunk_size=BATCH))
            node_ids = ensure_nodes(place, nodes)
            existing = _existing_for(place, expected, [])
            for key, value in _apply(place, expected, existing, node_ids).items():
                totals[key] += value
            seen_keys.update(expected)
        # derived ties are exactly those with a source key; written as the partial unique
        # index's own condition, so SQLite uses that index
        gone = (
            Tie.objects.filter(place=place)
            .exclude(source_key="")
            .order_by()  # an ORDER BY would steer SQLite off the partial index
            .values_list("pk", "source_key")
        )
        stale = [pk for pk, key in gone.iterator(chunk_size=BATCH) if key not in seen_keys]
        for start in range(0, len(stale), BATCH):
            Tie.objects.filter(pk__in=stale[start : start + BATCH]).delete()
        totals["deleted"] += len(stale)
        forget_own_nodes(place, own_keys)
        fill_neighbourhoods(place)
    return totals


def forget(source_key) -> None:
    """The row behind a derived tie was deleted: the tie goes with it."""
    Tie.objects.filter(source_key=source_key, source__in=DERIVED_SOURCES).delete()
