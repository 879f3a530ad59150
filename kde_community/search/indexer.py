"""The indexer: the consumer of domain events that keeps the search index up to date.

It maps events to the documents they change and refreshes those, in batches, through the
backend's `refresh` (which reads the documents once it holds the index's write lock, so the
newest text wins whichever worker writes last). Refreshing is idempotent: a document is read
from the database as it is now, never patched from an event's payload, so an event handled
twice or late does no harm.

Events it does not handle (votes, comments, follows, flags, reactions, accepted answers,
closing, attachments …) change nothing in any document and get no delivery at all. An edit
whose `fields` are all outside the documents (a question's obligations, a law's stage) is
skipped too.

Now and then (`KDE_RECONCILE_INTERVAL`, 10 minutes, and when a worker starts) it reconciles
incrementally: rows whose `updated_at` moved since the last reconciliation (with an overlap
for clocks and long transactions), the documents built on them, and index entries whose row
is gone. The first reconciliation of an index (no watermark yet) compares everything, once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from .. import events
from ..dbtypes import utcnow
from ..extensions import db
from .backend import IndexBusy
from .models import Searchable
from .services import backend, load_documents

CONSUMER = "indexer"
CHUNK = 500  # documents per index commit
OVERLAP = timedelta(minutes=5)
RECONCILE_SECONDS = 600

CONTRIBUTION_EVENTS = frozenset({
    "question.asked", "question.edited", "answer.posted", "answer.edited",
    "practice.published", "practice.edited", "practice.deleted",
    "content.hidden", "content.restored", "content.deleted",
    # Accepting an invitation makes a co-author a writer, who then finds the write-up
    # whatever its audience (the document's `writers`).
    "invitation.answered",
})
REFERENCE_EVENTS = frozenset({
    "law.changed", "obligation.changed", "organisation.changed", "network.changed",
    # A frontrunner topic is a document, and its subject is named in its organisation's.
    "frontrunner.changed",
})
# Everything that changes a clause set's document names the set (payload `set_id`).
CLAUSE_EVENTS = frozenset({
    "clause_set.created", "clause_set.edited", "clause_set.status_changed",
    "clause_set.participants_changed", "clause_set.reordered", "clause.added", "clause.edited",
    "clause.removed", "suggestion.made", "suggestion.decided", "release.made",
})
HANDLED = CONTRIBUTION_EVENTS | REFERENCE_EVENTS | CLAUSE_EVENTS

# Changed fields (an edit's `fields` payload) that are in no document: such an edit is skipped.
# Anything not listed refreshes, so a field added to a document later is never missed.
UNINDEXED = {
    "question": {"obligations"},
    "practice": {"obligations", "failure_causes"},
    # A law's document: names, aliases, CELEX, summaries and Dutch implementation in both
    # languages, full title, themes and its first milestone's date (`obligations`: an
    # obligation's start date moved; the obligation's own event refreshes it).
    "law": {"stage", "stage_note", "instrument", "sources", "checked_on", "input_moments",
            "amends", "repeals", "related", "obligations", "changed_at", "edited_fields",
            "revision"},
    # An obligation's: article, titles and descriptions in both languages, addressee and
    # responsible roles, and its law's name and themes.
    "obligation": {"role", "applies_to", "applies_from", "applies_condition", "sources",
                   "checked_on", "edited_fields", "revision"},
    "organisation": {"inhabitants", "area_km2", "email_domains", "website"},
    "network": {"website"},
}
# A law's names feed every contribution's `laws` (a title naming "AI Act" is about the law).
LAW_NAMES = {"created", "short_name_nl", "short_name_en", "aliases", "abbreviations",
             "full_title", "slug"}
# An organisation's name and type are shown on its members' contributions.
ORG_SHOWN = {"created", "name", "type"}


def consumer(config) -> events.Consumer:
    """The indexer, as registered at app start (create_app)."""
    return events.Consumer(
        name=CONSUMER, events=HANDLED, handle=handle, periodic=reconcile,
        period=float(config.get("KDE_RECONCILE_INTERVAL") or RECONCILE_SECONDS))


# --- events -> documents ----------------------------------------------------------------------

def _indexed_change(event: events.Event) -> bool:
    fields = (event.payload or {}).get("fields")
    if not fields:
        return True
    return not set(fields) <= UNINDEXED.get(event.subject_type, set())


def keys_for(batch: Iterable[events.Event]) -> set[str]:
    """The documents a batch of events may have changed."""
    keys: set[str] = set()
    for event in batch:
        if event.name not in HANDLED or not _indexed_change(event):
            continue
        payload = event.payload or {}
        kind, subject = event.subject_type, event.subject_id
        if kind in ("question", "practice", "law", "obligation", "organisation", "network",
                    "frontrunner"):
            keys.add(f"{kind}:{subject}")
        elif kind == "answer" and payload.get("question_id"):
            keys.add(f"question:{payload['question_id']}")
        if event.name in CLAUSE_EVENTS and payload.get("set_id"):
            keys.add(f"clause_set:{payload['set_id']}")
        # comments, and anything else, are in no document
        fields = set(payload.get("fields") or ["created"])
        if event.name == "law.changed":
            keys |= _law_dependants(subject, everything=bool(fields & LAW_NAMES))
        elif event.name == "organisation.changed" and fields & ORG_SHOWN:
            keys |= _contributions_of(subject)
        elif event.name == "network.changed":
            keys |= {f"organisation:{i}" for i in payload.get("organisation_ids") or []}
        elif event.name == "frontrunner.changed" and payload.get("organisation_id"):
            keys.add(f"organisation:{payload['organisation_id']}")
    return keys


def _law_dependants(law_id: int, *, everything: bool) -> set[str]:
    from ..laws.models import Obligation
    from ..practices.models import Practice
    from ..questions.models import Question

    keys = {f"obligation:{i}" for i in db.session.scalars(
        select(Obligation.id).where(Obligation.law_id == law_id))}
    if everything:
        # A new or renamed law: any contribution may name it.
        keys |= {f"question:{i}" for i in db.session.scalars(select(Question.id))}
        keys |= {f"practice:{i}" for i in db.session.scalars(select(Practice.id))}
    return keys


def _contributions_of(org_id: int) -> set[str]:
    from ..practices.models import Practice
    from ..questions.models import Question

    keys = {f"question:{i}" for i in db.session.scalars(
        select(Question.id).where(Question.organisation_id == org_id))}
    return keys | {f"practice:{i}" for i in db.session.scalars(
        select(Practice.id).where(Practice.organisation_id == org_id))}


def handle(batch: list[events.Event]) -> int:
    """The indexer's handler: refresh the documents the batch changed."""
    keys = keys_for(batch)
    return refresh(keys) if keys else 0


