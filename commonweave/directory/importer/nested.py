"""The records nested in an ORUK service: taxonomy terms, locations, the organisation, and
child rows (schedules, contacts, service-at-locations) kept exactly in step with the feed.

A nested record that cannot be used (a location whose postcode is not a UK postcode, an
organisation or a term without a name, an id another place owns) raises Invalid; the
service importer drops that one record with a warning and keeps the service. A field that
cannot be used is dropped with a warning (`notes.take`)."""

from typing import Any, NamedTuple

from django.utils.translation import gettext as _

from .. import geo
from ..enums import ChangeAction
from ..models import Location, Organization, Taxonomy, TaxonomyTerm
from ..services import collecting_new_rows, location_save, organization_save
from .fields import (
    clean_coord,
    clean_date,
    clean_email,
    clean_id,
    clean_number,
    clean_phone,
    clean_text,
    clean_url,
    stable_id,
)
from .lookup import existing_row
from .report import Invalid


class Notes(list):
    """The warnings of one record, (reason, field), kept only if the record is stored."""

    def add(self, reason, field=""):
        self.append((str(reason), field))

    def take(self, check, value, *args, field="", default=""):
        """check(value, *args), or `default` with a warning when it raises Invalid."""
        try:
            return check(value, *args)
        except Invalid as exc:
            self.add(exc, exc.field or field)
            return default


def nested_id(raw_id, what, *parents, notes=None):
    """The nested record's UUID; one made from the parent and the given id (or position)
    when it has none or it is not a UUID, so a re-import finds the same row."""
    try:
        return clean_id(raw_id, what)
    except Invalid:
        if notes is not None and raw_id not in (None, ""):
            notes.add(_("%(field)s is not a UUID: an id was made from it") % {"field": what}, what)
        return stable_id(*parents, what, str(raw_id).strip() if raw_id is not None else "")


class Rows(NamedTuple):
    """Rows nested in a row (a contact's phones): their fields, and those a row cannot
    be without (one without them is left out silently: a phone is its number)."""

    fields: dict
    needs: tuple = ()


def _row_value(kind, value, what, notes):
    if kind == "text":
        return clean_text(value)
    if kind == "line":
        return clean_text(value, 250)
    if kind == "phone":
        return clean_phone(value)
    if kind == "number":
        return clean_number(value)
    if kind == "date":
        found = clean_date(value)
        return found.isoformat() if found else None
    if kind == "url":
        return notes.take(clean_url, value, what)
    if kind == "email":
        return notes.take(clean_email, value, what)
    raise ValueError(kind)


def json_rows(items, what, parents, fields, notes, needs=()) -> list:
    """ORUK child rows kept as given in a JSON field: each has its id (kept when a UUID, else
    made from the parent and its position) and the `fields` ({name: kind}) it fills; a
    `Rows` kind holds rows nested in it. A row without one of `needs` is left out."""
    rows = []
    for index, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, dict):
            continue
        row: dict[str, Any] = {
            "id": str(nested_id(item.get("id"), f"{what} id", *parents, index, notes=notes))
        }
        for name, kind in fields.items():
            if item.get(name) in (None, "", []):
                continue
            if isinstance(kind, Rows):
                value = json_rows(
                    item[name], f"{what} {name}", [*parents, index], kind.fields, notes, kind.needs
                )
            else:
                value = _row_value(kind, item[name], f"{what} {name}", notes)
            if value not in (None, "", []):
                row[name] = value
        if all(name in row for name in needs):
            rows.append(row)
    return rows


ACCESSIBILITY_FIELDS = {
    "description": "text",
    "details": "text",
    "url": "url",
    "accessibility": "text",
}
IDENTIFIER_FIELDS = {"identifier_scheme": "line", "identifier_type": "line", "identifier": "line"}
LANGUAGE_FIELDS = {"name": "line", "code": "line", "note": "text"}
FUNDING_FIELDS = {"source": "text"}
PHONE_FIELDS = {
    "number": "phone",
    "extension": "number",
    "type": "line",
    "description": "text",
    "languages": Rows(LANGUAGE_FIELDS),
}
PHONES = Rows(PHONE_FIELDS, needs=("number",))
CONTACT_FIELDS = {
    "name": "line",
    "title": "line",
    "department": "line",
    "email": "email",
    "phones": PHONES,
}
PROGRAM_FIELDS = {"name": "line", "alternate_name": "line", "description": "text"}


