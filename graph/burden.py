"""The burden of consultation: how much each public and intermediary has been asked.

OSR's toolkit (tip 9) warns that being inclusive can make some groups carry a
disproportionate burden of consultation. This module measures that burden across
every producer, as of any date, so the history can be replayed.

The model (every number comes from ``settings["burden"]``):

* An engagement counts when its ``status`` is ``held`` or ``reported`` and it had
  started by ``as_of``. Planned engagements count only in a planning check.
* Its **date** is its ``end`` (its ``start`` when it has no end). An engagement
  still running on ``as_of`` is dated ``as_of``. It is **in the window** when that
  date falls in ``[as_of - window_days, as_of]`` (both ends included), and its
  **age** is ``as_of`` minus that date, in days.
* Its **units** = method weight × recency ``0.5 ** (age / half_life_days)``
  × feedback debt (``feedback_debt_factor`` when it owes feedback as of ``as_of``:
  :func:`graph.feedback.debt_days`, the one rule every page uses)
  × ``remunerated_factor`` when participants were paid.
* A public's burden is the sum of the units of the engagements that INVOLVED it
  (a link a harvest proposed counts only once an editor confirms it: :func:`confirmed`);
  an intermediary's (or user group's) load is the sum over engagements VIA it.
* **Coverage** (:func:`coverage`) says what every figure rests on: how many
  engagements, from how many producers, the registry records in the window, and the
  latest of them. Fewer than ``coverage_min_engagements`` engagements or
  ``coverage_min_producers`` producers is too few to judge: a low burden may only
  mean that little is recorded.
* Its **ratio** is burden ÷ capacity (the node's ``capacity``, or the defaults:
  ``capacity_public``; ``capacity_intermediary``, or ``capacity_volunteer_led``
  when volunteer-led). Status: ``ok`` below ``high_from``, ``high`` below
  ``over_from``, ``over`` from it. A capacity of 0 makes any burden ``over``.

>>> import networkx as nx
>>> from graph.settings import DEFAULTS
>>> g = nx.MultiDiGraph()
>>> g.add_node("p", label="Public", name="Carers")
>>> g.add_node("e", label="Engagement", name="Workshop", method="workshop",
...            start="2024-01-01", end="2024-01-01", status="held", feedback_published="2024-02-01")
>>> g.add_edge("e", "p", key="INVOLVED", type="INVOLVED")
'INVOLVED'
>>> s = score_node(g, "p", _dt.date(2024, 1, 1), DEFAULTS)
>>> s.units, s.capacity, s.ratio, s.status
(3.0, 10.0, 0.3, 'ok')
>>> s = score_node(g, "p", _dt.date(2024, 6, 29), DEFAULTS)  # 180 days later: half
>>> s.units, s.engagements[0].factors["recency"]
(1.5, 0.5)
"""
from __future__ import annotations

import calendar
import datetime as _dt
import math
from dataclasses import dataclass, field
from typing import Iterable

from . import model
from .feedback import COUNTED, debt_days, feedback_given
from .settings import section_of

PUBLIC_LABELS = ("Public",)
GATEKEEPER_LABELS = ("Intermediary", "UserGroup")


@dataclass
class Contribution:
    """One engagement's share of a burden, with the factors that made it."""

    engagement: str
    name: str
    producer: str | None
    method: str
    start: str
    end: str | None
    units: float
    factors: dict  # {"method_weight", "recency", "feedback_debt", "remunerated"}
    age_days: int = 0
    producer_name: str | None = None
    status: str | None = None
    feedback_published: str | None = None
    feedback_given: bool = False


@dataclass(slots=True)
class Score:
    """The burden on one public (or the load on one intermediary or user group). Slotted: the
    index keeps one for every public, intermediary and user group (about 45,000 at 100k)."""

    id: str
    name: str
    label: str
    units: float
    capacity: float
    ratio: float
    status: str  # ok | high | over
    engagements: list[Contribution]
    producers: list[str]

    @property
    def engagement_count(self) -> int:
        return len(self.engagements)


@dataclass
class BurdenIndex:
    as_of: _dt.date
    window_days: int
    publics: list[Score] = field(default_factory=list)
    intermediaries: list[Score] = field(default_factory=list)


@dataclass
class Debt:
    """An engagement whose participants have not been told what happened ("you said, we did")."""

    engagement: str
    name: str
    producer: str | None
    producer_name: str | None
    method: str
    start: str
    end: str | None
    days_since_end: int
    publics: list[str]


