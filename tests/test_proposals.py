"""Editors confirm or remove, in one click, a public a harvest proposed for an engagement (issue 18).

Runs on both stores (``BOTH_STORES``): the buttons on the engagement's page, the public's page
and "you said, we did", the write through the store's one path, its audit entry, and the
burden that counts the public only once it is confirmed.
"""
from __future__ import annotations

import datetime as _dt

import pytest

from graph import burden, transfer
from registry.auth import hash_token, new_token, start_session
from tests.web import csrf, sign_in

BOTH_STORES = True

ENG = "eng.gcse-grading"
DOC = {"format": "pathways-graph", "version": 1, "nodes": [
    {"id": "ofqual", "label": "Producer", "name": "Ofqual", "kind": "department"},
    {"id": "pub.pupils", "label": "Public", "name": "Pupils and their parents"},
    {"id": "pub.staff", "label": "Public", "name": "School staff"},
    {"id": "pub.rural", "label": "Public", "name": "Rural communities"},
    {"id": ENG, "label": "Engagement", "name": "GCSE grading consultation", "method": "consultation",
     "start": "2026-06-01", "end": "2026-07-01", "status": "held", "you_said": "Keep grades stable"},
    {"id": "eng.only-proposed", "label": "Engagement", "name": "Rural post offices consultation",
     "method": "consultation", "start": "2026-06-01", "status": "held"}],
    "edges": [
        {"type": "RAN", "from": "ofqual", "to": ENG},
        {"type": "INVOLVED", "from": ENG, "to": "pub.pupils", "confirmed": False, "participants": 40},
        {"type": "INVOLVED", "from": ENG, "to": "pub.staff", "confirmed": False},
        {"type": "INVOLVED", "from": ENG, "to": "pub.rural", "confirmed": True},
        {"type": "INVOLVED", "from": "eng.only-proposed", "to": "pub.rural", "confirmed": False}]}
CONFIRM = f"/engagements/{ENG}/publics/pub.pupils/confirm"
REMOVE = f"/engagements/{ENG}/publics/pub.staff/remove"


@pytest.fixture
def web(app_store, client):
    transfer.import_document(app_store, transfer.document_from_data(DOC))
    return client


def involved(store, engagement=ENG):
    return {e["to"]: {k: v for k, v in e.items() if k not in ("type", "from", "to")}
            for e in store.edges_of(engagement, "out", ["INVOLVED"])}


def counted(store, public):
    return burden.engagements_of(store.graph(), public)


def test_signed_out_visitors_see_the_mark_but_no_buttons_and_cannot_post(web, app_store):
    page = web.get(f"/records/{ENG}").get_data(as_text=True)
    assert "Publics proposed, not confirmed" in page and page.count("Proposed, not confirmed</strong>") >= 2
    assert CONFIRM not in page
    assert web.post(CONFIRM).status_code == 400  # no CSRF token
    token = csrf(web, "/account/sign-in")
    response = web.post(CONFIRM, data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].startswith("/account/sign-in")
    assert involved(app_store)["pub.pupils"]["confirmed"] is False


def test_a_viewer_is_refused(web, app_store):
    viewer = web.application.test_client()
    value = new_token()
    app_store.add_token("reader", "viewer", hash_token(value))
    with viewer.session_transaction() as s:
        s["token_hash"] = hash_token(value)
        with viewer.application.app_context():
            s["sid"] = start_session(s["token_hash"])
    assert CONFIRM not in viewer.get(f"/records/{ENG}").get_data(as_text=True)
    token = csrf(viewer, "/account")
    assert viewer.post(CONFIRM, data={"csrf_token": token}).status_code == 403
    assert involved(app_store)["pub.pupils"]["confirmed"] is False


