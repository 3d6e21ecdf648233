"""Search that forgives: typos, word order, acronyms and aliases, ranked.

An index is built once per store revision from every record's name, the
acronym of its name, its alias ``tags``, the parts of its id and the words of
its description. A query is split into words; each word is matched against
the index's vocabulary exactly, as the start of a longer word, or fuzzily
against the words of names, tags and acronyms (rapidfuzz, edit distance), so
"houshold" finds "households". A record's score
is the sum over the query's words of its best match (similarity × how much the
field counts × how rare the word is), divided by what a perfect match would
score; words of the query that match nothing lower every score. A name close
to the whole phrase scores a little more, statistics a little more than
engagement records, and the phrase matching a name, tag or id exactly lifts a
record to the top.

>>> index = SearchIndex([
...     {"id": "hbai", "label": "Statistic", "name": "Households Below Average Income (HBAI)",
...      "description": "Low-income (poverty) estimates."},
...     {"id": "bar", "label": "Statistic", "name": "Below Average Resources",
...      "description": "A new poverty measure.", "tags": ["Social Metrics Commission"]},
...     {"id": "census", "label": "Statistic", "name": "Census 2021"}])
>>> [h.id for h in index.search("houshold income stats")]
['hbai']
>>> [h.id for h in index.search("BAR poverty measure")][0]
'bar'
>>> [h.id for h in index.search("average below")]
['bar', 'hbai']
>>> index.search("census 2021")[0].exact
True
"""
from __future__ import annotations

import bisect
import heapq
import math
import re
import threading
import weakref
from dataclasses import dataclass, field
from typing import Iterable

from rapidfuzz import fuzz, process

# How much a match in each field counts.
# An alias or acronym names the record; a word of its name only mentions something.
FIELD_WEIGHTS = {"name": 1.0, "tag": 1.2, "acronym": 1.2, "initials": 1.2, "id": 0.8, "description": 0.5}
# What people search for first: statistics, then the organisations and topics around them.
LABEL_WEIGHTS = {"Statistic": 1.0, "Topic": 0.95, "Producer": 0.95, "UserGroup": 0.95, "Intermediary": 0.95,
                 "Public": 0.9, "Engagement": 0.7, "Need": 0.7}
STOPWORDS = frozenset(
    "a an and are as at be by can do does for from how i in is it me my of on or the to what where who "
    "whom which with about contact contacts ask asking get find".split())
# Everyday short forms people type.
SYNONYMS = {"stats": "statistics", "stat": "statistic", "govt": "government", "dept": "department",
            "uk": "uk", "nhs": "nhs"}
DEFAULTS = {"min_score": 0.3, "fuzzy_cutoff": 75, "prefix_similarity": 0.9, "fuzzy_factor": 0.95,
            "min_fuzzy_length": 4, "max_candidates": 200, "common_factor": 4,
            "max_posting": 5000, "exact_bonus": 1.0, "phrase_bonus": 0.3,
            # From this many records, a write does not make the next search wait for a new index:
            # the previous one answers while the new one is built in the background.
            "background_above": 20_000}
_WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> list[str]:
    """The lower-case words of ``text``, without common little words.

    >>> words("Who do I contact about the Census-2021 stats?")
    ['census', '2021', 'statistics']
    """
    out = []
    for w in _WORD.findall((text or "").lower()):
        w = SYNONYMS.get(w, w)
        if w not in STOPWORDS:
            out.append(w)
    return out


def acronym(name: str) -> str:
    """The initials of a name's significant words, as people abbreviate it.

    >>> acronym("Households Below Average Income"), acronym("Office for National Statistics"), acronym("Census")
    ('hbai', 'ons', '')
    """
    initials = [w[0] for w in _WORD.findall(re.sub(r"\(.*?\)", " ", name.lower()))
                if w not in STOPWORDS and not w.isdigit()]
    return "".join(initials) if len(initials) >= 2 else ""


def normalise(text: str) -> str:
    """The form used to compare a whole phrase.

    >>> normalise("  Census-2021 ")
    'census 2021'
    """
    return " ".join(_WORD.findall((text or "").lower()))


@dataclass(frozen=True)
class Hit:
    """One record found: its identity, how well it matched (0–1, above 1 for an exact phrase) and why."""

    id: str
    label: str
    name: str
    score: float
    matched: tuple[str, ...] = ()
    exact: bool = False
    description: str | None = None

    def as_dict(self) -> dict:
        return {"id": self.id, "label": self.label, "name": self.name, "score": round(self.score, 3),
                "matched": list(self.matched), "description": self.description}


