"""A synthetic national system, deterministic for a seed, for benchmarks at scale.

Real registries grow: every charity, community institution and engagement in the
UK would be hundreds of thousands of records. :func:`generate` builds an import
document of about ``n_nodes`` records and five relationships per record with the
shape such a registry would have:

- reach is heavy-tailed: a few large umbrella bodies reach many publics, most
  small groups reach one or two (Pareto-distributed), with varied strength and trust;
- producers are departments with teams ``PART_OF`` them; statistics are
  ``PRODUCES``-d by them (a few producers produce most), ``ABOUT`` topics and
  ``DESCRIBES`` publics; topics have ``BROADER`` parents; user groups ``COVER`` topics;
- engagements are spread over five years before ``until``, and some publics are
  far more consulted than others (a Zipf choice of whom each one ``INVOLVED``);
- enquiries are handed on in ``REFERS_TO`` chains, a few of which loop.

Every record is valid against :mod:`graph.model`; ids start ``gen-``. The same
``(n_nodes, seed, until)`` always gives the same document.

>>> doc = generate(300, seed=1)
>>> 250 <= len(doc.nodes) <= 350 and 4 <= len(doc.edges) / len(doc.nodes) <= 6
True
>>> generate(300, seed=1).edges == doc.edges, generate(300, seed=2).edges == doc.edges
(True, False)
>>> from graph import model
>>> [p for n in doc.nodes for p in model.validate_node(n)]
[]
"""
from __future__ import annotations

import bisect
import datetime as _dt
import itertools
import json
import random
from typing import Callable, Iterable, TextIO

from . import model
from .transfer import FORMAT, VERSION, Document

# Fixed so that a seed gives the same file whatever day it is generated.
DEFAULT_UNTIL = _dt.date(2026, 11, 1)
YEARS = 5
# Share of the records each label gets (the rest of n_nodes goes to intermediaries).
MIX = {
    "Producer": 0.04, "Statistic": 0.14, "Topic": 0.03, "Public": 0.08, "UserGroup": 0.03,
    "Engagement": 0.25, "Need": 0.08,
}
REACH_ALPHA = 1.3  # Pareto shape of how many publics an intermediary reaches (smaller: heavier tail)
CONSULT_SKEW = 0.9  # Zipf exponent of how often each public is consulted
PREFIX = "gen-"

PLACES = (
    "Aberdeen", "Belfast", "Birmingham", "Bradford", "Brighton", "Bristol", "Cardiff", "Carlisle", "Coventry",
    "Derby", "Dundee", "Edinburgh", "Exeter", "Glasgow", "Hull", "Inverness", "Leeds", "Leicester", "Lincoln",
    "Liverpool", "London", "Luton", "Manchester", "Middlesbrough", "Newcastle", "Newport", "Norwich",
    "Nottingham", "Oxford", "Plymouth", "Portsmouth", "Preston", "Sheffield", "Southampton", "Stoke",
    "Sunderland", "Swansea", "Truro", "Wrexham", "York",
)
COMMUNITIES = (
    "Carers", "Young People", "Older People", "Refugees", "Disabled People", "Tenants", "Farmers",
    "Small Businesses", "Parents", "Students", "Veterans", "Gypsy and Traveller", "Deaf", "Blind",
    "Migrant Workers", "Single Parents", "Care Leavers", "Rough Sleepers", "Fishers", "Faith",
    "Black and Minority Ethnic", "LGBT+", "Welsh Speakers", "Rural", "Coastal", "Low Income",
)
FORMS = ("Network", "Forum", "Trust", "Alliance", "Association", "Action", "Support", "Voice", "Project",
         "Centre", "Partnership", "Collective")
THEMES = (
    "Health", "Housing", "Education", "Employment", "Income", "Poverty", "Crime", "Justice", "Transport",
    "Environment", "Energy", "Agriculture", "Population", "Migration", "Wellbeing", "Social care",
    "Childcare", "Disability", "Ethnicity", "Religion", "Languages", "Trade", "Prices", "Business",
    "Tourism", "Culture", "Sport", "Digital", "Public finance", "Local government",
)
ASPECTS = ("outcomes", "costs", "access", "quality", "inequalities", "trends", "services", "workforce",
           "demand", "supply", "safety", "satisfaction")
SERIES = ("survey", "statistics", "estimates", "bulletin", "indicators", "index", "release", "dataset",
          "census tables", "monitor")
