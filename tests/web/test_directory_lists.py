"""The directory list (/organisaties), the peer finder pages and the frontrunner links on the
law pages."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import event

from kde_community.directory.models import FrontrunnerTopic
from kde_community.extensions import db
from kde_community.laws.models import Theme
from tests.helpers import commit, login


def names(html: str) -> list[str]:
    """Organisation names in the table, in order."""
    body = html.split("<tbody", 1)[1] if "<tbody" in html else ""
    return re.findall(r'<td class="utrecht-table__cell"><a class="utrecht-link" '
                      r'href="/organisaties/[^"]+">([^<]+)</a>', body)


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return unescape(response.get_data(as_text=True))


def add_topic(org, **subject):
    topic = FrontrunnerTopic(organisation=org, summary="Zo deden wij het.",
                             open_to_collaboration=subject.pop("open_", True), **subject)
    db.session.add(topic)
    commit()
    return topic


@pytest.fixture
def directory(make_org, make_law):
    ai = Theme(slug="ai", name_nl="Kunstmatige intelligentie", name_en="Artificial intelligence")
    privacy = Theme(slug="privacy", name_nl="Privacy", name_en="Privacy")
    db.session.add_all([ai, privacy])
    law = make_law()
    law.themes = [ai]
    other_law = make_law(slug="gdpr", name="AVG", celex="32016R0679")
    commit()
    orgs = {
        "klein": make_org(slug="klein", name="Gemeente Klein", inhabitants=3_000, area_km2=30,
                          province="Fryslân"),
        "midden": make_org(slug="midden", name="Gemeente Midden", inhabitants=40_000,
                           area_km2=80, province="Utrecht"),
        "groot": make_org(slug="groot", name="Gemeente Groot", inhabitants=300_000,
                          area_km2=100, province="Noord-Holland"),
        "prov": make_org(slug="prov", name="Provincie Test", type="provincie",
                         inhabitants=1_000_000, area_km2=3_000, province="Utrecht"),
        "water": make_org(slug="water", name="Waterschap Test", type="waterschap",
                          inhabitants=None, province="Utrecht"),
    }
    add_topic(orgs["groot"], obligation=law.obligations[0])
    add_topic(orgs["midden"], law=law, open_=False)
    add_topic(orgs["prov"], theme=privacy)
    add_topic(orgs["klein"], law=other_law, deleted_at=None)
    return {"orgs": orgs, "law": law, "other_law": other_law, "ai": ai, "privacy": privacy}


def test_filters_by_type_province_size_and_name(client, directory):
    assert names(page(client, "/organisaties?type=gemeente")) == [
        "Gemeente Groot", "Gemeente Klein", "Gemeente Midden"]
    assert names(page(client, "/organisaties?province=Utrecht")) == [
        "Gemeente Midden", "Provincie Test", "Waterschap Test"]
    assert names(page(client, "/organisaties?provincie=Utrecht&type=gemeente")) == [
        "Gemeente Midden"]
    assert names(page(client, "/organisaties?grootte=tot-5k")) == ["Gemeente Klein"]
    assert names(page(client, "/organisaties?grootte=vanaf-250k")) == [
        "Gemeente Groot", "Provincie Test"]
    assert names(page(client, "/organisaties?min_inhabitants=10000&max_inhabitants=500000")) == [
        "Gemeente Groot", "Gemeente Midden"]
    assert names(page(client, "/organisaties?q=midd")) == ["Gemeente Midden"]
    assert names(page(client, "/organisaties?q=%25")) == []  # LIKE wildcards are literal


def test_frontrunner_filters_on_law_obligation_and_theme(client, directory):
    law, obligation = directory["law"], directory["law"].obligations[0]
    # A law matches topics on the law and on its obligations.
    assert names(page(client, f"/organisaties?voorloper=1&wet={law.slug}")) == [
        "Gemeente Groot", "Gemeente Midden"]
    # Open to collaboration: Midden's topic is not.
    html = page(client, f"/organisaties?voorloper=1&open=1&wet={law.slug}")
    assert names(html) == ["Gemeente Groot"]
    assert "voorlopers op AI-verordening, open voor samenwerking" in html
    assert "AI-verordening art. 4: Verplichting 4" in html and "open voor samenwerking</span>" in html
    assert names(page(client, f"/organisaties?voorloper=1&verplichting={obligation.id}")) == [
        "Gemeente Groot"]
    # A theme matches topics on the theme and on laws (and obligations) of that theme.
    assert names(page(client, "/organisaties?voorloper=1&thema=ai")) == [
        "Gemeente Groot", "Gemeente Midden"]
    assert names(page(client, "/organisaties?voorloper=1&theme=privacy")) == ["Provincie Test"]
    # Without a subject: any live topic; open=1 alone implies it.
    assert names(page(client, "/organisaties?voorloper=1")) == [
        "Gemeente Groot", "Gemeente Klein", "Gemeente Midden", "Provincie Test"]
    assert names(page(client, "/organisaties?open=1")) == [
        "Gemeente Groot", "Gemeente Klein", "Provincie Test"]
    # A removed topic no longer counts.
    topic = directory["orgs"]["prov"].frontrunner_topics[0]
    from kde_community.dbtypes import utcnow

    topic.deleted_at = utcnow()
    commit()
    assert names(page(client, "/organisaties?voorloper=1&thema=privacy")) == []


def test_theme_alone_finds_organisations_working_on_it(client, directory, make_user,
                                                        make_question):
    orgs = directory["orgs"]
    make_question(author=make_user(org=orgs["klein"]), themes=["privacy"])
    make_question(author=make_user(org=orgs["water"]), title="Besloten vraag over privacy",
                  themes=["privacy"], visibility="members")
    # Klein asked in public; Provincie Test is a frontrunner; the water board's question is
    # for members only.
    assert names(page(client, "/organisaties?thema=privacy")) == [
        "Gemeente Klein", "Provincie Test"]


def test_sorting_with_aria_sort(client, directory):
    html = page(client, "/organisaties?sorteer=inwoners&richting=af")
    assert names(html) == ["Provincie Test", "Gemeente Groot", "Gemeente Midden",
                           "Gemeente Klein", "Waterschap Test"]  # unknown last
    header = re.search(r'<th[^>]*aria-sort="descending"[^>]*>(.*?)</th>', html, re.S)
    assert header and "Inwoners" in header.group(1)
    assert html.count("aria-sort=") == 1
    # The sorted column's link turns the order round; others start ascending.
    links = dict(re.findall(r'href="(/organisaties\?[^"]*sorteer=(\w+)[^"]*)"', html)[i][::-1]
                 for i in range(3))
    assert parse_qs(urlsplit(links["inwoners"]).query)["richting"] == ["op"]
    assert parse_qs(urlsplit(links["naam"]).query)["richting"] == ["op"]
    assert names(page(client, "/organisaties?sorteer=oppervlakte&richting=op")) == [
        "Gemeente Klein", "Gemeente Midden", "Gemeente Groot", "Provincie Test",
        "Waterschap Test"]
    default = page(client, "/organisaties")
    assert re.search(r'<th[^>]*aria-sort="ascending"[^>]*>\s*<a[^>]*sorteer=naam', default)
    assert "<caption" in default and 'scope="col"' in default


@pytest.mark.parametrize(("query", "message", "expected"), [
    ("min_inhabitants=-5", "Geef een heel getal van 0 of hoger.", None),
    ("max_inhabitants=veel", "Geef een heel getal van 0 of hoger.", None),
    ("min_inhabitants=99999999999999999999999", "Geef een heel getal van 0 of hoger.", None),
    ("min_inhabitants=50000&max_inhabitants=10", "Het maximum is kleiner dan het minimum.",
     ["Gemeente Groot", "Provincie Test"]),
    ("province=Atlantis&type=gemeente", "Onbekende provincie.",
     ["Gemeente Groot", "Gemeente Klein", "Gemeente Midden"]),
    ("type=bakkerij", "Onbekend soort organisatie.", None),
    ("grootte=reusachtig", "Onbekende grootteklasse.", None),
    ("thema=bestaat-niet&type=provincie", "Onbekend thema.", ["Provincie Test"]),
    ("wet=bestaat-niet", "Onbekende wet.", None),
    ("verplichting=-1", "Onbekende verplichting.", None),
    ("verplichting=999999", "Onbekende verplichting.", None),
    ("voorloper=misschien", "Kies ja of nee.", None),
    ("sorteer=kleur", "Onbekende sortering.", None),
    ("richting=omhoog", "Kies oplopend of aflopend.", None),
    ("page=0", "Geef een paginanummer van 1 of hoger.", None),
    ("q=" + "x" * 201, "Gebruik hoogstens 200 tekens.", None),
    ("thema=%00", "Onbekend thema.", None),
    ("wet=AI%00act", "Onbekende wet.", None),
    ("q=a%00b", "Deze tekst bevat tekens die niet zijn toegestaan.", None),
])
def test_bad_filter_values_are_named_and_left_out(client, directory, query, message, expected):
    everyone = ["Gemeente Groot", "Gemeente Klein", "Gemeente Midden", "Provincie Test",
                "Waterschap Test"]
    html = page(client, f"/organisaties?{query}")
    assert message in html
    assert 'role="alert"' in html
    if not re.match(r"(min_|max_)inhabitants|page|sorteer|richting", query):  # no field of its own
        assert 'aria-invalid="true"' in html
    assert names(html) == (expected or everyone)


def test_error_is_beside_its_filter(client, directory):
    html = page(client, "/organisaties?province=Atlantis")
    field = re.search(r'<select[^>]*id="filter-province"[^>]*>', html).group(0)
    assert 'aria-describedby="filter-province-error"' in field
    assert re.search(r'id="filter-province-error">Onbekende provincie\.</p>', html)


def test_statement_count_does_not_grow_with_the_organisations(app, client, make_org, make_law):
    law = make_law()

    def statements(url: str) -> int:
        seen = []

        def before(conn, cursor, statement, *args):
            seen.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            assert client.get(url).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", before)
        return len(seen)

    def grow(n: int) -> None:
        for i in range(n):
            org = make_org(inhabitants=1_000 * (i + 1), area_km2=10 + i)
            add_topic(org, law=law if i % 2 else None, obligation=None if i % 2
                      else law.obligations[i % 3], open_=bool(i % 3))

    urls = ["/organisaties?per_page=100", f"/organisaties?voorloper=1&wet={law.slug}&per_page=100",
            "/organisaties?thema=ai&sorteer=inwoners&richting=af"]
    grow(20)
    few = [statements(url) for url in urls]
    grow(40)
    assert [statements(url) for url in urls] == few


def test_law_pages_link_to_frontrunners(client, directory):
    law, obligation = directory["law"], directory["law"].obligations[0]

    def link_queries(html: str) -> list[dict]:
        return [parse_qs(urlsplit(unescape(href)).query)
                for href in re.findall(r'href="(/organisaties\?[^"]+)"', html)]

    found = link_queries(page(client, f"/wetgeving/{law.slug}"))
    assert {"voorloper": ["1"], "open": ["1"], "wet": [law.slug]} in found
    assert {"voorloper": ["1"], "open": ["1"], "verplichting": [str(obligation.id)]} in found
    assert {"voorloper": ["1"], "open": ["1"], "thema": ["ai"]} in found
    assert {"voorloper": ["1"], "open": ["1"], "thema": ["ai"]} in link_queries(
        page(client, "/wetgeving?thema=ai"))
    # And each link shows the frontrunners it promises.
    assert names(page(client, f"/organisaties?voorloper=1&open=1&verplichting={obligation.id}")) \
        == ["Gemeente Groot"]


# --- the peer finder pages ---------------------------------------------------------------------

def test_visitor_gets_the_picker_and_a_member_their_own_organisation(client, directory,
                                                                     make_user):
    html = page(client, "/organisaties/zoals-de-mijne")
    assert "Organisaties zoals de mijne" in html
    assert '<optgroup label="Gemeente">' in html and '<optgroup label="Waterschap">' in html
    assert '<label class="utrecht-form-label" for="peer-organisatie">' in html
    response = client.get("/organisaties/zoals-de-mijne?organisatie=midden&thema=ai")
    assert response.status_code == 302
    assert response.headers["Location"] == "/organisaties/midden/vergelijkbaar?thema=ai"
    html = page(client, "/organisaties/zoals-de-mijne?organisatie=bestaat-niet")
    assert "Onbekende organisatie." in html
    login(client, make_user(org=directory["orgs"]["klein"]).email)
    response = client.get("/organisaties/zoals-de-mijne")
    assert response.status_code == 302
    assert response.headers["Location"] == "/organisaties/klein/vergelijkbaar"


def test_peer_page_lists_peers_with_reasons_and_frontrunners(client, directory):
    html = page(client, "/organisaties/klein/vergelijkbaar")
    assert "Organisaties zoals Gemeente Klein" in html
    assert re.findall(r'<h3 class="utrecht-heading-3 peer__name"><a[^>]*>([^<]+)</a>', html) == [
        "Gemeente Midden", "Gemeente Groot"]  # municipalities only, nearest size first
    assert "ook een gemeente" in html
    assert "één grootteklasse groter" not in html  # 3,000 against 40,000: three classes
    assert "3 grootteklassen groter: 20.000–50.000 inwoners (Gemeente Midden: 40.000)" in html
    html = page(client, f"/organisaties/klein/vergelijkbaar?wet={directory['law'].slug}")
    assert re.findall(r'<h3 class="utrecht-heading-3 peer__name"><a[^>]*>([^<]+)</a>', html) == [
        "Gemeente Midden", "Gemeente Groot"]  # both frontrunners: then the nearest size first
    assert "voorloper op AI-verordening art. 4: Verplichting 4, open voor samenwerking" in html
    assert "open voor samenwerking</span>" in html
    english = page(client, "/organisaties/klein/vergelijkbaar?lang=en")
    assert "also a municipality" in english


def test_peer_page_bad_input(client, directory):
    page(client, "/organisaties/bestaat-niet/vergelijkbaar", 404)
    page(client, "/organisaties/a%00b/vergelijkbaar", 404)
    assert "Onbekende organisatie." in page(client, "/organisaties/zoals-de-mijne?organisatie=%00")
    html = page(client, "/organisaties/klein/vergelijkbaar?thema=onbekend&wet=ook-niet")
    assert "Onbekend thema." in html and "Onbekende wet." in html
    assert "Gemeente Midden" in html  # the finder still answers, without the subject
    html = page(client, "/organisaties/klein/vergelijkbaar?verplichting=abc")
    assert "Onbekende verplichting." in html
