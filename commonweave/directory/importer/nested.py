"""The records nested in an ORUK service: taxonomy terms, locations, the organisation, and
child rows (schedules, contacts, service-at-locations) kept exactly in step with the feed."""

from .. import geo
from ..enums import ChangeAction
from ..models import Location, Organization, Taxonomy, TaxonomyTerm
from ..services import location_save, organization_save
from .fields import clean_coord, clean_email, clean_id, clean_text, clean_url
from .lookup import existing_row
from .report import Invalid


def import_term(place, raw, report):
    term_id = clean_id(raw.get("id"), "taxonomy term id")
    term = existing_row(TaxonomyTerm, term_id, place, "a taxonomy term")
    taxonomy = None
    if raw.get("taxonomy_id"):
        tax_id = clean_id(raw["taxonomy_id"], "taxonomy id")
        taxonomy, _ = Taxonomy.objects.get_or_create(
            id=tax_id,
            defaults={"place": place, "name": clean_text(raw.get("taxonomy"), 200) or "Imported"},
        )
    name = clean_text(raw.get("name"), 200)
    if not name:
        raise Invalid("a taxonomy term has no name")
    wanted = {
        "name": name,
        "description": clean_text(raw.get("description")),
        "code": clean_text(raw.get("code") or raw.get("term"), 100),
    }
    if term is None:
        term = TaxonomyTerm.objects.create(id=term_id, place=place, taxonomy=taxonomy, **wanted)
    elif any(getattr(term, k) != v for k, v in wanted.items()):
        for k, v in wanted.items():
            setattr(term, k, v)
        term.save()
    return term


def import_location(place, raw, viewer, report, number):
    loc_id = clean_id(raw.get("id"), "location id")
    location = existing_row(Location, loc_id, place, "a location")
    address = (raw.get("addresses") or [{}])[0] or {}
    country = (address.get("country") or "GB").upper()[:2]
    postcode = (address.get("postal_code") or raw.get("postal_code") or "").strip()
    if postcode and country == "GB":
        normal = geo.normalise_postcode(postcode)
        if not normal:
            raise Invalid("a location has a postcode that is not a UK postcode")
        postcode = normal
    lat = clean_coord(raw.get("latitude"), -90, 90)
    lon = clean_coord(raw.get("longitude"), -180, 180)
    if (raw.get("latitude") not in (None, "") and lat is None) or (
        raw.get("longitude") not in (None, "") and lon is None
    ):
        report.warnings.append((number, str(loc_id), "coordinates out of range were dropped"))
        lat = lon = None
    data = {
        "name": clean_text(raw.get("name"), 250),
        "description": clean_text(raw.get("description")),
        "address_1": clean_text(address.get("address_1"), 250),
        "address_2": clean_text(address.get("address_2"), 250),
        "city": clean_text(address.get("city"), 120),
        "state_province": clean_text(address.get("state_province"), 120),
        "postal_code": postcode[:10],
        "latitude": lat,
        "longitude": lon,
    }
    if "confidential" in raw:
        data["confidential"] = bool(raw["confidential"])
    data["country"] = country
    location = location or Location(place=place, id=loc_id)
    return location_save(
        viewer=viewer, place=place, data=data, location=location, action=ChangeAction.IMPORTED
    )


def import_organization(place, raw, viewer):
    org_id = clean_id(raw.get("id"), "organization id")
    existing = existing_row(Organization, org_id, place, "an organization")
    name = clean_text(raw.get("name"), 250)
    if not name:
        raise Invalid("an organization has no name")
    data = {
        "id": org_id,
        "name": name,
        "description": clean_text(raw.get("description")),
        "email": clean_email(raw.get("email")),
        "website": clean_url(raw.get("website"), "organization website"),
        "logo": clean_url(raw.get("logo"), "organization logo"),
        "uri": clean_url(raw.get("uri"), "organization uri"),
    }
    return organization_save(
        viewer=viewer, place=place, data=data, organization=existing, action=ChangeAction.IMPORTED
    )


def sync_children(model, parent_field, parent, rows, *, new=False):
    """Make the parent's children exactly `rows` ({id: fields}); write only what differs."""
    changed = False
    current = {} if new else {o.pk: o for o in model.objects.filter(**{parent_field: parent})}
    for pk, fields in rows.items():
        obj = current.pop(pk, None)
        if obj is None:
            model.objects.create(id=pk, **{parent_field: parent}, **fields)
            changed = True
        elif any(getattr(obj, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(obj, k, v)
            obj.save()
            changed = True
    if current:
        model.objects.filter(pk__in=list(current)).delete()
        changed = True
    return changed
