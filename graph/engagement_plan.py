"""An engagement plan for a statistic, drafted from the graph.

It pre-fills the OSR public involvement toolkit's plan: Box 1 (the publics relevant
to the statistic and the intermediaries that reach each), Box 2 (the topics, the
open needs, earlier engagements and their published findings — existing evidence
to use before asking again — and each public's current burden) and Box 3 (the
routes the producer already uses, the user groups, the feedback already given).
Each of the toolkit's questions is listed with what the graph knows, and left for
the producer to answer where it knows nothing.

>>> import networkx as nx
>>> g = nx.MultiDiGraph()
>>> g.add_node("s", id="s", label="Statistic", name="Income")
>>> g.add_node("p", id="p", label="Public", name="Renters")
>>> g.add_node("i", id="i", label="Intermediary", name="Shelter")
>>> g.add_edge("s", "p", key="DESCRIBES", role="about"); g.add_edge("i", "p", key="REACHES", strength=0.9)
'DESCRIBES'
'REACHES'
>>> box = box1(g, "s")
>>> [(r.role, [p.id for p in r.publics], [i.id for i in r.publics[0].intermediaries]) for r in box if r.publics]
[('about', ['p'], ['i'])]
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

import networkx as nx

from .reach import evidence, judgement_of
from .errors import InvalidRecord, NodeNotFound, Problem
from .feedback import FeedbackItem, feedback_item, you_said_we_did
from .needs import OPEN, NeedItem, Ref, need_item, sort_key
from .walk import producer_and_parts

ROLES = (
    ("about", "Who are your statistics about?"),
    ("collected_from", "Who is data collected from?"),
    ("affected", "Who might be affected by those uses of statistics?"),
    ("left_out", "Who might be left out of your statistics?"),
)
BOX1_QUESTIONS = (
    "Who are your statistics about? Who is data collected from?",
    "Who are the direct users of your statistics and what do they use those statistics for?",
    "Who might be affected by those uses of statistics? Are any of those groups likely to be particularly "
    "adversely affected?",
    "Who might be left out of your statistics?",
    "Where do these publics go for information?",
    "Which community groups work with these publics?",
    "Which civil society groups speak for these publics?",
    "Which community institutions might be used to reach these publics?",
)
BOX2_QUESTIONS = (
    "What questions are you seeking to answer through involving the public? What existing information do you "
    "have about those questions?",
    "Which people, communities, groups or organisations do you want to hear from? How are you identifying or "
    "reaching them?",
    "What methods are you using to involve the public around those questions? Are you using different methods "
    "of engagement for different groups?",
    "What information are you sharing to help inform discussions around these questions?",
    "How will the results of this public involvement and engagement change what you do? How are you bringing "
    "other decision makers into the process so they best understand public sentiment?",
    "How will you feed back the changes you've made to the people and groups you engage so that they "
    "understand how their engagement has made a difference?",
)
BOX3_QUESTIONS = (
    "What information do you publish about statistics production, and what routes are there for feedback "
    "about your statistics or production processes?",
    "What feedback and input have you already received about your statistics, and how have you responded to it?",
    "What research about public attitudes or user needs are you already aware of and how can you use it to "
    "shape your statistics production?",
    "How might you find and use other existing evidence to understand public views about your statistics?",
    "What questions (if any) still need public input, and what level of public participation will you be "
    "engaging in around them?",
    "Which people, communities, civil society groups or other intermediaries do you routinely engage with "
    "(if any) and how?",
    "What steps are you taking to ensure public involvement and engagement is inclusive and worth "
    "participants' time and effort?",
    "Which other teams do you work with to help you involve and engage with the public and how?",
)
FOR_PRODUCER = "For the producer to answer: the registry does not know."


@dataclass
class Reach:
    id: str
    name: str
    kind: str | None
    role: str | None
    trust: str | None  # an editor's judgement, only when the REACHES has a source
    strength: float | None
    source: str | None = None

    def as_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "kind": self.kind, "role": self.role, "trust": self.trust,
                "strength": self.strength, "source": self.source}


@dataclass
class Ranked:
    """One of the best routes to a public by the discovery ranking (graph.discovery), direct or not."""
    id: str
    name: str
    score: float
    path_names: list[str]
    direct: bool
    load_status: str | None
    partner: bool

    def as_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "score": round(self.score, 3), "path": self.path_names,
                "direct": self.direct, "load_status": self.load_status, "partner": self.partner}


@dataclass
class PublicInPlan:
    id: str
    name: str
    kind: str | None
    seldom_heard: bool
    rest_until: str | None
    intermediaries: list[Reach]
    burden: object | None = None   # graph.burden.Score
    ranked: list[Ranked] = field(default_factory=list)

    def as_dict(self) -> dict:
        burden = None
        if self.burden is not None:
            burden = {"units": round(self.burden.units, 2), "capacity": self.burden.capacity,
                      "ratio": round(self.burden.ratio, 2), "status": self.burden.status,
                      "producers": list(self.burden.producers)}
        return {"id": self.id, "name": self.name, "kind": self.kind, "seldom_heard": self.seldom_heard,
                "rest_until": self.rest_until, "intermediaries": [i.as_dict() for i in self.intermediaries],
                "best_routes": [r.as_dict() for r in self.ranked], "burden": burden}


@dataclass
class RoleGroup:
    role: str
    question: str
    publics: list[PublicInPlan]

    def as_dict(self) -> dict:
        return {"role": self.role, "question": self.question, "publics": [p.as_dict() for p in self.publics]}


@dataclass
class Question:
    text: str
    known: list[str]          # what the graph knows towards an answer (plain text lines)

    def as_dict(self) -> dict:
        return {"question": self.text, "known": self.known, "for_producer": not self.known}


@dataclass
class Plan:
    statistic: dict
    producers: list[Ref]
    as_of: str
    box1: list[RoleGroup]
    topics: list[Ref]
    needs: list[NeedItem]
    engagements: list[FeedbackItem]
    partners: list[Ref]
    routes_used: list[Ref]
    user_groups: list[Ref]
    feedback_given: list[FeedbackItem]
    questions: dict[str, list[Question]] = field(default_factory=dict)

    def statistic_ref(self) -> Ref:
        return Ref(self.statistic["id"], self.statistic.get("name", ""), "Statistic")

    @property
    def publics(self) -> list[PublicInPlan]:
        seen: dict[str, PublicInPlan] = {}
        for group in self.box1:
            for public in group.publics:
                seen.setdefault(public.id, public)
        return list(seen.values())

    def as_dict(self) -> dict:
        return {
            "statistic": {k: self.statistic.get(k) for k in ("id", "name", "status", "url")},
            "producers": [p.as_dict() for p in self.producers], "as_of": self.as_of,
            "box1": [g.as_dict() for g in self.box1],
            "box2": {"topics": [t.as_dict() for t in self.topics], "open_needs": [n.as_dict() for n in self.needs],
                     "earlier_engagements": [e.as_dict() for e in self.engagements],
                     "burden": [{"public": p.id, **(p.as_dict()["burden"] or {})} for p in self.publics]},
            "box3": {"partners": [p.as_dict() for p in self.partners],
                     "routes_used": [r.as_dict() for r in self.routes_used],
                     "user_groups": [u.as_dict() for u in self.user_groups],
                     "feedback_given": [f.as_dict() for f in self.feedback_given]},
            "questions": {box: [q.as_dict() for q in qs] for box, qs in self.questions.items()},
        }


def _out(graph: nx.MultiDiGraph, node: str, type_: str) -> list[tuple[str, dict]]:
    return [(v, d) for _, v, k, d in graph.out_edges(node, keys=True, data=True) if k == type_]


def _in(graph: nx.MultiDiGraph, node: str, type_: str) -> list[tuple[str, dict]]:
    return [(u, d) for u, _, k, d in graph.in_edges(node, keys=True, data=True) if k == type_]


def _ref(graph: nx.MultiDiGraph, node: str) -> Ref:
    rec = graph.nodes[node]
    return Ref(node, rec.get("name", node), rec.get("label", ""), bool(rec.get("seldom_heard")))


def _by_name(refs) -> list:
    return sorted(refs, key=lambda r: r.name.lower())


def reaches(graph: nx.MultiDiGraph, public: str, settings: dict | None = None) -> list[Reach]:
    """The intermediaries that REACH a public directly, best evidenced first (:func:`graph.reach.evidence`);
    a strength and trust only as an editor's judgement with its source (:func:`graph.reach.judgement_of`)."""
    out = []
    for src, data in _in(graph, public, "REACHES"):
        rec = graph.nodes[src]
        weight = evidence(graph, src, public, settings).points
        judged = judgement_of(data, settings) or {}
        out.append((weight, Reach(src, rec.get("name", src), rec.get("kind"), data.get("role"), judged.get("trust"),
                                  judged.get("strength"), judged.get("source"))))
    return [r for _w, r in sorted(out, key=lambda wr: (-wr[0], wr[1].name.lower()))]


