"""The API's documentation page at /api/v1/docs, rendered on the server from the OpenAPI document.

It needs no JavaScript and loads nothing from elsewhere, so it works offline.
The fields of each label come straight from ``graph.model``. A small "try it"
form shows what ``GET /api/v1/nodes?q=`` answers, as text.
"""
from __future__ import annotations

import json

from flask import current_app, render_template, request
from flask.views import MethodView
from flask_smorest import Blueprint

from graph import model

from ..store import get_store
from .schemas import NodeOutSchema

blp = Blueprint("api_docs", __name__, description="This documentation, as a web page.")
METHODS = ("get", "post", "patch", "put", "delete")
TRY_LIMIT = 5
# Headings for the tags (one per API module); others are shown by their name.
TAG_TITLES = {"nodes": "Records", "edges": "Relationships", "imports": "Import", "tokens": "Tokens and the audit trail",
              "api_docs": "This page"}


def resolve(spec: dict, item: dict | None) -> dict:
    """Follow a ``$ref`` inside the spec (one level at a time).

    >>> resolve({"components": {"schemas": {"A": {"type": "object"}}}}, {"$ref": "#/components/schemas/A"})
    {'type': 'object'}
    """
    item = item or {}
    while "$ref" in item:
        node = spec
        for part in item["$ref"].lstrip("#/").split("/"):
            node = node.get(part, {})
        item = node
    return item


def type_text(spec: dict, schema: dict) -> str:
    """A property's type in words, e.g. ``one of: low, medium, high`` or ``list of text``.

    >>> type_text({}, {"type": "string", "enum": ["a", "b"]}), type_text({}, {"type": "array", "items": {"type": "string"}})
    ('one of: a, b', 'list of text')
    """
    schema = resolve(spec, schema)
    words = {"string": "text", "integer": "whole number", "number": "number", "boolean": "true or false",
             "object": "object", "array": "list"}
    if schema.get("enum"):
        return "one of: " + ", ".join(map(str, schema["enum"]))
    if schema.get("type") == "array":
        items = resolve(spec, schema.get("items"))
        return "list of " + (items.get("title") or type_text(spec, items))
    text = words.get(schema.get("type"), schema.get("title") or "any")
    if schema.get("format") == "date":
        text = "date (YYYY-MM-DD)"
    bounds = [f"at least {schema['minimum']}" if "minimum" in schema else "",
              f"at most {schema['maximum']}" if "maximum" in schema else ""]
    bounds = [b for b in bounds if b]
    return text + (f", {' and '.join(bounds)}" if bounds else "")


def schema_rows(spec: dict, schema: dict | None) -> list[dict]:
    schema = resolve(spec, schema)
    required = set(schema.get("required", []))
    return [{"name": name, "type": type_text(spec, prop), "required": name in required,
             "description": resolve(spec, prop).get("description", "")}
            for name, prop in schema.get("properties", {}).items()]


def tag_title(name: str) -> str:
    """How a tag is headed on the page.

    >>> tag_title("nodes"), tag_title("public_burden")
    ('Records', 'Public burden')
    """
    return TAG_TITLES.get(name) or name.replace("_", " ").replace("-", " ").capitalize()


def operations(spec: dict) -> list[dict]:
    """Each operation with its parameters, body fields and responses, grouped by tag in spec order."""
    tags = {t["name"]: {"name": t["name"], "title": tag_title(t["name"]), "description": t.get("description", ""),
                        "operations": []} for t in spec.get("tags", [])}
    for path, item in spec.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            params = [resolve(spec, p) for p in item.get("parameters", []) + op.get("parameters", [])]
            body = resolve(spec, op.get("requestBody"))
            content = body.get("content", {})
            body_schema = next(iter(content.values()), {}).get("schema") if content else None
            responses = [{"status": code, "description": resolve(spec, r).get("description", "")}
                         for code, r in op.get("responses", {}).items()]
            entry = {"method": method.upper(), "path": path, "summary": op.get("summary", ""),
                     "description": op.get("description", ""), "needs_token": bool(op.get("security")),
                     "anchor": f"{method}-{path}".replace("/", "-").replace("{", "").replace("}", "").strip("-"),
                     "parameters": [{"name": p.get("name"), "in": p.get("in"), "required": p.get("required", False),
                                     "type": type_text(spec, p.get("schema", {})),
                                     "description": p.get("description", "")} for p in params],
                     "body_types": list(content), "body": schema_rows(spec, body_schema) if body_schema else [],
                     "responses": responses}
            for tag in op.get("tags", ["other"]):
                tags.setdefault(tag, {"name": tag, "title": tag_title(tag), "description": "", "operations": []})["operations"].append(entry)
    return [t for t in tags.values() if t["operations"]]


def label_fields() -> list[dict]:
    """The properties each label allows, from the model."""
    return [{"label": label, "fields": [{"name": key, "kind": prop.kind, "choices": prop.choices,
                                         "required": prop.required, "doc": prop.doc,
                                         "minimum": prop.minimum, "maximum": prop.maximum}
                                        for key, prop in props.items()]}
            for label, props in model.LABELS.items()]


def relationship_rows() -> list[dict]:
    return [{"type": t, "sources": r.sources, "targets": r.targets, "props": list(r.props)}
            for t, r in model.RELATIONSHIPS.items()]


@blp.route("/docs")
class Docs(MethodView):
    @blp.doc(parameters=[{"in": "query", "name": "q", "required": False,
                          "schema": {"type": "string", "maxLength": 200},
                          "description": "words to try the record search with; the answer is shown on the page"}],
             responses={"200": {"description": "The documentation page",
                                "content": {"text/html": {"schema": {"type": "string"}}}}})
    def get(self):
        """This page: how to use the API, every operation and the fields of each label"""
        spec = current_app.extensions["pathways.api"].spec.to_dict()
        q = (request.args.get("q") or "").strip()
        error, example = None, None
        if len(q) > 200:
            error = "Search words must be 200 characters or fewer"
        elif q:
            found = get_store().search_text(q, limit=TRY_LIMIT)
            example = json.dumps({"items": NodeOutSchema(many=True).dump(found), "total": len(found),
                                  "limit": TRY_LIMIT, "offset": 0}, indent=2, ensure_ascii=False)
        html = render_template("api_docs.html", spec=spec, tags=operations(spec), labels=label_fields(),
                               relationships=relationship_rows(), q=q, example=example, error=error,
                               try_limit=TRY_LIMIT)
        return current_app.response_class(html, status=200, mimetype="text/html")
