"""The graph model: labels, relationship types, their properties and rules.

This module is the one place the rules live. The stores use it to allow-list
labels and relationship types, the importer and the API validate against it,
and the API's schemas are generated from it.

>>> validate_node({"id": "ons", "label": "Producer", "name": "ONS", "kind": "department"})
[]
>>> [str(p) for p in validate_node({"id": "ONS!", "label": "Producer", "name": "ONS", "kind": "ministry"})]
["node 'ONS!': id: must be lower-case letters, digits, '.', '_' or '-', starting with a letter or digit, at most 100 characters", "node 'ONS!': kind: must be one of: department, devolved_government, agency, public_body, team"]
"""
from __future__ import annotations

import datetime as _dt
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from .errors import Problem

ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}")
# "As a …, I need …, so that …" (also "As someone who …", "I want", "so I can").
NEED_STATEMENT = re.compile(r"^\s*as\b.+?,\s*i (?:need|want)\b.+?,?\s*so\b.+", re.IGNORECASE | re.DOTALL)
CONTACT_FIELDS = ("email", "url", "phone", "note")
# Keys every node or edge record carries beside its properties.
NODE_KEYS = ("id", "label", "name")
EDGE_KEYS = ("type", "from", "to")
MAX_TEXT = 10_000


@dataclass(frozen=True)
class Prop:
    """One property: its kind, its allowed values or range, and whether it is required."""

    kind: str  # str | text | url | bool | int | number | date | enum | tags | nations | contact | identifiers | harvest
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    required: bool = False
    doc: str = ""


def _enum(*values: str, **kw) -> Prop:
    return Prop("enum", choices=values, **kw)


COMMON = {
    "description": Prop("text", doc="what it is, in plain English"),
    "source": Prop("str", doc="a URL or citation saying where the record comes from"),
    "verified": Prop("date", doc="when the record was last checked"),
    "tags": Prop("tags", doc="keywords"),
    "aliases": Prop("tags", doc="other names people use for it: acronyms, everyday words (CPI, inflation)"),
    "harvested": Prop("harvest", doc="what the last harvest wrote (a fingerprint per field), so a rerun keeps "
                                     "an editor's changes"),
}
# The nations of the UK, as a record's ``nations`` list holds them.
NATIONS = ("england", "wales", "scotland", "northern_ireland")
NATION_NAMES = {"england": "England", "wales": "Wales", "scotland": "Scotland", "northern_ireland": "Northern Ireland"}
CONTACT = {"contact": Prop("contact", doc="organisational route: email, url, phone, note")}
NATIONS_PROP = Prop("nations", choices=NATIONS, doc="the nations of the UK it covers or works in")
IDENTIFIERS = Prop("identifiers", doc="its ids in other registers, e.g. {\"govuk\": \"ministry-of-justice\"}")
CAPACITY = Prop("number", minimum=0, doc="burden units per window it can bear")
GEOGRAPHY = Prop("str", doc="where, e.g. UK, England, Wales")