def box1(graph: nx.MultiDiGraph, statistic: str, settings: dict | None = None) -> list[RoleGroup]:
    """The publics the statistic DESCRIBES, by role, each with the intermediaries that reach it."""
    groups = []
    described = _out(graph, statistic, "DESCRIBES")
    for role, question in ROLES:
        publics = []
        for public, data in described:
            if (data.get("role") or "about") != role:
                continue
            rec = graph.nodes[public]
            publics.append(PublicInPlan(public, rec.get("name", public), rec.get("kind"),
                                        bool(rec.get("seldom_heard")), rec.get("rest_until"),
                                        reaches(graph, public, settings)))
        groups.append(RoleGroup(role, question, _by_name(publics)))
    return groups


def producers_of(graph: nx.MultiDiGraph, statistic: str) -> list[str]:
    """The producers that PRODUCE the statistic and the bodies they are PART_OF (nearest first)."""
    out: list[str] = []
    todo = [p for p, _ in _in(graph, statistic, "PRODUCES")]
    while todo:
        current = todo.pop(0)
        if current in out:
            continue
        out.append(current)
        todo += [v for v, _ in _out(graph, current, "PART_OF")]
    return out


def draft_plan(graph: nx.MultiDiGraph, statistic: str, as_of: _dt.date, settings: dict) -> Plan:
    """The draft plan for one statistic; NodeNotFound or InvalidRecord when it is not a statistic."""
    if statistic not in graph:
        raise NodeNotFound(statistic)
    record = graph.nodes[statistic]
    if record.get("label") != "Statistic":
        raise InvalidRecord([Problem(f"node '{statistic}'", "label", "an engagement plan is drafted for a "
                                     f"Statistic, not a {record.get('label')}")])
    from .box1 import box1 as ranked_box1
    from .burden import score_node
    groups = box1(graph, statistic, settings)
    producers = producers_of(graph, statistic)
    ranked = {row.public["id"]: row.intermediaries
              for group in ranked_box1(graph, statistic, settings, producer=producers[0] if producers else None).groups
              for row in group.rows}
    for group in groups:
        for public in group.publics:
            public.burden = score_node(graph, public.id, as_of, settings)
            public.ranked = [Ranked(c.id, c.name, c.score, list(c.path_names), c.direct, c.load_status, c.partner)
                             for c in ranked.get(public.id, [])]
    topic_ids = [t for t, _ in _out(graph, statistic, "ABOUT")]
    scope = {statistic, *topic_ids}
    needs = [need_item(graph, n, settings) for n, rec in graph.nodes(data=True)
             if rec.get("label") == "Need" and (rec.get("status") or "captured") in OPEN
             and scope.intersection(v for v, _ in _out(graph, n, "CONCERNS"))]
    needs.sort(key=lambda i: sort_key(i, settings))
    engagement_ids = {e for e, _ in _in(graph, statistic, "ON")}
    for topic in topic_ids:
        engagement_ids.update(e for e, _ in _in(graph, topic, "ON"))
    engagements = sorted((feedback_item(graph, e) for e in engagement_ids),
                         key=lambda i: (i.published or i.end or i.start or ""), reverse=True)
    own = set()
    for producer in producers:
        own |= producer_and_parts(graph, producer)
    partners = {v for p in producers for v, _ in _out(graph, p, "PARTNERS_WITH")}
    routes = set()
    for p in own:
        for engagement, _ in _out(graph, p, "RAN"):
            routes.update(v for v, _ in _out(graph, engagement, "VIA"))
    user_groups = {u for p in producers for u, _ in _out(graph, p, "CONVENES")}
    user_groups |= {u for t in topic_ids for u, _ in _in(graph, t, "COVERS")}
    user_groups |= {u for u, _ in _in(graph, statistic, "REFERS_TO") if graph.nodes[u].get("label") == "UserGroup"}
    feedback_given = [i for p in producers[:1] for i in you_said_we_did(graph, producer=p) if i.we_did]
    plan = Plan(
        statistic=dict(record), producers=[_ref(graph, p) for p in producers], as_of=as_of.isoformat(),
        box1=groups, topics=_by_name(_ref(graph, t) for t in topic_ids), needs=needs, engagements=engagements,
        partners=_by_name(_ref(graph, p) for p in partners), routes_used=_by_name(_ref(graph, r) for r in routes),
        user_groups=_by_name(_ref(graph, u) for u in user_groups), feedback_given=feedback_given)
    plan.questions = questions(plan)
    return plan


