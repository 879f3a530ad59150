"""Exports of a clause set (kde_community/clauses/export.py): the ODT and DOCX files are parsed
back (odfdo, python-docx) for their headings, clause text and cited obligations; members' text
goes in as text, also the XSS corpus; the Markdown export renders safely through markup.py."""

from __future__ import annotations

import io
import re
import zipfile

import lxml.html
import pytest
from docx import Document as DocxDocument
from odfdo import Document as OdfDocument

from kde_community.clauses import services
from kde_community.clauses.export import markdown_blocks, render_export
from kde_community.markup import render_markdown
from tests.helpers import commit
from tests.xss import corpus

HTML_PAYLOADS = ["<img src=x onerror=alert(1)>", "<svg/onload=alert(1)>",
                 "\"><script>alert(1)</script>", "<details open ontoggle=alert(1)>",
                 "<iframe src=javascript:alert(1)>", "'><img src=x onerror=alert(1)>"]


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def snapshot(app, make_user, make_law):
    """A set with three clauses, two of them citing obligations, one with a source model."""
    law = make_law()
    editor = make_user()
    clause_set = services.create_set(editor, {
        "title": "Toegankelijke digitale diensten inkopen", "purchase_kind": "website_app",
        "purpose": "Bepalingen voor **inkopers** van websites en apps."})
    services.add_clause(editor, clause_set, {
        "heading": "Toegankelijkheidseisen",
        "text": "De dienst voldoet aan EN 301 549.\n\nDe leverancier levert:\n\n"
                "- een toegankelijkheidsverklaring;\n- een onderzoeksrapport.\n\n"
                "1. eerst testen\n2. dan opleveren",
        "explanation": "Vraag om [het rapport](https://example.org/rapport).",
        "source_reference": "GIBIT art. 12", "obligations": [law.obligations[0].id]})
    services.add_clause(editor, clause_set, {
        "heading": "Herstel van gebreken", "text": "Gebreken worden binnen 30 dagen hersteld.",
        "obligations": [law.obligations[1].id, law.obligations[2].id]})
    services.add_clause(editor, clause_set, {"heading": "Looptijd",
                                             "text": "Het contract loopt vier jaar."})
    commit()
    return services.snapshot(clause_set)


def docx_of(data: bytes):
    return DocxDocument(io.BytesIO(data))


def odt_of(data: bytes):
    return OdfDocument(io.BytesIO(data))


def docx_headings(document) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in document.paragraphs
            if p.style.name.startswith("Heading")]


def odt_headings(document) -> list[tuple[str, str]]:
    return [(h.get_attribute("text:outline-level"), h.text_recursive)
            for h in document.body.headers]


def test_docx_has_the_title_numbered_clause_headings_text_and_obligations(snapshot):
    data, mimetype, extension = render_export(snapshot, "docx")
    assert extension == "docx" and mimetype.endswith("wordprocessingml.document")
    document = docx_of(data)
    headings = docx_headings(document)
    assert headings[0] == ("Heading 1", "Toegankelijke digitale diensten inkopen")
    assert [text for style, text in headings if style == "Heading 2"] == [
        "1. Toegankelijkheidseisen", "2. Herstel van gebreken", "3. Looptijd"]
    assert ("Heading 3", "Toelichting voor inkopers") in headings
    assert [t for s, t in headings].count("Geïmplementeerde verplichtingen") == 2
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    texts = [t for _s, t in paragraphs]
    assert "De dienst voldoet aan EN 301 549." in texts
    assert "Bepalingen voor inkopers van websites en apps." in texts  # Markdown as plain text
    assert ("List Bullet", "een toegankelijkheidsverklaring;") in paragraphs
    assert ("List", "2. dan opleveren") in paragraphs
    assert "Vraag om het rapport (https://example.org/rapport)." in texts
    assert ("List Bullet", "AI-verordening art. 4: Verplichting 4") in paragraphs
    assert ("List Bullet", "AI-verordening art. 27: Verplichting 27") in paragraphs
    assert "Bron: GIBIT art. 12" in texts
    assert "Gebreken worden binnen 30 dagen hersteld." in texts
    assert document.core_properties.title == "Toegankelijke digitale diensten inkopen"
    # The obligations follow their own clause.
    first, second = (texts.index(h) for h in ("1. Toegankelijkheidseisen",
                                              "2. Herstel van gebreken"))
    assert first < texts.index("AI-verordening art. 4: Verplichting 4") < second
    assert texts.index("AI-verordening art. 26: Verplichting 26") > second


