"""Does a new barrier read like one already in the register?

TF-IDF over word stems and character n-grams, compared by cosine similarity, so a
barrier written in other words ("can't get through on the phone" / "phone lines always
engaged") still finds its twin when enough of its meaning is carried by shared stems.

The fitted index for a place is kept in memory and rebuilt only when the place's barriers
change (their count, newest id or latest edit), so a suggestion is one sparse product.
"""

import re
import threading
from dataclasses import dataclass

import numpy as np
from django.db.models import Count, Max
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from .models import Barrier

THRESHOLD = 0.3
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


def _stem(word: str) -> str:
    word = _SAME.get(word, word)
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return _SAME.get(word[: -len(suffix)], word[: -len(suffix)])
    return word


def normalise(text: str) -> str:
    words = _WORD.findall((text or "").lower().replace("'", ""))
    return " ".join(_stem(w) for w in words if w not in _STOP)


@dataclass(frozen=True)
class Suggestion:
    barrier_id: int
    score: float


class _Index:
    def __init__(self, signature, ids, vectorizer, matrix):
        self.signature = signature
        self.ids = ids
        self.vectorizer = vectorizer
        self.matrix = matrix


_cache: dict[int, _Index] = {}
_lock = threading.Lock()


def _signature(place_id):
    agg = Barrier.objects.filter(place_id=place_id).aggregate(
        n=Count("pk"), top=Max("pk"), edited=Max("updated_at")
    )
    return (agg["n"], agg["top"], agg["edited"])


def _build(place_id, signature) -> _Index | None:
    rows = list(Barrier.objects.filter(place_id=place_id).values_list("pk", "title", "description"))
    if not rows:
        return None
    texts = [normalise(f"{title} {title} {description}") for _, title, description in rows]
    vectorizer = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=1, dtype=np.float32
    )
    matrix = normalize(vectorizer.fit_transform(texts))
    return _Index(signature, [pk for pk, _, _ in rows], vectorizer, matrix)


def _index(place_id) -> _Index | None:
    signature = _signature(place_id)
    with _lock:
        index = _cache.get(place_id)
        if index is not None and index.signature == signature:
            return index
        index = _build(place_id, signature)
        if index is None:
            _cache.pop(place_id, None)
        else:
            _cache[place_id] = index
        return index


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
