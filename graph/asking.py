"""Which statistic a question names: one answer when the registry is sure, otherwise choices, a topic, or nothing.

The rules (the About page says the same in plain English):

1. **One answer** only when the best statistic matched every word of the question
   exactly (no word rescued as a typo), in its name, acronym or the whole of an alias
   rather than only in passing, and is clearly ahead of the next (``lead_ratio``); or when its whole name
   or alias was typed and no other statistic's was. With a nation asked for, the answer
   must be known to cover it, and a statistic of just that nation which the question
   names is preferred to wider ones (so "house prices northern ireland" is Northern
   Ireland's index, not the UK's). With no nation asked, a statistic of one nation is the
   answer only when its name or alias was typed ("SIMD"), not merely matched.
2. **Choices** otherwise: the statistics that matched at least half the question's
   words, each with its producer, its nations and why it matched, and any topics that
   matched; "did you mean" when a word was read as a typo. When some statistic matched
   every word, the others are offered only when they score at least ``partial_share`` of
   the best such one.
3. **A topic** when the question is a topic's name (and no statistic's), or when no
   statistic matches but a topic does: the producers of its statistics and the user
   groups covering it (see :func:`topic_routes`).
4. **Nothing** ("no statistic matches") when neither does; the nearest records are offered.

>>> from graph.search import SearchIndex
>>> from graph.stores.base import graph_from_records
>>> records = [{"id": "cpi", "label": "Statistic", "name": "Consumer price inflation, UK", "aliases": ["CPI"]},
...            {"id": "fps", "label": "Statistic", "name": "Farm Practices Survey"},
...            {"id": "topic.courts", "label": "Topic", "name": "Courts"}]
>>> index = SearchIndex(records)
>>> decide(index, "cpi")
'cpi'
>>> decide(index, "infaltion").did_you_mean
'inflation'
>>> decide(index, "farm prices").choices[0].id
'fps'
>>> index = SearchIndex(records + [{"id": "fpi", "label": "Statistic", "name": "Farm practices index"},
...                                 {"id": "fr", "label": "Statistic", "name": "Farm rents"}])
>>> [c.id for c in decide(index, "farm practices").choices]  # "Farm rents" matched only 'farm': far behind
['fpi', 'fps']
>>> decide(index, "courts").topic["id"]
'topic.courts'
>>> decide(index, "pizza delivery")
Traceback (most recent call last):
...
graph.asking.NoMatch: no statistic matches 'pizza delivery'
"""
from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from . import nations as _nations
from . import search as _search
from .errors import NodeNotFound
from .signpost import organisation_route
from .walk import narrower_topics
from .settings import section_of

def config(settings: dict | None) -> dict:
    """The asking settings: :data:`graph.settings.DEFAULTS` ``["asking"]`` with overrides.

    >>> config({"asking": {"lead_ratio": 2}})["lead_ratio"], config(None)["choice_coverage"]
    (2, 0.5)
    """
    return section_of(settings, "asking")


@dataclass
class Choices:
    """A question that could be several statistics (or topics): the person picks one."""

    query: str
    choices: list[_search.Hit]
    topics: list[_search.Hit] = field(default_factory=list)
    did_you_mean: str | None = None
    nations: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {"query": self.query, "choices": [h.as_dict() for h in self.choices],
                "topics": [h.as_dict() for h in self.topics], "did_you_mean": self.did_you_mean,
                "nations": list(self.nations)}


@dataclass
class TopicAnswer:
    """A question about a subject rather than one statistic: who covers the topic.

    ``topic`` is ``{id, name}``; the routes are filled in by :func:`topic_routes`.
    """

    query: str
    topic: dict
    why: tuple[str, ...] = ()
    producers: list[dict] = field(default_factory=list)
    user_groups: list[dict] = field(default_factory=list)
    statistics: list[dict] = field(default_factory=list)
    did_you_mean: str | None = None

    def as_dict(self) -> dict:
        return {"query": self.query, "topic": self.topic, "why": list(self.why), "producers": self.producers,
                "user_groups": self.user_groups, "statistics": self.statistics, "did_you_mean": self.did_you_mean}


