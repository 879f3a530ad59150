"""The one way into the search engine: building documents, searching, rebuilding, checking.

The database is the truth and the index a cache of it. Changes reach the index through domain
events handled by the indexer in the worker (indexer.py); `reindex` rebuilds it and `check`
compares it with what the database says it should hold. The engine is whatever
`KDE_SEARCH_BACKEND` chose (backend.py); nothing here knows which.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import lru_cache

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..accounts.models import User
from ..dbtypes import utcnow
from ..extensions import db
from ..laws.models import Law, Theme
from ..permissions import is_member
from . import backend as engine
from .analysis import is_word
from .backend import TIME_BUDGET, Results, SearchBackend, normalise, stamp
from .models import Searchable


def backend() -> SearchBackend:
    """The app's search engine, made at start (create_app)."""
    return current_app.extensions["kde_search"]


# --- documents --------------------------------------------------------------------------------

@dataclass(frozen=True)
class LawAlias:
    slug: str
    phrase: str  # normalised
    # Set when the alias is also an ordinary word ("Who", the Dutch open data act, is English
    # "who"): then only this exact spelling names the law.
    exact: str | None = None

    def pattern(self) -> re.Pattern:
        """Where the alias stands in text: as written when exact, else in any case and with
        any punctuation between its words ("nis-2", "AI Act")."""
        return _alias_pattern(self.phrase, self.exact)


@lru_cache(maxsize=8192)
def _alias_pattern(phrase: str, exact: str | None) -> re.Pattern:
    if exact:
        return re.compile(r"(?<!\w)" + re.escape(exact) + r"(?!\w)")
    return re.compile(r"(?<![\w])" + r"[\W_]*".join(map(re.escape, phrase.split()))
                      + r"(?![\w])", re.IGNORECASE)


def law_aliases() -> list[LawAlias]:
    """Every name a law goes by, longest first (so "AI Act" beats "AI")."""
    result = []
    for law in db.session.scalars(select(Law)):
        names = {law.short_name_nl, law.short_name_en, law.slug.replace("-", " "), *law.aliases,
                 *law.abbreviations}
        for match in re.findall(r"\d{4}/\d{1,4}", " ".join([law.full_title, *law.aliases])):
            names.add(match)
        for name in names:
            phrase = normalise(name)
            for variant in {phrase, re.sub(r"\beu\b ?", "", phrase).strip()}:
                if len(variant) >= 3 and not variant.isdigit():
                    exact = name if variant == phrase and is_word(variant) else None
                    result.append(LawAlias(law.slug, variant, exact))
    result.sort(key=lambda a: -len(a.phrase))
    return result


def theme_names() -> dict[str, str]:
    """slug -> the theme's Dutch and English names."""
    return {theme.slug: f"{theme.name_nl} {theme.name_en}"
            for theme in db.session.scalars(select(Theme))}


@dataclass(frozen=True)
class Vocabulary:
    """What documents are read with: the laws' names and the themes' names."""

    aliases: list[LawAlias]
    themes: dict[str, str]


def vocabulary() -> Vocabulary:
    return Vocabulary(law_aliases(), theme_names())


def mentioned_laws(text: str, aliases: list[LawAlias]) -> set[str]:
    padded = f" {normalise(text)} "
    return {a.slug for a in aliases
            if (a.pattern().search(text) if a.exact else f" {a.phrase} " in padded)}


def build_document(obj: Searchable, words: Vocabulary) -> dict | None:
    doc = obj.search_document()
    if doc is None:
        return None
    doc["laws"] = sorted(set(doc.get("laws") or []) | mentioned_laws(
        f"{doc.get('title', '')} {doc.get('body', '')}", words.aliases))
    # A document about a theme is found by the theme's name ("Data en datadelen").
    names = [words.themes[slug] for slug in doc.get("themes") or [] if slug in words.themes]
    if names:
        doc["extra"] = " ".join([doc.get("extra") or "", *names]).strip()
    if callable(getattr(obj, "writer_ids", None)):
        # Writers see their own write-up whatever its audience (permissions.can_view_practice).
        doc["writers"] = sorted(obj.writer_ids())
    doc["stamp"] = stamp(doc)
    return doc


