"""Laws and obligations in search: found by their English text and addressee, and kept up to
date by the indexer when an editor changes them (and only then: fields in no document are
skipped)."""

from __future__ import annotations

from datetime import date

import pytest

from kde_community import events
from kde_community.events import Event
from kde_community.extensions import db
from kde_community.laws import services as laws
from kde_community.laws.models import Obligation, Theme
from kde_community.search import indexer
from kde_community.search import services as search

EURLEX = "https://eur-lex.europa.eu/legal-content/NL/TXT/?uri=CELEX:"


def law_values(slug: str, celex: str, **overrides) -> dict:
    return {
        "slug": slug, "short_name_nl": "Webrichtlijn", "short_name_en": "WAD",
        "aliases": ["Webrichtlijn"], "abbreviations": [], "full_title": "Richtlijn (EU) 2016/2102",
        "celex": celex, "instrument": "directive", "stage": "applicable", "stage_note": "",
        "summary": "Websites van overheden moeten voor iedereen bruikbaar zijn.",
        "summary_en": "Public sector websites must meet accessibility requirements.",
        "dutch_implementation": "Besluit digitale toegankelijkheid overheid.",
        "dutch_implementation_en": "Decree on digital access to government websites.",
        "themes": ["web"], "amends": [], "repeals": [], "related": [],
        "sources": [EURLEX + celex], "checked_on": date(2026, 4, 1),
        "milestones": [laws.MilestoneValue("entry_into_force", date(2016, 12, 22))],
        "input_moments": [], **overrides,
    }


def obligation_values(key: str, **overrides) -> dict:
    return {
        "key": key, "article": "art. 26", "title": "Zorg voor menselijk toezicht",
        "title_en": "Ensure human oversight",
        "description": "Gebruiksverantwoordelijken wijzen mensen aan die het systeem bewaken.",
        "description_en": "Deployers assign people who monitor the system.",
        "role": "direct", "addressee": "contracting authorities of high-risk systems",
        "applies_to": ["gemeente"], "applies_from": date(2026, 8, 2), "applies_condition": "",
        "responsible_roles": ["CIO"], "sources": [EURLEX + "32024R1689"],
        "checked_on": date(2026, 4, 1), **overrides,
    }


@pytest.fixture
def editor(make_user):
    return make_user(role="editor")


@pytest.fixture
def law(app, editor):
    db.session.add_all([Theme(slug="web", name_nl="Web", name_en="Web"),
                        Theme(slug="ai", name_nl="AI", name_en="AI")])
    db.session.flush()
    law, _, _ = laws.save_law(editor, None, law_values("wad", "32016L2102"), reason="nieuw")
    laws.save_obligation(editor, law, None, obligation_values("wad-art-26"), reason="nieuw")
    db.session.commit()
    search.drain()
    return law


def found(query: str) -> set[tuple[str, int]]:
    return {(hit.type, hit.id) for hit in search.search(None, query).items}


def deliver_to_indexer() -> None:
    """The indexer consumer handles what is pending, as the worker would; no reconciliation,
    so only the events can have refreshed the index."""
    db.session.commit()
    consumer = events.consumer(indexer.CONSUMER)
    while events.deliver(consumer):
        pass


def test_english_text_and_addressee_find_laws_and_obligations(law):
    obligation = law.obligations[0]
    assert ("law", law.id) in found("accessibility")  # only in the English summary
    assert ("obligation", obligation.id) in found("deployers")  # only in the English description
    assert ("obligation", obligation.id) in found("oversight")  # only in the English title
    assert ("obligation", obligation.id) in found("contracting authorities")  # the addressee
    assert ("law", law.id) in found("toegankelijkheid")  # Dutch still works


def test_an_editors_english_summary_is_reindexed_by_the_indexer(law, editor):
    assert not found("sandboxes")
    values = {**laws.law_values(law), "summary_en": "Member states run regulatory sandboxes."}
    laws.save_law(editor, law, values, reason="Engelse samenvatting verbeterd")
    db.session.commit()
    assert not found("sandboxes")  # not before the indexer has run
    deliver_to_indexer()
    assert found("sandboxes") == {("law", law.id)}
    assert not found("requirements")  # the old English summary is gone

    obligation = law.obligations[0]
    laws.save_obligation(editor, law, obligation, {
        **laws.obligation_values(obligation), "description_en": "Operators keep event logs."},
        reason="Engelse tekst")
    deliver_to_indexer()
    assert found("logs") == {("obligation", obligation.id)}
    assert search.check().ok