def import_term(place, raw, notes):
    term_id = nested_id(raw.get("id"), "taxonomy term id", place.pk, notes=notes)
    term = existing_row(TaxonomyTerm, term_id, place, "a taxonomy term")
    taxonomy = None
    if raw.get("taxonomy_id"):
        tax_id = nested_id(raw["taxonomy_id"], "taxonomy id", place.pk, notes=notes)
        taxonomy = Taxonomy.objects.filter(id=tax_id).first()
        if taxonomy is not None and taxonomy.place_id != place.pk:
            taxonomy = None  # another place's list: the term stands on its own here
        elif taxonomy is None:
            taxonomy = Taxonomy.objects.create(
                id=tax_id, place=place, name=clean_text(raw.get("taxonomy"), 200) or "Imported"
            )
    elif clean_text(raw.get("taxonomy"), 200):  # named only: one list per name
        tax_name = clean_text(raw.get("taxonomy"), 200)
        taxonomy, _created = Taxonomy.objects.get_or_create(
            id=stable_id(place.pk, "taxonomy name", tax_name.lower()),
            defaults={"place": place, "name": tax_name},
        )
        if taxonomy.place_id != place.pk:
            taxonomy = None
    name = clean_text(raw.get("name"), 200)
    if not name:
        raise Invalid(_("a taxonomy term has no name"), "taxonomy term name")
    wanted = {
        "name": name,
        "description": clean_text(raw.get("description")),
        "code": clean_text(raw.get("code") or raw.get("term"), 100),
        "term_uri": notes.take(clean_url, raw.get("term_uri"), "taxonomy term_uri"),
    }
    parent = raw.get("parent_id")
    parent_ref = None
    if isinstance(parent, str | int) and str(parent).strip():
        parent_ref = nested_id(parent, "taxonomy term id", place.pk)
    if parent_ref and parent_ref != term_id:
        # Linked when this place has that term; else its id is kept, to be published as
        # given, and linked when the term arrives.
        known = TaxonomyTerm.objects.filter(place=place, pk=parent_ref).exists()
        wanted["parent_id"] = parent_ref if known else None
        wanted["parent_ref"] = None if known else parent_ref
    else:
        wanted["parent_ref"] = None  # only ever from a feed; a linked parent may be our own
    if term is None:
        term = TaxonomyTerm.objects.create(id=term_id, place=place, taxonomy=taxonomy, **wanted)
        TaxonomyTerm.objects.filter(place=place, parent_ref=term_id).update(
            parent=term, parent_ref=None
        )
    elif any(getattr(term, k) != v for k, v in wanted.items()):
        for k, v in wanted.items():
            setattr(term, k, v)
        term.save()
    return term