def test_odt_has_the_same_structure_as_real_headings(snapshot):
    data, mimetype, extension = render_export(snapshot, "odt")
    assert (mimetype, extension) == ("application/vnd.oasis.opendocument.text", "odt")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:  # ODF: the mimetype entry comes first
        assert archive.namelist()[0] == "mimetype"
        assert archive.read("mimetype") == b"application/vnd.oasis.opendocument.text"
    document = odt_of(data)
    headings = odt_headings(document)
    assert headings[0] == ("1", "Toegankelijke digitale diensten inkopen")
    assert [t for level, t in headings if level == "2"] == [
        "1. Toegankelijkheidseisen", "2. Herstel van gebreken", "3. Looptijd"]
    assert ("3", "Toelichting voor inkopers") in headings
    assert [t for _l, t in headings].count("Geïmplementeerde verplichtingen") == 2
    assert all(h.style == f"Heading_20_{h.get_attribute('text:outline-level')}"
               for h in document.body.headers)
    paragraphs = [p.text_recursive for p in document.body.paragraphs]
    assert "De dienst voldoet aan EN 301 549." in paragraphs
    assert "Bron: GIBIT art. 12" in paragraphs
    items = [words(item.text_recursive) for item in document.body.get_elements("descendant::text:list-item")]
    assert "AI-verordening art. 4: Verplichting 4" in items
    assert "AI-verordening art. 27: Verplichting 27" in items
    assert "een toegankelijkheidsverklaring;" in items
    assert document.meta.get_title() == "Toegankelijke digitale diensten inkopen"
    assert document.meta.get_language() == "nl-NL"


def test_markdown_export(snapshot):
    data, mimetype, extension = render_export(snapshot, "md")
    assert (mimetype, extension) == ("text/markdown; charset=utf-8", "md")
    text = data.decode("utf-8")
    assert text.startswith("# Toegankelijke digitale diensten inkopen\n")
    assert "## 1. Toegankelijkheidseisen" in text and "## 3. Looptijd" in text
    assert "### Toelichting voor inkopers" in text
    assert "- AI\\-verordening art. 4: Verplichting 4" in text \
        or "- AI-verordening art. 4: Verplichting 4" in text
    html = str(render_markdown(text))
    assert "<h2>1. Toegankelijkheidseisen</h2>" in html
    assert "<li>AI-verordening art. 27: Verplichting 27</li>" in html
    assert "Bron: GIBIT art. 12" in html


def test_a_release_snapshot_and_a_version_label(app, snapshot, make_user):
    data, _m, _e = render_export(snapshot, "docx", label="v1.0")
    texts = [p.text for p in docx_of(data).paragraphs]
    assert "Versie: v1.0" in texts and "Soort inkoop: Website of app" in texts
    assert "Versie: v1.0" in render_export(snapshot, "md", label="v1.0")[0].decode()


def test_an_empty_set_and_unknown_formats(app):
    empty = {"title": "Leeg", "purpose": "", "purchase_kind": "other", "clauses": []}
    for fmt in ("odt", "docx", "md"):
        assert render_export(empty, fmt)[0]
    for fmt in ("pdf", "ODT", "", "html", None):
        with pytest.raises(ValueError):
            render_export(empty, fmt)


# --- members' text is text ----------------------------------------------------------------------

