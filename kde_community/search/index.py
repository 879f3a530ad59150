"""The Whoosh backend: the only module that imports whoosh.

Documents are dicts made by the models (see models.Searchable):
  key, type, id, title, body, url, date (datetime), visibility (public|members|organisation),
  org_id, org_name, org_type, themes [slug], laws [slug], outcome, extra (text, not shown).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from markupsafe import Markup, escape
from whoosh import highlight, index, qparser, sorting
from whoosh.analysis import (
    CharsetFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.query import And, AndNot, Every, Not, Or, Term
from whoosh.support.charset import accent_map

FACETS = ("type", "themes", "laws", "org_type", "outcome")
# Reference documents are many and short; contributions are what people come for.
TYPE_BOOST = {"law": 1.3, "obligation": 0.5, "organisation": 0.7, "network": 0.8}


class DutchPluralFilter(Filter):
    """Plurals the Dutch Snowball stemmer leaves alone: provincies, waterschappen."""

    def __call__(self, tokens):
        for token in tokens:
            text = token.text
            if text.endswith("schappen"):
                token.text = text[:-3]
            elif text.endswith("ies") and len(text) > 5:
                token.text = text[:-1]
            yield token


def dutch_analyzer():
    return (RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map)
            | StopFilter(lang="nl") | DutchPluralFilter() | StemFilter(lang="nl", cachesize=100_000))


def plain_analyzer():
    return RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map)


def schema() -> Schema:
    dutch = dutch_analyzer()
    return Schema(
        key=ID(stored=True, unique=True),
        type=ID(stored=True, sortable=True),
        id=STORED,
        title=TEXT(analyzer=dutch, stored=True, field_boost=3.0),
        body=TEXT(analyzer=dutch, stored=True),
        extra=TEXT(analyzer=dutch),
        url=STORED,
        date=DATETIME(stored=True, sortable=True),
        visibility=ID(stored=True),
        org_id=ID(stored=True),
        org_name=STORED,
        org_type=ID(stored=True, sortable=True),
        themes=KEYWORD(commas=True, stored=True),
        laws=KEYWORD(commas=True, stored=True, scorable=True),
        outcome=ID(stored=True, sortable=True),
        stamp=STORED,
        # Words for "did you mean": filled from public documents only, so a suggestion
        # can never reveal a word from private content.
        spelling=TEXT(analyzer=plain_analyzer(), spelling=True),
    )


def stamp(doc: dict) -> str:
    """A fingerprint of a document: the index is stale when it differs."""
    data = json.dumps(doc, sort_keys=True, default=str).encode()
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()


def normalise(text: str) -> str:
    """Lower case, no accents, words separated by single spaces (for alias matching)."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.findall(r"[a-z0-9]+", text))


@dataclass
class Hit:
    type: str
    id: int
    title: str
    url: str
    snippet: Markup
    org_name: str
    date: datetime | None


@dataclass
class Results:
    items: list[Hit]
    total: int
    page: int
    per_page: int
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    suggestion: str | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


class MarkFormatter(highlight.Formatter):
    """Escaped text; only the <mark> around matches is HTML."""

    between = " … "

    def format_token(self, text, token, replace=False):
        return f"<mark>{escape(highlight.get_text(text, token, replace))}</mark>"

    def _text(self, text):
        return str(escape(text))


_readers = threading.local()


