"""Drafting clause sets together: writes and queries.

Every edit names the version it starts from; the version bump and the new revision are one
transaction (`content.services.bump_revision`: a conditional UPDATE), so of two edits on the
same base exactly one wins and the other gets `StaleEdit`. Services check permissions,
validate, flush and record events; the request (or CLI command) commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from .. import events
from ..accounts.models import User
from ..content.models import Revision
from ..content.services import (
    bump_revision,
    check_base,
    choice,
    clean_text,
    diff_revisions,
    record_revision,
)
from ..dbtypes import as_int, utcnow
from ..directory.models import Organisation
from ..errors import Forbidden, NotFound, ValidationError
from ..extensions import db
from ..laws.models import Obligation
from ..notifications import services as follows
from ..pagination import Page, paginate
from ..permissions import (
    can_adopt,
    can_create_clause_set,
    can_edit_clauses,
    can_moderate,
    can_suggest,
    can_view_clause_set,
    is_member,
)
from .models import (
    PURCHASE_KINDS,
    ROLES,
    SET_VISIBILITIES,
    STATUSES,
    SUGGESTION_KINDS,
    Adoption,
    ChangeLogEntry,
    Clause,
    ClauseSet,
    ClauseSetParticipant,
    Release,
    Suggestion,
)

TITLE_MAX = 200
PURPOSE_MAX = 5_000
HEADING_MAX = 200
TEXT_MAX = 20_000
EXPLANATION_MAX = 10_000
SOURCE_MAX = 300
RATIONALE_MAX = 5_000
NOTES_MAX = 5_000
LABEL_MAX = 40
MAX_CLAUSES = 200


# --- loading ----------------------------------------------------------------------------------

def get_visible_set_or_404(set_id, viewer: User | None) -> ClauseSet:
    """The set with what its page shows loaded up front; 404 when absent or not for the viewer
    (participants-only sets do not exist for outsiders)."""
    clause_set = db.session.scalar(
        select(ClauseSet).where(ClauseSet.id == (as_int(set_id) or 0)).options(
            selectinload(ClauseSet.lead_organisation),
            selectinload(ClauseSet.participants).selectinload(ClauseSetParticipant.organisation),
            selectinload(ClauseSet.clauses).selectinload(Clause.obligations)
            .selectinload(Obligation.law),
            selectinload(ClauseSet.releases).selectinload(Release.adoptions)
            .selectinload(Adoption.organisation)))
    if clause_set is None or not can_view_clause_set(viewer, clause_set):
        raise NotFound()
    return clause_set


def get_visible_clause_or_404(clause_id, viewer: User | None) -> Clause:
    clause = db.session.get(Clause, as_int(clause_id) or 0)
    if clause is None or clause.deleted_at is not None \
            or not can_view_clause_set(viewer, clause.clause_set):
        raise NotFound()
    return clause


def get_suggestion_or_404(suggestion_id, viewer: User | None) -> Suggestion:
    suggestion = db.session.get(Suggestion, as_int(suggestion_id) or 0)
    if suggestion is None or not can_view_clause_set(viewer, suggestion.clause_set):
        raise NotFound()
    return suggestion


def get_release_or_404(release_id, viewer: User | None) -> Release:
    release = db.session.get(Release, as_int(release_id) or 0)
    if release is None or not can_view_clause_set(viewer, release.clause_set):
        raise NotFound()
    return release


def visible_sets_clause(viewer: User | None):
    """SQL filter: the sets the viewer may see in lists (the rules of can_view_clause_set)."""
    from sqlalchemy import and_, or_

    audience = [ClauseSet.visibility == "public"]
    if is_member(viewer):
        audience.append(ClauseSet.visibility == "members")
        participating = select(ClauseSetParticipant.set_id).where(
            ClauseSetParticipant.organisation_id == viewer.organisation_id)
        audience.append(and_(ClauseSet.visibility == "participants", or_(
            ClauseSet.lead_organisation_id == viewer.organisation_id,
            ClauseSet.id.in_(participating))))
    if can_moderate(viewer):
        return ClauseSet.deleted_at.is_(None)
    return and_(or_(*audience), ClauseSet.deleted_at.is_(None))


def list_sets(viewer: User | None, *, status: str | None = None, purchase_kind: str | None = None,
              obligation_id: int | None = None, law_slug: str | None = None,
              organisation_id: int | None = None, page: int = 1, per_page: int = 20) -> Page:
    query = select(ClauseSet).where(visible_sets_clause(viewer)).options(
        selectinload(ClauseSet.lead_organisation),
        selectinload(ClauseSet.releases).selectinload(Release.adoptions))
    if status:
        query = query.where(ClauseSet.status == status)
    if purchase_kind:
        query = query.where(ClauseSet.purchase_kind == purchase_kind)
    if obligation_id or law_slug:
        clause_ids = select(Clause.set_id).where(Clause.deleted_at.is_(None))
        if obligation_id:
            clause_ids = clause_ids.where(Clause.obligations.any(Obligation.id == obligation_id))
        if law_slug:
            from ..laws.models import Law

            clause_ids = clause_ids.where(Clause.obligations.any(
                Obligation.law.has(Law.slug == law_slug)))
        query = query.where(ClauseSet.id.in_(clause_ids))
    if organisation_id:
        adopted = select(Release.set_id).join(Adoption).where(
            Adoption.organisation_id == organisation_id)
        participating = select(ClauseSetParticipant.set_id).where(
            ClauseSetParticipant.organisation_id == organisation_id)
        from sqlalchemy import or_

        query = query.where(or_(ClauseSet.lead_organisation_id == organisation_id,
                                ClauseSet.id.in_(participating), ClauseSet.id.in_(adopted)))
    return paginate(query.order_by(ClauseSet.updated_at.desc(), ClauseSet.id.desc()),
                    page, per_page)


def clause_counts(set_ids: list[int]) -> dict[int, int]:
    """Live clauses per set for a list page: one aggregate query."""
    if not set_ids:
        return {}
    return dict(db.session.execute(
        select(Clause.set_id, func.count(Clause.id))
        .where(Clause.set_id.in_(set_ids), Clause.deleted_at.is_(None))
        .group_by(Clause.set_id)).all())


def adopted_set_counts(viewer: User | None, organisation_ids: list[int]) -> dict[int, int]:
    """How many clause sets (that the viewer may see) each organisation uses: one query, for
    the directory list."""
    if not organisation_ids:
        return {}
    return dict(db.session.execute(
        select(Adoption.organisation_id, func.count(func.distinct(Release.set_id)))
        .join(Release, Release.id == Adoption.release_id)
        .join(ClauseSet, ClauseSet.id == Release.set_id)
        .where(Adoption.organisation_id.in_(organisation_ids), visible_sets_clause(viewer))
        .group_by(Adoption.organisation_id)).all())


def clauses_for_obligations(viewer: User | None, obligation_ids: list[int]) -> dict[int, list]:
    """obligation id → the clauses (in sets the viewer may see) that implement it: one query."""
    if not obligation_ids:
        return {}
    from .models import clause_obligations

    rows = db.session.execute(
        select(clause_obligations.c.obligation_id, Clause)
        .join(Clause, Clause.id == clause_obligations.c.clause_id)
        .join(ClauseSet, ClauseSet.id == Clause.set_id)
        .where(clause_obligations.c.obligation_id.in_(obligation_ids),
               Clause.deleted_at.is_(None), visible_sets_clause(viewer))
        .options(selectinload(Clause.clause_set))
        .order_by(ClauseSet.title, Clause.position)).all()
    found: dict[int, list] = {}
    for obligation_id, clause in rows:
        found.setdefault(obligation_id, []).append(clause)
    return found


def adoptions_of(viewer: User | None, organisation_id: int) -> list[Adoption]:
    """The releases an organisation uses, of sets the viewer may see (organisation page)."""
    return list(db.session.scalars(
        select(Adoption).join(Release).join(ClauseSet, ClauseSet.id == Release.set_id)
        .where(Adoption.organisation_id == organisation_id, visible_sets_clause(viewer))
        .options(selectinload(Adoption.release).selectinload(Release.clause_set))
        .order_by(Adoption.created_at.desc())))


def changed_laws(clauses) -> dict[int, list]:
    """clause id → the laws of its obligations whose stage, dates or input moments changed
    after the clause's current version was written (it may be outdated); one query for a
    whole set. Takes one clause or a list."""
    if isinstance(clauses, Clause):
        clauses = [clauses]
    suspects = {}
    for clause in clauses:
        laws = {o.law.id: o.law for o in clause.obligations if o.law.changed_at is not None}
        if laws:
            suspects[clause.id] = (clause, laws)
    if not suspects:
        return {}
    written = {(row.content_id, row.number): row.created_at for row in db.session.execute(
        select(Revision.content_id, Revision.number, Revision.created_at).where(
            Revision.content_type == "clause", Revision.content_id.in_(list(suspects))))}
    found = {}
    for clause_id, (clause, laws) in suspects.items():
        since = written.get((clause_id, clause.revision)) or clause.created_at
        changed = sorted((law for law in laws.values() if law.changed_at > since),
                         key=lambda law: law.short_name_nl)
        if changed:
            found[clause_id] = changed
    return found


# --- the changelog and events -----------------------------------------------------------------

def _log(actor: User | None, clause_set: ClauseSet, kind: str, **details) -> None:
    db.session.add(ChangeLogEntry(set_id=clause_set.id, actor_id=actor.id if actor else None,
                                  kind=kind, details=details, created_at=utcnow()))


def _event(name: str, actor: User | None, clause_set: ClauseSet, subject_type: str = "clause_set",
           subject_id: int | None = None, **payload) -> None:
    events.record(name, subject_type, subject_id or clause_set.id, actor=actor,
                  set_id=clause_set.id, **payload)


def changelog(clause_set: ClauseSet, limit: int = 50) -> list[ChangeLogEntry]:
    return list(db.session.scalars(
        select(ChangeLogEntry).where(ChangeLogEntry.set_id == clause_set.id)
        .options(selectinload(ChangeLogEntry.actor))
        .order_by(ChangeLogEntry.created_at.desc(), ChangeLogEntry.id.desc()).limit(limit)))


# --- sets -------------------------------------------------------------------------------------

def _set_values(data: dict) -> dict:
    errors: dict[str, str] = {}
    values = {}
    for name, maximum, required in (("title", TITLE_MAX, True), ("purpose", PURPOSE_MAX, False)):
        try:
            values[name] = clean_text(data.get(name), name, required=required, maximum=maximum,
                                      minimum=5 if required else 1)
        except ValidationError as exc:
            errors.update(exc.fields)
    for name, allowed, default in (("visibility", SET_VISIBILITIES, "members"),
                                   ("purchase_kind", PURCHASE_KINDS, "other")):
        raw = data.get(name, default)
        try:
            values[name] = choice(raw, allowed, name, _("Kies een waarde uit de lijst."))
        except ValidationError as exc:
            errors.update(exc.fields)
    if errors:
        raise ValidationError(errors)
    return values


def create_set(actor: User, data: dict) -> ClauseSet:
    """A new set led by the actor's organisation, in concept."""
    if not can_create_clause_set(actor):
        raise Forbidden()
    values = _set_values(data)
    clause_set = ClauseSet(lead_organisation_id=actor.organisation_id, created_by_id=actor.id,
                           status="concept", revision=1, **values)
    db.session.add(clause_set)
    db.session.flush()
    record_revision(clause_set, actor, _set_snapshot(clause_set))
    _log(actor, clause_set, "created")
    follows.follow(actor, "clause_set", clause_set.id, quiet=True)
    _event("clause_set.created", actor, clause_set)
    return clause_set