def conf(settings: dict) -> dict:
    """The burden part of the settings (``settings["burden"]``).

    >>> conf({"burden": {"window_days": 30}})["window_days"]
    30
    """
    return section_of(settings, "burden")


def engagement_date(record: dict, as_of: _dt.date) -> _dt.date | None:
    """The date an engagement counts from: its end (or start), but never after ``as_of``.

    None when it had not started by ``as_of`` or has no valid start.

    >>> engagement_date({"start": "2024-01-01", "end": "2024-03-01"}, _dt.date(2024, 6, 1))
    datetime.date(2024, 3, 1)
    >>> engagement_date({"start": "2024-01-01", "end": "2024-03-01"}, _dt.date(2024, 2, 1))
    datetime.date(2024, 2, 1)
    >>> engagement_date({"start": "2024-01-01"}, _dt.date(2023, 12, 31)) is None
    True
    """
    start = model.parse_date(record.get("start"))
    if start is None or start > as_of:
        return None
    end = model.parse_date(record.get("end")) or start
    return min(end, as_of)


def status_for(ratio: float, settings: dict) -> str:
    """ok, high or over for a ratio.

    >>> from graph.settings import DEFAULTS
    >>> [status_for(r, DEFAULTS) for r in (0.69, 0.7, 0.99, 1.0)]
    ['ok', 'high', 'high', 'over']
    """
    c = conf(settings)
    if ratio >= c["over_from"]:
        return "over"
    if ratio >= c["high_from"]:
        return "high"
    return "ok"


def capacity_of(node: dict, settings: dict) -> float:
    """A node's capacity per window: its own ``capacity`` or the default for its kind.

    >>> from graph.settings import DEFAULTS
    >>> capacity_of({"label": "Public"}, DEFAULTS), capacity_of({"label": "Intermediary", "volunteer_led": True}, DEFAULTS)
    (10.0, 6.0)
    >>> capacity_of({"label": "Intermediary", "capacity": 20}, DEFAULTS)
    20.0
    """
    c = conf(settings)
    if isinstance(node.get("capacity"), (int, float)) and not isinstance(node.get("capacity"), bool):
        return float(node["capacity"])
    if node.get("label") == "Public":
        return float(c["capacity_public"])
    if node.get("volunteer_led"):
        return float(c["capacity_volunteer_led"])
    return float(c["capacity_intermediary"])


def contribution(record: dict, as_of: _dt.date, settings: dict, producers: list[tuple[str, str]] = (),
                 planned_counts: bool = False) -> Contribution | None:
    """An engagement's units as of a date, or None when it does not count then.

    ``producers`` is ``[(id, name)]`` of those that RAN it. ``planned_counts`` makes a
    planned engagement count as if held (the planning check's draft).

    >>> from graph.settings import DEFAULTS
    >>> e = {"id": "e", "name": "Survey", "method": "survey", "start": "2024-01-01", "status": "held",
    ...      "remunerated": True}
    >>> c = contribution(e, _dt.date(2024, 4, 1), DEFAULTS)   # 91 days on: feedback debt too
    >>> c.factors["feedback_debt"], c.factors["remunerated"], c.age_days
    (1.5, 0.8, 91)
    >>> contribution({**e, "status": "planned"}, _dt.date(2024, 4, 1), DEFAULTS) is None
    True
    """
    c = conf(settings)
    status = record.get("status") or "held"
    if status not in COUNTED and not (planned_counts and status == "planned"):
        return None
    date = engagement_date(record, as_of)
    if date is None:
        return None
    age = (as_of - date).days
    if age > c["window_days"]:
        return None
    weight = float(c["method_weights"].get(record.get("method"), c["method_weights"]["other"]))
    recency = 0.5 ** (age / c["half_life_days"])
    debt = float(c["feedback_debt_factor"]) if debt_days(record, as_of, settings) is not None else 1.0
    paid = float(c["remunerated_factor"]) if record.get("remunerated") is True else 1.0
    units = round(weight * recency * debt * paid, 3)
    first = sorted(producers)[0] if producers else (None, None)
    return Contribution(
        engagement=record["id"], name=record.get("name", record["id"]), producer=first[0],
        method=record.get("method", "other"), start=record.get("start"), end=record.get("end"),
        units=units, factors={"method_weight": weight, "recency": round(recency, 4),
                              "feedback_debt": debt, "remunerated": paid},
        age_days=age, producer_name=first[1], status=status,
        feedback_published=record.get("feedback_published"), feedback_given=feedback_given(record, as_of))


