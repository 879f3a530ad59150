"""Markdown is rendered once and cleaned: no script, no event handler, no javascript: link."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from kde_community.markup import plain_text, render_markdown

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[klik](javascript:alert(1))",
    "[klik](JaVaScRiPt:alert(1))",
    "[klik](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<svg onload=alert(1)>",
    "<iframe src=\"https://evil.example\"></iframe>",
    "[x](vbscript:msgbox(1))",
    "<details open ontoggle=alert(1)>",
    "`<script>` en **vet**",
    "<<script>script>alert(1)<</script>/script>",
    "[x](  javascript:alert(1))",
    "<style>body{display:none}</style>",
]


class TagCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attrs = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_are_inert(payload):
    parsed = TagCollector()
    parsed.feed(str(render_markdown(payload)))
    assert not set(parsed.tags) & {"script", "iframe", "svg", "style", "img", "details", "object"}
    for name, value in parsed.attrs:
        assert not name.startswith("on"), name
        if name in ("href", "src"):
            assert value.strip().lower().startswith(("http:", "https:", "mailto:")), value


def test_markdown_still_works():
    html = str(render_markdown("# Kop\n\n**vet** en [link](https://example.org) en\n\n- a\n- b"))
    assert "<strong>vet</strong>" in html
    assert '<a href="https://example.org" rel="nofollow noopener noreferrer">link</a>' in html
    assert "<li>a</li>" in html
    assert "<h1" not in html  # page headings are the page's own


def test_plain_text_and_empty():
    assert str(render_markdown("")) == ""
    assert plain_text("**Hallo** <b>x</b> wereld") == "Hallo <b>x</b> wereld"
    assert plain_text("een twee drie vier", limit=10) == "een twee…"


def test_code_shows_comparison_signs_once():
    html = str(render_markdown("Gebruik `if a < b && c > d` of\n\n```\nx <= y\n```"))
    assert "<code>if a &lt; b &amp;&amp; c &gt; d</code>" in html
    assert "x &lt;= y" in html and "&amp;lt;" not in html


def test_raw_html_stays_text():
    html = str(render_markdown("<b>vet</b> en <div onclick=x>blok</div>\n\n<script>x</script>"))
    assert "<b>" not in html and "<div" not in html and "<script" not in html
    assert "&lt;b&gt;vet&lt;/b&gt;" in html
