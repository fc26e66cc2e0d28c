"""Does a new barrier read like one already in the register?

TF-IDF over character 4-grams of lightly stemmed words, compared by cosine similarity, so a
barrier written in other words ("can't get through on the phone" / "phone lines always
engaged") still finds its twin when enough of its meaning is carried by shared stems.
(The weights are sklearn's TfidfVectorizer(sublinear_tf=True) with l2 rows, computed
here with numpy so that building the index is cheap.)

How it stays fast at a city's size:

* Building is vectorised: the whole register is tokenised by one regular expression over
  the joined text, each distinct word is stemmed once, and the document-gram counts are a
  sparse product (documents x words) @ (words x grams). No per-gram Python loop.
* The index for a place is kept in memory (per process) with the version of every
  barrier it was built from. Each call checks one cheap aggregate (count, newest id, sum
  of versions: every edit or withdrawal bumps a version); when it moved, only the barriers
  whose version changed are re-read and swapped in with the existing vocabulary. The
  index is rebuilt from scratch once such changes reach a tenth of it.
* A built index is saved (SimilarityIndex: its token index of stems per barrier, as
  numpy arrays, no pickle), so a new process loads it with one query and one sparse
  product instead of tokenising the register; it is then checked and refreshed as above.
* `warm()` builds it ahead of the first suggestion (the "Record a barrier" page calls it).
"""

import functools
import io
import re
import threading
from dataclasses import dataclass

import numpy as np
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Sum
from django.utils import timezone
from scipy import sparse

from .models import Barrier, SimilarityIndex

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


# Tokenising the whole register at once, in C: every byte other than a-z and 0-9 becomes a
# space (as the regular expression _WORD splits), except \x01, which separates documents.
_BYTES = bytes(c if 97 <= c <= 122 or 48 <= c <= 57 or c == 1 else 32 for c in range(256))
_SEPARATOR_TOKEN = b"\x01"
_STOPPED, _SEPARATOR = -1, -2


@dataclass(frozen=True)
class Suggestion:
    barrier_id: int
    score: float


def _tokens(texts):
    """(documents x stems count matrix, the stems in column order) for these texts."""
    joined = " \x01 ".join(t.replace("\x01", " ") for t in texts).lower().replace("'", "")
    tokens = joined.encode("ascii", "replace").translate(_BYTES).split()
    # Distinct words in C: dict.fromkeys keeps first-seen order, map() looks each token up.
    words = {word: i for i, word in enumerate(dict.fromkeys(tokens))}
    token_word = np.array(list(map(words.__getitem__, tokens)), dtype=np.int64)
    stems = {}
    word_stem = np.empty(len(words), dtype=np.int64)
    for raw, i in words.items():
        word = raw.decode("ascii")
        if raw == _SEPARATOR_TOKEN:
            word_stem[i] = _SEPARATOR
        elif word in _STOP:
            word_stem[i] = _STOPPED
        else:
            word_stem[i] = stems.setdefault(_stem(word), len(stems))
    token_stem = word_stem[token_word] if len(tokens) else np.empty(0, dtype=np.int64)
    doc = np.cumsum(token_stem == _SEPARATOR)
    keep = token_stem >= 0
    docs_stems = sparse.csr_matrix(
        (np.ones(int(keep.sum()), dtype=np.float32), (doc[keep], token_stem[keep])),
        shape=(len(texts), len(stems)),
    )
    docs_stems.sum_duplicates()
    return docs_stems, list(stems)


def _grams_of(stems, vocab, *, grow):
    """Stems x grams count matrix. With grow=False, grams not in `vocab` are dropped (a
    fitted index never changes its columns)."""
    rows, cols = [], []
    for i, stem in enumerate(stems):
        for gram in _grams(stem):
            col = vocab.setdefault(gram, len(vocab)) if grow else vocab.get(gram)
            if col is not None:
                rows.append(i)
                cols.append(col)
    return sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(stems), len(vocab))
    )


def _gram_counts(docs_stems, stems, vocab, *, grow):
    """Documents x grams counts: (documents x stems) @ (stems x grams), one sparse product."""
    counts = (docs_stems @ _grams_of(stems, vocab, grow=grow)).tocsr()
    counts.sum_duplicates()
    return counts


def _counts(texts, vocab, *, grow):
    return _gram_counts(*_tokens(texts), vocab, grow=grow)


