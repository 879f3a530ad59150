"""Search: Dutch analysis, relevance, query language, permissions, similar questions.

Every test runs once per search backend (`app_config` below): a new backend plugs into the
same tests by joining search.backend.BACKENDS. The analyzer test is Whoosh's own.
"""

from __future__ import annotations

import pytest

from kde_community.search import services
from kde_community.search.backend import BACKENDS
from kde_community.search.whoosh import dutch_analyzer
from tests.helpers import make_config


@pytest.fixture(params=sorted(BACKENDS))
def app_config(request, tmp_path) -> dict:
    return make_config(tmp_path, KDE_SEARCH_BACKEND=request.param)


def tokens(text):
    return [t.text for t in dutch_analyzer()(text)]


@pytest.mark.parametrize("a, b", [
    ("gemeente", "gemeenten"), ("provincie", "provincies"), ("waterschap", "waterschappen"),
    ("inkoopvoorwaarde", "inkoopvoorwaarden"), ("beïnvloeding", "beinvloeding"),
    ("toegankelijkheid", "Toegankelijkheid"),
])
def test_dutch_analysis_joins_forms(a, b):
    assert tokens(a) == tokens(b)


CORPUS = {
    "inkoop": ("Modelbepaling inkoopvoorwaarden voor AI-systemen",
               "Welke inkoopvoorwaarden gebruiken jullie bij de aanbesteding van een chatbot?"),
    "gemeenten": ("Samenwerken met andere gemeenten aan het algoritmeregister",
                  "Kleine gemeenten delen een register en een functionaris."),
    "provincie": ("Rol van de provincie bij Europese consultaties",
                  "Hoe organiseert een provincie inbreng op voorstellen van de Commissie?"),
    "waterschap": ("Sensoren in het waterschap en de Cyberweerbaarheidsverordening",
                   "Ons waterschap koopt meetapparatuur met software in."),
    "beinvloeding": ("Vroege beïnvloeding van Brusselse wetgeving",
                     "Wie doet de lobby voor decentrale overheden?"),
    "aiact": ("Menselijk toezicht bij de AI-verordening",
              "Wij zetten een chatbot in en vragen ons af wie toezicht houdt onder de AI-verordening."),
    "sdg": ("Bronbestanden voor de Single Digital Gateway koppelen",
            "Het once-only technisch systeem van de Single Digital Gateway vraagt veel van ons."),
    "wdo": ("Toegankelijkheidsverklaring voor onze website",
            "Moet elke PDF toegankelijk zijn volgens de Webtoegankelijkheidsrichtlijn?"),
    "eaa": ("Zelfbedieningsautomaat in het stadskantoor",
            "Valt onze parkeerautomaat onder de European Accessibility Act?"),
    "nis2": ("Zorgplicht en meldplicht onder NIS2",
             "Hoe melden wij een significant incident binnen 24 uur?"),
    "avg": ("DPIA herhalen bij een nieuw zaaksysteem",
            "Wanneer moeten wij de gegevensbeschermingseffectbeoordeling opnieuw doen?"),
    "geo": ("Geodata delen via INSPIRE-diensten", "Onze bestemmingsplannen als open geodata."),
    "hvd": ("API voor hoogwaardige datasets",
            "Welke datasets met hoge waarde moeten wij via een API aanbieden?"),
    "glas": ("Vergunning voor glasvezel in de berm", "Termijnen voor graafvergunningen voor glasvezel."),
    "wallet": ("Identiteitswallet aan de balie accepteren",
               "Moet ons loket de Europese digitale identiteitsportemonnee accepteren?"),
    "data": ("Wie is eigenaar van data uit slimme lantaarnpalen?",
             "Een private partner beheert de sensoren en claimt de data."),
    "cloud": ("Overstappen van cloudleverancier", "Exitstrategie en overstapkosten bij clouddiensten."),
    "interop": ("Interoperabiliteitsbeoordeling bij nieuwe systemen",
                "Wanneer moeten wij een interoperabiliteitsbeoordeling uitvoeren?"),
    "crisis": ("Weerbaarheid van vitale waterzuivering", "Kritieke entiteit aangewezen: wat nu?"),
    "fout": ("Mislukte migratie naar een nieuw zaaksysteem",
             "Wat ging er mis: geen exitstrategie en te weinig capaciteit."),
}