def _producers_of(graph, engagement_id: str) -> list[tuple[str, str]]:
    return sorted((src, graph.nodes[src].get("name", src))
                  for src, _dst, key in graph.in_edges(engagement_id, keys=True) if key == "RAN")


def confirmed(attrs: dict) -> bool:
    """Whether an INVOLVED link counts: every link but one a harvest proposed and no editor has
    confirmed yet (``confirmed`` false, see ``graph.model``).

    >>> confirmed({}), confirmed({"confirmed": True}), confirmed({"confirmed": False})
    (True, True, False)
    """
    return attrs.get("confirmed") is not False


def engagements_of(graph, node_id: str) -> list[str]:
    """The engagements that INVOLVED a public (confirmed links only), or went VIA an intermediary or group.

    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_edge("e1", "p", key="INVOLVED"); g.add_edge("e2", "p", key="ON")
    'INVOLVED'
    'ON'
    >>> g.add_edge("e3", "p", key="INVOLVED", confirmed=False)
    'INVOLVED'
    >>> engagements_of(g, "p")
    ['e1']
    """
    return sorted(src for src, _dst, key, attrs in graph.in_edges(node_id, keys=True, data=True)
                  if key == "VIA" or (key == "INVOLVED" and confirmed(attrs)))


def score_records(node: dict, engagements: Iterable[tuple[dict, list[tuple[str, str]], bool]],
                  as_of: _dt.date, settings: dict) -> Score:
    """Score one node from its engagements: ``(record, producers, planned_counts)`` triples."""
    contributions, producers = [], set()
    for record, ran_by, planned_counts in engagements:
        item = contribution(record, as_of, settings, ran_by, planned_counts)
        if item is None:
            continue
        contributions.append(item)
        producers.update(pid for pid, _name in ran_by)
    contributions.sort(key=lambda c: (-c.units, c.engagement))
    units = round(float(sum(c.units for c in contributions)), 3)
    capacity = capacity_of(node, settings)
    if capacity > 0:
        ratio = round(units / capacity, 3)
    else:
        ratio = math.inf if units > 0 else 0.0
    return Score(id=node["id"], name=node.get("name", node["id"]), label=node.get("label", ""),
                 units=units, capacity=capacity, ratio=ratio, status=status_for(ratio, settings),
                 engagements=contributions, producers=sorted(producers))


def score_node(graph, node_id: str, as_of: _dt.date, settings: dict, extra: Iterable[dict] = ()) -> Score:
    """The burden on a public, or the load on an intermediary or user group, as of a date.

    Local: it looks only at the engagements INVOLVED with (or VIA) the node and who
    RAN them. ``extra`` are draft engagement records (with ``_producers``, a list of
    ``(id, name)``) counted as if held: the planning check's "after".

    >>> import networkx as nx
    >>> from graph.settings import DEFAULTS
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("i", label="Intermediary", name="Carers UK", volunteer_led=True)
    >>> g.add_node("e", label="Engagement", name="Jury", method="citizens_jury", start="2024-05-01",
    ...            status="reported", feedback_published="2024-06-01")
    >>> g.add_node("ons", label="Producer", name="ONS")
    >>> g.add_edge("e", "i", key="VIA", type="VIA"); g.add_edge("ons", "e", key="RAN", type="RAN")
    'VIA'
    'RAN'
    >>> s = score_node(g, "i", _dt.date(2024, 5, 1), DEFAULTS)
    >>> s.units, s.capacity, s.ratio, s.status, s.producers
    (6.0, 6.0, 1.0, 'over', ['ons'])
    """
    node = {"id": node_id, **graph.nodes[node_id]}
    items = [({"id": e, **graph.nodes[e]}, _producers_of(graph, e), False)
             for e in engagements_of(graph, node_id)
             if graph.nodes[e].get("label") == "Engagement"]
    items += [(draft, list(draft.get("_producers", ())), True) for draft in extra]
    return score_records(node, items, as_of, settings)


def _ranked(scores: list[Score]) -> list[Score]:
    return sorted(scores, key=lambda s: (-s.ratio, -s.units, s.name.lower(), s.id))


