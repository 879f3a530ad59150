"""Public Atom feeds (issue 13, point 5): new questions and practices, per content type, law,
theme and organisation. Every feed validates, is announced on its page, holds only what a
visitor without an account may see (an anonymous practice names neither its writer nor its
organisation), answers 404 for an unknown subject and costs a constant number of statements."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import feedparser
import pytest

from kde_community.clauses import services as clause_services
from kde_community.content import services as content
from kde_community.extensions import db
from kde_community.laws.models import Theme
from kde_community.practices import services as practice_services
from kde_community.questions import services as question_services
from tests.helpers import commit, count_statements

BASE = "http://127.0.0.1:5000"  # KDE_BASE_URL of make_config
START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
SECRET_NAME = "Bert Verborgen"
SECRET_ORG = "Gemeente Zwijgzaam"
SECRET_SLUG = "zwijgzaam"
# Titles nobody without an account may ever read in a feed.
PRIVATE_TITLES = ("Ledenvraag over algoritmes", "Verborgen vraag over algoritmes",
                  "Verwijderde vraag over algoritmes", "Ledenpraktijk over algoritmes",
                  "Organisatiepraktijk over algoritmes", "Verborgen praktijk over algoritmes",
                  "Verwijderde praktijk over algoritmes", "Leden-inkoopset voor algoritmes",
                  "Deelnemers-inkoopset voor algoritmes")


class World:
    """Names of what was made, in the order it was made (oldest first)."""

    def __init__(self):
        self.made: list[object] = []


@pytest.fixture
def world(app, make_org, make_user, make_law, make_question, make_practice):
    db.session.add_all([Theme(slug="ai", name_nl="Kunstmatige intelligentie", name_en="AI"),
                        Theme(slug="privacy", name_nl="Privacy", name_en="Privacy")])
    ai_act = make_law()
    make_law(slug="nis2", name="NIS2-richtlijn", celex="32022L2555")
    art4 = ai_act.obligations[0]
    open_org = make_org(slug="open", name="Gemeente Openheid")
    secret_org = make_org(slug=SECRET_SLUG, name=SECRET_ORG, inhabitants=12_000)
    alice = make_user(org=open_org, name="Alice Open")
    bert = make_user(org=secret_org, name=SECRET_NAME)
    moderator = make_user(org=open_org, name="Mo Derator", role="moderator")
    w = World()
    w.ai_act, w.art4, w.alice, w.bert = ai_act, art4, alice, bert
    tags = {"laws": ["ai-act"], "themes": ["ai"]}

    def question(title, **data):
        w.made.append(make_question(alice, title=title, body=f"{title}: onze aanpak.", **data))
        return w.made[-1]

    def practice(title, author=alice, **data):
        w.made.append(make_practice(author, title=title, summary=f"{title}: zo deden wij het.",
                                    **data))
        return w.made[-1]

    question("Openbare vraag over algoritmes", visibility="public", **tags)
    question("Vraag over artikel 4", visibility="public", obligations=[art4.id])
    question("Vraag over NIS2", visibility="public", laws=["nis2"], themes=["privacy"])
    question("Ledenvraag over algoritmes", visibility="members", **tags)
    hidden_q = question("Verborgen vraag over algoritmes", visibility="public", **tags)
    deleted_q = question("Verwijderde vraag over algoritmes", visibility="public", **tags)
    practice("Openbare praktijk over algoritmes", visibility="public", **tags)
    practice("Anonieme praktijk over algoritmes", author=bert, visibility="public",
             anonymous=True, **tags)
    practice("Ledenpraktijk over algoritmes", visibility="members", **tags)
    practice("Organisatiepraktijk over algoritmes", visibility="organisation", **tags)
    hidden_p = practice("Verborgen praktijk over algoritmes", visibility="public", **tags)
    deleted_p = practice("Verwijderde praktijk over algoritmes", visibility="public", **tags)
    for visibility, title in (("public", "Openbare inkoopset voor algoritmes"),
                              ("members", "Leden-inkoopset voor algoritmes"),
                              ("participants", "Deelnemers-inkoopset voor algoritmes")):
        clause_set = clause_services.create_set(alice, {"title": title, "visibility": visibility,
                                                        "purpose": f"{title}: bepalingen."})
        clause_services.add_clause(alice, clause_set, {
            "heading": "AI-geletterdheid", "text": "De leverancier traint.",
            "obligations": [art4.id]})
        w.made.append(clause_set)
    content.hide_item(moderator, "question", hidden_q.id, "Spam")
    content.hide_item(moderator, "practice", hidden_p.id, "Spam")
    question_services.delete_own_post(alice, deleted_q)
    practice_services.delete_practice(alice, deleted_p)
    for n, item in enumerate(w.made):  # one minute apart, in the order made
        item.created_at = START + timedelta(minutes=n)
    commit()
    return w


def parse(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, (url, feed.get("bozo_exception"))
    return feed, response.get_data(as_text=True)


def titles(feed) -> list[str]:
    return [e.title.split(": ", 1)[1] for e in feed.entries]


# Newest first: what each feed must hold, and nothing else.
EXPECTED = {
    "/feeds/nieuw.atom": ["Anonieme praktijk over algoritmes", "Openbare praktijk over algoritmes",
                          "Vraag over NIS2", "Vraag over artikel 4",
                          "Openbare vraag over algoritmes"],
    "/vragen/feed.atom": ["Vraag over NIS2", "Vraag over artikel 4",
                          "Openbare vraag over algoritmes"],
    "/praktijken/feed.atom": ["Anonieme praktijk over algoritmes",
                              "Openbare praktijk over algoritmes"],
    "/wetgeving/ai-act/feed.atom": ["Openbare inkoopset voor algoritmes",
                                    "Anonieme praktijk over algoritmes",
                                    "Openbare praktijk over algoritmes", "Vraag over artikel 4",
                                    "Openbare vraag over algoritmes"],
    "/wetgeving/nis2/feed.atom": ["Vraag over NIS2"],
    "/inkoopvoorwaarden/feed.atom": ["Openbare inkoopset voor algoritmes"],
    "/feeds/thema/ai.atom": ["Anonieme praktijk over algoritmes",
                             "Openbare praktijk over algoritmes",
                             "Openbare vraag over algoritmes"],
    "/feeds/thema/privacy.atom": ["Vraag over NIS2"],
    "/organisaties/open/feed.atom": ["Openbare inkoopset voor algoritmes",
                                     "Openbare praktijk over algoritmes", "Vraag over NIS2",
                                     "Vraag over artikel 4", "Openbare vraag over algoritmes"],
    f"/organisaties/{SECRET_SLUG}/feed.atom": [],
}


@pytest.mark.parametrize("url", EXPECTED)
def test_each_feed_validates_and_holds_only_public_content_newest_first(client, world, url):
    feed, xml = parse(client, url)
    assert titles(feed) == EXPECTED[url]
    for private in PRIVATE_TITLES:
        assert private not in xml
    # The anonymous practice names neither its writer nor its organisation, in any feed.
    secrets = [SECRET_NAME, world.bert.email, "12.000", "inwoners"]
    if SECRET_SLUG not in url:  # the organisation's own (empty) feed names it, of course
        secrets += [SECRET_ORG, SECRET_SLUG]
    for secret in secrets:
        assert secret not in xml, (url, secret)
    assert feed.feed.links[1].href.startswith(BASE + url.split("?")[0])
    assert feed.feed.id == BASE + url


def test_entries_carry_an_absolute_link_an_author_a_plain_summary_and_an_utc_time(client, world):
    feed, _xml = parse(client, "/wetgeving/ai-act/feed.atom")
    by_title = {e.title: e for e in feed.entries}
    q = by_title["Vraag: Openbare vraag over algoritmes"]
    question = world.made[0]
    assert q.link == q.id == f"{BASE}/vragen/{question.id}"
    assert q.author == "Alice Open, Gemeente Openheid"
    assert q.summary == "Openbare vraag over algoritmes: onze aanpak."
    assert q.updated == "2026-03-01T09:00:00Z"
    anonymous = by_title["Praktijk: Anonieme praktijk over algoritmes"]
    assert anonymous.author == "Anoniem"
    assert re.fullmatch(rf"{BASE}/praktijken/\d+", anonymous.link)
    clause_set = by_title["Inkoopvoorwaarden: Openbare inkoopset voor algoritmes"]
    assert clause_set.author == "Gemeente Openheid"
    assert re.fullmatch(rf"{BASE}/inkoopvoorwaarden/\d+", clause_set.link)
    assert len({e.id for e in feed.entries}) == len(feed.entries)
    # Every link opens for a visitor without an account.
    for entry in feed.entries:
        assert client.get(entry.link.removeprefix(BASE)).status_code == 200, entry.link


def test_a_feed_in_english_says_so(client, world):
    feed, _xml = parse(client, "/feeds/nieuw.atom?lang=en")
    assert feed.feed.language == "en"
    assert feed.feed.id == f"{BASE}/feeds/nieuw.atom"  # one feed, whatever the language
    assert len(feed.entries) == len(EXPECTED["/feeds/nieuw.atom"])


ANNOUNCED = {
    "/": ["/feeds/nieuw.atom"],
    "/vragen": ["/vragen/feed.atom", "/feeds/nieuw.atom"],
    "/praktijken": ["/praktijken/feed.atom", "/feeds/nieuw.atom"],
    "/vragen?thema=ai&wet=ai-act": ["/vragen/feed.atom", "/feeds/thema/ai.atom",
                                    "/wetgeving/ai-act/feed.atom"],
    "/praktijken?thema=privacy": ["/praktijken/feed.atom", "/feeds/thema/privacy.atom"],
    "/wetgeving/ai-act": ["/wetgeving/ai-act/feed.atom"],
    "/wetgeving/ai-act/verplichtingen/ai-act-art-4": ["/wetgeving/ai-act/feed.atom"],
    "/organisaties/open": ["/organisaties/open/feed.atom"],
    "/inkoopvoorwaarden": ["/inkoopvoorwaarden/feed.atom"],
}
ATOM_LINK = re.compile(r'<link rel="alternate" type="application/atom\+xml" href="([^"]+)" '
                       r'title="[^"]+">')


@pytest.mark.parametrize("page", ANNOUNCED)
def test_pages_announce_their_feeds_in_the_head(client, world, page):
    html = client.get(page).get_data(as_text=True)
    head = html.split("</head>")[0]
    announced = ATOM_LINK.findall(head)
    for url in ANNOUNCED[page]:
        assert url in announced, (page, announced)
    for url in announced:
        parse(client, url)


def test_a_list_filtered_by_an_unknown_theme_announces_no_theme_feed(client, world):
    html = client.get("/vragen?thema=bestaat-niet").get_data(as_text=True)
    assert "/feeds/thema/" not in html


@pytest.mark.parametrize("url", ["/wetgeving/bestaat-niet/feed.atom",
                                 "/feeds/thema/bestaat-niet.atom",
                                 "/organisaties/bestaat-niet/feed.atom",
                                 "/feeds/thema/%00.atom", "/organisaties/%27%22/feed.atom"])
def test_unknown_subjects_are_404(client, world, url):
    assert client.get(url).status_code == 404


def test_a_feed_holds_the_newest_50(client, world, monkeypatch):
    from kde_community.notifications import feeds

    monkeypatch.setattr(feeds, "FEED_SIZE", 2)
    feed, _xml = parse(client, "/feeds/nieuw.atom")
    assert titles(feed) == EXPECTED["/feeds/nieuw.atom"][:2]
    monkeypatch.undo()
    assert feeds.FEED_SIZE == 50


def test_feeds_send_a_constant_number_of_statements(client, world, make_user, make_question,
                                                    make_practice):
    urls = list(EXPECTED)

    def counts():
        return [count_statements(lambda u=u: client.get(u)) for u in urls]

    before = counts()
    for n in range(6):  # each by another member of another organisation
        make_question(make_user(), title=f"Nog een openbare vraag {n}", laws=["ai-act"],
                      themes=["ai"])
        make_practice(make_user(), title=f"Nog een openbare praktijk {n}", laws=["ai-act"],
                      themes=["ai"])
        make_practice(make_user(), title=f"Nog een anonieme praktijk {n}", anonymous=True,
                      laws=["ai-act"])
        lead = make_user()
        clause_set = clause_services.create_set(lead, {"title": f"Nog een inkoopset {n}",
                                                       "visibility": "public"})
        clause_services.add_clause(lead, clause_set, {"heading": "Bepaling", "text": "Tekst.",
                                                      "obligations": [world.art4.id]})
    commit()
    db.session.expunge_all()
    assert len(parse(client, "/wetgeving/ai-act/feed.atom")[0].entries) == 5 + 24
    assert counts() == before