class NoMatch(NodeNotFound):
    """Nothing matches a question; ``closest`` holds the nearest records of any kind."""

    def __init__(self, text: str, closest: list[_search.Hit]):
        super().__init__(text)
        self.closest = closest
        self.args = (f"no statistic matches '{text}'",)


def _did_you_mean(text: str, hits: list[_search.Hit]) -> str | None:
    """The question with each word read as a typo replaced by what it was read as.

    >>> h = _search.Hit("x", "Statistic", "X", 1.0, read_as={"infaltion": "inflation"}, fuzzy=True)
    >>> _did_you_mean("Infaltion rate", [h])
    'inflation rate'
    """
    read_as: dict[str, str] = {}
    for hit in hits:
        for typed, meant in hit.read_as.items():
            read_as.setdefault(typed, meant)
    if not read_as:
        return None
    return " ".join(read_as.get(w, w) for w in text.lower().split())


def decide(index: _search.SearchIndex, text: str, nation: str | None = None,
           settings: dict | None = None, closest=None) -> str | Choices | TopicAnswer:
    """The statistic ``text`` names (its id), or choices, or a topic; :class:`NoMatch` when nothing fits.

    ``nation`` (one of :data:`graph.model.NATIONS`) is the asker's nation, added to any the
    question names. ``closest`` is called for the nearest records when nothing matches.
    """
    cfg = config(settings)
    given = (nation,) if nation else ()
    hits = index.search(text, label="Statistic", limit=cfg["max_choices"] * 3, settings=settings, nations=given)
    asked = _search.split_nations(text)[1] | frozenset(given)
    usable = [h for h in hits if h.coverage >= cfg["choice_coverage"] and h.score >= cfg["choice_score"]]
    pool = usable  # where the one answer and its nearest rival are taken from
    own_first = False
    if asked:
        usable.sort(key=lambda h: not _nations.compatible(frozenset(h.nations), asked))
        # A statistic of just the nation asked about, named by the question, comes before wider ones.
        own = [h for h in usable if h.nations and set(h.nations) <= asked]
        if any(h.coverage >= 1.0 and h.named for h in own):
            usable, pool, own_first = own + [h for h in usable if h not in own], own, True
    topics = [h for h in index.search(text, label="Topic", limit=5, settings=settings, nations=given)
              if h.coverage >= 1.0 and h.named]
    named_statistic = bool(pool) and pool[0].coverage >= 1.0 and pool[0].named and (pool[0].exact or own_first)
    if topics and topics[0].exact and not named_statistic:
        return TopicAnswer(text, {"id": topics[0].id, "name": topics[0].name}, topics[0].why)
    if usable:
        best = pool[0]
        rival = pool[1] if len(pool) > 1 else None
        # With no nation asked, one nation's statistic is an answer only when its name or alias was typed.
        fits = (bool(best.nations) and _nations.compatible(frozenset(best.nations), asked)) if asked else \
            (len(best.nations) != 1 or best.exact)
        clear = (best.exact and not (rival and rival.exact)) or (
            best.coverage >= 1.0 and best.score >= cfg["confident_score"] and best.named
            and (rival is None or best.score >= cfg["lead_ratio"] * rival.score))
        if clear and fits and not best.fuzzy:
            return best.id
        # Beside the best statistic that matched every word, one scoring under ``partial_share`` of it
        # is noise ("rate" alone, or the word only in a topic).
        whole = max((h.score for h in usable if h.coverage >= 1.0), default=0.0)
        offered = [h for h in usable if h.score >= cfg["partial_share"] * whole]
        return Choices(text, offered[: cfg["max_choices"]], topics[:3],
                       _did_you_mean(text, usable[:3] + topics), tuple(sorted(asked)))
    if topics:
        best = topics[0]
        return TopicAnswer(text, {"id": best.id, "name": best.name}, best.why,
                           did_you_mean=_did_you_mean(text, topics[:1]))
    raise NoMatch(text, closest(text) if closest else [])


