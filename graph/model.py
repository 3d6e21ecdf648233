"""The graph model: labels, relationship types, their properties and rules.

This module is the one place the rules live. The stores use it to allow-list
labels and relationship types and run :func:`validate_node` / :func:`validate_edge`
inside their write transaction, so every write path gets the same rules: allowed values
and ranges, text with no control characters or lone surrogates and within its length
(``MAX_*``), whole numbers that are ints within 64 bits, real dates, no relationship from
a record to itself, a source and its date on every reach, partnership and referral
(:data:`SOURCED_TYPES`). The API's schemas are generated from it, and the one conversion from
text to value (:func:`value_from_text`, for CSV cells and form boxes) and the JSON depth
limit checked before parsing (:func:`read_json`) are here too.

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

ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}", re.ASCII)
# "As a …, I need …, so that …" (also "As someone who …", "I want", "so I can").
NEED_STATEMENT = re.compile(r"^\s*as\b.+?,\s*i (?:need|want)\b.+?,?\s*so\b.+", re.IGNORECASE | re.DOTALL)
CONTACT_FIELDS = ("email", "url", "phone", "note")
# Keys every node or edge record carries beside its properties.
NODE_KEYS = ("id", "label", "name")
EDGE_KEYS = ("type", "from", "to")

# -- bounds on values: every write path and both stores apply these ------------------------------
MAX_ID = 100  # an id (ID_PATTERN)
MAX_NAME = 300  # a record's name: one line
MAX_LINE = 1000  # a one-line property (kind "str"), a contact field
MAX_TEXT = 10_000  # long text (kind "text", the only kind that may hold line breaks and tabs) and web addresses
MAX_SHORT = 200  # one keyword or alias, an id in another register
MAX_ITEMS = 500  # entries in a list or object property (keywords, ids in other registers, harvested fields)
INT_MIN, INT_MAX = -(2**63), 2**63 - 1  # what both stores hold exactly (Neo4j's integers are 64-bit)
EARLIEST_DATE, LATEST_DATE = _dt.date(1800, 1, 1), _dt.date(2199, 12, 31)  # outside: surely a typo
# -- bounds on input, checked before it is parsed ----------------------------------------------
MAX_JSON_DEPTH = 32  # nesting of any JSON read: an import document, an API body, a CSV cell
MAX_RECORD_BYTES = 1024 * 1024  # a JSON request body that carries one record or relationship
MAX_DOCUMENT_BYTES = 256 * 1024 * 1024  # one import file (JSON, nodes.csv or edges.csv) read from disk


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
# A need's lifecycle: forward one step, back one step, "not taken forward" from any open
# status, and a need not taken forward can be looked at again (the toolkit: "could be revisited").
NEED_STATUSES = ("captured", "under_review", "planned", "in_progress", "delivered", "not_taken_forward")
NEED_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "captured": ("under_review", "not_taken_forward"),
    "under_review": ("planned", "captured", "not_taken_forward"),
    "planned": ("in_progress", "under_review", "not_taken_forward"),
    "in_progress": ("delivered", "planned", "not_taken_forward"),
    "delivered": (),
    "not_taken_forward": ("under_review",),
}
NEED_STATUS_WORDS = {
    "captured": "Captured", "under_review": "Under review", "planned": "Planned",
    "in_progress": "In progress", "delivered": "Delivered", "not_taken_forward": "Not taken forward",
}
HELD_STATUSES = ("held", "reported")  # an engagement that has happened: it must involve a public
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
        # What it declares about itself (HSDS 3.1 service_capacity in spirit); set only where a source says so.
        "accepting_requests": _enum("yes", "no", "by_arrangement",
                                    doc="whether it is taking requests from producers now"),
        "stated_capacity": Prop("str", doc="how much it says it can take on, in its own words "
                                           "(HSDS 3.1 service_capacity.description)"),
        "how_to_approach": _enum("directly", "membership_body", "commission",
                                 doc="how a producer should approach it: directly, through a membership body, "
                                     "or by commissioning it"),
        "expects_remuneration": Prop("bool", doc="whether it expects participants to be paid"),
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
        "status": _enum(*NEED_STATUSES),
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
    "INVOLVED": RelType(("Engagement",), ("Public",), {
        "participants": Prop("int", minimum=0),
        "confirmed": Prop("bool", doc="false means proposed by a harvest from the engagement's text and not "
                                      "yet confirmed by an editor: it does not count towards burden; true, or "
                                      "left out, means confirmed"),
    }),
    "VIA": RelType(("Engagement",), ("Intermediary", "UserGroup")),
    "ON": RelType(("Engagement",), ("Statistic", "Topic")),
    "RAISED_BY": RelType(("Need",), ("Public", "Intermediary", "UserGroup")),
    "CONCERNS": RelType(("Need",), ("Statistic", "Topic")),
    "OWNED_BY": RelType(("Need",), ("Producer",)),
}

# Every relationship may say where it comes from, like a record: the evidence behind a route or a
# reach is a fact with a source, not a number typed in by hand.
EDGE_COMMON = {
    "source": Prop("str", doc="a URL or citation saying where the relationship comes from"),
    "verified": Prop("date", doc="when that source was recorded or last checked"),
}
for _rel in RELATIONSHIPS.values():
    for _k, _v in EDGE_COMMON.items():
        _rel.props.setdefault(_k, _v)
# A reach, a partnership and a referral are claims a producer or a member of the public acts on, so
# each must say where it comes from, on every write path (the form, the API, imports, harvests,
# migrate): the organisation's own statement, a case study, a published page.
SOURCED_TYPES = ("REACHES", "PARTNERS_WITH", "REFERS_TO")
for _type in SOURCED_TYPES:
    for _k, _v in EDGE_COMMON.items():
        RELATIONSHIPS[_type].props[_k] = Prop(_v.kind, required=True, doc=_v.doc)
# A strength or trust typed on a REACHES is an editor's recorded judgement: it needs its source and date.
JUDGEMENT_PROPS = ("strength", "trust")
JUDGEMENT_NEEDS_SOURCE = ("is an editor's judgement of this reach, so it needs the source it rests on "
                          "(source) and that source's date (verified)")

# Defaults the algorithms read when an edge leaves a property out.
EDGE_DEFAULTS = {"REACHES": {"strength": 0.5, "trust": "medium"}}


# Characters no text may hold: C0 and C1 controls (long text may hold tab and line feed), DEL and
# the noncharacters U+FFFE and U+FFFF. None of them may appear in XML, so a record holding one
# would break every Atom feed and GraphML export that includes it.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")
_LINE_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ufffe\uffff]")  # one-line text: no tab either
# Half of a UTF-16 surrogate pair: a Python string can hold one, UTF-8 cannot encode it.
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_UNSHOWABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
WEB_ADDRESS = re.compile(r"https?://\S+")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
SHOWN_LENGTH = 80  # how much of an id or key a message quotes


def shown(value: Any, limit: int = SHOWN_LENGTH) -> str:
    """A value as a message quotes it: text only, invisible characters escaped, long text cut short.

    Messages name records by what the client sent, so what it sent must not be able to break
    the message (a NUL, a lone surrogate) or flood it (an id a megabyte long).

    >>> shown("ons"), shown("a\\x00b"), shown(["x"]), shown("x" * 90)[-3:]
    ('ons', 'a\\\\x00b', '?', 'xx…')
    """
    if not isinstance(value, str) or not value:
        return "?"
    cut = value[:limit] + ("…" if len(value) > limit else "")
    return _UNSHOWABLE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                           else f"\\u{ord(m.group()):04x}", cut)


def node_where(record: dict, line: int | None = None) -> str:
    """How a node is named in a message: by id, and by CSV line when known.

    >>> node_where({"id": "ons"}), node_where({}, line=7), node_where({"id": ["ons"]})
    ("node 'ons'", 'node at line 7', 'node without an id')
    """
    rid = record.get("id") if isinstance(record, dict) else None
    rid = shown(rid) if isinstance(rid, str) and rid else None
    at = f" (line {line})" if line is not None and rid else f" at line {line}" if line is not None else ""
    return f"node '{rid}'{at}" if rid else f"node{at or ' without an id'}"


def edge_where(record: dict, line: int | None = None) -> str:
    """How an edge is named in a message: by its (type, from, to) triple; ``?`` for a part that is not text.

    >>> edge_where({"type": "PRODUCES", "from": "ons", "to": "census"}), edge_where({"type": "INVOLVED", "from": [1]})
    ('edge PRODUCES ons -> census', 'edge INVOLVED ? -> ?')
    """
    get = record.get if isinstance(record, dict) else (lambda _k: None)
    at = f" (line {line})" if line is not None else ""
    return f"edge {shown(get('type'))} {shown(get('from'))} -> {shown(get('to'))}{at}"


def text_problem(value: Any, limit: int, multiline: bool = False) -> str | None:
    """What is wrong with ``value`` as text of at most ``limit`` characters, or None.

    Only long text (``multiline``) may hold line breaks and tabs; no text may hold other
    control characters or half of a surrogate pair.

    >>> text_problem("ONS", 300), text_problem("a\\nb", 300), text_problem("a\\n\\tb", 300, multiline=True)
    (None, 'must be one line of at most 300 characters', None)
    >>> text_problem("a\\x00b", 300)
    'must not contain control characters (U+0000 at character 2)'
    >>> text_problem("\\ud800", 300)
    'must be valid Unicode text (U+D800 at character 1 is half of a surrogate pair, which UTF-8 cannot encode)'
    """
    if not isinstance(value, str):
        return "must be text"
    bad = _SURROGATE.search(value)
    if bad:
        return (f"must be valid Unicode text (U+{ord(bad.group()):04X} at character {bad.start() + 1} is half "
                "of a surrogate pair, which UTF-8 cannot encode)")
    if not multiline and ("\n" in value or "\r" in value):
        return f"must be one line of at most {limit} characters"
    bad = (_CONTROL if multiline else _LINE_CONTROL).search(value)
    if bad:
        return f"must not contain control characters (U+{ord(bad.group()):04X} at character {bad.start() + 1})"
    if len(value) > limit:
        return f"must be one line of at most {limit} characters" if not multiline else \
            f"must be at most {limit} characters"
    return None


def check_value(prop: Prop, value: Any) -> str | None:
    """Return what is wrong with ``value`` for ``prop``, or None when it is fine.

    >>> check_value(Prop("number", minimum=0, maximum=1), 1.5)
    'must be at most 1'
    >>> check_value(Prop("date"), "2024-02-30")
    'must be a date as YYYY-MM-DD'
    >>> check_value(Prop("bool"), "yes")
    'must be true or false'
    >>> check_value(Prop("int"), 2.0), check_value(Prop("int"), True)
    ('must be a whole number', 'must be a whole number')
    >>> check_value(Prop("int"), 2**63)
    'must be a whole number from -9223372036854775808 to 9223372036854775807'
    """
    if isinstance(value, Unconverted):
        return value.why
    check = _CHECKS.get(prop.kind)
    if check is None:  # pragma: no cover - model bug
        raise ValueError(f"unknown property kind {prop.kind}")
    return check(prop, value)


def _check_line(_prop: Prop, value: Any) -> str | None:
    return text_problem(value, MAX_LINE)


def _check_text(_prop: Prop, value: Any) -> str | None:
    return text_problem(value, MAX_TEXT, multiline=True)


def _check_url(_prop: Prop, value: Any) -> str | None:
    problem = text_problem(value, MAX_TEXT)
    if problem is None and not WEB_ADDRESS.fullmatch(value):
        return "must be a web address starting http:// or https://"
    return problem


def _check_bool(_prop: Prop, value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def _check_int(prop: Prop, value: Any) -> str | None:
    """A whole number is an int: never a float (``2.0``, ``1e300``) nor a bool."""
    return "must be a whole number" if type(value) is not int else _check_range(prop, value)


def _check_number(prop: Prop, value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "must be a number"
    if isinstance(value, float) and not math.isfinite(value):
        return "must be a finite number"
    return _check_range(prop, value)


def _check_range(prop: Prop, value: int | float) -> str | None:
    if isinstance(value, int) and not INT_MIN <= value <= INT_MAX:
        return f"must be a whole number from {INT_MIN} to {INT_MAX}"
    if prop.minimum is not None and value < prop.minimum:
        return f"must be at least {prop.minimum:g}"
    if prop.maximum is not None and value > prop.maximum:
        return f"must be at most {prop.maximum:g}"
    return None


def _check_date(_prop: Prop, value: Any) -> str | None:
    day = _calendar_date(value)
    if day is None:
        return "must be a date as YYYY-MM-DD"
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        return f"must be a date from {EARLIEST_DATE} to {LATEST_DATE}"
    return None


def _check_enum(prop: Prop, value: Any) -> str | None:
    return None if isinstance(value, str) and value in prop.choices else "must be one of: " + ", ".join(prop.choices)


def _check_tags(_prop: Prop, value: Any) -> str | None:
    if not isinstance(value, list):
        return "must be a list of short texts"
    if len(value) > MAX_ITEMS:
        return f"must be a list of at most {MAX_ITEMS} short texts"
    for i, tag in enumerate(value, start=1):
        problem = "is not text" if not isinstance(tag, str) else "is empty" if not tag else \
            text_problem(tag, MAX_SHORT)
        if problem:
            return f"must be a list of short texts: entry {i} {problem}"
    return None


def _check_nations(prop: Prop, value: Any) -> str | None:
    ok = isinstance(value, list) and value and all(isinstance(v, str) and v in prop.choices for v in value) and \
        len(set(value)) == len(value)
    return None if ok else "must be a list of different nations, each one of: " + ", ".join(prop.choices)


REGISTER_NAME = re.compile(r"[a-z][a-z0-9_]{0,29}")


def _check_identifiers(_prop: Prop, value: Any) -> str | None:
    ok = isinstance(value, dict) and 0 < len(value) <= MAX_ITEMS and all(
        REGISTER_NAME.fullmatch(k) and v != "" and text_problem(v, MAX_SHORT) is None for k, v in value.items())
    return None if ok else "must be an object of register name (lower-case) to an id of at most 200 characters"


def _check_contact(_prop: Prop, value: Any) -> str | None:
    if not isinstance(value, dict) or not value:
        return "must be an object with any of: " + ", ".join(CONTACT_FIELDS)
    unknown = sorted(set(value) - set(CONTACT_FIELDS))
    if unknown:
        return f"unknown field {shown(unknown[0])!r}; allowed: " + ", ".join(CONTACT_FIELDS)
    for key, text in value.items():
        if not isinstance(text, str) or not text.strip():
            return "every contact field must be non-empty text"
        problem = text_problem(text, MAX_LINE)
        if problem:
            return f"{key}: {problem}"
    if "email" in value and not EMAIL.fullmatch(value["email"]):
        return "email must be an email address"
    if "url" in value and not WEB_ADDRESS.fullmatch(value["url"]):
        return "url must be a web address starting http:// or https://"
    return None


FINGERPRINT = re.compile(r"[0-9a-f]{12}")
SOURCE_NAME = re.compile(r"[a-z][a-z0-9_-]{0,29}")


def _check_harvest(_prop: Prop, value: Any) -> str | None:
    """What is wrong with a ``harvested`` value: ``{"by": source, "at": date, "fields": {field: fingerprint}}``.

    >>> _check_harvest(None, {"by": "govuk", "at": "2024-11-20", "fields": {"name": "0123456789ab"}}) is None
    True
    >>> _check_harvest(None, {"by": "govuk", "at": "2024-11-20", "fields": {"name": 3}})
    'fields: each must be a 12-character fingerprint'
    """
    if not isinstance(value, dict) or set(value) != {"by", "at", "fields"}:
        return "must be an object with by, at and fields"
    if not isinstance(value["by"], str) or not SOURCE_NAME.fullmatch(value["by"]):
        return "by: must be the name of a harvest source"
    if parse_date(value["at"]) is None:
        return "at: must be a date as YYYY-MM-DD"
    fields = value["fields"]
    if not isinstance(fields, dict) or len(fields) > MAX_ITEMS or not all(
            text_problem(k, 100) is None and isinstance(v, str) and FINGERPRINT.fullmatch(v)
            for k, v in fields.items()):
        return "fields: each must be a 12-character fingerprint"
    return None


_CHECKS = {"str": _check_line, "text": _check_text, "url": _check_url, "bool": _check_bool, "int": _check_int,
           "number": _check_number, "date": _check_date, "enum": _check_enum, "tags": _check_tags,
           "nations": _check_nations, "identifiers": _check_identifiers, "contact": _check_contact,
           "harvest": _check_harvest}
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _calendar_date(value: Any) -> _dt.date | None:
    """A real calendar day written YYYY-MM-DD in ASCII digits; None otherwise."""
    if not isinstance(value, str) or not ISO_DATE.fullmatch(value):
        return None
    try:
        return _dt.date.fromisoformat(value)
    except ValueError:
        return None


def parse_date(value: Any) -> _dt.date | None:
    """Parse an ISO date string strictly (a real day, ASCII digits, within the model's years); None otherwise.

    >>> parse_date("2024-01-18"), parse_date("18/01/2024"), parse_date("2024-02-30"), parse_date("9999-12-31")
    (datetime.date(2024, 1, 18), None, None, None)
    >>> parse_date("２０２４-01-18") is None
    True
    """
    day = _calendar_date(value)
    return day if day is not None and EARLIEST_DATE <= day <= LATEST_DATE else None


def _check_props(where: str, props: dict[str, Prop], record: dict, skip: tuple[str, ...]) -> list[Problem]:
    problems = []
    get, checks = props.get, _CHECKS  # check_value inlined: this loop runs for every property imported
    for key, value in record.items():
        if key in skip:
            continue
        prop = get(key)
        if prop is None:
            allowed = ", ".join(sorted(props)) or "none"
            problems.append(Problem(where, shown(key), f"unknown property; allowed here: {allowed}"))
        elif value is None:
            if prop.required:
                problems.append(Problem(where, key, "is required"))
        else:
            msg = value.why if isinstance(value, Unconverted) else checks[prop.kind](prop, value)
            if msg:
                problems.append(Problem(where, key, msg))
    for key, prop in props.items():
        if prop.required and key not in record:
            problems.append(Problem(where, key, "is required"))
    return problems


def validate_node(record: Any, line: int | None = None) -> list[Problem]:
    """Every problem with one node record, each naming the record and the field.

    The record's name in the messages (:func:`node_where`) is worked out only when there is a
    problem: an import checks tens of thousands of records that have none.

    >>> validate_node({"id": "t", "label": "Topic", "name": "T"})
    []
    >>> [str(p) for p in validate_node({"id": "t", "label": "Topic", "name": ""}, line=4)]
    ["node 't' (line 4): name: is required"]
    """
    if not isinstance(record, dict):
        return [Problem(node_where(record, line), "", "must be an object")]
    problems = _node_problems("", record)
    if not problems:
        return problems
    where = node_where(record, line)
    return [Problem(where, p.field, p.message) for p in problems]


def _node_problems(where: str, record: dict) -> list[Problem]:
    problems = []
    rid = record.get("id")
    if not isinstance(rid, str) or not ID_PATTERN.fullmatch(rid):
        problems.append(Problem(where, "id", "must be lower-case letters, digits, '.', '_' or '-', "
                                f"starting with a letter or digit, at most {MAX_ID} characters"))
    label = record.get("label")
    if not isinstance(label, str) or label not in LABELS:
        problems.append(Problem(where, "label", "must be one of: " + ", ".join(LABELS)))
        return problems
    name = record.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append(Problem(where, "name", "is required"))
    elif text_problem(name, MAX_NAME):
        problems.append(Problem(where, "name", text_problem(name, MAX_NAME)))
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


# -- what a stored record may become, and rules over several records ------------------

def need_move_problem(current: str | None, status: str | None) -> str | None:
    """Why a need may not move from ``current`` to ``status`` (None: it may).

    >>> need_move_problem("delivered", "captured")
    'a delivered need cannot move to captured; record a new need instead'
    >>> need_move_problem("captured", "under_review") is None, need_move_problem("planned", "planned") is None
    (True, True)
    >>> need_move_problem("captured", "delivered")
    'a captured need cannot move to delivered; it can move to: under review, not taken forward'
    """
    current, status = current or "captured", status or "captured"
    if status == current or current not in NEED_TRANSITIONS or status in NEED_TRANSITIONS[current]:
        return None
    allowed = NEED_TRANSITIONS[current]
    hint = ("it can move to: " + ", ".join(NEED_STATUS_WORDS[s].lower() for s in allowed)) if allowed \
        else "record a new need instead"
    return (f"a {NEED_STATUS_WORDS[current].lower()} need cannot move to "
            f"{NEED_STATUS_WORDS.get(status, status).lower()}; {hint}")


def transition_problems(old: dict | None, new: dict, line: int | None = None) -> list[Problem]:
    """What a stored record may become: a need follows its lifecycle (a new record may start anywhere).

    >>> old = {"id": "n", "label": "Need", "name": "N", "status": "delivered"}
    >>> [str(p) for p in transition_problems(old, dict(old, status="captured"))]
    ["node 'n': status: a delivered need cannot move to captured; record a new need instead"]
    >>> transition_problems(None, dict(old, status="delivered"))
    []
    """
    if old is None or new.get("label") != "Need" or old.get("label") != "Need":
        return []
    reason = need_move_problem(old.get("status"), new.get("status"))
    return [Problem(node_where(new, line), "status", reason)] if reason else []


ENGAGEMENT_NEEDS_PUBLIC = "a held or reported engagement must involve at least one public"


def must_involve_public(record: dict | None) -> bool:
    """True for an engagement recorded as held or reported: it must have an INVOLVED public.

    >>> must_involve_public({"label": "Engagement", "status": "held"}), must_involve_public({"label": "Engagement"})
    (True, False)
    """
    return bool(record) and record.get("label") == "Engagement" and record.get("status") in HELD_STATUSES


def validate_edge(record: Any, labels: dict[str, str | None] | None = None, line: int | None = None) -> list[Problem]:
    """Every problem with one edge record.

    ``labels`` maps endpoint ids to their labels (None when the node is unknown);
    pass it to check that both ends exist and have the allowed labels.

    >>> [str(p) for p in validate_edge({"type": "PRODUCES", "from": "ons", "to": "x"},
    ...                                 {"ons": "Producer", "x": "Topic"})]
    ['edge PRODUCES ons -> x: to: a PRODUCES edge must end at a Statistic, not a Topic']
    >>> [str(p) for p in validate_edge({"type": "BROADER", "from": "t", "to": "t"})]
    ['edge BROADER t -> t: to: must be another record: a BROADER relationship from a record to itself means nothing']
    """
    if not isinstance(record, dict):
        return [Problem(edge_where(record, line), "", "must be an object")]
    problems = _edge_problems("", record, labels)
    if not problems:
        return problems
    where = edge_where(record, line)  # only now: naming the edge is a quarter of checking one that is fine
    return [Problem(where, p.field, p.message) for p in problems]


def _edge_problems(where: str, record: dict, labels: dict[str, str | None] | None) -> list[Problem]:
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
    if isinstance(record.get("from"), str) and record.get("from") == record.get("to"):
        problems.append(Problem(where, "to", f"must be another record: a {record['type']} relationship from "
                                "a record to itself means nothing"))
    problems += _check_props(where, rel.props, record, EDGE_KEYS)
    problems += _edge_cross_field_rules(where, record)
    return problems


def _edge_cross_field_rules(where: str, record: dict) -> list[Problem]:
    """A REACHES's ``strength`` or ``trust`` stands only with a ``source`` and a ``verified`` date.

    >>> [str(p) for p in _edge_cross_field_rules("edge", {"type": "REACHES", "strength": 0.6,
    ...                                                    "source": "https://example.org/about"})]
    ["edge: strength: is an editor's judgement of this reach, so it needs the source it rests on (source) and that source's date (verified)"]
    >>> _edge_cross_field_rules("edge", {"type": "REACHES", "trust": "high", "source": "x", "verified": "2025-01-01"})
    []
    >>> [str(p) for p in _edge_cross_field_rules("edge", {"type": "REFERS_TO", "source": " ", "verified": "2025-01-01"})]
    ['edge: source: is required: say where this relationship comes from']
    """
    problems = []
    source = record.get("source")
    if record.get("type") in SOURCED_TYPES and isinstance(source, str) and not source.strip():
        problems.append(Problem(where, "source", "is required: say where this relationship comes from"))
    if record.get("type") == "REACHES" and not (isinstance(source, str) and source.strip() and record.get("verified")):
        problems += [Problem(where, key, JUDGEMENT_NEEDS_SOURCE) for key in JUDGEMENT_PROPS
                     if record.get(key) is not None]
    return problems


def node_props(record: dict) -> dict:
    """The properties of a node record, without id/label/name.

    >>> node_props({"id": "a", "label": "Topic", "name": "A", "tags": ["x"]})
    {'tags': ['x']}
    """
    return {k: v for k, v in record.items() if k not in NODE_KEYS and v is not None}


def edge_props(record: dict) -> dict:
    return {k: v for k, v in record.items() if k not in EDGE_KEYS and v is not None}


class Unconverted(str):
    """Text that could not become the value its property needs, carrying why.

    The conversion keeps it as text rather than raising, so that validation reports it with
    the record and the field, beside every other problem of the same record.

    >>> value = Unconverted("²", "must be a whole number")
    >>> value, value.why, check_value(Prop("int"), value)
    ('²', 'must be a whole number', 'must be a whole number')
    """

    why: str

    def __new__(cls, text: str, why: str) -> "Unconverted":
        self = super().__new__(cls, text)
        self.why = why
        return self


# Numbers as text: ASCII digits only ("²", "٣" and "1_000" are not numbers here, whatever Python's
# int() or str.isdigit() accept), an optional sign, and for a decimal a point and an exponent.
INT_TEXT = re.compile(r"[-+]?[0-9]+")
DECIMAL_TEXT = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
MAX_DIGITS = 40  # longer is out of range anyway; Python refuses to convert over 4300
BOOL_WORDS = {"true": True, "false": False, "yes": True, "no": False}
# Property kinds a CSV cell writes as JSON.
JSON_KINDS = ("tags", "nations", *OBJECT_KINDS)


def number_from_text(text: str, whole: bool) -> int | float | Unconverted:
    """A number typed or written as text: an int for digits, a float for a decimal (unless ``whole``).

    >>> number_from_text("8", True), number_from_text(" -0.5", False), number_from_text("1e3", False)
    (8, -0.5, 1000.0)
    >>> [type(number_from_text(t, True)).__name__ for t in ("²", "1_000", "٣", "2.0", "nan", "0x10")]
    ['Unconverted', 'Unconverted', 'Unconverted', 'Unconverted', 'Unconverted', 'Unconverted']
    """
    stripped = text.strip(" \t")
    why = "must be a whole number" if whole else "must be a number"
    if INT_TEXT.fullmatch(stripped):
        if len(stripped) > MAX_DIGITS:
            return Unconverted(text, f"must be a whole number from {INT_MIN} to {INT_MAX}")
        return int(stripped)
    if not whole and DECIMAL_TEXT.fullmatch(stripped):
        return float(stripped)
    return Unconverted(text, why)


def value_from_text(prop: Prop | None, text: str) -> Any:
    """The value a text stands for, by its property's kind: the one conversion, for CSV cells and forms.

    ``''`` means absent (None). Text that cannot be converted comes back :class:`Unconverted`,
    so validation names the record and the field. Lists and objects are JSON, their nesting
    checked before they are parsed. Text is kept exactly as it is.

    >>> value_from_text(Prop("bool"), "true"), value_from_text(Prop("bool"), "no")
    (True, False)
    >>> value_from_text(Prop("number"), "0.8"), value_from_text(Prop("tags"), '["a"]'), value_from_text(None, "x")
    (0.8, ['a'], 'x')
    >>> value_from_text(Prop("int"), "1_000").why, value_from_text(Prop("int"), "١٢").why
    ('must be a whole number', 'must be a whole number')
    >>> value_from_text(Prop("tags"), "[" * 40 + "]" * 40).why
    'nests deeper than 32 levels (the limit for JSON)'
    """
    if text == "":
        return None
    kind = prop.kind if prop else None
    if kind == "bool":
        word = text.strip(" \t").lower()
        return BOOL_WORDS[word] if word in BOOL_WORDS else Unconverted(text, "must be true or false")
    if kind in ("int", "number"):
        return number_from_text(text, whole=kind == "int")
    if kind in JSON_KINDS:
        try:
            return read_json(text)
        except TooDeep as exc:
            return Unconverted(text, str(exc))
        except ValueError as exc:
            return Unconverted(text, f"must be JSON, as a list or object in a CSV cell is ({exc})")
    return text


DAY_TEXT, YEAR_TEXT = re.compile(r"[0-9]{1,2}"), re.compile(r"[0-9]{4}")


def date_from_parts(day: str, month: str, year: str) -> str | Unconverted | None:
    """The ISO date typed into GOV.UK day, month and year boxes; None when all three are blank.

    Anything but ASCII digits (``²``, ``٣``) comes back :class:`Unconverted`, for the model to name.

    >>> date_from_parts("7", "3", "2026"), date_from_parts(" ", "", ""), date_from_parts("²", "3", "2026")
    ('2026-03-07', None, '²-3-2026')
    """
    parts = [(p or "").strip() for p in (day, month, year)]
    if not any(parts):
        return None
    day, month, year = parts
    if DAY_TEXT.fullmatch(day) and DAY_TEXT.fullmatch(month) and YEAR_TEXT.fullmatch(year):
        return f"{year}-{int(month):02d}-{int(day):02d}"
    return Unconverted("-".join(parts), "must be a date as YYYY-MM-DD")


# -- JSON, its nesting checked before it is parsed ----------------------------------------------

class TooDeep(ValueError):
    """JSON that nests deeper than the limit; ``path`` says where (``nodes[0].tags``)."""

    def __init__(self, path: str, limit: int):
        self.path, self.limit = path, limit
        super().__init__(f"nests deeper than {limit} levels (the limit for JSON)")


_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{},]', re.DOTALL)


def read_json(text: str | bytes, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse JSON text (bytes must be UTF-8) once its nesting is known to be within ``max_depth``.

    Python's parser recurses once per level, so JSON nested 50,000 deep would exhaust it;
    this refuses it first, with :class:`TooDeep` naming where. Any other fault is ValueError.

    >>> read_json('{"tags": ["a"]}')
    {'tags': ['a']}
    >>> try:
    ...     read_json('{"nodes": [{"tags": ' + "[" * 50_000 + "]" * 50_000 + "}]}")
    ... except TooDeep as exc:
    ...     print(exc.path, exc)
    nodes[0].tags nests deeper than 32 levels (the limit for JSON)
    """
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8-sig")  # UnicodeDecodeError is a ValueError
    path = json_too_deep(text, max_depth)
    if path is not None:
        raise TooDeep(path, max_depth)
    return json.loads(text)


def json_too_deep(text: str, limit: int = MAX_JSON_DEPTH) -> str | None:
    """Where JSON text first nests deeper than ``limit`` (a path such as ``nodes[0].tags``), or None.

    Counts brackets outside strings without parsing, so it cannot itself run out of stack.

    >>> json_too_deep('{"a": "[[[[["}', 2), json_too_deep('{"nodes": [{"tags": [[["x"]]]}]}', 4)
    (None, 'nodes[0].tags')
    """
    depth = 0
    for bracket in _NOT_BRACKET.sub("", _JSON_STRING.sub("", text)):
        depth = depth + 1 if bracket in "[{" else max(depth - 1, 0)
        if depth > limit:
            return _deep_path(text, limit)
    return None


def _deep_path(text: str, limit: int) -> str:
    """The path to the container that first goes deeper than ``limit`` (slow; only for refused input)."""
    stack: list[list] = []  # per open container: [is an object, its current key or index, expecting a key]
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token[0] == '"':
            if stack and stack[-1][0] and stack[-1][2]:
                stack[-1][1], stack[-1][2] = _json_key(token), False
        elif token in "[{":
            stack.append([token == "{", None if token == "{" else 0, token == "{"])
            if len(stack) > limit:
                return _path_text([entry[1] for entry in stack[:-1]])
        elif token in "]}":
            if stack:
                stack.pop()
        elif stack and stack[-1][0]:
            stack[-1][2] = True
        elif stack:
            stack[-1][1] += 1
    return ""


def _json_key(token: str) -> str:
    try:
        return shown(json.loads(token), 40)
    except ValueError:
        return shown(token[1:-1], 40)


def _path_text(parts: list) -> str:
    """A short path: up to the last key among the first four steps (and one index after a lone key).

    >>> _path_text(["nodes", 0, "tags", 0, 0]), _path_text(["tags", 0, 0]), _path_text([0, 0]), _path_text(["a"] * 6)
    ('nodes[0].tags', 'tags[0]', '', 'a.a.a.a')
    """
    first = parts[:4]
    keys = [i for i, part in enumerate(first) if isinstance(part, str)]
    if not keys:
        return ""
    kept = first[:keys[-1] + 1]
    if len(kept) == 1 and len(first) > 1 and isinstance(first[1], int):
        kept.append(first[1])
    out = ""
    for part in kept:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def cell_text(value: Any) -> str:
    """The CSV form of a property value (the inverse of :func:`value_from_text`).

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
    """The value of an imported CSV cell: :func:`restore_cell`, then :func:`value_from_text`.

    >>> csv_value(Prop("text"), "'=1+1"), csv_value(Prop("int"), "-3"), csv_value(None, "''-x")
    ('=1+1', -3, "'-x")
    """
    return value_from_text(prop, restore_cell(text))


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


# -- route reports: "Did this help?" ------------------------------------------------------------
# A report is not a registry record: it is never in search, maps, exports or HSDS. It says what
# happened when someone used a route (a statistic and the first contact the signpost gave), and it
# holds no personal data: no name, email, address or browser — only what the form asks.
REPORT_OUTCOMES = ("answered", "passed_on", "no_reply", "wrong_details")
REPORT_OUTCOME_WORDS = {"answered": "I got an answer", "passed_on": "I was passed on to someone else",
                        "no_reply": "No reply", "wrong_details": "The contact details were wrong"}
# open: counted; held: kept for an editor to look at before it counts; then an editor's resolution.
REPORT_STATUSES = ("open", "held", "fixed", "not_a_problem", "spam")
REPORT_RESOLUTIONS = ("fixed", "not_a_problem", "spam", "open")  # "open": a held report released to count
REPORT_COUNTED = ("open", "fixed", "not_a_problem")  # spam and held reports count towards nothing
PASSED_TO_LABELS = RELATIONSHIPS["REFERS_TO"].targets  # "passed on to" names what a REFERS_TO may end at
MAX_REPORT_COMMENT = 500
MAX_PASSED_TO_TEXT = 200
MAX_REPORT_LINKS = 1  # one web address is held for review; more is link-stuffing and refused
MAX_TIMES_PASSED_ON = 3  # "three or more times"
REPORT_FIELDS = ("statistic", "contact", "outcome", "passed_to", "passed_to_text", "times_passed_on", "comment")


def _comment_links(text: str) -> int:
    return len(re.findall(r"(?:https?://|www\.)\S+|\b[\w-]+\.(?:com|net|org|ru|info|xyz|top|biz)\b", text,
                          re.IGNORECASE))


def report_hold_reason(comment: str | None) -> str | None:
    """Why a report's comment should wait for an editor before the report counts (None: it need not).

    A link, markup, or text that does not read as words (few letters, a run of one character,
    one very long "word") is held, not refused: a person may have meant it.

    >>> report_hold_reason("They never wrote back."), report_hold_reason(None)
    (None, None)
    >>> report_hold_reason("see https://example.org")
    'it contains a web address'
    >>> report_hold_reason("asdkjhaskjdhaksjdhkajshdkjashdkjahsdkjh"), report_hold_reason("!!!!!!!!!!!!")
    ('it does not read as words', 'it does not read as words')
    >>> report_hold_reason("<b>hi</b> there")
    'it contains markup'
    """
    if not comment or not comment.strip():
        return None
    if _comment_links(comment):
        return "it contains a web address"
    if re.search(r"<\s*/?\s*[a-z!]", comment, re.IGNORECASE):
        return "it contains markup"
    chars = [c for c in comment if not c.isspace()]
    letters = sum(c.isalpha() for c in chars)
    words = re.findall(r"[^\W\d_]+", comment)
    if letters < 0.6 * len(chars) or re.search(r"(.)\1{5,}", comment) or any(len(w) > 30 for w in words) \
            or (words and not any(re.search(r"[aeiouy]", w, re.IGNORECASE) for w in words)):
        return "it does not read as words"
    return None


def validate_report(report: Any, labels: dict[str, str | None] | None = None) -> list[Problem]:
    """Every problem with a route report as sent (before it is stored), each naming its field.

    ``labels`` maps the ids the report names to their labels (None when there is no such
    record). A report needs a ``contact`` (the first contact it is about) and an ``outcome``;
    ``statistic`` is the statistic asked about (left out for "Report a wrong contact" on a
    record's page); "passed on to" (``passed_to`` an id, or ``passed_to_text`` typed) only with
    ``passed_on``, and naming something a REFERS_TO may end at, other than the contact itself.

    >>> validate_report({"contact": "ons", "outcome": "answered"}, {"ons": "Producer"})
    []
    >>> [str(p) for p in validate_report({"contact": "ons", "outcome": "lost", "comment": "x" * 501},
    ...                                  {"ons": "Producer"})]
    ['report: outcome: must be one of: answered, passed_on, no_reply, wrong_details', 'report: comment: must be at most 500 characters']
    >>> [str(p) for p in validate_report({"contact": "ons", "outcome": "passed_on", "passed_to": "census"},
    ...                                  {"ons": "Producer", "census": "Statistic"})]
    ['report: passed_to: must be a Producer, UserGroup or Intermediary, not a Statistic']
    >>> [str(p) for p in validate_report({"contact": "ons", "outcome": "answered",
    ...                                   "comment": "a http://a.example b http://b.example"}, {"ons": "Producer"})]
    ['report: comment: must hold at most 1 web address']
    """
    where = "report"
    if not isinstance(report, dict):
        return [Problem(where, "", "must be an object")]
    problems = [Problem(where, shown(k), "unknown field; allowed: " + ", ".join(REPORT_FIELDS))
                for k in report if k not in REPORT_FIELDS]
    labels = labels or {}
    outcome = report.get("outcome")
    if outcome not in REPORT_OUTCOMES:
        problems.append(Problem(where, "outcome", "must be one of: " + ", ".join(REPORT_OUTCOMES)))
    for key, allowed in (("contact", (*ORGANISATIONS, "Statistic")), ("statistic", ("Statistic",))):
        value = report.get(key)
        if value is None and key == "statistic":
            continue
        if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
            problems.append(Problem(where, key, "must be the id of a record"))
        elif labels.get(value) is None:
            problems.append(Problem(where, key, f"no record with id '{shown(value)}'"))
        elif labels[value] not in allowed:
            problems.append(Problem(where, key, f"must be a {' or '.join(allowed)}, not a {labels[value]}"))
    passed_to, typed = report.get("passed_to"), report.get("passed_to_text")
    if (passed_to is not None or typed is not None or report.get("times_passed_on") is not None) \
            and outcome != "passed_on":
        problems.append(Problem(where, "passed_to", "only a report of being passed on says to whom"))
    if passed_to is not None:
        if not isinstance(passed_to, str) or not ID_PATTERN.fullmatch(passed_to):
            problems.append(Problem(where, "passed_to", "must be the id of a record"))
        elif labels.get(passed_to) is None:
            problems.append(Problem(where, "passed_to", f"no record with id '{shown(passed_to)}'"))
        elif labels[passed_to] not in PASSED_TO_LABELS:
            problems.append(Problem(where, "passed_to", f"must be a {', '.join(PASSED_TO_LABELS[:-1])} or "
                                    f"{PASSED_TO_LABELS[-1]}, not a {labels[passed_to]}"))
        elif passed_to == report.get("contact"):
            problems.append(Problem(where, "passed_to", "must be someone other than the contact you were sent to"))
    if typed is not None:
        problem = text_problem(typed, MAX_PASSED_TO_TEXT) or (
            "must not hold a web address" if _comment_links(typed) else None)
        if problem:
            problems.append(Problem(where, "passed_to_text", problem))
    times = report.get("times_passed_on")
    if times is not None and (type(times) is not int or not 1 <= times <= MAX_TIMES_PASSED_ON):
        problems.append(Problem(where, "times_passed_on", f"must be a whole number from 1 to {MAX_TIMES_PASSED_ON}"))
    comment = report.get("comment")
    if comment is not None:
        problem = text_problem(comment, MAX_REPORT_COMMENT, multiline=True)
        if problem is None and _comment_links(comment) > MAX_REPORT_LINKS:
            problem = f"must hold at most {MAX_REPORT_LINKS} web address"
        if problem is None and EMAIL.search(comment):
            problem = "must not hold an email address: Pathways keeps no personal details"
        if problem:
            problems.append(Problem(where, "comment", problem))
    return problems
