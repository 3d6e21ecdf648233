"""Did the contact help? Route reports, route health, ping-pong, suggested referrals and ranking.

A **route** is a statistic and the first contact the signpost gave for it (:mod:`graph.signpost`);
"Report a wrong contact" on a record's page makes a report about that record alone (no statistic).
Someone who used a route says what happened: they got an answer, were passed on (to whom, and how
many times), got no reply, or found the details wrong. The rules of a report are in
:mod:`graph.model` (``validate_report``); the stores keep reports beside the registry, never in it.

Everything here is a pure function over the registry graph and a list of stored reports:

* :func:`route_health` — per route and per producer over the window (12 months by default): the
  share answered, passed on, unanswered and with wrong details, with counts, or "not enough
  reports" below ``min_reports``; and the **ping-pong rate**, the share of questions passed on more
  than once.
* :func:`suggestions` — "passed on to X" as a suggested REFERS_TO from the first contact to X, with
  how many people reported it; :func:`referral_edge` is the relationship an editor accepts.
* :func:`wrong_detail_gaps` — routes with open "wrong details" reports, for the top of the gaps report.
* :func:`rerank` — behind the ``ranking`` setting (off by default): a route most people got no reply
  from drops below an alternative, with the reason shown. Only counted reports from several days
  move it, so a burst from one client (already limited per client) cannot.

>>> from graph.stores.base import graph_from_records
>>> g = graph_from_records([{"id": "s", "label": "Statistic", "name": "Crime"},
...     {"id": "p", "label": "Producer", "name": "Home Office"}, {"id": "q", "label": "Producer", "name": "ONS"}],
...     [{"type": "PRODUCES", "from": "p", "to": "s"}])
>>> reports = [{"id": f"r{i}", "at": f"2026-02-0{i}T10:00:00+00:00", "status": "open", "statistic": "s",
...             "contact": "p", "outcome": o} for i, o in enumerate(["answered", "no_reply", "no_reply"], 1)]
>>> health = route_health(g, reports, {"route_reports": {"min_reports": 2}}, today=_dt.date(2026, 3, 1))
>>> [(r.name, r.total, r.shares["no_reply"]) for r in health.routes]
[('Crime → Home Office', 3, 0.667)]
"""
from __future__ import annotations

import datetime as _dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace

import networkx as nx

from . import model
from .gaps import Finding
from .settings import section_of
from .walk import linked

OUTCOMES = model.REPORT_OUTCOMES


def config(settings: dict | None) -> dict:
    """The ``route_reports`` settings over their defaults.

    >>> config(None)["ranking"], config({"route_reports": {"ranking": True}})["ranking"]
    (False, True)
    """
    return section_of(settings, "route_reports")


def day_of(report: dict) -> str:
    """The date (YYYY-MM-DD) a report was sent.

    >>> day_of({"at": "2026-03-01T10:00:00+00:00"})
    '2026-03-01'
    """
    return str(report.get("at", ""))[:10]


def window_start(settings: dict | None, today: _dt.date) -> _dt.date:
    """The first day route health counts (``window_days`` before ``today``).

    >>> window_start(None, _dt.date(2026, 3, 1))
    datetime.date(2025, 3, 1)
    """
    return today - _dt.timedelta(days=config(settings)["window_days"])


def counted(reports, settings: dict | None = None, today: _dt.date | None = None) -> list[dict]:
    """The reports that count: not held or spam, and within the window when ``today`` is given."""
    since = window_start(settings, today).isoformat() if today else ""
    return [r for r in reports if r.get("status") in model.REPORT_COUNTED and day_of(r) >= since]


def _name(graph: nx.MultiDiGraph, node_id: str | None) -> str:
    if node_id is None:
        return ""
    return str(graph.nodes[node_id].get("name", node_id)) if node_id in graph else node_id


def route_name(graph: nx.MultiDiGraph, statistic: str | None, contact: str) -> str:
    """How a route is named: "statistic → contact", or the contact alone for a report from its page.

    >>> import networkx as nx
    >>> route_name(nx.MultiDiGraph(), None, "ons")
    'ons'
    """
    return f"{_name(graph, statistic)} → {_name(graph, contact)}" if statistic else _name(graph, contact)