def import_location(place, raw, viewer, notes, loc_id):
    """Create or update one location (Invalid: the location cannot be used at all)."""
    location = existing_row(Location, loc_id, place, "a location")
    address = (raw.get("addresses") or [{}])[0] or {}
    country = (clean_text(address.get("country"), 2) or "GB").upper()
    postcode = clean_text(address.get("postal_code") or raw.get("postal_code"), 20)
    if postcode and country == "GB":
        normal = geo.normalise_postcode(postcode)
        if not normal:
            raise Invalid(
                _("a location has a postcode that is not a UK postcode: the location was left out"),
                "location postal_code",
            )
        postcode = normal
    lat = clean_coord(raw.get("latitude"), -90, 90)
    lon = clean_coord(raw.get("longitude"), -180, 180)
    if (raw.get("latitude") not in (None, "") and lat is None) or (
        raw.get("longitude") not in (None, "") and lon is None
    ):
        notes.add(_("coordinates out of range were dropped"), "location latitude/longitude")
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
    try:
        address_id = clean_id(address.get("id")) if address.get("id") else None
    except Invalid:
        address_id = None
    data |= {
        "external_identifier": clean_text(raw.get("external_identifier"), 100),
        "external_identifier_type": clean_text(raw.get("external_identifier_type"), 50),
        "address_id": address_id,
        "attention": clean_text(address.get("attention"), 250),
        "region": clean_text(address.get("region"), 120),
        "address_type": clean_text(address.get("address_type"), 20),
        "accessibility": json_rows(
            raw.get("accessibility"), "accessibility", [loc_id], ACCESSIBILITY_FIELDS, notes
        ),
    }
    return location_save(
        viewer=viewer,
        place=place,
        data=data,
        location=location or Location(place=place, id=loc_id),
        action=ChangeAction.IMPORTED,
    )


def import_organization(place, raw, viewer, notes):
    name = clean_text(raw.get("name"), 250)
    if not name:
        raise Invalid(_("an organization has no name: it was left out"), "organization name")
    raw_id = raw.get("id")
    org_id = nested_id(raw_id, "organization id", place.pk, notes=notes)
    if raw_id in (None, ""):
        org_id = stable_id(place.pk, "organization name", name.lower())
    existing = existing_row(Organization, org_id, place, "an organization")
    data = {
        "id": org_id,
        "name": name,
        "description": clean_text(raw.get("description")),
        "email": notes.take(clean_email, raw.get("email"), "organization email"),
        "website": notes.take(clean_url, raw.get("website"), "organization website"),
        "logo": notes.take(clean_url, raw.get("logo"), "organization logo"),
        "uri": notes.take(clean_url, raw.get("uri"), "organization uri"),
    }
    parent = raw.get("parent_organization_id")
    parents = [org_id]
    data |= {
        "parent_organization_id": (
            notes.take(clean_id, parent, "organization parent_organization_id", default=None)
            if parent
            else None
        ),
        "identifiers": json_rows(
            raw.get("organization_identifiers"),
            "organization identifier",
            parents,
            IDENTIFIER_FIELDS,
            notes,
        ),
        # HSDS 3.0 rows the UK profile leaves out, kept when a feed has them.
        "funding": json_rows(
            raw.get("funding"), "organization funding", parents, FUNDING_FIELDS, notes
        ),
        "contacts": json_rows(
            raw.get("contacts"), "organization contact", parents, CONTACT_FIELDS, notes
        ),
        "phones": json_rows(
            raw.get("phones"), "organization phone", parents, PHONE_FIELDS, notes, PHONES.needs
        ),
        "programs": json_rows(
            raw.get("programs"), "organization program", parents, PROGRAM_FIELDS, notes, ("name",)
        ),
    }
    return organization_save(
        viewer=viewer, place=place, data=data, organization=existing, action=ChangeAction.IMPORTED
    )


def sync_children(model, parent_field, parent, rows, *, new=False):
    """Make the parent's children exactly `rows` ({id: fields}); write only what differs."""
    collecting = collecting_new_rows()
    if new and collecting is not None:
        created = [model(id=pk, **{parent_field: parent}, **fields) for pk, fields in rows.items()]
        collecting.setdefault(model, []).extend(created)
        return bool(created)
    changed = False
    current = {} if new else {o.pk: o for o in model.objects.filter(**{parent_field: parent})}
    created = []
    for pk, fields in rows.items():
        obj = current.pop(pk, None)
        if obj is None:
            created.append(model(id=pk, **{parent_field: parent}, **fields))
        elif any(getattr(obj, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(obj, k, v)
            obj.save()
            changed = True
    if created:
        model.objects.bulk_create(created)  # one INSERT for all (no signals on these rows)
        changed = True
    if current:
        model.objects.filter(pk__in=list(current)).delete()
        changed = True
    return changed