def _weigh(counts, idf):
    """Sublinear tf times idf, each row scaled to unit length (as TfidfVectorizer does)."""
    counts.data = (1 + np.log(counts.data)) * idf[counts.indices]
    lengths = np.sqrt(
        np.bincount(
            np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr)),
            weights=counts.data.astype(np.float64) ** 2,
            minlength=counts.shape[0],
        )
    )
    lengths[lengths == 0] = 1
    counts.data /= np.repeat(lengths, np.diff(counts.indptr)).astype(np.float32)
    return counts


def _text(title, description):
    return f"{title} {description}"


class _Index:
    def __init__(self, signature, versions, ids, vocab, idf, matrix):
        self.signature = signature  # (count, newest pk, sum of versions) of all barriers
        self.versions = versions  # {pk: version} of every barrier, withdrawn ones too
        self.ids = ids  # np.array: the barrier id of each matrix row (barriers in use)
        self.vocab = vocab
        self.idf = idf
        self.matrix = matrix
        self.built_n = len(ids)
        self.swapped = 0  # rows swapped in since the vocabulary and weights were fitted
        # What the index was built from, (documents x stems, stems): small, so that is what
        # is saved; only set on a freshly built index.
        self.tokens = None

    def transform(self, texts):
        return _weigh(_counts(texts, self.vocab, grow=False), self.idf)


_cache: dict[int, _Index] = {}
_lock = threading.Lock()
# Changed barriers are swapped into a built index with its vocabulary and weights until
# they make up this share of it; then the index is rebuilt from scratch.
REBUILD_SHARE = 0.1


def _signature(place_id):
    agg = Barrier.objects.filter(place_id=place_id).aggregate(
        n=Count("pk"), top=Max("pk"), versions=Sum("version")
    )
    return (agg["n"], agg["top"], agg["versions"])


def _build(place_id) -> _Index | None:
    rows = list(
        Barrier.objects.filter(place_id=place_id)
        .order_by()
        .values_list("pk", "version", "withdrawn_at", "title", "description")
    )
    if not rows:
        return None
    versions = {pk: version for pk, version, *_ in rows}
    signature = (len(rows), max(versions), sum(versions.values()))
    live = [(pk, _text(t, d)) for pk, _, withdrawn, t, d in rows if withdrawn is None]
    vocab = {}
    docs_stems, stems = _tokens([text for _, text in live])
    counts = _gram_counts(docs_stems, stems, vocab, grow=True)
    df = np.bincount(counts.indices, minlength=len(vocab))
    idf = (np.log((1 + len(live)) / (1 + df)) + 1).astype(np.float32)
    ids = np.fromiter((pk for pk, _ in live), dtype=np.int64, count=len(live))
    index = _Index(signature, versions, ids, vocab, idf, _weigh(counts, idf))
    index.tokens = (docs_stems, stems)
    return index


def _refresh(index, place_id, signature) -> _Index | None:
    """The index with changed barriers swapped in, or None if it should be rebuilt."""
    fresh = dict(Barrier.objects.filter(place_id=place_id).order_by().values_list("pk", "version"))
    changed = [pk for pk, version in fresh.items() if index.versions.get(pk) != version]
    gone = [pk for pk in index.versions if pk not in fresh]
    if index.swapped + len(changed) + len(gone) > REBUILD_SHARE * max(index.built_n, 10):
        return None
    rows = list(
        Barrier.objects.filter(pk__in=changed, withdrawn_at__isnull=True).values_list(
            "pk", "title", "description"
        )
    )
    keep = ~np.isin(index.ids, np.array(changed + gone, dtype=np.int64))
    added = index.transform([_text(t, d) for _, t, d in rows])
    # A new object, never the old one changed: a suggestion being scored in another thread
    # keeps the ids and matrix it started with.
    refreshed = _Index(
        signature,
        fresh,
        np.concatenate([index.ids[keep], np.array([r[0] for r in rows], dtype=np.int64)]),
        index.vocab,
        index.idf,
        sparse.vstack([index.matrix[keep], added], format="csr"),
    )
    refreshed.built_n = index.built_n
    refreshed.swapped = index.swapped + len(changed) + len(gone)
    return refreshed


