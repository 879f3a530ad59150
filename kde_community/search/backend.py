"""One protocol in front of the search engines, and the types every engine answers in.

The rest of the application (services, indexer, views, API, CLI) talks to a `SearchBackend`
and never to an engine: `whoosh.py` is the only module that imports whoosh, and a PostgreSQL
full-text backend (the scale-out issue) implements the same methods. `KDE_SEARCH_BACKEND`
chooses one (`BACKENDS`); an unknown name refuses to start (config.py).

Documents are dicts made by the models (`models.Searchable.search_document()`), completed by
the indexer: key ("type:id"), type, id, title, body, extra (searched, not shown), url, date,
visibility (public|members|organisation), org_id, org_name, org_type, themes [slug],
laws [slug], outcome, about (a law's or obligation's own law slug), writers [user id] (who
always see it) and stamp (a fingerprint: the
index entry is stale when it differs from the database's).

The query language and its bounds are the same for every backend, whoever sends the query:
words, "phrases", OR, -exclude and prefix*; at most MAX_TERMS words, `*` only at the end of
a word of MIN_PREFIX letters or more and standing for at most MAX_EXPANSIONS words, and
TIME_BUDGET seconds of matching. What was cut comes back as notice codes; the views word them.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from importlib import import_module
from pathlib import Path
from typing import Protocol, runtime_checkable

from markupsafe import Markup

from ..pagination import Page
from .analysis import OPERATORS, QUERY_TOKEN, fold

# name -> "module:class"; an engine module is imported only when chosen.
BACKENDS = {"whoosh": "kde_community.search.whoosh:WhooshBackend"}
# Accepted by the issue that builds them; until then naming one refuses to start.
PLANNED = {"postgres": "the PostgreSQL full-text backend arrives with the scale-out issue"}

FACETS = ("type", "themes", "laws", "org_type", "outcome")

# --- bounds: what one query may cost ---------------------------------------------------------
# Measured on 3,500 documents: 78 one- and two-letter prefixes took 12 s; with these bounds the
# same query takes well under a second and no query can hold a worker for long.
MAX_TERMS = 12          # words (phrase words count one each) per query; the rest are dropped
MIN_PREFIX = 3          # letters before a trailing * ; shorter, or * elsewhere: a plain word
MAX_EXPANSIONS = 50     # words one prefix* stands for, per field: the most frequent ones
TIME_BUDGET = 1.5       # seconds of matching; then the hits found so far are returned
MAX_SUGGEST_WORD = 30   # longer words get no "did you mean" (edit-distance search is costly)

# Notice codes on Results.notices (the views word them)
TOO_MANY_TERMS = "too_many_terms"
WILDCARD_IGNORED = "wildcard_ignored"
PREFIX_CAPPED = "prefix_capped"
TOO_BROAD = "too_broad"

_PREFIX = re.compile(rf"(\w{{{MIN_PREFIX},}})\*+")


class IndexBusy(RuntimeError):  # noqa: N818 — a state, not a failure: try again shortly
    """Another process holds the index's write lock; the caller keeps its work for later."""


@dataclass
class Hit:
    type: str
    id: int
    title: str
    url: str
    snippet: Markup
    org_name: str
    date: datetime | None
    score: float = 0.0


@dataclass
class Results(Page):
    """A page of hits (`items`), with what search adds to any page."""

    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    suggestion: str | None = None
    notices: list[str] = field(default_factory=list)
    # The query as typed, when these are the hits of its suggestion (it found nothing; the
    # suggestion is then the query these hits are for).
    corrected_from: str | None = None


# A function the indexer hands to `refresh`: the current documents for these keys, read from
# the database (None: the key must not be in the index).
Loader = Callable[[Collection[str]], Mapping[str, dict | None]]


