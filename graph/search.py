"""Search that is right, or says it is unsure: whole words first, word forms folded, typos only as a rescue.

An index is built once, then updated from each change (:func:`index_of`). Each record's words are folded to their
stem (Snowball's English stemmer, plus a few everyday forms it leaves apart:
"rental" ~ "rent"), so "deaths" finds "death" and "prices" never finds "practices".
Each word counts by the field it is in, best first: the record's **name**, its
**aliases** and acronyms (the words people use for it: "CPI", "inflation"), its
keywords, the names of its **topics**, the names of its **producers**, then its
description. A query is split into words; nation words ("Wales", "NI", "Scottish")
are taken out as a *qualifier* rather than matched as words (see :mod:`graph.nations`),
and generic words ("statistics", "figures", "data") count only a little.

Each query word is matched exactly (by stem). Only a word that matches nothing
exactly is rescued: by the start of a longer word ("unemp") or by one edit (two from
six letters; a swap of neighbours counts as one: "infaltion" ~ "inflation"); such a match is marked ``fuzzy`` and a
:class:`Hit` records what it was read as, for "did you mean".

A record's score is the sum over the query's words of its best match (similarity ×
field weight × rarity of the word), divided by what a perfect match in the name would
score, so a word matching nothing lowers every score. ``coverage`` is the share of the
query's words a record matched at all. Typing a record's whole name or alias
(``exact``) lifts it to the top. With a nation in the query, records of another nation
are marked down and records of exactly that nation lifted a little.

>>> index = SearchIndex([
...     {"id": "hbai", "label": "Statistic", "name": "Households Below Average Income (HBAI)",
...      "description": "Low-income (poverty) estimates."},
...     {"id": "bar", "label": "Statistic", "name": "Below Average Resources",
...      "description": "A new poverty measure.", "aliases": ["Social Metrics Commission"]},
...     {"id": "fps", "label": "Statistic", "name": "Farm Practices Survey", "nations": ["england"]},
...     {"id": "hpi-w", "label": "Statistic", "name": "House price index", "nations": ["wales"]},
...     {"id": "census", "label": "Statistic", "name": "Census 2021"}])
>>> [h.id for h in index.search("houshold income stats")][:1]
['hbai']
>>> index.search("houshold income")[0].fuzzy, index.search("houshold income")[0].read_as
(True, {'houshold': 'households'})
>>> [h.id for h in index.search("BAR poverty measure")][0]
'bar'
>>> [h.id for h in index.search("house prices in wales")]
['hpi-w']
>>> sorted((h.id, h.coverage) for h in index.search("farm prices"))
[('fps', 0.5), ('hpi-w', 0.5)]
>>> index.search("census 2021")[0].exact
True
"""
from __future__ import annotations

import bisect
import functools
import heapq
import math
import re
import sys
import threading
from dataclasses import dataclass, field
from typing import Iterable

import snowballstemmer
from rapidfuzz import process
from rapidfuzz.distance import OSA

from . import nations as _nations
from .settings import DEFAULTS, section_of

# How much a match in each field counts, and each kind of record (graph/settings.py; fixed when the
# module is imported, since the index of each revision is built with them).
FIELD_WEIGHTS = DEFAULTS["search"]["field_weights"]
LABEL_WEIGHTS = DEFAULTS["search"]["label_weights"]
FIELD_WORDS = {"name": "its name", "alias": "a name people use for it", "acronym": "its acronym",
               "keyword": "its keywords", "topic": "its topic", "producer": "its producer",
               "description": "its description"}
NAMING_FIELDS = ("name", "alias", "acronym", "keyword")
STOPWORDS = frozenset(
    "a an and are as at be by can do does for from how i in is it me my of on or the to what where who "
    "whom which with about contact contacts ask asking get find want need know please tell show".split())
# Words that say "a statistic" without saying which: they count a little and are never required.
GENERIC = frozenset("statistics statistic stats stat figures figure data numbers number official latest "
                    "release releases report reports bulletin bulletins estimates estimate national".split())
SYNONYMS = {"stats": "statistics", "stat": "statistic", "govt": "government", "dept": "department", "&": "and"}
# Everyday forms Snowball leaves apart, folded to one stem (stem -> stem).
FOLDS = {"rental": "rent", "inflationari": "inflat", "employe": "employ", "criminal": "crime", "crimin": "crime",
         "prisoner": "prison", "offenc": "offend", "offens": "offend", "migrant": "migrat", "immigr": "migrat",
         "emigr": "migrat", "mortal": "death", "die": "death", "dead": "death", "born": "birth", "children": "child",
         "person": "peopl", "wage": "earn", "salari": "earn"}
_WORD = re.compile(r"\b[a-z](?:&[a-z])+\b|[a-z0-9]+")  # "a&e" is one word
_LONE_AMPERSAND = re.compile(r"(?<!\b[a-z])&|&(?![a-z]\b)")  # every "&" but one between single letters
# Single words that name a nation (or the UK), left out of acronyms.
NATION_WORDS = frozenset("uk gb britain british england english wales welsh cymru scotland scottish scots "
                         "northern ireland irish ni united kingdom great".split())
_STEMMER = threading.local()


