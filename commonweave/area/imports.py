"""Loading the English Indices of Deprivation and the ONS LSOA 2011 -> 2021 lookup, offline,
from files the deployer downloaded.

What reads:

* MHCLG's File 7 CSV ("All ranks, scores, deciles and population denominators"), 2019 or
  2025, as published: `LSOA code (2021)`, `Index of Multiple Deprivation (IMD) Score`,
  `... Rank (where 1 is most deprived)`, `... Decile (where 1 is most deprived 10% of
  LSOAs)`, the domains, `Total population: mid 2022 (excluding prisoners)`;
* IoD 2019 Files 1 (IMD ranks and deciles, ranks written "29,199") and 2 (domains), and
  File 6 (population denominators), on their own or together;
* the England-wide extract with short names (`lsoa21_code`, `ltla24_code`, `IMD_decile`,
  `Income_decile`, `IMD_score`, ...).

Columns are found by their heading, normalised (lower case, words in brackets dropped,
punctuation to "_"), so the long and the short names both map. A file with IMD ranks and
deciles gives the rows; a file with only a population column (File 6) gives populations to
rows of the same edition. Several files of one edition can be read in one go.

Tolerant of a file saved again by Excel: a byte-order mark, Windows-1252 instead of UTF-8,
blank lines, thousands separators ("1,296"), semicolons or tabs between cells; gzipped or
plain (by the file's first bytes, not its name).

Filtered to the chosen local authorities (codes such as E08000004, or names) or all of them.
Re-importing replaces the edition's rows for those authorities: rows are upserted on (edition,
LSOA code) and rows of those authorities the file no longer has are removed, so nothing is
ever doubled. Each rejected row is named with its row number in the file (the heading is row
1, as a spreadsheet shows it) and the reason; a rejected row leaves what was there before.
"""

import csv
import gzip
import io
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .editions import EDITIONS
from .enums import DOMAINS, Edition, Geography, LsoaChange
from .models import ImdEdition, LsoaDeprivation, LsoaLookup

BATCH_SIZE = 2000
PROGRESS_EVERY = 1000  # rows between progress calls while reading
LAD_CODE_RE = re.compile(r"^[EWSN]\d{8}$")
ENGLISH_LSOA_RE = re.compile(r"^E01\d{6}$")
LSOA_RE = re.compile(r"^[EW]01\d{6}$")

Progress = Callable[[int, int], None]  # (rows done, rows in all)


class ImdFileError(ValueError):
    """The file cannot be read as what was asked; the message is ours, for people."""


@dataclass(frozen=True)
class Rejected:
    file: str
    row: int  # the row in the file, the heading being row 1
    reason: str

    def __str__(self) -> str:
        return _("%(file)s row %(row)s: %(reason)s") % {
            "file": self.file,
            "row": self.row,
            "reason": self.reason,
        }


@dataclass
class ImportReport:
    edition: str
    imported: int = 0  # rows written (new or replaced)
    removed: int = 0  # rows of the chosen authorities no longer in the file
    populations: int = 0  # rows given a population
    other_areas: int = 0  # rows left out: not in the chosen authorities
    not_found: int = 0  # population rows with no LSOA of the edition to go on
    rejected: list[Rejected] = field(default_factory=list)
    lad_codes: set[str] = field(default_factory=set)

    def summary(self) -> dict[str, Any]:
        """Counts and the first rejections, for a job's result (no personal data here)."""
        return {
            "edition": self.edition,
            "imported": self.imported,
            "removed": self.removed,
            "populations": self.populations,
            "other areas": self.other_areas,
            "rejected": len(self.rejected),
            "rejections": [str(r) for r in self.rejected[:50]],
            "local authorities": sorted(self.lad_codes),
        }


# --- reading a file ------------------------------------------------------------------------


