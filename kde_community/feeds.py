"""Atom 1.0 feeds (RFC 4287), written with the standard library's ElementTree.

One small writer for every feed of the platform: a feed is a title, an id, its links and
entries with an id, title, updated time, link, summary and author. Text is escaped by
ElementTree; times are written as RFC 3339 in UTC.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

ATOM_NS = "http://www.w3.org/2005/Atom"
CONTENT_TYPE = "application/atom+xml; charset=utf-8"


@dataclass(frozen=True)
class AtomEntry:
    id: str  # a permanent IRI, e.g. "urn:kde-community:revision:12"
    title: str
    updated: datetime
    link: str
    summary: str = ""
    author: str | None = None  # defaults to the feed's author


def rfc3339(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetime in a feed")
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _text(parent: ET.Element, tag: str, text: str, **attrs) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
    element.text = _clean(text)
    return element


def _clean(text: str) -> str:
    """XML 1.0 allows no control characters besides tab, newline and carriage return."""
    return "".join(c for c in text if c in "\t\n\r" or ord(c) >= 0x20)


def _author(parent: ET.Element, name: str) -> None:
    author = ET.SubElement(parent, f"{{{ATOM_NS}}}author")
    _text(author, "name", name)


def atom_feed(*, id: str, title: str, link: str, self_link: str, author: str,
              entries: Iterable[AtomEntry], updated: datetime | None = None,
              subtitle: str = "", language: str | None = None) -> bytes:
    """The feed as UTF-8 XML. `link` is the page the feed mirrors, `self_link` the feed's own
    address; `updated` defaults to the newest entry (or now, for an empty feed)."""
    entries = list(entries)
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    if language:
        feed.set("{http://www.w3.org/XML/1998/namespace}lang", language)
    _text(feed, "id", id)
    _text(feed, "title", title)
    if subtitle:
        _text(feed, "subtitle", subtitle)
    newest = max((e.updated for e in entries), default=None)
    _text(feed, "updated", rfc3339(updated or newest or datetime.now(UTC)))
    ET.SubElement(feed, f"{{{ATOM_NS}}}link", {"rel": "alternate", "type": "text/html",
                                                "href": link})
    ET.SubElement(feed, f"{{{ATOM_NS}}}link", {"rel": "self", "type": "application/atom+xml",
                                                "href": self_link})
    _author(feed, author)
    for e in entries:
        entry = ET.SubElement(feed, f"{{{ATOM_NS}}}entry")
        _text(entry, "id", e.id)
        _text(entry, "title", e.title)
        _text(entry, "updated", rfc3339(e.updated))
        ET.SubElement(entry, f"{{{ATOM_NS}}}link", {"rel": "alternate", "href": e.link})
        if e.summary:
            _text(entry, "summary", e.summary)
        if e.author:
            _author(entry, e.author)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