def refresh(keys: Iterable[str]) -> int:
    """Refresh documents in chunks (one index commit each); returns how many entries changed."""
    keys = sorted(keys)
    changed = 0
    try:
        for start in range(0, len(keys), CHUNK):
            changed += backend().refresh(keys[start:start + CHUNK], load_documents)
    except IndexBusy as exc:
        raise events.Busy(str(exc)) from exc
    return changed


# --- reconciliation ---------------------------------------------------------------------------

def changed_keys(since) -> set[str]:
    """Documents built on rows whose updated_at is `since` or later."""
    from sqlalchemy import or_

    from ..clauses.models import Clause, Suggestion
    from ..directory.models import FrontrunnerTopic, Network, Organisation, network_members
    from ..practices.models import Practice, PracticeInvitation
    from ..questions.models import Answer, Question

    keys: set[str] = set()
    for doc_type, cls in Searchable.registry.items():
        keys |= {f"{doc_type}:{i}" for i in db.session.scalars(
            select(cls.id).where(cls.updated_at >= since))}
    # Parts of other documents: answers in their question, invitations in a write-up's
    # writers, an organisation's name on its contributions, a network's on its members.
    keys |= {f"question:{i}" for i in db.session.scalars(
        select(Answer.question_id).where(Answer.updated_at >= since))}
    keys |= {f"practice:{i}" for i in db.session.scalars(
        select(PracticeInvitation.practice_id).where(PracticeInvitation.answered_at >= since))}
    renamed = select(Organisation.id).where(Organisation.updated_at >= since)
    keys |= {f"question:{i}" for i in db.session.scalars(
        select(Question.id).where(Question.organisation_id.in_(renamed)))}
    keys |= {f"practice:{i}" for i in db.session.scalars(
        select(Practice.id).where(Practice.organisation_id.in_(renamed)))}
    keys |= {f"organisation:{i}" for i in db.session.scalars(
        select(network_members.c.organisation_id).join(
            Network, Network.id == network_members.c.network_id)
        .where(Network.updated_at >= since))}
    keys |= {f"organisation:{i}" for i in db.session.scalars(
        select(FrontrunnerTopic.organisation_id).where(FrontrunnerTopic.updated_at >= since))}
    keys |= {f"clause_set:{i}" for i in db.session.scalars(
        select(Clause.set_id).where(Clause.updated_at >= since))}
    keys |= {f"clause_set:{i}" for i in db.session.scalars(
        select(Suggestion.set_id).where(or_(Suggestion.created_at >= since,
                                            Suggestion.decided_at >= since)))}
    return keys


def database_keys() -> set[str]:
    """A key for every row of every searchable type (indexed or not: hidden rows are found
    by their updated_at)."""
    keys: set[str] = set()
    for doc_type, cls in Searchable.registry.items():
        keys |= {f"{doc_type}:{i}" for i in db.session.scalars(select(cls.id))}
    return keys


def reconcile(*, full: bool = False) -> int:
    """Make the index agree with rows changed since the last reconciliation (everything, the
    first time or with `full`); returns how many entries changed."""
    from .services import check

    engine = backend()
    started = utcnow()
    mark = None if full else engine.watermark()
    if mark is None:
        keys = set(check().keys)
    else:
        keys = changed_keys(mark - OVERLAP) | (engine.keys() - database_keys())
    changed = refresh(keys)
    engine.set_watermark(started)
    if changed:
        current_app.logger.info("search: reconciled %d documents", changed)
    return changed


def drain() -> int:
    """Every pending event now, then an incremental reconciliation (search.services.drain)."""
    indexer = events.consumer(CONSUMER)
    handled = 0
    while done := events.deliver(indexer):
        handled += done
    reconcile()
    return handled
