"""Text search that finds what residents mean, the same on SQLite and PostgreSQL.

Each service keeps `search_text`: its words, lower-cased, singular, without stop words,
space-separated and padded (" lunch club older people "). The database indexes it with
stemming (SQLite FTS5's porter tokenizer, PostgreSQL's `english` configuration; fts.py), so
"knitting" finds "knit". A query becomes groups (see `plan`), one per word or per phrase of
the place's related words, and an entry must match every group. Within a group:

* exact: the word itself, stemmed by the database;
* close (typos): only when the word matches nothing in the place, the place's words
  (SearchWord) within a small edit distance (rapidfuzz), and "knitters" -> "knit". A word
  that matches exactly is never widened: "bingo" stays bingo, "choir" never finds "chair";
* related: the place's related words for the word or phrase (RelatedWords: "lonely" ->
  befriending, friendship ...), always added, ranked below exact and close matches.

Entries are ranked by how well each group matched (exact 3, close 2, related 1), then by
how many query words their name holds, then by name. When no entry matches every group,
the search falls back to entries matching any group, ranked the same way.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import BooleanField, Case, ExpressionWrapper, IntegerField, Q, Value, When
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
MAX_CLOSE = 4  # close spellings tried for a word that matches nothing
EXACT, CLOSE, RELATED = 3, 2, 1  # what a group scores for each kind of match

# What a new place starts with (ensure_related_words); each place then edits its own.
DEFAULT_RELATED_WORDS = [
    ("lonely", ["befriending", "friendship", "social", "coffee morning", "company"]),
    ("loneliness", ["befriending", "friendship", "social", "coffee morning", "company"]),
    ("isolated", ["befriending", "friendship", "social", "company"]),
    ("friends", ["befriending", "friendship", "social", "coffee morning"]),
    ("company", ["befriending", "friendship", "social", "coffee morning"]),
    ("someone to talk to", ["befriending", "listening", "talking", "peer support", "chat"]),
    ("talk", ["listening", "befriending", "chat", "talking"]),
    ("food bank", ["food parcels", "pantry", "food club", "emergency food"]),
    ("food", ["lunch", "meal", "pantry", "food parcels", "cafe"]),
    ("hungry", ["food parcels", "pantry", "meal", "lunch", "food bank"]),
    ("meal", ["lunch", "dinner", "food"]),
    ("luncheon", ["lunch"]),
    ("dinner", ["lunch", "meal"]),
    ("bills", ["debt", "benefits", "money advice", "energy", "budgeting"]),
    ("help with bills", ["debt advice", "benefits", "money advice", "energy", "budgeting"]),
    ("money", ["debt", "benefits", "budgeting", "financial"]),
    ("debt", ["money advice", "benefits", "budgeting", "bills"]),
    ("benefits", ["welfare rights", "money advice", "universal credit"]),
    ("heating", ["energy", "warm space", "fuel"]),
    ("cold", ["warm space", "energy", "heating"]),
    ("exercise", ["fitness", "walking", "chair-based", "dance", "keep fit", "yoga"]),
    ("keep fit", ["exercise", "fitness", "chair-based", "dance"]),
    ("walk", ["walking", "ramble", "health walk"]),
    ("singing", ["choir", "music", "song"]),
    ("music", ["choir", "singing", "band"]),
    ("crafts", ["knitting", "sewing", "crochet", "art"]),
    ("sewing", ["knitting", "crochet", "craft"]),
    ("english", ["esol", "english language", "conversation"]),
    ("english lessons", ["esol", "english language", "conversation"]),
    ("computer", ["digital", "online", "internet", "tablet", "laptop"]),
    ("internet", ["digital", "online", "computer"]),
    ("online", ["digital", "internet", "computer"]),
    ("grief", ["bereavement", "loss", "grieving"]),
    ("died", ["bereavement", "grief", "loss"]),
    ("loss", ["bereavement", "grief"]),
    ("caring", ["carers", "carer"]),
    ("looking after", ["carers", "carer"]),
    ("dementia", ["memory", "alzheimer"]),
    ("memory", ["dementia", "alzheimer"]),
    ("depression", ["mental health", "wellbeing", "talking therapies", "peer support"]),
    ("anxiety", ["mental health", "wellbeing", "talking therapies", "peer support"]),
    ("stress", ["mental health", "wellbeing", "peer support"]),
    ("low mood", ["mental health", "wellbeing", "talking therapies"]),
    ("woodwork", ["men's shed", "repair"]),
    ("job", ["employment", "work", "cv", "volunteering"]),
    ("work", ["employment", "job", "cv", "volunteering"]),
    ("volunteer", ["volunteering", "volunteers"]),
    ("housing", ["homeless", "tenancy", "landlord", "repairs"]),
    ("homeless", ["housing", "shelter", "rough sleeping"]),
    ("kids", ["children", "families", "play", "parents"]),
    ("children", ["families", "play", "parents", "toddler"]),
    ("baby", ["toddler", "parents", "families"]),
    ("older people", ["over 50", "over 60", "elderly", "retired"]),
    ("elderly", ["older people", "over 60", "retired"]),
    ("garden", ["gardening", "allotment", "growing"]),
    ("church", ["faith", "chapel", "mosque", "worship"]),
    ("drink", ["alcohol", "recovery"]),
    ("drugs", ["substance", "recovery"]),
]


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


# ---- Related words ---------------------------------------------------------------------------


def _related_key(place):
    return f"directory-related:{place.pk}"


def ensure_related_words(place) -> int:
    """Give a place the default related words it does not have yet (idempotent: an edited
    phrase is left alone). Returns how many were added. For a new place (the demo calls it;
    the editing page calls it for a place that has no list yet); until then a place with no
    list at all searches with the defaults."""
    from .models import RelatedWords

    have = set(RelatedWords.objects.filter(place=place).values_list("phrase", flat=True))
    new = [
        RelatedWords(place=place, phrase=phrase, related=list(related))
        for phrase, related in DEFAULT_RELATED_WORDS
        if phrase not in have
    ]
    RelatedWords.objects.bulk_create(new, ignore_conflicts=True)
    forget_related_words(place)
    return len(new)


def forget_related_words(place):
    cache.delete(_related_key(place))


def _related(place) -> dict[tuple[str, ...], list[tuple[str, ...]]]:
    """The place's related words as search words: ("food", "bank") -> [("food", "parcel"),
    ("pantry",)] (cached: read on every search, changed rarely)."""
    from .models import RelatedWords

    key = _related_key(place)
    found = cache.get(key)
    if found is None:
        found = {}
        rows = list(RelatedWords.objects.filter(place=place).values_list("phrase", "related"))
        # A place that has never had a list (made before anyone seeded it) uses the defaults.
        for phrase, related in rows or DEFAULT_RELATED_WORDS:
            own = tuple(words(phrase))
            alternatives = [tuple(words(r)) for r in related or [] if isinstance(r, str)]
            alternatives = [a for a in alternatives if a and a != own]
            if own and alternatives:
                found.setdefault(own, []).extend(alternatives)
        cache.set(key, found, VOCABULARY_CACHE_SECONDS)
    return found


# ---- Query plan -----------------------------------------------------------------------------


@dataclass
class Group:
    """One thing asked for: a word, or a phrase of the related-words list. Each alternative
    is a tuple of words that must all match (a phrase's words, in any order)."""

    exact: tuple[str, ...]
    close: list[tuple[str, ...]] = field(default_factory=list)
    related: list[tuple[str, ...]] = field(default_factory=list)

    def alternatives(self):
        return [self.exact, *self.close, *self.related]


@dataclass
class Plan:
    groups: list[Group]
    any_group: bool = False  # the fallback: entries matching any group rather than all

    def __bool__(self):
        return bool(self.groups)

    def relaxed(self) -> "Plan":
        return Plan(self.groups, any_group=True)

    def name_words(self) -> list[tuple[list[tuple[str, ...]], list[tuple[str, ...]]]]:
        """Per group, what a name must hold to be named for it: every word of the exact
        phrase or of a close spelling ("food bank" needs both words, not either), and,
        ranked below, of one of its related words."""
        return [([g.exact, *g.close], list(g.related)) for g in self.groups]


def _split(query_words, related):
    """Query words into groups, the longest related-words phrase first."""
    longest = max((len(k) for k in related), default=1)
    groups, i = [], 0
    while i < len(query_words):
        for n in range(min(longest, len(query_words) - i), 0, -1):
            chunk = tuple(query_words[i : i + n])
            if n == 1 or chunk in related:
                groups.append(Group(exact=chunk, related=list(related.get(chunk, []))))
                i += n
                break
    return groups


def split_compound(place, word: str, related=None) -> tuple[str, ...] | None:
    """Two words run together ("foodbank", "carersgroup") as the place's two words, or
    None: each part at least 3 letters and a word of the place or of its related words."""
    if len(word) < 6 or word.isdigit():
        return None
    known = set(_vocabulary(place)) | {w for k in (related or {}) for w in k}
    for cut in range(3, len(word) - 2):
        first, second = word[:cut], stem(word[cut:])
        if first in known and second in known:
            return (first, second)
    return None


def close_spellings(place, word: str, related=None) -> list[str]:
    """Words of the place (its entries' words and its related-words phrases) spelt like
    `word`, best first, plus the root of an agent noun ("knitters" -> "knit")."""
    found: list[str] = []
    if len(word) < 4 or word.isdigit():
        return found
    if word.endswith("er") and len(word) > 5:
        root = word[:-2]
        if len(root) > 3 and root[-1] == root[-2]:
            root = root[:-1]  # runner -> run
        found.append(root)
    choices = set(_vocabulary(place)) | {k[0] for k in (related or {}) if len(k) == 1}
    choices.discard(word)
    for match, _score, _i in process.extract(
        word, choices, scorer=fuzz.ratio, score_cutoff=MIN_SCORE, limit=MAX_CLOSE
    ):
        if match not in found:
            found.append(match)
    return found[:MAX_CLOSE]


def plan(place, query: str, *, matches=None) -> Plan:
    """What a query asks for. `matches(place, words)` says whether any entry of the place
    holds all of `words` (stemmed); a word with no match is the only kind tried for typos."""
    query_words = words(query)
    if not query_words:
        return Plan([])
    related = _related(place)
    matches = matches or _any_match
    groups = _split(query_words, related)
    for group in groups:
        if len(group.exact) != 1 or matches(place, group.exact):
            continue
        split = split_compound(place, group.exact[0], related)
        if split and matches(place, split):
            group.close.append(split)
            group.related.extend(a for a in related.get(split, []) if a not in group.related)
        for spelt in close_spellings(place, group.exact[0], related):
            if not matches(place, (spelt,)) and (spelt,) not in related:
                continue
            group.close.append((spelt,))
            for alternative in related.get((spelt,), []):
                if alternative not in group.related:
                    group.related.append(alternative)
    return Plan(groups)


def _any_match(place, words_) -> bool:
    from .models import Service

    return Service.objects.filter(place=place).filter(_condition([tuple(words_)])).exists()


# ---- Conditions and ranking -----------------------------------------------------------------


def _condition(alternatives):
    """Entries holding all the words of at least one alternative (each a tuple of words)."""
    from . import fts

    if fts.available():
        # Fixed SQL; the query words travel as a parameter.
        return RawSQL(  # noqa: S611
            fts.MATCHING_ROWS, (fts.match_expression(alternatives),), output_field=BooleanField()
        )
    # PostgreSQL: the english text-search configuration stems both sides (GIN index, 0011).
    return RawSQL(  # noqa: S611
        fts.PG_MATCHING_ROWS, (fts.ts_query(alternatives),), output_field=BooleanField()
    )


def text_filter(search_plan: Plan):
    """A condition on Service.search_text, or None when the plan asks for nothing. It
    filters a query whose main table is directory_service."""
    if not search_plan:
        return None
    if search_plan.any_group:
        return _condition([a for g in search_plan.groups for a in g.alternatives()])
    condition = Q()
    for group in search_plan.groups:
        condition &= Q(_condition(group.alternatives()))
    return condition


def match_score(search_plan: Plan):
    """An expression scoring how well an entry matched: per group, exact 3, close 2,
    related 1 (ranked in the database, not in Python); None when every entry scores the
    same."""
    score: Any = None
    for group in search_plan.groups:
        whens = [When(Q(_condition([group.exact])), then=Value(EXACT))]
        if group.close:
            whens.append(When(Q(_condition(group.close)), then=Value(CLOSE)))
        if group.related:
            whens.append(When(Q(_condition(group.related)), then=Value(RELATED)))
        if len(whens) == 1 and not search_plan.any_group:
            continue  # every result matched it exactly: it ranks nothing
        case = Case(*whens, default=Value(0))
        score = case if score is None else score + case
    if score is None:
        return None  # nothing to rank by (a constant would be an ORDER BY position)
    return ExpressionWrapper(score, output_field=IntegerField())


def name_root(word: str) -> str:
    """The part of a word a name holds in any of its forms: "walking" is in "Health Walk",
    "knitting" in "Knit and Natter", "volunteering" in "Volunteer Centre"."""
    if word.endswith("ing") and len(word) > 5:
        root = word[:-3]
        return root[:-1] if len(root) > 3 and root[-1] == root[-2] else root
    return word


def _named(alternatives):
    named = Q()
    for alternative in alternatives:
        every = Q()
        for w in alternative:
            every &= Q(name__icontains=name_root(w))
        named |= every
    return named


def name_score(search_plan: Plan):
    """An expression scoring how far an entry's name holds what was asked, so entries
    named for it come first among equal matches: per group, 2 when the name holds the
    words asked (or a close spelling), 1 when it holds one of their related words."""
    score: Any = Value(0)
    for asked, related in search_plan.name_words():
        whens = [When(_named(asked), then=Value(2))]
        if related:
            whens.append(When(_named(related), then=Value(1)))
        score = score + Case(*whens, default=Value(0))
    return ExpressionWrapper(score, output_field=IntegerField())


# ---- Editing the list -----------------------------------------------------------------------


def related_words_text(place) -> str:
    """The place's list as the editing page shows it: "phrase: word, word" a line."""
    from .models import RelatedWords

    ensure_related_words_once(place)
    return "\n".join(
        f"{row.phrase}: {', '.join(row.related)}"
        for row in RelatedWords.objects.filter(place=place).order_by("phrase")
    )


def ensure_related_words_once(place):
    """Seed the defaults for a place that has no list at all (never edited)."""
    from .models import RelatedWords

    if not RelatedWords.objects.filter(place=place).exists():
        ensure_related_words(place)


def parse_related_words(text: str) -> tuple[dict[str, list[str]], list[str]]:
    """Lines of "phrase: word, word" into {phrase: [words]}, and the lines that are not."""
    found: dict[str, list[str]] = {}
    bad = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        phrase, colon, rest = line.partition(":")
        phrase = " ".join(phrase.lower().split())
        related = [" ".join(r.lower().split()) for r in rest.split(",")]
        related = [r for r in related if r and r != phrase]
        if not colon or not words(phrase) or not related or len(phrase) > 100:
            bad.append(str(number))
            continue
        for r in related:
            if r not in found.setdefault(phrase, []):
                found[phrase].append(r[:100])
    return found, bad


def related_words_save(*, viewer, place, pairs: dict[str, list[str]]) -> int:
    """Replace the place's related words (one transaction; the change is in the directory's
    history). Returns how many phrases the list now has."""
    from django.db import transaction

    from .enums import ChangeAction
    from .models import RelatedWords
    from .services import record_change

    with transaction.atomic():
        before = {
            r.phrase: r.related for r in RelatedWords.objects.filter(place=place).order_by("pk")
        }
        RelatedWords.objects.filter(place=place).exclude(phrase__in=list(pairs)).delete()
        for phrase, related in pairs.items():
            RelatedWords.objects.update_or_create(
                place=place, phrase=phrase, defaults={"related": related}
            )
        changed = sorted(p for p in set(before) | set(pairs) if before.get(p) != pairs.get(p))
        if changed:
            record_change(  # one history entry for the place's whole list
                place=place,
                viewer=viewer,
                obj=RelatedWords(place=place, pk=place.pk),
                action=ChangeAction.UPDATED,
                changes={p: [before.get(p), pairs.get(p)] for p in changed[:200]},
                note="related words",
            )
    forget_related_words(place)
    return len(pairs)
