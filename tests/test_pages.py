"""The foundation pages: home, search, a record page, and not found."""
from __future__ import annotations

from graph import transfer
from tests.test_transfer import RICH

BOTH_STORES = True  # app, API and CLI tests here run on the embedded store and on Neo4j


def load(app_store):
    transfer.import_document(app_store, transfer.document_from_data(RICH))


def test_home_asks_the_question(client, app_store):
    load(app_store)
    page = client.get("/").get_data(as_text=True)
    assert "Who do I contact about a statistic?" in page
    assert '<link rel="stylesheet" href="/assets/govuk-frontend.min.css">' in page


def test_search_finds_by_name_and_tag(client, app_store):
    load(app_store)
    page = client.get("/search?q=census").get_data(as_text=True)
    assert 'href="/records/census"' in page
    assert 'href="/records/ons"' in client.get("/search?q=stats").get_data(as_text=True)


def test_empty_and_long_search(client):
    assert client.get("/search").status_code == 200  # arriving: a form, no error
    assert "There is a problem" not in client.get("/search").get_data(as_text=True)
    assert client.get("/search?q=").status_code == 400
    response = client.get("/search?q=" + "x" * 501)
    assert response.status_code == 400 and "200 characters or fewer" in response.get_data(as_text=True)


def test_record_page_shows_contact_source_and_neighbours(client, app_store):
    load(app_store)
    page = client.get("/records/ons").get_data(as_text=True)
    assert "info@ons.gov.uk" in page and "https://www.ons.gov.uk" in page
    assert "1 November 2026" in page
    assert "Produces" in page and 'href="/records/census"' in page
    assert "Partners with" in page


def test_stale_and_unverified_records_are_marked(client, app_store):
    load(app_store)
    assert "never been checked" in client.get("/records/census").get_data(as_text=True)
    assert "never been checked" not in client.get("/records/ons").get_data(as_text=True)


def test_not_found(client):
    response = client.get("/records/nope")
    assert response.status_code == 404
    assert "no record with id" in response.get_data(as_text=True)
    assert client.get("/no/such/page").status_code == 404


def test_names_are_text_not_html(client, app_store):
    app_store.apply(transfer.to_change(transfer.Document(
        [{"id": "xss", "label": "Topic", "name": "<img src=x onerror=alert(1)>"}], [])))
    page = client.get("/records/xss").get_data(as_text=True)
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_govuk_assets_are_served_locally(client):
    for path, status in (("/assets/govuk-frontend.min.css", 200), ("/assets/fonts/bold-b542beb274-v2.woff2", 200),
                         ("/assets/../pyproject.toml", 404)):
        response = client.get(path)
        response.close()
        assert response.status_code == status, path


def test_the_menu_marks_each_pages_own_section_while_the_header_is_kept(client, app):
    """The header's GOV.UK parts are rendered once per active menu item (registry.templating.page_chrome):
    pages of different sections, in any order, each mark their own, and the footer is on every page."""
    import re

    def active(path: str) -> list[str]:
        page = client.get(path).get_data(as_text=True)
        assert "Gaps in the system" in page  # the kept footer
        return re.findall(r'govuk-service-navigation__item--active">\s*<a[^>]*href="([^"]+)"', page)
    for _round in range(2):
        assert active("/publics") == ["/publics"]
        assert active("/about") == ["/about"]
        assert active("/") == ["/"]
        assert active("/search?q=census") == []
    kept = app.extensions["pathways.chrome"]
    assert sorted(part for part, _active in kept) == ["footer", "header", "header", "header", "header"]


def test_the_ask_forms_publics_are_every_public_kept_through_writes(client, app_store):
    """The home page's and the contact page's "Which community?" list every public by name, the
    chosen one selected (registry.cache.public_options, kept through changes that move no public),
    and a public added, renamed or removed is in the next page; its name is text, never HTML."""
    import re
    from graph.stores import Change
    load(app_store)

    def offered(page: str) -> list[tuple[str, str, bool]]:
        select = page[page.index('<select class="govuk-select" id="public"'):]
        select = select[:select.index("</select>")]
        return [(v, n, bool(s)) for v, s, n in re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select)]
    assert offered(client.get("/").get_data(as_text=True)) == [("", "Not saying", False), ("carers", "Unpaid carers", False)]
    app_store.apply(Change(put_nodes=[{"id": "a-renters", "label": "Public", "name": "<b>Renters</b>"}]))
    home = client.get("/").get_data(as_text=True)
    assert offered(home)[1] == ("a-renters", "&lt;b&gt;Renters&lt;/b&gt;", False) and "<b>Renters" not in home
    app_store.apply(Change(put_nodes=[{"id": "t9", "label": "Topic", "name": "Housing"}]))  # no public moved
    contact = client.get("/contact?q=&public=carers").get_data(as_text=True)  # no statistic named: the form again
    assert [o for o in offered(contact) if o[2]] == [("carers", "Unpaid carers", True)]
    app_store.apply(Change(delete_nodes=["a-renters"]))
    assert [v for v, _n, _s in offered(client.get("/").get_data(as_text=True))] == ["", "carers"]