def _set_snapshot(clause_set: ClauseSet) -> dict:
    return {"title": clause_set.title, "purpose": clause_set.purpose,
            "visibility": clause_set.visibility, "purchase_kind": clause_set.purchase_kind}


def edit_set(actor: User, clause_set: ClauseSet, data: dict,
             base_revision: int | None = None) -> bool:
    if not can_edit_clauses(actor, clause_set):
        raise Forbidden()
    check_base(clause_set, base_revision)
    values = _set_values(data)
    if all(getattr(clause_set, k) == v for k, v in values.items()):
        return False
    for name, value in values.items():
        setattr(clause_set, name, value)
    bump_revision(clause_set, base_revision)
    record_revision(clause_set, actor, _set_snapshot(clause_set))
    _log(actor, clause_set, "edited")
    _event("clause_set.edited", actor, clause_set, fields=sorted(values))
    return True


TRANSITIONS = {
    "concept": ("consultation",),
    "consultation": ("concept", "adopted"),
    "adopted": ("concept",),
}


def change_status(actor: User, clause_set: ClauseSet, status, until=None,
                  today: date | None = None) -> ClauseSet:
    """concept → consultation (open for suggestions until a date) → adopted; editors may
    reopen a set as concept to draft its next release."""
    if not can_edit_clauses(actor, clause_set):
        raise Forbidden()
    status = choice(status, STATUSES, "status", _("Kies een status uit de lijst."))
    if status not in TRANSITIONS[clause_set.status]:
        raise ValidationError({"status": _("Van %(old)s kan de set niet naar %(new)s.",
                                           old=clause_set.status, new=status)})
    today = today or date.today()
    if status == "consultation":
        until = _parse_date(until)
        if until is None or until < today:
            raise ValidationError({"until": _("Kies een einddatum voor de consultatie, vandaag "
                                              "of later.")})
        clause_set.consultation_until = until
    else:
        clause_set.consultation_until = None
    old = clause_set.status
    clause_set.status = status
    clause_set.updated_at = utcnow()
    _log(actor, clause_set, "status", old=old, new=status,
         until=until.isoformat() if status == "consultation" else None)
    _event("clause_set.status_changed", actor, clause_set, old=old, new=status)
    return clause_set