def _names(refs, limit: int = 12) -> str:
    names = [r.name for r in refs]
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def questions(plan: Plan) -> dict[str, list[Question]]:
    """The toolkit's questions for each box, with what the graph knows towards each answer."""
    by_role = {g.role: g.publics for g in plan.box1}
    intermediaries = {}
    for public in plan.publics:
        for reach in public.intermediaries:
            intermediaries.setdefault(reach.id, reach)
    kinds = {}
    for reach in intermediaries.values():
        kinds.setdefault(reach.kind or "other", []).append(reach)

    def line(label: str, refs) -> list[str]:
        refs = list(refs)
        return [f"{label}: {_names(refs)}"] if refs else []

    b1 = [
        Question(BOX1_QUESTIONS[0], line("About", by_role["about"]) + line("Collected from", by_role["collected_from"])),
        Question(BOX1_QUESTIONS[1], line("User groups covering its topics", plan.user_groups)),
        Question(BOX1_QUESTIONS[2], line("Affected", by_role["affected"])),
        Question(BOX1_QUESTIONS[3], line("Left out", by_role["left_out"])),
        Question(BOX1_QUESTIONS[4], line("Media, fact checkers and digital platforms reaching them",
                                         [r for k in ("media", "fact_checker", "digital_platform")
                                          for r in kinds.get(k, [])])),
        Question(BOX1_QUESTIONS[5], line("Community institutions and civil society reaching them",
                                         [r for r in intermediaries.values() if r.role == "serves"])),
        Question(BOX1_QUESTIONS[6], line("Organisations that represent them",
                                         [r for r in intermediaries.values() if r.role == "represents"]
                                         or kinds.get("civil_society", []))),
        Question(BOX1_QUESTIONS[7], line("Community institutions", kinds.get("community_institution", []))),
    ]
    evidence = [e for e in plan.engagements if e.you_said or e.we_did]
    b2 = [
        Question(BOX2_QUESTIONS[0], line("Open needs on the waiting list", plan.needs)
                 + line("Earlier engagements with findings", evidence)),
        Question(BOX2_QUESTIONS[1], line("Publics in Box 1", plan.publics)),
        Question(BOX2_QUESTIONS[2], ["Methods used before: " + ", ".join(sorted({e.method.replace('_', ' ')
                                                                                  for e in plan.engagements}))]
                 if plan.engagements else []),
        Question(BOX2_QUESTIONS[3], []),
        Question(BOX2_QUESTIONS[4], []),
        Question(BOX2_QUESTIONS[5], line("Earlier engagements still without published feedback",
                                         [e for e in plan.engagements if e.awaiting])),
    ]
    b3 = [
        Question(BOX3_QUESTIONS[0], line("Contact route recorded", [plan.statistic_ref()]) if plan.statistic.get(
            "contact") else []),
        Question(BOX3_QUESTIONS[1], line("You said, we did already published", plan.feedback_given)),
        Question(BOX3_QUESTIONS[2], line("Engagements on its topics", evidence)),
        Question(BOX3_QUESTIONS[3], []),
        Question(BOX3_QUESTIONS[4], line("Open needs", plan.needs)),
        Question(BOX3_QUESTIONS[5], line("Partners", plan.partners) + line("Reached through before", plan.routes_used)
                 + line("User groups", plan.user_groups)),
        Question(BOX3_QUESTIONS[6], line("Seldom-heard publics to include", [p for p in plan.publics if p.seldom_heard])
                 + line("Publics already at or over their burden", [p for p in plan.publics if p.burden is not None
                                                                   and p.burden.status != "ok"])),
        Question(BOX3_QUESTIONS[7], []),
    ]
    return {"box1": b1, "box2": b2, "box3": b3}

