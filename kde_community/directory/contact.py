"""An organisation's public page, and members writing to a peer who chose to be contactable.

Services: they take the actor (viewer), check permissions, validate and flush — the request
commits. The page is built from a fixed number of queries, whatever the organisation's size.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..content.services import clean_text
from ..errors import Forbidden, NotFound, ValidationError
from ..extensions import db
from ..laws.models import Obligation
from ..links import absolute_url
from ..mail import send_mail_after_response
from ..permissions import (
    can_contact,
    can_see_contacts,
    can_view_practice,
    visible_audience_clause,
)
from ..practices.models import Practice
from ..questions.models import Question
from .models import ContactMessage, FrontrunnerTopic, Organisation

SUBJECT_MAX = 150
BODY_MAX = 5_000
CONTRIBUTIONS_SHOWN = 10


# --- the organisation page ------------------------------------------------------------------

@dataclass
class TopicView:
    """A frontrunner topic with what this viewer may follow from it: the practice only when
    they may read it (and it names the organisation), the contact only for members."""

    topic: FrontrunnerTopic
    practice: Practice | None = None
    contact: User | None = None


@dataclass
class OrganisationPage:
    topics: list[TopicView] = field(default_factory=list)
    contacts: list[User] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    question_total: int = 0
    practices: list[Practice] = field(default_factory=list)
    practice_total: int = 0


def _reachable(user: User | None, org: Organisation) -> bool:
    """A member of this organisation who chose to be contactable and can still log in."""
    return user is not None and user.organisation_id == org.id and user.contactable \
        and user.can_log_in


def contactable_members_clause(org: Organisation):
    return (User.organisation_id == org.id, User.contactable.is_(True), User.active.is_(True),
            User.approval == "approved", User.email_verified_at.is_not(None))


def _questions(viewer: User | None, org: Organisation) -> tuple[list[Question], int]:
    where = (Question.organisation_id == org.id, visible_audience_clause(viewer, Question),
             Question.hidden_at.is_(None), Question.deleted_at.is_(None))
    total = db.session.scalar(select(func.count(Question.id)).where(*where)) or 0
    items = list(db.session.scalars(
        select(Question).where(*where)
        .order_by(Question.created_at.desc(), Question.id.desc()).limit(CONTRIBUTIONS_SHOWN)))
    return items, total


def _practices(viewer: User | None, org: Organisation) -> tuple[list[Practice], int]:
    """Write-ups that name the organisation. Anonymous ones are never listed nor counted, not
    even for their writers: a count that drops by one would point at them."""
    where = (Practice.organisation_id == org.id, Practice.anonymous.is_(False),
             visible_audience_clause(viewer, Practice),
             Practice.hidden_at.is_(None), Practice.deleted_at.is_(None))
    total = db.session.scalar(select(func.count(Practice.id)).where(*where)) or 0
    items = list(db.session.scalars(
        select(Practice).where(*where)
        .order_by(Practice.created_at.desc(), Practice.id.desc()).limit(CONTRIBUTIONS_SHOWN)))
    return items, total


def _topics(viewer: User | None, org: Organisation) -> list[TopicView]:
    topics = db.session.scalars(
        select(FrontrunnerTopic)
        .where(FrontrunnerTopic.organisation_id == org.id, FrontrunnerTopic.deleted_at.is_(None))
        .order_by(FrontrunnerTopic.id)
        .options(selectinload(FrontrunnerTopic.theme), selectinload(FrontrunnerTopic.law),
                 selectinload(FrontrunnerTopic.obligation).selectinload(Obligation.law),
                 selectinload(FrontrunnerTopic.contact),
                 selectinload(FrontrunnerTopic.practice).selectinload(Practice.co_authors)))
    views = []
    see_contacts = can_see_contacts(viewer)
    for topic in topics:
        practice = topic.practice
        if practice is not None and (practice.anonymous or practice.organisation_id != org.id
                                     or practice.is_removed
                                     or not can_view_practice(viewer, practice)):
            practice = None
        contact = topic.contact if see_contacts and _reachable(topic.contact, org) else None
        views.append(TopicView(topic, practice, contact))
    return views


def organisation_page(viewer: User | None, org: Organisation) -> OrganisationPage:
    """Everything the organisation page shows besides the profile, filtered for the viewer."""
    page = OrganisationPage(topics=_topics(viewer, org))
    if can_see_contacts(viewer):
        page.contacts = list(db.session.scalars(
            select(User).where(*contactable_members_clause(org))
            .options(selectinload(User.expertise)).order_by(User.name, User.id)))
    page.questions, page.question_total = _questions(viewer, org)
    page.practices, page.practice_total = _practices(viewer, org)
    return page


# --- contact a peer -------------------------------------------------------------------------

def get_recipient_or_404(org: Organisation, user_id: int) -> User:
    """A contactable member of `org`. Anyone else — unknown, elsewhere, not contactable, not
    (or no longer) able to log in — is simply not found: the answer tells nothing about them."""
    user = db.session.get(User, user_id) if user_id else None
    if not _reachable(user, org):
        raise NotFound()
    return user


def send_contact_message(actor: User, recipient: User, data: dict) -> ContactMessage:
    """Store the message and mail it to the recipient with the sender as Reply-To, so the
    answer goes to the sender directly; the recipient's address is never shown to them."""
    if recipient.id == getattr(actor, "id", None):
        raise ValidationError({"body": _("U kunt uzelf geen bericht sturen.")})
    if not can_contact(actor, recipient):
        raise Forbidden()
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    for name, maximum, single_line in (("subject", SUBJECT_MAX, True), ("body", BODY_MAX, False)):
        try:
            values[name] = clean_text(data.get(name), name, maximum=maximum,
                                      single_line=single_line)
        except ValidationError as exc:
            errors.update(exc.fields)
    if errors:
        raise ValidationError(errors)
    message = ContactMessage(sender_id=actor.id, recipient_id=recipient.id,
                             subject=values["subject"], body=values["body"])
    db.session.add(message)
    db.session.flush()
    body = _(
        "Beste %(recipient)s,\n\n%(sender)s (%(org)s) stuurt u via KDE Community dit bericht:"
        "\n\n%(subject)s\n\n%(body)s\n\n-- \nBeantwoord deze e-mail om %(sender)s rechtstreeks "
        "te antwoorden.\nU krijgt dit bericht omdat u in uw profiel hebt aangegeven dat andere "
        "leden u een bericht mogen sturen. Wilt u dat niet meer? Zet het uit via %(link)s",
        recipient=recipient.name, sender=actor.name, org=actor.organisation.name,
        subject=values["subject"], body=values["body"],
        link=absolute_url("accounts.edit_profile"))
    send_mail_after_response(
        recipient.email, _("KDE Community: %(subject)s", subject=values["subject"]), body,
        reply_to=(actor.name, actor.email))
    return message