def _parse_date(raw) -> date | None:
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(raw) if isinstance(raw, str) and raw else None
    except ValueError:
        return None


def set_participant(actor: User, clause_set: ClauseSet, organisation_slug, role) -> \
        ClauseSetParticipant:
    """Add an organisation with a role, or change its role."""
    if not can_edit_clauses(actor, clause_set):
        raise Forbidden()
    role = choice(role, ROLES, "role", _("Kies een rol uit de lijst."))
    org = db.session.scalar(select(Organisation).where(
        Organisation.slug == (organisation_slug if isinstance(organisation_slug, str) else "")))
    if org is None:
        raise ValidationError({"organisation": _("Kies een organisatie uit de lijst.")})
    if org.id == clause_set.lead_organisation_id:
        raise ValidationError({"organisation": _("De trekkende organisatie is altijd redacteur.")})
    row = next((p for p in clause_set.participants if p.organisation_id == org.id), None)
    if row is None:
        row = ClauseSetParticipant(organisation_id=org.id, role=role)
        clause_set.participants.append(row)
    elif row.role == role:
        return row
    row.role = role
    clause_set.updated_at = utcnow()
    db.session.flush()
    _log(actor, clause_set, "participant", organisation=org.name, role=role)
    _event("clause_set.participants_changed", actor, clause_set)
    return row


