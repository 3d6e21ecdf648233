"""The HSDS export: ``GET /api/v1/export/hsds`` — the registry as Open Referral HSDS 3.0, one zip."""
from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from graph import hsds

from ..cache import per_revision
from ..web.hsds import current_dataset

blp = Blueprint("api_hsds_export", __name__, description="The registry as Open Referral HSDS 3.0 (a zip of JSON "
                                                       "files); the same objects as the HSDS API under /hsds/.")


@blp.route("/export/hsds")
class HsdsExport(MethodView):
    @blp.response(200, {"type": "string", "format": "binary"}, content_type="application/zip",
                  description="organizations.json, services.json, taxonomies.json and taxonomy_terms.json")
    def get(self):
        """The whole registry as HSDS 3.0

        Producers, intermediaries and user groups as organizations; their contact routes as
        services; topics, publics and nations as taxonomy terms. Each file is a JSON array of
        dereferenced objects that validate against the official HSDS 3.0 schemas; ids are
        stable, so the same registry gives the same bytes. Engagements, needs, the weights of
        reach and burden are not part of HSDS and are left out.
        """
        data = per_revision("hsds_zip", None, lambda: hsds.zip_bytes(current_dataset()))
        return Response(data, mimetype="application/zip",
                        headers={"Content-Disposition": 'attachment; filename="pathways-hsds.zip"'})
