"""ScoreTrack: each resident's first and latest answer per area and measure metric, kept by
the check-in services so cohort change for all time is one grouped query."""

from itertools import groupby

from django.db import transaction
from django.db.models import Exists, OuterRef

from ..enums import CheckInStatus
from ..models import AreaRating, CheckIn, LifeArea, MeasureResponse, ScoreTrack
from ..packed import pack_areas, pack_measures


def _track_values(values, scored) -> dict:
    wanted = {(ScoreTrack.AREA, key): (float(value), "better") for key, value in values.items()}
    for code, (_, _, result) in scored.items():
        for metric in result.metrics.values():
            wanted[(ScoreTrack.MEASURE, f"{code}.{metric.code}")] = (
                float(metric.value),
                metric.higher_is,
            )
    return wanted


def update_tracks(checkin, values, scored):
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
                ScoreTrack.started(
                    value=value,
                    at=at,
                    place=checkin.place,
                    resident=checkin.resident,
                    kind=kind,
                    code=code,
                    higher_is=higher_is,
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
    """Recompute every ScoreTrack of a place, and the packed answers period cohorts read,
    from its completed check-ins (after a bulk import, which bypasses checkin_submit).
    Returns the number of tracks written."""
    packed_rebuild(place)
    ScoreTrack.objects.filter(place=place).delete()
    tracks = {}

    def see(resident_id, kind, code, value, higher_is, at):
        track = tracks.get((resident_id, kind, code))
        if track is None:
            tracks[(resident_id, kind, code)] = ScoreTrack.started(
                value=value,
                at=at,
                place=place,
                resident_id=resident_id,
                kind=kind,
                code=code,
                higher_is=higher_is,
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


def packed_rebuild(place, batch_size=2000) -> int:
    """Re-pack every completed check-in's ratings and every measure response's scores in
    the place (packed.py). Returns the number of rows whose packing changed."""
    areas_of = {}
    for area in LifeArea.objects.filter(version__place=place).order_by("version_id", "position"):
        areas_of.setdefault(area.version_id, []).append(area)
    key_of = {area.pk: area.key for areas in areas_of.values() for area in areas}
    complete = CheckIn.objects.filter(place=place, status=CheckInStatus.COMPLETE)
    changed, last = 0, 0
    while True:  # in batches of check-ins, so memory stays flat at any size
        batch = list(
            complete.filter(pk__gt=last)
            .order_by("pk")
            .only("pk", "version_id", "area_values")[:batch_size]
        )
        if not batch:
            break
        last = batch[-1].pk
        values = {}
        ratings = AreaRating.objects.filter(checkin__in=batch, value__isnull=False)
        for checkin_id, area_id, value in ratings.values_list("checkin_id", "area_id", "value"):
            values.setdefault(checkin_id, {})[key_of[area_id]] = value
        stale = []
        for checkin in batch:
            packed = pack_areas(areas_of.get(checkin.version_id, []), values.get(checkin.pk, {}))
            if packed != checkin.area_values:
                checkin.area_values = packed
                stale.append(checkin)
        CheckIn.objects.bulk_update(stale, ["area_values"])
        changed += len(stale)
    definitions = {}
    stale, repacked = [], []
    rows = MeasureResponse.objects.filter(checkin__in=complete).select_related("checkin")
    rows = rows.order_by("checkin_id", "pk")
    for checkin, responses in groupby(rows.iterator(chunk_size=5000), lambda r: r.checkin):
        packing = []
        for response in responses:
            if response.instrument_id not in definitions:
                definitions[response.instrument_id] = response.instrument.definition
            definition = definitions[response.instrument_id]
            packing.append((response.instrument_id, definition, response.scores))
            copied = {
                "resident_id": checkin.resident_id,
                "place_id": checkin.place_id,
                "completed_at": checkin.completed_at,
            }
            if any(getattr(response, name) != value for name, value in copied.items()):
                for name, value in copied.items():
                    setattr(response, name, value)
                stale.append(response)
        packed = pack_measures(packing)
        if (checkin.measure_values, checkin.measured) != (packed, True):
            checkin.measure_values, checkin.measured = packed, True
            repacked.append(checkin)
    MeasureResponse.objects.bulk_update(
        stale, ["resident", "place", "completed_at"], batch_size=batch_size
    )
    CheckIn.objects.bulk_update(repacked, ["measure_values", "measured"], batch_size=batch_size)
    # A check-in marked measured whose responses are gone is measured no more.
    responses = MeasureResponse.objects.filter(checkin=OuterRef("pk"))
    unmeasured = complete.filter(measured=True).exclude(Exists(responses))
    changed += unmeasured.update(measure_values="", measured=False)
    return changed + len(stale) + len(repacked)
