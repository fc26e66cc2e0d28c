"""Open Referral UK (HSDS-UK 3.0) representations of directory entries.

Empty optional fields are left out. A confidential location is shown only by its area: no
address, no coordinates, no description.
"""

import math
import uuid
from datetime import UTC

VERSION = "HSDS-UK-3.0"
PROFILE = "https://github.com/openreferraluk/uk-profile/tree/3.0"

LANGUAGE_NAMES = {
    "en": "English",
    "cy": "Welsh",
    "ur": "Urdu",
    "bn": "Bengali",
    "pa": "Punjabi",
    "pl": "Polish",
    "ar": "Arabic",
    "so": "Somali",
    "gu": "Gujarati",
    "ro": "Romanian",
    "bsl": "British Sign Language",
}


def derived_id(parent_id, what) -> str:
    """A stable id for a row we store inside another (e.g. a language of a service)."""
    return str(uuid.uuid5(uuid.UUID(str(parent_id)), what))


def timestamp(value) -> str:
    """An ISO 8601 UTC date-time; milliseconds are shown as such ("10:30:45.123Z")."""
    exact_ms = value.microsecond and not value.microsecond % 1000
    text = value.astimezone(UTC).isoformat(timespec="milliseconds" if exact_ms else "auto")
    return text.replace("+00:00", "Z")


def omit_empty(data: dict, keep=("id",)) -> dict:
    return {k: v for k, v in data.items() if k in keep or not (v is None or v == "" or v == [])}


def taxonomy(t, with_terms=False) -> dict:
    data = omit_empty(
        {
            "id": str(t.id),
            "name": t.name,
            "description": t.description,
            "uri": t.uri,
            "version": t.version,
        },
        keep=("id", "name", "description"),
    )
    if with_terms:
        data["taxonomy_terms"] = [taxonomy_term(term) for term in t.terms.all()]
    return data


def taxonomy_term(term) -> dict:
    return omit_empty(
        {
            "id": str(term.id),
            "name": term.name,
            "description": term.description,
            "code": term.code,
            # A parent the feed named but this directory does not have is published as given.
            "parent_id": str(term.parent_id or term.parent_ref or "") or None,
            "taxonomy_id": str(term.taxonomy_id) if term.taxonomy_id else None,
            "taxonomy": term.taxonomy.name if term.taxonomy_id else None,
            "term": term.code,
            "term_uri": term.term_uri,
        },
        keep=("id", "name", "description"),
    )


def organization_summary(org) -> dict:
    return omit_empty(
        {
            "id": str(org.id),
            "name": org.name,
            "description": org.description,
            "email": org.email,
            "website": org.website,
            "logo": org.logo,
            "uri": org.uri,
            "parent_organization_id": (
                str(org.parent_organization_id) if org.parent_organization_id else None
            ),
            "organization_identifiers": [
                {**row, "organization_id": str(org.id)} for row in org.identifiers or []
            ],
            "funding": [{**row, "organization_id": str(org.id)} for row in org.funding or []],
            "contacts": [
                _contact_row(row, "organization_id", org.id) for row in org.contacts or []
            ],
            "phones": _phones(org.phones, "organization_id", org.id),
            "programs": [{**row, "organization_id": str(org.id)} for row in org.programs or []],
        },
        keep=("id", "name", "description"),
    )


def _phones(rows, link, link_id) -> list:
    """Phone rows linked to what holds them, their languages linked to the phone."""
    return [
        {
            **row,
            link: str(link_id),
            **(
                {"languages": [{**lang, "phone_id": row["id"]} for lang in row["languages"]]}
                if row.get("languages")
                else {}
            ),
        }
        for row in rows or []
    ]


def _contact_row(row, link, link_id) -> dict:
    data = {**row, link: str(link_id)}
    if row.get("phones"):
        data["phones"] = _phones(row["phones"], "contact_id", row["id"])
    return data


def organization_full(org, services) -> dict:
    data = organization_summary(org)
    data["services"] = [service_full(s, include_organization=False) for s in services]
    return data


def location(loc, full=True) -> dict:
    if loc.confidential:
        return omit_empty(
            {"id": str(loc.id), "location_type": loc.location_type, "name": loc.public_name}
        )
    data = {
        "id": str(loc.id),
        "location_type": loc.location_type,
        "name": loc.name,
        "description": loc.description,
        "latitude": loc.latitude,
        "longitude": loc.longitude,
        "external_identifier": loc.external_identifier,
        "external_identifier_type": loc.external_identifier_type,
    }
    if full and loc.address_1 and loc.postal_code:
        data["addresses"] = [
            omit_empty(
                {
                    "id": str(loc.address_id or derived_id(loc.id, "address")),
                    "location_id": str(loc.id),
                    "attention": loc.attention,
                    "address_1": loc.address_1,
                    "address_2": loc.address_2,
                    "city": loc.city,
                    "region": loc.region,
                    "state_province": loc.state_province,
                    "postal_code": loc.postal_code,
                    "country": loc.country,
                    "address_type": loc.address_type or "physical",
                },
                keep=("id", "address_1", "city", "state_province", "postal_code", "country"),
            )
        ]
    if full:
        data["accessibility"] = [
            {**row, "location_id": str(loc.id)} for row in loc.accessibility or []
        ]
    return omit_empty(data, keep=("id", "location_type"))