def test_a_change_outside_every_document_is_skipped(law, editor):
    before = events.pending(indexer.CONSUMER)
    laws.save_law(editor, law, {**laws.law_values(law), "checked_on": date(2026, 5, 1),
                                "stage_note": "Stand op 1 mei 2026."}, reason="gecontroleerd")
    obligation = law.obligations[0]
    laws.save_obligation(editor, law, obligation, {
        **laws.obligation_values(obligation), "role": "procurement"}, reason="rol")
    db.session.commit()
    batch = list(db.session.scalars(db.select(Event).order_by(Event.id.desc()).limit(2)))
    assert {e.name for e in batch} == {"law.changed", "obligation.changed"}
    assert events.pending(indexer.CONSUMER) == before + 2
    assert indexer.keys_for(batch) == set()


def _document(obj) -> dict:
    db.session.expire_all()
    obj = db.session.get(type(obj), obj.id)
    doc = search.build_document(obj, search.vocabulary())
    doc.pop("stamp")
    return doc


def _changed_fields() -> list[str]:
    return db.session.scalar(db.select(Event).order_by(Event.id.desc()).limit(1)).payload["fields"]


# One new value for every editable field: a field added to LAW_FIELDS or OBLIGATION_FIELDS
# fails these tests until the indexer knows whether it is in a document.
LAW_CHANGES = {
    "short_name_nl": "Webtoegankelijkheidsrichtlijn", "short_name_en": "Web Accessibility",
    "aliases": ["Webrichtlijn", "WTR"], "abbreviations": ["WAD"],
    "full_title": "Richtlijn (EU) 2016/2102 inzake toegankelijkheid",
    "celex": "32016L2103", "instrument": "regulation", "stage": "partly_applicable",
    "stage_note": "Stand op 1 april 2026: onbekend.", "summary": "Nieuwe samenvatting.",
    "summary_en": "New summary.", "dutch_implementation": "Nieuw besluit.",
    "dutch_implementation_en": "New decree.", "themes": ["ai", "web"], "amends": ["other"],
    "repeals": ["other"], "related": ["other"], "sources": ["https://eur-lex.europa.eu/eli/dir/2016/2102/oj"],
    "checked_on": date(2026, 3, 1),
    "milestones": [laws.MilestoneValue("adoption", date(2016, 10, 26)),
                   laws.MilestoneValue("entry_into_force", date(2016, 12, 22))],
    "input_moments": [laws.InputValue("Consultatie", "Consultation", date(2026, 4, 1),
                                      date(2026, 5, 1), "https://www.internetconsultatie.nl/x")],
}
OBLIGATION_CHANGES = {
    "article": "art. 27", "title": "Nieuwe titel", "title_en": "New title",
    "description": "Nieuwe omschrijving.", "description_en": "New description.",
    "role": "procurement", "addressee": "providers", "applies_to": ["gemeente", "provincie"],
    "applies_from": date(2027, 1, 1), "applies_condition": "Na aanwijzing.",
    "responsible_roles": ["CISO"], "sources": ["https://eur-lex.europa.eu/eli/reg/2024/1689/oj"],
    "checked_on": date(2026, 3, 1),
}


def test_law_fields_skipped_by_the_indexer_are_exactly_those_in_no_document(law, editor):
    assert set(LAW_CHANGES) == set(laws.LAW_FIELDS)
    laws.save_law(editor, None, law_values("other", "32099R0001"), reason="nieuw")
    db.session.commit()
    for name, value in LAW_CHANGES.items():
        before = _document(law)
        law = db.session.get(type(law), law.id)
        laws.save_law(editor, law, {**laws.law_values(law), name: value}, reason=name)
        db.session.commit()
        assert _changed_fields() == [name]
        in_document = _document(law) != before
        assert in_document == (name not in indexer.UNINDEXED["law"]), name


def test_obligation_fields_skipped_by_the_indexer_are_exactly_those_in_no_document(law, editor):
    assert set(OBLIGATION_CHANGES) == set(laws.OBLIGATION_FIELDS)
    obligation = law.obligations[0]
    for name, value in OBLIGATION_CHANGES.items():
        before = _document(obligation)
        obligation = db.session.get(Obligation, obligation.id)
        laws.save_obligation(editor, obligation.law, obligation,
                             {**laws.obligation_values(obligation), name: value}, reason=name)
        db.session.commit()
        fields = db.session.scalars(db.select(Event).where(Event.name == "obligation.changed")
                                    .order_by(Event.id.desc()).limit(1)).one().payload["fields"]
        assert fields == [name]
        in_document = _document(obligation) != before
        assert in_document == (name not in indexer.UNINDEXED["obligation"]), name
