"""Import a whole document (admin): the same all-or-nothing importer as ``pathways import``."""
from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from graph import transfer
from graph.errors import InvalidRecord, Problem

from ..auth import require_role, requires
from ..ratelimit import check as rate_limit
from ..store import get_store
from .schemas import ImportQuerySchema, ImportResultSchema

blp = Blueprint("imports", __name__, description="Bulk import of the pathways-graph document.")
DOCUMENT_BODY = {
    "required": True,
    "description": 'The import document {"format": "pathways-graph", "version": 1, "nodes": [...], '
                   '"edges": [...]} as the JSON body, or as a file in the multipart field "file"; or the CSV '
                   'form as multipart files "nodes" (nodes.csv) and "edges" (edges.csv), either of which may be '
                   'left out.',
    "content": {
        "application/json": {"schema": {"type": "object", "required": ["format", "version"], "properties": {
            "format": {"type": "string", "enum": [transfer.FORMAT]},
            "version": {"type": "integer", "enum": [transfer.VERSION]},
            "nodes": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
            "edges": {"type": "array", "items": {"$ref": "#/components/schemas/Edge"}}}}},
        "multipart/form-data": {"schema": {"type": "object", "properties": {
            "file": {"type": "string", "format": "binary", "description": "the JSON document"},
            "nodes": {"type": "string", "format": "binary",
                      "description": "nodes.csv: id,label,name, then a column per property"},
            "edges": {"type": "string", "format": "binary",
                      "description": "edges.csv: type,from,to, then a column per property"}}}},
    },
}


def document_from_request() -> transfer.Document:
    """The document from the JSON body, an uploaded JSON file or uploaded CSV files; 400 naming what is wrong."""
    upload = request.files.get("file")
    nodes, edges = request.files.get("nodes"), request.files.get("edges")
    if upload is not None and (nodes is not None or edges is not None):
        raise InvalidRecord([Problem("request", "file", "send either the JSON document as 'file' or the CSV "
                                                        "files as 'nodes' and 'edges', not both")])
    if upload is not None:
        return transfer.parse_json(upload.read(), name=upload.filename or "file")
    if nodes is not None or edges is not None:
        return transfer.parse_csv(nodes.stream if nodes is not None else None,
                                  edges.stream if edges is not None else None)
    if request.mimetype == "application/json":
        return transfer.parse_json(request.get_data(), name="body")
    raise InvalidRecord([Problem("request", "body", "send the document as application/json, as a file in "
                                                    "the multipart field 'file', or as CSV files in the "
                                                    "multipart fields 'nodes' and 'edges'")])


@blp.route("/import")
class Import(MethodView):
    MAX_BODY = "MAX_CONTENT_LENGTH"  # a whole document: registry.limits lets it be this large

    @requires("admin")
    @blp.arguments(ImportQuerySchema, location="query")
    @blp.response(200, ImportResultSchema)
    @blp.doc(security=[{"bearer": []}], requestBody=DOCUMENT_BODY)
    def post(self, args):
        """Import a document: every record, or nothing if any is wrong (admin)

        The whole document is checked first; a 400 lists each problem by record
        and field and nothing is written. Records are upserted by id, relationships
        by (type, from, to). The audit trail records one entry with the counts.
        """
        identity = require_role("admin")
        rate_limit("write")
        doc = document_from_request()
        result = transfer.import_document(get_store(), doc, actor=identity.actor, dry_run=args["dry_run"])
        summary = {"nodes": len(doc.nodes), "edges": len(doc.edges), "dry_run": args["dry_run"]}
        if result is not None:
            summary.update(created=result.created, updated=result.updated, unchanged=result.unchanged,
                           edges_written=result.edges_written, revision=result.revision)
        return summary