def test_confirm_keeps_the_links_details_counts_it_and_is_audited(web, app_store):
    sign_in(web, app_store)
    page = web.get(f"/records/{ENG}").get_data(as_text=True)
    assert f'action="{CONFIRM}"' in page and f'action="{REMOVE}"' in page
    assert "that Pupils and their parents took part in GCSE grading consultation" in page  # for screen readers
    assert ENG not in counted(app_store, "pub.pupils")
    response = web.post(CONFIRM, data={"csrf_token": csrf(web, f"/records/{ENG}"), "next": f"/records/{ENG}"})
    assert response.status_code == 303 and response.headers["Location"] == f"/records/{ENG}"
    assert involved(app_store)["pub.pupils"] == {"confirmed": True, "participants": 40}
    assert involved(app_store)["pub.staff"]["confirmed"] is False  # only the one asked for
    assert ENG in counted(app_store, "pub.pupils")
    entry = app_store.audit_entries(target=f"INVOLVED:{ENG}->pub.pupils")[0]
    assert entry["actor"] == "token:alice" and entry["action"] == "web: link"
    after = web.get(f"/records/{ENG}").get_data(as_text=True)
    assert "Pupils and their parents confirmed as taking part in GCSE grading consultation" in after
    assert CONFIRM not in after and 'id="proposal-pub.staff"' in after
    # the public's own page now counts it in its burden and no longer marks it
    public = web.get("/records/pub.pupils").get_data(as_text=True)
    assert "Proposed, not confirmed" not in public.split('id="public-engagements"')[1].split("</table>")[0]


def test_remove_deletes_the_proposal_and_returns_where_it_was_asked(web, app_store):
    sign_in(web, app_store)
    listing = web.get("/you-said-we-did").get_data(as_text=True)
    assert f'action="{REMOVE}"' in listing and 'name="next" value="/you-said-we-did"' in listing
    response = web.post(REMOVE, data={"csrf_token": csrf(web, "/you-said-we-did"), "next": "/you-said-we-did"})
    assert response.status_code == 303 and response.headers["Location"] == "/you-said-we-did"
    assert "pub.staff" not in involved(app_store)
    assert app_store.audit_entries(target=f"INVOLVED:{ENG}->pub.staff")[0]["action"] == "web: unlink"
    again = web.post(REMOVE, data={"csrf_token": csrf(web, "/you-said-we-did")})
    assert again.status_code == 404  # nothing left to remove
    # an address elsewhere is never followed
    evil = web.post(CONFIRM, data={"csrf_token": csrf(web, "/you-said-we-did"), "next": "//evil.example/"})
    assert evil.headers["Location"] == f"/records/{ENG}"


def test_the_public_page_offers_the_buttons_for_its_proposed_engagements(web, app_store):
    sign_in(web, app_store)
    page = web.get("/records/pub.staff").get_data(as_text=True)
    table = page.split('id="public-engagements"')[1].split("</table>")[0]
    assert f'action="{REMOVE}"' in table and 'name="next" value="/records/pub.staff"' in table
    form = web.get(f"/engagements/{ENG}/edit").get_data(as_text=True)
    assert form.count("Proposed, not confirmed</strong>") == 2  # pupils and staff, not rural
    assert "keeping it ticked keeps it proposed" in form


def test_the_last_public_of_a_held_engagement_cannot_be_removed(web, app_store):
    sign_in(web, app_store)
    path = "/engagements/eng.only-proposed/publics/pub.rural/remove"
    response = web.post(path, data={"csrf_token": csrf(web, "/records/eng.only-proposed")})
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and "must involve at least one public" in text
    assert involved(app_store, "eng.only-proposed") == {"pub.rural": {"confirmed": False}}
    confirmed = web.post("/engagements/eng.only-proposed/publics/pub.rural/confirm",
                         data={"csrf_token": csrf(web, "/records/eng.only-proposed")})
    assert confirmed.status_code == 303
    assert "eng.only-proposed" in counted(app_store, "pub.rural")


@pytest.mark.parametrize("path", [f"/engagements/{ENG}/publics/nobody/confirm",
                                  "/engagements/ofqual/publics/pub.pupils/confirm",
                                  "/engagements/eng.only-proposed/publics/pub.pupils/confirm"])
def test_nonsense_is_not_found(web, app_store, path):
    sign_in(web, app_store)
    assert web.post(path, data={"csrf_token": csrf(web, "/account")}).status_code == 404


def test_burden_on_the_public_changes_only_when_confirmed(web, app_store):
    from graph.settings import DEFAULTS
    as_of = _dt.date(2026, 8, 1)
    before = burden.score_node(app_store.graph(), "pub.pupils", as_of, DEFAULTS)
    assert before.engagement_count == 0 and before.units == 0
    sign_in(web, app_store)
    web.post(CONFIRM, data={"csrf_token": csrf(web, f"/records/{ENG}")})
    after = burden.score_node(app_store.graph(), "pub.pupils", as_of, DEFAULTS)
    assert after.engagement_count == 1 and after.units > 0
