"""How well an intermediary reaches a public, from the evidence the registry holds.

Discovery (:mod:`graph.discovery`) ranks the intermediaries that reach a public. Its score
used to be a strength × trust typed in by hand; this module scores what the registry can
show instead, and says each factor in words (every number is in ``settings["reach"]``, the
half-life in ``settings["burden"]``):

* **Engagements** VIA the intermediary that INVOLVED the public: each held or reported one
  (started by ``as_of``; a link a harvest proposed, ``confirmed: false``, is no evidence)
  adds ``engagement_points`` × its recency ``0.5 ** (age / half_life_days)`` (the burden
  model's, :func:`graph.burden.engagement_date`) × ``1 + participants_bonus`` × the share of
  ``participants_full`` people who took part × ``feedback_owed_factor`` when it owes
  feedback (:func:`graph.feedback.debt_days`, the one rule).
* **The role it states** on the REACHES relationship (represents, serves, informs) adds
  ``role_points[role]``, but only when that REACHES has a ``source``; a sourced REACHES
  without a role adds ``sourced_points``, and an unsourced one ``recorded_points`` (it is
  recorded, not evidenced).
* **An editor's judgement**: a ``strength`` and ``trust`` add ``judgement_points`` ×
  strength × the trust factor, only when the REACHES has a ``source``.
* **Nation** (:func:`nation_fit`) and **geography** (:func:`geography_fit`) multiply the
  points; a public of one nation is reached by that nation's bodies first, then by bodies
  that also work elsewhere (UK-wide), then by those whose nations are not known.
* **What it declares** (:func:`declarations`): one not accepting requests is ranked below
  those that are, with the reason.
* **Route feedback from the public** (:func:`route_feedback`): when people who contacted the
  intermediary told Pathways what happened (route reports, :mod:`graph.route_reports`), and
  there are enough counted reports (``route_reports.min_reports``, within its window, on at
  least ``route_reports.ranking_min_days`` different days, so one client's burst cannot move
  it), the score is multiplied by ``1 + route_feedback_weight`` × (the share answered − the
  share that got no reply or found the details wrong). Too few reports change nothing, and say
  "not enough reports yet". The caller passes the reports in; nothing here reads a store.

>>> import networkx as nx
>>> from graph.settings import DEFAULTS
>>> g = nx.MultiDiGraph()
>>> g.add_node("p", label="Public", name="Disabled people", geography="UK")
>>> g.add_node("scope", label="Intermediary", name="Scope", nations=["england", "wales"])
>>> g.add_node("e", label="Engagement", name="Panel", method="panel_meeting", status="held",
...            start="2025-01-10", participants=50, feedback_published="2025-03-01")
>>> for u, v, k in (("e", "scope", "VIA"), ("e", "p", "INVOLVED")):
...     _ = g.add_edge(u, v, key=k, type=k)
>>> _ = g.add_edge("scope", "p", key="REACHES", type="REACHES", role="serves", source="https://www.scope.org.uk/")
>>> r = evidence(g, "scope", "p", DEFAULTS, _dt.date(2025, 7, 9))
>>> [(f.key, f.value) for f in r.factors]
[('engagements', 0.75), ('role', 0.5)]
>>> r.points, r.summary
(1.25, '1 engagement with Disabled people through Scope, in 2025; feedback published.')
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

from . import model
from .burden import confirmed, engagement_date
from .feedback import COUNTED, debt_days, feedback_given
from .nations import ALL, describe, nations_of
from .settings import section_of
from . import route_reports as RR

ROLE_WORDS = {"represents": "represents", "serves": "serves", "informs": "informs"}
ACCEPTING_WORDS = {"yes": "Accepting requests", "no": "Not accepting requests",
                   "by_arrangement": "Accepts requests by arrangement"}
APPROACH_WORDS = {"directly": "Approach it directly", "membership_body": "Approach it through its membership body",
                  "commission": "Approach it by commissioning it"}


@dataclass
class Factor:
    """One part of a score: ``points`` add up, ``multiplier`` multiplies; ``words`` say it."""

    key: str
    kind: str  # points | multiplier
    value: float
    words: str

    def as_dict(self) -> dict:
        return {"key": self.key, "kind": self.kind, "value": self.value, "words": self.words}


@dataclass
class EngagementEvidence:
    """One engagement VIA the intermediary that INVOLVED the public."""

    id: str
    name: str
    start: str | None
    end: str | None
    age_days: int
    recency: float
    participants: int | None
    feedback: str  # published | owed | not_due
    points: float
    producers: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "start": self.start, "end": self.end, "age_days": self.age_days,
                "recency": self.recency, "participants": self.participants, "feedback": self.feedback,
                "points": self.points, "producers": self.producers}


@dataclass
class Evidence:
    """What the registry shows about one intermediary reaching one public."""

    intermediary: str
    public: str
    points: float
    factors: list[Factor]
    engagements: list[EngagementEvidence]
    role: str | None = None  # the role stated on a sourced REACHES
    source: str | None = None  # the REACHES relationship's source
    verified: str | None = None
    judgement: dict | None = None  # {strength, trust, trust_factor, source, verified}
    summary: str = ""

    def as_dict(self) -> dict:
        return {"points": self.points, "factors": [f.as_dict() for f in self.factors],
                "engagements": [e.as_dict() for e in self.engagements], "role": self.role, "source": self.source,
                "verified": self.verified, "judgement": self.judgement, "summary": self.summary}


def conf(settings: dict | None) -> dict:
    """The reach part of the settings (``settings["reach"]`` over the defaults)."""
    return section_of(settings, "reach")


def _name(graph, node_id: str) -> str:
    return graph.nodes[node_id].get("name", node_id) if node_id in graph else node_id


def _plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def engagements_by_intermediary(graph, public: str, as_of: _dt.date) -> dict[str, list[str]]:
    """For each intermediary, the engagements VIA it that INVOLVED ``public`` (confirmed links only)
    and had happened (held or reported, started) by ``as_of``, oldest first. One pass over the
    public's engagements, so a busy intermediary's other work is never read.

    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("i", label="Intermediary"); g.add_node("ug", label="UserGroup")
    >>> for e, start, ok in (("e1", "2024-01-01", True), ("e2", "2024-02-01", False), ("e3", "2030-01-01", True)):
    ...     g.add_node(e, label="Engagement", start=start, status="held")
    ...     _ = g.add_edge(e, "i", key="VIA"); _ = g.add_edge(e, "ug", key="VIA")
    ...     _ = g.add_edge(e, "p", key="INVOLVED", confirmed=ok)
    >>> engagements_by_intermediary(g, "p", _dt.date(2025, 1, 1))
    {'i': ['e1']}
    """
    found: dict[str, set[str]] = {}
    if public not in graph:
        return {}
    for eng, _p, key, link in graph.in_edges(public, keys=True, data=True):
        if key != "INVOLVED" or not confirmed(link):
            continue
        record = graph.nodes[eng]
        if record.get("label") != "Engagement" or (record.get("status") or "held") not in COUNTED \
                or engagement_date(record, as_of) is None:
            continue
        for _e, via, k in graph.out_edges(eng, keys=True):
            if k == "VIA" and graph.nodes[via].get("label") == "Intermediary":
                found.setdefault(via, set()).add(eng)
    return {i: sorted(es, key=lambda e: (graph.nodes[e].get("start") or "", e)) for i, es in found.items()}


def engagements_through(graph, intermediary: str, public: str, as_of: _dt.date) -> list[str]:
    """The engagements VIA ``intermediary`` that INVOLVED ``public`` (:func:`engagements_by_intermediary`)."""
    return engagements_by_intermediary(graph, public, as_of).get(intermediary, [])


def engagement_evidence(graph, engagement: str, public: str, as_of: _dt.date, settings: dict) -> EngagementEvidence:
    """One engagement's points as evidence of reach, with its recency, participants and feedback.

    >>> import networkx as nx
    >>> from graph.settings import DEFAULTS
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("e", label="Engagement", name="Jury", status="held", start="2024-01-01", participants=18)
    >>> _ = g.add_edge("e", "p", key="INVOLVED", participants=12)
    >>> ev = engagement_evidence(g, "e", "p", _dt.date(2024, 6, 29), DEFAULTS)  # 180 days on, owes feedback
    >>> ev.recency, ev.participants, ev.feedback, ev.points
    (0.5, 12, 'owed', 0.28)
    """
    c, half_life = conf(settings), float(section_of(settings, "burden")["half_life_days"])
    record = graph.nodes[engagement]
    day = engagement_date(record, as_of)
    age = max((as_of - day).days, 0) if day else 0
    recency = round(0.5 ** (age / half_life), 6) if half_life > 0 else 1.0
    link = graph.edges[engagement, public, "INVOLVED"] if graph.has_edge(engagement, public, "INVOLVED") else {}
    people = link.get("participants")
    if people is None:
        people = record.get("participants")
    full = float(c["participants_full"])
    share = min(1.0, float(people) / full) if people and full > 0 else 0.0
    if debt_days(record, as_of, settings) is not None:
        feedback, factor = "owed", float(c["feedback_owed_factor"])
    elif feedback_given(record, as_of):
        feedback, factor = "published", 1.0
    else:
        feedback, factor = "not_due", 1.0
    points = float(c["engagement_points"]) * recency * (1 + float(c["participants_bonus"]) * share) * factor
    ran = sorted(_name(graph, p) for p, _e, k in graph.in_edges(engagement, keys=True) if k == "RAN")
    return EngagementEvidence(id=engagement, name=record.get("name", engagement), start=record.get("start"),
                              end=record.get("end"), age_days=age, recency=recency, participants=people,
                              feedback=feedback, points=round(points, 4), producers=ran)


def judgement_of(edge: dict | None, settings: dict) -> dict | None:
    """An editor's recorded judgement on a REACHES (its strength and trust), or None when the
    relationship has no ``source`` or no strength or trust: a number without a source is not shown
    and does not count.

    >>> from graph.settings import DEFAULTS
    >>> judgement_of({"strength": 0.8, "trust": "low"}, DEFAULTS) is None
    True
    >>> judgement_of({"strength": 0.8, "trust": "low", "source": "Editor's review", "verified": "2026-05-01"}, DEFAULTS)
    {'strength': 0.8, 'trust': 'low', 'trust_factor': 0.5, 'points': 0.2, 'source': "Editor's review", 'verified': '2026-05-01'}
    """
    if not edge or not edge.get("source") or (edge.get("strength") is None and not edge.get("trust")):
        return None
    d = section_of(settings, "discovery")
    factors = d["trust_factor"]
    trust = edge.get("trust") if edge.get("trust") in factors else d["default_trust"]
    strength = float(d["default_strength"] if edge.get("strength") is None else edge["strength"])
    points = round(float(conf(settings)["judgement_points"]) * strength * float(factors[trust]), 6)
    return {"strength": strength, "trust": trust, "trust_factor": float(factors[trust]), "points": points,
            "source": edge.get("source"), "verified": edge.get("verified")}


def _cited(edge: dict) -> str:
    when = model.parse_date(edge.get("verified"))
    return f"{edge.get('source')}, {when.isoformat()}" if when else str(edge.get("source"))


def summary_sentence(items: list[EngagementEvidence], public_name: str, intermediary_name: str) -> str:
    """The evidence of engagements in one sentence, as a producer would say it.

    >>> e = lambda s, f: EngagementEvidence("e", "E", s, None, 0, 1.0, None, f, 1.0)
    >>> summary_sentence([e("2024-03-01", "published"), e("2025-01-01", "published")], "disabled people", "Scope")
    '2 engagements with disabled people through Scope since 2024; feedback published for both.'
    >>> summary_sentence([e("2024-03-01", "published"), e("2025-01-01", "owed"), e("2026-01-01", "not_due")], "carers", "Carers UK")
    '3 engagements with carers through Carers UK since 2024; feedback published for 1, owed for 1, not yet due for 1.'
    >>> summary_sentence([], "carers", "Carers UK")
    'No engagement with carers through Carers UK is recorded.'
    """
    if not items:
        return f"No engagement with {public_name} through {intermediary_name} is recorded."
    years = sorted(y for y in ((i.start or "")[:4] for i in items) if y)
    n = len(items)
    when = (f", in {years[0]}" if years else "") if n == 1 else (f" since {years[0]}" if years else "")
    head = f"{_plural(n, 'engagement')} with {public_name} through {intermediary_name}{when}"
    counts = {k: sum(1 for i in items if i.feedback == k) for k in ("published", "owed", "not_due")}
    words = {"published": "published", "owed": "owed", "not_due": "not yet due"}
    if n == 1:
        return f"{head}; feedback {words[items[0].feedback]}."
    whole = [k for k, v in counts.items() if v == n]
    if whole:
        return f"{head}; feedback {words[whole[0]]} for {'both' if n == 2 else 'all ' + str(n)}."
    return f"{head}; feedback " + ", ".join(f"{words[k]} for {v}" for k, v in counts.items() if v) + "."


def evidence(graph, intermediary: str, public: str, settings: dict, as_of: _dt.date | None = None,
             engagements: list[str] | None = None) -> Evidence:
    """Everything the registry shows about ``intermediary`` reaching ``public``: the points of its
    engagements (``engagements``, else :func:`engagements_through`), the role it states and an
    editor's judgement (each only with a source)."""
    c = conf(settings)
    day = as_of or _dt.date.today()
    edge = graph.edges[intermediary, public, "REACHES"] if graph.has_edge(intermediary, public, "REACHES") else None
    public_name, name = _name(graph, public), _name(graph, intermediary)
    if engagements is None:
        engagements = engagements_through(graph, intermediary, public, day)
    items = [engagement_evidence(graph, e, public, day, settings) for e in engagements]
    factors: list[Factor] = []
    summary = summary_sentence(items, public_name, name)
    if items:
        total = round(sum(i.points for i in items), 4)
        factors.append(Factor("engagements", "points", total, summary))
    role = source = verified = judged = None
    if edge is not None and edge.get("source"):
        source, verified = edge.get("source"), edge.get("verified")
        role = edge.get("role") if edge.get("role") in ROLE_WORDS else None
        if role:
            factors.append(Factor("role", "points", float(c["role_points"][role]),
                                  f"It {role} {public_name} ({_cited(edge)})."))
        else:
            factors.append(Factor("sourced", "points", float(c["sourced_points"]),
                                  f"Recorded as reaching {public_name} ({_cited(edge)})."))
        judged = judgement_of(edge, settings)
        if judged:
            factors.append(Factor("judgement", "points", judged["points"],
                                  f"An editor's judgement ({_cited(edge)}): strength {judged['strength']:g}, "
                                  f"{judged['trust']} trust."))
    elif edge is not None:
        factors.append(Factor("recorded", "points", float(c["recorded_points"]),
                              f"Recorded as reaching {public_name}, with no source given."))
    points = round(sum(f.value for f in factors), 4)
    return Evidence(intermediary=intermediary, public=public, points=points, factors=factors, engagements=items,
                    role=role, source=source, verified=verified, judgement=judged, summary=summary)


