"""Shared verbs on contributions: revisions and diffs, reactions, comments, flags, moderation."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import func, select

from .. import events
from ..accounts.models import User
from ..dbtypes import as_int, insert_if_absent, utcnow
from ..errors import Conflict, Forbidden, NotFound, ValidationError
from ..extensions import db
from ..laws.models import Law, Obligation, Theme
from ..permissions import can_contribute, can_moderate
from .models import Comment, Flag, ModerationAction, Reaction, Revision

FLAG_REASONS = {
    "spam": _l("Reclame of spam"),
    "offensive": _l("Kwetsend of ongepast"),
    "personal_data": _l("Bevat persoonsgegevens die hier niet horen"),
    "incorrect": _l("Onjuist of misleidend"),
    "other": _l("Iets anders"),
}
COMMENT_MAX = 1_000
FLAG_NOTE_MAX = 500


# --- validation helpers ---------------------------------------------------------------------

def clean_text(value, field: str, *, required: bool = True, maximum: int, minimum: int = 1,
               single_line: bool = False) -> str:
    """Stripped text within bounds; raises ValidationError naming the field."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError({field: _("Geef hier tekst op.")})
    value = value.replace("\x00", "").replace("\r\n", "\n").strip()
    if single_line:
        value = " ".join(value.split())
    if not value:
        if required:
            raise ValidationError({field: _("Dit veld is verplicht.")})
        return ""
    if len(value) < minimum:
        raise ValidationError({field: _("Gebruik minstens %(n)d tekens.", n=minimum)})
    if len(value) > maximum:
        raise ValidationError({field: _("Gebruik hoogstens %(n)d tekens (nu %(len)d).",
                                        n=maximum, len=len(value))})
    return value


def choice(value, allowed, field: str, message) -> str:
    """One of the `allowed` values, exactly; anything else (null, "", a list, a number) is
    refused, never replaced by a default."""
    if not isinstance(value, str) or value not in allowed:
        raise ValidationError({field: message})
    return value


def resolve_tags(data: dict) -> tuple[list[Theme], list[Law], list[Obligation]]:
    """Themes and laws by slug, obligations by id; anything unknown is refused."""
    errors = {}

    def as_list(key):
        value = data.get(key) or []
        if isinstance(value, str | int):
            value = [value]
        if not isinstance(value, list):
            errors[key] = _("Geef een lijst.")
            return []
        return list(dict.fromkeys(value))

    theme_slugs, law_slugs, obligation_ids = (as_list("themes"), as_list("laws"),
                                              as_list("obligations"))
    themes = list(db.session.scalars(select(Theme).where(Theme.slug.in_(
        [s for s in theme_slugs if isinstance(s, str)])))) if theme_slugs else []
    if len(themes) != len(theme_slugs):
        errors["themes"] = _("Onbekend thema.")
    laws = list(db.session.scalars(select(Law).where(Law.slug.in_(
        [s for s in law_slugs if isinstance(s, str)])))) if law_slugs else []
    if len(laws) != len(law_slugs):
        errors["laws"] = _("Onbekende wet.")
    ids = []
    for value in obligation_ids:
        number = as_int(value)
        if number is None:
            errors["obligations"] = _("Onbekende verplichting.")
        else:
            ids.append(number)
    obligations = list(db.session.scalars(select(Obligation).where(Obligation.id.in_(ids)))) \
        if ids else []
    if len(obligations) != len(obligation_ids):
        errors["obligations"] = _("Onbekende verplichting.")
    if len(themes) + len(laws) + len(obligations) > 30:
        errors["themes"] = _("Kies hoogstens 30 labels.")
    if errors:
        raise ValidationError(errors)
    # An obligation implies its law.
    for ob in obligations:
        if ob.law not in laws:
            laws.append(ob.law)
    return themes, laws, obligations


# --- list filters ---------------------------------------------------------------------------

def common_filters(args, sorts: tuple[str, ...]) -> tuple[dict, dict]:
    """Theme, law, obligation, organisation type and sort from query arguments (Dutch or
    English names), as lists of contributions share them; returns (values, errors)."""
    from ..laws.models import ORGANISATION_TYPES

    errors: dict[str, str] = {}
    sort = args.get("sorteer") or args.get("sort") or sorts[0]
    if sort not in sorts:
        errors["sort"] = _("Onbekende sortering.")
    org_type = args.get("type") or None
    if org_type and org_type not in ORGANISATION_TYPES:
        errors["type"] = _("Onbekend soort organisatie.")
    obligation = args.get("verplichting") or args.get("obligation") or None
    if obligation is not None:
        obligation = as_int(obligation)
        if obligation is None:
            errors["obligation"] = _("Onbekende verplichting.")
    values = {"sort": sort, "theme": args.get("thema") or args.get("theme") or None,
              "law": args.get("wet") or args.get("law") or None, "obligation": obligation,
              "org_type": org_type}
    return values, errors


