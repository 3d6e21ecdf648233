"""Forms are refused without the session's CSRF token."""
from __future__ import annotations

from flask import Blueprint


def test_post_without_token_is_refused_and_with_token_accepted(app):
    bp = Blueprint("csrf_probe", __name__)
    bp.add_url_rule("/probe", "probe", lambda: "done", methods=["POST"])
    app.register_blueprint(bp)
    client = app.test_client()
    response = client.post("/probe", data={"x": "1"})
    assert response.status_code == 400 and "form has expired" in response.get_data(as_text=True)
    with client.session_transaction() as session:
        session["csrf_token"] = "known"
    assert client.post("/probe", data={"csrf_token": "wrong"}).status_code == 400
    assert client.post("/probe", data={"csrf_token": "known"}).get_data(as_text=True) == "done"
    assert client.post("/probe", headers={"X-CSRF-Token": "known"}).status_code == 200


def test_about_page(client):
    assert "About Pathways" in client.get("/about").get_data(as_text=True)