@functools.lru_cache(maxsize=500_000)
def stem(word: str) -> str:
    """The folded stem of one lower-case word.

    >>> stem("rents"), stem("rental"), stem("deaths"), stem("prices"), stem("practices")
    ('rent', 'rent', 'death', 'price', 'practic')
    """
    stemmer = getattr(_STEMMER, "english", None)
    if stemmer is None:
        stemmer = _STEMMER.english = snowballstemmer.stemmer("english")
    if word.isdigit() or len(word) <= 2:
        return word
    s = stemmer.stemWord(word)
    return FOLDS.get(s, s)


def words(text: str) -> list[str]:
    """The lower-case words of ``text``, without common little words or lone letters.

    An ampersand between single letters keeps them one word, as people write "A&E" or "R&D";
    anywhere else it is "and". A letter on its own ("e" of "e-commerce", "a and e") says too
    little to match on.

    >>> words("Who do I contact about the Census-2021 stats?")
    ['census', '2021', 'statistics']
    >>> words("A&E waiting times"), words("Courts & tribunals"), words("Tom&Jerry")
    (['a&e', 'waiting', 'times'], ['courts', 'tribunals'], ['tom', 'jerry'])
    >>> words("E-commerce and ICT activity"), words("a and e"), words("Key Stage 2")
    (['commerce', 'ict', 'activity'], [], ['key', 'stage', '2'])
    """
    out = []
    for w in _WORD.findall(_LONE_AMPERSAND.sub(" and ", (text or "").lower())):
        w = SYNONYMS.get(w, w)
        if w not in STOPWORDS and not (len(w) == 1 and w.isalpha()):
            out.append(w)
    return out


def acronym(name: str) -> str:
    """The initials of a name's significant words (not its nation or years), as people abbreviate it.

    >>> acronym("Households Below Average Income"), acronym("Consumer price inflation, UK"), acronym("Census")
    ('hbai', 'cpi', '')
    """
    plain = re.sub(r"\(.*?\)", " ", name.lower())
    initials = [w[0] for w in _WORD.findall(plain)
                if w not in STOPWORDS and not w.isdigit() and w not in NATION_WORDS]
    return "".join(initials) if len(initials) >= 2 else ""


def normalise(text: str) -> str:
    """The form used to compare a whole phrase: the stems of its words, in order, without little words.

    >>> normalise("  Census-2021 "), normalise("Deaths registered"), normalise("Courts and tribunals")
    ('census 2021', 'death regist', 'court tribun')
    """
    return " ".join(stem(w) for w in words(text))


_NATION_PHRASE = re.compile(r"\b(northern ireland|northern irish|great britain|united kingdom|england|english|"
                            r"wales|welsh|cymru|scotland|scottish|scots|uk|gb|ni|british)\b")


def split_nations(text: str) -> tuple[str, frozenset[str]]:
    """The query without its nation words, and the nations it names.

    >>> split_nations("house prices in Wales")
    ('house prices in ', frozenset({'wales'}))
    >>> split_nations("Northern Ireland deaths")[1]
    frozenset({'northern_ireland'})
    """
    low = (text or "").lower()
    named = _nations.nations_in(low)
    return _NATION_PHRASE.sub(" ", low).replace("  ", " "), named


@dataclass(frozen=True)
class Hit:
    """One record found: its identity, how well it matched and why.

    ``score`` is 0–1 (above 1 for a whole name typed); ``coverage`` the share of the
    query's words it matched; ``fuzzy`` whether any of them only by a typo rescue,
    ``read_as`` what each such word was read as; ``why`` says what matched, in words.
    """

    id: str
    label: str
    name: str
    score: float
    matched: tuple[str, ...] = ()
    exact: bool = False
    description: str | None = None
    coverage: float = 1.0
    fuzzy: bool = False
    read_as: dict = field(default_factory=dict)
    why: tuple[str, ...] = ()
    producer: str | None = None
    nations: tuple[str, ...] = ()
    named: bool = False  # every word it matched is in its name, aliases, acronym or keywords

    def as_dict(self) -> dict:
        return {"id": self.id, "label": self.label, "name": self.name, "score": round(self.score, 3),
                "matched": list(self.matched), "description": self.description, "exact": self.exact,
                "coverage": round(self.coverage, 3), "fuzzy": self.fuzzy, "read_as": dict(self.read_as),
                "why": list(self.why), "producer": self.producer, "nations": list(self.nations),
                "named": self.named}


@dataclass(slots=True)
class _Doc:
    id: str
    label: str
    name: str
    description: str | None
    producer: str | None
    nations: frozenset[str]
    name_words: int  # the telling words of its name: not little, generic or nation words
    aliases: tuple[frozenset[str], ...] = ()  # the stems of the telling words of each other name
    # what it added to the index, so it can be taken out
    stems: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    bare: str = ""
    surfaces: tuple[str, ...] = ()


_GONE = object()


