"""Editors sign in with their token and add, change and delete records in the web interface.

The first tests use Flask's test client (no browser); those marked e2e drive chromium
against the live app.
"""
from __future__ import annotations


import pytest

from graph import transfer
from registry.auth import hash_token, new_token
from tests.web import csrf, sign_in

XSS = "<img src=x onerror=alert(1)>"
DOC = {"format": "pathways-graph", "version": 1, "nodes": [
    {"id": "ons", "label": "Producer", "name": "Office for National Statistics", "kind": "department"},
    {"id": "census", "label": "Statistic", "name": "Census 2021"},
    {"id": "renters", "label": "Public", "name": "People renting in Wales", "capacity": 8}],
    "edges": [{"type": "PRODUCES", "from": "ons", "to": "census"}]}




@pytest.fixture
def web(app_store, client):
    transfer.import_document(app_store, transfer.document_from_data(DOC))
    return client


def test_editing_needs_sign_in_and_a_viewer_token_cannot_sign_in(web, app_store):
    assert web.get("/records/ons/edit").headers["Location"] == "/account/sign-in?next=/records/ons/edit"
    value = new_token()
    app_store.add_token("reader", "viewer", hash_token(value))
    refused = web.post("/account/sign-in", data={"token": value, "csrf_token": csrf(web, "/account/sign-in")})
    assert refused.status_code == 400 and "can only read" in refused.get_data(as_text=True)
    wrong = web.post("/account/sign-in", data={"token": "pw_wrong", "csrf_token": csrf(web, "/account/sign-in")})
    assert "not recognised" in wrong.get_data(as_text=True) and 'href="#token"' in wrong.get_data(as_text=True)
    assert web.post("/account/sign-in", data={"token": value}).status_code == 400  # no CSRF token


def test_sign_in_cookie_flags_and_open_redirects(web, app_store):
    value = new_token()
    app_store.add_token("bob", "editor", hash_token(value))
    response = web.post("/account/sign-in", data={"token": value, "next": "//evil.example/",
                                                  "csrf_token": csrf(web, "/account/sign-in")})
    assert response.headers["Location"] == "/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Signed in as bob" in web.get("/").get_data(as_text=True)


def test_sign_in_attempts_are_rate_limited(tmp_path):
    from registry import create_app
    app = create_app({"TESTING": True, "REGISTRY_STORE": f"sqlite:///{tmp_path / 'r.db'}", "SECRET_KEY": "x",
                      "RATELIMIT_SIGNIN_PER_MINUTE": 2})
    client = app.test_client()
    codes = [client.post("/account/sign-in", data={"token": "pw_guess", "csrf_token": csrf(client, "/account/sign-in")}
                         ).status_code for _ in range(3)]
    assert codes == [400, 400, 429]


def test_edit_shows_errors_then_saves_and_records_history(web, app_store):
    sign_in(web, app_store)
    form = web.get("/records/renters/edit").get_data(as_text=True)
    assert 'name="version" value="1"' in form and 'id="capacity"' in form and 'id="seldom_heard"' in form
    token = csrf(web, "/records/renters/edit")
    bad = web.post("/records/renters/edit", data={"csrf_token": token, "version": "1", "name": "People renting in Wales",
                                                  "capacity": "-3", "rest_until-day": "31", "rest_until-month": "2",
                                                  "rest_until-year": "2027"})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "There is a problem" in page
    assert '<a href="#capacity">Capacity must be at least 0</a>' in page
    assert '<a href="#rest_until-day">Do not approach before must be a real date, for example 27 3 2025</a>' in page
    assert 'id="rest_until-day" name="rest_until-day" type="text" inputmode="numeric" value="31"' in page
    assert app_store.get_node("renters")["version"] == 1
    good = web.post("/records/renters/edit", data={"csrf_token": token, "version": "1", "name": "Renters in Wales",
                                                   "capacity": "6", "seldom_heard": "yes"})
    assert good.status_code == 302
    assert app_store.get_node("renters") == {"id": "renters", "label": "Public", "name": "Renters in Wales",
                                             "capacity": 6, "seldom_heard": True, "version": 2}
    record = web.get("/records/renters").get_data(as_text=True)
    assert "History of changes" in record and "Changed: name, capacity, seldom heard" in record
    assert "token:alice" in record  # signed-in editors see who