def reachers(graph, public: str, as_of: _dt.date | None = None) -> dict[str, list[str]]:
    """The intermediaries recorded as reaching ``public`` (REACHES) or shown to by an engagement VIA them
    that INVOLVED it, each with those engagements (:func:`engagements_by_intermediary`)."""
    found = engagements_by_intermediary(graph, public, as_of or _dt.date.today())
    for src, _p, key in graph.in_edges(public, keys=True):
        if key == "REACHES" and graph.nodes[src].get("label") == "Intermediary":
            found.setdefault(src, [])
    return found


def nation_fit(public_nations: frozenset[str], nations: frozenset[str], settings: dict) -> tuple[int, float, str]:
    """``(tier, factor, words)`` for an intermediary working in ``nations`` reaching a public of
    ``public_nations`` (or the nation a producer asked about). Tier orders before the score: for one
    nation, that nation's own bodies (0), then bodies that also work elsewhere (1), then bodies whose
    nations are not known (2); bodies of other nations only are last (3). For a public of several
    nations every body working in one of them is tier 1, weighed by ``nation_factor``.

    >>> from graph.settings import DEFAULTS
    >>> wales, uk = frozenset({"wales"}), ALL
    >>> [nation_fit(wales, n, DEFAULTS)[:2] for n in (wales, uk, frozenset(), frozenset({"england"}))]
    [(0, 1.0), (1, 1.0), (2, 0.9), (3, 0.3)]
    >>> nation_fit(uk, frozenset({"england"}), DEFAULTS)
    (1, 0.85, 'Works in England, part of where this public is (UK).')
    """
    f = conf(settings)["nation_factor"]
    where = describe(public_nations)
    if not public_nations:
        return 1, 1.0, ""
    if not nations:
        return (2 if len(public_nations) == 1 else 1), float(f["unknown"]), "The nations it works in are not recorded."
    if not nations & public_nations:
        return 3, float(f["other"]), f"Works in {describe(nations)}, not in {where}."
    if len(public_nations) == 1:
        if nations == public_nations:
            return 0, float(f["own"]), f"A body of {where}."
        return 1, float(f["covers"]), f"Works in {describe(nations)}, including {where}."
    if public_nations <= nations:
        return 1, float(f["covers"]), f"Works in {describe(nations)}, covering {where}."
    return 1, float(f["partial"]), f"Works in {describe(nations & public_nations)}, part of where this public is ({where})."