LABELS: dict[str, dict[str, Prop]] = {
    "Producer": {
        **CONTACT,
        "nations": NATIONS_PROP,
        "identifiers": IDENTIFIERS,
        "kind": _enum("department", "devolved_government", "agency", "public_body", "team"),
    },
    "Statistic": {
        **CONTACT,
        "status": _enum("accredited_official", "official", "in_development", "management_information", "other"),
        "url": Prop("url"),
        "release": Prop("str", doc="when it is released, e.g. annual"),
        "nations": NATIONS_PROP,
        "latest_release": Prop("date", doc="when its latest edition was published"),
        "latest_url": Prop("url", doc="the latest edition"),
    },
    "Topic": {},
    "Public": {
        "kind": _enum("respondents", "service_users", "identity_group", "affected_community", "citizens", "individuals"),
        "geography": GEOGRAPHY,
        "seldom_heard": Prop("bool"),
        "capacity": CAPACITY,
        "rest_until": Prop("date", doc="do not approach before this date"),
    },
    "Intermediary": {
        **CONTACT,
        "kind": _enum(
            "civil_society", "community_institution", "membership_body", "media", "fact_checker",
            "research_infrastructure", "digital_platform", "funder", "other",
        ),
        "geography": GEOGRAPHY,
        "nations": NATIONS_PROP,
        "identifiers": IDENTIFIERS,
        "volunteer_led": Prop("bool"),
        "capacity": CAPACITY,
    },
    "UserGroup": {
        **CONTACT,
        "nations": NATIONS_PROP,
        "remit": Prop("text"),
        "cadence": Prop("str"),
        "membership": _enum("open", "invite", "closed"),
        "how_to_join": Prop("text"),
    },
    "Engagement": {
        "method": _enum(
            "survey", "poll", "consultation", "focus_group", "interview", "workshop", "panel_meeting",
            "co_design", "citizens_jury", "deliberation", "community_research", "user_testing", "other",
            required=True,
        ),
        "iap2": _enum("inform", "consult", "involve", "collaborate", "empower"),
        "start": Prop("date", required=True),
        "end": Prop("date"),
        "status": _enum("planned", "held", "reported"),
        "participants": Prop("int", minimum=0),
        "hours_per_participant": Prop("number", minimum=0),
        "remunerated": Prop("bool"),
        "you_said": Prop("text"),
        "we_did": Prop("text"),
        "feedback_published": Prop("date"),
        "feedback_url": Prop("url"),
    },
    "Need": {
        "statement": Prop("text", required=True, doc='"As a …, I need …, so that …"'),
        "status": _enum("captured", "under_review", "planned", "in_progress", "delivered", "not_taken_forward"),
        "priority": Prop("int", minimum=1, maximum=5),
        "decision_reason": Prop("text"),
        "response": Prop("text"),
        "raised": Prop("date"),
    },
}
for _props in LABELS.values():
    for _k, _v in COMMON.items():
        _props.setdefault(_k, _v)

ORGANISATIONS = ("Producer", "Intermediary", "UserGroup")
# Property kinds held as JSON objects (a store that cannot nest maps keeps them as JSON text).
OBJECT_KINDS = ("contact", "identifiers", "harvest")
# Properties kept by a store and the harvester but not typed into a form or shown on a page.
MACHINE_PROPS = ("harvested", "identifiers")


@dataclass(frozen=True)
class RelType:
    sources: tuple[str, ...]
    targets: tuple[str, ...]
    props: dict[str, Prop] = field(default_factory=dict)


RELATIONSHIPS: dict[str, RelType] = {
    "REACHES": RelType(("Intermediary",), ("Public",), {
        "strength": Prop("number", minimum=0, maximum=1),
        "trust": _enum("low", "medium", "high"),
        "role": _enum("represents", "serves", "informs"),
    }),
    "WORKS_ON": RelType(("Intermediary",), ("Topic",)),
    "COVERS": RelType(("UserGroup",), ("Topic",)),
    "ABOUT": RelType(("Statistic",), ("Topic",)),
    "BROADER": RelType(("Topic",), ("Topic",)),
    "PRODUCES": RelType(("Producer",), ("Statistic",)),
    "PART_OF": RelType(("Producer",), ("Producer",)),
    "DESCRIBES": RelType(("Statistic",), ("Public",), {
        "role": _enum("about", "collected_from", "affected", "left_out"),
    }),
    "MEMBER_OF": RelType(("Intermediary", "Producer"), ("UserGroup", "Intermediary")),
    "CONVENES": RelType(("Producer", "Intermediary"), ("UserGroup",)),
    "PARTNERS_WITH": RelType(("Producer",), ("Intermediary",), {"since": Prop("date")}),
    "REFERS_TO": RelType(
        ("Producer", "Statistic", "UserGroup", "Intermediary"),
        ("Producer", "UserGroup", "Intermediary"),
        {"note": Prop("text")},
    ),
    "RAN": RelType(("Producer",), ("Engagement",)),
    "INVOLVED": RelType(("Engagement",), ("Public",), {"participants": Prop("int", minimum=0)}),
    "VIA": RelType(("Engagement",), ("Intermediary", "UserGroup")),
    "ON": RelType(("Engagement",), ("Statistic", "Topic")),
    "RAISED_BY": RelType(("Need",), ("Public", "Intermediary", "UserGroup")),
    "CONCERNS": RelType(("Need",), ("Statistic", "Topic")),
    "OWNED_BY": RelType(("Need",), ("Producer",)),
}