def test_someone_elses_change_is_not_overwritten(web, app_store):
    sign_in(web, app_store)
    token = csrf(web, "/records/ons/edit")
    from graph.stores import Change
    app_store.apply(Change(put_nodes=[{"id": "ons", "label": "Producer", "name": "ONS", "kind": "department"}],
                           actor="token:bob"))
    response = web.post("/records/ons/edit", data={"csrf_token": token, "version": "1", "kind": "agency",
                                                   "name": "Office for National Statistics"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "Someone else changed this record" in page
    assert 'name="version" value="2"' in page
    assert app_store.get_node("ons")["name"] == "ONS"


def test_add_a_record_and_delete_needs_admin_and_confirmation(web, app_store):
    sign_in(web, app_store)
    token = csrf(web, "/records/new?label=Topic")
    added = web.post("/records/new?label=Topic", data={"csrf_token": token, "id": "housing", "name": XSS,
                                                       "tags": "homes\nhousing"})
    assert added.status_code == 302 and app_store.get_node("housing")["tags"] == ["homes", "housing"]
    taken = web.post("/records/new?label=Topic", data={"csrf_token": token, "id": "ons", "name": "Clash"})
    assert taken.status_code == 400 and "already exists" in taken.get_data(as_text=True)
    assert web.get("/records/census/delete").status_code == 403  # editors cannot delete
    admin = web.application.test_client()
    sign_in(admin, app_store, "admin", "root")
    confirm = admin.get("/records/census/delete").get_data(as_text=True)
    assert "Its 1 relationship will be deleted too" in confirm and "Office for National Statistics" in confirm
    done = admin.post("/records/census/delete", data={"csrf_token": csrf(admin, "/records/census/delete"),
                                                      "version": "1"})
    assert done.status_code == 302 and app_store.get_node("census") is None


def test_a_name_with_markup_is_text_on_every_page(web, app_store):
    app_store.apply(__import__("graph.stores", fromlist=["Change"]).Change(
        put_nodes=[{"id": "xss", "label": "Topic", "name": XSS, "description": XSS}], actor="test"))
    sign_in(web, app_store)
    for path in ("/records/xss", "/search?q=onerror", "/records/xss/edit", "/api/v1/docs?q=onerror"):
        page = web.get(path).get_data(as_text=True)
        assert "&lt;img src=x onerror=alert(1)&gt;" in page, path
        assert XSS not in page, path


# -- in the browser -------------------------------------------------------------

@pytest.mark.e2e
def test_editor_signs_in_sees_the_error_summary_then_saves(live, page):
    value = new_token()
    live.store.add_token("e2e-editor", "editor", hash_token(value))
    live.load({"format": "pathways-graph", "version": 1, "nodes": [
        {"id": "e2e-edit-public", "label": "Public", "name": "Tenants in e2e town", "capacity": 5}], "edges": []})
    page.goto(live.url + "/records/e2e-edit-public")
    page.get_by_role("link", name="Sign in to change records").click()
    page.get_by_label("Your token").fill(value)
    page.get_by_role("button", name="Sign in").click()
    assert page.locator("h1").inner_text() == "Tenants in e2e town"
    page.get_by_role("link", name="Change this record").click()
    page.locator("#capacity").fill("lots")
    page.get_by_role("button", name="Save changes").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for(state="visible")  # is_visible() does not wait for the page to come back
    assert "Capacity must be a number" in summary.inner_text()
    assert page.evaluate("document.activeElement.closest('.govuk-error-summary') !== null")  # focus moves to it
    summary.get_by_role("link", name="Capacity must be a number").click()
    assert page.evaluate("document.activeElement.id") == "capacity"
    page.locator("#capacity").fill("7")
    page.get_by_role("button", name="Save changes").click()
    assert "Your changes to Tenants in e2e town have been saved" in page.locator(".govuk-notification-banner").inner_text()
    assert live.store.get_node("e2e-edit-public")["capacity"] == 7
    assert "History of changes" in page.locator("main").inner_text()
    assert page.problems == []


@pytest.mark.e2e
def test_markup_in_a_name_opens_no_dialog_anywhere(live, page):
    value = new_token()
    live.store.add_token("e2e-xss-editor", "editor", hash_token(value))
    live.load({"format": "pathways-graph", "version": 1, "nodes": [
        {"id": "e2e-xss-2", "label": "Topic", "name": XSS, "description": XSS}], "edges": []})
    page.goto(live.url + "/account/sign-in")
    page.get_by_label("Your token").fill(value)
    page.get_by_role("button", name="Sign in").click()
    for path in ("/records/e2e-xss-2", "/search?q=onerror", "/records/e2e-xss-2/edit", "/api/v1/docs?q=onerror"):
        page.goto(live.url + path)
        if path.endswith("/edit"):
            assert page.locator("#name").input_value() == XSS
            assert XSS in page.locator("h1").inner_text()
        else:
            assert XSS in page.locator("main").inner_text(), path
        assert page.locator("main img").count() == 0, path
    assert page.problems == []