def burden_index(graph, as_of: _dt.date, settings: dict) -> BurdenIndex:
    """Every public and every intermediary or user group, highest ratio first.

    >>> import networkx as nx
    >>> from graph.settings import DEFAULTS
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", label="Public", name="A"); g.add_node("b", label="Public", name="B", capacity=2)
    >>> g.add_node("e", label="Engagement", name="Poll", method="poll", start="2024-01-01", status="held")
    >>> g.add_edge("e", "a", key="INVOLVED"); g.add_edge("e", "b", key="INVOLVED")
    'INVOLVED'
    'INVOLVED'
    >>> [(s.id, s.ratio, s.status) for s in burden_index(g, _dt.date(2024, 1, 2), DEFAULTS).publics]
    [('b', 0.498, 'ok'), ('a', 0.1, 'ok')]
    """
    publics, gatekeepers = [], []
    for node_id, data in graph.nodes(data=True):
        label = data.get("label")
        if label in PUBLIC_LABELS:
            publics.append(score_node(graph, node_id, as_of, settings))
        elif label == "Intermediary" or (label == "UserGroup" and engagements_of(graph, node_id)):
            gatekeepers.append(score_node(graph, node_id, as_of, settings))
    return BurdenIndex(as_of=as_of, window_days=int(conf(settings)["window_days"]),
                       publics=_ranked(publics), intermediaries=_ranked(gatekeepers))


def feedback_debt(graph, as_of: _dt.date, settings: dict) -> list[Debt]:
    """Engagements that owe feedback as of ``as_of`` (:func:`graph.feedback.debt_days`: held or
    reported, ended more than ``feedback_debt_days`` before, no feedback given), longest overdue first.

    >>> import networkx as nx
    >>> from graph.settings import DEFAULTS
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("e", label="Engagement", name="Panel", method="panel_meeting", start="2024-01-01", status="held")
    >>> [d.days_since_end for d in feedback_debt(g, _dt.date(2024, 3, 31), DEFAULTS)]
    []
    >>> [d.days_since_end for d in feedback_debt(g, _dt.date(2024, 4, 1), DEFAULTS)]
    [91]
    """
    rows = []
    for node_id, data in graph.nodes(data=True):
        if data.get("label") != "Engagement":
            continue
        age = debt_days(data, as_of, settings)
        if age is None:
            continue
        ran_by = _producers_of(graph, node_id)
        first = ran_by[0] if ran_by else (None, None)
        publics = sorted(dst for _src, dst, key in graph.out_edges(node_id, keys=True) if key == "INVOLVED")
        rows.append(Debt(engagement=node_id, name=data.get("name", node_id), producer=first[0],
                         producer_name=first[1], method=data.get("method", "other"), start=data.get("start"),
                         end=data.get("end"), days_since_end=age, publics=publics))
    return sorted(rows, key=lambda d: (-d.days_since_end, d.engagement))


@dataclass
class Coverage:
    """What the burden figures as of a date rest on: the engagements the registry records in
    the window, across every public and producer. ``too_few`` when they are fewer than
    ``coverage_min_engagements`` or come from fewer than ``coverage_min_producers`` producers:
    then a low burden may only mean that little is recorded."""

    as_of: _dt.date
    window_days: int
    engagements: int
    producers: int
    producer_ids: list[str]
    latest: dict | None          # the most recent engagement recorded by as_of: id, name, date, verified
    latest_verified: str | None  # the newest `verified` among the engagements in the window
    min_engagements: int
    min_producers: int
    too_few: bool
    message: str

    def as_dict(self) -> dict:
        return {"as_of": self.as_of.isoformat(), "window_days": self.window_days,
                "engagements": self.engagements, "producers": self.producers, "producer_ids": self.producer_ids,
                "latest": self.latest, "latest_verified": self.latest_verified,
                "min_engagements": self.min_engagements, "min_producers": self.min_producers,
                "too_few": self.too_few, "message": self.message}


def window_words(days: int) -> str:
    """A window in words: whole years as months, otherwise days.

    >>> window_words(365), window_words(730), window_words(180), window_words(1)
    ('12 months', '24 months', '180 days', '1 day')
    """
    if days >= 365 and days % 365 == 0:
        return f"{days // 365 * 12} months"
    return f"{days} day{'' if days == 1 else 's'}"


