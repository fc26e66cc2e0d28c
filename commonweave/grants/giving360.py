"""Awards as open data: the 360Giving Data Standard 1.4.3 (JSON and its CSV), safe for the
people who receive them (issue 17, part 5; docs/grants.md, "Open data (360Giving)").

* `package(place, prefix=…, publisher=…)` builds a 360Giving package of every approved
  award of the place: community grants name their organisation or group (GB-CHC / GB-COH
  where it has a number); personal grants and mutual-aid costs name nobody.
* A grant to an individual carries an anonymous identifier made for that award alone
  (`<prefix>-IND-<award id>`, never the resident's), the generic name "Individual
  recipient", a title and description written from its 360Giving purpose and reason codes
  (never the catalyst's words: the title and "why" are free text and may hold a name or a
  number), its codes (`toIndividualsDetails`), and an area no finer than a ward or LSOA.
* Small groups: where fewer residents than the place's suppression threshold share a
  purpose code and a ward, their grants give only the local authority (or no location
  when that is not known), so a rare purpose in a small area cannot point at a neighbour.
* `check(package)` is the project's own data-quality gate, run before anything is
  published: the 1.4.3 schema (offline), and for grants to individuals no email, UK
  postcode, phone number, person's name, address or diversity (DEI) field, and valid
  codelist codes; every amount positive. An export with problems is refused.
* `csv_rows(package)` flattens it to the 360Giving spreadsheet's column titles.
"""

import json
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012
from shapely.geometry import Point, shape

from commonweave.directory import geo
from commonweave.directory.models import Neighbourhood, PostcodeLookup

from . import codes
from .enums import AwardStatus, RecipientKind
from .models import Award

SCHEMAS = Path(__file__).parent / "data" / "360giving"
VERSION = "1.4"  # the package's `version` is major.minor
GENERIC_PURPOSE = "GTIP010"  # "Unrestricted": unspecified or general support
INDIVIDUAL = "Individual recipient"  # the standard's generic name, the same in every language

# ONS area codes: a letter for the country and eight digits; the first three say the kind.
ONS_CODE = re.compile(r"^[EWSNK]\d{8}$")
WARD_ENTITIES = {"E05": "WD", "W05": "WD", "S13": "WD", "N08": "WD"}
LSOA_ENTITIES = {"E01": "LSOA", "W01": "LSOA", "S01": "DZ"}
LA_ENTITIES = {"E06": "UA", "E07": "NMD", "E08": "MD", "E09": "LONB", "W06": "UA", "S12": "CA"}
# Areas smaller than a ward or an LSOA: output areas, Northern Ireland's small areas.
TOO_FINE = ("E00", "W00", "S00", "N00")
SCOPE_LOCAL_AREA, SCOPE_LOCAL_AUTHORITY = "GLS060", "GLS050"


def prefix_for(place) -> str:
    """The place's 360Giving publisher prefix: the `GRANTS_360_PREFIX` setting (one prefix,
    or a mapping of place slug to prefix), else `360G-commonweave-<place slug>`."""
    configured = getattr(settings, "GRANTS_360_PREFIX", "") or ""
    if isinstance(configured, Mapping):
        configured = configured.get(place.slug, "")
    return str(configured).strip() or f"360G-commonweave-{place.slug}"


def publisher_for(place) -> dict:
    lead = place.lead_organisation
    return {"name": lead.name if lead is not None else place.name}


def _number(amount: Decimal) -> int | float:
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def _name_id(prefix: str, name: str) -> str:
    return f"{prefix}-{slugify(name) or 'unnamed'}"


def _org_id(prefix: str, name: str) -> str:
    """An org-id where one is known (`GRANTS_360_ORG_IDS`: organisation name -> org-id, e.g.
    "GB-CHC-1164883"), else one made from the publisher's prefix and the name."""
    known = getattr(settings, "GRANTS_360_ORG_IDS", {}) or {}
    return known.get(name) or _name_id(prefix, name)


def _registered(number: str) -> str:
    return re.sub(r"\s+", "", number or "").upper()