CASES = [
    ("inkoopvoorwaarde", "inkoop"), ("inkoopvoorwaarden", "inkoop"),
    ("gemeente algoritmeregister", "gemeenten"), ("gemeenten", "gemeenten"),
    ("provincies consultaties", "provincie"), ("provincie", "provincie"),
    ("waterschappen", "waterschap"), ("waterschap sensoren", "waterschap"),
    ("beinvloeding", "beinvloeding"), ("beïnvloeding", "beinvloeding"),
    ("AI Act", "aiact"), ("AI-Act toezicht", "aiact"), ("AI-verordening", "aiact"),
    ("Regulation 2024/1689", "aiact"), ("artificial intelligence act", "aiact"),
    ("SDG", "sdg"), ("Single Digital Gateway", "sdg"),
    ("toegankelijkheidsverklaring", "wdo"),
    ("parkeerautomaat", "eaa"), ("EAA", "eaa"), ("Europese toegankelijkheidsakte", "eaa"),
    ("meldplicht incident", "nis2"),
    ("DPIA zaaksysteem", "avg"),
    ('"open geodata"', "geo"),
    ("glasvezel -lantaarnpalen", "glas"),
    ("hoogwaardige OR datasets", "hvd"),
    ("identiteits*", "wallet"),
    ("eigenaar data partner", "data"),
    ("exitstrategie cloud*", "cloud"),
    ("interoperabiliteitsbeoordeling", "interop"),
    ("kritieke entiteit", "crisis"),
    ("mislukte migratie", "fout"),
    ("glasvezle", None),  # misspelling: the suggestion is checked
]


@pytest.fixture
def corpus(seed, make_user, make_law):
    """Built once per module and backend, copied into each test's fresh database (conftest)."""
    return seed("search corpus", lambda: build_corpus(make_user, make_law))


def build_corpus(make_user, make_law):
    from kde_community.laws.models import Law

    ai = make_law()
    ai.aliases = ["AI Act", "AI-verordening", "Artificial Intelligence Act",
                  "Regulation (EU) 2024/1689", "Verordening (EU) 2024/1689"]
    sdg = make_law(slug="sdg", name="SDG-verordening", celex="32018R1724")
    sdg.aliases = ["Single Digital Gateway", "SDG", "Verordening (EU) 2018/1724"]
    eaa = make_law(slug="european-accessibility-act", name="Europese toegankelijkheidsakte",
                   celex="32019L0882")
    eaa.aliases = ["European Accessibility Act", "EAA", "Richtlijn (EU) 2019/882"]
    from kde_community.extensions import db

    db.session.commit()
    assert isinstance(ai, Law)
    from kde_community.questions import services as questions

    author = make_user()
    ids = {}
    for key, (title, body) in CORPUS.items():
        ids[key] = questions.ask_question(author, {"title": title, "body": body}).id
    services.drain()
    return ids


@pytest.mark.parametrize("query, expected", CASES)
def test_relevance(app, corpus, query, expected):
    results = services.search(None, query, per_page=10)
    if expected is None:
        assert results.suggestion == "glasvezel"
        return
    # A query naming a law shows the law and its obligations first (bench/relevance judges
    # the order on real data); the question about it follows within the first page.
    top = [(h.type, h.id) for h in results.items[:10]]
    assert ("question", corpus[expected]) in top, (query, [h.title for h in results.items])


def test_exclusion_and_phrase(app, corpus):
    assert services.search(None, "glasvezel").total == 1
    assert services.search(None, "glasvezel -berm").total == 0
    assert services.search(None, '"geodata delen"').total == 1
    assert services.search(None, '"delen geodata"').total == 0


@pytest.mark.parametrize("query", ['"unclosed', "AND OR", "*", "x" * 10_000, "\x00\x01\x1f",
                                   "'; DROP TABLE questions; --", "<script>alert(1)</script>",
                                   "((((", "title:geheim", "a OR", "NOT", "-", "toeg**", "?",
                                   "[1 TO 5]", "visibility:members", "^2"])
def test_malformed_queries_never_fail(app, client, corpus, query):
    assert client.get("/zoeken", query_string={"q": query}).status_code == 200
    response = client.get("/api/v1/search", query_string={"q": query})
    # The API may refuse an over-long query with field errors; never a server error.
    assert response.status_code in (200, 422), response.status_code
    assert "items" in response.json if response.status_code == 200 else "error" in response.json


def test_members_only_marker_never_reaches_visitors(app, client, make_user, make_question):
    member = make_user()
    make_question(author=member, title="Incident met versleutelde servers Zwavelmarker",
                  body="Zwavelmarker details over het incident", visibility="members")
    make_question(author=member, title="Openbare vraag over servers", body="Gewone tekst")
    services.drain()
    for query in ("Zwavelmarker", "Zwavelmarkr", "zwavel*"):
        results = services.search(None, query)
        assert results.total == 0 and not results.items and results.suggestion is None, query
        assert all(not counts for counts in results.facets.values()), query
        api = client.get("/api/v1/search", query_string={"q": query}).json
        assert api["total"] == 0 and api["items"] == [] and api["suggestion"] is None
    for query in ("incident", "servers", "versleutelde", "details", "incidnt"):
        results = services.search(None, query)
        text = str([(h.title, str(h.snippet)) for h in results.items]) + str(results.facets) + \
            str(results.suggestion)
        assert "wavelmarker" not in text.lower(), query
        page = client.get("/zoeken", query_string={"q": query}).get_data(as_text=True)
        assert "wavelmarker" not in page.lower(), query
        api = client.get("/api/v1/search", query_string={"q": query}).get_data(as_text=True)
        assert "wavelmarker" not in api.lower(), query
    assert services.search(None, "Zwavelmarker").total == 0
    assert services.search(None, "servers").total == 1
    assert services.search(None, "servers").facets["type"] == [("question", 1)]
    found = services.search(member, "Zwavelmarker")
    assert found.total == 1 and "<mark>" in str(found.items[0].snippet)


