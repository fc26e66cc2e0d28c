"""The area profile in the JSON API: `GET /api/impact/area-profile?ward=<code>`, the same
numbers as the page (/impact/area/) from impact/profiles.py, for the same viewers
(everyone who sees the place's published numbers); anyone else, and a ward the place does
not have, finds a 404. Schema names start with "ImpactArea" (one class per name)."""

from django.http import Http404
from ninja import Schema
from pydantic import Field

from commonweave.core.api.schemas import Detail

from ..profiles import AreaProfile, DecileRow, Source, area_profile, may_see_area_profile
from . import router


class ImpactAreaSourceOut(Schema):
    edition: str = Field(description="The edition the figures come from")
    attribution: str = Field(description="The source and licence line every use must carry")
    licence: str = Field(description="The licence")
    url: str = Field(description="Where the edition is published")


class ImpactAreaCountOut(Schema):
    value: int | None = Field(
        description="Published count of residents (cell-key perturbed, rounded to 5); null "
        "when too few to show"
    )
    shown: str = Field(description='As the page shows it, e.g. "fewer than 8"')


class ImpactAreaGroupOut(Schema):
    key: str = Field(
        description='"1" to "10" (decile, 1 most deprived), "q1" to "q5" (national quintile, '
        'q1 most deprived) or "not_placed" (no neighbourhood, or its decile not loaded)'
    )
    label: str
    served: ImpactAreaCountOut = Field(description="Residents served in the group")
    served_share: str = Field(
        description="The group's share of the residents served who are placed in a decile, "
        'from published counts: "40%", or "not enough people yet" (and "" for "not_placed")'
    )
    area_lsoas: int | None = Field(
        description="The area's neighbourhoods (LSOA 2021) in the group: open data; null "
        'for "not_placed"'
    )
    area_population: int | None = Field(
        description="Their population from the edition's denominators; null unless loaded "
        "for every neighbourhood of the area"
    )
    area_share: float | None = Field(
        description="That population as a percentage of the area's, to 1 decimal place"
    )


class ImpactAreaWardOut(Schema):
    code: str = Field(description="The ward's code (e.g. E05014646)")
    name: str
    served: ImpactAreaCountOut = Field(
        description="Residents served in the ward placed in a neighbourhood with a decile"
    )
    most_deprived: ImpactAreaCountOut = Field(
        description="Of them, those living in the 20% most deprived neighbourhoods"
    )
    share: int | None = Field(
        description="The share in the most deprived 20%, in per cent, from the published "
        "counts; null when too few to show"
    )
    shown: str = Field(description='As the page shows it: "40%" or "not enough people yet"')


class ImpactAreaProfileOut(Schema):
    area: str = Field(description="The place's name, or the ward's")
    ward: str | None = Field(description="The ward's code; null for the whole place")
    suppression_threshold: int
    edition_loaded: bool = Field(description="Whether IoD 2025 is loaded at all")
    deciles: list[ImpactAreaGroupOut] = Field(
        description="Residents served by the IoD 2025 decile of their neighbourhood, and "
        '"not_placed"'
    )
    served_total: ImpactAreaCountOut = Field(
        description="Added up from the published counts (never the exact ones)"
    )
    quintiles: list[ImpactAreaGroupOut] = Field(
        description="Pairs of national deciles; each count adds up its deciles' published counts"
    )
    area_lsoas: int = Field(description="The area's neighbourhoods loaded in IoD 2025")
    area_lsoas_with_population: int
    area_population: int | None
    local_authorities: list[str] = Field(
        description="For the whole place: the local authorities whose neighbourhoods are its area"
    )
    wards: list[ImpactAreaWardOut] = Field(description="Every ward of the place, as on the map")
    imd_source: ImpactAreaSourceOut
    population_source: ImpactAreaSourceOut
    postcode_source: str
    notes: list[str] = Field(description="What is missing, in words, as the page says it")


def _count(published) -> dict:
    return {"value": published.value, "shown": published.label}


def _group(row: DecileRow) -> dict:
    return {
        "key": row.key,
        "label": row.label,
        "served": _count(row.served),
        "served_share": row.served_share,
        "area_lsoas": row.lsoas,
        "area_population": row.population,
        "area_share": row.share,
    }


def _source(source: Source) -> dict:
    return {
        "edition": source.edition,
        "attribution": source.attribution,
        "licence": source.licence,
        "url": source.url,
    }


def profile_out(profile: AreaProfile) -> dict:
    return {
        "area": profile.area_name,
        "ward": profile.ward.code if profile.ward is not None else None,
        "suppression_threshold": profile.threshold,
        "edition_loaded": profile.loaded,
        "deciles": [_group(row) for row in profile.deciles],
        "served_total": _count(profile.served.total),
        "quintiles": [_group(row) for row in profile.quintiles],
        "area_lsoas": profile.area_lsoas,
        "area_lsoas_with_population": profile.area_lsoas_with_population,
        "area_population": profile.area_population,
        "local_authorities": profile.lad_codes,
        "wards": [
            {
                "code": ward.code,
                "name": ward.name,
                "served": _count(ward.served),
                "most_deprived": _count(ward.most_deprived),
                "share": ward.share,
                "shown": ward.share_label,
            }
            for ward in profile.map.wards
        ],
        "imd_source": _source(profile.imd_source),
        "population_source": _source(profile.population_source),
        "postcode_source": profile.postcode_source,
        "notes": [str(note) for note in profile.notes],
    }


@router.get("/impact/area-profile", response={200: ImpactAreaProfileOut, 404: Detail})
def area_profile_get(request, ward: str = ""):
    """The area profile of your place, or of one of its wards (`ward`, its code): residents
    served by the IoD 2025 decile and national quintile of their neighbourhood, beside the
    area's own population share, and every ward's share of residents in the 20% most
    deprived neighbourhoods. Counts of residents are published numbers (docs/disclosure.md);
    each indicator carries its source and licence line. For everyone who sees the place's
    published numbers; anyone else, or a ward the place does not have, gets a 404."""
    viewer = request.auth
    if not may_see_area_profile(viewer):
        raise Http404
    return profile_out(area_profile(viewer, ward_code=ward.strip() or None))
