"""The law feeds: the iCalendar feed of milestones and input moments (each once, stable UIDs,
per law, theme and organisation type) and the Atom feed of changes to laws and obligations;
the Atom writer itself; the pure timeline rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import feedparser
import pytest
from icalendar import Calendar

from kde_community.extensions import db
from kde_community.feeds import AtomEntry, atom_feed
from kde_community.laws import services as laws
from kde_community.laws import timeline
from kde_community.laws.models import InputMoment, LawMilestone, Theme
from tests.helpers import count_statements, make_config

EURLEX = "https://eur-lex.europa.eu/legal-content/NL/TXT/?uri=CELEX:"
TODAY = date(2026, 5, 1)


@pytest.fixture
def app_config(tmp_path):
    return make_config(tmp_path, TODAY=TODAY)


def law_values(slug: str, celex: str, **overrides) -> dict:
    return {
        "slug": slug, "short_name_nl": f"Wet {slug}", "short_name_en": f"Act {slug}",
        "aliases": [], "abbreviations": [], "full_title": f"Verordening {slug}",
        "celex": celex, "instrument": "regulation", "stage": "applicable", "stage_note": "",
        "summary": "", "summary_en": "", "dutch_implementation": "",
        "dutch_implementation_en": "", "themes": [], "amends": [], "repeals": [],
        "related": [], "sources": [EURLEX + celex], "checked_on": date(2026, 4, 1),
        "milestones": [], "input_moments": [], **overrides,
    }


def obligation_values(key: str, **overrides) -> dict:
    return {
        "key": key, "article": "art. 4", "title": "Zorg voor AI-geletterdheid",
        "title_en": "Ensure AI literacy", "description": "", "description_en": "",
        "role": "direct", "addressee": "deployers", "applies_to": ["gemeente"],
        "applies_from": date(2025, 2, 2), "applies_condition": "", "responsible_roles": [],
        "sources": [EURLEX + "32024R1689"], "checked_on": date(2026, 4, 1), **overrides,
    }


M = laws.MilestoneValue
I = laws.InputValue  # noqa: E741


@pytest.fixture
def editor(make_user):
    return make_user(role="editor")


@pytest.fixture
def world(app, editor):
    db.session.add_all([Theme(slug="ai", name_nl="AI", name_en="AI"),
                        Theme(slug="data", name_nl="Data", name_en="Data")])
    db.session.flush()
    ai, _, _ = laws.save_law(editor, None, law_values("ai", "32024R1689", themes=["ai"], milestones=[
        M("entry_into_force", date(2024, 8, 1), "In werking", "In force"),
        M("application", date(2026, 8, 2), "Van toepassing", "Applies"),
        # two milestones on one day: still two events
        M("review", date(2026, 8, 2), "Evaluatie", "Review"),
    ], input_moments=[
        I("Internetconsultatie", "Internet consultation", date(2026, 4, 20), date(2026, 6, 1),
          "https://www.internetconsultatie.nl/uaiv"),
        I("Open einde", "Open end", date(2026, 9, 1), None, ""),
    ]), reason="nieuw")
    laws.save_obligation(editor, ai, None, obligation_values("ai-art-4"), reason="nieuw")
    data, _, _ = laws.save_law(editor, None, law_values(
        "data", "32023R2854", themes=["data"],
        milestones=[M("application", date(2025, 9, 12), "", "")]), reason="nieuw")
    laws.save_obligation(editor, data, None, obligation_values(
        "data-art-1", applies_to=["provincie"]), reason="nieuw")
    db.session.commit()
    return ai, data


def calendar(client, url: str = "/wetgeving/tijdlijn.ics") -> Calendar:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.data)


def events(cal: Calendar) -> dict[str, object]:
    found = [e for e in cal.walk("VEVENT")]
    uids = [str(e["UID"]) for e in found]
    assert len(uids) == len(set(uids)), uids  # each exactly once
    return dict(zip(uids, found, strict=True))


def expected_uids(*law_objs) -> set[str]:
    return ({f"milestone-{m.id}@kde-community" for law in law_objs for m in law.milestones}
            | {f"input-{i.id}@kde-community" for law in law_objs for i in law.input_moments})


# --- iCalendar ------------------------------------------------------------------------------

def test_the_calendar_holds_each_milestone_and_input_moment_once(client, world):
    ai, data = world
    found = events(calendar(client))
    assert set(found) == expected_uids(ai, data)
    assert len(found) == db.session.query(LawMilestone).count() + db.session.query(
        InputMoment).count() == 6
    application = next(m for m in ai.milestones if m.kind == "application")
    event = found[f"milestone-{application.id}@kde-community"]
    assert event.decoded("DTSTART") == date(2026, 8, 2)  # all-day
    assert event.decoded("DTEND") == date(2026, 8, 3)
    assert str(event["SUMMARY"]) == "Wet ai: Van toepassing — Van toepassing"
    assert str(event["URL"]).endswith("/wetgeving/ai")
    assert "Stand van zaken: Van toepassing." in str(event["DESCRIPTION"])
    unlabelled = found[f"milestone-{data.milestones[0].id}@kde-community"]
    assert str(unlabelled["SUMMARY"]) == "Wet data: Van toepassing"
    consultation = next(i for i in ai.input_moments if i.closes)
    event = found[f"input-{consultation.id}@kde-community"]
    assert event.decoded("DTSTART") == date(2026, 4, 20)
    assert event.decoded("DTEND") == date(2026, 6, 2)  # the closing day included
    assert str(event["SUMMARY"]) == "Wet ai: Inbreng — Internetconsultatie"
    assert "internetconsultatie.nl" in str(event["DESCRIPTION"])
    open_end = next(i for i in ai.input_moments if i.closes is None)
    assert found[f"input-{open_end.id}@kde-community"].decoded("DTEND") == date(2026, 9, 2)


def test_a_calendar_per_law_theme_and_organisation_type(client, world):
    ai, data = world
    assert set(events(calendar(client, "/wetgeving/tijdlijn.ics?wet=ai"))) == expected_uids(ai)
    assert set(events(calendar(client, "/wetgeving/tijdlijn.ics?thema=data"))) == \
        expected_uids(data)
    assert set(events(calendar(client, "/wetgeving/tijdlijn.ics?voor=provincie"))) == \
        expected_uids(data)
    cal = calendar(client, "/wetgeving/tijdlijn.ics?wet=ai")
    assert str(cal["X-WR-CALNAME"]).endswith("Wet ai")


@pytest.mark.parametrize("query", ["wet=bestaat-niet", "thema=x", "voor=rijk", "inbreng=zeker"])
def test_a_calendar_for_an_unknown_filter_does_not_exist(client, world, query):
    response = client.get(f"/wetgeving/tijdlijn.ics?{query}")
    assert response.status_code == 404


def test_the_calendar_in_english(client, world):
    ai, _ = world
    found = events(calendar(client, "/wetgeving/tijdlijn.ics?wet=ai&lang=en"))
    summaries = {str(e["SUMMARY"]) for e in found.values()}
    assert all(s.startswith("Act ai: ") for s in summaries), summaries
    assert any(s.endswith(" — Internet consultation") for s in summaries), summaries
    assert any(s.endswith(" — In force") for s in summaries), summaries


def test_a_moved_date_keeps_its_event(client, world, editor):
    ai, _ = world
    before = events(calendar(client, "/wetgeving/tijdlijn.ics?wet=ai"))
    values = laws.law_values(ai)
    values["milestones"] = [M(m.kind, date(2027, 8, 2) if m.kind == "application" else m.date,
                              m.label, m.label_en) for m in values["milestones"]]
    laws.save_law(editor, ai, values, reason="Uitgesteld door de Omnibus",
                  base_revision=ai.revision)
    db.session.commit()
    after = events(calendar(client, "/wetgeving/tijdlijn.ics?wet=ai"))
    assert set(after) == set(before)
    application = next(m for m in ai.milestones if m.kind == "application")
    assert after[f"milestone-{application.id}@kde-community"].decoded("DTSTART") == \
        date(2027, 8, 2)


# --- Atom -----------------------------------------------------------------------------------

def change_stage(editor, law, stage: str, reason: str) -> None:
    values = laws.law_values(law)
    values["stage"] = stage
    laws.save_law(editor, law, values, reason=reason, base_revision=law.revision)
    db.session.commit()


def test_the_changes_feed_parses_and_names_what_changed_and_why(client, world, editor):
    ai, data = world
    change_stage(editor, ai, "partly_applicable", "Deels van toepassing sinds februari")
    ob = data.obligations[0]
    values = laws.obligation_values(ob)
    values["applies_from"] = date(2026, 9, 12)
    laws.save_obligation(editor, data, ob, values, reason="Datum volgens de Nederlandse wet",
                         base_revision=ob.revision)
    db.session.commit()
    response = client.get("/wetgeving/wijzigingen.atom")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title == "KDE Community: wijzigingen in Europese wetgeving"
    entries = feed.entries
    assert len(entries) == 6  # 2 laws and 2 obligations created, 2 changes
    newest, second = entries[0], entries[1]
    assert newest.title == "Wet data, art. 4: startdatum gewijzigd"
    assert newest.link.endswith("/wetgeving/data/verplichtingen/data-art-1")
    assert "Datum volgens de Nederlandse wet" in newest.summary
    assert "applies_from" in newest.summary
    assert second.title == "Wet ai: stand van zaken gewijzigd"
    assert second.link.endswith("/wetgeving/ai")
    assert "Deels van toepassing sinds februari" in second.summary and "stage" in second.summary
    assert second.author == "KDE Community redactie"
    assert editor.name not in response.get_data(as_text=True)
    assert entries[-1].title == "Wet ai: toegevoegd aan het overzicht"
    updated = [e.updated_parsed for e in entries]
    assert updated == sorted(updated, reverse=True)
    assert len({e.id for e in entries}) == 6


def test_the_changes_feed_holds_the_latest_50(client, world, editor, monkeypatch):
    ai, _ = world
    for n in range(3):
        change_stage(editor, ai, ("in_force", "applicable")[n % 2], f"wijziging {n}")
    feed = feedparser.parse(client.get("/wetgeving/wijzigingen.atom").data)
    assert len(feed.entries) == 7  # 4 created, 3 changes
    from kde_community.laws import timeline_views

    monkeypatch.setattr(timeline_views, "FEED_SIZE", 2)
    feed = feedparser.parse(client.get("/wetgeving/wijzigingen.atom").data)
    assert [e.summary.split(" (")[0] for e in feed.entries] == ["wijziging 2", "wijziging 1"]


def test_the_changes_feed_in_english_and_empty(app, client):
    feed = feedparser.parse(client.get("/wetgeving/wijzigingen.atom?lang=en").data)
    assert not feed.bozo and feed.entries == []


def test_the_feeds_send_a_constant_number_of_statements(client, world, editor):
    ai, _ = world
    counts = []
    for n in (1, 6):
        for i in range(n):
            change_stage(editor, ai, ("in_force", "applicable")[i % 2], f"stap {i}")
        counts.append((count_statements(lambda: client.get("/wetgeving/wijzigingen.atom")),
                       count_statements(lambda: client.get("/wetgeving/tijdlijn.ics"))))
    assert counts[0] == counts[1], counts


# --- the Atom writer ------------------------------------------------------------------------

def test_the_atom_writer_escapes_text_and_writes_utc_times():
    moment = datetime(2026, 5, 1, 14, 30, tzinfo=UTC) + timedelta(microseconds=5)
    body = atom_feed(id="urn:x:feed", title="A & B <c>", link="https://example.nl/",
                     self_link="https://example.nl/feed.atom", author="Redactie",
                     entries=[AtomEntry(id="urn:x:1", title="Tom & Jerry\x00\x07",
                                        updated=moment, link="https://example.nl/1?a=1&b=2",
                                        summary="<script>alert(1)</script>", author="Iemand")],
                     language="nl")
    text = body.decode("utf-8")
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "<updated>2026-05-01T14:30:00Z</updated>" in text
    feed = feedparser.parse(body)
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title == "A & B <c>"
    entry = feed.entries[0]
    assert entry.title == "Tom & Jerry" and entry.link == "https://example.nl/1?a=1&b=2"
    assert entry.author == "Iemand"
    with pytest.raises(ValueError):
        atom_feed(id="x", title="x", link="x", self_link="x", author="x",
                  entries=[AtomEntry("x", "x", datetime(2026, 1, 1), "x")])


# --- the rules, without a database ----------------------------------------------------------

@pytest.mark.parametrize("where, channel", [
    ("https://ec.europa.eu/info/law/better-regulation/have-your-say/initiatives/1",
     "Europese Commissie (Have your say)"),
    ("https://www.internetconsultatie.nl/uaiv", "internetconsultatie.nl"),
    ("https://vng.nl/nieuws/consultatie", "VNG"),
    ("https://www.ipo.nl/x", "IPO"),
    ("https://www.uvw.nl/x", "Unie van Waterschappen"),
    ("https://www.europarl.europa.eu/committees/en/imco", "Europees Parlement"),
    ("https://www.edpb.europa.eu/our-work", "edpb.europa.eu"),
    ("", ""),
])
def test_where_input_is_given_by_host(app, where, channel):
    with app.test_request_context("/"):
        assert timeline.input_channel(where) == channel


def test_filters_from_query_arguments(app):
    with app.test_request_context("/"):
        filters, errors = timeline.parse_filters(
            {"thema": "ai", "voor": "gemeente", "fase": "pijplijn", "inbreng": "1",
             "binnenkort": "0"}, themes=["ai"])
        assert errors == {}
        assert filters == timeline.TimelineFilters(theme="ai", org_type="gemeente",
                                                   stage="pijplijn", input_open=True)
        assert filters.args() == {"thema": "ai", "voor": "gemeente", "fase": "pijplijn",
                                  "inbreng": "1"}
        filters, errors = timeline.parse_filters({"thema": "x", "fase": "applicable"},
                                                 themes=["ai"])
        assert filters == timeline.TimelineFilters(stage="applicable")
        assert set(errors) == {"thema"}
