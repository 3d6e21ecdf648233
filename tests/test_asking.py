"""Which statistic a question names: one answer when sure, otherwise choices, a topic or nothing;
the asker's nation and community through the contact page, the API and the CLI; names for ids."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from graph import asking as A
from graph import signpost as S
from graph.search import SearchIndex

from tests.test_signpost import edge, load, node

BOTH_STORES = True
MAIL = {"email": "stats@example.gov.uk"}

NODES = [
    node("ons", "Producer", MAIL, name="Office for National Statistics", aliases=["ONS"]),
    node("nisra", "Producer", MAIL, name="Northern Ireland Statistics and Research Agency", nations=["northern_ireland"]),
    node("wg", "Producer", MAIL, name="Welsh Government", nations=["wales"]),
    node("cpi", "Statistic", name="Consumer price inflation, UK", aliases=["CPI", "inflation"],
         nations=["england", "wales", "scotland", "northern_ireland"]),
    node("hpi", "Statistic", name="UK House Price Index", aliases=["house prices"],
         nations=["england", "wales", "scotland", "northern_ireland"]),
    node("ni-hpi", "Statistic", name="Northern Ireland House Price Index", nations=["northern_ireland"]),
    node("fps", "Statistic", name="Farm Practices Survey", nations=["england"]),
    node("ni-transport", "Statistic", name="Northern Ireland Transport Statistics", nations=["northern_ireland"]),
    node("hl-w", "Statistic", name="Homelessness in Wales", nations=["wales"]),
    node("hl-e", "Statistic", name="Statutory homelessness in England", nations=["england"]),
    node("topic.homelessness", "Topic", name="Homelessness"),
    node("topic.courts", "Topic", name="Courts and tribunals"),
    node("civil", "Statistic", name="Civil justice statistics quarterly"),
    node("pub.homeless", "Public", name="People experiencing homelessness"),
    node("shelter", "Intermediary", {"url": "https://shelter.example"}, name="Shelter", geography="England"),
    node("shelter-cymru", "Intermediary", {"url": "https://cymru.example"}, name="Shelter Cymru", geography="Wales"),
    node("crisis", "Intermediary", {"url": "https://crisis.example"}, name="Crisis", geography="Great Britain"),
]
EDGES = [
    edge("PRODUCES", "ons", "cpi"), edge("PRODUCES", "ons", "hpi"), edge("PRODUCES", "nisra", "ni-hpi"),
    edge("PRODUCES", "nisra", "ni-transport"), edge("PRODUCES", "wg", "hl-w"), edge("PRODUCES", "ons", "hl-e"),
    edge("PRODUCES", "ons", "fps"), edge("PRODUCES", "ons", "civil"),
    edge("ABOUT", "hl-w", "topic.homelessness"), edge("ABOUT", "hl-e", "topic.homelessness"),
    edge("ABOUT", "civil", "topic.courts"),
    edge("DESCRIBES", "hl-w", "pub.homeless"),
    *[edge("REACHES", i, "pub.homeless") for i in ("shelter", "shelter-cymru", "crisis")],
    *[edge("WORKS_ON", i, "topic.homelessness") for i in ("shelter", "shelter-cymru", "crisis")],
]


@pytest.fixture
def index():
    return SearchIndex(NODES, edges=EDGES)


def test_one_answer_only_when_one_statistic_clearly_fits(index):
    assert A.decide(index, "CPI") == "cpi"
    assert A.decide(index, "inflation") == "cpi"
    assert A.decide(index, "consumer price inflation") == "cpi"


def test_a_choice_matching_only_some_words_is_left_out_when_far_behind_one_matching_all(index):
    """'price index' matches both house price indexes whole; 'Consumer price inflation' matches only
    'price', far behind them: it is noise. With no whole match, partial ones are all offered."""
    assert [c.id for c in A.decide(index, "price index").choices] == ["hpi", "ni-hpi"]
    everything = A.decide(index, "price index", settings={"asking": {"partial_share": 0}})
    assert [c.id for c in everything.choices] == ["hpi", "ni-hpi", "cpi"]
    assert [c.id for c in A.decide(index, "transport prices").choices][:1] == ["ni-transport"]
    assert len(A.decide(index, "transport prices").choices) == 4


def test_a_and_e_is_one_word_and_a_lone_letter_matches_nothing():
    records = [{"id": "ae", "label": "Statistic", "name": "A&E attendances and emergency admissions",
                "nations": ["england"]},
               {"id": "ni-ed", "label": "Statistic", "name": "Emergency care waiting time statistics",
                "aliases": ["A&E waiting times"], "nations": ["northern_ireland"]},
               {"id": "ecom", "label": "Statistic", "name": "E-commerce and ICT activity, UK"}]
    index = SearchIndex(records)
    assert {c.id for c in A.decide(index, "A&E").choices} == {"ae", "ni-ed"}  # England's or Northern Ireland's
    assert A.decide(index, "A&E waiting times northern ireland") == "ni-ed"
    with pytest.raises(A.NoMatch):
        A.decide(index, "a and e")  # not "E-commerce"
    assert A.decide(index, "e-commerce") == "ecom"


def test_one_word_of_another_name_does_not_make_a_confident_answer():
    """'police' is one word of "police recorded crime", a name people use for Crime in England and
    Wales: asked alone it could mean many statistics (police numbers, say), so it gets choices."""
    records = [{"id": "crime", "label": "Statistic", "name": "Crime in England and Wales",
                "aliases": ["crime figures", "police recorded crime"], "nations": ["england", "wales"]},
               {"id": "ni-outcomes", "label": "Statistic", "name": "Police crime outcomes in Northern Ireland",
                "nations": ["northern_ireland"]}]
    index = SearchIndex(records)
    assert isinstance(A.decide(index, "police"), A.Choices)
    assert isinstance(A.decide(index, "police numbers"), A.Choices)
    assert A.decide(index, "crime figures") == "crime" == A.decide(index, "police recorded crime")


def test_a_word_read_as_a_typo_never_makes_a_confident_answer(index):
    found = A.decide(index, "infaltion")
    assert isinstance(found, A.Choices) and found.choices[0].id == "cpi"
    assert found.did_you_mean == "inflation" and found.choices[0].read_as == {"infaltion": "inflation"}


def test_prices_is_not_practices(index):
    found = A.decide(index, "farm prices")
    assert isinstance(found, A.Choices), "half the words matched: not sure"
    assert not found.choices[0].fuzzy


def test_a_nation_asked_for_prefers_its_own_statistic(index):
    assert A.decide(index, "house prices northern ireland") == "ni-hpi"
    assert A.decide(index, "house prices", nation="northern_ireland") == "ni-hpi"
    assert A.decide(index, "house prices in wales") == "hpi", "no Welsh index: the UK one covers Wales"


def test_one_nations_statistic_is_not_the_answer_to_a_question_without_a_nation(index):
    found = A.decide(index, "transport statistics")
    assert isinstance(found, A.Choices) and found.choices[0].id == "ni-transport"
    assert found.choices[0].nations == ("northern_ireland",)


def test_a_topics_name_routes_by_the_topic(index):
    found = A.decide(index, "homelessness")
    assert isinstance(found, A.TopicAnswer) and found.topic["id"] == "topic.homelessness"
    assert A.decide(index, "homelessness wales") == "hl-w"


def test_nonsense_gets_no_match(index):
    with pytest.raises(A.NoMatch):
        A.decide(index, "pizza delivery")


def test_topic_routes_name_the_producers_of_its_statistics(store):
    load(store, NODES, EDGES)
    found = A.ask(store.snapshot(), "courts and tribunals")
    assert isinstance(found, A.TopicAnswer)
    assert [p["id"] for p in found.producers] == ["ons"] and found.statistics == [
        {"id": "civil", "name": "Civil justice statistics quarterly"}]


def test_intermediaries_of_another_nation_are_not_offered(store):
    load(store, NODES, EDGES)
    offered = [r.id for r in S.signpost(store.graph(), "hl-w").routes]
    assert "shelter" not in offered and {"shelter-cymru", "crisis"} <= set(offered)
    assert S.signpost(store.graph(), "hl-w", nation="wales").routes[0].id == "shelter-cymru"


def test_api_answers_choices_topics_and_a_nation(client, app_store):
    load(app_store, NODES, EDGES)
    body = client.get("/api/v1/signpost?q=house+prices&nation=northern_ireland").get_json()
    assert body["statistic"]["id"] == "ni-hpi"
    choices = client.get("/api/v1/signpost?q=infaltion").get_json()
    assert choices["statistic"] is None and choices["did_you_mean"] == "inflation"
    first = choices["choices"][0]
    assert first["id"] == "cpi" and first["producer"] == "Office for National Statistics" and first["why"]
    topic = client.get("/api/v1/signpost?q=homelessness").get_json()
    assert topic["topic"]["topic"]["id"] == "topic.homelessness"
    bad = client.get("/api/v1/signpost?q=cpi&nation=atlantis")
    assert bad.status_code == 400 and "nation" in str(bad.get_json()["errors"])


def test_contact_page_keeps_the_nation_and_community_through_the_redirect(client, app_store):
    load(app_store, NODES, EDGES)
    answer = client.get("/contact?q=homelessness+wales&nation=wales&public=pub.homeless")
    assert answer.status_code == 302
    location = urlsplit(answer.headers["Location"])
    assert location.path == "/records/hl-w"
    assert parse_qs(location.query) == {"nation": ["wales"], "public": ["pub.homeless"]}
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    card = page[page.index('id="signpost"'):page.index('id="not-what-you-need"')]
    assert card.index("Shelter Cymru") < card.index("Crisis") and ">Shelter<" not in card


def test_contact_page_shows_why_each_choice_matched_and_did_you_mean(client, app_store):
    load(app_store, NODES, EDGES)
    page = client.get("/contact?q=infaltion").get_data(as_text=True)
    assert "Which statistic do you mean?" in page and "You searched for ‘infaltion’" in page
    assert "Did you mean" in page and "q=inflation" in page
    assert "From Office for National Statistics" in page and "read as ‘inflation’" in page
    topic = client.get("/contact?q=homelessness").get_data(as_text=True)
    assert "Who covers Homelessness" in topic and "Office for National Statistics" in topic
    nothing = client.get("/contact?q=pizza+delivery")
    assert nothing.status_code == 404 and 'id="q"' in nothing.get_data(as_text=True)
    bad_nation = client.get("/contact?q=cpi&nation=<script>")
    assert bad_nation.status_code == 302 and "nation" not in bad_nation.headers["Location"]


def test_names_are_accepted_where_ids_are(cli, app_store):
    load(app_store, NODES, EDGES)
    code, out, err = cli("intermediaries", "people experiencing homelessness")
    assert code == 0 and "Shelter Cymru" in out
    code, out, err = cli("intermediaries", "nobody at all")
    assert code == 1 and "no record matches 'nobody at all'" in err
    code, out, err = cli("map", "--focus", "Welsh Government", "--depth", "1")
    assert code == 0 and "Homelessness in Wales (hl-w)" in out
    code, out, err = cli("map", "--focus", "price index")
    assert code == 1 and "could be" in err and "(ni-hpi)" in err and "(hpi)" in err


def test_map_focus_box_takes_a_name(client, app_store):
    load(app_store, NODES, EDGES)
    page = client.get("/map?focus=Welsh+Government")
    assert page.status_code == 200 and "Around Welsh Government" in page.get_data(as_text=True)
    api = client.get("/api/v1/map?focus=price+index")
    assert api.status_code == 400 and "could be" in api.get_json()["message"]
