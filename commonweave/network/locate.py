"""Which neighbourhood each node is in, from the directory's neighbourhoods.

* a resident: their postcode (directory PostcodeLookup) inside a neighbourhood polygon;
* a partner organisation: where the directory places its own locations (a directory
  Organization linked to the partner);
* a group, service, place or outside organisation: the directory service or organisation
  of the same name, by where it happens.

Only the neighbourhood's name is stored on the node (a ward or an area residents drew),
never a postcode. Values for residents and partner organisations are always re-derived;
other nodes are filled only when a match is found, so a name typed by hand stays.
The directory's geo.neighbourhood_for answers one point per query; here a whole place is
placed with its neighbourhoods read once.
"""

from collections import Counter, defaultdict

from django.db.models import Q
from shapely.geometry import Point, shape
from shapely.prepared import prep

from commonweave.directory import geo
from commonweave.directory.models import Location, Neighbourhood, PostcodeLookup, ServiceAtLocation
from commonweave.people.models import Resident, name_key

from .enums import NodeKind
from .models import Node

BATCH = 2000
FEW = 20  # residents placed one by one (a signal's re-derivation) rather than in bulk
_NAMED_KINDS = (NodeKind.GROUP, NodeKind.SERVICE, NodeKind.VENUE, NodeKind.ORGANISATION)


class Locator:
    """A place's neighbourhoods, read once: the smallest one containing a point."""

    def __init__(self, place):
        self.areas = []
        for name, geometry in Neighbourhood.objects.filter(place=place).values_list(
            "name", "geometry"
        ):
            try:
                polygon = shape(geometry)
            except (ValueError, TypeError, AttributeError, KeyError, IndexError):
                continue
            self.areas.append((polygon.area, polygon.bounds, prep(polygon), name))
        self.areas.sort(key=lambda area: area[0])  # smallest first, as geo.neighbourhood_for

    def __bool__(self):
        return bool(self.areas)

    def at(self, lat, lon) -> str:
        if lat is None or lon is None:
            return ""
        point = Point(lon, lat)
        for _, (min_lon, min_lat, max_lon, max_lat), polygon, name in self.areas:
            if min_lon <= lon <= max_lon and min_lat <= lat <= max_lat and polygon.covers(point):
                return name
        return ""

    def for_postcodes(self, postcodes) -> dict:
        """postcode key -> neighbourhood name, for the postcodes the lookup table knows."""
        keys = sorted({k for k in (geo.postcode_key(p) for p in postcodes) if k})
        found = {}
        for start in range(0, len(keys), BATCH):
            for key, lat, lon in PostcodeLookup.objects.filter(
                postcode__in=keys[start : start + BATCH]
            ).values_list("postcode", "latitude", "longitude"):
                found[key] = self.at(lat, lon)
        return found


def _most_common(pairs) -> dict:
    """key -> the neighbourhood named most often for it (ties: alphabetical)."""
    counts = defaultdict(Counter)
    for key, hood in pairs:
        if key and hood:
            counts[key][hood] += 1
    return {k: min(c, key=lambda h: (-c[h], h)) for k, c in counts.items()}


def _directory_areas(place):
    """(partner organisation id -> neighbourhood, name key -> neighbourhood) from where the
    directory's organisations and services are."""
    placed = Location.objects.filter(place=place, neighbourhood__isnull=False)
    partners = _most_common(
        placed.filter(organization__partner__isnull=False).values_list(
            "organization__partner_id", "neighbourhood__name"
        )
    )
    by_name = _most_common(
        (name_key(name), hood)
        for name, hood in placed.filter(organization__isnull=False).values_list(
            "organization__name", "neighbourhood__name"
        )
    )
    services = _most_common(
        (name_key(name), hood)
        for name, hood in ServiceAtLocation.objects.filter(
            place=place, location__neighbourhood__isnull=False
        ).values_list("service__name", "location__neighbourhood__name")
    )
    by_name.update(services)  # a service's own location says more than its provider's
    return partners, by_name


def fill_neighbourhoods(place, *, resident_ids=None) -> int:
    """Set Node.neighbourhood for the place's nodes (or only these residents' nodes).
    Returns how many nodes changed."""
    nodes = Node.objects.filter(place=place)
    if resident_ids is not None:
        nodes = nodes.filter(kind=NodeKind.RESIDENT, resident_id__in=list(resident_ids))
        if len(resident_ids) <= FEW:
            return _fill_few(place, nodes)
    locator = Locator(place)
    if not locator:
        # no neighbourhoods: nothing can be placed; clear what was derived before
        derived = Q(resident__isnull=False) | Q(organisation__isnull=False)
        return nodes.filter(derived).exclude(neighbourhood="").update(neighbourhood="")
    if resident_ids is None:
        nodes = nodes.filter(Q(kind=NodeKind.RESIDENT) | (Q(kind__in=_NAMED_KINDS) & ~Q(label="")))
    rows = list(
        nodes.values_list("pk", "kind", "label", "organisation_id", "resident_id", "neighbourhood")
    )
    residents = [r[4] for r in rows if r[4]]
    postcodes = {}
    for start in range(0, len(residents), BATCH):
        postcodes.update(
            Resident.objects.filter(pk__in=residents[start : start + BATCH]).values_list(
                "pk", "postcode"
            )
        )
    at_postcode = locator.for_postcodes(postcodes.values())
    others = len(residents) < len(rows)
    partners, by_name = _directory_areas(place) if others else ({}, {})
    wanted = {}
    for pk, _kind, label, org_id, res_id, hood in rows:
        if res_id:
            new = at_postcode.get(geo.postcode_key(postcodes.get(res_id, "")), "")
        elif org_id:
            new = partners.get(org_id) or by_name.get(name_key(label), "")
        else:
            new = by_name.get(name_key(label)) or hood  # keep a value typed by hand
        if new != hood:
            wanted[pk] = new
    return _save(wanted)


def _fill_few(place, nodes) -> int:
    """A handful of residents (one record changed): ask the directory point by point
    rather than reading every neighbourhood's outline."""
    wanted = {}
    for pk, hood, postcode in nodes.values_list("pk", "neighbourhood", "resident__postcode"):
        point = geo.lookup_postcode(postcode or "")
        found = geo.neighbourhood_for(place, *point) if point else None
        new = found.name if found is not None else ""
        if new != hood:
            wanted[pk] = new
    return _save(wanted)


def _save(wanted: dict) -> int:
    by_value = defaultdict(list)
    for pk, hood in wanted.items():
        by_value[hood].append(pk)
    for hood, pks in by_value.items():
        for start in range(0, len(pks), BATCH):
            Node.objects.filter(pk__in=pks[start : start + BATCH]).update(neighbourhood=hood)
    return len(wanted)
