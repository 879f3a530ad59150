"""Writing, sharing and learning from practice write-ups.

Every function takes the acting user; views, API and demo data share them.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import selectinload

from .. import events
from ..accounts.models import User
from ..accounts.services import find_user_by_email, normalise_email
from ..content import services as content
from ..content.models import Revision
from ..dbtypes import utcnow
from ..directory.models import Organisation
from ..errors import Forbidden, NotFound, ValidationError
from ..extensions import db
from ..laws.models import Law, Obligation, Theme
from ..mail import send_mail_after_response
from ..notifications import services as follows
from ..pagination import Page, paginate
from ..permissions import (
    can_contribute,
    can_edit_practice,
    can_view_practice,
    is_member,
    visible_audience_clause,
)
from . import uploads
from .models import (
    FAILURE_CAUSES,
    OUTCOMES,
    PRACTICE_VISIBILITIES,
    SECTIONS,
    SIZE_CLASSES,
    Practice,
    PracticeAttachment,
    PracticeFollowUp,
    PracticeInvitation,
    practice_coauthors,
)

TITLE_MIN, TITLE_MAX = 10, 200
SECTION_MAX = 20_000
FOLLOWUP_MAX = 5_000
REQUIRED_SECTIONS = ("summary", "approach", "lessons")
MAX_ATTACHMENTS = 10
MAX_CO_AUTHORS = 10


def get_visible_practice_or_404(practice_id: int, viewer: User | None) -> Practice:
    practice = db.session.get(Practice, practice_id)
    if practice is None or not can_view_practice(viewer, practice):
        raise NotFound()
    return practice


def visible_practices(viewer: User | None) -> Select:
    clause = visible_audience_clause(viewer, Practice)
    if is_member(viewer):
        own = or_(Practice.author_id == viewer.id, Practice.id.in_(
            select(practice_coauthors.c.practice_id).where(practice_coauthors.c.user_id == viewer.id)))
        clause = or_(clause, and_(own, Practice.deleted_at.is_(None)))
    return select(Practice).where(clause)


# --- writing --------------------------------------------------------------------------------

def _fields(data: dict, current: Practice | None = None) -> dict:
    errors: dict[str, str] = {}
    out: dict = {}

    def take(key, default=""):
        return data.get(key, getattr(current, key) if current is not None else default)

    try:
        out["title"] = content.clean_text(take("title"), "title", minimum=TITLE_MIN,
                                          maximum=TITLE_MAX, single_line=True)
    except ValidationError as exc:
        errors.update(exc.fields)
    for name in SECTIONS:
        try:
            out[name] = content.clean_text(take(name), name, maximum=SECTION_MAX,
                                           required=name in REQUIRED_SECTIONS)
        except ValidationError as exc:
            errors.update(exc.fields)
    try:
        out["outcome"] = content.choice(take("outcome", None), OUTCOMES, "outcome",
                                        _("Kies de uitkomst: geslaagd, deels geslaagd of mislukt."))
    except ValidationError as exc:
        errors.update(exc.fields)
    causes = take("failure_causes", [])
    if isinstance(causes, str):
        causes = [causes]
    if not isinstance(causes, list) or any(not isinstance(c, str) or c not in FAILURE_CAUSES
                                           for c in causes):
        errors["failure_causes"] = _("Kies oorzaken uit de lijst.")
        causes = []
    out["failure_causes"] = list(dict.fromkeys(causes))
    for name, limit in (("period", 100), ("effort", 200)):
        try:
            out[name] = content.clean_text(take(name), name, required=False, maximum=limit,
                                           single_line=True)
        except ValidationError as exc:
            errors.update(exc.fields)
    try:
        out["visibility"] = content.choice(take("visibility", "public"), PRACTICE_VISIBILITIES,
                                           "visibility", _("Kies wie de praktijk mag zien."))
    except ValidationError as exc:
        errors.update(exc.fields)
    anonymous = take("anonymous", False)
    if not isinstance(anonymous, bool):
        errors["anonymous"] = _("Geef ja of nee.")
    out["anonymous"] = bool(anonymous)
    tags = {
        "themes": data.get("themes", [t.slug for t in current.themes] if current else []),
        "laws": data.get("laws", [law.slug for law in current.laws] if current else []),
        "obligations": data.get("obligations",
                                [o.id for o in current.obligations] if current else []),
    }
    try:
        out["themes"], out["laws"], out["obligations"] = content.resolve_tags(tags)
    except ValidationError as exc:
        errors.update(exc.fields)
    try:
        out["co_authors"] = _co_author_emails(
            data.get("co_authors", co_author_addresses(current) if current is not None else []))
    except ValidationError as exc:
        errors.update(exc.fields)
    if errors:
        raise ValidationError(errors)
    return out


def _co_author_emails(value) -> list[str]:
    """Addresses to invite, checked for form only: whether one belongs to a member is never
    told to the writer."""
    if isinstance(value, str):
        value = [e for e in value.replace(";", ",").split(",") if e.strip()]
    if not isinstance(value, list) or len(value) > MAX_CO_AUTHORS or not all(
            isinstance(e, str) for e in value):
        raise ValidationError({"co_authors": _("Geef hoogstens %(n)d e-mailadressen, gescheiden "
                                               "door komma's.", n=MAX_CO_AUTHORS)})
    emails = []
    for raw in value:
        try:
            emails.append(normalise_email(raw))
        except ValidationError:
            raise ValidationError({"co_authors": _("%(email)s is geen geldig e-mailadres.",
                                                   email=raw.strip()[:100])}) from None
    return list(dict.fromkeys(emails))


def co_author_addresses(practice: Practice) -> list[str]:
    """Accepted co-authors and open invitations, as the writer's form shows them."""
    return [*(u.email for u in practice.co_authors),
            *(i.email for i in practice.invitations if i.is_open)]