def _recipient_organisation(award: Award, prefix: str) -> dict:
    name = award.organisation.name if award.organisation is not None else award.group_name
    charity, company = _registered(award.charity_number), _registered(award.company_number)
    if company.isdigit():
        company = company.zfill(8)  # Companies House numbers keep their leading zeros
    if charity:
        org_id = f"GB-SC-{charity}" if charity.startswith("SC") else f"GB-CHC-{charity}"
    elif company:
        org_id = f"GB-COH-{company}"
    else:
        org_id = _org_id(prefix, name)
    recipient = {"id": org_id, "name": name}
    if charity:
        recipient["charityNumber"] = charity
    if company:
        recipient["companyNumber"] = company
    return recipient


# --- where: no finer than a ward or an LSOA ----------------------------------------------------


@dataclass(frozen=True)
class Area:
    """A published location: its name and ONS code where the project holds them."""

    name: str = ""
    code: str = ""
    code_type: str = ""
    scope: str = SCOPE_LOCAL_AREA

    @property
    def key(self) -> str:
        return self.code or self.name

    def as_location(self) -> dict:
        location: dict[str, Any] = {"countryCode": "GB"}
        if self.name:
            location["name"] = self.name
        if self.code:
            location["geoCode"] = self.code
            location["geoCodeType"] = self.code_type
        return location


def _kind_of_code(code: str) -> str:
    """WD, LSOA (DZ) or "" for an ONS code of a ward or LSOA."""
    if not ONS_CODE.match(code or ""):
        return ""
    return WARD_ENTITIES.get(code[:3]) or LSOA_ENTITIES.get(code[:3], "")


class Areas:
    """A place's wards and LSOAs, read once: the area a postcode or a neighbourhood is in."""

    def __init__(self, place):
        self.by_code: dict[str, Neighbourhood] = {}
        self.shapes: list = []
        for hood in Neighbourhood.objects.filter(place=place):
            if not self._coarse_enough(hood):
                continue
            if hood.code:
                self.by_code[hood.code] = hood
            try:
                polygon = shape(hood.geometry)
            except (ValueError, TypeError, AttributeError, KeyError, IndexError):
                continue
            # Wards before LSOAs: the coarser area is published where both hold the point.
            ward = (hood.kind or "").lower() == "ward" or _kind_of_code(hood.code) == "WD"
            self.shapes.append((0 if ward else 1, -polygon.area, polygon, hood))
        self.shapes.sort(key=lambda row: row[:2])

    @staticmethod
    def _coarse_enough(hood) -> bool:
        """A ward or an LSOA, by its kind or its ONS code; never an area drawn by hand, which
        may be a street."""
        kind = (hood.kind or "").lower()
        return kind == "ward" or kind.startswith("lsoa") or bool(_kind_of_code(hood.code))

    @staticmethod
    def of(hood) -> Area:
        code_type = _kind_of_code(hood.code)
        return Area(name=hood.name, code=hood.code if code_type else "", code_type=code_type)

    def neighbourhood(self, hood) -> Area | None:
        if hood is None or not self._coarse_enough(hood):
            return None
        return self.of(hood)

    def at(self, lookup) -> Area | None:
        """The ward (else LSOA) of a postcode's lookup row."""
        for code in (lookup.ward_code, lookup.lsoa_code):
            if code in self.by_code:
                return self.of(self.by_code[code])
        if self.shapes:
            point = Point(lookup.longitude, lookup.latitude)
            for _order, _size, polygon, hood in self.shapes:
                if polygon.covers(point):
                    return self.of(hood)
        for code in (lookup.ward_code, lookup.lsoa_code):
            if _kind_of_code(code):
                return Area(code=code, code_type=_kind_of_code(code))
        return None

    @staticmethod
    def local_authority(lookup) -> Area | None:
        code = lookup.lad_code if lookup is not None else ""
        if not (ONS_CODE.match(code or "") and code[:3] in LA_ENTITIES):
            return None
        return Area(code=code, code_type=LA_ENTITIES[code[:3]], scope=SCOPE_LOCAL_AUTHORITY)