# -- Markdown -----------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|<>~#])")
_MD_BLOCK_START = re.compile(r"(\d{1,9})([.)])|([-+=])")
# RFC 3986's unreserved and reserved characters, less the parentheses that end a Markdown link
# (and the brackets, outside the host): everything else (spaces, line breaks, < > " ` \ { } | ^,
# parentheses, non-ASCII) is percent-encoded.
_URL_SAFE = "-._~:/?#@!$&'*+,;=%"


def md(text) -> str:
    r"""User text made safe for Markdown: one line, special characters escaped, no block start.

    Line breaks (and any run of white space) become one space, so the text cannot start a
    heading, list, quote or table row of its own; ``\ ` * _ [ ] | < > ~ #`` are escaped
    wherever they are, so it cannot make a link, an image, HTML or emphasis; and a leading
    ``-``, ``+``, ``=`` or ``1.`` is escaped, so text written after a list marker stays text.

    >>> print(md("<b>Shelter_Cymru</b> [1]"))
    \<b\>Shelter\_Cymru\</b\> \[1\]
    >>> print(md("](javascript:alert(1))"))
    \](javascript:alert(1))
    >>> print(md("Renters\n# heading\n\n- item"))
    Renters \# heading - item
    >>> for text in ("- not a list", "1. not a list", "+1"):
    ...     print(md(text))
    \- not a list
    1\. not a list
    \+1
    """
    text = _MD_SPECIAL.sub(r"\\\1", " ".join(str(text or "").split()))
    start = _MD_BLOCK_START.match(text)
    if start and start[1]:
        return f"{start[1]}\\{start[2]}{text[start.end():]}"
    if start:
        return "\\" + text
    return text