@runtime_checkable
class SearchBackend(Protocol):
    """What the application needs from a search engine.

    Writes: `refresh` is the indexer's way in (it reads the documents only once it holds the
    engine's write lock, so of two workers refreshing the same document the later writer always
    writes the newer text); `apply` writes documents already built; `rebuild` replaces the whole
    index atomically (readers see the old index until it is done). None of them may fail because
    another process writes: they wait, and raise IndexBusy after `timeout` seconds.
    """

    name: str

    def refresh(self, keys: Collection[str], load: Loader, *, timeout: float = 30.0) -> int:
        """Bring these documents up to date; returns how many entries changed (documents
        whose stamp is unchanged are left alone)."""

    def apply(self, changes: Mapping[str, dict | None], *, timeout: float = 30.0) -> None:
        """Replace (dict) or remove (None) documents by key, in one commit."""

    def rebuild(self, docs: Iterable[dict], *, timeout: float = 60.0) -> int:
        """Replace the whole index with these documents, in one commit; returns how many."""

    def clear(self) -> None:
        """An empty index."""

    def search(self, text: str, *, audience: dict, law_terms: list[str], filters: dict,
               sort: str = "relevance", page: int = 1, per_page: int = 20,
               time_budget: float = TIME_BUDGET, match: str = "all") -> Results:
        """Hits the audience may see, with facets, highlighted snippets (escaped; only <mark>
        is HTML), a suggestion when few hits, and notices for what the bounds cut.
        `audience`: {"members": bool, "org_id": int|None, "user_id": int|None}; `law_terms`:
        law slugs the query named by an alias (already removed from `text`): their documents,
        the law itself first and its obligations next. `match`: "all" words (or, when that
        finds fewer than three, any of them) or "any" (more of them ranks higher). Text is
        analysed as analysis.py says (compounds, synonyms, stop words)."""

    def suggest(self, text: str) -> str | None:
        """"Did you mean", only from words of documents that are public now."""

    def stamps(self, keys: Collection[str] | None = None) -> dict[str, str]:
        """key -> stamp of the documents in the index (all, or only these keys)."""

    def keys(self) -> set[str]:
        """Every key in the index (cheaper than `stamps()`: for finding deletions)."""

    def watermark(self) -> datetime | None:
        """When the index was last reconciled with the database (None: never)."""

    def set_watermark(self, when: datetime) -> None:
        """Remember a reconciliation; kept with the index, so a new index starts without."""


def create_backend(name: str, data_dir: str | Path) -> SearchBackend:
    """The engine `KDE_SEARCH_BACKEND` names (config.py has refused unknown names already)."""
    module, _, cls = BACKENDS[name].partition(":")
    return getattr(import_module(module), cls).from_config(Path(data_dir))


def check_backend_name(raw: str) -> str:
    """The backend name, or a ValueError that says which names work."""
    name = (raw or "").strip().lower()
    if name in BACKENDS:
        return name
    if name in PLANNED:
        raise ValueError(f"KDE_SEARCH_BACKEND={raw!r} is not available yet ({PLANNED[name]}); "
                         f"use one of: {', '.join(sorted(BACKENDS))}.")
    raise ValueError(f"KDE_SEARCH_BACKEND={raw!r} is not a search backend; "
                     f"use one of: {', '.join(sorted(BACKENDS))}.")


# --- shared by every backend -------------------------------------------------------------------

def stamp(doc: dict) -> str:
    """A fingerprint of a document: the index is stale when it differs."""
    data = json.dumps(doc, sort_keys=True, default=str).encode()
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()


def normalise(text: str) -> str:
    """Lower case, no accents, words separated by single spaces (for alias matching)."""
    return " ".join(re.findall(r"[a-z0-9]+", fold(text)))


def bound_text(text: str) -> tuple[str, list[str]]:
    """The query text within the bounds, and notice codes for what was changed: at most
    MAX_TERMS words, `*` only at the end of a word of MIN_PREFIX letters or more (elsewhere it
    is dropped and the word searched as it is), operators and brackets kept as they are."""
    out, notices, count = [], [], 0

    def note(code):
        if code not in notices:
            notices.append(code)

    for part in QUERY_TOKEN.findall(text):
        if part == ")":
            out.append(part)
            continue
        if count >= MAX_TERMS:
            if re.search(r"\w", part) and part not in OPERATORS:
                note(TOO_MANY_TERMS)
            continue
        if part.lstrip("-+").startswith('"'):
            words = re.findall(r"\w+", part)
            if "*" in part or "?" in part:
                note(WILDCARD_IGNORED)
            if len(words) > MAX_TERMS - count:
                note(TOO_MANY_TERMS)
                words = words[:MAX_TERMS - count]
            if words:
                out.append(part[0].strip('"') + '"' + " ".join(words) + '"')
                count += len(words)
            continue
        if part == "(" or part in OPERATORS:
            out.append(part)
            continue
        sign = re.match(r"[-+]*", part).group()[:1]
        body = part.lstrip("-+")
        pieces = [body]
        if "*" in body or "?" in body:
            if _PREFIX.fullmatch(body):
                pieces = [body.rstrip("*") + "*"]
            else:
                note(WILDCARD_IGNORED)
                pieces = [piece for piece in re.split(r"[*?]+", body) if piece]
        for piece in pieces:
            if not re.search(r"\w", piece):
                continue
            if count >= MAX_TERMS:
                note(TOO_MANY_TERMS)
                break
            out.append(sign + piece)
            count += 1
    return " ".join(out), notices