@dataclass
class Tally:
    """Reports counted by outcome, with shares once there are enough (``None``: not enough reports)."""

    counts: dict[str, int]
    total: int
    enough: bool
    shares: dict[str, float] | None
    ping_pong: int  # questions passed on more than once
    ping_pong_rate: float | None
    days: int  # different days reports came on

    def as_dict(self) -> dict:
        return {"counts": self.counts, "total": self.total, "enough_reports": self.enough, "shares": self.shares,
                "ping_pong": self.ping_pong, "ping_pong_rate": self.ping_pong_rate, "days": self.days}


def tally(reports: list[dict], min_reports: int) -> Tally:
    """Count reports by outcome; shares (to 3 places) only from ``min_reports`` reports.

    >>> t = tally([{"outcome": "passed_on", "times_passed_on": 2, "at": "2026-01-01"},
    ...            {"outcome": "answered", "at": "2026-01-02"}], 2)
    >>> t.counts["passed_on"], t.shares["answered"], t.ping_pong, t.ping_pong_rate, t.days
    (1, 0.5, 1, 0.5, 2)
    >>> tally([{"outcome": "answered", "at": "2026-01-01"}], 5).shares is None
    True
    """
    counts = Counter(r.get("outcome") for r in reports)
    total = len(reports)
    pong = sum(1 for r in reports if r.get("outcome") == "passed_on" and (r.get("times_passed_on") or 1) > 1)
    enough = total >= max(1, min_reports)
    return Tally({o: counts.get(o, 0) for o in OUTCOMES}, total, enough,
                 {o: round(counts.get(o, 0) / total, 3) for o in OUTCOMES} if enough else None,
                 pong, round(pong / total, 3) if enough else None, len({day_of(r) for r in reports}))


@dataclass
class RouteRow:
    statistic: str | None
    contact: str
    name: str
    producers: list[str]
    tally: Tally
    open_wrong_details: int

    @property
    def total(self) -> int:
        return self.tally.total

    @property
    def shares(self):
        return self.tally.shares

    def as_dict(self) -> dict:
        return {"statistic": self.statistic, "contact": self.contact, "name": self.name, "producers": self.producers,
                "open_wrong_details": self.open_wrong_details, **self.tally.as_dict()}


@dataclass
class ProducerRow:
    producer: str
    name: str
    routes: int
    tally: Tally

    def as_dict(self) -> dict:
        return {"producer": self.producer, "name": self.name, "routes": self.routes, **self.tally.as_dict()}


@dataclass
class Health:
    since: _dt.date
    until: _dt.date
    min_reports: int
    routes: list[RouteRow] = field(default_factory=list)
    producers: list[ProducerRow] = field(default_factory=list)
    overall: Tally | None = None

    def as_dict(self) -> dict:
        return {"since": self.since.isoformat(), "until": self.until.isoformat(), "min_reports": self.min_reports,
                "overall": self.overall.as_dict() if self.overall else None,
                "routes": [r.as_dict() for r in self.routes], "producers": [p.as_dict() for p in self.producers]}


def producers_of(graph: nx.MultiDiGraph, statistic: str | None, contact: str) -> list[str]:
    """The producers a route answers for: those that PRODUCE its statistic, else the contact if a producer."""
    if statistic and statistic in graph:
        found = sorted({u for u, _, k in graph.in_edges(statistic, keys=True) if k == "PRODUCES"})
        if found:
            return found
    return [contact] if contact in graph and graph.nodes[contact].get("label") == "Producer" else []


def by_route(reports) -> dict[tuple[str | None, str], list[dict]]:
    out: dict[tuple[str | None, str], list[dict]] = defaultdict(list)
    for r in reports:
        out[(r.get("statistic"), r["contact"])].append(r)
    return out


