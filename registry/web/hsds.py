"""The read-only Open Referral HSDS 3.0 API under ``/hsds/``, described at ``/hsds/openapi.json``.

HSDS's required endpoints (``/``, ``/services``, ``/services/{id}``) and the optional
``/organizations``, ``/organizations/{id}`` and ``/taxonomy_terms``, each list in HSDS's
``Page`` wrapper. The objects are :mod:`graph.hsds`'s, built once per registry revision.
Open to every site, as the UK compliance rules ask: no key, and every answer (errors too)
carries ``Access-Control-Allow-Origin: *``. Only GET (and HEAD) is served. Errors are
the one envelope ``{code, status, message, errors}``, always as JSON, since this is an API.
"""
from __future__ import annotations

import functools

from flask import Blueprint, current_app, jsonify, request, url_for
from werkzeug.exceptions import HTTPException

from graph import hsds
from graph.errors import InvalidRecord, NodeNotFound, PathwaysError, Problem, StoreUnavailable

from ..cache import per_revision
from ..errors import envelope, problems_as_errors, status_for, unavailable
from ..store import get_store
from ..urls import public_base_url

bp = Blueprint("hsds", __name__, url_prefix="/hsds")


def current_dataset() -> hsds.Dataset:
    """The registry as HSDS, built once per revision (the API and the zip export share it)."""
    store = get_store()

    def compute() -> hsds.Dataset:
        graph = store.graph()
        return hsds.build(graph, hsds.audit_trail(store))
    return per_revision("hsds_dataset", None, compute)


@bp.after_request
def _open_to_all(response):
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.errorhandler(PathwaysError)
def _domain_error(exc: PathwaysError):
    status = status_for(exc)
    errors = problems_as_errors(exc) if isinstance(exc, InvalidRecord) else getattr(exc, "errors", None)
    message = str(exc)
    if isinstance(exc, StoreUnavailable):
        current_app.logger.error("store unavailable: %s", exc)
        message, errors = unavailable(exc)
    return jsonify(envelope(status, message, errors)), status


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    status = exc.code or 500
    message = exc.description if isinstance(exc.description, str) else ""
    response = jsonify(envelope(status, message or "error"))
    for key, value in exc.get_headers():
        if key == "Allow":
            response.headers[key] = value
    return response, status


@bp.errorhandler(Exception)
def _unexpected(exc: Exception):
    current_app.logger.exception("unexpected error")
    return jsonify(envelope(500, "Something went wrong on our side. The error has been logged.")), 500


def _query(allowed: tuple[str, ...]) -> dict:
    """The query's page, per_page and filters, or a 400 naming every wrong or unsupported value."""
    problems = [Problem("query", name, "is not supported here; supported: " + ", ".join(allowed))
                for name in sorted(set(request.args) - set(allowed))]
    args: dict = {}
    for name, default, top in (("page", 1, None), ("per_page", hsds.DEFAULT_PER_PAGE, hsds.MAX_PER_PAGE)):
        text = request.args.get(name)
        if text is None:
            args[name] = default
        elif not text.isascii() or not text.isdigit() or int(text) < 1 or (top and int(text) > top):
            problems.append(Problem("query", name, "must be a whole number from 1" + (f" to {top}" if top else "")))
        else:
            args[name] = int(text)
    if "modified_after" in allowed and request.args.get("modified_after") is not None:
        when = hsds.parse_modified_after(request.args["modified_after"])
        if when is None:
            problems.append(Problem("query", "modified_after", "must be a date-time such as "
                                    "2026-03-15T10:30:45Z (with Z or an offset) or a date such as 2026-03-15"))
        args["modified_after"] = when
    for name in ("taxonomy_term_id", "organization_id", "taxonomy_id", "parent_id"):
        if name in allowed:
            args[name] = request.args.get(name)
    if problems:
        raise InvalidRecord(problems)
    return args


LIST_PARAMS = ("page", "per_page")


@bp.get("/")
def index():
    """HSDS's required ``/``: the version, the profile and where the OpenAPI document is."""
    _query(())
    return jsonify({"version": hsds.HSDS_VERSION, "profile": hsds.PROFILE,
                    "openapi_url": public_base_url() + url_for("hsds.openapi")})


@bp.get("/openapi.json")
def openapi():
    _query(())
    return jsonify(_openapi(public_base_url() + "/hsds"))


@functools.lru_cache(maxsize=8)
def _openapi(server_url: str) -> dict:
    return hsds.openapi_document(server_url)


@bp.get("/services")
def services():
    args = _query(LIST_PARAMS + ("modified_after", "taxonomy_term_id", "organization_id"))
    ds = current_dataset()
    chosen = hsds.select_services(ds, args["organization_id"], args["taxonomy_term_id"], args.get("modified_after"))
    body = hsds.page(chosen, args["page"], args["per_page"])
    body["contents"] = [hsds.service_summary(ds, sid) for sid in body["contents"]]
    return jsonify(body)


@bp.get("/services/<service_id>")
def service(service_id: str):
    _query(())
    ds = current_dataset()
    if service_id not in ds.services:
        raise NodeNotFound(service_id)
    return jsonify(hsds.service_full(ds, service_id))


@bp.get("/organizations")
def organizations():
    args = _query(LIST_PARAMS)
    ds = current_dataset()
    body = hsds.page(list(ds.organizations), args["page"], args["per_page"])
    body["contents"] = [hsds.one_to_one(ds.organizations[oid]) for oid in body["contents"]]
    return jsonify(body)


@bp.get("/organizations/<organization_id>")
def organization(organization_id: str):
    _query(())
    ds = current_dataset()
    if organization_id not in ds.organizations:
        raise NodeNotFound(organization_id)
    return jsonify(hsds.organization_full(ds, organization_id))


@bp.get("/taxonomy_terms")
def taxonomy_terms():
    args = _query(LIST_PARAMS + ("taxonomy_id", "parent_id"))
    ds = current_dataset()
    chosen = [tid for tid, term in ds.taxonomy_terms.items()
              if (args["taxonomy_id"] is None or term["taxonomy_id"] == args["taxonomy_id"])
              and (args["parent_id"] is None or term.get("parent_id") == args["parent_id"])]
    body = hsds.page(chosen, args["page"], args["per_page"])
    body["contents"] = [hsds.term_full(ds, tid) for tid in body["contents"]]
    return jsonify(body)
