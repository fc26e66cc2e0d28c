"""Writes for the life map and wellbeing measures. Each takes the viewer, runs in a
transaction and writes its audit event; access is checked here as well as in the views.

Field names in ValidationErrors are the API's: "ratings.<area key>", "better.<area key>",
"measures.<instrument code>.<item code>", "own_words"; pages map them onto their forms.
"""

import hashlib
import json
import re
import secrets
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.http import Http404
from django.utils import timezone

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.people.access import Access, access_level

from . import scoring
from .defaults import TRAFFIC_LIGHT_COLOURS, default_areas
from .enums import AchievementKind, CheckInStatus, CheckInVia, IndicatorKind, LinkChannel
from .models import (
    Achievement,
    AreaRating,
    CheckIn,
    CheckInLink,
    Instrument,
    LifeArea,
    LifeMapVersion,
    MeasureResponse,
    Priority,
    ScoreTrack,
)
from .senders import get_sender

LINK_DAYS_DEFAULT = 7
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def _require_full(viewer, resident):
    """Changes to a resident's wellbeing record are for their holding organisation only."""
    if access_level(viewer, resident) is not Access.FULL:
        raise Http404


# --- the life map ------------------------------------------------------------------------


def _create_version(place, areas, *, user=None) -> LifeMapVersion:
    number = (place.lifemap_versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = LifeMapVersion.objects.create(place=place, number=number, created_by=user)
    LifeArea.objects.bulk_create(
        LifeArea(
            version=version,
            key=area["key"],
            position=position,
            name=area["name"],
            question=area.get("question", ""),
            kind=area["kind"],
            points=area["points"],
        )
        for position, area in enumerate(areas)
    )
    return version


def current_lifemap(place) -> LifeMapVersion:
    """The place's current life map; the default set is created on first use."""
    version = place.lifemap_versions.order_by("-number").first()
    if version is not None:
        return version
    try:
        with transaction.atomic():
            return _create_version(place, default_areas())
    except IntegrityError:  # created by a concurrent first use
        return place.lifemap_versions.order_by("-number").first()


def validate_areas(areas) -> list:
    """Plain-words problems with a proposed set of areas (empty when it is good)."""
    problems = []
    if not areas:
        return ["Add at least one area of life"]
    keys = set()
    for n, area in enumerate(areas, start=1):
        where = f"Area {n}"
        key = area.get("key", "")
        if not _KEY.match(key or ""):
            problems.append(f"{where}: the key must be lower-case letters, digits and _")
        elif key in keys:
            problems.append(f"{where}: the key '{key}' is used twice")
        keys.add(key)
        if not (area.get("name") or "").strip():
            problems.append(f"{where}: give it a name")
        points = area.get("points") or []
        values = [p.get("value") for p in points]
        if len(points) < 2 or not all(isinstance(v, int) for v in values):
            problems.append(f"{where}: give at least two points, each with a whole-number value")
            continue
        if values != sorted(set(values)):
            problems.append(f"{where}: point values must rise from hardest to best")
        if any(not (p.get("label") or "").strip() for p in points):
            problems.append(f"{where}: every point needs words")
        if area.get("kind") == IndicatorKind.TRAFFIC_LIGHT:
            colours = tuple(p.get("colour") for p in points)
            if colours != TRAFFIC_LIGHT_COLOURS:
                problems.append(f"{where}: a traffic light has red, amber and green, in order")
            if any(not (p.get("description") or "").strip() for p in points):
                problems.append(f"{where}: describe each colour in plain words")
        elif area.get("kind") != IndicatorKind.SCALE:
            problems.append(f"{where}: the kind must be a scale or a traffic light")
    return problems


@transaction.atomic
def lifemap_publish(*, viewer, areas) -> LifeMapVersion:
    """Publish a new version of the place's life map (place admins). Earlier check-ins keep
    the version they were answered with. Side effects: a new version, its areas, an audit."""
    if not viewer or not viewer.is_place_admin:
        raise PermissionDenied
    problems = validate_areas(areas)
    if problems:
        raise ValidationError({"areas": problems})
    current_lifemap(viewer.place)  # so the default set stays version 1
    version = _create_version(viewer.place, areas, user=viewer.user)
    audit_record(
        viewer=viewer,
        action=Action.CREATE,
        purpose=Purpose.ADMIN,
        object_type="wellbeing.lifemapversion",
        object_id=str(version.number),
    )
    return version


# --- instruments -------------------------------------------------------------------------


def instruments_for(place) -> list:
    """Active instruments a place offers: shipped ones and its own, latest version of each
    code (a place's own instrument replaces a shipped one with the same code)."""
    best = {}
    rows = Instrument.objects.filter(Q(place=place) | Q(place__isnull=True), active=True)
    for instrument in rows:
        rank = (instrument.place_id is not None, instrument.version)
        if instrument.code not in best or rank > best[instrument.code][0]:
            best[instrument.code] = (rank, instrument)
    chosen = {code: instrument for code, (_, instrument) in best.items()}
    return sorted(chosen.values(), key=lambda i: i.name)


SHIPPED_INSTRUMENTS = ("ons4.json", "ucla3.json", "ons_loneliness.json")


def load_shipped_instruments() -> list:
    """(Re)load the open instruments that ship with Commonweave; idempotent. Migration 0002
    does this on install; tests that flush the database call it again."""
    folder = Path(__file__).resolve().parent / "instruments"
    return [
        instrument_load(definition=json.loads((folder / name).read_text(encoding="utf-8")))
        for name in SHIPPED_INSTRUMENTS
    ]


@transaction.atomic
def instrument_load(*, definition, place=None) -> Instrument:
    """Add (or replace the same version of) an instrument from its definition. Raises
    scoring.DefinitionError listing every problem. Used by `manage.py load_instrument`."""
    scoring.validate_definition(definition)
    instrument, _ = Instrument.objects.update_or_create(
        place=place,
        code=definition["code"],
        version=definition.get("version", 1),
        defaults={"name": definition["name"], "definition": definition, "active": True},
    )
    return instrument


# --- check-ins ---------------------------------------------------------------------------


def _new_checkin(viewer, resident, via):
    _require_full(viewer, resident)
    return CheckIn.objects.create(
        place=resident.place,
        resident=resident,
        version=current_lifemap(resident.place),
        via=via,
        started_by=viewer.user,
    )


@transaction.atomic
def checkin_record(*, viewer, resident, via=CheckInVia.API, **answers) -> CheckIn:
    """Start and complete a check-in in one go (the API). Nothing is kept if any answer is
    refused. Side effects: as checkin_submit, with one audit event in all."""
    checkin = _new_checkin(viewer, resident, via)
    return checkin_submit(viewer=viewer, checkin=checkin, **answers)


@transaction.atomic
def checkin_start(*, viewer, resident, via=CheckInVia.CATALYST) -> CheckIn:
    """Start a check-in on the place's current life map. Side effects: a draft check-in,
    one audit event (CREATE)."""
    checkin = _new_checkin(viewer, resident, via)
    audit_record(
        viewer=viewer,
        action=Action.CREATE,
        purpose=Purpose.CASEWORK,
        obj=checkin,
        resident=resident,
    )
    return checkin


def _clean_ratings(areas, ratings, better) -> tuple[dict, dict]:
    errors, values = {}, {}
    by_key = {area.key: area for area in areas}
    for key, raw in (ratings or {}).items():
        area = by_key.get(key)
        if area is None:
            errors[f"ratings.{key}"] = "This is not an area of this life map"
            continue
        if raw is None or raw == "":
            continue
        value = scoring._as_int(raw)
        if value is None or value not in area.values:
            words = ", ".join(f"{p['value']} ({p['label']})" for p in area.points)
            errors[f"ratings.{key}"] = f"{area.name}: choose one of {words}"
            continue
        values[key] = value
    for key, text in (better or {}).items():
        if key not in by_key:
            errors[f"better.{key}"] = "This is not an area of this life map"
        elif len(text or "") > 2000:
            errors[f"better.{key}"] = "Use 2,000 characters or fewer"
    return values, errors


@transaction.atomic
def checkin_submit(
    *, viewer, checkin, ratings, better=None, own_words="", measures=None, link=None
) -> CheckIn:
    """Record the answers and complete the check-in. Every answer is checked before
    anything is saved; a measure with unanswered items is kept, and only its metrics whose
    items were all answered are scored (scoring.score).

    Side effects: ratings, measure responses, achievements for areas that improved since
    the last check-in, the check-in marked complete (and the link used), one audit event.
    Raises ValidationError naming each bad field, Http404 without access.
    """
    checkin = CheckIn.objects.select_for_update().select_related("resident").get(pk=checkin.pk)
    if link is None:
        _require_full(viewer, checkin.resident)
    if checkin.status == CheckInStatus.COMPLETE:
        raise ValidationError({"__all__": "This check-in has already been completed"})
    areas = list(checkin.version.areas.all())
    values, errors = _clean_ratings(areas, ratings, better)
    if len(own_words or "") > 5000:
        errors["own_words"] = "Use 5,000 characters or fewer"
    offered = {instrument.code: instrument for instrument in instruments_for(checkin.place)}
    scored = {}
    for code, answers in (measures or {}).items():
        instrument = offered.get(code)
        if instrument is None:
            errors[f"measures.{code}"] = "This measure is not offered here"
            continue
        if not any(v not in (None, "") for v in (answers or {}).values()):
            continue  # measures are optional
        try:
            scored[code] = (instrument, answers, scoring.score(instrument.definition, answers))
        except scoring.AnswerError as error:
            for item, message in error.errors.items():
                errors[f"measures.{code}.{item}"] = message
    if not values and not scored and not errors:
        errors["__all__"] = "Answer at least one question"
    if errors:
        raise ValidationError(errors)

    AreaRating.objects.bulk_create(
        AreaRating(
            checkin=checkin,
            area=area,
            value=values.get(area.key),
            better=((better or {}).get(area.key) or "").strip(),
        )
        for area in areas
    )
    for instrument, answers, result in scored.values():
        MeasureResponse.objects.create(
            checkin=checkin,
            instrument=instrument,
            answers=scoring.clean_answers(instrument.definition, answers),
            complete=result.complete,
            scores=result.as_json(),
        )
    now = timezone.now()
    checkin.status = CheckInStatus.COMPLETE
    checkin.completed_at = now
    checkin.own_words = (own_words or "").strip()
    update = ["status", "completed_at", "own_words"]
    if link is not None:
        checkin.via = CheckInVia.LINK
        update.append("via")
    checkin.save(update_fields=update)
    if link is not None:
        CheckInLink.objects.filter(checkin=checkin, used_at__isnull=True).update(used_at=now)
    _record_improvements(checkin, areas, values)
    _update_tracks(checkin, values, scored)
    audit_record(
        viewer=viewer,
        action=Action.UPDATE,
        purpose=Purpose.CASEWORK,
        obj=checkin,
        resident=checkin.resident,
        detail={"completed": True, "via": checkin.via},
    )
    return checkin


def _track_values(values, scored) -> dict:
    wanted = {(ScoreTrack.AREA, key): (float(value), "better") for key, value in values.items()}
    for code, (_, _, result) in scored.items():
        for metric in result.metrics.values():
            wanted[(ScoreTrack.MEASURE, f"{code}.{metric.code}")] = (
                float(metric.value),
                metric.higher_is,
            )
    return wanted


def _update_tracks(checkin, values, scored):
    """Keep each first and latest answer (ScoreTrack) for cohort change."""
    at = checkin.completed_at
    wanted = _track_values(values, scored)
    existing = {
        (t.kind, t.code): t
        for t in ScoreTrack.objects.select_for_update().filter(resident=checkin.resident)
    }
    new, changed = [], []
    for (kind, code), (value, higher_is) in wanted.items():
        track = existing.get((kind, code))
        if track is None:
            new.append(
                ScoreTrack(
                    place=checkin.place,
                    resident=checkin.resident,
                    kind=kind,
                    code=code,
                    higher_is=higher_is,
                    first_value=value,
                    latest_value=value,
                    answers=1,
                    first_at=at,
                    latest_at=at,
                )
            )
        else:
            track.set_latest(value, at, higher_is)
            changed.append(track)
    ScoreTrack.objects.bulk_create(new)
    ScoreTrack.objects.bulk_update(
        changed, ["latest_value", "latest_at", "higher_is", "answers", "paired", "change"]
    )


@transaction.atomic
def tracks_rebuild(place) -> int:
    """Recompute every ScoreTrack of a place from its completed check-ins (after a bulk
    import or the demo generator, which bypass checkin_submit). Returns rows written."""
    ScoreTrack.objects.filter(place=place).delete()
    tracks = {}

    def see(resident_id, kind, code, value, higher_is, at):
        track = tracks.get((resident_id, kind, code))
        if track is None:
            tracks[(resident_id, kind, code)] = ScoreTrack(
                place=place,
                resident_id=resident_id,
                kind=kind,
                code=code,
                higher_is=higher_is,
                first_value=value,
                latest_value=value,
                answers=1,
                first_at=at,
                latest_at=at,
            )
        else:
            track.set_latest(value, at, higher_is)

    complete = CheckIn.objects.filter(place=place, status=CheckInStatus.COMPLETE)
    ratings = (
        AreaRating.objects.filter(checkin__in=complete, value__isnull=False)
        .order_by("checkin__completed_at", "checkin_id")
        .values_list("checkin__resident_id", "area__key", "value", "checkin__completed_at")
    )
    for resident_id, key, value, at in ratings.iterator(chunk_size=10000):
        see(resident_id, ScoreTrack.AREA, key, float(value), "better", at)
    responses = (
        # Every response, complete or not: a metric whose items were all answered has a
        # score even when another metric of the instrument has none (scoring.py).
        MeasureResponse.objects.filter(checkin__in=complete)
        .order_by("checkin__completed_at", "checkin_id")
        .values_list("checkin__resident_id", "instrument__code", "scores", "checkin__completed_at")
    )
    for resident_id, code, scores, at in responses.iterator(chunk_size=10000):
        for metric, score in scores.items():
            see(
                resident_id,
                ScoreTrack.MEASURE,
                f"{code}.{metric}",
                float(score["value"]),
                score.get("higher_is", "better"),
                at,
            )
    ScoreTrack.objects.bulk_create(tracks.values(), batch_size=5000)
    return len(tracks)


def _record_improvements(checkin, areas, values):
    previous = (
        CheckIn.objects.filter(resident=checkin.resident, status=CheckInStatus.COMPLETE)
        .exclude(pk=checkin.pk)
        .order_by("-completed_at", "-pk")
        .first()
    )
    if previous is None:
        return
    before = {
        rating.area.key: rating
        for rating in previous.ratings.select_related("area").filter(value__isnull=False)
    }
    new = []
    for area in areas:
        if area.key not in values or area.key not in before:
            continue
        old = before[area.key]
        if area.share_of_scale(values[area.key]) > old.area.share_of_scale(old.value):
            new.append(
                Achievement(
                    resident=checkin.resident,
                    kind=AchievementKind.IMPROVED,
                    area_key=area.key,
                    description=(
                        f"{area.name}: from “{old.area.label_for(old.value)}” "
                        f"to “{area.label_for(values[area.key])}”"
                    )[:300],
                    at=checkin.completed_at,
                    checkin=checkin,
                )
            )
    Achievement.objects.bulk_create(new)


# --- priorities --------------------------------------------------------------------------


@transaction.atomic
def priority_add(*, viewer, resident, area_key, why_now, will_do, by_when=None) -> Priority:
    """A priority the resident picked. Side effects: a priority, one audit event."""
    _require_full(viewer, resident)
    area = current_lifemap(resident.place).areas.filter(key=area_key).first()
    errors = {}
    if area is None:
        errors["area"] = "Choose an area of life"
    if not (why_now or "").strip():
        errors["why_now"] = "Say why it matters now"
    if not (will_do or "").strip():
        errors["will_do"] = "Say what they will do"
    if errors:
        raise ValidationError(errors)
    priority = Priority.objects.create(
        resident=resident,
        area_key=area.key,
        area_name=area.name,
        why_now=why_now.strip(),
        will_do=will_do.strip(),
        by_when=by_when,
        created_by=viewer.user,
    )
    audit_record(
        viewer=viewer,
        action=Action.CREATE,
        purpose=Purpose.CASEWORK,
        object_type="wellbeing.priority",
        object_id=str(priority.pk),
        resident=resident,
    )
    return priority


@transaction.atomic
def priority_met(*, viewer, priority) -> Priority:
    """Mark a priority met. Side effects: met_at, an achievement, one audit event."""
    _require_full(viewer, priority.resident)
    if priority.met_at is not None:
        return priority
    priority.met_at = timezone.now()
    priority.save(update_fields=["met_at"])
    Achievement.objects.create(
        resident=priority.resident,
        kind=AchievementKind.PRIORITY_MET,
        area_key=priority.area_key,
        description=f"Priority met: {priority.area_name}",
        at=priority.met_at,
        priority=priority,
    )
    audit_record(
        viewer=viewer,
        action=Action.UPDATE,
        purpose=Purpose.CASEWORK,
        object_type="wellbeing.priority",
        object_id=str(priority.pk),
        resident=priority.resident,
    )
    return priority


# --- one-time links ----------------------------------------------------------------------


class LinkUnavailable(Exception):
    def __init__(self, reason):
        self.reason = reason  # "unknown", "expired" or "used"
        super().__init__(reason)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def link_send(*, viewer, checkin, channel, url_for) -> CheckInLink:
    """Send the resident a one-time link to this draft check-in by text or email through
    the configured sender. `url_for(token)` builds the absolute address. Only the token's
    hash is kept. Side effects: a link, earlier unused links to it expire, a message, one
    audit event (no address or name in it)."""
    resident = checkin.resident
    _require_full(viewer, resident)
    if checkin.status == CheckInStatus.COMPLETE:
        raise ValidationError({"__all__": "This check-in has already been completed"})
    to = resident.phone if channel == LinkChannel.TEXT else resident.email
    if channel not in LinkChannel.values:
        raise ValidationError({"channel": "Choose text message or email"})
    if not (to or "").strip():
        what = "mobile number" if channel == LinkChannel.TEXT else "email address"
        raise ValidationError({"channel": f"There is no {what} on their record"})
    now = timezone.now()
    CheckInLink.objects.filter(checkin=checkin, used_at__isnull=True, expires_at__gt=now).update(
        expires_at=now
    )
    token = secrets.token_urlsafe(32)
    days = getattr(settings, "WELLBEING_LINK_DAYS", LINK_DAYS_DEFAULT)
    link = CheckInLink.objects.create(
        checkin=checkin,
        token_hash=hash_token(token),
        channel=channel,
        created_by=viewer.user,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    name = resident.preferred_name or resident.full_name.split(" ")[0]
    message = (
        f"Hello {name}, here is your link to check in on how things are going. "
        f"It works once and until {link.expires_at:%d %B}: {url_for(token)}"
    )
    get_sender().send(channel=channel, to=to, message=message)
    audit_record(
        viewer=viewer,
        action=Action.UPDATE,
        purpose=Purpose.CASEWORK,
        obj=checkin,
        resident=resident,
        detail={"link_sent": channel},
    )
    return link


def link_open(token: str) -> CheckInLink:
    """The link behind a token, if it can still be used; LinkUnavailable otherwise."""
    link = (
        CheckInLink.objects.select_related(
            "checkin__resident", "checkin__place", "checkin__version"
        )
        .filter(token_hash=hash_token(token or ""))
        .first()
    )
    if link is None:
        raise LinkUnavailable("unknown")
    if link.used_at is not None or link.checkin.status == CheckInStatus.COMPLETE:
        raise LinkUnavailable("used")
    if link.expires_at <= timezone.now():
        raise LinkUnavailable("expired")
    return link
