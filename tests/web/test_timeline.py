"""The timeline of laws (/wetgeving/tijdlijn) on a fixed day: filters, today, the table view,
the home page's law box and a constant number of SQL statements."""

from __future__ import annotations

from datetime import date

import lxml.html
import pytest

from kde_community.extensions import db
from kde_community.laws.models import InputMoment, Law, LawMilestone, Obligation, Theme
from tests.helpers import count_statements, make_config

TODAY = date(2026, 5, 1)


@pytest.fixture
def app_config(tmp_path):
    return make_config(tmp_path, TODAY=TODAY)


_celex = {"n": 0}


def add_law(slug: str, *, stage: str = "applicable", milestones=(), inputs=(),
            obligations=(), themes=()) -> Law:
    """A law with (kind, date, label) milestones, (title, opens, closes, where) input moments
    and (org types, applies_from) obligations."""
    _celex["n"] += 1
    law = Law(slug=slug, short_name_nl=f"Wet {slug}", short_name_en=f"Act {slug}",
              full_title=f"Verordening {slug}", celex=f"3202{_celex['n']:04d}R0001",
              instrument="regulation", stage=stage)
    law.milestones = [LawMilestone(kind=k, date=d, label=f"{label}", label_en=f"{label} (en)")
                      for k, d, label in milestones]
    law.input_moments = [InputMoment(title=t, title_en=f"{t} (en)", opens=o, closes=c, where=w)
                         for t, o, c, w in inputs]
    law.obligations = [Obligation(key=f"{slug}-{n}", article=f"art. {n}", title=f"Plicht {n}",
                                  applies_to=list(types), applies_from=start)
                       for n, (types, start) in enumerate(obligations, 1)]
    law.themes = list(themes)
    db.session.add(law)
    return law


@pytest.fixture
def world(app):
    ai = Theme(slug="ai", name_nl="Kunstmatige intelligentie", name_en="Artificial intelligence")
    data = Theme(slug="data", name_nl="Data", name_en="Data")
    db.session.add_all([ai, data])
    add_law("open", themes=[ai], obligations=[(["gemeente"], None)],
            milestones=[("entry_into_force", date(2024, 8, 1), "In werking")],
            # closes today: still open
            inputs=[("Consultatie open", date(2026, 4, 20), TODAY,
                     "https://www.internetconsultatie.nl/open")])
    add_law("closed", themes=[data], obligations=[(["provincie"], None)],
            milestones=[("adoption", date(2025, 3, 1), "Vastgesteld")],
            inputs=[("Gisteren gesloten", date(2026, 4, 1), date(2026, 4, 30),
                     "https://ec.europa.eu/info/law/better-regulation/have-your-say/x"),
                    ("Morgen open", date(2026, 5, 2), date(2026, 6, 1),
                     "https://www.europarl.europa.eu/committees/x")])
    add_law("no-close", obligations=[(["waterschap"], None)],
            inputs=[("Open zonder einde", TODAY, None, "https://www.uvw.nl/consultatie")])
    add_law("soon-milestone", milestones=[("application", date(2027, 5, 1), "Over een jaar")])
    add_law("soon-national", milestones=[("national", date(2026, 5, 2), "Morgen")])
    add_law("applies-today", milestones=[("application", TODAY, "Vandaag van toepassing")])
    add_law("too-late", milestones=[("application", date(2027, 5, 2), "Over een jaar en een dag")])
    add_law("obligation-soon", obligations=[(["gemeente"], date(2026, 12, 1))],
            milestones=[("entry_into_force", date(2026, 6, 1), "In werking")])
    add_law("proposal", stage="proposal",
            milestones=[("proposal", date(2025, 11, 19), "Commissievoorstel")])
    db.session.commit()


