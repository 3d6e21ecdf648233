"""The browser harness: the real app served on 127.0.0.1, driven by Debian's chromium.

``live`` is a running server (waitress, in a thread) on its own embedded store,
loaded with the seed registry; tests may add records through ``live.store``.
``page`` is a Playwright page whose console errors and any request that would
leave 127.0.0.1 are recorded (and such requests blocked); tests assert on
``page.problems``. A failing test leaves a screenshot in test-artifacts/.
"""
from __future__ import annotations

import os
import shutil
import socket
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

from graph import transfer

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Live:
    def __init__(self, app, store, url):
        self.app, self.store, self.url = app, store, url

    def load(self, data: dict):
        """Import a document into the live store (all-or-nothing, like any import)."""
        return transfer.import_document(self.store, transfer.document_from_data(data))


@pytest.fixture(scope="session")
def live(tmp_path_factory):
    from waitress.server import create_server

    from registry import create_app
    from registry.store import store_for
    folder = tmp_path_factory.mktemp("live")
    app = create_app({"REGISTRY_STORE": f"sqlite:///{folder / 'live.db'}", "SECRET_KEY": "e2e-secret",
                      "RATELIMIT_SIGNIN_PER_MINUTE": 1000, "RATELIMIT_WRITES_PER_MINUTE": 10000})
    store = store_for(app)
    seed = ROOT / "seed" / "registry.json"
    if seed.exists():
        transfer.import_document(store, transfer.read_document(seed))
    port = _free_port()
    server = create_server(app, host="127.0.0.1", port=port, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield Live(app, store, f"http://127.0.0.1:{port}")
    server.close()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no chromium at {CHROMIUM}: `make test` installs Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield browser
        browser.close()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.e2e_failed = report.failed


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.problems = []

    def guard(route):
        host = urlparse(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            page.problems.append(f"request left 127.0.0.1: {route.request.url}")
            route.abort()

    context.route("**/*", guard)
    def console(msg):
        # A form shown again with its errors answers 400 (every form alike), and Chromium logs that
        # for the page itself; a resource of the page that fails is still a problem.
        document_refused = msg.text.startswith("Failed to load resource: the server responded with a status of 4") \
            and (msg.location or {}).get("url") == page.url
        if msg.type == "error" and not document_refused:
            page.problems.append(f"console {msg.type}: {msg.text}")

    page.on("console", console)
    page.on("pageerror", lambda exc: page.problems.append(f"page error: {exc}"))
    page.on("dialog", lambda dialog: (page.problems.append(f"dialog opened: {dialog.message}"), dialog.dismiss()))
    yield page
    if getattr(request.node, "e2e_failed", False):
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