def route_health(graph: nx.MultiDiGraph, reports, settings: dict | None = None,
                 today: _dt.date | None = None) -> Health:
    """Route health per route and per producer over the window ending ``today``.

    Routes with open "wrong details" reports come first (most first), then the most reported.
    """
    cfg = config(settings)
    today = today or _dt.date.today()
    kept = counted(reports, settings, today)
    minimum = cfg["min_reports"]
    health = Health(window_start(settings, today), today, minimum, overall=tally(kept, minimum))
    per_producer: dict[str, list[dict]] = defaultdict(list)
    per_producer_routes: Counter = Counter()
    for (statistic, contact), rows in by_route(kept).items():
        producers = producers_of(graph, statistic, contact)
        wrong = sum(1 for r in rows if r.get("outcome") == "wrong_details" and r.get("status") == "open")
        health.routes.append(RouteRow(statistic, contact, route_name(graph, statistic, contact), producers,
                                      tally(rows, minimum), wrong))
        for p in producers:
            per_producer[p] += rows
            per_producer_routes[p] += 1
    health.routes.sort(key=lambda r: (-r.open_wrong_details, -r.total, r.name.lower()))
    health.producers = sorted((ProducerRow(p, _name(graph, p), per_producer_routes[p], tally(rows, minimum))
                               for p, rows in per_producer.items()), key=lambda p: (-p.tally.total, p.name.lower()))
    return health


def window_reports(store, settings: dict | None, today: _dt.date, contact: str | None = None) -> list[dict]:
    """A store's reports (any status) within the route-health window ending ``today``, newest first.

    The one place the pages, the API and ``pathways route-health`` choose which stored reports to read.
    """
    return store.reports(since=window_start(settings, today).isoformat(), contact=contact)


# -- suggested referrals ------------------------------------------------------------------------

@dataclass
class Suggestion:
    """People reported being passed on from ``contact`` to ``passed_to``: a REFERS_TO to accept."""

    contact: str
    passed_to: str
    contact_name: str
    passed_to_name: str
    count: int
    report_ids: list[str]
    first: str
    last: str
    recorded: bool  # the registry already has this REFERS_TO

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("contact", "passed_to", "contact_name", "passed_to_name", "count",
                                              "report_ids", "first", "last", "recorded")}


def suggestions(graph: nx.MultiDiGraph, reports) -> list[Suggestion]:
    """Open "passed on to" reports naming a record, grouped by (first contact, record), most reported first.

    >>> from graph.stores.base import graph_from_records
    >>> g = graph_from_records([{"id": "a", "label": "Producer", "name": "A"}, {"id": "b", "label": "Producer", "name": "B"}], [])
    >>> rs = [{"id": "r1", "at": "2026-01-01T09:00:00+00:00", "status": "open", "contact": "a", "outcome": "passed_on",
    ...        "passed_to": "b"}, {"id": "r2", "at": "2026-01-03T09:00:00+00:00", "status": "open", "contact": "a",
    ...        "outcome": "passed_on", "passed_to": "b"}]
    >>> [(s.contact, s.passed_to, s.count, s.last) for s in suggestions(g, rs)]
    [('a', 'b', 2, '2026-01-03')]
    """
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for r in reports:
        if r.get("status") == "open" and r.get("outcome") == "passed_on" and r.get("passed_to") \
                and r["contact"] in graph and r["passed_to"] in graph:
            groups[(r["contact"], r["passed_to"])].append(r)
    out = []
    for (contact, to), rows in groups.items():
        days = sorted(day_of(r) for r in rows)
        out.append(Suggestion(contact, to, _name(graph, contact), _name(graph, to), len(rows),
                              [r["id"] for r in rows], days[0], days[-1], graph.has_edge(contact, to, key="REFERS_TO")))
    return sorted(out, key=lambda s: (-s.count, s.contact_name.lower(), s.passed_to_name.lower()))


def people(n: int) -> str:
    """How many people, in words.

    >>> people(1), people(3)
    ('1 person', '3 people')
    """
    return f"{n} person" if n == 1 else f"{n} people"


def referral_edge(suggestion: Suggestion, today: _dt.date) -> dict:
    """The REFERS_TO an editor accepts from a suggestion, citing the reports as its source.

    >>> s = Suggestion("a", "b", "A", "B", 3, ["r1"], "2026-01-01", "2026-01-03", False)
    >>> referral_edge(s, _dt.date(2026, 2, 1))["source"]
    'Pathways route reports: 3 people reported being passed on from A to B, 2026-02-01'
    """
    return {"type": "REFERS_TO", "from": suggestion.contact, "to": suggestion.passed_to,
            "source": f"Pathways route reports: {people(suggestion.count)} reported being passed on from "
                      f"{suggestion.contact_name} to {suggestion.passed_to_name}, {today.isoformat()}",
            "verified": today.isoformat(),
            "note": f"{people(suggestion.count)} reported being passed on here ({suggestion.first} to {suggestion.last})"}


