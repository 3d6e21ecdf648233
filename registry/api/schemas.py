"""Marshmallow schemas for the API, generated from ``graph.model`` (the one place the rules live).

Each property becomes a :class:`ModelValue` field: it carries the property's JSON
Schema (type, enum, range, format) into the OpenAPI document, and loads the value
unchanged, so that ``graph.model.validate_node``/``validate_edge`` — run by the
store inside its transaction — give the one set of per-field messages. Nothing here
restates a rule by hand: add a property to the model and it appears here.

>>> prop_json_schema(model.Prop("number", minimum=0, maximum=1))
{'type': 'number', 'minimum': 0, 'maximum': 1}
>>> sorted(NodeSchema().fields)[:4]
['accepting_requests', 'aliases', 'cadence', 'capacity']
>>> NodeSchema().load({"id": "a", "label": "Topic", "name": "A", "colour": "red"})["colour"]
'red'
"""
from __future__ import annotations

from dataclasses import replace

from marshmallow import INCLUDE, Schema, ValidationError, fields, validate

from graph import model
from registry.auth import ROLES

LABEL_NAMES = tuple(model.LABELS)
TYPE_NAMES = tuple(model.RELATIONSHIPS)


def prop_json_schema(prop: model.Prop) -> dict:
    """The JSON Schema of one model property (what the OpenAPI document shows)."""
    kind = prop.kind
    if kind in ("str", "text"):
        out: dict = {"type": "string", "maxLength": model.MAX_LINE if kind == "str" else model.MAX_TEXT}
    elif kind == "url":
        out = {"type": "string", "format": "uri", "pattern": r"^https?://\S+$", "maxLength": model.MAX_TEXT}
    elif kind == "bool":
        out = {"type": "boolean"}
    elif kind in ("int", "number"):
        out = {"type": "integer" if kind == "int" else "number"}
    elif kind == "date":
        out = {"type": "string", "format": "date"}
    elif kind == "enum":
        out = {"type": "string", "enum": list(prop.choices)}
    elif kind == "tags":
        out = {"type": "array", "maxItems": model.MAX_ITEMS,
               "items": {"type": "string", "minLength": 1, "maxLength": model.MAX_SHORT}}
    elif kind == "nations":
        out = {"type": "array", "minItems": 1, "uniqueItems": True, "items": {"type": "string", "enum": list(prop.choices)}}
    elif kind == "contact":
        out = {"type": "object", "minProperties": 1, "additionalProperties": False,
               "properties": {k: {"type": "string", "minLength": 1} for k in model.CONTACT_FIELDS}}
    elif kind == "identifiers":
        out = {"type": "object", "minProperties": 1, "propertyNames": {"pattern": "^[a-z][a-z0-9_]{0,29}$"},
               "additionalProperties": {"type": "string", "minLength": 1, "maxLength": 200}}
    elif kind == "harvest":
        out = {"type": "object", "required": ["by", "at", "fields"], "additionalProperties": False,
               "properties": {"by": {"type": "string"}, "at": {"type": "string", "format": "date"},
                              "fields": {"type": "object",
                                         "additionalProperties": {"type": "string", "pattern": "^[0-9a-f]{12}$"}}}}
    else:  # pragma: no cover - a model bug
        raise ValueError(f"unknown property kind {kind}")
    if prop.minimum is not None:
        out["minimum"] = int(prop.minimum) if float(prop.minimum).is_integer() else prop.minimum
    if prop.maximum is not None:
        out["maximum"] = int(prop.maximum) if float(prop.maximum).is_integer() else prop.maximum
    return out


def merged_props(tables: dict[str, dict[str, model.Prop]]) -> dict[str, tuple[dict, str]]:
    """Every property across several labels (or types): its JSON Schema and where it applies.

    A property with the same name on several labels (``kind``, ``status``) is the
    union of their allowed values; its description says which label allows what.

    >>> schema, doc = merged_props(model.LABELS)["kind"]
    >>> "department" in schema["enum"] and "civil_society" in schema["enum"], doc.startswith("Producer:")
    (True, True)
    """
    out: dict[str, tuple[dict, str]] = {}
    by_key: dict[str, list[tuple[str, model.Prop]]] = {}
    for owner, props in tables.items():
        for key, prop in props.items():
            by_key.setdefault(key, []).append((owner, prop))
    for key, owners in by_key.items():
        schemas = [prop_json_schema(p) for _, p in owners]
        merged = dict(schemas[0])
        if merged.get("enum"):
            merged["enum"] = list(dict.fromkeys(v for s in schemas for v in s.get("enum", [])))
        for bound, pick in (("minimum", min), ("maximum", max)):
            values = [s.get(bound) for s in schemas]
            if None in values:
                merged.pop(bound, None)
            else:
                merged[bound] = pick(values)
        if any(s.get("type") != merged.get("type") for s in schemas):  # pragma: no cover - model has none
            merged = {}
        labels = [o for o, _ in owners]
        if len(owners) == len(tables) or all(replace(o[1], required=False) == replace(owners[0][1], required=False)
                                             for o in owners):
            where = ("on " + ", ".join(labels)) if len(owners) != len(tables) else "on every record"
            doc = f"{owners[0][1].doc or key.replace('_', ' ')} ({where})"
        else:
            doc = "; ".join(f"{o}: {_describe(p)}" for o, p in owners)
        required = [o for o, p in owners if p.required]
        if required:
            doc += f". Required on {', '.join(required)}"
        out[key] = (merged, doc)
    return out