# --- revisions ------------------------------------------------------------------------------

def snapshot_values(values: dict) -> dict:
    """A revision's text of these field values: tags by slug (obligations by law and
    article, as readers know them), yes/no as words, lists as lists."""
    out = {}
    for name, value in values.items():
        if name in ("themes", "laws"):
            out[name] = [item.slug for item in value]
        elif name == "obligations":
            out[name] = [f"{o.law.short_name_nl} {o.article}" for o in value]
        elif isinstance(value, bool):
            out[name] = "ja" if value else "nee"
        elif isinstance(value, list | tuple):
            out[name] = list(value)
        else:
            out[name] = value
    return out


def record_revision(obj, actor: User | None, fields: dict) -> Revision:
    """Append a snapshot, stamped with the audience it is written for; the object's
    `revision` counter names it."""
    audience = obj.audience
    revision = Revision(content_type=obj.content_type, content_id=obj.id, number=obj.revision,
                        fields=fields, author_id=actor.id if actor else None, created_at=utcnow(),
                        visibility=audience.visibility, organisation_id=audience.organisation_id,
                        anonymous=audience.anonymous)
    db.session.add(revision)
    return revision


class StaleEdit(Conflict):
    """An edit made on a revision that is no longer the current one."""

    def __init__(self, obj, base_revision: int):
        super().__init__(_("Iemand anders heeft dit intussen gewijzigd."))
        self.obj = obj
        self.base_revision = base_revision


def check_base(obj, base_revision: int | None) -> None:
    """Refuse early when the edit starts from an older revision than the current one."""
    if base_revision is not None and base_revision != obj.revision:
        raise StaleEdit(obj, base_revision)


