"""Typo- and plural-tolerant text search that works the same on SQLite and PostgreSQL.

Each service keeps `search_text`: its words, lower-cased and reduced to a singular stem,
space-separated and padded (" lunch club older people "). The place's vocabulary of such
words is kept in SearchWord. A query word matches itself and every vocabulary word within a
small edit distance (rapidfuzz), so "bereavment" finds "bereavement" and "clubs" finds
"club"; a service matches when every query word matches one of its words.
"""

import re
import unicodedata

from django.core.cache import cache
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.db.models.expressions import RawSQL
from rapidfuzz import fuzz, process

WORD_RE = re.compile(r"[a-z0-9]+")
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "in",
        "into",
        "is",
        "it",
        "of",
        "on",
        "or",
        "the",
        "to",
        "with",
        "our",
        "we",
        "you",
        "your",
    ]
)
VOCABULARY_CACHE_SECONDS = 300
MIN_SCORE = 80  # rapidfuzz ratio (0-100) for a vocabulary word to count as the same word


def stem(word: str) -> str:
    """A deliberately small English singulariser: clubs->club, activities->activity."""
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes", "zes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().lower()
    text = text.replace("'s", "")
    out = []
    for w in WORD_RE.findall(text):
        if w in STOP_WORDS:
            continue
        w = stem(w)
        if w not in out:
            out.append(w)
    return out


def search_text_for(service, term_names=()) -> str:
    parts = [service.name, service.description, service.eligibility, *term_names]
    if service.organization_id and getattr(service, "organization", None):
        parts.append(service.organization.name)
    return " " + " ".join(words(" ".join(p for p in parts if p))[:400]) + " "


def _vocabulary_key(place):
    return f"directory-vocabulary:{place.pk}"


def _vocabulary(place) -> list[str]:
    """The place's searchable words (cached: read on every search, changed rarely)."""
    from .models import SearchWord

    key = _vocabulary_key(place)
    words_ = cache.get(key)
    if words_ is None:
        words_ = list(SearchWord.objects.filter(place=place).values_list("word", flat=True))
        cache.set(key, words_, VOCABULARY_CACHE_SECONDS)
    return words_


def vocabulary_words(text: str) -> set[str]:
    """The words worth matching typos against: no numbers, nothing shorter than 3 letters."""
    return {w for w in text.split() if 3 <= len(w) <= 60 and not w.isdigit()}


def remember_words(place, text: str):
    from .models import SearchWord

    new = vocabulary_words(text) - set(_vocabulary(place))
    if not new:
        return
    SearchWord.objects.bulk_create(
        [SearchWord(place=place, word=w) for w in new], ignore_conflicts=True
    )
    cache.delete(_vocabulary_key(place))


def expand(place, query: str) -> list[set[str]]:
    """For each query word, the vocabulary words it may mean (itself always included)."""
    query_words = words(query)
    if not query_words:
        return []
    vocabulary = _vocabulary(place)
    expanded = []
    for qw in query_words:
        alike = {qw}
        if len(qw) >= 4:
            for match, _score, _i in process.extract(
                qw, vocabulary, scorer=fuzz.ratio, score_cutoff=MIN_SCORE, limit=8
            ):
                alike.add(match)
        expanded.append(alike)
    return expanded


def text_filter(groups: list[set[str]]):
    """A condition on Service.search_text from expand()'s groups, or None when there are none.

    On SQLite it asks the FTS5 index (fts.py) for the matching rows; elsewhere it is
    `search_text LIKE '% word %'`, which PostgreSQL answers from its trigram index. Either
    way it filters a query whose main table is directory_service.
    """
    if not groups:
        return None
    from . import fts

    if fts.available():
        # Fixed SQL; the query words travel as a parameter.
        return RawSQL(  # noqa: S611
            fts.MATCHING_ROWS, (fts.match_expression(groups),), output_field=BooleanField()
        )
    condition = Q()
    for alike in groups:
        any_of = Q()
        for w in sorted(alike):
            any_of |= Q(search_text__contains=f" {w} ")
        condition &= any_of
    return condition


def name_score(groups):
    """An expression counting how many of the query's words an entry's name holds, so
    entries named for what was asked come first (ranked in the database, not in Python)."""
    from django.db.models import Case, IntegerField, Value, When

    score = Value(0)
    for alike in groups:
        named = Q()
        for w in sorted(alike):
            named |= Q(name__icontains=w)
        score = score + Case(When(named, then=Value(1)), default=Value(0))
    return ExpressionWrapper(score, output_field=IntegerField())
