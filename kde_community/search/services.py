"""The one way into the search engine: queueing changes, applying them, searching.

The database is the truth. Every change to a searchable row adds an outbox row in the same
transaction; one writer per data directory applies the outbox to the index. A rebuild and a
check compare the index with what the database says it should hold.
"""

from __future__ import annotations

import fcntl
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import delete, event, func, insert, select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..extensions import db
from ..laws.models import Law
from ..permissions import is_member
from .index import TIME_BUDGET, Results, WhooshBackend, normalise, stamp
from .models import Searchable, SearchOutbox

BATCH = 500


def backend() -> WhooshBackend:
    return WhooshBackend(Path(current_app.config["KDE_DATA_DIR"]) / "search")


# --- queueing changes in the same transaction ------------------------------------------------

def _queue_changes(session: Session, _flush_context) -> None:
    keys: set[tuple[str, int]] = set()
    for obj in [*session.new, *session.dirty, *session.deleted]:
        if isinstance(obj, Searchable) and (obj in session.new or obj in session.deleted
                                            or session.is_modified(obj)):
            keys.update(obj.search_keys())
    keys = {(t, i) for t, i in keys if t and i is not None}
    if keys:
        session.connection().execute(insert(SearchOutbox), [
            {"doc_type": doc_type, "doc_id": doc_id} for doc_type, doc_id in sorted(keys)])


def install_outbox_hook() -> None:
    if not event.contains(Session, "after_flush", _queue_changes):
        event.listen(Session, "after_flush", _queue_changes)


# --- documents --------------------------------------------------------------------------------

@dataclass(frozen=True)
class LawAlias:
    slug: str
    phrase: str  # normalised


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
                    result.append(LawAlias(law.slug, variant))
    result.sort(key=lambda a: -len(a.phrase))
    return result


def mentioned_laws(text: str, aliases: list[LawAlias]) -> set[str]:
    padded = f" {normalise(text)} "
    return {a.slug for a in aliases if f" {a.phrase} " in padded}


def build_document(obj: Searchable, aliases: list[LawAlias]) -> dict | None:
    doc = obj.search_document()
    if doc is None:
        return None
    doc["laws"] = sorted(set(doc.get("laws") or []) | mentioned_laws(
        f"{doc.get('title', '')} {doc.get('body', '')}", aliases))
    if callable(getattr(obj, "writer_ids", None)):
        # Writers see their own write-up whatever its audience (permissions.can_view_practice).
        doc["writers"] = sorted(obj.writer_ids())
    doc["stamp"] = stamp(doc)
    return doc


def documents(doc_type: str, ids: list[int] | None, aliases: list[LawAlias]):
    """(key, document or None) for the given ids of one type; all rows when ids is None."""
    cls = Searchable.registry[doc_type]
    query = cls.search_query()
    if ids is not None:
        query = query.where(cls.id.in_(ids))
    found = set()
    for obj in db.session.scalars(query).unique():
        found.add(obj.id)
        yield f"{doc_type}:{obj.id}", build_document(obj, aliases)
    for missing in set(ids or []) - found:
        yield f"{doc_type}:{missing}", None


# --- applying the outbox ---------------------------------------------------------------------

def pending() -> int:
    return db.session.scalar(select(func.count()).select_from(SearchOutbox)) or 0


def process_outbox(limit: int = BATCH) -> int:
    """Apply queued changes to the index; returns how many outbox rows were done.

    Rows are removed only after the index committed, so a crash in between means the same
    documents are refreshed again: never lost.
    """
    rows = list(db.session.execute(
        select(SearchOutbox.id, SearchOutbox.doc_type, SearchOutbox.doc_id)
        .order_by(SearchOutbox.id).limit(limit)))
    if not rows:
        return 0
    wanted: dict[str, set[int]] = {}
    for _id, doc_type, doc_id in rows:
        if doc_type in Searchable.registry:
            wanted.setdefault(doc_type, set()).add(doc_id)
    aliases = law_aliases()
    changes = {}
    for doc_type, ids in wanted.items():
        changes.update(documents(doc_type, sorted(ids), aliases))
    backend().apply(changes)
    db.session.execute(delete(SearchOutbox).where(SearchOutbox.id <= rows[-1][0]))
    db.session.commit()
    return len(rows)


def drain() -> int:
    """Process the whole outbox now (tests, CLI)."""
    total = 0
    while done := process_outbox():
        total += done
    return total


# --- rebuild and check -----------------------------------------------------------------------

def all_documents(aliases: list[LawAlias] | None = None):
    aliases = aliases if aliases is not None else law_aliases()
    for doc_type in Searchable.registry:
        for key, doc in documents(doc_type, None, aliases):
            if doc is not None:
                yield key, doc