def bump_revision(obj, base_revision: int | None = None) -> None:
    """Claim the next revision number: one conditional UPDATE, so of two edits made on the
    same base exactly one wins and the other gets StaleEdit (PostgreSQL re-checks the
    condition after the winner commits; SQLite has one writer at a time)."""
    from sqlalchemy import update
    from sqlalchemy.orm.attributes import set_committed_value

    base = obj.revision if base_revision is None else base_revision
    model = type(obj)
    result = db.session.execute(
        update(model).where(model.id == obj.id, model.revision == base)
        .values(revision=base + 1).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise StaleEdit(obj, base)
    set_committed_value(obj, "revision", base + 1)


def revision_text(obj) -> dict:
    """The current revision's fields (what the conflict page shows as "now")."""
    return db.session.scalar(select(Revision.fields).where(
        Revision.content_type == obj.content_type, Revision.content_id == obj.id,
        Revision.number == obj.revision)) or {}


def record_removal(actor: User | None, obj, name: str) -> None:
    """content.hidden / content.restored / content.deleted, naming the question an answer
    or comment belongs to so consumers can refresh the whole thread."""
    payload = {}
    if obj.content_type == "answer":
        payload["question_id"] = obj.question_id
    elif obj.content_type == "comment":
        payload.update(target_type=obj.target_type, target_id=obj.target_id)
    events.record(name, obj.content_type, obj.id, actor=actor, **payload)


def revisions_for(obj, viewer: User | None) -> list[Revision]:
    """The revisions of `obj` the viewer may read, oldest first."""
    from ..permissions import can_see_revision

    return [r for r in db.session.scalars(
        select(Revision)
        .where(Revision.content_type == obj.content_type, Revision.content_id == obj.id)
        .order_by(Revision.number)
    ) if can_see_revision(viewer, obj, r)]


def visible_revision_counts(viewer: User | None, objs: list) -> dict[tuple[str, int], int]:
    """How many revisions of each object the viewer may read, in one query per kind."""
    from ..permissions import can_see_revision

    counts: dict[tuple[str, int], int] = {}
    by_type: dict[str, dict[int, object]] = {}
    for obj in objs:
        by_type.setdefault(obj.content_type, {})[obj.id] = obj
        counts[(obj.content_type, obj.id)] = 0
    for content_type, members in by_type.items():
        rows = db.session.execute(
            select(Revision.content_id, Revision.visibility, Revision.organisation_id,
                   Revision.anonymous)
            .where(Revision.content_type == content_type, Revision.content_id.in_(list(members))))
        for row in rows:
            if can_see_revision(viewer, members[row.content_id], row):
                counts[(content_type, row.content_id)] += 1
    return counts


@dataclass
class FieldDiff:
    field: str
    html: Markup
    changed: bool


def diff_revisions(old: Revision, new: Revision, value_labels: dict | None = None, *,
                   words: bool = False) -> list[FieldDiff]:
    """Line diff per field (word diff of texts with `words`), as escaped HTML with <ins>/<del>
    marks; stored values of fields in `value_labels` are shown by their label."""
    labels = value_labels or {}
    result = []
    for field in dict.fromkeys([*old.fields, *new.fields]):
        before, after = old.fields.get(field), new.fields.get(field)
        if words and isinstance(before or "", str) and isinstance(after or "", str):
            result.append(FieldDiff(field, word_diff(before or "", after or ""),
                                    (before or "") != (after or "")))
            continue
        a, b = (_as_lines(_label(labels.get(field), revision.fields.get(field)))
                for revision in (old, new))
        lines = []
        for line in difflib.ndiff(a, b):
            tag, text = line[:2], line[2:]
            if tag == "+ ":
                lines.append(Markup("<ins>{}</ins>").format(text or " "))
            elif tag == "- ":
                lines.append(Markup("<del>{}</del>").format(text or " "))
            elif tag == "  ":
                lines.append(escape(text))
        result.append(FieldDiff(field, Markup("\n").join(lines), a != b))
    return result


def word_diff(old: str, new: str) -> Markup:
    """Word-level diff of two texts as escaped HTML with <ins>/<del> marks."""
    import re

    a, b = re.split(r"(\s+)", old or ""), re.split(r"(\s+)", new or "")
    parts = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op in ("delete", "replace"):
            parts.append(Markup("<del>{}</del>").format("".join(a[i1:i2])))
        if op in ("insert", "replace"):
            parts.append(Markup("<ins>{}</ins>").format("".join(b[j1:j2])))
        if op == "equal":
            parts.append(escape("".join(a[i1:i2])))
    return Markup("").join(parts)


def _label(labels: dict | None, value):
    if not labels:
        return value
    if isinstance(value, list):
        return [str(labels.get(v, v)) for v in value]
    return str(labels.get(value, value)) if value is not None else None


def _as_lines(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return str(value).splitlines()


# --- reactions ------------------------------------------------------------------------------

def add_reaction(actor: User, obj, kind: str) -> None:
    if not can_contribute(actor):
        raise Forbidden()
    if getattr(obj, "author_id", None) == actor.id:
        raise ValidationError({"reaction": _("U kunt niet op uw eigen bijdrage stemmen.")})
    if not insert_if_absent(db.session, Reaction, content_type=obj.content_type,
                            content_id=obj.id, user_id=actor.id, kind=kind, created_at=utcnow()):
        raise Conflict(_("U heeft dit al gedaan."))


def remove_reaction(actor: User, obj, kind: str) -> None:
    reaction = db.session.scalar(select(Reaction).where(
        Reaction.content_type == obj.content_type, Reaction.content_id == obj.id,
        Reaction.user_id == actor.id, Reaction.kind == kind))
    if reaction is None:
        raise Conflict(_("Er is niets om in te trekken."))
    db.session.delete(reaction)


def reaction_count(content_type: str, content_id: int, kind: str) -> int:
    return db.session.scalar(select(func.count()).select_from(Reaction).where(
        Reaction.content_type == content_type, Reaction.content_id == content_id,
        Reaction.kind == kind)) or 0


def my_reactions(actor: User | None, content_type: str, ids: list[int]) -> set[tuple[int, str]]:
    """(content_id, kind) pairs the actor reacted with, in one query for a whole page."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not ids:
        return set()
    rows = db.session.execute(select(Reaction.content_id, Reaction.kind).where(
        Reaction.content_type == content_type, Reaction.content_id.in_(ids),
        Reaction.user_id == actor.id))
    return {(row[0], row[1]) for row in rows}


# --- comments -------------------------------------------------------------------------------

def add_comment(actor: User, obj, body) -> Comment:
    if not can_contribute(actor):
        raise Forbidden()
    body = clean_text(body, "comment", maximum=COMMENT_MAX)
    comment = Comment(target_type=obj.content_type, target_id=obj.id, author_id=actor.id,
                      body=body)
    db.session.add(comment)
    db.session.flush()
    events.record("comment.posted", "comment", comment.id, actor=actor,
                  target_type=obj.content_type, target_id=obj.id,
                  question_id=getattr(obj, "question_id", None) or (
                      obj.id if obj.content_type == "question" else None))
    return comment


def comments_for(content_type: str, ids: list[int], *, include_hidden: bool = False,
                 viewer_id: int | None = None) -> dict[int, list[Comment]]:
    """Comments of many contributions in one query, grouped by content id."""
    from sqlalchemy.orm import selectinload

    if not ids:
        return {}
    query = (select(Comment)
             .where(Comment.target_type == content_type, Comment.target_id.in_(ids),
                    Comment.deleted_at.is_(None))
             .options(selectinload(Comment.author).selectinload(User.organisation))
             .order_by(Comment.id))
    grouped: dict[int, list[Comment]] = {}
    for comment in db.session.scalars(query):
        if comment.hidden_at and not include_hidden and comment.author_id != viewer_id:
            continue
        grouped.setdefault(comment.target_id, []).append(comment)
    return grouped


# --- flags and moderation -------------------------------------------------------------------

def flag(actor: User, obj, reason: str, note: str = "") -> Flag:
    if not can_contribute(actor):
        raise Forbidden()
    if not reason:
        raise ValidationError({"reason": _("Kies waarom u dit meldt.")})
    if reason not in FLAG_REASONS:
        raise ValidationError({"reason": _("Kies een reden uit de lijst.")})
    note = clean_text(note, "note", required=False, maximum=FLAG_NOTE_MAX)
    open_flag = db.session.scalar(select(Flag.id).where(
        Flag.content_type == obj.content_type, Flag.content_id == obj.id,
        Flag.reporter_id == actor.id, Flag.resolved_at.is_(None)))
    if open_flag:
        raise Conflict(_("U heeft dit al gemeld; een moderator kijkt ernaar."))
    item = Flag(content_type=obj.content_type, content_id=obj.id, reporter_id=actor.id,
                reason=reason, note=note)
    db.session.add(item)
    db.session.flush()
    events.record("flag.raised", obj.content_type, obj.id, actor=actor, reason=reason)
    return item


def open_flags() -> list[Flag]:
    from sqlalchemy.orm import selectinload

    return list(db.session.scalars(
        select(Flag).where(Flag.resolved_at.is_(None))
        .options(selectinload(Flag.reporter)).order_by(Flag.created_at)
    ))


def _resolve_flags(actor: User, obj, resolution: str) -> None:
    for item in db.session.scalars(select(Flag).where(
            Flag.content_type == obj.content_type, Flag.content_id == obj.id,
            Flag.resolved_at.is_(None))):
        item.resolved_at = utcnow()
        item.resolved_by_id = actor.id
        item.resolution = resolution


def log_action(actor: User, obj, action: str, reason: str = "") -> None:
    db.session.add(ModerationAction(content_type=obj.content_type, content_id=obj.id,
                                    moderator_id=actor.id, action=action, reason=reason))


def hide_item(actor: User, content_type: str, content_id: int, reason) -> None:
    """Hide any contribution (reversible), resolving its open flags."""
    from .registry import kinds, load

    obj = load(content_type, content_id)
    hide(actor, obj, reason)
    kinds()[content_type].visibility_changed(obj)
    record_removal(actor, obj, "content.hidden")


def restore_item(actor: User, content_type: str, content_id: int) -> None:
    from .registry import kinds, load

    obj = load(content_type, content_id)
    restore(actor, obj)
    kinds()[content_type].visibility_changed(obj)
    record_removal(actor, obj, "content.restored")


def hide(actor: User, obj, reason) -> None:
    if not can_moderate(actor):
        raise Forbidden()
    reason = clean_text(reason, "reason", maximum=300)
    if obj.hidden_at is not None:
        raise Conflict(_("Dit is al verborgen."))
    obj.hidden_at = utcnow()
    obj.hidden_reason = reason
    _resolve_flags(actor, obj, "hidden")
    log_action(actor, obj, "hide", reason)


def restore(actor: User, obj) -> None:
    if not can_moderate(actor):
        raise Forbidden()
    if obj.hidden_at is None and obj.deleted_at is None:
        raise Conflict(_("Dit is niet verborgen."))
    obj.hidden_at = None
    obj.hidden_reason = ""
    obj.deleted_at = None
    log_action(actor, obj, "restore")


def dismiss_flags(actor: User, obj) -> None:
    if not can_moderate(actor):
        raise Forbidden()
    _resolve_flags(actor, obj, "dismissed")
    log_action(actor, obj, "dismiss_flags")


def get_comment_or_404(comment_id: int) -> Comment:
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        raise NotFound()
    return comment
