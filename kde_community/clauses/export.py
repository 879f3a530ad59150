"""A clause set as a document: ODT (the Dutch government's open standard), DOCX and Markdown.

The input is a snapshot (`services.snapshot(set)` for the current draft, `Release.snapshot` for
a release): title, purpose, purchase kind and the numbered clauses with their text,
explanation for buyers, source reference and the obligations they implement.

Text from members goes into the documents as text, never as markup. Titles and headings are
written as they are; Markdown fields (purpose, clause text, explanation) are rendered once by
`markup.render_markdown` — where raw HTML stays text — and read back as blocks of plain text
(paragraphs, list items, code), which the ODF and OOXML libraries escape. Links keep their
text and address as text: a document holds no member-made hyperlink. The Markdown export
escapes the plain fields and carries the Markdown fields as written, so the site's renderer
treats them exactly as on the set's own pages.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from flask_babel import gettext as _

from ..markup import render_markdown
from .models import PURCHASE_KIND_LABELS

MIMETYPES = {
    "odt": "application/vnd.oasis.opendocument.text",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "md": "text/markdown; charset=utf-8",
}
FORMATS = tuple(MIMETYPES)
# Characters XML 1.0 cannot hold (most C0 controls, lone surrogates, U+FFFE/U+FFFF): a member
# may have typed them; the document libraries refuse them, so they are left out.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def render_export(snapshot: dict, fmt: str, *, label: str | None = None) -> tuple[bytes, str, str]:
    """The set as a document: (content, mimetype, file extension without the dot).

    `fmt` is "odt", "docx" or "md"; anything else is a ValueError. `label` names the version
    on the title page (a release's "v1.0", or "concept").
    """
    if fmt not in MIMETYPES:
        raise ValueError(f"unknown export format {fmt!r}")
    if fmt == "md":
        content = markdown_document(snapshot, label).encode("utf-8")
    else:
        blocks = outline(snapshot, label)
        content = odt_document(snapshot, blocks) if fmt == "odt" else docx_document(snapshot,
                                                                                    blocks)
    return content, MIMETYPES[fmt], fmt


# --- one outline for the ODT and DOCX documents -------------------------------------------------

@dataclass
class Block:
    """A piece of the document. `heading`: a real heading (level 1 the title, 2 a clause, 3 a
    part of a clause); `sub`: a heading inside a member's Markdown (a bold paragraph, so the
    document's outline stays the clauses); `p`, `bullet` and `number` (list items, `depth` 0
    for the outer list; `number` with its number), `pre` (code, lines kept)."""

    kind: str
    text: str
    level: int = 0
    depth: int = 0
    number: int | None = None


def outline(snapshot: dict, label: str | None = None) -> list[Block]:
    blocks = [Block("heading", _plain(snapshot.get("title")), level=1)]
    if label:
        blocks.append(Block("p", _("Versie: %(label)s", label=_plain(label))))
    kind = PURCHASE_KIND_LABELS.get(snapshot.get("purchase_kind") or "")
    if kind:
        blocks.append(Block("p", _("Soort inkoop: %(kind)s", kind=str(kind))))
    blocks += markdown_blocks(snapshot.get("purpose"))
    for clause in snapshot.get("clauses", []):
        blocks.append(Block("heading", _clause_heading(clause), level=2))
        blocks += markdown_blocks(clause.get("text"))
        if clause.get("explanation"):
            blocks.append(Block("heading", _("Toelichting voor inkopers"), level=3))
            blocks += markdown_blocks(clause["explanation"])
        if clause.get("obligations"):
            blocks.append(Block("heading", _("Geïmplementeerde verplichtingen"), level=3))
            blocks += [Block("bullet", obligation_line(o)) for o in clause["obligations"]]
        if clause.get("source_reference"):
            blocks.append(Block("p", _("Bron: %(source)s",
                                       source=_plain(clause["source_reference"]))))
    return blocks


def _clause_heading(clause: dict) -> str:
    return f"{clause.get('number', '')}. {_plain(clause.get('heading'))}"


def obligation_line(obligation: dict) -> str:
    """"AI-verordening art. 26: Verplichtingen bij het gebruik van hoog-risico-AI"."""
    law = " ".join(_plain(obligation.get(k)) for k in ("law", "article") if obligation.get(k))
    return f"{law}: {_plain(obligation.get('title'))}" if law else _plain(obligation.get("title"))


def _plain(value) -> str:
    return _NOT_XML.sub("", value) if isinstance(value, str) else ""


# --- Markdown to plain blocks (through the one Markdown renderer) -------------------------------

_BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "pre", "blockquote", "table",
               "hr", "div", "dl"}


def markdown_blocks(text: str | None) -> list[Block]:
    """A member's Markdown as paragraphs and list items of plain text."""
    import lxml.html

    rendered = str(render_markdown(_plain(text)))
    if not rendered.strip():
        return []
    root = lxml.html.fragment_fromstring(rendered, create_parent="div")
    blocks: list[Block] = []
    _walk(root, blocks, depth=0)
    for block in blocks:  # entities (`&#11;`) can name characters no document may hold
        block.text = _plain(block.text)
    return [b for b in blocks if b.text.strip()]