def geography_fit(public: dict, intermediary: dict, settings: dict) -> tuple[float, str]:
    """``(factor, words)``: ``geography_factor`` when both records name the same place below a nation
    (their ``geography`` texts agree and name no nation by themselves), else 1.

    >>> from graph.settings import DEFAULTS
    >>> geography_fit({"geography": "Cardiff"}, {"geography": "cardiff"}, DEFAULTS)
    (1.1, 'Works in the same place: Cardiff.')
    >>> geography_fit({"geography": "UK"}, {"geography": "UK"}, DEFAULTS)
    (1.0, '')
    """
    from .nations import nations_in
    a, b = (public.get("geography") or "").strip(), (intermediary.get("geography") or "").strip()
    if a and a.lower() == b.lower() and not nations_in(a):
        return float(conf(settings)["geography_factor"]), f"Works in the same place: {a}."
    return 1.0, ""


def declarations(record: dict) -> dict:
    """What an intermediary declares about itself (HSDS 3.1 ``service_capacity`` in spirit), in
    values and words; absent ones are left out.

    >>> declarations({"accepting_requests": "no", "expects_remuneration": True, "stated_capacity": "Two a year"})["words"]
    ['Not accepting requests.', 'It says it can take on: Two a year.', 'It expects participants to be paid.']
    """
    values = {k: record[k] for k in ("accepting_requests", "stated_capacity", "how_to_approach",
                                     "expects_remuneration") if record.get(k) is not None}
    words = []
    if values.get("accepting_requests") in ACCEPTING_WORDS:
        words.append(ACCEPTING_WORDS[values["accepting_requests"]] + ".")
    if values.get("stated_capacity"):
        words.append(f"It says it can take on: {values['stated_capacity']}.")
    if values.get("how_to_approach") in APPROACH_WORDS:
        words.append(APPROACH_WORDS[values["how_to_approach"]] + ".")
    if values.get("expects_remuneration") is True:
        words.append("It expects participants to be paid.")
    elif values.get("expects_remuneration") is False:
        words.append("It does not expect participants to be paid.")
    return {**values, "words": words}


