"""docs/import-format.md, generated from graph/model.py so that it cannot drift from the rules.

``python -m graph.import_format`` rewrites docs/import-format.md; ``--check`` exits 1 when
the file differs from what the model gives (tests/test_import_format.py does the same). Every
label, relationship and property comes from ``model.LABELS`` and ``model.RELATIONSHIPS``; the
rule of each kind of property is written here once, in :data:`KINDS`, and each one is checked
against ``model.check_value`` with an example it accepts and one it refuses (:data:`KIND_EXAMPLES`),
so a rule that changes in the model fails the test until this page says so too.
"""
from __future__ import annotations

import sys
from pathlib import Path

from . import model

TARGET = Path(__file__).resolve().parent.parent / "docs" / "import-format.md"


def _const(name: str, default):
    return getattr(model, name, default)


def kinds() -> dict[str, str]:
    """The rule of each kind of property, in words, with the model's own limits."""
    line, text, short = _const("MAX_LINE", 1000), model.MAX_TEXT, _const("MAX_SHORT", 200)
    items = _const("MAX_ITEMS", None)
    up_to = f" (at most {items})" if items else ""
    early, late = _const("EARLIEST_DATE", None), _const("LATEST_DATE", None)
    dates = f", from {early} to {late}" if early and late else ""
    return {
        "str": f"one line of text, at most {line} characters",
        "text": f"text, at most {text} characters; may hold line breaks and tabs",
        "url": "a web address starting `http://` or `https://`, with no spaces",
        "bool": "`true` or `false`",
        "int": "a whole number",
        "number": "a number (a whole number or a decimal)",
        "date": f"a date as `YYYY-MM-DD`{dates}",
        "enum": "one of the values listed",
        "tags": f"a list{up_to} of short texts, each at most {short} characters",
        "nations": "a list of different nations, each one of: " + ", ".join(f"`{n}`" for n in model.NATIONS),
        "contact": "an object with any of " + ", ".join(f"`{f}`" for f in model.CONTACT_FIELDS) +
                   ", each non-empty text; `email` an email address, `url` a web address",
        "identifiers": f"an object{up_to} of register name (lower-case letters, digits and `_`, starting with a "
                       f"letter) to that register's id for the record (at most {short} characters)",
        "harvest": "written by `pathways harvest`: `{\"by\": source, \"at\": date, \"fields\": {field: "
                   "12-character fingerprint}}`; leave it as exported",
    }


# One value each kind accepts and one it refuses (checked against model.check_value by the tests).
KIND_EXAMPLES = {
    "str": ("annual", "two\nlines"),
    "text": ("Line one.\nLine two.", 5),
    "url": ("https://www.ons.gov.uk/", "www.ons.gov.uk"),
    "bool": (True, "yes"),
    "int": (35, 3.5),
    "number": (0.8, "0.8"),
    "date": ("2024-01-18", "18/01/2024"),
    "enum": ("department", "ministry"),
    "tags": (["CPI", "inflation"], "CPI"),
    "nations": (["england", "wales"], ["england", "england"]),
    "contact": ({"email": "info@ons.gov.uk"}, {"fax": "0"}),
    "identifiers": ({"govuk": "office-for-national-statistics"}, {"GOV UK": "x"}),
    "harvest": ({"by": "govuk", "at": "2024-11-20", "fields": {"name": "0123456789ab"}}, {"by": "govuk"}),
}

# The rules that join two fields or a record and its relationships, each with a record that
# breaks it and the field the model names (checked by the tests, so this list cannot go stale).
CROSS_RULES = [
    ("Engagement", "`end` must not be before `start`.",
     {"id": "e", "label": "Engagement", "name": "E", "method": "survey", "start": "2024-02-01", "end": "2024-01-01"},
     "end"),
    ("Need", "`decision_reason` is required when `status` is `not_taken_forward`.",
     {"id": "n", "label": "Need", "name": "N", "status": "not_taken_forward",
      "statement": "As a user, I need X, so that Y."}, "decision_reason"),
    ("Need", '`statement` must read "As a …, I need …, so that …" (also "As someone who …", "I want", '
             '"so I can").',
     {"id": "n", "label": "Need", "name": "N", "statement": "Please publish more."}, "statement"),
]

# The same for relationships (checked by the tests with ``model.validate_edge``).
EDGE_RULES = [
    ("REACHES, PARTNERS_WITH, REFERS_TO", "`source` and `verified` are required: a reach, a partnership or a "
     "referral is a claim people act on, so it says where it comes from (the organisation's own statement of "
     "whom it represents or serves, a case study or a section of a document, a published page) and the date "
     "that source was published or recorded.",
     {"type": "REFERS_TO", "from": "dept", "to": "desk"}, "source"),
    ("REACHES", "a `strength` or `trust` is an editor's judgement of the reach: it is refused without a "
     "`source` and a `verified` date to rest on.",
     {"type": "REACHES", "from": "charity", "to": "carers", "strength": 0.7}, "strength"),
]


def _rule(prop: model.Prop) -> str:
    rule = kinds()[prop.kind]
    if prop.kind == "enum":
        rule = "one of: " + ", ".join(f"`{c}`" for c in prop.choices)
    bounds = []
    if prop.minimum is not None:
        bounds.append(f"at least {prop.minimum:g}")
    if prop.maximum is not None:
        bounds.append(f"at most {prop.maximum:g}")
    if bounds:
        rule += ", " + " and ".join(bounds)
    return rule


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _props_table(props: dict[str, model.Prop]) -> list[str]:
    if not props:
        return ["No properties of its own.", ""]
    rows = ["| property | required | value | what it is |", "|---|---|---|---|"]
    for key, prop in props.items():
        rows.append(f"| `{key}` | {'yes' if prop.required else ''} | {_cell(_rule(prop))} | {_cell(prop.doc)} |")
    return rows + [""]


