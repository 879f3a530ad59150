"""The only place Markdown becomes HTML: rendered with python-markdown, cleaned by nh3."""

from __future__ import annotations

import html

import markdown as md
import markdown.extensions
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td",
    "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}, "td": set()}
ALLOWED_SCHEMES = {"http", "https", "mailto"}


class _NoRawHtml(md.extensions.Extension):
    """Authors write Markdown, not HTML: raw HTML blocks and inline tags stay text (escaped by
    the renderer), so `a < b` in a code span shows as written, once."""

    def extendMarkdown(self, markdown):  # noqa: N802 — python-markdown's name
        markdown.preprocessors.deregister("html_block")
        markdown.inlinePatterns.deregister("html")


def render_markdown(text: str | None) -> Markup:
    """Markdown to safe HTML. Raw HTML in the source is escaped, never passed through."""
    if not text:
        return Markup("")
    html = md.markdown(text, extensions=["extra", "sane_lists", _NoRawHtml()],
                       output_format="html")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
    )
    return Markup(cleaned)  # noqa: S704 — cleaned by nh3 just above


def plain_text(text: str | None, limit: int | None = None) -> str:
    """The text of rendered Markdown, for snippets, titles and e-mails."""
    text = html.unescape(nh3.clean(str(render_markdown(text)), tags=set())).strip()
    if limit and len(text) > limit:
        text = text[: limit - 1].rsplit(" ", 1)[0] + "…"
    return text