def _lookups(awards) -> dict[str, Any]:
    """postcode key -> PostcodeLookup, for the residents these awards reach."""
    keys = set()
    for award in awards:
        for resident in (award.resident, getattr(award.aid_request, "resident", None)):
            if resident is not None and resident.postcode:
                keys.add(geo.postcode_key(resident.postcode))
    keys.discard("")
    found = {}
    ordered = sorted(keys)
    for start in range(0, len(ordered), 2000):
        for row in PostcodeLookup.objects.filter(postcode__in=ordered[start : start + 2000]):
            found[row.postcode] = row
    return found


# --- the package ---------------------------------------------------------------------------------


@dataclass
class Export:
    package: dict
    residents: list[str]  # the public ids of the residents whose records it was made from


def _person_of(award: Award):
    """Who an individual grant reaches: (a key for counting people, their Resident or None)."""
    if award.recipient_kind == RecipientKind.RESIDENT:
        return ("resident", award.resident_id), award.resident
    aid = award.aid_request
    resident = aid.resident if aid is not None else None
    if resident is not None:
        return ("resident", resident.pk), resident
    return ("need", award.aid_request_id), None


def _individual_words(award: Award) -> tuple[str, str, list[str], str]:
    """A generic title and description from the codes: (title, description, purposes, reason)."""
    purposes = codes.purposes()
    purpose = award.purpose_code if award.purpose_code in purposes else GENERIC_PURPOSE
    reason = award.reason_code if award.reason_code in codes.reasons() else ""
    what = purposes[purpose][0]
    if award.recipient_kind == RecipientKind.AID_REQUEST:
        title = _("Mutual aid for a neighbour: %(purpose)s") % {"purpose": what}
    else:
        title = _("Grant to an individual: %(purpose)s") % {"purpose": what}
    description = _("A grant to an individual for %(purpose)s.") % {"purpose": what.lower()}
    if reason:
        description = _("A grant to an individual for %(purpose)s, because of %(reason)s.") % {
            "purpose": what.lower(),
            "reason": codes.reasons()[reason][0].lower(),
        }
    return title, description, [purpose], reason


