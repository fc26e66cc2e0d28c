"""Helpers for wellbeing tests: completed check-ins written directly (as a bulk import
would), and the scores export asked for and downloaded as a person does it."""

import csv
import io

from django.urls import reverse

from commonweave.wellbeing import scoring, services
from commonweave.wellbeing.enums import CheckInStatus
from commonweave.wellbeing.models import AreaRating, CheckIn, MeasureResponse
from commonweave.wellbeing.packed import pack_areas, pack_measures


def answered_checkin(resident, when, ratings, measures=None, packed=True):
    """`ratings`: area key -> value (None or missing: unrated); `measures`: instrument
    code -> answers, answered on the measure the place offers under that code. The
    answers are packed as checkin_submit packs them; packed=False leaves the packings
    empty, as for answers that cannot be packed: cohort change over a period then reads
    every answer of that person."""
    version = services.current_lifemap(resident.place)
    areas = list(version.areas.all())
    offered = {i.code: i for i in services.instruments_for(resident.place)}
    checkin = CheckIn.objects.create(
        place=resident.place,
        resident=resident,
        version=version,
        status=CheckInStatus.COMPLETE,
        completed_at=when,
    )
    AreaRating.objects.bulk_create(
        AreaRating(checkin=checkin, area=area, value=ratings.get(area.key)) for area in areas
    )
    packing = []
    for code, answers in (measures or {}).items():
        instrument = offered[code]
        result = scoring.score(instrument.definition, answers)
        scores = result.as_json()
        MeasureResponse.objects.create(
            checkin=checkin,
            instrument=instrument,
            answers=scoring.clean_answers(instrument.definition, answers),
            complete=result.complete,
            scores=scores,
            resident=resident,
            place=resident.place,
            completed_at=when,
        )
        packing.append((instrument.pk, instrument.definition, scores))
    if packed:
        checkin.area_values = pack_areas(areas, ratings)
        checkin.measure_values = pack_measures(packing)
    checkin.measured = bool(packing)
    checkin.save(update_fields=["area_values", "measure_values", "measured"])
    return checkin


def export_csv(client, data=None):
    """Ask for the scores export (it runs inline in tests), then download it: (CSV rows
    with the header, the download response)."""
    start = client.post(reverse("wellbeing:export_start"), data or {})
    assert start.status_code == 302, start.status_code
    public_id = start.url.rstrip("/").split("/")[-1]
    download = client.post(reverse("wellbeing:export_download", args=[public_id]))
    assert download.status_code == 200, download.status_code
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text))), download