def remove_participant(actor: User, clause_set: ClauseSet, participant_id) -> None:
    if not can_edit_clauses(actor, clause_set):
        raise Forbidden()
    row = next((p for p in clause_set.participants if p.id == as_int(participant_id)), None)
    if row is None:
        raise NotFound()
    name = row.organisation.name
    clause_set.participants.remove(row)
    clause_set.updated_at = utcnow()
    _log(actor, clause_set, "participant_removed", organisation=name)
    _event("clause_set.participants_changed", actor, clause_set)


# --- clauses ----------------------------------------------------------------------------------

def _obligations(raw, errors: dict) -> list[Obligation]:
    if raw in (None, ""):
        return []
    if not isinstance(raw, list | tuple):
        errors["obligations"] = _("Kies verplichtingen uit de lijst.")
        return []
    ids = []
    for item in raw:
        value = as_int(item) if not isinstance(item, bool) else None
        if value is None:
            errors["obligations"] = _("Kies verplichtingen uit de lijst.")
            return []
        ids.append(value)
    ids = list(dict.fromkeys(ids))
    found = list(db.session.scalars(select(Obligation).where(Obligation.id.in_(ids))))
    if len(found) != len(ids):
        errors["obligations"] = _("Kies verplichtingen uit de lijst.")
    return sorted(found, key=lambda o: o.id)


def _clause_values(data: dict) -> dict:
    errors: dict[str, str] = {}
    values = {}
    for name, maximum, required in (("heading", HEADING_MAX, True), ("text", TEXT_MAX, True),
                                    ("explanation", EXPLANATION_MAX, False),
                                    ("source_reference", SOURCE_MAX, False)):
        try:
            values[name] = clean_text(data.get(name), name, required=required, maximum=maximum,
                                      minimum=1)
        except ValidationError as exc:
            errors.update(exc.fields)
    if "obligations" in data:
        values["obligations"] = _obligations(data.get("obligations"), errors)
    if errors:
        raise ValidationError(errors)
    return values