def normalise_heading(heading: str) -> str:
    """'Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)' ->
    'index_of_multiple_deprivation_rank'; 'IMD_rank' -> 'imd_rank'."""
    text = heading.replace("\ufeff", "").replace("ï»¿", "").strip().lower()
    text = re.sub(r"\([^)]*\)", " ", text).replace("&", " and ")
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def read_text(path: str | Path) -> str:
    """The file's text: gunzipped if it is gzip, UTF-8 (with or without a byte-order mark)
    or else Windows-1252, as Excel saves a "CSV (comma delimited)" file."""
    data = Path(path).read_bytes()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError):
            raise ImdFileError(_("The file looks gzipped but cannot be unpacked.")) from None
    if data[:2] == b"PK" or data[:4] == b"\xd0\xcf\x11\xe0":
        raise ImdFileError(
            _(
                "This is an Excel workbook or a zip, not a CSV file: download the CSV "
                "(File 7) or save the sheet as CSV."
            )
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    return text.lstrip("\ufeff")


def _rows(text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """(heading, [(row number, cells)]), blank lines left out, the delimiter guessed
    among comma, semicolon and tab (the one that splits the heading into most cells)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    if not first:
        raise ImdFileError(_("The file is empty."))
    delimiter = max(",;\t", key=lambda d: len(next(csv.reader([first], delimiter=d))))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    heading: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if heading is None:
                heading = cells
                continue
            rows.append((reader.line_num, cells))
    except csv.Error:
        raise ImdFileError(
            _("Row %(row)s cannot be read as CSV (a quote is not closed).")
            % {"row": reader.line_num}
        ) from None
    return heading or [], rows


# Each field of a row and the normalised headings that hold it, preferred first; a compiled
# pattern matches headings that carry a year (lad24cd, total_population_mid_2022).
_FIELDS: dict[str, tuple[str | re.Pattern[str], ...]] = {
    "lsoa_code": ("lsoa_code", "lsoa21_code", "lsoa11_code", "lsoa21cd", "lsoa11cd"),
    "lsoa_name": ("lsoa_name", "lsoa21_name", "lsoa11_name", "lsoa21nm", "lsoa11nm"),
    "lad_code": (
        "local_authority_district_code",
        "lad_code",
        "local_authority_code",
        re.compile(r"^(ltla|lad)\d{2}_?(code|cd)$"),
    ),
    "lad_name": (
        "local_authority_district_name",
        "lad_name",
        "local_authority_name",
        re.compile(r"^(ltla|lad)\d{2}_?(name|nm)$"),
    ),
    "imd_score": ("index_of_multiple_deprivation_score", "imd_score"),
    "imd_rank": ("index_of_multiple_deprivation_rank", "imd_rank"),
    "imd_decile": ("index_of_multiple_deprivation_decile", "imd_decile"),
    "income_decile": ("income_decile",),
    "employment_decile": ("employment_decile",),
    "education_decile": ("education_skills_and_training_decile", "education_decile"),
    "health_decile": ("health_deprivation_and_disability_decile", "health_decile"),
    "crime_decile": ("crime_decile",),
    "housing_decile": (
        "barriers_to_housing_and_services_decile",
        "housing_and_services_decile",
        "housing_decile",
    ),
    "environment_decile": ("living_environment_decile", "environment_decile"),
    "population": (
        "total_population",
        "population",
        re.compile(r"^total_population_mid_\d{4}$"),
    ),
}
DOMAIN_FIELDS = tuple(f"{stem}_decile" for stem, _name in DOMAINS)
_FIELD_NAMES = {
    "imd_decile": "IMD decile",
    "imd_rank": "IMD rank",
    "imd_score": "IMD score",
    "population": "population",
    **{f"{stem}_decile": f"{name} decile" for stem, name in DOMAINS},
}


def map_columns(heading: Sequence[str], fields=_FIELDS) -> dict[str, int]:
    """field -> column index, for the fields the heading has."""
    names = [normalise_heading(h) for h in heading]
    found: dict[str, int] = {}
    for name, candidates in fields.items():
        for candidate in candidates:
            if isinstance(candidate, str):
                index = names.index(candidate) if candidate in names else None
            else:
                index = next((i for i, n in enumerate(names) if candidate.match(n)), None)
            if index is not None:
                found[name] = index
                break
    return found


def _check_geography(heading: Sequence[str], columns: dict[str, int], edition: str) -> None:
    """Refuse a file on the other edition's LSOAs (its heading says 2011 or 2021)."""
    raw = heading[columns["lsoa_code"]].lower().replace(" ", "")
    year = "2011" if ("2011" in raw or "lsoa11" in raw) else "2021" if "21" in raw else None
    expected = "2011" if EDITIONS[Edition(edition)].geography == Geography.LSOA2011 else "2021"
    if year is not None and year != expected:
        raise ImdFileError(
            _(
                "This file is on LSOA %(year)s codes, but IoD %(edition)s uses LSOA "
                "%(expected)s: choose the other edition."
            )
            % {"year": year, "edition": edition, "expected": expected}
        )


class _Invalid(ValueError):
    pass


def _cell(cells: Sequence[str], index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    return cells[index].strip()


def _number_text(raw: str) -> str:
    return raw.replace(",", "").replace(" ", "").replace("\u00a0", "").replace("\u202f", "")


def _whole(raw: str, label: str) -> int | None:
    if not raw:
        return None
    text = _number_text(raw)
    if not re.fullmatch(r"-?\d+(\.0*)?", text):
        raise _Invalid(_("the %(label)s “%(raw)s” is not a whole number") % locals())
    return int(float(text))


def _decile(raw: str, label: str) -> int | None:
    value = _whole(raw, label)
    if value is not None and not 1 <= value <= 10:
        raise _Invalid(_("the %(label)s %(value)s is outside 1–10") % locals())
    return value


def _score(raw: str, label: str) -> float | None:
    if not raw:
        return None
    try:
        value = float(_number_text(raw))
    except ValueError:
        raise _Invalid(_("the %(label)s “%(raw)s” is not a number") % locals()) from None
    if not math.isfinite(value):
        raise _Invalid(_("the %(label)s “%(raw)s” is not a number") % locals())
    return value


def _lsoa_values(cells, columns, lsoa_count: int) -> dict[str, Any]:
    """The values of one row of IMD ranks and deciles; _Invalid naming the first fault."""
    values: dict[str, Any] = {
        "lsoa_name": _cell(cells, columns.get("lsoa_name"))[:100],
        "lad_code": _cell(cells, columns.get("lad_code")).upper(),
        "lad_name": _cell(cells, columns.get("lad_name"))[:100],
    }
    if not values["lad_code"]:
        raise _Invalid(_("no local authority code"))
    if not LAD_CODE_RE.match(values["lad_code"]):
        raise _Invalid(
            _("“%(code)s” is not a local authority code") % {"code": values["lad_code"][:20]}
        )
    decile = _decile(_cell(cells, columns["imd_decile"]), _FIELD_NAMES["imd_decile"])
    if decile is None:
        raise _Invalid(_("no IMD decile"))
    rank = _whole(_cell(cells, columns["imd_rank"]), _FIELD_NAMES["imd_rank"])
    if rank is None:
        raise _Invalid(_("no IMD rank"))
    if not 1 <= rank <= lsoa_count:
        raise _Invalid(
            _("the IMD rank %(rank)s is outside 1–%(count)s")
            % {"rank": rank, "count": f"{lsoa_count:,}"}
        )
    values.update(imd_decile=decile, imd_rank=rank)
    values["imd_score"] = _score(_cell(cells, columns.get("imd_score")), "IMD score")
    for name in DOMAIN_FIELDS:
        if name in columns:
            values[name] = _decile(_cell(cells, columns[name]), _FIELD_NAMES[name])
    if "population" in columns:
        values["population"] = _population(_cell(cells, columns["population"]))
    return values


def _population(raw: str) -> int | None:
    value = _whole(raw, "population")
    if value is not None and value < 0:
        raise _Invalid(_("the population %(value)s is below 0") % {"value": value})
    return value


@dataclass(frozen=True)
class AuthorityFilter:
    """The chosen local authorities, by code (E08000004) or by name (Oldham); none is all."""

    codes: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()

    @classmethod
    def of(cls, wanted: Iterable[str] | None) -> "AuthorityFilter":
        codes, names = set(), set()
        for item in wanted or ():
            text = (item or "").strip()
            if not text:
                continue
            if LAD_CODE_RE.match(text.upper()):
                codes.add(text.upper())
            else:
                names.add(text.casefold())
        return cls(frozenset(codes), frozenset(names))

    @property
    def everything(self) -> bool:
        return not self.codes and not self.names

    def wants(self, code: str, name: str) -> bool:
        return self.everything or code.upper() in self.codes or name.casefold() in self.names


@dataclass
class _Parsed:
    """What the files of one import said, before anything is written."""

    rows: dict[str, dict[str, Any]] = field(default_factory=dict)  # LSOA code -> values
    populations: dict[str, int] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)  # codes in the files, rejected or not
    had_indices: bool = False


def _parse_file(
    path: Path,
    heading: list[str],
    rows: list[tuple[int, list[str]]],
    *,
    edition: str,
    wanted: AuthorityFilter,
    parsed: _Parsed,
    report: ImportReport,
    tick: Callable[[], None],
) -> None:
    columns = map_columns(heading)
    label = path.name
    if "lsoa_code" not in columns:
        raise ImdFileError(
            _("%(file)s has no LSOA code column (such as “LSOA code (2021)”).") % {"file": label}
        )
    _check_geography(heading, columns, edition)
    indices = "imd_decile" in columns and "imd_rank" in columns
    if not indices and "population" not in columns:
        raise ImdFileError(
            _(
                "%(file)s has neither IMD ranks and deciles nor a population column: it is "
                "not a file of the Indices of Deprivation."
            )
            % {"file": label}
        )
    if indices and "lad_code" not in columns:
        raise ImdFileError(_("%(file)s has no local authority code column.") % {"file": label})
    if not wanted.everything and "lad_code" not in columns and "lad_name" not in columns:
        raise ImdFileError(
            _("%(file)s has no local authority column, so it cannot be filtered.") % {"file": label}
        )
    parsed.had_indices = parsed.had_indices or indices
    lsoa_count = EDITIONS[Edition(edition)].lsoa_count
    first_row: dict[str, int] = {}
    for number, cells in rows:
        tick()
        lad_code = _cell(cells, columns.get("lad_code"))
        lad_name = _cell(cells, columns.get("lad_name"))
        if not wanted.wants(lad_code, lad_name):
            report.other_areas += 1
            continue
        code = _cell(cells, columns["lsoa_code"]).upper()
        try:
            if not code:
                raise _Invalid(_("no LSOA code"))
            if not LSOA_RE.match(code):
                raise _Invalid(_("“%(code)s” is not an LSOA code") % {"code": code[:20]})
            parsed.seen.add(code)
            if not ENGLISH_LSOA_RE.match(code):
                raise _Invalid(_("%(code)s is not in England") % {"code": code})
            if code in first_row:
                raise _Invalid(
                    _("%(code)s appears again (first at row %(row)s)")
                    % {"code": code, "row": first_row[code]}
                )
            first_row[code] = number
            if indices:
                values = _lsoa_values(cells, columns, lsoa_count)
                earlier = parsed.rows.setdefault(code, {})
                # Files 1 and 2 together: a later file fills what an earlier one left empty.
                for key, value in values.items():
                    if value not in (None, "") or key not in earlier:
                        earlier[key] = value
            else:
                population = _population(_cell(cells, columns["population"]))
                if population is not None:
                    parsed.populations[code] = population
        except _Invalid as fault:
            report.rejected.append(Rejected(file=label, row=number, reason=str(fault)))


def import_imd(
    paths: Sequence[str | Path] | str | Path,
    *,
    edition: str,
    lads: Iterable[str] | None = None,
    on_progress: Progress | None = None,
) -> ImportReport:
    """Import one edition's files for the chosen local authorities (all when `lads` is
    empty). Idempotent: rows are replaced, never doubled. ImdFileError if a file is not one.

    Side effects: creates the ImdEdition row if needed; upserts LsoaDeprivation rows and
    removes those of the chosen authorities no longer in the files (one transaction);
    a population file alone updates populations.
    """
    edition = Edition(str(edition))
    files = [Path(paths)] if isinstance(paths, str | Path) else [Path(p) for p in paths]
    for path in files:
        if not path.is_file():
            raise ImdFileError(_("No file at %(path)s") % {"path": path})
    wanted = AuthorityFilter.of(lads)
    report = ImportReport(edition=edition)
    parsed = _Parsed()
    tables = [(path, *_rows(read_text(path))) for path in files]
    total = sum(len(rows) for _path, _heading, rows in tables)
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if on_progress and done % PROGRESS_EVERY == 0:
            on_progress(done, total)

    for path, heading, rows in tables:
        _parse_file(
            path,
            heading,
            rows,
            edition=edition,
            wanted=wanted,
            parsed=parsed,
            report=report,
            tick=tick,
        )
    with transaction.atomic():
        row = ImdEdition.get_or_create_for(edition)
        if parsed.had_indices:
            _write_rows(row, parsed, wanted, report)
        else:
            _write_populations(row, parsed, wanted, report)
    if on_progress:
        on_progress(total, total)
    return report


_VALUE_FIELDS = (
    "lsoa_name",
    "lad_code",
    "lad_name",
    "imd_score",
    "imd_rank",
    "imd_decile",
    *DOMAIN_FIELDS,
    "population",
)


def _write_rows(edition: ImdEdition, parsed: _Parsed, wanted, report: ImportReport) -> None:
    existing_population = _populations_of(edition, parsed.rows)
    objects = []
    for code, values in parsed.rows.items():
        population = parsed.populations.get(code, values.get("population"))
        if population is None:
            population = existing_population.get(code)  # a re-import keeps File 6's numbers
        objects.append(
            LsoaDeprivation(
                edition=edition,
                lsoa_code=code,
                **{k: values.get(k) for k in _VALUE_FIELDS if k != "population"},
                population=population,
            )
        )
        report.lad_codes.add(values["lad_code"])
        if population is not None:
            report.populations += 1
    for start in range(0, len(objects), BATCH_SIZE):
        LsoaDeprivation.objects.bulk_create(
            objects[start : start + BATCH_SIZE],
            update_conflicts=True,
            unique_fields=["edition", "lsoa_code"],
            update_fields=list(_VALUE_FIELDS),
        )
    report.imported = len(objects)
    # Replace: the chosen authorities' rows the files no longer have go (a rejected row
    # keeps what it had). With no filter, every authority the files covered.
    authorities = set(report.lad_codes) | set(wanted.codes)
    stale = [
        pk
        for pk, code in LsoaDeprivation.objects.filter(
            edition=edition, lad_code__in=sorted(authorities)
        ).values_list("pk", "lsoa_code")
        if code not in parsed.seen
    ]
    for start in range(0, len(stale), BATCH_SIZE):
        LsoaDeprivation.objects.filter(pk__in=stale[start : start + BATCH_SIZE]).delete()
    report.removed = len(stale)
    ImdEdition.objects.filter(pk=edition.pk).update(imported_at=timezone.now())


def _populations_of(edition: ImdEdition, codes: Iterable[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    codes = list(codes)
    for start in range(0, len(codes), BATCH_SIZE):
        for code, population in LsoaDeprivation.objects.filter(
            edition=edition,
            lsoa_code__in=codes[start : start + BATCH_SIZE],
            population__isnull=False,
        ).values_list("lsoa_code", "population"):
            if population is not None:
                found[code] = population
    return found


def _write_populations(edition: ImdEdition, parsed: _Parsed, wanted, report) -> None:
    codes = sorted(parsed.populations)
    changed = []
    for start in range(0, len(codes), BATCH_SIZE):
        for item in LsoaDeprivation.objects.filter(
            edition=edition, lsoa_code__in=codes[start : start + BATCH_SIZE]
        ).only("pk", "lsoa_code", "lad_code", "population"):
            item.population = parsed.populations[item.lsoa_code]
            changed.append(item)
            report.lad_codes.add(item.lad_code)
    LsoaDeprivation.objects.bulk_update(changed, ["population"], batch_size=BATCH_SIZE)
    report.populations = len(changed)
    report.not_found = len(codes) - len(changed)


# --- the ONS LSOA 2011 -> 2021 lookup ------------------------------------------------------

_LOOKUP_FIELDS: dict[str, tuple[str | re.Pattern[str], ...]] = {
    "lsoa11_code": ("lsoa11_code", "lsoa11cd"),
    "lsoa11_name": ("lsoa11_name", "lsoa11nm"),
    "lsoa21_code": ("lsoa21_code", "lsoa21cd"),
    "lsoa21_name": ("lsoa21_name", "lsoa21nm"),
    "change": ("change_code", "chgind", "change"),
    "lad_code": (re.compile(r"^(ltla|lad)\d{2}_?(code|cd)$"), "lad_code"),
    "lad_name": (re.compile(r"^(ltla|lad)\d{2}_?(name|nm)$"), "lad_name"),
}


@dataclass
class LookupReport:
    imported: int = 0
    removed: int = 0
    other_areas: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    lad_codes: set[str] = field(default_factory=set)


def import_lsoa_lookup(
    path: str | Path,
    *,
    lads: Iterable[str] | None = None,
    on_progress: Progress | None = None,
) -> LookupReport:
    """Load ONS's LSOA (2011) to LSOA (2021) to LAD lookup for the chosen local authorities
    (by their 2022 code or name; all when `lads` is empty), then mark each 2021 LSOA's best
    fit 2011 parent. Idempotent. ImdFileError if the file is not such a lookup.

    Side effects: upserts LsoaLookup rows, removes the chosen authorities' rows the file no
    longer has, and rewrites their `best_fit` marks (one transaction).
    """
    path = Path(path)
    if not path.is_file():
        raise ImdFileError(_("No file at %(path)s") % {"path": path})
    heading, rows = _rows(read_text(path))
    columns = map_columns(heading, _LOOKUP_FIELDS)
    missing = {"lsoa11_code", "lsoa21_code", "change", "lad_code"} - set(columns)
    if missing:
        raise ImdFileError(
            _(
                "This is not the ONS LSOA 2011 to 2021 lookup: it needs LSOA11CD, LSOA21CD, "
                "CHGIND and LAD22CD columns."
            )
        )
    wanted = AuthorityFilter.of(lads)
    report = LookupReport()
    found: dict[tuple[str, str], LsoaLookup] = {}
    changes = set(LsoaChange.values)
    for done, (number, cells) in enumerate(rows, start=1):
        if on_progress and done % PROGRESS_EVERY == 0:
            on_progress(done, len(rows))
        lad_code = _cell(cells, columns["lad_code"]).upper()
        lad_name = _cell(cells, columns.get("lad_name"))
        if not wanted.wants(lad_code, lad_name):
            report.other_areas += 1
            continue
        old = _cell(cells, columns["lsoa11_code"]).upper()
        new = _cell(cells, columns["lsoa21_code"]).upper()
        change = _cell(cells, columns["change"]).upper()
        if not (LSOA_RE.match(old) and LSOA_RE.match(new)):
            reason = _("an LSOA code is missing or malformed")
        elif change not in changes:
            reason = _("the change code “%(change)s” is not U, S, M or X") % {"change": change}
        elif not LAD_CODE_RE.match(lad_code):
            reason = _("no local authority code")
        else:
            found[(old, new)] = LsoaLookup(
                lsoa11_code=old,
                lsoa11_name=_cell(cells, columns.get("lsoa11_name"))[:100],
                lsoa21_code=new,
                lsoa21_name=_cell(cells, columns.get("lsoa21_name"))[:100],
                change=change,
                lad_code=lad_code,
                lad_name=lad_name[:100],
            )
            report.lad_codes.add(lad_code)
            continue
        report.rejected.append(Rejected(file=path.name, row=number, reason=reason))
    _mark_best_fit(list(found.values()))
    objects = list(found.values())
    with transaction.atomic():
        for start in range(0, len(objects), BATCH_SIZE):
            LsoaLookup.objects.bulk_create(
                objects[start : start + BATCH_SIZE],
                update_conflicts=True,
                unique_fields=["lsoa11_code", "lsoa21_code"],
                update_fields=[
                    "lsoa11_name",
                    "lsoa21_name",
                    "change",
                    "lad_code",
                    "lad_name",
                    "best_fit",
                ],
            )
        authorities = report.lad_codes | set(wanted.codes)
        stale = [
            pk
            for pk, old, new in LsoaLookup.objects.filter(
                lad_code__in=sorted(authorities)
            ).values_list("pk", "lsoa11_code", "lsoa21_code")
            if (old, new) not in found
        ]
        for start in range(0, len(stale), BATCH_SIZE):
            LsoaLookup.objects.filter(pk__in=stale[start : start + BATCH_SIZE]).delete()
    report.imported, report.removed = len(objects), len(stale)
    if on_progress:
        on_progress(len(rows), len(rows))
    return report


def _mark_best_fit(rows: list[LsoaLookup]) -> None:
    """One 2011 parent per 2021 LSOA: the only one; for a merge the most populous by the
    IoD 2019 denominators where loaded, else the lowest code."""
    by_new: dict[str, list[LsoaLookup]] = {}
    for item in rows:
        by_new.setdefault(item.lsoa21_code, []).append(item)
    several = sorted(
        {item.lsoa11_code for group in by_new.values() if len(group) > 1 for item in group}
    )
    population: dict[str, int] = {}
    edition = ImdEdition.objects.filter(edition=Edition.IOD2019).first()
    if edition is not None and several:
        population = _populations_of(edition, several)
    for group in by_new.values():
        best = min(group, key=lambda r: (-population.get(r.lsoa11_code, -1), r.lsoa11_code))
        for item in group:
            item.best_fit = item is best
