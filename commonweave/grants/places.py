"""Where a personal grant's resident lives, as a ward: worked out once, when the award is
asked for, and kept on the award (Award.ward), so the dashboard groups by it in the
database. The ward at the time of the grant is also the one a funder would expect."""

from shapely.geometry import Point, shape
from shapely.prepared import prep

from commonweave.directory import geo
from commonweave.directory.models import Neighbourhood, PostcodeLookup


class Wards:
    """The place's wards, read once: a postcode's ward by ONS's ward code where the lookup
    table has it, or else by the ward whose outline holds the postcode's point."""

    def __init__(self, place, *, neighbourhoods=None, lookups=None):
        """`neighbourhoods` and `lookups`: managers of Neighbourhood and PostcodeLookup (a
        migration passes its historical models')."""
        self.place = place
        self.neighbourhoods = neighbourhoods or Neighbourhood.objects
        self.lookups = lookups or PostcodeLookup.objects
        self.by_code: dict[str, str] = dict(
            self.neighbourhoods.filter(place=place, kind="ward")
            .exclude(code="")
            .values_list("code", "name")
        )
        self._outlines: list | None = None

    @property
    def outlines(self) -> list:
        """The wards' outlines, read and prepared only when a postcode has no ward code."""
        if self._outlines is None:
            self._outlines = []
            for name, geometry in self.neighbourhoods.filter(
                place=self.place, kind="ward"
            ).values_list("name", "geometry"):
                try:
                    outline = shape(geometry)
                except (ValueError, TypeError, AttributeError, KeyError, IndexError):
                    continue
                self._outlines.append((outline.bounds, prep(outline), name))
        return self._outlines

    def for_postcodes(self, postcodes) -> dict[str, str]:
        """postcode key -> ward name, for the postcodes that can be placed."""
        keys = sorted({k for k in (geo.postcode_key(p) for p in postcodes) if k})
        found = {}
        for start in range(0, len(keys), 2000):
            for key, ward_code, lat, lon in self.lookups.filter(
                postcode__in=keys[start : start + 2000]
            ).values_list("postcode", "ward_code", "latitude", "longitude"):
                name = self.by_code.get(ward_code) or self._at(lat, lon)
                if name:
                    found[key] = name
        return found

    def _at(self, lat, lon) -> str:
        if lat is None or lon is None:
            return ""
        point = Point(lon, lat)
        for (min_lon, min_lat, max_lon, max_lat), outline, name in self.outlines:
            if min_lon <= lon <= max_lon and min_lat <= lat <= max_lat and outline.covers(point):
                return name
        return ""


def ward_of(place, postcode: str) -> str:
    """The ward's name for one postcode in the place, or "" where it cannot be found."""
    key = geo.postcode_key(postcode or "")
    if not key:
        return ""
    return Wards(place).for_postcodes([key]).get(key, "")