# Defaults the algorithms read when an edge leaves a property out.
EDGE_DEFAULTS = {"REACHES": {"strength": 0.5, "trust": "medium"}}


def node_where(record: dict, line: int | None = None) -> str:
    """How a node is named in a message: by id, and by CSV line when known.

    >>> node_where({"id": "ons"}), node_where({}, line=7)
    ("node 'ons'", 'node at line 7')
    """
    rid = record.get("id") if isinstance(record, dict) else None
    at = f" (line {line})" if line is not None and rid else f" at line {line}" if line is not None else ""
    return f"node '{rid}'{at}" if rid else f"node{at or ' without an id'}"


def edge_where(record: dict, line: int | None = None) -> str:
    """How an edge is named in a message: by its (type, from, to) triple.

    >>> edge_where({"type": "PRODUCES", "from": "ons", "to": "census"})
    'edge PRODUCES ons -> census'
    """
    get = record.get if isinstance(record, dict) else (lambda _k: None)
    at = f" (line {line})" if line is not None else ""
    return f"edge {get('type') or '?'} {get('from') or '?'} -> {get('to') or '?'}{at}"


def check_value(prop: Prop, value: Any) -> str | None:
    """Return what is wrong with ``value`` for ``prop``, or None when it is fine.

    >>> check_value(Prop("number", minimum=0, maximum=1), 1.5)
    'must be at most 1'
    >>> check_value(Prop("date"), "2024-02-30")
    'must be a date as YYYY-MM-DD'
    >>> check_value(Prop("bool"), "yes")
    'must be true or false'
    """
    kind = prop.kind
    if kind in ("str", "text", "url"):
        if not isinstance(value, str):
            return "must be text"
        if len(value) > MAX_TEXT:
            return f"must be at most {MAX_TEXT} characters"
        if kind == "str" and ("\n" in value or len(value) > 1000):
            return "must be one line of at most 1000 characters"
        if kind == "url" and not re.match(r"^https?://\S+$", value):
            return "must be a web address starting http:// or https://"
        return None
    if kind == "bool":
        return None if isinstance(value, bool) else "must be true or false"
    if kind in ("int", "number"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return "must be a whole number" if kind == "int" else "must be a number"
        if kind == "int" and not float(value).is_integer():
            return "must be a whole number"
        if isinstance(value, float) and not math.isfinite(value):
            return "must be a finite number"
        if prop.minimum is not None and value < prop.minimum:
            return f"must be at least {prop.minimum:g}"
        if prop.maximum is not None and value > prop.maximum:
            return f"must be at most {prop.maximum:g}"
        return None
    if kind == "date":
        return None if parse_date(value) else "must be a date as YYYY-MM-DD"
    if kind == "enum":
        return None if value in prop.choices else "must be one of: " + ", ".join(prop.choices)
    if kind == "tags":
        ok = isinstance(value, list) and all(isinstance(t, str) and 0 < len(t) <= 200 for t in value)
        return None if ok else "must be a list of short texts"
    if kind == "nations":
        ok = isinstance(value, list) and value and all(v in prop.choices for v in value) and \
            len(set(value)) == len(value)
        return None if ok else "must be a list of different nations, each one of: " + ", ".join(prop.choices)
    if kind == "identifiers":
        ok = isinstance(value, dict) and value and all(
            isinstance(k, str) and re.fullmatch(r"[a-z][a-z0-9_]{0,29}", k) and isinstance(v, str)
            and 0 < len(v) <= 200 and "\n" not in v for k, v in value.items())
        return None if ok else "must be an object of register name (lower-case) to an id of at most 200 characters"
    if kind == "harvest":
        return _check_harvest(value)
    if kind == "contact":
        if not isinstance(value, dict) or not value:
            return "must be an object with any of: " + ", ".join(CONTACT_FIELDS)
        unknown = sorted(set(value) - set(CONTACT_FIELDS))
        if unknown:
            return f"unknown field {unknown[0]!r}; allowed: " + ", ".join(CONTACT_FIELDS)
        if not all(isinstance(v, str) and v.strip() for v in value.values()):
            return "every contact field must be non-empty text"
        if "email" in value and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", value["email"]):
            return "email must be an email address"
        if "url" in value and not re.match(r"^https?://\S+$", value["url"]):
            return "url must be a web address starting http:// or https://"
        return None
    raise ValueError(f"unknown property kind {kind}")  # pragma: no cover - model bug


FINGERPRINT = re.compile(r"[0-9a-f]{12}")


def _check_harvest(value: Any) -> str | None:
    """What is wrong with a ``harvested`` value: ``{"by": source, "at": date, "fields": {field: fingerprint}}``.

    >>> _check_harvest({"by": "govuk", "at": "2024-11-20", "fields": {"name": "0123456789ab"}}) is None
    True
    >>> _check_harvest({"by": "govuk", "at": "2024-11-20", "fields": {"name": 3}})
    'fields: each must be a 12-character fingerprint'
    """
    if not isinstance(value, dict) or set(value) != {"by", "at", "fields"}:
        return "must be an object with by, at and fields"
    if not isinstance(value["by"], str) or not re.fullmatch(r"[a-z][a-z0-9_-]{0,29}", value["by"]):
        return "by: must be the name of a harvest source"
    if parse_date(value["at"]) is None:
        return "at: must be a date as YYYY-MM-DD"
    fields = value["fields"]
    if not isinstance(fields, dict) or not all(isinstance(k, str) and len(k) <= 100 and isinstance(v, str)
                                               and FINGERPRINT.fullmatch(v) for k, v in fields.items()):
        return "fields: each must be a 12-character fingerprint"
    return None


def parse_date(value: Any) -> _dt.date | None:
    """Parse an ISO date string strictly; None when it is not one.

    >>> parse_date("2024-01-18"), parse_date("18/01/2024")
    (datetime.date(2024, 1, 18), None)
    """
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        return _dt.date.fromisoformat(value)
    except ValueError:
        return None


def _check_props(where: str, props: dict[str, Prop], record: dict, skip: tuple[str, ...]) -> list[Problem]:
    problems = []
    for key, value in record.items():
        if key in skip:
            continue
        prop = props.get(key)
        if prop is None:
            allowed = ", ".join(sorted(props)) or "none"
            problems.append(Problem(where, key, f"unknown property; allowed here: {allowed}"))
        elif value is None:
            if prop.required:
                problems.append(Problem(where, key, "is required"))
        else:
            msg = check_value(prop, value)
            if msg:
                problems.append(Problem(where, key, msg))
    for key, prop in props.items():
        if prop.required and key not in record:
            problems.append(Problem(where, key, "is required"))
    return problems


def validate_node(record: Any, line: int | None = None) -> list[Problem]:
    """Every problem with one node record, each naming the record and the field."""
    where = node_where(record, line)
    if not isinstance(record, dict):
        return [Problem(where, "", "must be an object")]
    problems = []
    rid = record.get("id")
    if not isinstance(rid, str) or not ID_PATTERN.fullmatch(rid):
        problems.append(Problem(where, "id", "must be lower-case letters, digits, '.', '_' or '-', "
                                "starting with a letter or digit, at most 100 characters"))
    label = record.get("label")
    if not isinstance(label, str) or label not in LABELS:
        problems.append(Problem(where, "label", "must be one of: " + ", ".join(LABELS)))
        return problems
    name = record.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append(Problem(where, "name", "is required"))
    elif len(name) > 300 or "\n" in name:
        problems.append(Problem(where, "name", "must be one line of at most 300 characters"))
    problems += _check_props(where, LABELS[label], record, NODE_KEYS)
    problems += _cross_field_rules(where, label, record)
    return problems


def _cross_field_rules(where: str, label: str, record: dict) -> list[Problem]:
    problems = []
    if label == "Engagement":
        start, end = parse_date(record.get("start")), parse_date(record.get("end"))
        if start and end and end < start:
            problems.append(Problem(where, "end", "must not be before start"))
    if label == "Need":
        if record.get("status") == "not_taken_forward" and not record.get("decision_reason"):
            problems.append(Problem(where, "decision_reason", "is required when status is not_taken_forward"))
        statement = record.get("statement")
        if isinstance(statement, str) and not NEED_STATEMENT.match(statement):
            problems.append(Problem(where, "statement", 'must read "As a …, I need …, so that …"'))
    return problems


def validate_edge(record: Any, labels: dict[str, str | None] | None = None, line: int | None = None) -> list[Problem]:
    """Every problem with one edge record.

    ``labels`` maps endpoint ids to their labels (None when the node is unknown);
    pass it to check that both ends exist and have the allowed labels.

    >>> [str(p) for p in validate_edge({"type": "PRODUCES", "from": "ons", "to": "x"},
    ...                                 {"ons": "Producer", "x": "Topic"})]
    ['edge PRODUCES ons -> x: to: a PRODUCES edge must end at a Statistic, not a Topic']
    """
    where = edge_where(record, line)
    if not isinstance(record, dict):
        return [Problem(where, "", "must be an object")]
    rel = RELATIONSHIPS.get(record["type"]) if isinstance(record.get("type"), str) else None
    if rel is None:
        return [Problem(where, "type", "must be one of: " + ", ".join(RELATIONSHIPS))]
    problems = []
    for end, allowed in (("from", rel.sources), ("to", rel.targets)):
        node_id = record.get(end)
        if not isinstance(node_id, str) or not ID_PATTERN.fullmatch(node_id):
            problems.append(Problem(where, end, "must be the id of a record"))
            continue
        if labels is None:
            continue
        label = labels.get(node_id)
        if label is None:
            problems.append(Problem(where, end, f"no record with id '{node_id}'"))
        elif label not in allowed:
            side = "start at" if end == "from" else "end at"
            problems.append(Problem(where, end, f"a {record['type']} edge must {side} "
                                    f"{' or '.join('a ' + a for a in allowed)}, not a {label}"))
    problems += _check_props(where, rel.props, record, EDGE_KEYS)
    return problems


def node_props(record: dict) -> dict:
    """The properties of a node record, without id/label/name.

    >>> node_props({"id": "a", "label": "Topic", "name": "A", "tags": ["x"]})
    {'tags': ['x']}
    """
    return {k: v for k, v in record.items() if k not in NODE_KEYS and v is not None}


def edge_props(record: dict) -> dict:
    return {k: v for k, v in record.items() if k not in EDGE_KEYS and v is not None}


def coerce_cell(prop: Prop | None, text: str) -> Any:
    """Turn one CSV cell into the value its property expects; '' means absent.

    Values that cannot be converted are returned as text, so validation names them.

    >>> coerce_cell(Prop("bool"), "true"), coerce_cell(Prop("number"), "0.8"), coerce_cell(Prop("tags"), '["a"]')
    (True, 0.8, ['a'])
    >>> coerce_cell(Prop("int"), "three")
    'three'
    """
    if text == "":
        return None
    kind = prop.kind if prop else None
    try:
        if kind == "bool":
            return {"true": True, "false": False}.get(text.strip().lower(), text)
        if kind == "int":
            return int(text)
        if kind == "number":
            return float(text) if any(c in text for c in ".eE") else int(text)
        if kind in ("tags", "nations", "contact", "identifiers", "harvest"):
            return json.loads(text)
    except ValueError:
        return text
    return text


def cell_text(value: Any) -> str:
    """The CSV form of a property value (the inverse of :func:`coerce_cell`).

    >>> cell_text(True), cell_text(["a", "b"]), cell_text(None)
    ('true', '["a", "b"]', '')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


# Spreadsheet formula injection (OWASP "CSV injection"): a cell starting with one of these may be
# run as a formula when the file is opened in a spreadsheet.
CSV_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(text: str) -> str:
    """A text cell made safe to open in a spreadsheet; :func:`restore_cell` is its exact inverse.

    A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
    leading ``'`` (OWASP's rule). So that reading it back is exact, a cell that already
    begins with ``'`` followed by one of those characters or by another ``'`` gets one too;
    any other text is unchanged. Only text is neutralised: :func:`csv_cell` writes numbers,
    booleans, lists and objects as they are (``-3`` in a number column is data, not a
    formula, and a JSON cell begins with ``[`` or ``{``).

    >>> print(neutralise_cell('=HYPERLINK("http://evil.example";"click")'))
    '=HYPERLINK("http://evil.example";"click")
    >>> [neutralise_cell(t) for t in ("-3", "@me", "\\tx", "'=x", "''", "'tis", "'", "a=b")]
    ["'-3", "'@me", "'\\tx", "''=x", "'''", "'tis", "'", 'a=b']
    """
    if text.startswith(CSV_FORMULA_STARTS) or _looks_neutralised(text):
        return "'" + text
    return text


def restore_cell(text: str) -> str:
    """Undo :func:`neutralise_cell`: ``'`` then ``=``, ``+``, ``-``, ``@``, tab, CR or ``'`` loses the ``'``.

    >>> [restore_cell(t) for t in ("'-3", "''=x", "'''", "'tis", "'", "-3")]
    ['-3', "'=x", "''", "'tis", "'", '-3']
    """
    return text[1:] if _looks_neutralised(text) else text


def _looks_neutralised(text: str) -> bool:
    return len(text) > 1 and text[0] == "'" and (text[1] == "'" or text[1] in CSV_FORMULA_STARTS)


def csv_cell(value: Any) -> str:
    """A value's cell in an exported CSV: :func:`cell_text`, text neutralised against formulas.

    >>> csv_cell("=1+1"), csv_cell(-3), csv_cell(-0.5), csv_cell(["=x"]), csv_cell(None)
    ("'=1+1", '-3', '-0.5', '["=x"]', '')
    """
    text = cell_text(value)
    return neutralise_cell(text) if isinstance(value, str) else text


def csv_value(prop: Prop | None, text: str) -> Any:
    """The value of an imported CSV cell: :func:`restore_cell`, then :func:`coerce_cell`.

    >>> csv_value(Prop("text"), "'=1+1"), csv_value(Prop("int"), "-3"), csv_value(None, "''-x")
    ('=1+1', -3, "'-x")
    """
    return coerce_cell(prop, restore_cell(text))


def prop_for(label_or_type: str, key: str) -> Prop | None:
    """The spec of property ``key`` on a label or relationship type, if any."""
    if label_or_type in LABELS:
        return LABELS[label_or_type].get(key)
    rel = RELATIONSHIPS.get(label_or_type)
    return rel.props.get(key) if rel else None


def all_node_props() -> list[str]:
    """Every node property name, in a stable order (the CSV columns)."""
    seen: dict[str, None] = {}
    for props in LABELS.values():
        for key in props:
            seen.setdefault(key, None)
    return list(seen)


def all_edge_props() -> list[str]:
    seen: dict[str, None] = {}
    for rel in RELATIONSHIPS.values():
        for key in rel.props:
            seen.setdefault(key, None)
    return list(seen)


def edge_key(record: dict) -> tuple[str, str, str]:
    return record["type"], record["from"], record["to"]