def _walk(element, blocks: list[Block], depth: int) -> None:
    loose = _inline_text(element, own_text_only=True)
    if loose.strip():  # text outside any block element
        blocks.append(Block("p", loose))
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "p":
            blocks.append(Block("p", _inline_text(child)))
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            blocks.append(Block("sub", _inline_text(child)))
        elif tag in ("ul", "ol"):
            _walk_list(child, blocks, depth)
        elif tag == "pre":
            blocks.append(Block("pre", child.text_content().rstrip("\n")))
        elif tag == "table":
            for row in child.iter("tr"):
                cells = [_inline_text(cell) for cell in row if cell.tag in ("th", "td")]
                blocks.append(Block("p", " | ".join(cells)))
        elif tag in ("blockquote", "div", "dl"):
            _walk(child, blocks, depth)
        elif tag == "hr":
            continue
        else:
            blocks.append(Block("p", _inline_text(child)))
        if child.tail and child.tail.strip():
            blocks.append(Block("p", _collapse(child.tail)))


def _walk_list(element, blocks: list[Block], depth: int) -> None:
    ordered = element.tag == "ol"
    number = int(element.get("start", "1")) if (element.get("start") or "1").isdigit() else 1
    for item in element:
        if item.tag != "li":
            continue
        text = _inline_text(item, skip_lists=True)
        blocks.append(Block("number" if ordered else "bullet", text, depth=depth,
                            number=number if ordered else None))
        number += 1
        for nested in item:
            if nested.tag in ("ul", "ol"):
                _walk_list(nested, blocks, depth + 1)


def _inline_text(element, *, skip_lists: bool = False, own_text_only: bool = False) -> str:
    """The text of an element with its inline children; `<br>` is a line break, a link keeps
    its address in brackets."""
    parts: list[str] = [_collapse(element.text or "")]
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if own_text_only and tag in _BLOCK_TAGS:
            continue
        if tag == "br":
            parts.append("\n")
        elif skip_lists and tag in ("ul", "ol"):
            pass
        elif tag == "a":
            label = _inline_text(child)
            href = child.get("href") or ""
            parts.append(f"{label} ({href})" if href and href not in (label, f"mailto:{label}")
                         else label)
        elif tag in _BLOCK_TAGS and tag != "p":
            parts.append(" " + _inline_text(child) + " ")
        else:
            parts.append(_inline_text(child))
            if tag == "p":
                parts.append(" ")
        parts.append(_collapse(child.tail or ""))
    text = "".join(parts)
    return "\n".join(" ".join(line.split()) for line in text.split("\n")).strip()


def _collapse(text: str) -> str:
    """Source line breaks inside a paragraph are spaces (as in the browser)."""
    return re.sub(r"\s+", " ", text)


# --- ODT (odfdo) --------------------------------------------------------------------------------

ODT_LIST_INDENT = "    "