# -- "who were you passed on to?" ---------------------------------------------------------------

PASSED_TO_MOST = 30


def passed_to_near(graph: nx.MultiDiGraph, statistic: str | None, contact: str, offered=(),
                   most: int = PASSED_TO_MOST) -> list[str]:
    """The records someone who asked ``contact`` about ``statistic`` was most likely passed on to, at
    most ``most``, nearest first: the other routes the answer ``offered``, whom the contact already
    refers people to, the statistic's producers with the organisations they are part of and their
    teams, and the user groups and intermediaries on its topics. Never the contact itself.

    "Who were you passed on to?" offers these; anyone else is typed in. Listing every organisation
    made the choice unusable (40,000 lines, 4 MB a page, in a 100,000-record registry).

    >>> from graph.stores.base import graph_from_records
    >>> g = graph_from_records([{"id": "s", "label": "Statistic", "name": "Crime"}, {"id": "t", "label": "Topic", "name": "Crime"},
    ...     {"id": "ho", "label": "Producer", "name": "Home Office"}, {"id": "ho-stats", "label": "Producer", "name": "HO statistics"},
    ...     {"id": "moj", "label": "Producer", "name": "MoJ"}, {"id": "ug", "label": "UserGroup", "name": "Crime users"},
    ...     {"id": "far", "label": "Producer", "name": "Far away"}],
    ...     [{"type": "PRODUCES", "from": "ho-stats", "to": "s"}, {"type": "PART_OF", "from": "ho-stats", "to": "ho"},
    ...      {"type": "ABOUT", "from": "s", "to": "t"}, {"type": "COVERS", "from": "ug", "to": "t"},
    ...      {"type": "REFERS_TO", "from": "ho-stats", "to": "moj"}])
    >>> passed_to_near(g, "s", "ho-stats", offered=["ho-stats", "s"])
    ['moj', 'ho', 'ug']
    >>> passed_to_near(g, "s", "ho-stats", most=1), passed_to_near(g, None, "nobody")
    (['moj'], [])
    """
    producers = linked(graph, statistic, "PRODUCES", "in") if statistic else []
    topics = linked(graph, statistic, "ABOUT") if statistic else []
    near = [*offered, *linked(graph, contact, "REFERS_TO"), *producers, *linked(graph, contact, "PART_OF")]
    for producer in producers:
        near += linked(graph, producer, "PART_OF") + linked(graph, producer, "PART_OF", "in")
    for topic in topics:
        near += linked(graph, topic, "COVERS", "in") + linked(graph, topic, "WORKS_ON", "in")
    found: list[str] = []
    for node in near:
        if node != contact and node not in found and \
                graph._node.get(node, {}).get("label") in model.PASSED_TO_LABELS:
            found.append(node)
            if len(found) == most:
                break
    return found


# -- the gaps report ----------------------------------------------------------------------------

def wrong_detail_gaps(graph: nx.MultiDiGraph, reports) -> list[Finding]:
    """Records people said had wrong contact details (open reports), most reported first, as gap findings.

    >>> from graph.stores.base import graph_from_records
    >>> g = graph_from_records([{"id": "a", "label": "Producer", "name": "A"}], [])
    >>> [(i["id"], i["reports"]) for i in wrong_detail_gaps(g, [{"id": "r1", "at": "2026-01-01", "status": "open",
    ...                                                             "contact": "a", "outcome": "wrong_details"}])]
    [('a', 1)]
    """
    rows: dict[str, list[dict]] = defaultdict(list)
    for r in reports:
        if r.get("status") == "open" and r.get("outcome") == "wrong_details" and r["contact"] in graph:
            rows[r["contact"]].append(r)
    out = []
    for contact, found in sorted(rows.items(), key=lambda kv: (-len(kv[1]), _name(graph, kv[0]).lower())):
        rec = graph.nodes[contact]
        stats = sorted({_name(graph, r["statistic"]) for r in found if r.get("statistic")})
        about = f" (asked about {', '.join(stats[:3])}{'…' if len(stats) > 3 else ''})" if stats else ""
        out.append(Finding(contact, rec.get("label"), rec.get("name", contact),
                           f"{people(len(found))} reported that the contact details were wrong{about}, most "
                           f"recently on {max(day_of(r) for r in found)}.",
                           "Check the contact against its source, correct it, and mark the reports fixed in the "
                           "route reports queue.", reports=len(found)))
    return out