def build(place, *, prefix: str, publisher: Mapping | str) -> Export:
    """The package and the residents it was made from (for the audit event)."""
    awards = list(
        Award.objects.filter(place=place, status=AwardStatus.APPROVED, amount_awarded__gt=0)
        .select_related(
            "fund",
            "fund__organisation",
            "organisation",
            "resident",
            "aid_request",
            "aid_request__neighbourhood",
            "aid_request__resident",
        )
        .order_by("decided_at", "pk")
    )
    areas = Areas(place)
    lookups = _lookups(awards)
    threshold = place.suppression_threshold

    # Where each individual grant's person lives, and how many people share its group.
    where: dict[int, tuple[Area | None, Area | None]] = {}
    people: dict[tuple, set] = defaultdict(set)
    residents: set[str] = set()
    for award in awards:
        if award.recipient_kind == RecipientKind.ORGANISATION:
            continue
        person, resident = _person_of(award)
        lookup = lookups.get(geo.postcode_key(resident.postcode)) if resident else None
        if resident is not None:
            residents.add(resident.public_id)
        area = None
        if award.aid_request is not None:
            area = areas.neighbourhood(award.aid_request.neighbourhood)  # a need names its area
        if area is None and lookup is not None:
            area = areas.at(lookup)
        where[award.pk] = (area, Areas.local_authority(lookup))
        if area is not None:
            people[(_individual_words(award)[2][0], area.key)].add(person)

    grants = []
    for award in awards:
        fund = award.fund
        individual = award.recipient_kind != RecipientKind.ORGANISATION
        grant: dict[str, Any] = {"id": f"{prefix}-{award.public_id}"}
        if individual:
            # Written from the codes: the catalyst's title and "why" stay in the ledger.
            title, description, purposes, reason = _individual_words(award)
        else:
            title, description, purposes, reason = award.title, award.why, [], ""
        grant["title"], grant["description"] = title, description or title
        grant.update(
            currency=fund.currency,
            amountAppliedFor=_number(award.amount_requested),
            amountAwarded=_number(award.amount_awarded or Decimal("0")),
            awardDate=timezone.localdate(award.decided_at).isoformat()
            if award.decided_at
            else timezone.localdate(award.requested_at).isoformat(),
            fundingOrganization=[
                {"id": _org_id(prefix, fund.organisation.name), "name": fund.organisation.name}
            ],
            fromOpenCall="Yes" if fund.open_call else "No",
        )
        programme = fund.programme or fund.name
        grant["grantProgramme"] = [{"code": _name_id(prefix, programme), "title": programme}]
        if fund.starts_on or fund.ends_on:
            dates = {}
            if fund.starts_on:
                dates["startDate"] = fund.starts_on.isoformat()
            if fund.ends_on:
                dates["endDate"] = fund.ends_on.isoformat()
            grant["plannedDates"] = [dates]
        if not individual:
            grant["recipientOrganization"] = [_recipient_organisation(award, prefix)]
        else:
            grant["recipientIndividual"] = {
                "id": f"{prefix}-IND-{award.public_id}",
                "name": INDIVIDUAL,
            }
            details: dict[str, Any] = {"grantPurpose": purposes}
            if reason:
                details["primaryGrantReason"] = reason
            grant["toIndividualsDetails"] = details
            area, local_authority = where[award.pk]
            if area is not None and len(people[(purposes[0], area.key)]) < threshold:
                area = local_authority  # a small group: the local authority, or nothing
            if area is not None:
                grant["beneficiaryLocation"] = [area.as_location()]
                grant["locationScope"] = area.scope
        grants.append(grant)

    if isinstance(publisher, str):
        publisher = {"name": publisher}
    package = {
        "version": VERSION,
        "title": _("Grants from %(place)s") % {"place": place.name},
        "description": _(
            "Every approved award of %(place)s's funds, in the 360Giving Data Standard. "
            "Grants to individuals name nobody."
        )
        % {"place": place.name},
        "issued": timezone.localdate().isoformat(),
        "identifier": f"{prefix}-grants",
        "publisher": dict(publisher),
        "grants": grants,
    }
    return Export(package=package, residents=sorted(residents))


def package(place, *, prefix: str, publisher: Mapping | str) -> dict:
    """A 360Giving 1.4.3 package of every approved award of the place."""
    return build(place, prefix=prefix, publisher=publisher).package


# --- the data-quality gate ---------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    grant: str  # the grant's identifier, or "" for the package
    where: str  # a JSON pointer-like path inside it
    message: str

    def __str__(self):
        label = self.grant or _("the package")
        return f"{label} ({self.where or '/'}): {self.message}"


EMAIL = re.compile(r"[^\s@<>()\[\]]+@[^\s@<>()\[\]]+\.[A-Za-z]{2,}")
# A full UK postcode, with or without its space (BS1 4DJ, SW1A1AA, GIR 0AA).
POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])"
    r"(GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})"
    r"(?![A-Za-z0-9])",
    re.IGNORECASE,
)
# A UK phone number: +44 or 0, then 9 or 10 more digits, spaces, dashes or brackets between.
PHONE = re.compile(r"(?<![\w+])(?:\+\s?44|\(?0)[\d\s()\-]{8,16}\d(?!\w)")
# Fields that would name or place a person, or describe who they are.
PERSONAL_KEYS = {
    "contactName",
    "firstName",
    "lastName",
    "givenName",
    "familyName",
    "fullName",
    "preferredName",
    "email",
    "telephone",
    "phone",
    "streetAddress",
    "addressLocality",
    "postalCode",
    "postcode",
    "address",
    "dateOfBirth",
    "birthDate",
    "latitude",
    "longitude",
}
DEI_KEYS = {
    "deiDetails",
    "leadership",
    "mission",
    "project",
    "livedExperience",
    "taxonomyCodes",
    "ethnicity",
    "gender",
    "sex",
    "sexualOrientation",
    "religion",
    "disability",
    "age",
}