def not_accepting(record: dict) -> bool:
    """Whether the intermediary declares it is not accepting requests (ranked below those that are).

    >>> not_accepting({"accepting_requests": "no"}), not_accepting({"accepting_requests": "by_arrangement"}), not_accepting({})
    (True, False, False)
    """
    return record.get("accepting_requests") == "no"


def public_nations(graph, public: str, nation: str | None = None) -> frozenset[str]:
    """The nations to rank for: the one asked about, else the public's own (:func:`graph.nations.nations_of`)."""
    if nation:
        return frozenset({nation})
    return nations_of(graph.nodes[public]) if public in graph else frozenset()


@dataclass
class RouteFeedback:
    """What people who contacted one intermediary reported (route reports), and what it does to its score."""

    contact: str
    total: int  # counted reports in the window
    days: int  # different days they came on
    counts: dict[str, int]
    enough: bool
    factor: float  # 1.0 unless enough
    words: str

    def as_dict(self) -> dict:
        return {"total": self.total, "days": self.days, "counts": self.counts, "enough_reports": self.enough,
                "factor": self.factor, "words": self.words}


FAILED = ("no_reply", "wrong_details")  # outcomes that say the contact did not work


def route_feedback(reports, contact: str, settings: dict | None, today: _dt.date) -> RouteFeedback:
    """The route reports whose first contact is ``contact``, as a factor of its reach: only the counted
    ones (:func:`graph.route_reports.counted`: not held or spam, within the window ending ``today``),
    and only when there are at least ``min_reports`` of them sent on at least ``ranking_min_days``
    different days. Then the factor is ``1 + route_feedback_weight × (answered − no reply − wrong
    details) / total``; passed on counts as neither. Otherwise 1, and "not enough reports yet".

    >>> from graph.settings import DEFAULTS
    >>> day = _dt.date(2026, 6, 1)
    >>> rs = [{"contact": "i", "status": "open", "at": f"2026-05-{d:02d}T10:00:00+00:00",
    ...        "outcome": "answered" if d <= 11 else "no_reply"} for d in range(1, 15)]
    >>> f = route_feedback(rs, "i", DEFAULTS, day)
    >>> f.enough, f.factor, f.words
    (True, 1.1714, '14 people reported on this contact in the last 12 months: 11 got an answer, 3 got no reply.')
    >>> burst = [dict(r, at="2026-05-20T10:00:00+00:00") for r in rs]  # all on one day
    >>> route_feedback(burst, "i", DEFAULTS, day).factor, route_feedback(rs[:4], "i", DEFAULTS, day).words
    (1.0, 'Not enough reports yet from people who contacted it to count.')
    """
    cfg = RR.config(settings)
    until = today.isoformat()
    mine = [r for r in RR.counted(reports or [], settings, today) if r.get("contact") == contact
            and RR.day_of(r) <= until]
    t = RR.tally(mine, int(cfg["min_reports"]))
    enough = t.total >= max(1, int(cfg["min_reports"])) and t.days >= int(cfg["ranking_min_days"])
    if not enough:
        return RouteFeedback(contact, t.total, t.days, t.counts, False, 1.0,
                             "Not enough reports yet from people who contacted it to count.")
    net = (t.counts.get("answered", 0) - sum(t.counts.get(o, 0) for o in FAILED)) / t.total
    factor = round(1 + float(conf(settings)["route_feedback_weight"]) * net, 4)
    months = round(int(cfg["window_days"]) / 30.4)
    said = [f"{t.counts.get(o, 0)} {verb}" for o, verb in FEEDBACK_WORDS if t.counts.get(o, 0)]
    return RouteFeedback(contact, t.total, t.days, t.counts, True, factor,
                         f"{RR.people(t.total)} reported on this contact in the last {months} months: "
                         + ", ".join(said) + ".")


FEEDBACK_WORDS = (("answered", "got an answer"), ("passed_on", "were passed on"), ("no_reply", "got no reply"),
                  ("wrong_details", "found the details wrong"))


def feedback_by_contact(reports, contacts, settings: dict | None, today: _dt.date) -> dict[str, RouteFeedback]:
    """:func:`route_feedback` for each of ``contacts``, reading the reports once."""
    counted_ = RR.counted(reports or [], settings, today)
    mine: dict[str, list[dict]] = {c: [] for c in contacts}
    for r in counted_:
        if r.get("contact") in mine:
            mine[r["contact"]].append(r)
    return {c: route_feedback(rows, c, settings, today) for c, rows in mine.items()}
