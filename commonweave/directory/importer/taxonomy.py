"""A place's own category list (CSV) loaded as a taxonomy."""

import csv
import io
import uuid

from django.db import transaction

from ..models import Taxonomy, TaxonomyTerm
from .fields import clean_id, clean_text
from .lookup import existing_row
from .report import ImportReport, Invalid


def import_taxonomy_csv(place, text: str, *, name: str) -> ImportReport:
    """Load a place's own category list: CSV columns name, description, and optionally id,
    code and parent (a parent's code or name). Idempotent: ids derive from the taxonomy name
    and each term's code (or name) unless the file gives them.
    """
    report = ImportReport()
    taxonomy_id = uuid.uuid5(uuid.NAMESPACE_URL, f"taxonomy:{place.slug}:{name}")
    taxonomy, _ = Taxonomy.objects.get_or_create(
        id=taxonomy_id, defaults={"place": place, "name": name[:200]}
    )
    if taxonomy.place_id != place.pk:
        report.errors.append((0, str(taxonomy_id), "this taxonomy id is used by another directory"))
        return report
    rows = list(csv.DictReader(io.StringIO(text)))
    by_key, parents = {}, []
    with transaction.atomic():
        for number, row in enumerate(rows, start=1):
            row = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
            term_name = clean_text(row.get("name"), 200)
            if not term_name:
                report.errors.append((number, row.get("id", ""), "the term has no name"))
                continue
            key = row.get("code") or term_name
            try:
                term_id = (
                    clean_id(row["id"], "term id")
                    if row.get("id")
                    else uuid.uuid5(taxonomy_id, key.lower())
                )
                existing = existing_row(TaxonomyTerm, term_id, place, "a taxonomy term")
            except Invalid as exc:
                report.errors.append((number, row.get("id", ""), str(exc)))
                continue
            wanted = {
                "name": term_name,
                "description": clean_text(row.get("description")),
                "code": clean_text(row.get("code"), 100),
                "taxonomy": taxonomy,
            }
            if existing is None:
                term = TaxonomyTerm.objects.create(id=term_id, place=place, **wanted)
                report.created += 1
            elif any(getattr(existing, k) != v for k, v in wanted.items()):
                for k, v in wanted.items():
                    setattr(existing, k, v)
                existing.save()
                term, report.updated = existing, report.updated + 1
            else:
                term, report.unchanged = existing, report.unchanged + 1
            by_key[key.lower()] = by_key[term_name.lower()] = term
            parents.append((number, term, row.get("parent", "")))
        for number, term, parent_key in parents:
            parent = by_key.get(parent_key.lower()) if parent_key else None
            if parent_key and parent is None:
                report.warnings.append((number, str(term.id), "parent not found in the file"))
            # The place's own list says the parent, so a feed's unknown one is dropped.
            if (parent.pk if parent else None) != term.parent_id or term.parent_ref:
                TaxonomyTerm.objects.filter(pk=term.pk).update(parent=parent, parent_ref=None)
    return report
