"""What readers see about laws states facts, or one dated "status unknown" line — never a hedge
about what the authors could not check."""

from __future__ import annotations

import re

import pytest

from kde_community.reference import validate_reference

# Phrases that apologise for, or hedge about, the authors' own checking.
HEDGES = (
    "kon niet", "konden niet", "niet kunnen", "niet gecontroleerd", "niet geverifieerd",
    "niet te verifiëren", "niet kunnen vaststellen", "voor zover wij weten", "voor zover bekend",
    "we weten niet", "wij weten niet", "mogelijk onjuist", "onder voorbehoud", "zonder garantie",
    "could not", "couldn't", "unable to", "not able to", "not verified", "unverified",
    "as far as we know", "we do not know", "we don't know", "may be inaccurate", "not checked",
    "eur-lex was not", "eur-lex niet",
)
STATUS_LINE = re.compile(
    r"Status op (\d{4}-\d{2}-\d{2}): onbekend; gecontroleerd: https://\S+")
READER_FIELDS = ("short_name_nl", "short_name_en", "summary", "summary_en", "stage_note",
                 "dutch_implementation", "dutch_implementation_en")


def reader_texts(law: dict):
    for name in READER_FIELDS:
        yield f"{law['slug']}.{name}", law.get(name) or ""
    for m in law.get("milestones", []):
        yield f"{law['slug']} milestone {m['date']}", f"{m.get('label', '')} {m.get('label_en', '')}"
    for i in law.get("input_moments", []):
        yield f"{law['slug']} input {i['opens']}", f"{i.get('title', '')} {i.get('title_en', '')}"
    for ob in law.get("obligations", []):
        for name in ("title", "title_en", "description", "description_en", "applies_condition"):
            yield f"{ob['key']}.{name}", ob.get(name) or ""


def hedges_in(text: str) -> list[str]:
    lowered = text.lower()
    return [h for h in HEDGES if h in lowered]


@pytest.fixture(scope="module")
def laws():
    return validate_reference()["laws"]


def test_no_reader_facing_text_hedges(laws):
    found = {where: hedges_in(text) for law in laws for where, text in reader_texts(law)}
    assert {k: v for k, v in found.items() if v} == {}


def test_unknown_is_said_in_one_dated_line_with_the_source_checked(laws):
    for law in laws:
        for where, text in reader_texts(law):
            for line in text.splitlines():
                if re.search(r"\bonbekend\b|\bunknown\b", line, re.I):
                    assert STATUS_LINE.search(line), (where, line)


def test_the_scan_catches_a_hedge():
    assert hedges_in("We konden EUR-Lex niet inzien.") == ["eur-lex niet"]
    assert hedges_in("Dit konden niet alle bronnen bevestigen.") == ["konden niet"]
    assert hedges_in("We could not inspect EUR-Lex") == ["could not"]
    assert STATUS_LINE.search("Wwke: Status op 2026-12-02: onbekend; gecontroleerd: https://x.nl/a")
    assert not STATUS_LINE.search("Status onbekend, we konden het niet nagaan")


def test_no_rendered_law_page_hedges(app, client):
    """What readers get — every law page (its obligations included) and the timeline, in Dutch
    and English — states facts; the scan works on the text a browser shows."""
    from html import unescape

    from sqlalchemy import select

    from kde_community.extensions import db
    from kde_community.laws.models import Law
    from kde_community.reference import load_reference

    load_reference()
    paths = [f"/wetgeving/{slug}" for slug in db.session.scalars(select(Law.slug))]
    paths += ["/wetgeving/tijdlijn", "/wetgeving"]
    found = {}
    for lang in ("nl", "en"):
        for path in paths:
            response = client.get(f"{path}?lang={lang}")
            assert response.status_code == 200, path
            text = unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))
            if hedges_in(text):
                found[(path, lang)] = hedges_in(text)
    assert len(paths) > 20 and found == {}