def _sync_co_authors(actor: User, practice: Practice, emails: list[str]) -> list | None:
    """Keep accepted co-authors that are still named, drop the others, and invite new
    addresses. None when nothing changed, else the new invitations to mail (members only;
    the writer sees every address as invited either way)."""
    invites: list[tuple[PracticeInvitation, User]] = []
    wanted = {e for e in emails if e != practice.author.email.lower()}
    changed = False
    for user in list(practice.co_authors):
        if user.email.lower() not in wanted:
            practice.co_authors.remove(user)
            changed = True
    accepted = {u.email.lower() for u in practice.co_authors}
    for invitation in list(practice.invitations):
        if invitation.is_open and invitation.email not in wanted:
            practice.invitations.remove(invitation)
            changed = True
    known = {i.email: i for i in practice.invitations}
    for email in sorted(wanted - accepted):
        invitation = known.get(email)
        if invitation is not None and invitation.is_open:
            continue
        if invitation is not None:  # answered earlier (declined, or accepted and removed)
            practice.invitations.remove(invitation)
            db.session.flush()
        invitation = PracticeInvitation(email=email, invited_by_id=actor.id)
        practice.invitations.append(invitation)
        changed = True
        invitee = find_user_by_email(email)
        if invitee is not None and invitee.can_log_in:
            invites.append((invitation, invitee))
    return invites if changed else None


def _mail_invitations(actor: User, invites: list | None) -> None:
    """After the commit, and after the response: how long saving takes never tells the
    writer whether an address belongs to a member."""
    from flask import url_for

    for invitation, invitee in invites or []:
        send_mail_after_response(invitee.email, _("Uitnodiging: schrijf mee aan een praktijk"), _(
            "%(name)s nodigt u uit om mede-auteur te worden van de praktijk "
            "\"%(title)s\" op KDE Community.\n\nBekijk de uitnodiging en neem haar aan of "
            "wijs haar af:\n%(url)s\n\nPas na uw ja staat uw naam bij de praktijk en kunt u "
            "haar bewerken.", name=actor.name, title=invitation.practice.title,
            url=url_for("practices.invitation", invitation_id=invitation.id, _external=True)))


def open_invitations(user: User | None) -> list[PracticeInvitation]:
    """Invitations waiting for this member's answer."""
    if not is_member(user):
        return []
    return list(db.session.scalars(
        select(PracticeInvitation)
        .where(PracticeInvitation.email == user.email.lower(),
               PracticeInvitation.answered_at.is_(None))
        .join(Practice).where(Practice.deleted_at.is_(None))
        .options(selectinload(PracticeInvitation.practice),
                 selectinload(PracticeInvitation.invited_by))
        .order_by(PracticeInvitation.created_at)))


def get_invitation_or_404(invitation_id: int, user: User | None) -> PracticeInvitation:
    """Only the invited member sees an invitation, and only while it is open."""
    invitation = db.session.get(PracticeInvitation, invitation_id)
    if (invitation is None or not is_member(user) or not invitation.is_open
            or invitation.email != user.email.lower() or invitation.practice.deleted_at):
        raise NotFound()
    return invitation


def answer_invitation(actor: User, invitation: PracticeInvitation, accept: bool) -> None:
    invitation = get_invitation_or_404(invitation.id, actor)
    invitation.answered_at = utcnow()
    invitation.accepted = accept
    practice = invitation.practice
    if accept and actor.id not in practice.writer_ids():
        practice.co_authors.append(actor)
        db.session.flush()
        follows.follow(actor, "practice", practice.id, quiet=True)
    events.record("invitation.answered", "practice", practice.id, actor=actor, accepted=accept)