DEPARTMENTS = ("Department", "Office", "Agency", "Authority", "Directorate", "Service", "Commission")
ENGAGEMENT_METHODS = (  # (method, weight): surveys and consultations are common, juries rare
    ("survey", 20), ("poll", 6), ("consultation", 16), ("focus_group", 12), ("interview", 10),
    ("workshop", 10), ("panel_meeting", 8), ("user_testing", 6), ("co_design", 4),
    ("community_research", 3), ("citizens_jury", 1), ("deliberation", 1), ("other", 3),
)
IAP2 = ("inform", "consult", "involve", "collaborate", "empower")
PUBLIC_KINDS = ("respondents", "service_users", "identity_group", "affected_community", "citizens", "individuals")
INTERMEDIARY_KINDS = (("civil_society", 50), ("community_institution", 25), ("membership_body", 8), ("media", 4),
                      ("fact_checker", 1), ("research_infrastructure", 4), ("digital_platform", 2),
                      ("funder", 3), ("other", 3))
NATIONS = ("UK", "England", "Wales", "Scotland", "Northern Ireland")

Progress = Callable[[str, int, int], None]


class _Builder:
    """Holds the random source and the records as they are made."""

    def __init__(self, seed: int, until: _dt.date):
        self.rng = random.Random(seed)
        self.until = until
        self.nodes: list[dict] = []
        self.edges: list[dict] = []
        self.seen: set[tuple[str, str, str]] = set()

    def node(self, short: str, i: int, label: str, name: str, **props) -> str:
        node_id = f"{PREFIX}{short}-{i:06d}"
        self.nodes.append({"id": node_id, "label": label, "name": name,
                           **{k: v for k, v in props.items() if v is not None}})
        return node_id

    def edge(self, type_: str, src: str, dst: str, **props) -> bool:
        key = (type_, src, dst)
        if src == dst or key in self.seen:
            return False
        self.seen.add(key)
        if type_ in model.SOURCED_TYPES:  # the model requires them: say plainly the link is made up
            props = {"source": "Synthetic: made by pathways generate", "verified": self.until.isoformat(), **props}
        self.edges.append({"type": type_, "from": src, "to": dst, **{k: v for k, v in props.items() if v is not None}})
        return True

    def pick(self, items: list, cum: list[float]):
        """One item, chosen with the weights whose running totals are ``cum``."""
        return items[bisect.bisect_left(cum, self.rng.random() * cum[-1])]

    def some(self, items: list, k: int, cum: list[float] | None = None) -> list:
        """``k`` distinct items (weighted when ``cum`` is given)."""
        k = min(k, len(items))
        if cum is None:
            return self.rng.sample(items, k)
        chosen: dict = {}
        tries = 0
        while len(chosen) < k and tries < 20 * k:
            chosen.setdefault(self.pick(items, cum), None)
            tries += 1
        return list(chosen)

    def pareto(self, alpha: float, cap: int) -> int:
        return max(1, min(cap, int(self.rng.paretovariate(alpha))))

    def day(self, days_back: int) -> _dt.date:
        return self.until - _dt.timedelta(days=days_back)


def zipf_cumulative(n: int, skew: float) -> list[float]:
    """Running totals of Zipf weights 1/rank**skew for ranks 1..n.

    >>> [round(x, 3) for x in zipf_cumulative(3, 1.0)]
    [1.0, 1.5, 1.833]
    """
    return list(itertools.accumulate(1.0 / (rank ** skew) for rank in range(1, n + 1)))


def _counts(n_nodes: int) -> dict[str, int]:
    """How many records of each label make up about ``n_nodes``.

    >>> c = _counts(10_000); c["Intermediary"], c["Public"], sum(c.values())
    (3500, 800, 10000)
    """
    counts = {label: max(3, round(n_nodes * share)) for label, share in MIX.items()}
    counts["Intermediary"] = max(5, n_nodes - sum(counts.values()))
    return counts