def documents(doc_type: str, ids: Collection[int] | None, words: Vocabulary):
    """(key, document or None) for the given ids of one type; all rows when ids is None."""
    cls = Searchable.registry[doc_type]
    query = cls.search_query()
    if ids is not None:
        query = query.where(cls.id.in_(list(ids)))
    found = set()
    for obj in db.session.scalars(query).unique():
        found.add(obj.id)
        yield f"{doc_type}:{obj.id}", build_document(obj, words)
    for missing in set(ids or []) - found:
        yield f"{doc_type}:{missing}", None


def load_documents(keys: Collection[str]) -> dict[str, dict | None]:
    """The current document for each key ("type:id"); None: it must not be in the index."""
    by_type: dict[str, set[int]] = {}
    changes: dict[str, dict | None] = {}
    for key in keys:
        doc_type, _, raw_id = key.partition(":")
        if doc_type in Searchable.registry and raw_id.isdigit():
            by_type.setdefault(doc_type, set()).add(int(raw_id))
        else:
            changes[key] = None  # a type or key this version no longer indexes
    if by_type:
        words = vocabulary()
        for doc_type, ids in by_type.items():
            changes.update(documents(doc_type, sorted(ids), words))
    return changes


def all_documents(words: Vocabulary | None = None):
    words = words if words is not None else vocabulary()
    for doc_type in Searchable.registry:
        for key, doc in documents(doc_type, None, words):
            if doc is not None:
                yield key, doc


def count_documents() -> int:
    total = 0
    for cls in Searchable.registry.values():
        total += db.session.scalar(select(func.count()).select_from(
            cls.search_query().subquery())) or 0
    return total


# --- rebuild and check ------------------------------------------------------------------------