class _Layered:
    """A table of an index that its updates share: the entries of an older index (``base``, never
    changed once made) under this index's own changes (``top``; ``_GONE`` where one was taken out).

    A :meth:`child` copies only the changes, so an update costs what it changed, not the size of the
    table; once the changes outgrow a share of the base (:meth:`folded`) they are folded into a new
    base, a copy that is rare enough to cost little per update.

    >>> old = _Layered({"a": (1,), "b": (2,)})
    >>> new = old.child()
    >>> new["c"] = (3,); del new["a"]; new["b"] = (2, 5)
    >>> new.get("a"), new["b"], "c" in new, len(new), old.get("c"), old["b"], len(old)
    (None, (2, 5), True, 2, None, (2,), 2)
    >>> folded = new.folded(share=1, least=0)
    >>> folded.top, sorted(folded.base.items()), len(folded)
    ({}, [('b', (2, 5)), ('c', (3,))], 2)
    """

    __slots__ = ("base", "top", "size")
    FOLD_SHARE, FOLD_LEAST = 32, 1024

    def __init__(self, base: dict | None = None, top: dict | None = None, size: int | None = None):
        self.base = {} if base is None else base
        self.top = {} if top is None else top
        self.size = len(self.base) if size is None else size

    def child(self) -> "_Layered":
        """A table with the same entries, whose changes leave this one as it is."""
        return _Layered(self.base, dict(self.top), self.size)

    def folded(self, share: int | None = None, least: int | None = None) -> "_Layered":
        """This table, or when its changes are more than ``least`` and a ``share``-th of its base,
        the same entries as one new base."""
        share, least = share or self.FOLD_SHARE, self.FOLD_LEAST if least is None else least
        if len(self.top) <= max(least, len(self.base) // share):
            return self
        base = dict(self.base)
        for key, value in self.top.items():
            if value is _GONE:
                del base[key]
            else:
                base[key] = value
        return _Layered(base)

    def get(self, key, default=None):
        value = self.top.get(key, self)
        if value is self:
            return self.base.get(key, default)
        return default if value is _GONE else value

    def __getitem__(self, key):
        value = self.get(key, _GONE)
        if value is _GONE:
            raise KeyError(key)
        return value

    def __contains__(self, key) -> bool:
        return self.get(key, _GONE) is not _GONE

    def __len__(self) -> int:
        return self.size

    def __setitem__(self, key, value) -> None:
        if key not in self:
            self.size += 1
        self.top[key] = value

    def __delitem__(self, key) -> None:
        self.pop(key)

    def pop(self, key, *default):
        value = self.get(key, _GONE)
        if value is _GONE:
            if default:
                return default[0]
            raise KeyError(key)
        self.size -= 1
        if key in self.base:
            self.top[key] = _GONE
        else:
            del self.top[key]
        return value


def _docs(held: int | tuple[int, ...]) -> tuple[int, ...]:
    """The docs a phrase table holds for a phrase: one doc on its own (nearly every phrase is one
    record's, and an int is far smaller than a collection of one), or several in a tuple.

    >>> _docs(7), _docs((3, 7)), _docs(())
    ((7,), (3, 7), ())
    """
    return held if type(held) is tuple else (held,)


NAMED_LABELS = ("Producer", "Topic")  # whose names a statistic is also found by
INDEX_EDGES = ("PRODUCES", "ABOUT")


def _name_words(record: dict) -> tuple[str, list[str]]:
    """A producer's or topic's name and the words of its name and aliases (tokenised once)."""
    name = record.get("name") or record["id"]
    return name, [w for t in (name, *(record.get("aliases") or [])) if isinstance(t, str) for w in words(t)]


class SearchIndex:
    """An inverted index over records' stems, built once and queried many times.

    ``edges`` (optional) are relationship records: PRODUCES and ABOUT give each
    statistic the names of its producers and topics to match on. :meth:`updated` gives
    the index of a changed registry from this one, re-indexing only the records that
    changed (and the statistics of a renamed producer or topic); it never changes this one,
    so a search under way is not disturbed.

    Kept small, as it lives beside a read model of 100,000 records: a posting is one shared
    ``(weight, field, surface word)`` tuple (there are far fewer distinct ones than postings,
    so they are made once, in ``_shared``, as are records' nation sets), a phrase's record is
    kept on its own (:func:`_docs`), and a record's :class:`_Doc` has slots. Kept cheap to update: the largest
    tables (records' positions, phrases) are :class:`_Layered`, and the rarity of a word is worked
    out when a query asks for it, so an update costs about what it changed.
    """

    def __init__(self, records: Iterable[dict], revision: int | None = None, edges: Iterable[dict] = ()):
        self.revision = revision
        self.docs: list[_Doc | None] = []
        self._labels: list[str | None] = []
        self.position: dict[str, int] | _Layered = {}  # plain while it is built, layered once it is
        # stem -> {doc: (weight, field, surface word)}
        self.postings: dict[str, dict[int, tuple[float, str, str]]] = {}
        # normalised name -> the doc that has it, or the docs in a tuple (:func:`_docs`)
        self.phrases: dict | _Layered = {}
        self.bare_phrases: dict | _Layered = {}
        self.surface_count: dict[str, int] = {}
        self._stem_of: dict[str, str] = {}
        # one copy of each posting tuple and set of nations, for this index and its updates (only added
        # to: there are about as many as words in the registry, and a few sets)
        self._shared: dict = {}
        self._owned: set[str] | None = None  # stems whose posting is this index's own; None: all (a fresh build)
        self._surface_moved = True
        records = list(records)
        self.names = {r["id"]: _name_words(r) for r in records if r.get("label") in NAMED_LABELS}
        around: dict[str, dict[str, list[str]]] = {}
        for e in edges:
            if e.get("type") == "PRODUCES" and e.get("from") in self.names:
                around.setdefault(e["to"], {}).setdefault("producer", []).append(e["from"])
            elif e.get("type") == "ABOUT" and e.get("to") in self.names:
                around.setdefault(e["from"], {}).setdefault("topic", []).append(e["to"])
        for record in records:
            self._add(record, around.get(record["id"], {}))
        self._finish(None)

    @classmethod
    def from_graph(cls, graph) -> "SearchIndex":
        """The index of a registry graph (:mod:`graph.readmodel`)."""
        records = [data for _, data in graph.nodes(data=True)]
        edges = ({"type": k, "from": u, "to": v} for u, v, k in graph.edges(keys=True) if k in INDEX_EDGES)
        return cls(records, revision=graph.graph.get("revision"), edges=edges)

    def updated(self, graph, nodes: Iterable[str], edges: Iterable[tuple[str, str, str]]) -> "SearchIndex":
        """The index of ``graph``, which differs from this index's registry in the records ``nodes``
        (put or deleted) and the relationships ``edges``; this index is left as it was.

        >>> import networkx as nx
        >>> g = nx.MultiDiGraph()
        >>> g.add_node("ons", id="ons", label="Producer", name="ONS")
        >>> g.add_node("cpi", id="cpi", label="Statistic", name="Consumer prices")
        >>> g.add_edge("ons", "cpi", key="PRODUCES")
        'PRODUCES'
        >>> old = SearchIndex.from_graph(g)
        >>> g.add_node("ons", name="Office for National Statistics")
        >>> new = old.updated(g, ["ons"], [])
        >>> sorted(h.id for h in new.search("office")), [h.id for h in old.search("office")]
        (['cpi', 'ons'], [])
        """
        new = object.__new__(SearchIndex)
        new.revision = graph.graph.get("revision")
        new.docs, new._labels, new.position = list(self.docs), list(self._labels), self.position.child()
        new.postings = dict(self.postings)
        new.phrases, new.bare_phrases = self.phrases.child(), self.bare_phrases.child()
        new.surface_count, new._stem_of, new.names = dict(self.surface_count), dict(self._stem_of), dict(self.names)
        new._shared, new._owned, new._surface_moved = self._shared, set(), False
        redo = set(nodes)
        for type_, src, dst in edges:
            if type_ in INDEX_EDGES:
                redo.add(dst if type_ == "PRODUCES" else src)
        for node_id in list(redo):
            if node_id in graph and graph.nodes[node_id].get("label") in NAMED_LABELS:
                new.names[node_id] = _name_words(graph.nodes[node_id])
                redo.update(v for v, keys in graph._adj[node_id].items() if "PRODUCES" in keys)
                redo.update(u for u, keys in graph._pred[node_id].items() if "ABOUT" in keys)
            elif node_id not in graph:
                new.names.pop(node_id, None)
        for node_id in sorted(redo):
            new._remove(node_id)
            if node_id in graph:
                record = graph.nodes[node_id]
                around = {"producer": [u for u, keys in graph._pred[node_id].items()
                                       if "PRODUCES" in keys and u in new.names],
                          "topic": [v for v, keys in graph._adj[node_id].items() if "ABOUT" in keys and v in new.names]}
                new._add(record, around)
        new._owned = None
        new._finish(self)
        return new

    def _posting(self, stem_: str) -> dict:
        """The posting of a stem, to change: made this index's own copy first if an older index shares it."""
        posting = self.postings.get(stem_)
        if posting is None:
            posting = self.postings[stem_] = {}
        elif self._owned is None or stem_ in self._owned:
            return posting
        else:
            posting = self.postings[stem_] = dict(posting)
        if self._owned is not None:
            self._owned.add(stem_)
        return posting

    def _finish(self, before: "SearchIndex | None") -> None:
        """The figures over the whole index: the number of records rarity is counted against, the
        sorted words typos are matched against (kept from ``before`` when no such word came or went)
        and the best of long postings; and the layered tables folded when their changes have grown."""
        self.position, self.phrases, self.bare_phrases = (
            (t if isinstance(t, _Layered) else _Layered(t)).folded() for t in (self.position, self.phrases,
                                                                              self.bare_phrases))
        self._n = max(len(self.position), 1)
        # Typos are matched against the words of names, aliases, topics and producers, as typed there.
        self.surface = sorted(self.surface_count) if before is None or self._surface_moved else before.surface
        self._mean = None
        # the best of each long posting, kept from ``before`` for the postings this update left as they were
        self._tops: dict[tuple[str, int], list] = {} if before is None else {
            key: top for key, top in list(before._tops.items()) if self.postings.get(key[0]) is before.postings[key[0]]}

    def _idf(self, stem_: str) -> float:
        """How rare a stem is: the fewer records have it, the more matching it tells."""
        return math.log(1 + self._n / len(self.postings[stem_]))

    @property
    def _mean_idf(self) -> float:
        """The mean rarity of the index's stems (what a word matching nothing would have counted),
        worked out when first needed, once per index, adding in the order of the stems as it always has.

        >>> index = SearchIndex([{"id": "a", "label": "Topic", "name": "Rents"}, {"id": "b", "label": "Topic",
        ...                      "name": "Rents and prices"}])
        >>> index._mean_idf == (math.log(1 + 2 / 2) + math.log(1 + 2 / 1) + math.log(1 + 2 / 1)) / 3
        True
        """
        mean = self._mean
        if mean is None:
            counts = list(map(len, self.postings.values()))
            rarity = {count: math.log(1 + self._n / count) for count in set(counts)}  # far fewer than stems
            mean = self._mean = sum(map(rarity.__getitem__, counts)) / len(counts) if counts else 1.0
        return mean

    def _remove(self, node_id: str) -> None:
        i = self.position.pop(node_id, None)
        if i is None:
            return
        doc = self.docs[i]
        for s in doc.stems:
            posting = self._posting(s)
            posting.pop(i, None)
            if not posting:
                del self.postings[s]
        for table, keys in ((self.phrases, doc.phrases), (self.bare_phrases, (doc.bare,) if doc.bare else ())):
            for phrase in keys:
                rest = tuple(j for j in _docs(table[phrase]) if j != i)
                if rest:
                    table[phrase] = rest if len(rest) > 1 else rest[0]
                else:
                    del table[phrase]
        for w in doc.surfaces:
            self.surface_count[w] -= 1
            if not self.surface_count[w]:
                del self.surface_count[w]
                self._surface_moved = True
        self.docs[i] = self._labels[i] = None

    def _add(self, record: dict, around: dict[str, list[str]]) -> None:
        i = len(self.docs)
        names, one = self.names, self._shared.setdefault  # one(value, value): the one copy of an immutable value
        name = record.get("name") or record["id"]
        description = record.get("description") or record.get("statement") or record.get("remit")
        producers = around.get("producer", [])
        plain_name = re.sub(r"\(.*?\)", " ", name)
        without_nations = split_nations(plain_name)[0]
        nations = _nations.covered(record) if record.get("label") == "Statistic" else _nations.nations_of(record)
        telling = [w for w in words(without_nations) if w not in GENERIC]
        aliases = [t for t in (record.get("aliases") or []) if isinstance(t, str)]
        name_words, alias_words = words(name), [words(t) for t in aliases]
        fields = [("name", name_words), ("alias", [w for ws in alias_words for w in ws]),
                  ("acronym", [w for t in (*re.findall(r"\((.*?)\)", name), acronym(name)) for w in words(t)]),
                  ("keyword", [w for t in (record.get("tags") or []) if isinstance(t, str) for w in words(t)]),
                  ("topic", [w for t in around.get("topic", []) for w in names[t][1]]),
                  ("producer", [w for p in producers for w in names[p][1]]),
                  ("description", words(" ".join((description or "").split()[:200])))]
        stems: set[str] = set()
        surfaces: set[str] = set()
        for kind, ws in fields:
            weight = FIELD_WEIGHTS[kind]
            for w in ws:
                s = stem(w)
                if kind != "description" and w.isalpha():
                    surfaces.add(w)
                posting = self._posting(s)
                stems.add(s)
                if posting.get(i, (0.0,))[0] < weight:
                    entry = (weight, kind, w)
                    posting[i] = one(entry, entry)
        phrases = {" ".join(map(stem, ws)) for ws in (name_words, *alias_words)} - {""}
        phrases.add(normalise(record["id"].replace(".", " ")))
        for phrase in phrases:
            self.phrases[phrase] = (*_docs(self.phrases[phrase]), i) if phrase in self.phrases else i
        # Without its nation and generic words, a name typed counts as the whole name when the record
        # covers several nations or the nation asked: "divorces" is "Divorces in England and Wales".
        bare = " ".join(stem(w) for w in telling)
        if bare:
            self.bare_phrases[bare] = (*_docs(self.bare_phrases[bare]), i) if bare in self.bare_phrases else i
        surfaces = tuple(map(sys.intern, surfaces))  # one string per word, shared by every record with it
        for w in surfaces:
            count = self.surface_count.get(w, 0)
            self.surface_count[w] = count + 1
            if not count:
                self._surface_moved = True
                if w not in self._stem_of:
                    self._stem_of[w] = stem(w)
        label = record.get("label", "")
        self.docs.append(_Doc(record["id"], label, name, description,
                              names[producers[0]][0] if producers else None, one(nations, nations),
                              len({w for w in telling if not w.isdigit()}),
                              tuple(frozenset(stem(w) for w in ws if w not in GENERIC and w not in NATION_WORDS)
                                    for ws in alias_words),
                              tuple(stems), tuple(phrases), bare, surfaces))
        self._labels.append(label)
        self.position[record["id"]] = i

    def __len__(self) -> int:
        return len(self.position)

    def _top(self, word: str, cap: int):
        posting = self.postings[word]
        if len(posting) <= cap:
            return posting.items()
        top = self._tops.get((word, cap))
        if top is None:
            top = self._tops[(word, cap)] = heapq.nlargest(cap, posting.items(), key=lambda kv: kv[1][0])
        return top

    def _matches(self, word: str, cfg: dict) -> tuple[dict[str, float], str | None]:
        """Stems ``word`` may stand for, with a similarity, and what it was read as when rescued."""
        s = stem(word)
        if s in self.postings:
            return {s: 1.0}, None
        if len(word) < cfg["min_fuzzy_length"] or word.isdigit():
            return {}, None
        found: dict[str, float] = {}
        read_as = None
        start = bisect.bisect_left(self.surface, word)
        for w in self.surface[start:start + 20]:
            if not w.startswith(word):
                break
            found.setdefault(self._stem_of[w], cfg["prefix_similarity"])
            read_as = read_as or w
        edits = 2 if len(word) >= cfg["two_edits_from"] else 1
        for w, distance, _ in process.extract(word, self.surface, scorer=OSA.distance, score_cutoff=edits, limit=3):
            sim = (1 - distance / max(len(word), len(w))) * cfg["fuzzy_factor"]
            if sim > found.get(self._stem_of[w], 0):
                found[self._stem_of[w]] = sim
            read_as = read_as or w
        return found, read_as

    def search(self, text: str, label: str | None = None, limit: int = 20,
               settings: dict | None = None, nations: Iterable[str] = ()) -> list[Hit]:
        """Records matching ``text``, best first; ``settings["search"]`` may override ``graph.settings.DEFAULTS["search"]``.

        ``nations`` are nations asked for besides any the text names.
        """
        cfg = section_of(settings, "search")
        rest, asked_nations = split_nations(text)
        asked_nations |= frozenset(nations)
        query = list(dict.fromkeys(words(rest)))
        # Nation words qualify the question; matched in a name ("Welsh language") they also count, as a bonus.
        optional = [w for w in dict.fromkeys(words(text)) if w not in query]
        if not query:
            query, optional, asked_nations = optional, [], frozenset(nations)
        if not query:
            return []
        phrases = {normalise(" ".join(query)), normalise(" ".join(words(text))),
                   normalise(" ".join(w for w in query if w not in GENERIC))} - {""}
        scores: dict[int, float] = {}
        hits_of: dict[int, list[tuple[str, str, str, bool]]] = {}  # doc -> (query word, field, surface, fuzzy)
        possible = 0.0
        read_as: dict[str, str] = {}
        all_generic = all(qw in GENERIC for qw in query)
        counted = sum(1 for qw in query if qw not in GENERIC or all_generic)
        options_of = [(qw, *self._matches(qw, cfg)) for qw in query]
        # Rarest words first: a very common word then only adds to the candidates the rarer ones found.
        options_of.sort(key=lambda item: sum(len(self.postings[w]) for w in item[1]))
        options_of += [(qw, {stem(qw): 1.0}, None) for qw in optional if stem(qw) in self.postings]
        labels = self._labels
        for qw, options, rescued in options_of:
            is_optional = qw in optional
            generic = qw in GENERIC and not all_generic
            factor = cfg["generic_weight"] if generic else 1.0
            if not options:
                possible += 0.0 if generic else FIELD_WEIGHTS["name"] * self._mean_idf
                continue
            if rescued:
                read_as[qw] = rescued
            if not is_optional:
                possible += factor * FIELD_WEIGHTS["name"] * max(self._idf(w) for w in options)
            size = sum(len(self.postings[w]) for w in options)
            restrict = is_optional or (bool(scores) and size > max(cfg["common_factor"] * len(scores),
                                                                   cfg["restrict_above"]))
            best: dict[int, tuple[float, str, str]] = {}
            for w, sim in options.items():
                idf, posting = self._idf(w), self.postings[w]
                pairs = ((i, posting[i]) for i in scores if i in posting) if restrict else \
                    self._top(w, cfg["max_posting"])
                for i, (weight, kind, surface) in pairs:
                    if (label and labels[i] != label) or (is_optional and kind not in NAMING_FIELDS):
                        continue
                    value = factor * sim * weight * idf
                    if value > best.get(i, (0.0,))[0]:
                        best[i] = (value, kind, surface)
            for i, (value, kind, surface) in best.items():
                scores[i] = scores.get(i, 0.0) + value
                if not is_optional:
                    hits_of.setdefault(i, []).append((qw, kind, surface, rescued is not None))
        asked_stems = {stem(w) for w in [*query, *optional, *read_as.values()]}
        exact = {i for phrase in phrases for i in _docs(self.phrases.get(phrase, ()))}
        exact |= {i for phrase in phrases for i in _docs(self.bare_phrases.get(phrase, ()))
                  if len(self.docs[i].nations) > 1 or self.docs[i].nations & asked_nations}
        for i in exact:
            scores.setdefault(i, 0.0)
        ranked = heapq.nlargest(cfg["max_candidates"], scores, key=scores.__getitem__)
        out = []
        for i in ranked:
            doc = self.docs[i]
            if label and doc.label != label:
                continue
            matched = hits_of.get(i, [])
            score = scores[i] / possible if possible else 0.0
            in_name = {m[2] for m in matched if m[1] == "name"}
            if in_name and doc.name_words:
                # A name that says little besides the words asked for fits best.
                score *= 1 - cfg["name_length_weight"] * (1 - min(1.0, len(in_name) / doc.name_words))
            if asked_nations and doc.nations:
                if not doc.nations & asked_nations:
                    score *= cfg["other_nation_factor"]
                elif doc.nations <= asked_nations:
                    score *= cfg["own_nation_factor"]
            elif len(doc.nations) == 1:
                score *= cfg["one_nation_factor"]
            score *= LABEL_WEIGHTS.get(doc.label, 0.9)
            is_exact = i in exact
            if is_exact:
                score += cfg["exact_bonus"]
            if score < cfg["min_score"]:
                continue
            content = [m for m in matched if m[0] not in GENERIC or all_generic]
            coverage = len(content) / counted if counted else 1.0
            fuzzy = any(m[3] for m in matched)
            out.append(Hit(doc.id, doc.label, doc.name, score, tuple(m[2] for m in matched), is_exact,
                           doc.description, 1.0 if is_exact else coverage, fuzzy and not is_exact,
                           {m[0]: read_as[m[0]] for m in matched if m[3] and m[0] in read_as},
                           _why(matched, doc, asked_nations), doc.producer, tuple(sorted(doc.nations)),
                           is_exact or bool(content) and all(m[1] in NAMING_FIELDS and _typed(m, doc, asked_stems)
                                                             for m in content)))
        out.sort(key=lambda h: (-h.score, len(h.name), h.name.lower(), h.id))
        return out[:limit]


def _typed(match: tuple[str, str, str, bool], doc: _Doc, asked_stems: set[str]) -> bool:
    """Whether a word matched in a naming field names the record: in its name, acronym or keywords
    always; in another name people use for it only when every telling word of one such name that
    holds it was asked ("police" is part of "police recorded crime", which does not make the
    statistic the one asked about; "poverty" is the whole of "poverty statistics").

    >>> doc = _Doc("c", "Statistic", "Crime", None, None, frozenset(), 1,
    ...            (frozenset({"polic", "record", "crime"}), frozenset({"poverti"})))
    >>> _typed(("police", "alias", "police", False), doc, {"polic"})
    False
    >>> poverty, police = ("poverty", "alias", "poverty", False), ("police", "name", "police", False)
    >>> _typed(poverty, doc, {"poverti"}), _typed(police, doc, {"polic"})
    (True, True)
    """
    if match[1] != "alias":
        return True
    word = stem(match[2])
    return any(word in alias and alias <= asked_stems for alias in doc.aliases)


def _why(matched: list[tuple[str, str, str, bool]], doc: _Doc, asked: frozenset[str]) -> tuple[str, ...]:
    """What matched, in words: "‘prices’ in its name", "‘infaltion’ read as ‘inflation’", the nation."""
    by_field: dict[str, list[str]] = {}
    out = []
    for qw, kind, surface, rescued in matched:
        if rescued:
            out.append(f"‘{qw}’ read as ‘{surface}’ ({FIELD_WORDS[kind]})")
        else:
            by_field.setdefault(kind, []).append(qw)
    for kind, qws in by_field.items():
        quoted = " and ".join(f"‘{w}’" for w in qws)
        out.insert(0, f"{quoted} in {FIELD_WORDS[kind]}")
    if asked and doc.nations:
        if doc.nations & asked:
            out.append(f"covers {_nations.describe(doc.nations & asked)}")
        else:
            out.append(f"covers {_nations.describe(doc.nations)}, not {_nations.describe(asked)}")
    return tuple(out)


def index_of(snapshot) -> SearchIndex:
    """The search index of a read-model snapshot, updated from the previous one's where there was one."""
    return snapshot.value("search", lambda snap: SearchIndex.from_graph(snap.graph),
                          update=lambda old, snap, delta: old.updated(snap.graph, delta.nodes, delta.edges))


def search(snapshot, text: str, label: str | None = None, limit: int = 20, settings: dict | None = None) -> list[Hit]:
    """Records of a read-model snapshot matching ``text``, best first (see :class:`SearchIndex`)."""
    return index_of(snapshot).search(text, label=label, limit=limit, settings=settings)


def closest(snapshot, text: str, label: str | None = None, limit: int = 5, settings: dict | None = None) -> list[Hit]:
    """The records nearest to something that was not found (an unknown id or a name)."""
    return search(snapshot, text.replace("-", " ").replace("_", " ").replace(".", " "), label=label, limit=limit,
                  settings={"search": {**((settings or {}).get("search") or {}), "min_score": 0.15}})


def _text_tokens(record: dict) -> tuple[str, ...]:
    """The distinct lower-case, whitespace-separated pieces of a record's name, description and
    tags. A word with no space in it is inside the joined text exactly when it is inside one of these.

    >>> sorted(_text_tokens({"id": "x", "name": "Census 2021", "description": "Counts.", "tags": ["UK", "census"]}))
    ['2021', 'census', 'counts.', 'uk']
    """
    tags = [t for t in (record.get("tags") or []) if isinstance(t, str)]
    description = record.get("description")
    text = " ".join((str(record.get("name") or ""), description if isinstance(description, str) else "", *tags))
    return tuple(sys.intern(t) for t in dict.fromkeys(text.lower().split()))  # one string per piece, shared


class TextIndex:
    """The plain word search of the records API (``GET /api/v1/nodes?q=``): records whose name,
    description or tags contain every word typed (anywhere in a word, as the stores'
    ``search_text`` does), shortest names first.

    Each record is filed under the pieces of its text (:func:`_text_tokens`); a word is looked
    up among the distinct pieces (one regular-expression pass over them, in C), not among the
    records, and what each word matches is remembered, and carried to the updated index (mended
    where a changed record now matches or did). :meth:`updated` re-files
    only the records that changed, leaving this index as it was (the tables hold tuples, which
    are never changed, so the two indexes share all but the changed records' entries; what each
    record was filed under is a :class:`_Layered` table, as only updates read it).

    >>> index = TextIndex([{"id": "c", "label": "Statistic", "name": "Census 2021"},
    ...                    {"id": "o", "label": "Producer", "name": "Office for National Statistics",
    ...                     "tags": ["census"]},
    ...                    {"id": "p", "label": "Statistic", "name": "Population estimates"}])
    >>> [r["id"] for r in index.search("census")], [r["id"] for r in index.search("CENS 2021")]
    (['c', 'o'], ['c'])
    >>> [r["id"] for r in index.search("stat", label="Producer")], index.search("   ")
    (['o'], [])
    >>> later = index.updated({"c": {"id": "c", "label": "Statistic", "name": "Census 2031"}, "p": None})
    >>> [[r["id"] for r in i.search(w)] for i, w in ((later, "2031"), (later, "population"), (index, "population"))]
    [['c'], [], ['p']]
    """

    CACHE_WORDS = 512  # words whose matches are remembered, per index

    def __init__(self, records: Iterable[dict] = ()):
        self.records: dict[str, dict] = {}
        tokens_of: dict[str, tuple[str, ...]] = {}
        postings: dict[str, list[str]] = {}
        for record in records:
            node_id = record["id"]
            self.records[node_id] = record
            tokens_of[node_id] = tokens = _text_tokens(record)
            for token in tokens:
                postings.setdefault(token, []).append(node_id)
        self.tokens_of = _Layered(tokens_of)  # read only by updates, so kept as layers
        self.postings: dict[str, tuple[str, ...]] = {t: tuple(ids) for t, ids in postings.items()}
        self._vocab: str | None = None
        self._words: dict[str, tuple[list[str], frozenset[str]]] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_graph(cls, graph) -> "TextIndex":
        """The index of a registry graph (:mod:`graph.readmodel`), looking its records up in the
        graph's own table of them rather than a copy."""
        index = cls(graph._node.values())
        index.records = graph._node
        return index

    def updated(self, changed: dict[str, dict | None], records: dict[str, dict] | None = None) -> "TextIndex":
        """The index with the records in ``changed`` (id -> record now, or None when deleted)
        re-filed; this index is left as it was. ``records``, when given, is every record as it now
        is (a read model graph's own table): looked up there, not in a copy of this index's
        (100,000 entries at that size, copied and then walked by the garbage collector per write).

        >>> index = TextIndex([{"id": "c", "label": "Statistic", "name": "Census"}])
        >>> now = {"c": {"id": "c", "label": "Statistic", "name": "Census 2031"}}
        >>> later = index.updated(now, records=now)
        >>> later.records is now, [r["name"] for r in later.search("2031")]
        (True, ['Census 2031'])
        """
        new = object.__new__(TextIndex)
        tokens_of, postings = self.tokens_of.child(), dict(self.postings)
        vocab_changed = False
        for node_id, record in changed.items():
            for token in tokens_of.pop(node_id, ()):
                rest = tuple(i for i in postings[token] if i != node_id)
                if rest:
                    postings[token] = rest
                else:
                    del postings[token]
                    vocab_changed = True
            if record is not None:
                tokens_of[node_id] = tokens = _text_tokens(record)
                for token in tokens:
                    ids = postings.get(token)
                    vocab_changed = vocab_changed or ids is None
                    postings[token] = (*(ids or ()), node_id)
        if records is None:
            records = {i: r for i, r in self.records.items() if i not in changed}
            records.update((i, r) for i, r in changed.items() if r is not None)
        new.records, new.tokens_of, new.postings = records, tokens_of.folded(), postings
        new._vocab = None if vocab_changed else self._vocab
        new._words = {}
        with self._lock:
            remembered = list(self._words.items())
        for word, (ordered, ids) in remembered:  # carried, mended where a changed record comes or goes
            now = {i for i, record in changed.items()
                   if record is not None and any(word in t for t in new.tokens_of[i])}
            if now or not ids.isdisjoint(changed):
                ids = (ids - changed.keys()) | now
                ordered = new._ordered(ids)
            new._words[word] = (ordered, frozenset(ids))
        new._lock = threading.Lock()
        return new

    def _ordered(self, ids) -> list[str]:
        """``ids`` shortest names first (then by name and id), as the stores list them."""
        records = self.records
        return sorted(ids, key=lambda i: (len(str(records[i].get("name") or "")), str(records[i].get("name") or ""), i))

    def _matching(self, word: str) -> tuple[list[str], frozenset[str]]:
        """The ids of the records whose text contains ``word``, shortest names first, and as a set."""
        found = self._words.get(word)
        if found is not None:
            return found
        vocab = self._vocab
        if vocab is None:
            vocab = self._vocab = "\n".join(self.postings)
        ids: set[str] = set()
        for token in re.findall(r"^.*" + re.escape(word) + r".*$", vocab, re.MULTILINE):
            ids.update(self.postings[token])
        found = (self._ordered(ids), frozenset(ids))
        with self._lock:
            if len(self._words) >= self.CACHE_WORDS:
                self._words.pop(next(iter(self._words)))
            self._words[word] = found
        return found

    def search(self, text: str, label: str | None = None, limit: int = 20) -> list[dict]:
        """The first ``limit`` records (shortest names first) whose text contains every word of
        ``text`` (at most ten words, case ignored), optionally of one label."""
        query = list(dict.fromkeys(w for w in (text or "").lower().split() if w))[:10]
        if not query:
            return []
        matches = sorted((self._matching(w) for w in query), key=lambda m: len(m[1]))
        first, rest = matches[0][0], [m[1] for m in matches[1:]]
        out = []
        for node_id in first:
            record = self.records[node_id]
            if (label and record.get("label") != label) or any(node_id not in ids for ids in rest):
                continue
            out.append(record)
            if len(out) >= limit:
                break
        return out


def text_index_of(snapshot) -> TextIndex:
    """The word-search index of a read-model snapshot, updated from the previous one's where there was one."""
    def update(old: TextIndex, snap, delta) -> TextIndex:
        nodes = snap.graph._node
        return old.updated({i: nodes.get(i) for i in delta.nodes}, records=nodes)
    return snapshot.value("text_search", lambda snap: TextIndex.from_graph(snap.graph), update=update)


def text_search(snapshot, text: str, label: str | None = None, limit: int = 20) -> list[dict]:
    """Records of a snapshot whose name, description or tags contain every word of ``text``
    (see :class:`TextIndex`)."""
    return text_index_of(snapshot).search(text, label=label, limit=limit)