def _save(place_id, index) -> None:
    """Keep a freshly built index for other processes (and this one after a restart). What
    is saved is its token index (each barrier's stems, a few hundred kilobytes at 5,000
    barriers), the vocabulary and weights; the vectors are one sparse product away."""
    docs_stems, stems = index.tokens
    buffer = io.BytesIO()
    np.savez(
        buffer,
        ids=index.ids,
        stems=np.array(stems, dtype=str),
        grams=np.array(sorted(index.vocab, key=index.vocab.get), dtype=str),
        idf=index.idf,
        doc_indptr=docs_stems.indptr.astype(np.int32),
        doc_stems=docs_stems.indices.astype(np.int32),
        doc_counts=docs_stems.data.astype(np.uint16),
        version_pks=np.fromiter(index.versions, dtype=np.int64, count=len(index.versions)),
        version_values=np.fromiter(
            index.versions.values(), dtype=np.int64, count=len(index.versions)
        ),
        counters=np.array([index.built_n, index.swapped], dtype=np.int64),
    )
    count, top, versions = index.signature
    try:
        with transaction.atomic():
            SimilarityIndex.objects.update_or_create(
                place_id=place_id,
                defaults={
                    "count": count,
                    "top": top,
                    "versions": versions,
                    "data": buffer.getvalue(),
                    "built_at": timezone.now(),
                },
            )
    except IntegrityError:
        pass  # another process saved one at the same moment: theirs will do


def _load(place_id) -> _Index | None:
    """The saved index, or None if there is none (or it cannot be read: it is rebuilt)."""
    row = SimilarityIndex.objects.filter(place_id=place_id).first()
    if row is None:
        return None
    try:
        with np.load(io.BytesIO(bytes(row.data)), allow_pickle=False) as saved:
            arrays = {name: saved[name] for name in saved.files}
        stems = arrays["stems"].tolist()
        ids = arrays["ids"]
        docs_stems = sparse.csr_matrix(
            (
                arrays["doc_counts"].astype(np.float32),
                arrays["doc_stems"],
                arrays["doc_indptr"],
            ),
            shape=(len(ids), len(stems)),
        )
        vocab = {gram: i for i, gram in enumerate(arrays["grams"].tolist())}
        counts = _gram_counts(docs_stems, stems, vocab, grow=False)
    except (KeyError, OSError, ValueError):
        return None
    index = _Index(
        (row.count, row.top, row.versions),
        dict(zip(arrays["version_pks"].tolist(), arrays["version_values"].tolist(), strict=True)),
        ids,
        vocab,
        arrays["idf"],
        _weigh(counts, arrays["idf"]),
    )
    index.built_n, index.swapped = (int(n) for n in arrays["counters"])
    return index


def _index(place_id) -> _Index | None:
    signature = _signature(place_id)
    with _lock:
        index = _cache.get(place_id)
        if index is None:
            index = _load(place_id)  # a new process: the index saved when it was built
        if index is not None and index.signature == signature:
            _cache[place_id] = index
            return index
        fresh = _refresh(index, place_id, signature) if index is not None else None
        if fresh is None:
            fresh = _build(place_id)
            if fresh is not None:
                _save(place_id, fresh)
        if fresh is None:
            _cache.pop(place_id, None)
        else:
            _cache[place_id] = fresh
        return fresh


def warm(place_id) -> None:
    """Build or refresh the place's index ahead of the first suggestion."""
    _index(place_id)


def similar(place_id, text, *, limit=5, threshold=THRESHOLD, exclude_id=None) -> list:
    """Barriers in the place's register that read like `text`, best first, as Suggestions."""
    if not normalise(text):
        return []
    index = _index(place_id)  # one consistent object for the whole call
    if index is None or not len(index.ids):
        return []
    query = index.transform([text])
    if not query.nnz:
        return []
    dense = np.zeros(len(index.vocab), dtype=np.float32)
    dense[query.indices] = query.data
    scores = index.matrix @ dense
    top = min(limit + 1, len(scores))
    order = np.argpartition(-scores, top - 1)[:top]
    order = order[np.argsort(-scores[order], kind="stable")]
    found = []
    for position in order:
        score = float(scores[position])
        barrier_id = int(index.ids[position])
        if score < threshold or barrier_id == exclude_id:
            continue
        found.append(Suggestion(barrier_id, round(score, 3)))
    return found[:limit]