def cls(name: str) -> str:
    """XPath test for an element with the CSS class `name`."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def law_box(root):
    return root.xpath(f"//*[{cls('law-box')}]")[0]


def page(client, url: str) -> lxml.html.HtmlElement:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return lxml.html.fromstring(response.get_data(as_text=True))


def laws_on(root) -> set[str]:
    links = root.xpath(f"//li[{cls('tl-entry')}]//a[{cls('tl-entry__law')}]")
    return {a.get("href").rsplit("/", 1)[-1] for a in links}


def visual_points(root) -> set[tuple[str, str, str]]:
    return {(li.xpath(".//time")[0].get("datetime"),
             li.xpath(f".//a[{cls('tl-entry__law')}]")[0].get("href"), li.get("data-kind"))
            for li in root.xpath(f"//li[{cls('tl-entry')}]")}


def table_points(root) -> set[tuple[str, str, str]]:
    return {(tr.xpath(".//time")[0].get("datetime"), tr.xpath("./td//a")[0].get("href"),
             tr.get("data-kind"))
            for tr in table_rows(root)}


def table_rows(root) -> list:
    return root.xpath(f"//table[{cls('tl-table')}]/tbody/tr[@data-kind]")


ALL = {"open", "closed", "no-close", "soon-milestone", "soon-national", "applies-today",
       "too-late", "obligation-soon", "proposal"}


def test_all_laws_and_proposals_with_their_milestones_and_input_moments(client, world):
    root = page(client, "/wetgeving/tijdlijn")
    assert laws_on(root) == ALL
    points = visual_points(root)
    assert ("2026-04-20", "/wetgeving/open", "input_opens") in points
    assert ("2026-05-01", "/wetgeving/open", "input_closes") in points
    assert ("2025-11-19", "/wetgeving/proposal", "proposal") in points
    assert len(points) == 15  # 8 milestones, 4 input moments opening, 3 closing
    # grouped by year, each year a heading, each entry dated in words
    assert [h.text_content() for h in root.xpath(f"//section[{cls('tl-year')}]/h2")] == [
        "2024", "2025", "2026", "2027"]
    assert root.xpath(f"//li[{cls('tl-entry')}]/time")[0].text_content() == "1 augustus 2024"
    # where input is given, by the host of its address
    text = root.text_content()
    for channel in ("internetconsultatie.nl", "Europese Commissie (Have your say)",
                    "Europees Parlement", "Unie van Waterschappen"):
        assert channel in text


def test_today_is_marked_before_the_first_entry_from_today(client, world):
    root = page(client, "/wetgeving/tijdlijn")
    skip = root.xpath("//main//a")[0]
    assert skip.text_content() == "Spring naar vandaag" and skip.get("href") == "#vandaag"
    items = root.xpath(f"//section[{cls('tl-year')}]/ol/li")
    marks = [n for n, li in enumerate(items) if li.get("id") == "vandaag"]
    assert len(marks) == 1
    today = items[marks[0]]
    assert "Vandaag" in today.text_content()
    assert today.xpath(".//time")[0].get("datetime") == "2026-05-01"
    before = items[marks[0] - 1].xpath(".//time")[0].get("datetime")
    after = items[marks[0] + 1].xpath(".//time")[0].get("datetime")
    assert before < "2026-05-01" <= after


def test_input_possible_now_lists_exactly_the_laws_with_an_open_input_moment(client, world):
    assert laws_on(page(client, "/wetgeving/tijdlijn?inbreng=1")) == {"open", "no-close"}


def test_applies_within_12_months_lists_exactly_the_laws_starting_within_a_year(client, world):
    # (today, today + 365 days]: tomorrow and exactly a year ahead count, today does not
    assert laws_on(page(client, "/wetgeving/tijdlijn?binnenkort=1")) == {
        "soon-milestone", "soon-national", "obligation-soon"}


def test_filters_by_theme_organisation_type_and_stage(client, world):
    assert laws_on(page(client, "/wetgeving/tijdlijn?thema=ai")) == {"open"}
    # obligations for provinces, and every proposal
    assert laws_on(page(client, "/wetgeving/tijdlijn?voor=provincie")) == {"closed", "proposal"}
    assert laws_on(page(client, "/wetgeving/tijdlijn?fase=pijplijn")) == {"proposal"}
    assert laws_on(page(client, "/wetgeving/tijdlijn?fase=applicable&voor=gemeente")) == {
        "open", "obligation-soon"}
    assert laws_on(page(client, "/wetgeving/tijdlijn?wet=closed")) == {"closed"}
    assert laws_on(page(client, "/wetgeving/tijdlijn?inbreng=1&voor=gemeente")) == {"open"}
    # the filters stay chosen
    root = page(client, "/wetgeving/tijdlijn?thema=ai&inbreng=1")
    assert root.get_element_by_id("tl-thema").value == "ai"
    assert root.get_element_by_id("tl-inbreng").checked


@pytest.mark.parametrize("query, message", [
    ("thema=bestaat-niet", "Onbekend thema ‘bestaat-niet’"),
    ("voor=rijk", "Kies bij ‘Voor’ gemeente, provincie of waterschap"),
    ("fase=klaar", "Onbekende fase ‘klaar’"),
    ("inbreng=misschien", "Gebruik 1 of 0 bij ‘inbreng’"),
    ("binnenkort=%00", "Gebruik 1 of 0 bij ‘binnenkort’"),
    ("wet=" + "x" * 300, "Onbekende wet"),
    ("weergave=grafiek", "Kies als weergave ‘tijdlijn’ of ‘tabel’"),
])
def test_an_unknown_filter_value_is_explained_and_not_applied(client, world, query, message):
    root = page(client, f"/wetgeving/tijdlijn?{query}")
    alert = root.xpath("//*[@role='alert']")
    assert alert and message in alert[0].text_content()
    assert laws_on(root) == ALL


def test_an_unknown_value_does_not_undo_the_other_filters(client, world):
    root = page(client, "/wetgeving/tijdlijn?thema=onbekend&inbreng=1")
    assert root.xpath("//*[@role='alert']")
    assert laws_on(root) == {"open", "no-close"}


@pytest.mark.parametrize("query", ["", "?inbreng=1", "?voor=gemeente&binnenkort=1",
                                   "?lang=en"])
def test_the_table_lists_the_same_milestones_and_input_moments(client, world, query):
    visual = visual_points(page(client, f"/wetgeving/tijdlijn{query}"))
    sep = "&" if query else "?"
    table_root = page(client, f"/wetgeving/tijdlijn{query}{sep}weergave=tabel")
    assert table_root.xpath(f"//table[{cls('tl-table')}]/caption")
    assert visual and table_points(table_root) == visual
    assert len(table_rows(table_root)) == len(visual)  # each once
    assert len(table_root.xpath("//*[@id='vandaag']")) == 1


def test_english_labels_and_titles_with_lang_en(client, world):
    root = page(client, "/wetgeving/tijdlijn?lang=en")
    text = root.text_content()
    assert "Act open" in text and "Wet open" not in text
    assert "Consultatie open (en)" in text
    assert "In werking (en)" in text


def test_feeds_are_announced_for_the_current_filters(client, world):
    root = page(client, "/wetgeving/tijdlijn?thema=ai&voor=gemeente")
    calendar = root.xpath("//head/link[@rel='alternate'][@type='text/calendar']")
    assert calendar and calendar[0].get("href") == "/wetgeving/tijdlijn.ics?thema=ai&voor=gemeente"
    atom = root.xpath("//head/link[@rel='alternate'][@type='application/atom+xml']")
    assert atom and atom[0].get("href") == "/wetgeving/wijzigingen.atom"
    visible = [a for a in root.xpath("//main//a") if a.text_content() == "Agenda (iCalendar)"]
    assert visible and visible[0].get("href") == calendar[0].get("href")
    root = page(client, "/wetgeving/tijdlijn?lang=en")
    assert root.xpath("//link[@type='text/calendar']")[0].get("href").endswith("lang=en")


def test_pipeline_and_applies_soon_overview(client, world):
    root = page(client, "/wetgeving/tijdlijn")
    overview = root.xpath(f"//*[{cls('tl-overview')}]")[0]
    parts = overview.xpath(f".//*[{cls('tl-overview__part')}]")
    assert [a.get("href") for a in parts[0].xpath(".//a")] == ["/wetgeving/proposal"]
    assert [a.get("href") for a in parts[1].xpath(".//a")] == [
        "/wetgeving/soon-national", "/wetgeving/obligation-soon", "/wetgeving/soon-milestone"]
    assert {a.get("href") for a in parts[2].xpath(".//a")} == {"/wetgeving/open",
                                                                "/wetgeving/no-close"}


def test_an_empty_result_says_so(client, world):
    root = page(client, "/wetgeving/tijdlijn?thema=data&fase=pijplijn")
    assert "Geen wetten of voorstellen met deze filters." in root.text_content()
    assert root.xpath("//*[@id='vandaag']")  # the skip link still lands somewhere


def test_statement_count_does_not_grow_with_laws(app, client, world):
    counts = []
    for n in (0, 8):
        for i in range(n):
            add_law(f"extra-{n}-{i}", obligations=[(["gemeente"], date(2026, 9, 1))],
                    themes=list(db.session.scalars(db.select(Theme))),
                    milestones=[("application", date(2026, 9, 1), "x")],
                    inputs=[("y", TODAY, None, "https://www.vng.nl/x")])
        db.session.commit()
        counts.append((count_statements(lambda: client.get("/wetgeving/tijdlijn")),
                       count_statements(lambda: client.get("/wetgeving/tijdlijn?weergave=tabel")),
                       count_statements(lambda: client.get("/wetgeving/tijdlijn.ics")),
                       count_statements(lambda: client.get("/"))))
    assert counts[0] == counts[1], counts


# --- the home page's law box ----------------------------------------------------------------

def test_home_shows_open_input_moments_and_links_to_the_timeline(client, world):
    root = page(client, "/")
    box = law_box(root)
    text = box.text_content()
    assert "Nu inbreng mogelijk" in text
    assert "Consultatie open" in text and "Open zonder einde" in text
    assert "Morgen open" not in text and "geen consultatie open" not in text
    assert any(a.get("href") == "/wetgeving/tijdlijn" for a in box.xpath(".//a"))
    assert "Morgen" in text  # the next milestone (soon-national, tomorrow)


def test_home_shows_the_next_input_moments_when_none_is_open(app, client, world):
    app.config["TODAY"] = date(2026, 3, 15)
    text = law_box(page(client, "/")).text_content()
    assert "Binnenkort inbreng mogelijk" in text and "Nu inbreng mogelijk" not in text
    assert "Gisteren gesloten" in text and "1 april 2026" in text
    assert "Consultatie open" in text and "20 april 2026" in text
    app.config["TODAY"] = date(2026, 7, 1)
    text = law_box(page(client, "/")).text_content()
    assert "Nu inbreng mogelijk" in text and "Open zonder einde" in text  # no closing date
    assert "Consultatie open" not in text


def test_home_counts_adopted_laws_and_proposals_apart(client, world):
    from kde_community.laws.models import PIPELINE_STAGES

    laws = db.session.query(Law).all()
    proposals = sum(1 for law in laws if law.stage in PIPELINE_STAGES)
    assert proposals and proposals < len(laws)
    html = client.get("/").get_data(as_text=True)
    assert f"{len(laws) - proposals} Europese wetten met" in html
    assert f"en {proposals} voorstellen in de pijplijn" in html