def _date_time(value: object) -> bool:
    """RFC 3339 date-time, checked here so validation needs no extra package."""
    if not isinstance(value, str):
        return True
    if not re.fullmatch(r"\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)", value):
        return False
    try:
        datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


@cache
def _validator() -> Draft202012Validator:
    """The package schema, with the grant schema registered under its own `$id`: nothing is
    fetched from the network."""
    loaded = {
        name: json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
        for name in ("360-giving-schema.json", "360-giving-package-schema.json")
    }
    registry: Registry = Registry().with_resources(
        (schema["$id"], DRAFT202012.create_resource(schema)) for schema in loaded.values()
    )
    checker = FormatChecker(formats=())
    checker.checks("date-time")(_date_time)
    return Draft202012Validator(
        loaded["360-giving-package-schema.json"], registry=registry, format_checker=checker
    )


def _walk(value: Any, path: str = "") -> Iterator[tuple[str, str | None, Any]]:
    """(path, key, value) of every value inside `value`."""
    if isinstance(value, Mapping):
        for key, inner in value.items():
            yield f"{path}/{key}", key, inner
            yield from _walk(inner, f"{path}/{key}")
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield f"{path}/{index}", None, inner
            yield from _walk(inner, f"{path}/{index}")


def _individual_problems(grant: Mapping) -> Iterator[tuple[str, str]]:
    """(path, message) for a grant to an individual."""
    for path, key, value in _walk(grant):
        if key in DEI_KEYS:
            yield path, _("Diversity (DEI) data is never published about an individual")
        elif key in PERSONAL_KEYS:
            yield path, _("A personal field is never published about an individual")
        if isinstance(value, str):
            if EMAIL.search(value):
                yield path, _("Looks like an email address")
            if POSTCODE.search(value):
                yield path, _("Looks like a postcode")
            if PHONE.search(value):
                yield path, _("Looks like a phone number")
    person = grant.get("recipientIndividual") or {}
    if isinstance(person, Mapping) and person.get("name") not in (INDIVIDUAL, None):
        yield "/recipientIndividual/name", _("Must be the generic name, not a person's")
    for index, location in enumerate(grant.get("beneficiaryLocation") or []):
        code = (location or {}).get("geoCode")
        if code and (not ONS_CODE.match(code) or code.startswith(TOO_FINE)):
            yield (
                f"/beneficiaryLocation/{index}/geoCode",
                _("Must be an ONS area code of a ward, an LSOA or larger"),
            )
        if (location or {}).get("geoCodeType") in {"OA", "SA", "WZ"}:
            yield (
                f"/beneficiaryLocation/{index}/geoCodeType",
                _("An area finer than a ward or an LSOA is never published for an individual"),
            )
    details = grant.get("toIndividualsDetails")
    if not isinstance(details, Mapping):
        yield "/toIndividualsDetails", _("A grant to an individual needs its purpose and reason")
        return
    purposes = details.get("grantPurpose")
    if not purposes:
        yield "/toIndividualsDetails/grantPurpose", _("Give at least one purpose code")


def _code_problems(grant: Mapping) -> Iterator[tuple[str, str]]:
    details = grant.get("toIndividualsDetails")
    if not isinstance(details, Mapping):
        return
    for index, code in enumerate(details.get("grantPurpose") or []):
        if code not in codes.purposes():
            yield f"/toIndividualsDetails/grantPurpose/{index}", _("Not a purpose code (GTIP…)")
    for field in ("primaryGrantReason", "secondaryGrantReason"):
        if field in details and details[field] not in codes.reasons():
            yield f"/toIndividualsDetails/{field}", _("Not a reason code (GTIR…)")