def clause_snapshot(clause: Clause) -> dict:
    return {"heading": clause.heading, "text": clause.text, "explanation": clause.explanation,
            "source_reference": clause.source_reference,
            "obligations": [f"{o.law.short_name_nl} {o.article}" for o in clause.obligations]}


def _live_count(clause_set: ClauseSet) -> int:
    return db.session.scalar(select(func.count(Clause.id)).where(
        Clause.set_id == clause_set.id, Clause.deleted_at.is_(None)))


def add_clause(actor: User, clause_set: ClauseSet, data: dict, *, author: User | None = None) \
        -> Clause:
    """A clause at the end of the set (version 1). `author` credits a proposer."""
    if not can_edit_clauses(actor, clause_set):
        raise Forbidden()
    values = _clause_values(data)
    count = _live_count(clause_set)
    if count >= MAX_CLAUSES:
        raise ValidationError({"heading": _("Een set heeft hoogstens %(n)d bepalingen.",
                                            n=MAX_CLAUSES)})
    clause = Clause(set_id=clause_set.id, position=count + 1, revision=1,
                    author_id=(author or actor).id, **values)
    db.session.add(clause)
    clause.clause_set = clause_set
    db.session.flush()
    record_revision(clause, author or actor, clause_snapshot(clause))
    clause_set.updated_at = utcnow()
    _log(actor, clause_set, "clause_added", clause=clause.position, heading=clause.heading,
         credited=(author.name if author else None))
    _event("clause.added", actor, clause_set, "clause", clause.id)
    return clause


def edit_clause(actor: User, clause: Clause, data: dict, base_revision: int | None,
                *, author: User | None = None, require_base: bool = True) -> bool:
    """A new version of the clause, or False when nothing changed. The base version is
    required (a write must say what it started from); a stale base raises StaleEdit."""
    clause_set = clause.clause_set
    if not can_edit_clauses(actor, clause_set):
        raise Forbidden()
    if require_base and base_revision is None:
        raise ValidationError({"base_revision": _("Deze wijziging noemt niet de versie waarop "
                                                  "ze is gebaseerd.")})
    check_base(clause, base_revision)
    values = _clause_values({**clause_snapshot_values(clause), **data})
    if all(getattr(clause, k) == v for k, v in values.items()):
        return False
    for name, value in values.items():
        setattr(clause, name, value)
    bump_revision(clause, base_revision)
    record_revision(clause, author or actor, clause_snapshot(clause))
    clause_set.updated_at = utcnow()
    _log(actor, clause_set, "clause_edited", clause=clause.position, heading=clause.heading,
         version=clause.revision, credited=(author.name if author else None))
    _event("clause.edited", actor, clause_set, "clause", clause.id, version=clause.revision)
    return True


def clause_snapshot_values(clause: Clause) -> dict:
    """The clause's current values in the shape `_clause_values` reads (a partial update keeps
    what it does not name)."""
    return {"heading": clause.heading, "text": clause.text, "explanation": clause.explanation,
            "source_reference": clause.source_reference,
            "obligations": [o.id for o in clause.obligations]}


def remove_clause(actor: User, clause: Clause, *, author: User | None = None) -> None:
    """Soft delete; the others close ranks. Its versions stay in the history."""
    clause_set = clause.clause_set
    if not can_edit_clauses(actor, clause_set):
        raise Forbidden()
    position = clause.position
    clause.deleted_at = utcnow()
    db.session.flush()
    db.session.execute(update(Clause).where(
        Clause.set_id == clause_set.id, Clause.deleted_at.is_(None), Clause.position > position)
        .values(position=Clause.position - 1).execution_options(synchronize_session="fetch"))
    clause_set.updated_at = utcnow()
    _log(actor, clause_set, "clause_removed", clause=position, heading=clause.heading,
         credited=(author.name if author else None))
    _event("clause.removed", actor, clause_set, "clause", clause.id)


