"""One log line per request: method, path, status and how long the answer took.

Written by a WSGI wrapper, so the time runs until the last byte of the body has been handed to
the server (a streamed export included). The query string is left out (it holds what people
searched for). Lines go to the ``pathways.requests`` logger at INFO; ``pathways serve`` prints
them on stderr, in place of waitress's "Task queue depth" warnings, which say only that every
thread was busy.
"""
from __future__ import annotations

import logging
import time

from werkzeug.wsgi import ClosingIterator

log = logging.getLogger("pathways.requests")


def line(method: str, path: str, status: str, seconds: float) -> str:
    """The log line for one request.

    >>> line("GET", "/records/ons", "200 OK", 0.01234)
    'GET /records/ons 200 12.3ms'
    """
    return f"{method} {path} {status.split(' ', 1)[0]} {seconds * 1000:.1f}ms"


class RequestLog:
    """Wraps a WSGI app and logs each request once its answer is complete."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        status = ["-"]

        def recording_start_response(code, headers, exc_info=None):
            status[0] = code
            return start_response(code, headers, exc_info)

        def done():
            log.info(line(environ.get("REQUEST_METHOD", "-"), environ.get("PATH_INFO", "") or "/", status[0],
                          time.perf_counter() - started))
        try:
            body = self.app(environ, recording_start_response)
        except BaseException:
            status[0] = "500"
            done()
            raise
        return ClosingIterator(body, [done])


def init_app(app) -> None:
    app.wsgi_app = RequestLog(app.wsgi_app)


def print_to_stderr() -> None:
    """Show the request log on stderr and silence waitress's queue-depth warnings."""
    if not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%Y-%m-%dT%H:%M:%S"))
        log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