def count_documents() -> int:
    total = 0
    for cls in Searchable.registry.values():
        total += db.session.scalar(select(func.count()).select_from(
            cls.search_query().subquery())) or 0
    return total


def reindex(progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the index from the database."""
    high_water = db.session.scalar(select(func.max(SearchOutbox.id)))
    engine = backend()
    engine.clear()

    def docs():
        for _key, doc in all_documents():
            if progress:
                progress(1)
            yield doc

    n = engine.add_many(docs())
    if high_water is not None:
        db.session.execute(delete(SearchOutbox).where(SearchOutbox.id <= high_water))
        db.session.commit()
    return n


@dataclass
class Differences:
    missing: list[str]
    extra: list[str]
    stale: list[str]

    @property
    def ok(self) -> bool:
        return not (self.missing or self.extra or self.stale)


def check() -> Differences:
    expected = {key: doc["stamp"] for key, doc in all_documents()}
    actual = backend().stamps()
    return Differences(
        missing=sorted(set(expected) - set(actual)),
        extra=sorted(set(actual) - set(expected)),
        stale=sorted(k for k in set(expected) & set(actual) if expected[k] != actual[k]),
    )


def reconcile() -> Differences:
    """Make the index agree with the database (run by the writer at start)."""
    differences = check()
    if not differences.ok:
        keys = [*differences.missing, *differences.extra, *differences.stale]
        aliases = law_aliases()
        changes: dict[str, dict | None] = {}
        by_type: dict[str, list[int]] = {}
        for key in keys:
            doc_type, doc_id = key.split(":", 1)
            by_type.setdefault(doc_type, []).append(int(doc_id))
        for doc_type, ids in by_type.items():
            if doc_type in Searchable.registry:
                changes.update(documents(doc_type, ids, aliases))
            else:
                changes.update({f"{doc_type}:{i}": None for i in ids})
        backend().apply(changes)
    return differences


# --- searching -------------------------------------------------------------------------------

def search(viewer: User | None, text: str, *, filters: dict | None = None, sort: str = "relevance",
           page: int = 1, per_page: int = 20) -> Results:
    """What the viewer may see, for a query bounded in words, prefixes and time (index.py);
    what was cut is in `Results.notices`."""
    text = (text or "")[:500]
    text = "".join(c for c in text if c.isprintable())
    law_terms = []
    folded = normalise_keep_punctuation(text)
    for alias in law_aliases():
        pattern = r"(?<![\w])" + r"[\W_]*".join(map(re.escape, alias.phrase.split())) + r"(?![\w])"
        if re.search(pattern, folded):
            folded = re.sub(pattern, " ", folded)
            if alias.slug not in law_terms:
                law_terms.append(alias.slug)
    member = is_member(viewer)
    audience = {"members": member, "org_id": viewer.organisation_id if member else None,
                "user_id": viewer.id if member else None}
    return backend().search(folded if law_terms else text, audience=audience, law_terms=law_terms,
                            filters=filters or {}, sort=sort, page=page, per_page=per_page,
                            time_budget=current_app.config.get("KDE_SEARCH_TIME_BUDGET",
                                                               TIME_BUDGET))


def normalise_keep_punctuation(text: str) -> str:
    import unicodedata

    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c))


# --- the single writer -----------------------------------------------------------------------

class Indexer:
    """A daemon thread per process; the one holding the data directory's lock file writes."""

    def __init__(self, app: Flask, interval: float = 0.5):
        self.app = app
        self.interval = interval
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, name="kde-search-indexer", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def close(self, timeout: float = 10) -> None:
        self.stop.set()
        self.thread.join(timeout)

    def run(self) -> None:
        lock_path = Path(self.app.config["KDE_DATA_DIR"]) / "search.lock"
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        with lock_path.open("w") as lock:
            while not self.stop.is_set():
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    self.stop.wait(5)  # another process is the writer
                    continue
                self._write_loop()

    def _write_loop(self) -> None:
        with self.app.app_context():
            try:
                reconcile()
            except Exception:  # noqa: BLE001 — keep the writer alive; the outbox keeps the work
                self.app.logger.exception("Search reconciliation failed")
            finally:
                db.session.remove()
            last_reconcile = time.monotonic()
            while not self.stop.is_set():
                try:
                    if not process_outbox():
                        self.stop.wait(self.interval)
                    if time.monotonic() - last_reconcile > 600:
                        reconcile()
                        last_reconcile = time.monotonic()
                except Exception:  # noqa: BLE001
                    self.app.logger.exception("Search indexing failed; retrying")
                    db.session.rollback()
                    self.stop.wait(2)
                finally:
                    db.session.remove()