def odt_document(snapshot: dict, blocks: list[Block]) -> bytes:
    from odfdo import Document, Header, List, ListItem, Paragraph, Span, Style

    document = Document("text")
    body = document.body
    body.clear()
    document.insert_style(Style("text", name="KdeSterk", bold=True), automatic=True)
    document.insert_style(Style("paragraph", name="KdeCode", area="text",
                                font="DejaVu Sans Mono"), automatic=True)
    current_list = None
    current_depth = -1
    for block in blocks:
        if block.kind != "bullet":
            current_list, current_depth = None, -1
        if block.kind == "heading":
            header = Header(block.level, block.text)
            header.style = f"Heading_20_{block.level}"  # Header(style=…) is ignored in odfdo 3.27
            body.append(header)
        elif block.kind == "sub":
            paragraph = Paragraph(style="Text_20_body")
            paragraph.append(Span(block.text, style="KdeSterk"))
            body.append(paragraph)
        elif block.kind == "bullet":
            if current_list is None or block.depth != current_depth:  # a new (nested) list
                current_list, current_depth = List(style="List_20_1"), block.depth
                body.append(current_list)
            current_list.append(ListItem(Paragraph(block.text, style="Text_20_body")))
        elif block.kind == "number":
            body.append(Paragraph(f"{ODT_LIST_INDENT * block.depth}{block.number}. {block.text}",
                                  style="Text_20_body"))
        elif block.kind == "pre":
            body.append(Paragraph(block.text, style="KdeCode"))
        else:
            body.append(Paragraph(block.text, style="Text_20_body"))
    meta = document.meta
    meta.title = _plain(snapshot.get("title"))
    meta.language = "nl-NL"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- DOCX (python-docx) -------------------------------------------------------------------------

def docx_document(snapshot: dict, blocks: list[Block]) -> bytes:
    from docx import Document
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = Document()
    properties = document.core_properties
    properties.title = _plain(snapshot.get("title"))[:255]
    properties.language = "nl-NL"
    run_properties = document.styles["Normal"].element.get_or_add_rPr()
    language = run_properties.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        run_properties.append(language)
    language.set(qn("w:val"), "nl-NL")  # spelling checks and screen readers
    for block in blocks:
        if block.kind == "heading":
            document.add_heading(block.text, level=block.level)
        elif block.kind == "sub":
            document.add_paragraph().add_run(block.text).bold = True
        elif block.kind == "bullet":
            style = "List Bullet" if block.depth == 0 else f"List Bullet {min(block.depth + 1, 3)}"
            document.add_paragraph(block.text, style=style)
        elif block.kind == "number":
            # Written out: Word's automatic numbering would run on across the clauses' lists.
            style = "List" if block.depth == 0 else f"List {min(block.depth + 1, 3)}"
            document.add_paragraph(f"{block.number}. {block.text}", style=style)
        elif block.kind == "pre":
            run = document.add_paragraph().add_run(block.text)
            run.font.name = "Courier New"
            run.font.size = Pt(9)
        else:
            document.add_paragraph(block.text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- Markdown -----------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]#|!])")


def md_escape(text) -> str:
    """Plain text (a title, a heading) as Markdown that renders as exactly that text."""
    text = " ".join(_plain(text).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = re.sub(r"^(\d+)([.)])", r"\1\\\2", text)  # not a numbered list
    return re.sub(r"^([-+])", r"\\\1", text)  # not a bullet


def _md_field(text) -> str:
    """A member's Markdown, as written; an unclosed code fence is closed so it cannot swallow
    the rest of the document."""
    text = (text or "").replace("\r\n", "\n").strip()
    if sum(1 for line in text.split("\n") if line.lstrip().startswith(("```", "~~~"))) % 2:
        text += "\n```"
    return text


def markdown_document(snapshot: dict, label: str | None = None) -> str:
    lines = [f"# {md_escape(snapshot.get('title'))}", ""]
    if label:
        lines += [md_escape(_("Versie: %(label)s", label=label)), ""]
    kind = PURCHASE_KIND_LABELS.get(snapshot.get("purchase_kind") or "")
    if kind:
        lines += [md_escape(_("Soort inkoop: %(kind)s", kind=str(kind))), ""]
    if snapshot.get("purpose"):
        lines += [_md_field(snapshot["purpose"]), ""]
    for clause in snapshot.get("clauses", []):
        lines += [f"## {clause.get('number', '')}. {md_escape(clause.get('heading'))}", ""]
        if clause.get("text"):
            lines += [_md_field(clause["text"]), ""]
        if clause.get("explanation"):
            lines += [f"### {md_escape(_('Toelichting voor inkopers'))}", "",
                      _md_field(clause["explanation"]), ""]
        if clause.get("obligations"):
            lines += [f"### {md_escape(_('Geïmplementeerde verplichtingen'))}", ""]
            lines += [f"- {md_escape(obligation_line(o))}" for o in clause["obligations"]]
            lines.append("")
        if clause.get("source_reference"):
            lines += [md_escape(_("Bron: %(source)s", source=clause["source_reference"])), ""]
    return "\n".join(lines).rstrip("\n") + "\n"
