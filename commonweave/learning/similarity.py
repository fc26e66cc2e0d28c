"""Does a new barrier read like one already in the register?

TF-IDF over character 4-grams of lightly stemmed words, compared by cosine similarity, so a
barrier written in other words ("can't get through on the phone" / "phone lines always
engaged") still finds its twin when enough of its meaning is carried by shared stems.

The fitted index for a place is kept in memory (per process). New barriers are added to
it with its existing vocabulary; it is rebuilt when they reach a tenth of it, or when a
barrier was removed. A suggestion is then one sparse product.
"""

import functools
import re
import threading
from dataclasses import dataclass

import numpy as np
from django.db.models import Count, Max
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from .models import Barrier

THRESHOLD = 0.3
GRAM = 4
_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "can",
        "could",
        "do",
        "does",
        "for",
        "from",
        "get",
        "got",
        "has",
        "have",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "our",
        "so",
        "that",
        "the",
        "their",
        "them",
        "there",
        "they",
        "this",
        "to",
        "was",
        "we",
        "were",
        "when",
        "which",
        "who",
        "will",
        "with",
        "would",
        "not",
        "no",
    ]
)
# A few everyday words people use for the same thing.
_SAME = {
    "doctor": "gp",
    "surgery": "gp",
    "physician": "gp",
    "phone": "telephone",
    "call": "telephone",
    "ring": "telephone",
    "online": "internet",
    "website": "internet",
    "web": "internet",
    "digital": "internet",
    "form": "form",
    "council": "council",
    "cannot": "unable",
    "cant": "unable",
    "unable": "unable",
    "wait": "delay",
    "waiting": "delay",
    "delayed": "delay",
    "delays": "delay",
    "slow": "delay",
    "people": "resident",
    "person": "resident",
    "residents": "resident",
    "tenants": "resident",
    "tenant": "resident",
    "home": "house",
    "housing": "house",
    "flat": "house",
    "benefit": "benefits",
    "money": "benefits",
}
_WORD = re.compile(r"[a-z0-9]+")


@functools.lru_cache(maxsize=20000)
def _stem(word: str) -> str:
    word = _SAME.get(word, word)
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return _SAME.get(word[: -len(suffix)], word[: -len(suffix)])
    return word


def normalise(text: str) -> str:
    words = _WORD.findall((text or "").lower().replace("'", ""))
    return " ".join(_stem(w) for w in words if w not in _STOP)


@functools.lru_cache(maxsize=50000)
def _grams(word: str) -> tuple:
    """Character 4-grams of one word padded with spaces (as sklearn's char_wb); cached,
    because the same words recur across a register."""
    padded = f" {word} "
    if len(padded) <= GRAM:
        return (padded,)
    return tuple(padded[i : i + GRAM] for i in range(len(padded) - GRAM + 1))


def _analyse(text: str) -> list:
    return [gram for word in text.split() for gram in _grams(word)]


@dataclass(frozen=True)
class Suggestion:
    barrier_id: int
    score: float


class _Index:
    def __init__(self, signature, ids, vectorizer, matrix, built_n):
        self.signature = signature  # (count, newest pk): titles are not edited in place
        self.ids = ids
        self.vectorizer = vectorizer
        self.matrix = matrix
        self.built_n = built_n  # how many barriers the vocabulary and weights came from


_cache: dict[int, _Index] = {}
_lock = threading.Lock()
# New barriers are added to a built index with its vocabulary and weights (one transform)
# until they make up this share of it; then the index is rebuilt from scratch.
REBUILD_SHARE = 0.1


def _text(title, description):
    return normalise(f"{title} {description}")


def _signature(place_id):
    agg = Barrier.objects.filter(place_id=place_id).aggregate(n=Count("pk"), top=Max("pk"))
    return (agg["n"], agg["top"])


def _build(place_id, signature) -> _Index | None:
    rows = list(Barrier.objects.filter(place_id=place_id).values_list("pk", "title", "description"))
    if not rows:
        return None
    vectorizer = TfidfVectorizer(analyzer=_analyse, sublinear_tf=True, min_df=1, dtype=np.float32)
    matrix = normalize(vectorizer.fit_transform([_text(t, d) for _, t, d in rows]))
    ids = [pk for pk, _, _ in rows]
    return _Index((len(ids), max(ids)), ids, vectorizer, matrix, len(ids))


def _extend(index, place_id, signature) -> _Index | None:
    """The index with barriers added since it was built, or None if it must be rebuilt."""
    count, _ = signature
    if index.signature[1] is None or count < index.signature[0]:
        return None
    rows = list(
        Barrier.objects.filter(place_id=place_id, pk__gt=index.signature[1]).values_list(
            "pk", "title", "description"
        )
    )
    ids = index.ids + [pk for pk, _, _ in rows]
    if len(ids) != count or len(ids) - index.built_n > REBUILD_SHARE * index.built_n:
        return None
    added = normalize(index.vectorizer.transform([_text(t, d) for _, t, d in rows]))
    matrix = sparse.vstack([index.matrix, added], format="csr")
    return _Index((count, max(ids)), ids, index.vectorizer, matrix, index.built_n)


def _index(place_id) -> _Index | None:
    signature = _signature(place_id)
    with _lock:
        index = _cache.get(place_id)
        if index is not None and index.signature == signature:
            return index
        fresh = _extend(index, place_id, signature) if index is not None else None
        if fresh is None:
            fresh = _build(place_id, signature)
        if fresh is None:
            _cache.pop(place_id, None)
        else:
            _cache[place_id] = fresh
        return fresh


def warm(place_id) -> None:
    """Build the place's index ahead of the first suggestion (e.g. after a bulk import)."""
    _index(place_id)


def similar(place_id, text, *, limit=5, threshold=THRESHOLD, exclude_id=None) -> list:
    """Barriers in the place that read like `text`, best first, as Suggestions."""
    query = normalise(text)
    if not query.strip():
        return []
    index = _index(place_id)
    if index is None:
        return []
    vector = normalize(index.vectorizer.transform([query]))
    scores = (index.matrix @ vector.T).toarray().ravel()
    order = scores.argsort()[::-1][: limit + 1]
    found = []
    for position in order:
        score = float(scores[position])
        barrier_id = index.ids[position]
        if score < threshold or barrier_id == exclude_id:
            continue
        found.append(Suggestion(barrier_id, round(score, 3)))
    return found[:limit]