@dataclass
class SearchIndex:
    """An inverted index over records' words, built once and queried many times."""

    records: Iterable[dict]
    revision: int | None = None
    docs: list[tuple[str, str, str, str | None]] = field(default_factory=list, init=False)
    postings: dict[str, dict[int, float]] = field(default_factory=dict, init=False)
    phrases: dict[str, set[int]] = field(default_factory=dict, init=False)
    vocab: list[str] = field(default_factory=list, init=False)
    fuzzy_vocab: list[str] = field(default_factory=list, init=False)
    idf: dict[str, float] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self._tops: dict[tuple[str, int], list[tuple[int, float]]] = {}
        self._named: set[str] = set()  # words of names, tags and acronyms: the vocabulary typos are matched in
        for record in self.records:
            self._add(record)
        self.records = ()
        n = max(len(self.docs), 1)
        self.idf = {w: math.log(1 + n / len(p)) for w, p in self.postings.items()}
        self.vocab = sorted(self.postings)
        self.fuzzy_vocab = sorted(self._named)
        del self._named
        self._mean_idf = sum(self.idf.values()) / len(self.idf) if self.idf else 1.0

    def _add(self, record: dict) -> None:
        i = len(self.docs)
        name = record.get("name") or record["id"]
        description = record.get("description") or record.get("statement") or record.get("remit")
        self.docs.append((record["id"], record.get("label", ""), name, description))
        tags = [t for t in (record.get("tags") or []) if isinstance(t, str)]
        fields = [("name", words(name)), ("tag", [w for t in tags for w in words(t)]),
                  ("acronym", [w for part in re.findall(r"\((.*?)\)", name) for w in words(part)]),
                  ("initials", [acronym(name)] if acronym(name) else []),
                  ("id", words(record["id"].replace(".", " "))),
                  ("description", words(description or "")[:200])]
        for kind, ws in fields:
            weight = FIELD_WEIGHTS[kind]
            if kind in ("name", "tag", "acronym"):
                self._named.update(w for w in ws if w.isalpha())
            for w in ws:
                posting = self.postings.setdefault(w, {})
                if posting.get(i, 0) < weight:
                    posting[i] = weight
        for phrase in (name, record["id"], *tags):
            self.phrases.setdefault(normalise(phrase), set()).add(i)

    def __len__(self) -> int:
        return len(self.docs)

    def _top(self, word: str, cap: int):
        """The records a word occurs in, at most ``cap`` of them, strongest fields first."""
        posting = self.postings[word]
        if len(posting) <= cap:
            return posting.items()
        top = self._tops.get((word, cap))
        if top is None:
            top = self._tops[(word, cap)] = heapq.nlargest(cap, posting.items(), key=lambda kv: kv[1])
        return top

    def _matches(self, word: str, cfg: dict) -> dict[str, float]:
        """Vocabulary words that ``word`` may stand for, with a similarity 0–1."""
        found: dict[str, float] = {}
        if word in self.postings:
            found[word] = 1.0
        if len(word) < cfg["min_fuzzy_length"] or word.isdigit():
            return found
        start = bisect.bisect_left(self.vocab, word)
        for w in self.vocab[start:start + 50]:
            if not w.startswith(word):
                break
            found.setdefault(w, cfg["prefix_similarity"])
        for w, score, _ in process.extract(word, self.fuzzy_vocab, scorer=fuzz.ratio, score_cutoff=cfg["fuzzy_cutoff"],
                                           limit=50):
            if not w.isdigit():
                found.setdefault(w, score / 100 * cfg["fuzzy_factor"])
        return found

    def search(self, text: str, label: str | None = None, limit: int = 20,
               settings: dict | None = None) -> list[Hit]:
        """Records matching ``text``, best first; ``settings`` may override :data:`DEFAULTS`."""
        cfg = {**DEFAULTS, **((settings or {}).get("search") or {})}
        query = words(text)
        phrase = normalise(text)
        if not query and not phrase:
            return []
        scores: dict[int, float] = {}
        matched: dict[int, list[str]] = {}
        possible = 0.0
        # Rarest words first: once they have found candidates, a common word (say "statistics",
        # in most descriptions) only adds to those candidates instead of walking its whole posting.
        options_of = [(qw, self._matches(qw, cfg)) for qw in dict.fromkeys(query)]
        options_of.sort(key=lambda item: sum(len(self.postings[w]) for w in item[1]))
        for qw, options in options_of:
            if not options:
                possible += self._mean_idf
                continue
            possible += max(self.idf[w] for w in options)
            size = sum(len(self.postings[w]) for w in options)
            restrict = bool(scores) and size > cfg["common_factor"] * len(scores)
            best: dict[int, tuple[float, str]] = {}
            for w, sim in options.items():
                idf, posting = self.idf[w], self.postings[w]
                if restrict:
                    pairs = ((i, posting[i]) for i in scores if i in posting)
                else:
                    pairs = self._top(w, cfg["max_posting"])
                for i, weight in pairs:
                    value = sim * weight * idf
                    if value > best.get(i, (0.0, ""))[0]:
                        best[i] = (value, w)
            for i, (value, w) in best.items():
                scores[i] = scores.get(i, 0.0) + value
                matched.setdefault(i, []).append(w)
        exact = set(self.phrases.get(phrase, ())) if phrase else set()
        for i in exact:
            scores.setdefault(i, 0.0)
        ranked = heapq.nlargest(cfg["max_candidates"], scores, key=scores.__getitem__)
        hits = []
        for i in ranked:
            doc_id, doc_label, name, description = self.docs[i]
            if label and doc_label != label:
                continue
            score = scores[i] / possible if possible else 0.0
            score *= 1 + cfg["phrase_bonus"] * fuzz.token_sort_ratio(phrase, normalise(name)) / 100
            score *= LABEL_WEIGHTS.get(doc_label, 0.9)
            is_exact = i in exact
            if is_exact:
                score += cfg["exact_bonus"]
            if score < cfg["min_score"]:
                continue
            hits.append(Hit(doc_id, doc_label, name, score, tuple(matched.get(i, ())), is_exact, description))
        hits.sort(key=lambda h: (-h.score, len(h.name), h.name.lower(), h.id))
        return hits[:limit]