def generate(n_nodes: int, seed: int = 0, until: _dt.date = DEFAULT_UNTIL,
             progress: Progress | None = None) -> Document:
    """An import document of about ``n_nodes`` records describing a synthetic national system.

    ``progress`` is told (stage, done, total) as each kind of record is made.
    """
    if n_nodes < 60:
        raise ValueError("a synthetic system needs at least 60 records (--nodes 60)")
    b = _Builder(seed, until)
    counts = _counts(n_nodes)
    total = sum(counts.values())
    done = 0

    def report(stage: str, n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress("generating", done, total)

    topics = _topics(b, counts["Topic"])
    report("topics", len(topics))
    publics = _publics(b, counts["Public"])
    report("publics", len(publics))
    producers, departments = _producers(b, counts["Producer"])
    report("producers", len(producers))
    statistics = _statistics(b, counts["Statistic"], producers, topics, publics)
    report("statistics", len(statistics))
    groups = _user_groups(b, counts["UserGroup"], producers, topics)
    report("user groups", len(groups))
    intermediaries = _intermediaries(b, counts["Intermediary"], publics, topics, producers, groups)
    report("intermediaries", len(intermediaries))
    _referrals(b, producers, departments, statistics, groups, intermediaries)
    _engagements(b, counts["Engagement"], producers, publics, intermediaries, groups, statistics, topics)
    report("engagements", counts["Engagement"])
    _needs(b, counts["Need"], publics, intermediaries, groups, statistics, topics, producers)
    report("needs", counts["Need"])
    return Document(b.nodes, b.edges)


def _topics(b: _Builder, n: int) -> list[str]:
    ids = []
    roots = min(len(THEMES), max(3, n // 8))
    for i in range(n):
        if i < roots:
            ids.append(b.node("topic", i, "Topic", THEMES[i], tags=[THEMES[i].lower()]))
        else:
            parent = ids[b.rng.randrange(len(ids))]  # older topics gather more children
            theme = THEMES[i % roots]
            name = f"{theme} {ASPECTS[(i // roots) % len(ASPECTS)]} {i}"
            ids.append(b.node("topic", i, "Topic", name))
            b.edge("BROADER", ids[-1], parent)
    return ids


def _publics(b: _Builder, n: int) -> list[str]:
    ids = []
    for i in range(n):
        community = COMMUNITIES[i % len(COMMUNITIES)]
        place = PLACES[(i // len(COMMUNITIES)) % len(PLACES)]
        seldom = b.rng.random() < 0.2
        ids.append(b.node(
            "pub", i, "Public", f"{community} in {place} {i}", kind=b.rng.choice(PUBLIC_KINDS), geography=place,
            seldom_heard=seldom or None, capacity=b.rng.choice((None, None, 6, 10, 15)),
            rest_until=b.day(-b.rng.randrange(30, 200)).isoformat() if b.rng.random() < 0.02 else None,
            description=f"Synthetic public: {community.lower()} living in or around {place}."))
    return ids


def _producers(b: _Builder, n: int) -> tuple[list[str], list[str]]:
    n_departments = max(2, n // 10)
    departments, ids = [], []
    for i in range(n):
        theme = THEMES[i % len(THEMES)]
        if i < n_departments:
            node_id = b.node("prod", i, "Producer", f"{theme} {DEPARTMENTS[i % len(DEPARTMENTS)]} {i}",
                             kind="department" if i % 5 else "devolved_government",
                             contact={"email": f"statistics@prod-{i}.example.gov.uk"})
            departments.append(node_id)
        else:
            parent = departments[b.rng.randrange(len(departments))]
            contact = {"email": f"team{i}@prod.example.gov.uk"} if b.rng.random() < 0.5 else None
            node_id = b.node("prod", i, "Producer", f"{theme} statistics team {i}", kind="team", contact=contact)
            b.edge("PART_OF", node_id, parent)
        ids.append(node_id)
    return ids, departments


def _statistics(b, n, producers, topics, publics) -> list[str]:
    ids = []
    producer_cum = zipf_cumulative(len(producers), 0.8)  # a few producers produce most statistics
    statuses = ("accredited_official", "official", "official", "in_development", "management_information", "other")
    roles = ("about", "about", "collected_from", "affected", "left_out")
    for i in range(n):
        theme = THEMES[i % len(THEMES)]
        name = f"{theme} {ASPECTS[(i * 7) % len(ASPECTS)]} {SERIES[i % len(SERIES)]} {i}"
        contact = {"email": f"stat{i}@prod.example.gov.uk"} if b.rng.random() < 0.1 else None
        node_id = b.node("stat", i, "Statistic", name, status=b.rng.choice(statuses), contact=contact,
                         release=b.rng.choice(("annual", "quarterly", "monthly", None)),
                         tags=[theme.lower(), SERIES[i % len(SERIES)]])
        ids.append(node_id)
        b.edge("PRODUCES", b.pick(producers, producer_cum), node_id)
        for topic in b.some(topics, b.rng.randint(1, 4)):
            b.edge("ABOUT", node_id, topic)
        for public in b.some(publics, b.rng.randint(1, 4)):
            b.edge("DESCRIBES", node_id, public, role=b.rng.choice(roles))
    return ids


def _user_groups(b, n, producers, topics) -> list[str]:
    ids = []
    for i in range(n):
        theme = THEMES[i % len(THEMES)]
        node_id = b.node("ug", i, "UserGroup", f"{theme} statistics user group {i}",
                         membership=b.rng.choice(("open", "open", "invite", "closed")),
                         cadence=b.rng.choice(("quarterly", "twice a year", "annual")),
                         contact={"url": f"https://ug-{i}.example.org/"})
        ids.append(node_id)
        b.edge("CONVENES", b.rng.choice(producers), node_id)
        for topic in b.some(topics, b.rng.randint(2, 4)):
            b.edge("COVERS", node_id, topic)
    return ids


def _intermediaries(b, n, publics, topics, producers, groups) -> list[str]:
    ids = []
    kinds = [k for k, _ in INTERMEDIARY_KINDS]
    kind_cum = list(itertools.accumulate(w for _, w in INTERMEDIARY_KINDS))
    umbrellas: list[str] = []
    trust_levels = ("low", "medium", "medium", "high")
    role_choices = ("represents", "serves", "serves", "informs")
    for i in range(n):
        reach = b.pareto(REACH_ALPHA, len(publics))
        community = COMMUNITIES[i % len(COMMUNITIES)]
        place = PLACES[(i * 7) % len(PLACES)]
        big = reach >= 20
        name = (f"{b.rng.choice(NATIONS)} {community} {FORMS[i % len(FORMS)]} {i}" if big
                else f"{place} {community} {FORMS[(i * 3) % len(FORMS)]} {i}")
        node_id = b.node("int", i, "Intermediary", name, kind=b.pick(kinds, kind_cum),
                         geography=place if not big else "UK", volunteer_led=(not big and b.rng.random() < 0.6) or None,
                         capacity=b.rng.choice((None, None, 8, 12, 20)) if big else None,
                         contact={"email": f"hello@int-{i}.example.org"} if b.rng.random() < 0.85 else None)
        ids.append(node_id)
        if big:
            umbrellas.append(node_id)
        for public in b.some(publics, reach):
            b.edge("REACHES", node_id, public, strength=round(b.rng.uniform(0.1, 1.0), 2),
                   trust=b.rng.choice(trust_levels), role=b.rng.choice(role_choices))
        for topic in b.some(topics, b.rng.randint(1, 4)):
            b.edge("WORKS_ON", node_id, topic)
        if umbrellas and not big and b.rng.random() < 0.4:
            b.edge("MEMBER_OF", node_id, umbrellas[b.rng.randrange(len(umbrellas))])
        if b.rng.random() < 0.02 and groups:
            b.edge("MEMBER_OF", node_id, b.rng.choice(groups))
        if b.rng.random() < 0.03:
            b.edge("PARTNERS_WITH", b.rng.choice(producers), node_id,
                   since=b.day(b.rng.randrange(30, 365 * YEARS)).isoformat())
    return ids


def _referrals(b, producers, departments, statistics, groups, intermediaries) -> None:
    """Enquiry hand-offs: chains of two to four hops, and a few that loop back."""
    targets = producers + groups + intermediaries[: max(10, len(intermediaries) // 20)]
    n_chains = max(3, len(producers) // 2)
    for _ in range(n_chains):
        start = b.rng.choice(producers + statistics[: len(statistics) // 4])
        hops = b.some(targets, b.rng.randint(2, 4))
        chain = [start, *hops]
        for src, dst in zip(chain, chain[1:]):
            if not b.edge("REFERS_TO", src, dst, note="Enquiries about these figures are handled here."):
                break
    n_loops = max(2, len(producers) // 40)
    for _ in range(n_loops):
        members = b.some(producers[len(departments):] or producers, 3)
        for src, dst in zip(members, members[1:] + members[:1]):
            b.edge("REFERS_TO", src, dst, note="Refers enquiries on (this forms a loop).")


def _engagements(b, n, producers, publics, intermediaries, groups, statistics, topics) -> None:
    methods = [m for m, _ in ENGAGEMENT_METHODS]
    method_cum = list(itertools.accumulate(w for _, w in ENGAGEMENT_METHODS))
    consult_cum = zipf_cumulative(len(publics), CONSULT_SKEW)
    # Which publics are the over-consulted ones is shuffled, so it is not simply the first ids.
    consult_order = b.some(publics, len(publics))
    producer_cum = zipf_cumulative(len(producers), 0.7)
    span = 365 * YEARS
    for i in range(n):
        method = b.pick(methods, method_cum)
        start = b.day(b.rng.randrange(-120, span))
        length = b.rng.choice((1, 1, 7, 30, 90))
        end = start + _dt.timedelta(days=length)
        planned = start > b.until
        status = "planned" if planned else b.rng.choice(("held", "reported"))
        feedback = None
        if status == "reported" and end < b.until:
            feedback = min(b.until, end + _dt.timedelta(days=b.rng.randrange(14, 200))).isoformat()
        participants = b.rng.choice((8, 12, 20, 40, 200, 1500))
        node_id = b.node(
            "eng", i, "Engagement", f"{THEMES[i % len(THEMES)]} {method.replace('_', ' ')} {start.year} {i}",
            method=method, start=start.isoformat(), end=end.isoformat(), status=status,
            iap2=b.rng.choice(IAP2), participants=participants, remunerated=(b.rng.random() < 0.3) or None,
            feedback_published=feedback)
        b.edge("RAN", b.pick(producers, producer_cum), node_id)
        for public in b.some(consult_order, b.rng.randint(1, 4), consult_cum):
            b.edge("INVOLVED", node_id, public, participants=max(1, participants // 2))
        if b.rng.random() < 0.6:
            via = b.rng.choice(groups) if b.rng.random() < 0.2 else b.rng.choice(intermediaries)
            b.edge("VIA", node_id, via)
        b.edge("ON", node_id, b.rng.choice(statistics) if b.rng.random() < 0.7 else b.rng.choice(topics))
        if b.rng.random() < 0.3:
            b.edge("ON", node_id, b.rng.choice(statistics))


def _needs(b, n, publics, intermediaries, groups, statistics, topics, producers) -> None:
    statuses = ("captured", "captured", "under_review", "planned", "in_progress", "delivered", "not_taken_forward")
    for i in range(n):
        theme = THEMES[i % len(THEMES)]
        status = b.rng.choice(statuses)
        node_id = b.node(
            "need", i, "Need", f"{theme} figures for local areas {i}",
            statement=f"As a {COMMUNITIES[i % len(COMMUNITIES)].lower()} group, I need {theme.lower()} figures "
                      f"for my area, so that we can plan services {i}.",
            status=status, priority=b.rng.randint(1, 5), raised=b.day(b.rng.randrange(0, 365 * YEARS)).isoformat(),
            decision_reason="Sample sizes are too small to publish." if status == "not_taken_forward" else None)
        raiser = b.rng.random()
        b.edge("RAISED_BY", node_id, b.rng.choice(publics) if raiser < 0.5 else
               b.rng.choice(intermediaries) if raiser < 0.9 else b.rng.choice(groups))
        b.edge("CONCERNS", node_id, b.rng.choice(statistics) if b.rng.random() < 0.6 else b.rng.choice(topics))
        if b.rng.random() < 0.8:
            b.edge("OWNED_BY", node_id, b.rng.choice(producers))


def write_json(doc: Document, out: TextIO, progress: Progress | None = None) -> None:
    """Write the document as the import format, one record a line, keys sorted (byte-stable)."""
    total = len(doc)
    out.write(f'{{"format": "{FORMAT}", "version": {VERSION},\n "nodes": [')
    _write_records(out, doc.nodes, 0, total, progress)
    out.write('\n ],\n "edges": [')
    _write_records(out, doc.edges, len(doc.nodes), total, progress)
    out.write("\n ]}\n")
    if progress:
        progress("writing", total, total)


def _write_records(out: TextIO, records: Iterable[dict], offset: int, total: int, progress) -> None:
    for i, record in enumerate(records):
        out.write(("\n  " if i == 0 else ",\n  ") + json.dumps(record, ensure_ascii=False, sort_keys=True))
        if progress and i % 10_000 == 0:
            progress("writing", offset + i, total)