def _describe(prop: model.Prop) -> str:
    if prop.kind == "enum":
        return "one of " + ", ".join(prop.choices)
    return prop.doc or prop.kind


class ModelValue(fields.Raw):
    """A property value: documented by its JSON Schema, loaded as-is, validated by the model."""

    def __init__(self, schema: dict, doc: str = "", **kwargs):
        super().__init__(metadata={**schema, "description": doc}, **kwargs)


class ModelKey(ModelValue):
    """``label`` or ``type``: must at least be text before the model looks it up (which it does by hashing)."""

    def __init__(self, choices: tuple[str, ...], doc: str, **kwargs):
        self.choices = choices
        super().__init__({"type": "string", "enum": list(choices)}, doc, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise ValidationError("must be one of: " + ", ".join(self.choices))
        return value


class ModelId(ModelValue):
    """An id: must be text before anything is looked up by it; its pattern is the model's to check."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise ValidationError("must be the id of a record: text")
        return value


def _node_fields(nullable: bool) -> dict:
    return {key: ModelValue(schema, doc, allow_none=nullable)
            for key, (schema, doc) in merged_props(model.LABELS).items()}


ID_FIELD = {"type": "string", "pattern": f"^{model.ID_PATTERN.pattern}$", "maxLength": model.MAX_ID}
NAME_FIELD = {"type": "string", "minLength": 1, "maxLength": model.MAX_NAME}


class ModelDate(fields.Date):
    """A date the model accepts (YYYY-MM-DD, a real day from 1800 to 2199), for query and body fields.

    The model's own rule (:func:`graph.model.parse_date`), so the API takes the dates the records may hold.
    """

    def _deserialize(self, value, attr, data, **kwargs):
        day = model.parse_date(value)
        if day is None:
            raise ValidationError(f"must be a real date written YYYY-MM-DD, from {model.EARLIEST_DATE} "
                                  f"to {model.LATEST_DATE}")
        return day


class _Open(Schema):
    class Meta:
        unknown = INCLUDE  # unknown keys reach the model, which names them


NodeSchema = type("Node", (_Open,), {
    "id": ModelId(ID_FIELD, "unique across the whole registry", required=True),
    "label": ModelKey(LABEL_NAMES, "what kind of record", required=True),
    "name": ModelValue(NAME_FIELD, "its name, one line", required=True),
    **_node_fields(False),
    "__doc__": "A record: id, label, name and the properties its label allows.",
})

NodePatchSchema = type("NodePatch", (_Open,), {
    "name": ModelValue(NAME_FIELD, "its name, one line"),
    **_node_fields(True),
    "__doc__": "The properties to change; null removes a property. id and label cannot change.",
})

NodeOutSchema = type("NodeOut", (NodeSchema,), {
    "version": fields.Integer(required=True, metadata={"description": "send it back in If-Match to change "
                                                                       "or delete the record"}),
})


def _edge_fields() -> dict:
    return {key: ModelValue(schema, doc) for key, (schema, doc) in
            merged_props({t: r.props for t, r in model.RELATIONSHIPS.items()}).items()}


EdgeSchema = type("Edge", (_Open,), {
    "type": ModelKey(TYPE_NAMES, "relationship type", required=True),
    "from": ModelId(ID_FIELD, "id of the record it starts at", required=True),
    "to": ModelId(ID_FIELD, "id of the record it ends at", required=True),
    **_edge_fields(),
})


class EdgeKeySchema(Schema):
    """Which relationship: its (type, from, to)."""

    type = fields.String(required=True, validate=validate.OneOf(TYPE_NAMES))
    from_ = fields.String(required=True, data_key="from", validate=validate.Regexp(ID_FIELD["pattern"]))
    to = fields.String(required=True, validate=validate.Regexp(ID_FIELD["pattern"]))


class NodeQuerySchema(Schema):
    label = fields.String(validate=validate.OneOf(LABEL_NAMES), metadata={"description": "only records of this label"})
    q = fields.String(validate=validate.Length(min=1, max=200),
                      metadata={"description": "words that must all appear in the name, tags or description"})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=1_000_000))


class NodePageSchema(Schema):
    items = fields.List(fields.Nested(NodeOutSchema), required=True)
    total = fields.Integer(required=True, metadata={"description": "how many records match in all"})
    limit = fields.Integer(required=True)
    offset = fields.Integer(required=True)


class DeleteQuerySchema(Schema):
    confirm = fields.Boolean(load_default=False, metadata={
        "description": "true to delete a record that has relationships (they are deleted with it)"})


class ConnectionSchema(Schema):
    type = fields.String(required=True)
    from_ = fields.String(required=True, data_key="from")
    to = fields.String(required=True)


class WriteSummarySchema(Schema):
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    deleted = fields.Integer()
    edges_written = fields.Integer()
    edges_deleted = fields.Integer()
    revision = fields.Integer()


class ImportQuerySchema(Schema):
    dry_run = fields.Boolean(load_default=False, metadata={"description": "validate only; write nothing"})


class ImportResultSchema(Schema):
    nodes = fields.Integer(required=True)
    edges = fields.Integer(required=True)
    dry_run = fields.Boolean(required=True)
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    edges_written = fields.Integer()
    revision = fields.Integer()


class TokenSchema(Schema):
    name = fields.String(required=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    created = fields.String(required=True)
    revoked = fields.String(allow_none=True)


class TokenCreateSchema(Schema):
    name = fields.String(required=True, validate=[validate.Length(min=1, max=100),
                                                  validate.Regexp(r"^[^\s].*$", error="must not start with a space")])
    role = fields.String(required=True, validate=validate.OneOf(ROLES))


class NewTokenSchema(TokenSchema):
    token = fields.String(required=True, metadata={"description": "shown once; only its hash is kept"})


class AuditQuerySchema(Schema):
    target = fields.String(validate=validate.Length(min=1, max=400), metadata={"description": "a record id"})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    before = fields.Integer(validate=validate.Range(min=1, max=model.INT_MAX),
                            metadata={"description": "entries older than this seq"})


class AuditEntrySchema(Schema):
    seq = fields.Integer(required=True)
    at = fields.String(required=True)
    actor = fields.String(required=True)
    action = fields.String(required=True)
    target = fields.String(allow_none=True)
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)


class CoverageLatestSchema(Schema):
    id = fields.String()
    name = fields.String()
    date = fields.String(metadata={"description": "the date it counts from: its end, else its start"})
    verified = fields.String(allow_none=True, metadata={"description": "when its source was recorded"})


class CoverageSchema(Schema):
    """What a burden figure rests on (graph.burden.coverage): the registry's engagements in the window."""

    as_of = fields.String()
    window_days = fields.Integer()
    engagements = fields.Integer(metadata={"description": "held or reported engagements recorded in the window, "
                                                          "whoever they involved"})
    producers = fields.Integer(metadata={"description": "distinct producers that ran them"})
    producer_ids = fields.List(fields.String())
    latest = fields.Nested(CoverageLatestSchema, allow_none=True,
                           metadata={"description": "the most recent engagement recorded by as_of, in the window "
                                                    "or not; null when there is none"})
    latest_verified = fields.String(allow_none=True, metadata={
        "description": "the newest `verified` date among the engagements in the window"})
    min_engagements = fields.Integer(metadata={"description": "settings: burden.coverage_min_engagements"})
    min_producers = fields.Integer(metadata={"description": "settings: burden.coverage_min_producers"})
    too_few = fields.Boolean(metadata={"description": "fewer engagements or producers than the minimums: "
                                                      "burden may be understated, and an `ok` status is not "
                                                      "a judgement"})
    message = fields.String(metadata={"description": "the same in plain English, as the pages show it"})


class ErrorSchema(Schema):
    """The one error envelope."""

    code = fields.Integer(required=True, metadata={"description": "the HTTP status"})
    status = fields.String(required=True, metadata={"description": "the HTTP status phrase"})
    message = fields.String(required=True, metadata={"description": "what went wrong, in plain English"})
    errors = fields.Raw(required=True, metadata={
        "type": "object", "description": "per-field messages: {record: {field: [messages]}}, or details"})