SNAPSHOT_FIELDS = ("title", *SECTIONS, "outcome", "period", "effort", "visibility", "anonymous",
                   "failure_causes", "themes", "laws", "obligations")


def _snapshot(practice: Practice) -> dict:
    return content.snapshot_values({name: getattr(practice, name) for name in SNAPSHOT_FIELDS})



def write_practice(actor: User, data: dict) -> Practice:
    if not can_contribute(actor):
        raise Forbidden()
    fields = _fields(data)
    emails = fields.pop("co_authors")
    now = utcnow()
    practice = Practice(author=actor, organisation_id=actor.organisation_id, revision=1,
                        created_at=now, updated_at=now, **fields)
    db.session.add(practice)
    db.session.flush()
    content.record_revision(practice, actor, _snapshot(practice))
    invites = _sync_co_authors(actor, practice, emails)
    follows.follow(actor, "practice", practice.id, quiet=True)
    events.record("practice.published", "practice", practice.id, actor=actor)
    _mail_invitations(actor, invites)
    return practice


def edit_practice(actor: User, practice: Practice, data: dict, *,
                  base_revision: int | None = None) -> bool:
    """Apply an edit made on `base_revision` (default: the current one); False when nothing
    changed. A stale base raises StaleEdit: never a silent overwrite."""
    if not can_edit_practice(actor, practice):
        raise Forbidden()
    content.check_base(practice, base_revision)
    fields = _fields(data, current=practice)
    emails = fields.pop("co_authors")
    before = _snapshot(practice)
    changes = {k: v for k, v in fields.items() if getattr(practice, k) != v}
    after = {**before, **content.snapshot_values(changes)}
    if after != before:
        content.bump_revision(practice, base_revision)
        for key, value in changes.items():
            setattr(practice, key, value)
    invites = _sync_co_authors(actor, practice, emails)
    if after == before and invites is None:
        return False
    changed_fields = sorted(k for k in after if after[k] != before[k])
    if after != before:
        content.record_revision(practice, actor, _snapshot(practice))
    if invites is not None:  # who may find it in search changes with its writers
        changed_fields.append("co_authors")
    events.record("practice.edited", "practice", practice.id, actor=actor, fields=changed_fields)
    _mail_invitations(actor, invites)
    return True


def delete_practice(actor: User, practice: Practice) -> None:
    if not can_edit_practice(actor, practice):
        raise Forbidden()
    practice.deleted_at = utcnow()
    content.log_action(actor, practice, "delete")
    content.record_removal(actor, practice, "content.deleted")


# --- attachments ----------------------------------------------------------------------------

def add_attachment(actor: User, practice: Practice, filename: str | None, data: bytes):
    if not can_edit_practice(actor, practice):
        raise Forbidden()
    live = [a for a in practice.attachments if a.deleted_at is None]
    if len(live) >= MAX_ATTACHMENTS:
        raise ValidationError({"attachment": _("Hoogstens %(n)d bijlagen per praktijk.",
                                               n=MAX_ATTACHMENTS)})
    checked = uploads.check_upload(filename, data)
    stored, digest = uploads.store(checked)
    try:
        attachment = PracticeAttachment(
            practice=practice, stored_name=stored, original_name=checked.name, kind=checked.kind,
            mimetype=checked.mimetype, size=len(checked.data), sha256=digest,
            uploaded_by_id=actor.id)
        db.session.add(attachment)
        db.session.flush()
    except Exception:
        uploads.discard(stored)
        raise
    events.record("attachment.added", "practice", practice.id, actor=actor,
                  attachment_id=attachment.id)
    return attachment


def remove_attachment(actor: User, practice: Practice, attachment_id: int) -> None:
    attachment = db.session.get(PracticeAttachment, attachment_id)
    if attachment is None or attachment.practice_id != practice.id or attachment.deleted_at:
        raise NotFound()
    if not can_edit_practice(actor, practice):
        raise Forbidden()
    attachment.deleted_at = utcnow()  # soft: a moderator can bring it back
    events.record("attachment.removed", "practice", practice.id, actor=actor,
                  attachment_id=attachment.id)


def visible_attachments(practice: Practice) -> list[PracticeAttachment]:
    return [a for a in practice.attachments if a.deleted_at is None]


def get_attachment_or_404(practice: Practice, attachment_id: int) -> tuple[PracticeAttachment, int]:
    for number, attachment in enumerate(visible_attachments(practice), start=1):
        if attachment.id == attachment_id:
            return attachment, number
    raise NotFound()


# --- reactions, follow-ups, comments ---------------------------------------------------------

REACTIONS = {"useful": "useful_count", "experienced": "experienced_count"}