class WhooshBackend:
    def __init__(self, directory: Path):
        self.directory = Path(directory)

    def searcher(self):
        """A searcher kept per thread and refreshed when the index changed: opening one per
        query would throw away Whoosh's caches."""
        cache = getattr(_readers, "by_dir", None)
        if cache is None:
            cache = _readers.by_dir = {}
        current = cache.get(self.directory)
        if current is not None and not current.up_to_date():
            # Not Searcher.refresh(): it reuses segment readers and so misses deletions
            # in a segment that is still there.
            current.close()
            current = None
        if current is None:
            current = self.open().searcher()
            cache[self.directory] = current
        return current

    # --- storage --------------------------------------------------------------------------

    def open(self):
        if not index.exists_in(self.directory):
            self.directory.mkdir(parents=True, exist_ok=True)
            return index.create_in(self.directory, schema())
        return index.open_dir(self.directory)

    def clear(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        index.create_in(self.directory, schema())

    def apply(self, changes: dict[str, dict | None], timeout: float = 30.0) -> None:
        """Replace or remove documents by key, in one commit (delete, then add)."""
        ix = self.open()
        writer = ix.writer(timeout=timeout)
        try:
            for key, doc in changes.items():
                writer.delete_by_term("key", key)
                if doc is not None:
                    writer.add_document(**self._fields(doc))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def add_many(self, docs, timeout: float = 60.0) -> int:
        """Add documents to an empty index (rebuild); returns how many."""
        ix = self.open()
        writer = ix.writer(timeout=timeout, procs=1, limitmb=256)
        n = 0
        try:
            for doc in docs:
                writer.add_document(**self._fields(doc))
                n += 1
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        return n

    def stamps(self) -> dict[str, str]:
        ix = self.open()
        with ix.searcher() as searcher:
            return {fields["key"]: fields.get("stamp", "") for fields in searcher.all_stored_fields()}

    @staticmethod
    def _fields(doc: dict) -> dict:
        date = doc.get("date")
        if isinstance(date, datetime) and date.tzinfo is not None:
            date = date.astimezone(UTC).replace(tzinfo=None)
        fields = {
            "key": doc["key"], "type": doc["type"], "id": doc["id"],
            "title": doc.get("title") or "", "body": doc.get("body") or "",
            "extra": doc.get("extra") or "", "url": doc.get("url") or "",
            "visibility": doc.get("visibility", "public"),
            "org_id": str(doc.get("org_id") or ""), "org_name": doc.get("org_name") or "",
            "org_type": doc.get("org_type") or "", "themes": ",".join(doc.get("themes") or []),
            "laws": ",".join(doc.get("laws") or []), "outcome": doc.get("outcome") or "",
            "stamp": doc.get("stamp") or stamp(doc),
            "_boost": TYPE_BOOST.get(doc["type"], 1.0),
        }
        if date:
            fields["date"] = date
        if fields["visibility"] == "public":
            fields["spelling"] = f"{fields['title']} {fields['body']}"
        return fields

    # --- querying -------------------------------------------------------------------------

    def search(self, text: str, *, audience: dict, law_terms: list[str], filters: dict,
               sort: str = "relevance", page: int = 1, per_page: int = 20) -> Results:
        """`audience`: {"members": bool, "org_id": int|None}; `law_terms`: law slugs the
        query named by one of their aliases (already removed from `text`)."""
        searcher = self.searcher()
        schema = searcher.schema
        query = self._parse(schema, text, law_terms)
        narrowed = [Term(name, value) for name, value in filters.items() if value]
        restrict = And(narrowed) if len(narrowed) > 1 else (narrowed[0] if narrowed else None)
        # Single-valued facets come from columns; "type" also yields every matching document,
        # which the multi-valued facets (themes, laws) intersect with cached term postings.
        facets = {"type": sorting.FieldFacet("type", maptype=sorting.UnorderedList),
                  "org_type": sorting.FieldFacet("org_type"),
                  "outcome": sorting.FieldFacet("outcome")}
        sortedby = sorting.FieldFacet("date", reverse=True) if sort == "date" else None
        results = searcher.search_page(query, page, pagelen=per_page, filter=restrict,
                                       mask=self._audience_mask(audience),
                                       groupedby=facets, sortedby=sortedby,
                                       maptype=sorting.Count)
        results.results.fragmenter = highlight.ContextFragmenter(maxchars=300, surround=60)
        results.results.formatter = MarkFormatter()
        items = []
        for hit in results:
            snippet = hit.highlights("body", top=2) or hit.highlights("title") or ""
            if not snippet:
                snippet = str(escape(hit.get("body", "")[:240]))
            items.append(Hit(
                type=hit["type"], id=hit["id"], title=hit["title"], url=hit["url"],
                snippet=Markup(snippet),  # noqa: S704 — escaped by MarkFormatter
                org_name=hit.get("org_name", ""),
                date=hit.get("date").replace(tzinfo=UTC) if hit.get("date") else None,
            ))
        by_type = results.results.groups("type")
        matched = set().union(*by_type.values()) if by_type else set()
        counts = {
            "type": {value: len(docs) for value, docs in by_type.items()},
            "org_type": results.results.groups("org_type"),
            "outcome": results.results.groups("outcome"),
        }
        for name in ("themes", "laws"):
            counts[name] = {term: len(matched & docs)
                            for term, docs in self._term_docs(searcher, name).items()}
        facet_counts = {
            name: sorted(((value, n) for value, n in counts[name].items() if value and n),
                         key=lambda item: (-item[1], item[0]))
            for name in FACETS
        }
        suggestion = None
        if text.strip() and results.total < 3:
            suggestion = self._suggest(searcher, text)
        return Results(items, results.total, page, per_page, facet_counts, suggestion)

    @staticmethod
    def _term_docs(searcher, field: str) -> dict[str, frozenset[int]]:
        """Documents per value of a small-vocabulary field, cached with the searcher."""
        cache = searcher.__dict__.setdefault("_kde_term_docs", {})
        if field not in cache:
            cache[field] = {
                term.decode() if isinstance(term, bytes) else term:
                    frozenset(searcher.docs_for_query(Term(field, term)))
                for term in searcher.lexicon(field)
            }
        return cache[field]

    def _audience_mask(self, audience: dict):
        """What the reader may NOT see (a small set, so cheaper than listing what they may)."""
        if not audience.get("members"):
            return Or([Term("visibility", "members"), Term("visibility", "organisation")])
        return AndNot(Term("visibility", "organisation"),
                      Term("org_id", str(audience.get("org_id") or "")))

    def _parser(self, schema, fieldnames=("title", "body", "extra")):
        parser = qparser.MultifieldParser(list(fieldnames), schema, group=qparser.AndGroup)
        parser.remove_plugin_class(qparser.FieldsPlugin)
        parser.remove_plugin_class(qparser.RangePlugin)
        parser.remove_plugin_class(qparser.BoostPlugin)
        parser.remove_plugin_class(qparser.EveryPlugin)
        parser.add_plugin(qparser.PlusMinusPlugin())
        return parser

    def _parse(self, schema, text: str, law_terms: list[str]):
        parts = []
        text = text.strip()
        if text:
            try:
                parsed = self._parser(schema).parse(text)
            except Exception:  # noqa: BLE001 — any syntax error falls back to plain words
                parsed = None
            if parsed is None or _is_degenerate(parsed):
                words = " ".join(re.findall(r"\w+", text))
                parsed = self._parser(schema).parse(words) if words else None
            if parsed is not None and not _is_degenerate(parsed):
                parts.append(parsed)
        for slug in law_terms:
            parts.append(Term("laws", slug))
        if not parts:
            return Every() if not text else Not(Every())
        return And(parts) if len(parts) > 1 else parts[0]

    def _suggest(self, searcher, text: str) -> str | None:
        words = re.findall(r"\w+", text.lower())
        if not words or len(words) > 8:
            return None
        corrector = searcher.corrector("spelling")
        corrected, changed = [], False
        for word in words:
            options = corrector.suggest(word, limit=1, maxdist=2) if len(word) > 3 else []
            if options and options[0] != word:
                corrected.append(options[0])
                changed = True
            else:
                corrected.append(word)
        return " ".join(corrected) if changed else None


def _is_degenerate(query) -> bool:
    from whoosh.query import NullQuery

    return query is None or query is NullQuery or isinstance(query, type(NullQuery))