def reorder(actor: User, clause_set: ClauseSet, order) -> None:
    """New order: the list of all the set's clause ids, each once."""
    if not can_edit_clauses(actor, clause_set):
        raise Forbidden()
    current = {c.id: c for c in db.session.scalars(select(Clause).where(
        Clause.set_id == clause_set.id, Clause.deleted_at.is_(None)))}
    ids = [as_int(i) if not isinstance(i, bool) else None for i in order] \
        if isinstance(order, list | tuple) else None
    if ids is None or None in ids or len(set(ids)) != len(ids):
        raise ValidationError({"order": _("Elke bepaling krijgt één eigen nummer; twee "
                                          "bepalingen kunnen niet hetzelfde nummer hebben.")})
    if set(ids) != set(current):
        raise ValidationError({"order": _("Noem elke bepaling van de set precies één keer.")})
    if ids == [c.id for c in sorted(current.values(), key=lambda c: c.position)]:
        return
    for position, clause_id in enumerate(ids, start=1):
        current[clause_id].position = position
    clause_set.updated_at = utcnow()
    _log(actor, clause_set, "reordered")
    _event("clause_set.reordered", actor, clause_set)


def move_clause(actor: User, clause: Clause, new_number) -> None:
    """Give a clause another number; the others shift."""
    clause_set = clause.clause_set
    clauses = sorted((c for c in db.session.scalars(select(Clause).where(
        Clause.set_id == clause_set.id, Clause.deleted_at.is_(None)))), key=lambda c: c.position)
    number = as_int(new_number)
    if number is None or not 1 <= number <= len(clauses):
        raise ValidationError({"number": _("Kies een nummer van 1 tot en met %(n)d.",
                                           n=len(clauses))})
    ids = [c.id for c in clauses if c.id != clause.id]
    ids.insert(number - 1, clause.id)
    reorder(actor, clause_set, ids)


def clause_versions(clause: Clause, viewer: User | None) -> list[Revision]:
    from ..content.services import revisions_for

    return revisions_for(clause, viewer)


def clause_diff(clause: Clause, viewer: User | None, from_n, to_n):
    """The word-level diff between two versions the viewer may read (404 otherwise)."""
    versions = {r.number: r for r in clause_versions(clause, viewer)}
    old, new = versions.get(as_int(from_n) or 0), versions.get(as_int(to_n) or 0)
    if old is None or new is None:
        raise NotFound()
    return old, new, diff_revisions(old, new, words=True)


# --- suggestions ------------------------------------------------------------------------------

def suggest(actor: User, clause_set: ClauseSet, data: dict) -> Suggestion:
    """Propose new text for a clause (`change`), a new clause (`new`) or a deletion
    (`delete`), with a rationale."""
    if not can_suggest(actor, clause_set):
        if clause_set.status == "adopted" and can_view_clause_set(actor, clause_set):
            raise ValidationError({"rationale": _("Deze set is vastgesteld: er kunnen geen "
                                                  "voorstellen meer bij.")})
        raise Forbidden()
    errors: dict[str, str] = {}
    kind = data.get("kind", "change")
    if kind not in SUGGESTION_KINDS:
        raise ValidationError({"kind": _("Kies wat u voorstelt.")})
    clause = None
    if kind in ("change", "delete"):
        clause = db.session.get(Clause, as_int(data.get("clause_id")) or 0)
        if clause is None or clause.set_id != clause_set.id or clause.deleted_at is not None:
            raise ValidationError({"clause_id": _("Kies een bepaling uit deze set.")})
    values = {}
    if kind in ("change", "new"):
        merged = {**(clause_snapshot_values(clause) if clause else {}), **data}
        try:
            clause_values = _clause_values({k: merged.get(k) for k in
                                            ("heading", "text", "explanation")})
            values.update(clause_values)
        except ValidationError as exc:
            errors.update(exc.fields)
        if clause is not None and not errors and all(
                getattr(clause, k) == values[k] for k in ("heading", "text", "explanation")):
            errors["text"] = _("Uw voorstel is gelijk aan de huidige tekst.")
    try:
        rationale = clean_text(data.get("rationale"), "rationale", maximum=RATIONALE_MAX,
                               minimum=5)
    except ValidationError as exc:
        errors.update(exc.fields)
        rationale = ""
    if errors:
        raise ValidationError(errors)
    suggestion = Suggestion(
        set_id=clause_set.id, clause_id=clause.id if clause else None, kind=kind,
        base_revision=clause.revision if clause else None, rationale=rationale,
        author_id=actor.id, status="open", created_at=utcnow(),
        heading=values.get("heading", ""), text=values.get("text", ""),
        explanation=values.get("explanation", ""))
    db.session.add(suggestion)
    db.session.flush()
    _log(actor, clause_set, "suggested", suggestion=suggestion.id, proposal=kind,
         clause=clause.position if clause else None)
    _event("suggestion.made", actor, clause_set, "suggestion", suggestion.id)
    follows.follow(actor, "clause_set", clause_set.id, quiet=True)  # to hear the decision
    return suggestion