def check(package: Mapping) -> list[Problem]:
    """Every reason not to publish the package: schema errors and the data-quality rules.
    An empty list means it may be published."""
    problems = []
    grants = package.get("grants") if isinstance(package, Mapping) else None
    grants = grants if isinstance(grants, list) else []

    def grant_id(index) -> str:
        if 0 <= index < len(grants) and isinstance(grants[index], Mapping):
            return str(grants[index].get("id", f"#{index + 1}"))
        return ""

    for error in _validator().iter_errors(package):
        path = list(error.absolute_path)
        if len(path) >= 2 and path[0] == "grants" and isinstance(path[1], int):
            where = "/" + "/".join(str(part) for part in path[2:])
            problems.append(Problem(grant_id(path[1]), where, error.message))
        else:
            where = "/" + "/".join(str(part) for part in path)
            problems.append(Problem("", where, error.message))
    extensions = package.get("extensions") if isinstance(package, Mapping) else None
    for extension in extensions if isinstance(extensions, list) else []:
        if "dei" in str(extension).lower():
            problems.append(
                Problem("", "/extensions", _("The DEI extension is never used in this export"))
            )
    for index, grant in enumerate(grants):
        if not isinstance(grant, Mapping):
            continue
        found = list(_code_problems(grant))
        if "recipientIndividual" in grant:
            found += list(_individual_problems(grant))
        for field in ("amountAwarded", "amountAppliedFor", "amountDisbursed"):
            amount = grant.get(field)
            if field in grant and not (isinstance(amount, int | float) and amount > 0):
                found.append((f"/{field}", _("Amounts must be more than 0")))
        problems += [Problem(grant_id(index), where, message) for where, message in found]
    return problems


# --- the spreadsheet ---------------------------------------------------------------------------

# (column title, path in a grant): 360Giving's titles, from the schema's field titles.
COLUMNS = (
    ("Identifier", ("id",)),
    ("Title", ("title",)),
    ("Description", ("description",)),
    ("Currency", ("currency",)),
    ("Amount Applied For", ("amountAppliedFor",)),
    ("Amount Awarded", ("amountAwarded",)),
    ("Award Date", ("awardDate",)),
    ("From An Open Call?", ("fromOpenCall",)),
    ("Planned Dates:Start Date", ("plannedDates", 0, "startDate")),
    ("Planned Dates:End Date", ("plannedDates", 0, "endDate")),
    ("Recipient Org:Identifier", ("recipientOrganization", 0, "id")),
    ("Recipient Org:Name", ("recipientOrganization", 0, "name")),
    ("Recipient Org:Charity Number", ("recipientOrganization", 0, "charityNumber")),
    ("Recipient Org:Company Number", ("recipientOrganization", 0, "companyNumber")),
    ("Recipient Ind:Identifier", ("recipientIndividual", "id")),
    ("Recipient Ind:Name", ("recipientIndividual", "name")),
    ("To Individuals Details:Primary Grant Reason", ("toIndividualsDetails", "primaryGrantReason")),
    (
        "To Individuals Details:Secondary Grant Reason",
        ("toIndividualsDetails", "secondaryGrantReason"),
    ),
    ("To Individuals Details:Grant Purpose", ("toIndividualsDetails", "grantPurpose")),
    ("Funding Org:Identifier", ("fundingOrganization", 0, "id")),
    ("Funding Org:Name", ("fundingOrganization", 0, "name")),
    ("Grant Programme:Code", ("grantProgramme", 0, "code")),
    ("Grant Programme:Title", ("grantProgramme", 0, "title")),
    ("Beneficiary Location:Name", ("beneficiaryLocation", 0, "name")),
    ("Beneficiary Location:Country Code", ("beneficiaryLocation", 0, "countryCode")),
    ("Beneficiary Location:Geographic Code", ("beneficiaryLocation", 0, "geoCode")),
    ("Beneficiary Location:Geographic Code Type", ("beneficiaryLocation", 0, "geoCodeType")),
    ("Location Scope", ("locationScope",)),
)


def _at(grant: Any, path: tuple) -> Any:
    for step in path:
        try:
            grant = grant[step]
        except (KeyError, IndexError, TypeError):
            return ""
    if isinstance(grant, list):  # Grant Purpose: codes separated by semicolons
        return ";".join(str(item) for item in grant)
    return "" if grant is None else grant


def csv_rows(package: Mapping) -> list[list]:
    """The header (360Giving's column titles) and then one row per grant."""
    return [[title for title, _path in COLUMNS]] + [
        [_at(grant, path) for _title, path in COLUMNS] for grant in package.get("grants", [])
    ]
