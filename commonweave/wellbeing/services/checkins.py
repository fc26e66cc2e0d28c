"""Check-ins: started by a catalyst (or the API, or a one-time link), answered, completed.

Completing one also records achievements for areas that improved, keeps the resident's
first and latest answers (tracks.py) and packs the answers for cohort change (packed.py).
"""

import math

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.people.access import Access, access_level

from .. import scoring
from ..enums import AchievementKind, CheckInStatus, CheckInVia
from ..models import Achievement, AreaRating, CheckIn, CheckInLink, MeasureResponse
from ..packed import pack_areas, pack_measures
from .lifemap import current_lifemap, instruments_for
from .tracks import update_tracks


def _require_full(viewer, resident):
    """Changes to a resident's wellbeing record are for their holding organisation only."""
    if access_level(viewer, resident) is not Access.FULL:
        raise Http404


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


# An answer of the wrong kind, which no item of a measure allows (so scoring refuses it in
# its own words for that item).
_REFUSED = object()


def _whole_number(raw):
    """An answer as an int; None when unanswered (None or ""); _REFUSED for anything else.

    Every caller hands over numbers (the forms coerce their choices, the API's schema takes
    JSON numbers), so text is refused even when it spells a number ("3"), and so are
    true/false (a bool is an int in Python: `true` would record 1, on the loneliness
    question "Often/always"), fractions (2.5) and what is not finite. 2.0 is 2."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool):
        return _REFUSED
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and math.isfinite(raw) and raw == int(raw):
        return int(raw)
    return _REFUSED


def _clean_ratings(areas, ratings, better) -> tuple[dict, dict]:
    errors, values = {}, {}
    by_key = {area.key: area for area in areas}
    for key, raw in (ratings or {}).items():
        area = by_key.get(key)
        if area is None:
            errors[f"ratings.{key}"] = "This is not an area of this life map"
            continue
        value = _whole_number(raw)
        if value is None:
            continue
        if value is _REFUSED or value not in area.values:
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
    the last check-in, the check-in marked complete (and the link used) with its answers
    packed for cohort change (packed.py), the resident's tracks, one audit event.
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
        answers = {item: _whole_number(raw) for item, raw in (answers or {}).items()}
        if all(value is None for value in answers.values()):
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
    now = timezone.now()
    packed = []
    for instrument, answers, result in scored.values():
        scores = result.as_json()
        MeasureResponse.objects.create(
            checkin=checkin,
            instrument=instrument,
            answers=scoring.clean_answers(instrument.definition, answers),
            complete=result.complete,
            scores=scores,
            resident=checkin.resident,
            place=checkin.place,
            completed_at=now,
        )
        packed.append((instrument.pk, instrument.definition, scores))
    checkin.status = CheckInStatus.COMPLETE
    checkin.completed_at = now
    checkin.own_words = (own_words or "").strip()
    checkin.area_values = pack_areas(areas, values)
    checkin.measure_values = pack_measures(packed)
    checkin.measured = bool(packed)
    update = ["status", "completed_at", "own_words", "area_values", "measure_values", "measured"]
    if link is not None:
        checkin.via = CheckInVia.LINK
        update.append("via")
    checkin.save(update_fields=update)
    if link is not None:
        CheckInLink.objects.filter(checkin=checkin, used_at__isnull=True).update(used_at=now)
    _record_improvements(checkin, areas, values)
    update_tracks(checkin, values, scored)
    audit_record(
        viewer=viewer,
        action=Action.UPDATE,
        purpose=Purpose.CASEWORK,
        obj=checkin,
        resident=checkin.resident,
        detail={"completed": True, "via": checkin.via},
    )
    return checkin


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