def safe_url(url) -> str | None:
    """An http(s) URL made safe to write in Markdown, or None for anything else.

    Only ``http`` and ``https`` URLs with a host are allowed. Characters that would end a
    link or an autolink (spaces, line breaks, parentheses, ``<``, ``>``, quotes, backslashes)
    and non-ASCII characters are percent-encoded; existing ``%`` escapes are kept.

    >>> safe_url("https://x.test/a) [click](javascript:alert(1)")
    'https://x.test/a%29%20%5Bclick%5D%28javascript:alert%281%29'
    >>> safe_url("http://[::1]:8080/a[1]")
    'http://[::1]:8080/a%5B1%5D'
    >>> safe_url("https://x.test/a>\\n# b"), safe_url("https://x.test/caf%C3%A9?q=1#top")
    ('https://x.test/a%3E%0A#%20b', 'https://x.test/caf%C3%A9?q=1#top')
    >>> safe_url("javascript:alert(1)"), safe_url(" JavaScript:alert(1)"), safe_url("https:evil"), safe_url(None)
    (None, None, None, None)
    """
    if not isinstance(url, str):
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or not url[:8].lower().startswith(
            ("http://", "https://")):
        return None
    scheme, _, rest = url.partition("://")
    host_end = re.search(r"[/?#]|$", rest).start()
    return f"{scheme}://{quote(rest[:host_end], safe=_URL_SAFE + '[]')}{quote(rest[host_end:], safe=_URL_SAFE)}"


def md_url(url) -> str:
    """A URL in Markdown: an autolink when it is http(s) (see :func:`safe_url`), otherwise plain escaped text.

    >>> print(md_url("https://x.test/a b"))
    <https://x.test/a%20b>
    >>> print(md_url("javascript:alert(1)"))
    javascript:alert(1)
    """
    safe = safe_url(url)
    return f"<{safe}>" if safe else md(url)