def render() -> str:
    """The whole of docs/import-format.md."""
    nk, ek = model.NODE_KEYS, model.EDGE_KEYS
    name_max = _const("MAX_NAME", 300)
    id_max = _const("MAX_ID", 100)
    lines = [
        "# The import format",
        "",
        "<!-- Generated from graph/model.py by `python -m graph.import_format`; do not edit by hand. -->",
        "",
        "A registry is imported (`pathways import PATH`, `POST /api/v1/import`) and exported "
        "(`pathways export --format json|csv`) as records and the relationships between them. An import is "
        "checked whole: if any record is wrong, every problem is reported with its record (id, relationship or "
        "CSV line) and field, and nothing is written. Otherwise everything is written in one transaction; "
        "importing the same file again changes nothing.",
        "",
        "## The JSON document",
        "",
        "```json",
        '{"format": "pathways-graph", "version": 1,',
        ' "nodes": [{"id": "ons", "label": "Producer", "name": "Office for National Statistics", '
        '"kind": "department"}],',
        ' "edges": [{"type": "PRODUCES", "from": "ons", "to": "census-2021"}]}',
        "```",
        "",
        "- `format` must be `\"pathways-graph\"` and `version` must be `1`; `nodes` and `edges` are lists (either "
        "may be left out); an export also writes `exported`. No other key is allowed.",
        f"- A node (a record) has `{nk[0]}`, `{nk[1]}` and `{nk[2]}`, then the properties of its label.",
        f"- `id`: lower-case letters, digits, `.`, `_` or `-`, starting with a letter or digit, at most {id_max} "
        "characters; unique across the whole registry (an id cannot change its label).",
        f"- `name`: required, one line of at most {name_max} characters.",
        f"- A relationship (an edge) has `{ek[0]}`, `{ek[1]}` and `{ek[2]}` (the ids of its two records, in the "
        "file or already in the registry), then the properties of its type. One relationship of a type joins "
        "two records at most once.",
        "- A property left out, or `null`, is absent. An unknown property is refused, naming those allowed.",
        "",
        "## The CSV form",
        "",
        "A folder with `nodes.csv`, `edges.csv` or both (UTF-8, a header row):",
        "",
        f"- `nodes.csv`: the columns `{'`, `'.join(nk)}`, then any of the node properties below; an export "
        "writes every one, in this order: " + ", ".join(f"`{p}`" for p in model.all_node_props()) + ".",
        f"- `edges.csv`: the columns `{'`, `'.join(ek)}`, then any of the relationship properties: " +
        ", ".join(f"`{p}`" for p in model.all_edge_props()) + ".",
        "- An empty cell is an absent value. `true`/`false` for yes-or-no values; numbers as written "
        "(`0.8`, `35`); lists and objects (tags, nations, contact, identifiers) as JSON in the cell "
        "(`[\"CPI\"]`, `{\"email\": \"info@ons.gov.uk\"}`). A value a cell cannot hold is reported at its line.",
        "- So that an exported file is safe to open in a spreadsheet, a text cell that begins with " +
        ", ".join("a tab" if c == "\t" else "a carriage return" if c == "\r" else f"`{c}`"
                  for c in model.CSV_FORMULA_STARTS) +
        " is written with a leading `'` (OWASP's rule against formula injection), as is one that already begins "
        "with `'` followed by one of those or by another `'`; numbers, lists and objects are written as they "
        "are. Import removes exactly that one `'`, so export then import gives back the same registry.",
        "",
        "## Kinds of value",
        "",
        "| kind | rule |",
        "|---|---|",
    ]
    lines += [f"| {kind} | {_cell(rule)} |" for kind, rule in kinds().items()]
    lines += ["", "No text may hold control characters (only long text may hold line breaks and tabs).", "",
              "## Labels", "",
              "Every label has the common properties " +
              ", ".join(f"`{k}`" for k in model.COMMON) + " (see each table).", ""]
    for label, props in model.LABELS.items():
        lines += [f"### {label}", ""] + _props_table(props)
    lines += ["## Relationships", "",
              "| type | from | to | properties |", "|---|---|---|---|"]
    for rel_type, rel in model.RELATIONSHIPS.items():
        props = "; ".join(f"`{k}`{' (required)' if p.required else ''}: {_rule(p)}" + (f" ({p.doc})" if p.doc else "")
                          for k, p in rel.props.items())
        defaults = model.EDGE_DEFAULTS.get(rel_type)
        if defaults:
            props += " (when left out: " + ", ".join(f"`{k}` {v}" for k, v in defaults.items()) + ")"
        lines.append(f"| `{rel_type}` | {' or '.join(rel.sources)} | {' or '.join(rel.targets)} | {_cell(props)} |")
    lines += ["", "## Rules across fields and records", ""]
    lines += [f"- {label}: {text}" for label, text, _record, _field in CROSS_RULES]
    lines += [f"- {rel_type}: {text}" for rel_type, text, _record, _field in EDGE_RULES]
    lines += ["- An import document: a new Engagement whose `status` is `held` or `reported` must have an "
              "`INVOLVED` relationship to at least one Public in the same document.", ""]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        same = TARGET.exists() and TARGET.read_text(encoding="utf-8") == text
        if not same:
            print(f"{TARGET} is out of date: run python -m graph.import_format", file=sys.stderr)
        return 0 if same else 1
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
