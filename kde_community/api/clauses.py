"""Clause sets and their clauses: versions with ETag/If-Match, word diffs, suggestions.

A set the reader may not see does not exist here: every route answers 404 for it, never 403
(participants-only sets leak nothing, not even that they exist).
"""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from ..accounts.models import User
from ..clauses import services
from ..clauses.models import Clause, ClauseSet, Release, Suggestion
from ..content.services import StaleEdit
from ..extensions import db
from ..ratelimits import setting
from . import schemas
from .core import (
    PreconditionFailed,
    api_actor,
    etag,
    if_match_revision,
    iso,
    page_json,
    require_actor,
    route,
    stale_message,
)

WRITE_LIMIT = setting("KDE_API_WRITE_LIMIT")
TAG = "clauses"


# --- links to the HTML pages -------------------------------------------------------------------

def set_url(set_id: int) -> str:
    return url_for("clauses.detail", set_id=set_id, _external=True)


def clause_url(clause: Clause) -> str:
    return url_for("clauses.clause", set_id=clause.set_id, clause_id=clause.id, _external=True)


def suggestion_url(suggestion: Suggestion) -> str:
    return url_for("clauses.suggestion", set_id=suggestion.set_id, suggestion_id=suggestion.id,
                   _external=True)


# --- JSON -------------------------------------------------------------------------------------

def clause_json(clause: Clause) -> dict:
    return {
        "id": clause.id,
        "set_id": clause.set_id,
        "number": clause.position,
        "heading": clause.heading,
        "text": clause.text,
        "explanation": clause.explanation,
        "source_reference": clause.source_reference,
        "obligations": [o.id for o in clause.obligations],
        "version": clause.revision,
        "url": clause_url(clause),
        "created_at": iso(clause.created_at),
        "updated_at": iso(clause.updated_at),
    }


def set_json(clause_set: ClauseSet) -> dict:
    lead = clause_set.lead_organisation
    return {
        "id": clause_set.id,
        "title": clause_set.title,
        "purpose": clause_set.purpose,
        "purchase_kind": clause_set.purchase_kind,
        "visibility": clause_set.visibility,
        "status": clause_set.status,
        "consultation_until": iso(clause_set.consultation_until),
        "lead_organisation": {"slug": lead.slug, "name": lead.name, "type": lead.type},
        "version": clause_set.revision,
        "url": set_url(clause_set.id),
        "created_at": iso(clause_set.created_at),
        "updated_at": iso(clause_set.updated_at),
    }


def release_json(release: Release) -> dict:
    return {
        "id": release.id,
        "label": release.label,
        "notes": release.notes,
        "created_at": iso(release.created_at),
        "adopted_by": [a.organisation.slug for a in release.adoptions],
    }


def set_detail_json(clause_set: ClauseSet) -> dict:
    """The set as loaded by `get_visible_set_or_404` (everything up front: a fixed number of
    queries however many clauses, participants and releases)."""
    return {
        **set_json(clause_set),
        "participants": [{"slug": p.organisation.slug, "name": p.organisation.name,
                          "role": p.role} for p in clause_set.participants],
        "clauses": [clause_json(c) for c in clause_set.clauses],
        "releases": [release_json(r) for r in clause_set.releases],
    }


def suggestion_json(suggestion: Suggestion) -> dict:
    return {
        "id": suggestion.id,
        "set_id": suggestion.set_id,
        "clause_id": suggestion.clause_id,
        "kind": suggestion.kind,
        "base_version": suggestion.base_revision,
        "heading": suggestion.heading,
        "text": suggestion.text,
        "explanation": suggestion.explanation,
        "rationale": suggestion.rationale,
        "status": suggestion.status,
        "author": {"name": suggestion.author.name},
        "url": suggestion_url(suggestion),
        "created_at": iso(suggestion.created_at),
    }


def _reload_set(clause_set: ClauseSet, viewer: User) -> dict:
    """The set as its GET shows it, after a write in this request."""
    db.session.flush()
    db.session.expire(clause_set)
    return set_detail_json(services.get_visible_set_or_404(clause_set.id, viewer))


# --- sets -------------------------------------------------------------------------------------

@route("/clause-sets", summary="List clause sets you may see", tag=TAG,
       query=schemas.ClauseSetQuery, response=schemas.page_of(schemas.ClauseSet),
       description="Newest change first. Participants-only sets are listed for their "
                   "participating organisations only.")
def list_clause_sets(query: schemas.ClauseSetQuery):
    page = services.list_sets(api_actor(), status=query.status, purchase_kind=query.purchase_kind,
                              obligation_id=query.obligation, law_slug=query.law,
                              page=query.page, per_page=query.per_page)
    return page_json(page, set_json)


@route("/clause-sets", "POST", summary="Start a clause set", tag=TAG, auth=True,
       body=schemas.ClauseSetInput, response=schemas.ClauseSetDetail, limit=WRITE_LIMIT,
       description="The set starts in `concept`, led by your organisation (always an editor).")