def _long(day: _dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def coverage(graph, as_of: _dt.date, settings: dict) -> Coverage:
    """What the burden as of ``as_of`` rests on, in figures and in plain English.

    Counts the held or reported engagements in the window (dated as :func:`engagement_date`
    dates them, whoever they involved) and the distinct producers that RAN them, and finds
    the most recent engagement recorded by ``as_of`` (in the window or not). Pure: it reads
    only Engagement nodes and RAN edges.

    >>> import networkx as nx
    >>> from graph.settings import DEFAULTS
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("e1", label="Engagement", name="Panel", start="2026-03-01", status="held", verified="2026-11-01")
    >>> g.add_node("e2", label="Engagement", name="Old survey", start="2019-05-01", status="reported")
    >>> g.add_node("ons", label="Producer", name="ONS"); g.add_edge("ons", "e1", key="RAN")
    'RAN'
    >>> c = coverage(g, _dt.date(2026, 12, 1), DEFAULTS)
    >>> c.engagements, c.producers, c.too_few, c.latest["id"]
    (1, 1, True, 'e1')
    >>> c.message
    'Only 1 engagement from 1 producer is recorded for the 12 months to 1 December 2026: burden may be understated.'
    >>> coverage(g, _dt.date(2026, 12, 1), {"burden": {**DEFAULTS["burden"], "coverage_min_engagements": 1,
    ...                                                 "coverage_min_producers": 1}}).message
    '1 engagement from 1 producer is recorded for the 12 months to 1 December 2026.'
    >>> coverage(nx.MultiDiGraph(), _dt.date(2026, 12, 1), DEFAULTS).message
    'No engagement is recorded for the 12 months to 1 December 2026: burden may be understated.'
    """
    c = conf(settings)
    window = int(c["window_days"])
    min_engagements = int(c["coverage_min_engagements"])
    min_producers = int(c["coverage_min_producers"])
    counted, producers, latest, verified = 0, set(), None, None
    for node_id, data in graph.nodes(data=True):
        if data.get("label") != "Engagement" or (data.get("status") or "held") not in COUNTED:
            continue
        date = engagement_date(data, as_of)
        if date is None:
            continue
        if latest is None or (date, node_id) > (latest[0], latest[1]):
            latest = (date, node_id, data)
        if (as_of - date).days > window:
            continue
        counted += 1
        producers.update(src for src, _dst, key in graph.in_edges(node_id, keys=True) if key == "RAN")
        seen = model.parse_date(data.get("verified"))
        if seen is not None and (verified is None or seen > verified):
            verified = seen
    too_few = counted < min_engagements or len(producers) < min_producers
    period = f"the {window_words(window)} to {_long(as_of)}"
    if counted == 0:
        message = f"No engagement is recorded for {period}: burden may be understated."
    else:
        verb = "is" if counted == 1 else "are"
        figures = f"{_plural(counted, 'engagement')} from {_plural(len(producers), 'producer')} {verb} recorded"
        message = (f"Only {figures} for {period}: burden may be understated." if too_few
                   else f"{figures[0].upper()}{figures[1:]} for {period}.")
    latest_dict = None
    if latest is not None:
        day, node_id, data = latest
        latest_dict = {"id": node_id, "name": data.get("name", node_id), "date": day.isoformat(),
                       "verified": data.get("verified")}
    return Coverage(as_of=as_of, window_days=window, engagements=counted, producers=len(producers),
                    producer_ids=sorted(producers), latest=latest_dict,
                    latest_verified=verified.isoformat() if verified else None,
                    min_engagements=min_engagements, min_producers=min_producers, too_few=too_few, message=message)


def month_ends(as_of: _dt.date, months: int = 24) -> list[_dt.date]:
    """The last day of each of the ``months`` months up to ``as_of``'s; the last one is ``as_of``.

    >>> month_ends(_dt.date(2024, 3, 15), 3)
    [datetime.date(2024, 1, 31), datetime.date(2024, 2, 29), datetime.date(2024, 3, 15)]
    """
    out = []
    year, month = as_of.year, as_of.month
    for _ in range(months):
        last = _dt.date(year, month, calendar.monthrange(year, month)[1])
        out.append(min(last, as_of))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


@dataclass
class Point:
    date: _dt.date
    units: float
    ratio: float
    status: str


def history(graph, node_id: str, as_of: _dt.date, settings: dict, months: int = 24) -> list[Point]:
    """The burden on a node at the end of each of the last ``months`` months (for charts).

    >>> import networkx as nx
    >>> from graph.settings import DEFAULTS
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("p", label="Public", name="P")
    >>> g.add_node("e", label="Engagement", name="S", method="survey", start="2024-02-10", status="reported",
    ...            feedback_published="2024-02-20")
    >>> g.add_edge("e", "p", key="INVOLVED")
    'INVOLVED'
    >>> [(p.date.isoformat(), p.units) for p in history(g, "p", _dt.date(2024, 3, 31), DEFAULTS, 3)]
    [('2024-01-31', 0.0), ('2024-02-29', 0.929), ('2024-03-31', 0.825)]
    """
    points = []
    for day in month_ends(as_of, months):
        s = score_node(graph, node_id, day, settings)
        points.append(Point(day, s.units, s.ratio, s.status))
    return points