def suggestion_diff(suggestion: Suggestion):
    """What the suggestion would change against the clause's *current* text (also when it
    was written on an older version), as field diffs; and whether it is based on an older one."""
    clause = suggestion.clause
    if clause is None:
        return [], False
    current = Revision(fields={"heading": clause.heading, "text": clause.text,
                               "explanation": clause.explanation})
    if suggestion.kind == "delete":
        proposed = Revision(fields={"heading": "", "text": "", "explanation": ""})
    else:
        proposed = Revision(fields={"heading": suggestion.heading, "text": suggestion.text,
                                    "explanation": suggestion.explanation})
    stale = suggestion.base_revision is not None and suggestion.base_revision != clause.revision
    return diff_revisions(current, proposed, words=True), stale


def _decidable(actor: User, suggestion: Suggestion) -> ClauseSet:
    clause_set = suggestion.clause_set
    if not can_edit_clauses(actor, clause_set):
        raise Forbidden()
    if suggestion.status != "open":
        raise ValidationError({"decision": _("Over dit voorstel is al besloten.")})
    return clause_set


def accept_suggestion(actor: User, suggestion: Suggestion, reason="") -> Suggestion:
    """Apply the suggestion as a new version credited to its proposer."""
    clause_set = _decidable(actor, suggestion)
    reason = clean_text(reason, "reason", required=False, maximum=2_000)
    author = suggestion.author
    if suggestion.kind == "new":
        add_clause(actor, clause_set, {"heading": suggestion.heading, "text": suggestion.text,
                                       "explanation": suggestion.explanation}, author=author)
    elif suggestion.clause is None or suggestion.clause.deleted_at is not None:
        raise ValidationError({"decision": _("De bepaling van dit voorstel bestaat niet meer.")})
    elif suggestion.kind == "delete":
        remove_clause(actor, suggestion.clause, author=author)
    else:
        edit_clause(actor, suggestion.clause,
                    {"heading": suggestion.heading, "text": suggestion.text,
                     "explanation": suggestion.explanation},
                    base_revision=suggestion.clause.revision, author=author)
    suggestion.status, suggestion.decided_at = "accepted", utcnow()
    suggestion.decided_by_id, suggestion.decision_reason = actor.id, reason
    _log(actor, clause_set, "suggestion_accepted", suggestion=suggestion.id, proposer=author.name)
    _event("suggestion.decided", actor, clause_set, "suggestion", suggestion.id,
           status="accepted")
    return suggestion


def reject_suggestion(actor: User, suggestion: Suggestion, reason) -> Suggestion:
    clause_set = _decidable(actor, suggestion)
    reason = clean_text(reason, "reason", maximum=2_000, minimum=3)
    suggestion.status, suggestion.decided_at = "rejected", utcnow()
    suggestion.decided_by_id, suggestion.decision_reason = actor.id, reason
    _log(actor, clause_set, "suggestion_rejected", suggestion=suggestion.id,
         proposer=suggestion.author.name)
    _event("suggestion.decided", actor, clause_set, "suggestion", suggestion.id,
           status="rejected")
    return suggestion


def withdraw_suggestion(actor: User, suggestion: Suggestion) -> Suggestion:
    if not is_member(actor) or suggestion.author_id != actor.id:
        raise Forbidden()
    if suggestion.status != "open":
        raise ValidationError({"decision": _("Over dit voorstel is al besloten.")})
    suggestion.status, suggestion.decided_at = "withdrawn", utcnow()
    _log(actor, suggestion.clause_set, "suggestion_withdrawn", suggestion=suggestion.id)
    _event("suggestion.decided", actor, suggestion.clause_set, "suggestion", suggestion.id,
           status="withdrawn")
    return suggestion


def suggestions_for(clause_set: ClauseSet, *, status: str | None = "open") -> list[Suggestion]:
    query = select(Suggestion).where(Suggestion.set_id == clause_set.id).options(
        selectinload(Suggestion.author).selectinload(User.organisation),
        selectinload(Suggestion.clause))
    if status:
        query = query.where(Suggestion.status == status)
    return list(db.session.scalars(query.order_by(Suggestion.created_at)))


# --- releases and adoption --------------------------------------------------------------------

