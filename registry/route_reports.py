"""What the page and the API share for route reports: the signed ticket, the abuse checks, the health.

The ticket goes with every signpost answer (a hidden field on the page, ``feedback.ticket`` in the
API): it is signed with the app's secret and names the route the answer gave and when it was given,
so a report is always about a route Pathways really offered, and one sent sooner than
``min_seconds`` after the answer (a robot) or after ``max_age_seconds`` is refused. Each client may
send ``per_client_per_hour`` reports an hour and ``per_client_per_route_per_day`` about one route a
day; the client is a keyed hash of its address counted by :mod:`registry.ratelimit` (in memory by default),
never stored with the report.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import hmac

from flask import current_app, g, has_request_context, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from graph import model
from graph import route_reports as R
from graph.errors import InvalidRecord, Problem

from .cache import per_revision
from .errors import RateLimited
from .ratelimit import hit
from .store import get_graph, get_settings, get_store

SALT = "pathways.route-report"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=SALT)


def ticket_for(statistic: str | None, contact: str) -> str:
    """A signed ticket for reporting on the route ``statistic`` → ``contact``, stamped now."""
    return _serializer().dumps({"s": statistic, "c": contact})


def read_ticket(ticket: str | None, field: str = "ticket") -> tuple[str | None, str]:
    """The route a ticket names; InvalidRecord (400, naming ``field``) when forged, too fresh or too old."""
    cfg = R.config(get_settings())
    if not ticket or not isinstance(ticket, str) or len(ticket) > 1000:
        raise InvalidRecord([Problem("report", field, "is missing: report from a signpost answer")])
    try:
        data, signed_at = _serializer().loads(ticket, max_age=cfg["max_age_seconds"], return_timestamp=True)
    except SignatureExpired:
        raise InvalidRecord([Problem("report", field, "has expired: ask again and report on the new answer")]) from None
    except BadSignature:
        raise InvalidRecord([Problem("report", field, "is not one Pathways gave")]) from None
    age = _dt.datetime.now(_dt.timezone.utc) - signed_at
    if age.total_seconds() < cfg["min_seconds"]:
        raise InvalidRecord([Problem("report", field, f"was sent too soon after the answer was shown: "
                                                      f"wait {cfg['min_seconds']} seconds and send it again")])
    if not isinstance(data, dict) or not isinstance(data.get("c"), str):
        raise InvalidRecord([Problem("report", field, "is not one Pathways gave")])
    return data.get("s"), data["c"]


def client_hash() -> str:
    """The client as the limits count it: a keyed hash of its address, in memory only."""
    key = str(current_app.secret_key or "").encode("utf-8")
    return hmac.new(key, (request.remote_addr or "unknown").encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def check_limits(statistic: str | None, contact: str) -> None:
    """Count one report for this client; RateLimited (429) over either limit (nothing is stored)."""
    cfg = R.config(get_settings())
    who = client_hash()
    wait = hit("report.route", cfg["per_client_per_route_per_day"], 86400, f"{who}|{statistic}|{contact}")
    if wait is not None:
        raise RateLimited("you have already told us about this route today: thank you", retry_after=wait)
    wait = hit("report.hour", cfg["per_client_per_hour"], 3600, who)
    if wait is not None:
        raise RateLimited(f"too many reports in an hour: try again in {wait} seconds", retry_after=wait)


def submit(ticket: str | None, fields: dict) -> dict:
    """Check the ticket and the limits, then store the report for the ticket's route; return it."""
    statistic, contact = read_ticket(ticket)
    report = {**fields, "statistic": statistic, "contact": contact}
    # Checked here first so a refused report does not use up the client's limits; the store checks again.
    labels = get_store().labels_of([i for i in (statistic, contact, fields.get("passed_to"))
                                    if isinstance(i, str) and model.ID_PATTERN.fullmatch(i)])
    problems = model.validate_report({k: v for k, v in report.items() if v is not None}, labels)
    if problems:
        raise InvalidRecord(problems)
    check_limits(statistic, contact)
    stored = get_store().add_report(report)
    reports_moved()
    return stored


def reports_moved() -> None:
    """Forget the reports stamp this request read: it has just stored or resolved one."""
    g.pop("pathways_reports_key", None)
    g.pop("pathways_reports_stamp", None)


def feedback_for(answer) -> dict | None:
    """Where and how to say whether a signpost answer helped (None when it gave no first contact)."""
    first = answer.first_contact
    if first is None or first.id is None:
        return None
    return {"url": "/api/v1/signpost/feedback", "ticket": ticket_for(answer.statistic["id"], first.id),
            "contact": first.id, "outcomes": list(model.REPORT_OUTCOMES)}


def window_reports(contact: str | None = None) -> list[dict]:
    """Stored reports within the route-health window (any status), newest first."""
    return R.window_reports(get_store(), get_settings(), _dt.date.today(), contact)


def reports_key() -> tuple:
    """What the window's reports depend on besides the registry: today and the store's reports stamp,
    read once per request, with the revision (:func:`registry.store.snapshot`; each public ranked on
    a page asks, and on Neo4j each read is a round trip)."""
    key = g.get("pathways_reports_key") if has_request_context() else None
    if key is None:
        stamp = g.get("pathways_reports_stamp") if has_request_context() else None
        key = (_dt.date.today(), get_store().reports_stamp() if stamp is None else stamp)
        if has_request_context():
            g.pathways_reports_key = key
    return key


def recent_reports(key: tuple | None = None) -> tuple[dict, ...]:
    """The window's reports, read once per revision and :func:`reports_key`: the same object until one
    of those changes, so rankings that weigh them (:mod:`graph.box1`) are kept while it lasts."""
    return per_revision("window_reports", key or reports_key(), lambda: tuple(window_reports()))


def ranked(answer):
    """The signpost answer, reordered by route reports when the ``ranking`` setting is on."""
    settings = get_settings()
    if not R.config(settings)["ranking"] or answer.first_contact is None or answer.first_contact.id is None:
        return answer
    return R.rerank(answer, list(recent_reports()), settings)


def current_health(today: _dt.date | None = None) -> R.Health:
    """Route health over the window, once per revision, day and reports stamp."""
    day = today or _dt.date.today()
    stamp = get_store().reports_stamp()
    return per_revision("route_health", (day, stamp),
                        lambda: R.route_health(get_graph(), window_reports(), get_settings(), day))


def wrong_detail_gaps(_graph) -> list[dict]:
    """The gaps report's first rule: routes with open "wrong details" reports."""
    return R.wrong_detail_gaps(get_graph(), get_store().reports(statuses=["open"]))