def _attributes(service) -> list:
    """One attribute per term; one that came from a feed keeps its id, link_type and value."""
    given = {row.get("taxonomy_term_id"): row for row in service.attribute_rows or []}
    out = []
    for term in service.taxonomy_terms.all():
        row = given.get(str(term.id), {})
        out.append(
            omit_empty(
                {
                    "id": row.get("id") or derived_id(service.id, f"attribute:{term.id}"),
                    "link_id": str(service.id),
                    "link_type": row.get("link_type") or "service",
                    "link_entity": "service",
                    "taxonomy_term_id": str(term.id),
                    "value": row.get("value"),
                    "label": row.get("label"),
                    "taxonomy_term": taxonomy_term(term),
                }
            )
        )
    return out


def _languages(service) -> list:
    """The service's languages: the feed's rows (ids, names, notes) for its codes, and rows
    for codes added since; a feed row without a code is kept as it came."""
    codes = list(service.languages or [])
    out = []
    for row in service.language_rows or []:
        code = str(row.get("code", "")).lower()
        if code and code not in codes:
            continue  # removed since
        if code:
            codes.remove(code)
        out.append(
            {
                **row,
                "service_id": str(service.id),
                **({"name": row.get("name") or LANGUAGE_NAMES.get(code, code)} if code else {}),
            }
        )
    out += [
        {
            "id": derived_id(service.id, f"language:{code}"),
            "service_id": str(service.id),
            "code": code,
            "name": LANGUAGE_NAMES.get(code, code),
        }
        for code in codes
    ]
    return out


def _rows(rows, parent_id) -> list:
    return [{**row, "service_id": parent_id} for row in rows or []]


def _schedule(s) -> dict:
    return omit_empty(
        {
            "id": str(s.id),
            "service_id": str(s.service_id),
            "freq": s.freq if s.freq in ("WEEKLY", "MONTHLY") else None,
            "byday": s.byday,
            "opens_at": s.opens_at.strftime("%H:%M:%S") if s.opens_at else None,
            "closes_at": s.closes_at.strftime("%H:%M:%S") if s.closes_at else None,
            "valid_from": s.valid_from.isoformat() if s.valid_from else None,
            "valid_to": s.valid_to.isoformat() if s.valid_to else None,
            "dtstart": s.dtstart.isoformat() if s.dtstart else None,
            "interval": s.interval,
            "bymonthday": s.bymonthday,
            "description": s.description,
            "schedule_link": s.schedule_link,
            "attending_type": s.attending_type,
            "notes": s.notes,
        }
    )


def _contact(c) -> dict:
    if c.phones:
        phones = _phones(c.phones, "contact_id", c.id)
    else:  # entered here, with one number
        phones = [{"id": derived_id(c.id, "phone"), "contact_id": str(c.id), "number": c.phone}]
    return omit_empty(
        {
            "id": str(c.id),
            "service_id": str(c.service_id),
            "name": c.name,
            "title": c.title,
            "department": c.department,
            "email": c.email,
            "phones": phones if c.phone else [],
        }
    )


def service_summary(service, include_organization=True) -> dict:
    data = {
        "id": str(service.id),
        "organization_id": str(service.organization_id) if service.organization_id else None,
        "name": service.name,
        "description": service.description,
        "url": service.url,
        "email": service.email,
        "status": service.status,
        "fees": "Free" if service.is_free and not service.fees_description else None,
        "minimum_age": service.minimum_age,
        "maximum_age": service.maximum_age,
        "alert": service.alert,
        "accreditations": service.accreditations,
        "assured_date": service.assured_date.isoformat() if service.assured_date else None,
        "assurer_email": service.assurer_email,
        # The feed's own date while our copy is as the feed gave it (services.service_save).
        "last_modified": timestamp(service.source_modified or service.updated_at),
    }
    if service.fees_description:
        data["fees"] = service.fees_description
    if include_organization and service.organization_id:
        data["organization"] = organization_summary(service.organization)
    return omit_empty(data, keep=("id", "name", "status"))


def service_full(service, include_organization=True) -> dict:
    data = service_summary(service, include_organization=include_organization)
    data["service_at_locations"] = [
        {
            "id": str(sal.id),
            "service_id": str(service.id),
            "location_id": str(sal.location_id),
            "location": location(sal.location),
        }
        for sal in service.at_locations.all()
    ]
    data["schedules"] = [_schedule(s) for s in service.schedules.all()]
    data["languages"] = _languages(service)
    data["contacts"] = [_contact(c) for c in service.contacts.all()]
    sid = str(service.id)
    data["service_areas"] = _rows(service.service_areas, sid)
    data["funding"] = _rows(service.funding, sid)
    data["required_documents"] = _rows(service.required_documents, sid)
    if service.cost_options:
        data["cost_options"] = _rows(service.cost_options, sid)
    elif service.is_free:
        data["cost_options"] = [
            {
                "id": derived_id(service.id, "cost:free"),
                "service_id": str(service.id),
                "option": "Free",
                "amount": 0,
            }
        ]
    if service.eligibility:
        data["eligibility_description"] = service.eligibility
    if service.how_to_access:
        data["application_process"] = service.how_to_access
    if service.accessibility:
        data["accessibility"] = service.accessibility
    data["attributes"] = _attributes(service)
    return omit_empty(data, keep=("id", "name", "status"))


def service_at_location(sal, full=False) -> dict:
    data = {
        "id": str(sal.id),
        "service_id": str(sal.service_id),
        "location_id": str(sal.location_id),
        "description": sal.description,
        "location": location(sal.location, full=full),
        "service": service_summary(sal.service),
    }
    return omit_empty(data)


def page(items, *, total_items, page_number, per_page) -> dict:
    total_pages = max(1, math.ceil(total_items / per_page)) if per_page else 1
    return {
        "total_items": total_items,
        "total_pages": total_pages,
        "page_number": page_number,
        "size": len(items),
        "first_page": page_number == 1,
        "last_page": page_number == total_pages,
        "empty": not items,
        "contents": items,
    }