def snapshot(clause_set: ClauseSet) -> dict:
    clauses = sorted((c for c in db.session.scalars(
        select(Clause).where(Clause.set_id == clause_set.id, Clause.deleted_at.is_(None))
        .options(selectinload(Clause.obligations).selectinload(Obligation.law)))),
        key=lambda c: c.position)
    return {
        "title": clause_set.title, "purpose": clause_set.purpose,
        "purchase_kind": clause_set.purchase_kind,
        "clauses": [{
            "number": c.position, "heading": c.heading, "text": c.text,
            "explanation": c.explanation, "source_reference": c.source_reference,
            "version": c.revision,
            "obligations": [{"id": o.id, "law": o.law.short_name_nl, "article": o.article,
                             "title": o.title} for o in c.obligations],
        } for c in clauses],
    }


def _content(snap: dict) -> dict:
    """What a release is about: the text, not the version counters."""
    return {"title": snap["title"], "purpose": snap["purpose"],
            "clauses": [{k: v for k, v in c.items() if k != "version"} for c in snap["clauses"]]}


def make_release(actor: User, clause_set: ClauseSet, label, notes="") -> Release:
    """An immutable snapshot of the whole set; refused when nothing changed since the last."""
    if not can_edit_clauses(actor, clause_set):
        raise Forbidden()
    errors: dict[str, str] = {}
    label = (label if isinstance(label, str) else "").strip()
    if not label or len(label) > LABEL_MAX or any(not ch.isprintable() for ch in label):
        errors["label"] = _("Geef de release een naam van hoogstens %(n)d tekens, zoals v1.0.",
                            n=LABEL_MAX)
    elif db.session.scalar(select(Release.id).where(Release.set_id == clause_set.id,
                                                    func.lower(Release.label) == label.lower())):
        errors["label"] = _("Er is al een release met deze naam.")
    try:
        notes = clean_text(notes, "notes", required=False, maximum=NOTES_MAX)
    except ValidationError as exc:
        errors.update(exc.fields)
    snap = snapshot(clause_set)
    if not snap["clauses"]:
        errors["label"] = _("Een release zonder bepalingen kan niet.")
    latest = db.session.scalar(select(Release).where(Release.set_id == clause_set.id)
                               .order_by(Release.created_at.desc(), Release.id.desc()).limit(1))
    if latest is not None and _content(latest.snapshot) == _content(snap):
        errors["label"] = _("Er is niets veranderd sinds release %(label)s.", label=latest.label)
    if errors:
        raise ValidationError(errors)
    release = Release(set_id=clause_set.id, label=label, notes=notes, snapshot=snap,
                      created_by_id=actor.id, created_at=utcnow())
    db.session.add(release)
    db.session.flush()
    clause_set.updated_at = utcnow()
    _log(actor, clause_set, "released", label=label)
    _event("release.made", actor, clause_set, "release", release.id)
    return release


@dataclass
class AdoptionResult:
    adoption: Adoption
    new: bool


def adopt(actor: User, release: Release) -> AdoptionResult:
    """The actor's organisation uses this release (once; a second time changes nothing)."""
    clause_set = release.clause_set
    if not can_adopt(actor, clause_set):
        raise Forbidden()
    existing = db.session.scalar(select(Adoption).where(
        Adoption.release_id == release.id, Adoption.organisation_id == actor.organisation_id))
    if existing is not None:
        return AdoptionResult(existing, False)
    adoption = Adoption(release_id=release.id, organisation_id=actor.organisation_id,
                        adopted_by_id=actor.id, created_at=utcnow())
    db.session.add(adoption)
    db.session.flush()
    _log(actor, clause_set, "adopted", label=release.label,
         organisation=actor.organisation.name)
    _event("adoption.recorded", actor, clause_set, "release", release.id,
           organisation_id=actor.organisation_id)
    return AdoptionResult(adoption, True)


def withdraw_adoption(actor: User, release: Release) -> None:
    if not is_member(actor):
        raise Forbidden()
    adoption = db.session.scalar(select(Adoption).where(
        Adoption.release_id == release.id, Adoption.organisation_id == actor.organisation_id))
    if adoption is None:
        raise NotFound()
    db.session.delete(adoption)
    _log(actor, release.clause_set, "adoption_withdrawn", label=release.label,
         organisation=actor.organisation.name)
    _event("adoption.recorded", actor, release.clause_set, "release", release.id,
           organisation_id=actor.organisation_id, withdrawn=True)
