"""Search that forgives typos and word order: ``GET /api/v1/search?q=``."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from graph import model
from graph import search as _search
from graph.errors import InvalidRecord, Problem

from ..store import get_settings, snapshot

blp = Blueprint("search_api", __name__, description="Find statistics, topics and organisations by name, acronym, "
                                                "alias or description, forgiving typos and word order.")
MAX_QUERY = 200


def query_text(q: str | None, field: str = "q") -> str:
    """The words typed, or a 400 naming the field when there are none or too many."""
    text = (q or "").strip()
    if not text:
        raise InvalidRecord([Problem("query", field, "enter the name of a statistic, topic or organisation")])
    if len(text) > MAX_QUERY:
        raise InvalidRecord([Problem("query", field, f"must be {MAX_QUERY} characters or fewer "
                                                     f"(it has {len(text)})")])
    return text


class SearchQuerySchema(Schema):
    q = fields.String(load_default=None, metadata={"description": f"words to look for (1–{MAX_QUERY} characters)"})
    label = fields.String(load_default=None, validate=validate.OneOf(list(model.LABELS)),
                          metadata={"description": "only records with this label"})
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class HitSchema(Schema):
    id = fields.String()
    label = fields.String()
    name = fields.String()
    score = fields.Float(metadata={"description": "higher is better; above 1 when the whole name, id or alias "
                                                  "was typed"})
    matched = fields.List(fields.String(), metadata={"description": "the indexed words the query matched"})
    description = fields.String(allow_none=True)
    exact = fields.Boolean(metadata={"description": "its whole name, alias or id was typed"})
    coverage = fields.Float(metadata={"description": "the share of the query's words it matched (0-1)"})
    fuzzy = fields.Boolean(metadata={"description": "a word matched only as a typo"})
    read_as = fields.Dict(keys=fields.String(), values=fields.String(),
                          metadata={"description": "each word read as a typo, and what it was read as"})
    why = fields.List(fields.String(), metadata={"description": "why it matched, in words"})
    producer = fields.String(allow_none=True, metadata={"description": "who produces it (statistics)"})
    nations = fields.List(fields.String(), metadata={"description": "the nations of the UK it covers"})
    named = fields.Boolean(metadata={"description": "every word it matched is in its name, aliases or acronym"})


class SearchResultSchema(Schema):
    query = fields.String()
    results = fields.List(fields.Nested(HitSchema))


@blp.route("/search")
class Search(MethodView):
    @blp.arguments(SearchQuerySchema, location="query")
    @blp.response(200, SearchResultSchema)
    def get(self, args):
        """Records matching the words typed, best first (typo- and word-order-tolerant)."""
        text = query_text(args["q"])
        hits = _search.search(snapshot(), text, label=args["label"], limit=args["limit"], settings=get_settings())
        return {"query": text, "results": [h.as_dict() for h in hits]}