def markdown(plan: Plan, base_url: str = "") -> str:
    """The plan as a Markdown document the producer can edit."""
    s = plan.statistic
    out = [f"# Public involvement and engagement plan: {md(s.get('name'))}", "",
           f"Drafted by Pathways on {plan.as_of} from the registry. Sections marked *For the producer to answer* "
           "are questions from the OSR toolkit that the registry cannot answer.", ""]
    if plan.producers:
        out += [f"Producer: {md(_names(plan.producers))}", ""]
    out += ["## Box 1: the publics relevant to these statistics", ""]
    for group in plan.box1:
        out += [f"### {md(group.question)}", ""]
        if not group.publics:
            out += [f"*{FOR_PRODUCER}*", ""]
        for public in group.publics:
            flag = " (seldom heard)" if public.seldom_heard else ""
            out.append(f"- **{md(public.name)}**{flag}")
            if public.intermediaries:
                for r in public.intermediaries:
                    judged = (f"; an editor's judgement: trust {md(r.trust)}, strength {r.strength:g} "
                              f"({md(r.source)})") if r.trust and r.strength is not None else ""
                    out.append(f"  - reached by {md(r.name)} ({md((r.kind or 'other').replace('_', ' '))}{judged})")
            else:
                out.append("  - no intermediary recorded that reaches them")
            if public.ranked:
                best = "; ".join(md(r.name) + ("" if r.direct else " (via " + md(" → ".join(r.path_names[1:-1])) + ")")
                                 for r in public.ranked)
                out.append(f"  - best routes by Pathways' ranking: {best}")
        out.append("")
    out += _questions_md(plan.questions.get("box1", []))
    out += ["## Box 2: topics, existing evidence and burden", "", "### Topics", ""]
    out += [f"- {md(t.name)}" for t in plan.topics] or [f"*{FOR_PRODUCER}*"]
    out += ["", "### Open needs on the waiting list", ""]
    for need in plan.needs:
        out.append(f"- {md(need.statement)} (status: {md(need.status.replace('_', ' '))}"
                   f"{', priority ' + str(need.priority) if need.priority else ''})")
    if not plan.needs:
        out.append("- None recorded.")
    out += ["", "### Earlier engagements: existing evidence to use before asking again", ""]
    for e in plan.engagements:
        out.append(f"- **{md(e.name)}** ({md((e.method or 'other').replace('_', ' '))}, "
                   f"{md(e.start or 'date not recorded')})")
        if e.you_said:
            out.append(f"  - You said: {md(e.you_said)}")
        if e.we_did:
            out.append(f"  - We did: {md(e.we_did)}")
        if e.given:
            out.append(f"  - Feedback published {md(e.published or '(date not recorded)')}"
                       + (f": {md_url(e.url)}" if e.url else ""))
        elif e.you_said:
            out.append("  - No feedback published yet")
    if not plan.engagements:
        out.append("- None recorded.")
    out += ["", "### Current burden on each public", ""]
    if plan.publics:
        out += ["| Public | Burden | Capacity | Status |", "| --- | --- | --- | --- |"]
        for p in plan.publics:
            b = p.burden
            out.append(f"| {md(p.name)} | {b.units:.1f} | {b.capacity:g} | {b.status} |" if b else
                       f"| {md(p.name)} | – | – | – |")
    else:
        out.append("- No publics recorded.")
    out.append("")
    out += _questions_md(plan.questions.get("box2", []))
    out += ["## Box 3: routes, user groups and feedback already given", ""]
    for title, refs in (("Intermediaries the producer partners with", plan.partners),
                        ("Intermediaries and groups it has reached people through", plan.routes_used),
                        ("User groups", plan.user_groups)):
        out += [f"### {title}", ""] + ([f"- {md(r.name)}" for r in refs] or ["- None recorded."]) + [""]
    out += ["### You said, we did already published", ""]
    out += [f"- {md(f.name)}: {md(f.we_did)}" for f in plan.feedback_given] or ["- None recorded."]
    out.append("")
    out += _questions_md(plan.questions.get("box3", []))
    return "\n".join(out).rstrip() + "\n"


def _questions_md(qs: list[Question]) -> list[str]:
    out = ["### The toolkit's questions", ""]
    for q in qs:
        out.append(f"- **{md(q.text)}**")
        for known in q.known:
            out.append(f"  - From the registry: {md(known)}")
        out.append(f"  - *{FOR_PRODUCER}*" if not q.known else "  - Your answer:")
    out.append("")
    return out