# -- ranking --------------------------------------------------------------------------------------

def no_reply_reason(rows: list[dict], settings: dict | None) -> str | None:
    """Why a route should drop (many "no reply" reports on enough days), or None.

    >>> rows = [{"outcome": "no_reply", "at": f"2026-01-{d:02d}"} for d in range(1, 11)]
    >>> no_reply_reason(rows, None)
    '10 of 10 people who told Pathways about this route in the last 12 months got no reply'
    >>> no_reply_reason([dict(r, at="2026-01-01") for r in rows], None) is None  # all on one day
    True
    """
    cfg = config(settings)
    t = tally(rows, 1)
    if t.total < cfg["ranking_min_reports"] or t.days < cfg["ranking_min_days"]:
        return None
    if t.counts["no_reply"] / t.total < cfg["ranking_no_reply_share"]:
        return None
    months = round(cfg["window_days"] / 30.4)
    return (f"{t.counts['no_reply']} of {people(t.total)} who told Pathways about this route in the last "
            f"{months} months got no reply")


def rerank(answer, reports, settings: dict | None = None, today: _dt.date | None = None):
    """The signpost answer with its first contact moved below an alternative when most people got no reply.

    Does nothing unless the ``ranking`` setting is on. ``reports`` are the stored reports (any);
    only counted ones within the window about this route are used. The alternative is the first
    other route offered whose own reports do not say the same; the reason is added to the
    answer's warnings and to both routes' "why".
    """
    cfg = config(settings)
    first = answer.first_contact
    if not cfg["ranking"] or first is None or first.id is None:
        return answer
    kept = by_route(counted(reports, settings, today or _dt.date.today()))
    stat = answer.statistic["id"]
    reason = no_reply_reason(kept.get((stat, first.id), []), settings)
    if reason is None:
        return answer
    for i, other in enumerate(answer.routes):
        if other.id is None or no_reply_reason(kept.get((stat, other.id), []), settings):
            continue
        promoted = replace(other, why=f"Suggested first because {reason} from {first.name}. {other.why}")
        demoted = replace(first, kind="producer", why=f"Moved down: {reason}. {first.why}")
        routes = [demoted, *answer.routes[:i], *answer.routes[i + 1:]]
        warning = f"{first.name} is shown below {other.name}: {reason}."
        return replace(answer, first_contact=promoted, routes=routes, warnings=[warning, *answer.warnings])
    return replace(answer, warnings=[f"{first.name}: {reason}. There is no other route to suggest instead; "
                                     "if they do not reply, ask the coordinator below.", *answer.warnings])


# -- the editors' feed ----------------------------------------------------------------------------

def feed_entries(graph: nx.MultiDiGraph, reports, base_url: str) -> list:
    """Atom entries (:class:`graph.feeds.Entry`) for reports, newest first; comments as plain text."""
    from .feeds import TAG, Entry
    out = []
    for r in reports:
        words = model.REPORT_OUTCOME_WORDS.get(r.get("outcome"), r.get("outcome"))
        lines = [f"Route: {route_name(graph, r.get('statistic'), r['contact'])}", f"Outcome: {words}"]
        if r.get("passed_to") or r.get("passed_to_text"):
            lines.append(f"Passed on to: {_name(graph, r.get('passed_to')) or r.get('passed_to_text')}")
        if r.get("comment"):
            lines.append(f"Comment: {r['comment']}")
        if r.get("status") == "held":
            lines.append(f"Held for review: {r.get('hold_reason', '')}")
        out.append(Entry(id=f"{TAG}route-report/{r['id']}", title=f"{words}: {route_name(graph, r.get('statistic'), r['contact'])}",
                         updated=r["at"], link=f"{base_url}/route-reports#report-{r['id']}", summary="\n".join(lines),
                         category=r.get("outcome", "")))
    return out