def topic_routes(graph: nx.MultiDiGraph, answer: TopicAnswer, settings: dict | None = None) -> TopicAnswer:
    """Fill a topic answer in from the graph: who produces statistics about it (or narrower topics),
    with how many, and the user groups covering it or a broader topic.

    >>> from graph.stores.base import graph_from_records
    >>> g = graph_from_records([
    ...     {"id": "t", "label": "Topic", "name": "Courts"}, {"id": "n", "label": "Topic", "name": "Civil courts"},
    ...     {"id": "s", "label": "Statistic", "name": "Civil justice statistics"},
    ...     {"id": "moj", "label": "Producer", "name": "Ministry of Justice", "contact": {"email": "s@j.gov.uk"}},
    ...     {"id": "ug", "label": "UserGroup", "name": "Justice users"}],
    ...     [{"type": "BROADER", "from": "n", "to": "t"}, {"type": "ABOUT", "from": "s", "to": "n"},
    ...      {"type": "PRODUCES", "from": "moj", "to": "s"}, {"type": "COVERS", "from": "ug", "to": "t"}])
    >>> a = topic_routes(g, TopicAnswer("courts", {"id": "t", "name": "Courts"}))
    >>> [(p["id"], p["statistics"], p["contact"]) for p in a.producers], [u["id"] for u in a.user_groups]
    ([('moj', 1, {'email': 's@j.gov.uk'})], ['ug'])
    """
    cfg = config(settings)
    topic = answer.topic["id"]
    if topic not in graph:
        return answer
    narrower = narrower_topics(graph, topic)
    broader, frontier = [topic], [topic]
    for _ in range(cfg["topic_depth"]):
        frontier = [v for t in frontier for _, v, k in graph.out_edges(t, keys=True) if k == "BROADER"
                    and v not in broader]
        broader += frontier
    statistics = sorted({u for t in narrower for u, _, k in graph.in_edges(t, keys=True) if k == "ABOUT"},
                        key=lambda s: str(graph.nodes[s].get("name", s)).lower())
    counts: dict[str, int] = {}
    for s in statistics:
        for u, _, k in graph.in_edges(s, keys=True):
            if k == "PRODUCES":
                counts[u] = counts.get(u, 0) + 1
    answer.producers = []
    for p, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[: cfg["max_producers"]]:
        route = organisation_route(graph, p, settings)
        answer.producers.append({"id": p, "name": graph.nodes[p].get("name", p), "statistics": n,
                                 "contact": route.contact if route else None,
                                 "via": {"id": route.id, "name": route.name} if route and route.id != p else None})
    groups = []
    for t in broader:
        for u, _, k in graph.in_edges(t, keys=True):
            if k == "COVERS" and u not in {g["id"] for g in groups}:
                groups.append({"id": u, "name": graph.nodes[u].get("name", u), "contact": graph.nodes[u].get("contact"),
                               "topic": graph.nodes[t].get("name", t)})
    answer.user_groups = groups[: cfg["max_user_groups"]]
    answer.statistics = [{"id": s, "name": graph.nodes[s].get("name", s)} for s in statistics[: cfg["max_choices"]]]
    return answer


def ask(snapshot, text: str, nation: str | None = None, settings: dict | None = None) -> str | Choices | TopicAnswer:
    """:func:`decide` over a read-model snapshot's search index, with a topic answer's routes filled in."""
    found = decide(_search.index_of(snapshot), text, nation, settings,
                   closest=lambda t: _search.closest(snapshot, t, settings=settings))
    if isinstance(found, TopicAnswer):
        return topic_routes(snapshot.graph, found, settings)
    return found