_cache: "weakref.WeakKeyDictionary[object, SearchIndex]" = weakref.WeakKeyDictionary()
_building: "weakref.WeakKeyDictionary[object, threading.Thread]" = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def index_for(store, settings: dict | None = None) -> SearchIndex:
    """The store's search index, rebuilt only when the store's revision has moved.

    A small registry's index is rebuilt before answering. From ``background_above``
    records (a build takes seconds), the previous index keeps answering while the new one
    is built in a background thread, so a write never makes a search wait: a record
    written a moment ago is found once that build is done.
    """
    revision = store.revision()
    index = _cache.get(store)
    if index is not None and index.revision == revision:
        return index
    above = ((settings or {}).get("search") or {}).get("background_above", DEFAULTS["background_above"])
    if index is not None and len(index) >= above:
        with _lock:
            if store not in _building:
                thread = threading.Thread(target=_rebuild, args=(store,), name="search-index", daemon=True)
                _building[store] = thread
                thread.start()
        return index
    with _lock:
        index = _cache.get(store)
        if index is None or index.revision != revision:
            index = SearchIndex(store.iter_nodes(), revision=revision)
            _cache[store] = index
        return index


def _rebuild(store) -> None:
    """Build the index for the store's current revision, again if it moved meanwhile, then publish it."""
    try:
        while True:
            revision = store.revision()
            index = SearchIndex(store.iter_nodes(), revision=revision)
            with _lock:
                current = _cache.get(store)
                if current is None or current.revision is None or current.revision < revision:
                    _cache[store] = index
                if store.revision() == revision:
                    return
    except Exception:  # noqa: BLE001 - a store closed or unreachable: the next search tries again
        return
    finally:
        with _lock:
            _building.pop(store, None)


def building(store) -> threading.Thread | None:
    """The background build of the store's index under way, if any (tests and benchmarks wait on it)."""
    return _building.get(store)


def search(store, text: str, label: str | None = None, limit: int = 20, settings: dict | None = None) -> list[Hit]:
    """Records of ``store`` matching ``text``, best first (see :class:`SearchIndex`)."""
    return index_for(store, settings).search(text, label=label, limit=limit, settings=settings)


def closest(store, text: str, label: str | None = None, limit: int = 5, settings: dict | None = None) -> list[Hit]:
    """The records nearest to something that was not found (an unknown id or a name)."""
    return search(store, text.replace("-", " ").replace("_", " ").replace(".", " "), label=label, limit=limit,
                  settings={"search": {**((settings or {}).get("search") or {}), "min_score": 0.2}})