def test_hidden_and_edited_content_follows_the_database(app, make_user, make_question):
    from kde_community.content import services as content

    moderator = make_user(role="moderator")
    question = make_question(title="Vraag over de Kwartsmarker", body="tekst")
    services.drain()
    assert services.search(None, "Kwartsmarker").total == 1
    content.hide_item(moderator, "question", question.id, "test")
    services.drain()
    assert services.search(None, "Kwartsmarker").total == 0
    content.restore_item(moderator, "question", question.id)
    services.drain()
    assert services.search(None, "Kwartsmarker").total == 1
    assert services.check().ok


def test_answers_are_found_with_their_question(app, make_user, make_question):
    from kde_community.questions import services as questions

    question = make_question(title="Een vraag zonder het woord", body="tekst")
    questions.answer_question(make_user(), question, {"body": "Gebruik het Basaltregister."})
    services.drain()
    hits = services.search(None, "basaltregister").items
    assert [h.id for h in hits] == [question.id]


def test_snippets_are_escaped(app, make_user, make_question):
    make_question(title="Payload vraag hier", body="<script>alert(1)</script> Granietwoord <b>x</b>")
    services.drain()
    snippet = str(services.search(None, "granietwoord").items[0].snippet)
    assert "<script>" not in snippet and "<b>" not in snippet
    assert "<mark>" in snippet


def test_check_and_reindex(app, runner, make_question):
    make_question(title="Een vraag voor de controle")
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 1 and "missing: question:" in result.output
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0 and "Indexed" in result.output
    assert runner.invoke(args=["search", "check"]).exit_code == 0


def test_practices_in_search_with_outcome_facet(app, make_user, make_practice):
    make_practice(title="Mislukte koppeling Robijnmarker", summary="Robijnmarker liep vast")
    make_practice(title="Geslaagde koppeling Robijnmarker", summary="Robijnmarker werkt",
                  outcome="success", failure_causes=[])
    services.drain()
    results = services.search(None, "Robijnmarker")
    assert results.total == 2
    assert dict(results.facets["outcome"]) == {"failure": 1, "success": 1}
    assert dict(results.facets["type"]) == {"practice": 2}
    assert services.search(None, "Robijnmarker", filters={"outcome": "failure"}).total == 1


# --- similar questions, through the index -----------------------------------------------------

def test_similar_questions_come_from_the_index_most_relevant_first(app, make_user,
                                                                   make_question):
    author = make_user()
    best = make_question(author=author, title="Algoritmeregister vullen met de Saffierbron",
                         body="tekst")
    other = make_question(author=author, title="Een register voor onze algoritmes bijhouden",
                          body="tekst")
    make_question(author=author, title="Glasvezel in de berm leggen", body="tekst")
    found = services.similar_questions(None, "Hoe vullen wij het algoritmeregister?")
    assert found == []  # nothing indexed yet: similar questions are a search, not a LIKE
    services.drain()
    found = services.similar_questions(None, "Hoe vullen wij het algoritmeregister?")
    assert [q.id for q in found][:1] == [best.id]
    assert other.id not in [q.id for q in found] or found.index(other) > 0
    # The compound's parts find the question that spells them apart.
    assert services.similar_questions(None, "Algoritmeregister Saffierbron",
                                      exclude_id=best.id) == [other]
    assert services.similar_questions(None, "glasvezel berm", limit=1)[0].title.startswith(
        "Glasvezel")
    for odd in ("", "a b", "OR AND NOT", "*", '"', "x" * 5000, "\x00"):
        assert services.similar_questions(None, odd) == [] or odd == "x" * 5000


def test_similar_questions_respect_the_audience(app, client, make_user, make_question):
    from kde_community.content import services as content
    from kde_community.extensions import db

    member = make_user()
    secret = make_question(author=member, title="Ledenvraag over de Toermalijnkoppeling",
                           body="tekst", visibility="members")
    hidden = make_question(author=member, title="Verborgen vraag over de Toermalijnkoppeling",
                           body="tekst")
    services.drain()
    assert {q.id for q in services.similar_questions(member, "toermalijnkoppeling")} == {
        secret.id, hidden.id}
    content.hide_item(make_user(role="moderator"), "question", hidden.id, "test")
    db.session.commit()
    services.drain()
    assert services.similar_questions(None, "toermalijnkoppeling") == []
    assert [q.id for q in services.similar_questions(member, "toermalijnkoppeling")] == [secret.id]
    response = client.get("/vragen/vergelijkbaar", query_string={"titel": "Toermalijnkoppeling"})
    assert response.status_code == 200 and response.json["items"] == []