def react(actor: User, practice: Practice, kind: str, on: bool) -> None:
    if kind not in REACTIONS:
        raise ValidationError({"reaction": _("Onbekende reactie.")})
    if not can_view_practice(actor, practice):
        raise NotFound()
    if on:
        if actor.id in practice.writer_ids():
            raise ValidationError({"reaction": _("U kunt niet reageren op uw eigen praktijk.")})
        content.add_reaction(actor, practice, kind)
    else:
        content.remove_reaction(actor, practice, kind)
    db.session.flush()
    setattr(practice, REACTIONS[kind], content.reaction_count("practice", practice.id, kind))
    events.record("reaction.added" if on else "reaction.removed", "practice", practice.id,
                  actor=actor, kind=kind)


def add_followup(actor: User, practice: Practice, body) -> PracticeFollowUp:
    if actor.id not in practice.writer_ids() or not can_contribute(actor):
        raise Forbidden()
    body = content.clean_text(body, "followup", maximum=FOLLOWUP_MAX)
    followup = PracticeFollowUp(practice=practice, author_id=actor.id, body=body)
    db.session.add(followup)
    db.session.flush()
    events.record("practice.followed_up", "practice", practice.id, actor=actor,
                  followup_id=followup.id)
    return followup


def comment(actor: User, practice: Practice, body) -> None:
    if not can_view_practice(actor, practice):
        raise NotFound()
    content.add_comment(actor, practice, body)


# --- lists ----------------------------------------------------------------------------------

@dataclass
class PracticeFilters:
    outcome: str | None = None
    theme: str | None = None
    law: str | None = None
    obligation: int | None = None
    org_type: str | None = None
    size: str | None = None
    sort: str = "nieuw"

    @classmethod
    def from_args(cls, args) -> PracticeFilters:
        values, errors = content.common_filters(args, ("nieuw", "nuttig"))
        outcome = args.get("uitkomst") or args.get("outcome") or None
        if outcome and outcome not in OUTCOMES:
            errors["outcome"] = _("Onbekende uitkomst.")
        size = args.get("omvang") or args.get("size") or None
        if size and size not in {key for key, _low, _high in SIZE_CLASSES}:
            errors["size"] = _("Onbekende grootteklasse.")
        if errors:
            raise ValidationError(errors)
        return cls(outcome=outcome, size=size, **values)


def list_practices(viewer: User | None, filters: PracticeFilters, page: int, per_page: int,
                   failures_first: bool = False) -> Page:
    query = visible_practices(viewer).options(
        selectinload(Practice.organisation), selectinload(Practice.author),
        selectinload(Practice.themes), selectinload(Practice.laws),
        selectinload(Practice.co_authors))
    if filters.outcome:
        query = query.where(Practice.outcome == filters.outcome)
    if filters.theme:
        query = query.where(Practice.themes.any(Theme.slug == filters.theme))
    if filters.law:
        query = query.where(Practice.laws.any(Law.slug == filters.law))
    if filters.obligation:
        query = query.where(Practice.obligations.any(Obligation.id == filters.obligation))
    if filters.org_type:
        query = query.where(Practice.organisation.has(Organisation.type == filters.org_type))
    if filters.size:
        low, high = next((lo, hi) for key, lo, hi in SIZE_CLASSES if key == filters.size)
        condition = Organisation.inhabitants >= low
        if high is not None:
            condition = and_(condition, Organisation.inhabitants < high)
        query = query.where(Practice.organisation.has(and_(Organisation.type == "gemeente",
                                                           condition)))
    if failures_first:
        query = query.where(Practice.outcome.in_(("failure", "mixed")))
        from sqlalchemy import case

        query = query.order_by(case((Practice.outcome == "failure", 0), else_=1),
                               Practice.created_at.desc(), Practice.id.desc())
    elif filters.sort == "nuttig":
        query = query.order_by(Practice.useful_count.desc(), Practice.id.desc())
    else:
        query = query.order_by(Practice.created_at.desc(), Practice.id.desc())
    return paginate(query, page, per_page)



# --- is it still current? -------------------------------------------------------------------

def changed_laws(practice: Practice) -> list[Law]:
    """The laws the practice is about (directly or through an obligation) whose stage, dates or
    input moments changed after its current text was written: readers are told it may be
    outdated. Reactions and new co-authors do not count as writing; a new revision does."""
    laws = {law.id: law for law in practice.laws}
    for obligation in practice.obligations:
        laws.setdefault(obligation.law_id, obligation.law)
    changed = [law for law in laws.values() if law.changed_at is not None]
    if not changed:
        return []
    written = db.session.scalar(select(Revision.created_at).where(
        Revision.content_type == "practice", Revision.content_id == practice.id,
        Revision.number == practice.revision)) or practice.created_at
    return sorted((law for law in changed if law.changed_at > written),
                  key=lambda law: law.short_name_nl)