def reindex(progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the index from the database in one commit (searches see the old index until
    then). Pending events stay pending: the worker refreshes those documents again, which is
    harmless, and so nothing committed during the rebuild is lost."""
    started = utcnow()
    engine = backend()

    def docs():
        for _key, doc in all_documents():
            if progress:
                progress(1)
            yield doc

    n = engine.rebuild(docs(), timeout=120.0)
    engine.set_watermark(started)
    return n


@dataclass
class Differences:
    missing: list[str]
    extra: list[str]
    stale: list[str]

    @property
    def ok(self) -> bool:
        return not (self.missing or self.extra or self.stale)

    @property
    def keys(self) -> list[str]:
        return [*self.missing, *self.extra, *self.stale]


def check() -> Differences:
    """Every document compared with its index entry (what `search check` prints)."""
    expected = {key: doc["stamp"] for key, doc in all_documents()}
    actual = backend().stamps()
    return Differences(
        missing=sorted(set(expected) - set(actual)),
        extra=sorted(set(actual) - set(expected)),
        stale=sorted(k for k in set(expected) & set(actual) if expected[k] != actual[k]),
    )


def pending() -> int:
    """Events the indexer has not handled yet."""
    from ..events import pending as pending_deliveries
    from .indexer import CONSUMER

    return pending_deliveries(CONSUMER)


def drain() -> int:
    """Bring the index up to date now, without a worker (tests, scripts): every pending event,
    then a reconciliation of rows changed without one (fixtures, direct SQL)."""
    from .indexer import drain as drain_indexer

    return drain_indexer()


def reconcile(*, full: bool = False) -> int:
    from .indexer import reconcile as reconcile_index

    return reconcile_index(full=full)


# --- searching --------------------------------------------------------------------------------

NOTICES = {
    engine.TOO_MANY_TERMS: _l("Uw zoekopdracht had te veel woorden; we zochten op de eerste "
                              "%(n)s.", n=engine.MAX_TERMS),
    engine.WILDCARD_IGNORED: _l("Een * werkt alleen aan het eind van een woord van minstens "
                                "%(n)s letters, zoals toegankelijk*; we zochten op het woord "
                                "zelf.", n=engine.MIN_PREFIX),
    engine.PREFIX_CAPPED: _l("Een woord met * staat hier voor heel veel woorden; we zochten op "
                             "de %(n)s die het meest voorkomen.", n=engine.MAX_EXPANSIONS),
    engine.TOO_BROAD: _l("Deze zoekopdracht is te breed; maak hem specifieker."),
}


def notices(results: Results) -> list[dict]:
    """What the bounds cut from this query, in the reader's language (HTML and API)."""
    return [{"code": code, "message": str(NOTICES[code])} for code in results.notices]


def _audience(viewer: User | None) -> dict:
    member = is_member(viewer)
    return {"members": member, "org_id": viewer.organisation_id if member else None,
            "user_id": viewer.id if member else None}


def _time_budget() -> float:
    return current_app.config.get("KDE_SEARCH_TIME_BUDGET", TIME_BUDGET)


def named_laws(text: str, aliases: list[LawAlias]) -> tuple[str, list[str]]:
    """The text without the law names in it, and the slugs of the laws they name."""
    slugs: list[str] = []
    for alias in aliases:
        pattern = alias.pattern()
        if pattern.search(text):
            text = pattern.sub(" ", text)
            if alias.slug not in slugs:
                slugs.append(alias.slug)
    return text, slugs


def search(viewer: User | None, text: str, *, filters: dict | None = None, sort: str = "relevance",
           page: int = 1, per_page: int = 20, autocorrect: bool = False) -> Results:
    """What the viewer may see, for a query bounded in words, prefixes and time (backend.py);
    what was cut is in `Results.notices`. With `autocorrect`, a query that finds nothing but
    has a "did you mean" shows that query's hits instead (`Results.corrected_from`)."""
    text = "".join(c for c in (text or "")[:500] if c.isprintable())
    results = _search(viewer, text, filters=filters or {}, sort=sort, page=page,
                      per_page=per_page)
    if autocorrect and not results.total and results.suggestion:
        corrected = _search(viewer, results.suggestion, filters=filters or {}, sort=sort,
                            page=page, per_page=per_page)
        if corrected.total:
            corrected.corrected_from, corrected.suggestion = text, results.suggestion
            return corrected
    return results


def _search(viewer, text: str, *, match: str = "all", time_budget: float | None = None,
            **kwargs) -> Results:
    rest, law_terms = named_laws(text, law_aliases())
    return backend().search(rest if law_terms else text, audience=_audience(viewer),
                            law_terms=law_terms, match=match,
                            time_budget=time_budget or _time_budget(), **kwargs)


def similar_questions(viewer: User | None, title: str, *, exclude_id: int | None = None,
                      limit: int = 5) -> list:
    """Questions the viewer may see that look like `title`, most relevant first: ranked by the
    same engine, analysis and audience rules as every search, matching any of its words (more
    of them ranks higher). Hidden and deleted questions are never in the index; the database
    is asked once more for the audience so a stale entry shows nothing."""
    from ..permissions import visible_audience_clause
    from ..questions.models import Question

    # Plain words only: a title is no query (no operators, phrases or wildcards).
    text = " ".join(word for word in re.findall(r"\w+", (title or "")[:300])
                    if word not in engine.OPERATORS)
    limit = max(1, min(int(limit), 20))
    if not text:
        return []
    results = _search(viewer, text, match="any", filters={"type": "question"}, page=1,
                      per_page=limit + 1, time_budget=min(_time_budget(), 0.5))
    ids = [hit.id for hit in results.items if hit.id != exclude_id][:limit]
    if not ids:
        return []
    found = {q.id: q for q in db.session.scalars(
        select(Question).where(Question.id.in_(ids), visible_audience_clause(viewer, Question)))}
    return [found[i] for i in ids if i in found]