def _xss_snapshot() -> dict:
    payloads = corpus()
    return {"title": "<script>alert('titel')</script>", "purpose": payloads[0],
            "purchase_kind": "saas", "clauses": [{
                "number": n, "heading": payload, "text": payload,
                "explanation": payload, "source_reference": payload[:300], "version": 1,
                "obligations": [{"id": 1, "law": "AI-verordening", "article": "art. 26",
                                 "title": payload}]} for n, payload in enumerate(payloads, 1)]
            + [{"number": 0, "heading": "HTML", "text": "\n\n".join(HTML_PAYLOADS),
                "explanation": "", "source_reference": "", "version": 1, "obligations": []}]}


def _xml_text(value: str) -> str:
    """What an XML document can hold of a string (the export leaves out the rest)."""
    return words(re.sub("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]", "", value))


def test_the_xss_corpus_goes_into_docx_and_odt_as_literal_text(app):
    snap = _xss_snapshot()
    headings = [f"{c['number']}. {_xml_text(c['heading'])}" for c in snap["clauses"]]
    docx_data = render_export(snap, "docx")[0]
    document = docx_of(docx_data)
    found = [words(t) for s, t in docx_headings(document) if s == "Heading 2"]
    assert found == [words(h) for h in headings]
    texts = {words(p.text) for p in document.paragraphs}
    for payload in HTML_PAYLOADS:
        assert payload in texts, payload
    assert words("<script>alert('titel')</script>") in texts
    assert not [r for r in document.part.rels.values() if r.reltype.endswith("/hyperlink")]
    with zipfile.ZipFile(io.BytesIO(docx_data)) as archive:
        xml = archive.read("word/document.xml").decode()
    assert "<script" not in xml and "w:hyperlink" not in xml and "w:instrText" not in xml

    odt_data = render_export(snap, "odt")[0]
    odt = odt_of(odt_data)
    assert [words(t) for level, t in odt_headings(odt) if level == "2"] == \
        [words(h) for h in headings]
    paragraphs = {words(p.text_recursive) for p in odt.body.paragraphs}
    for payload in HTML_PAYLOADS:
        assert payload in paragraphs, payload
    with zipfile.ZipFile(io.BytesIO(odt_data)) as archive:
        content = archive.read("content.xml").decode()
    assert "<script" not in content and "<text:a" not in content and "xlink:href" not in content


def test_control_characters_do_not_break_the_documents(app):
    snap = {"title": "Titel\x0b met\x1b tekens\ufffe", "purpose": "Doel\x08.",
            "clauses": [{"number": 1, "heading": "Kop\x01", "text": "Tekst\x0c hier.",
                         "explanation": "", "source_reference": "", "obligations": []}]}
    assert docx_of(render_export(snap, "docx")[0]).paragraphs[0].text == "Titel met tekens"
    assert odt_headings(odt_of(render_export(snap, "odt")[0]))[1] == ("2", "1. Kop")


def test_the_markdown_export_renders_nothing_dangerous(app):
    text = render_export(_xss_snapshot(), "md")[0].decode("utf-8")
    root = lxml.html.fragment_fromstring(str(render_markdown(text)), create_parent="div")
    for element in root.iter():
        assert element.tag not in ("script", "img", "iframe", "svg", "style", "details",
                                   "object", "embed", "form", "input")
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (element.tag, name)
            if name in ("href", "src"):
                assert value.startswith(("http://", "https://", "mailto:")), value
    # Plain fields (title, headings, obligation titles) render as exactly their text.
    headings = [words(h.text_content()) for h in root.iter("h2")]
    assert words("1. " + corpus()[0]) == headings[0]
    assert "<script>alert('titel')</script>" in root.text_content()


def test_markdown_blocks_keep_raw_html_as_text_and_links_as_text(app):
    blocks = markdown_blocks("Een <b>vet</b> woord en [klik](javascript:alert(1)) en "
                             "[site](https://example.org).\n\n- a\n- b")
    assert [(b.kind, b.text) for b in blocks] == [
        ("p", "Een <b>vet</b> woord en klik en site (https://example.org)."),
        ("bullet", "a"), ("bullet", "b")]