def create_clause_set(body: schemas.ClauseSetInput):
    actor = require_actor()
    clause_set = services.create_set(actor, body.model_dump(exclude_unset=True))
    return _reload_set(clause_set, actor)


@route("/clause-sets/<int:set_id>", summary="One clause set with its clauses, participants "
       "and releases", tag=TAG, response=schemas.ClauseSetDetail)
def get_clause_set(set_id: int):
    return set_detail_json(services.get_visible_set_or_404(set_id, api_actor()))


@route("/clause-sets/<int:set_id>/clauses", "POST", summary="Add a clause at the end of a set",
       tag=TAG, auth=True, body=schemas.ClauseInput, response=schemas.Clause,
       limit=WRITE_LIMIT, description="Editors of the set only (403 for other readers).")
def create_clause(set_id: int, body: schemas.ClauseInput):
    actor = require_actor()
    clause_set = services.get_visible_set_or_404(set_id, actor)
    return clause_json(services.add_clause(actor, clause_set, body.model_dump(exclude_unset=True)))


# --- clauses ----------------------------------------------------------------------------------

@route("/clauses/<int:clause_id>", summary="One clause", tag=TAG, response=schemas.Clause,
       etag=True)
def get_clause(clause_id: int):
    clause = services.get_visible_clause_or_404(clause_id, api_actor())
    return clause_json(clause), 200, etag(clause.revision)


@route("/clauses/<int:clause_id>", "PUT", summary="Write a new version of a clause", tag=TAG,
       auth=True, body=schemas.ClauseUpdate, response=schemas.Clause, if_match=True, etag=True,
       limit=WRITE_LIMIT,
       description="Send `If-Match` with the version you edited: 412 when someone saved a "
                   "newer one in the meantime (GET it, merge, send again), 428 without it. "
                   "Editors of the set only.")
def update_clause(clause_id: int, body: schemas.ClauseUpdate):
    actor = require_actor()
    clause = services.get_visible_clause_or_404(clause_id, actor)
    base = if_match_revision(clause.revision)
    try:
        services.edit_clause(actor, clause, body.model_dump(exclude_unset=True),
                             base_revision=base)
    except StaleEdit:
        raise PreconditionFailed(stale_message()) from None
    return clause_json(clause), 200, etag(clause.revision)


@route("/clauses/<int:clause_id>/versions", summary="Every version of a clause you may read",
       tag=TAG, response=schemas.ClauseVersions)
def clause_versions(clause_id: int):
    viewer = api_actor()
    clause = services.get_visible_clause_or_404(clause_id, viewer)
    revisions = services.clause_versions(clause, viewer)
    author_ids = {r.author_id for r in revisions if r.author_id}
    if author_ids:  # one query; each revision's author then comes from the identity map
        list(db.session.scalars(select(User).where(User.id.in_(author_ids))))
    return {"clause_id": clause.id, "items": [{
        "number": r.number,
        "heading": _text(r.fields.get("heading")),
        "text": _text(r.fields.get("text")),
        "explanation": _text(r.fields.get("explanation")),
        "source_reference": _text(r.fields.get("source_reference")),
        "obligations": [str(o) for o in r.fields.get("obligations") or []],
        "author": {"name": r.author.name} if r.author is not None else None,
        "created_at": iso(r.created_at),
    } for r in revisions]}


def _text(value) -> str:
    return value if isinstance(value, str) else ""


@route("/clauses/<int:clause_id>/diff", summary="Word diff between two versions of a clause",
       tag=TAG, query=schemas.ClauseDiffQuery, response=schemas.ClauseDiff,
       description="Per field: escaped HTML with <ins>/<del> around the words that changed. "
                   "404 when either version does not exist or is not yours to read.")
def clause_diff(clause_id: int, query: schemas.ClauseDiffQuery):
    viewer = api_actor()
    clause = services.get_visible_clause_or_404(clause_id, viewer)
    to = query.to or clause.revision
    start = query.from_version or max(to - 1, 1)
    old, new, diffs = services.clause_diff(clause, viewer, start, to)
    return {"clause_id": clause.id, "from_version": old.number, "to_version": new.number,
            "fields": [{"field": d.field, "html": str(d.html), "changed": d.changed}
                       for d in diffs]}


@route("/clauses/<int:clause_id>/suggestions", "POST", summary="Suggest a change, a new "
       "clause or a deletion", tag=TAG, auth=True, body=schemas.SuggestionInput,
       response=schemas.Suggestion, limit=WRITE_LIMIT,
       description="Contributors and editors; during an open consultation every member who "
                   "may see the set. A `new` clause is proposed for this clause's set.")
def create_suggestion(clause_id: int, body: schemas.SuggestionInput):
    actor = require_actor()
    clause = services.get_visible_clause_or_404(clause_id, actor)
    data = {**body.model_dump(exclude_unset=True), "clause_id": clause.id}
    return suggestion_json(services.suggest(actor, clause.clause_set, data))
