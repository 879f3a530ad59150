"""Who may see or change what. One function per question; views, API, search and feeds use these."""

from __future__ import annotations

from .accounts.models import User


def is_member(actor: User | None) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False) and actor.can_log_in


def can_moderate_members(actor: User | None) -> bool:
    return is_member(actor) and actor.has_role("moderator")


def can_edit_reference_data(actor: User | None) -> bool:
    return is_member(actor) and actor.has_role("editor")


def can_manage_tokens(actor: User | None, owner: User) -> bool:
    return is_member(actor) and actor.id == owner.id


def can_view_profile(actor: User | None, profile: User) -> bool:
    """Profiles are for members: outsiders never see who works where."""
    return is_member(actor) and profile.can_log_in or can_moderate_members(actor)


def can_moderate(actor: User | None) -> bool:
    """Hide, restore and close contributions, and handle flags."""
    return is_member(actor) and actor.has_role("moderator")


def can_pick_praktijkvraag(actor: User | None) -> bool:
    return is_member(actor) and actor.has_role("editor")


def can_contribute(actor: User | None) -> bool:
    """Ask, answer, comment, vote, flag and follow: members only."""
    return is_member(actor)


def can_see_audience(actor: User | None, visibility: str, organisation_id: int | None = None) -> bool:
    """Whether a contribution with this visibility may be shown to the actor at all."""
    if visibility == "public":
        return True
    if not is_member(actor):
        return False
    if visibility == "members":
        return True
    return visibility == "organisation" and actor.organisation_id == organisation_id


def can_view_post(actor: User | None, post) -> bool:
    """Questions, answers and comments: audience, then moderation state."""
    question = getattr(post, "question", None) or post
    if not can_see_audience(actor, question.visibility, question.organisation_id):
        return False
    for item in {question, post}:
        if item.deleted_at is not None and not can_moderate(actor):
            return False
        if item.hidden_at is not None and not (
            can_moderate(actor) or (is_member(actor) and item.author_id == actor.id)
        ):
            return False
    return True


def can_edit_post(actor: User | None, post) -> bool:
    return is_member(actor) and (post.author_id == actor.id or can_moderate(actor))


def can_accept_answer(actor: User | None, question) -> bool:
    return is_member(actor) and (question.author_id == actor.id or can_moderate(actor))


def visible_audience_clause(actor: User | None, model):
    """SQL filter: rows of `model` (with visibility, organisation_id, hidden_at, deleted_at)
    that the actor may see in lists, counts and suggestions."""
    from sqlalchemy import and_, false, or_, true

    audience = [model.visibility == "public"]
    if is_member(actor):
        audience.append(model.visibility == "members")
        audience.append(and_(model.visibility == "organisation",
                             model.organisation_id == actor.organisation_id))
    clause = or_(*audience) if audience else false()
    if can_moderate(actor):
        return and_(clause, model.deleted_at.is_(None))
    return and_(clause, model.hidden_at.is_(None), model.deleted_at.is_(None), true())


def is_practice_writer(actor: User | None, practice) -> bool:
    return is_member(actor) and actor.id in practice.writer_ids()


def can_view_practice(actor: User | None, practice) -> bool:
    """Writers and moderators always; others by audience, and never once removed."""
    if is_practice_writer(actor, practice):
        return practice.deleted_at is None or can_moderate(actor)
    if can_moderate(actor):
        return True
    if practice.is_removed:
        return False
    return can_see_audience(actor, practice.visibility, practice.organisation_id)


def can_edit_practice(actor: User | None, practice) -> bool:
    return is_practice_writer(actor, practice) or can_moderate(actor)


def can_see_full_history(actor: User | None, obj) -> bool:
    """Writers and moderators see every revision, whatever audience it was written for."""
    if obj.content_type == "practice":
        return can_edit_practice(actor, obj)
    if obj.content_type in ("organisation", "frontrunner"):
        return can_manage_organisation(actor, getattr(obj, "organisation", obj))
    if obj.content_type in ("clause", "clause_set"):
        return can_edit_clauses(actor, getattr(obj, "clause_set", obj))
    if obj.content_type in ("law", "obligation"):
        return can_edit_reference_data(actor)
    return can_edit_post(actor, obj)


def can_see_revision(actor: User | None, obj, revision) -> bool:
    """Others see a revision only when it was written for an audience that included them, and
    while the content is anonymous, only revisions written anonymously."""
    if can_see_full_history(actor, obj):
        return True
    if revision.visibility == "participants":
        return clause_role(actor, getattr(obj, "clause_set", obj)) is not None
    if not can_see_audience(actor, revision.visibility, revision.organisation_id):
        return False
    return revision.anonymous or not obj.audience.anonymous


def can_see_practice_author(actor: User | None, practice) -> bool:
    """Anonymous write-ups name their writers to the writers themselves and moderators only."""
    return not practice.anonymous or is_practice_writer(actor, practice) or can_moderate(actor)


def can_vote(actor: User | None, post) -> bool:
    """Members vote on others' posts, never their own."""
    return can_contribute(actor) and post.author_id != actor.id


def can_see_comment_author(actor: User | None, practice, comment) -> bool:
    """A writer's comment on an anonymous write-up is signed "the writer" for outsiders."""
    return not (practice.anonymous and comment.author_id in practice.writer_ids()) or \
        can_see_practice_author(actor, practice)


# --- directory ------------------------------------------------------------------------------

def is_organisation_admin(actor: User | None, organisation) -> bool:
    """A member whose request to administer their own organisation a moderator granted."""
    if not is_member(actor) or actor.organisation_id != organisation.id:
        return False
    from sqlalchemy import select

    from .directory.models import OrganisationAdmin
    from .extensions import db

    return db.session.scalar(select(OrganisationAdmin.id).where(
        OrganisationAdmin.organisation_id == organisation.id,
        OrganisationAdmin.user_id == actor.id, OrganisationAdmin.status == "granted")) is not None


def can_manage_organisation(actor: User | None, organisation) -> bool:
    """Profile, mail domains and frontrunner topics: the organisation's administrators, and
    editors and moderators for every organisation."""
    return can_edit_reference_data(actor) or is_organisation_admin(actor, organisation)


def can_request_organisation_admin(actor: User | None, organisation) -> bool:
    return is_member(actor) and actor.organisation_id == organisation.id \
        and not can_manage_organisation(actor, organisation)


def can_see_contacts(actor: User | None) -> bool:
    """Who works where, and who may be contacted, is for members only."""
    return is_member(actor)


def can_contact(actor: User | None, recipient: User) -> bool:
    """Members write to another member who chose to be contactable (never to themselves)."""
    return is_member(actor) and recipient.contactable and recipient.can_log_in \
        and recipient.id != actor.id


def can_propose_network(actor: User | None) -> bool:
    return is_member(actor)


def can_review_network(actor: User | None) -> bool:
    return can_edit_reference_data(actor)


def can_mark_participation(actor: User | None, organisation) -> bool:
    """"Our organisation takes part": its own members, and those who manage it."""
    return is_member(actor) and (actor.organisation_id == organisation.id
                                 or can_manage_organisation(actor, organisation))


# --- clause sets ----------------------------------------------------------------------------

def clause_role(actor: User | None, clause_set) -> str | None:
    """editor / contributor / observer: the role of the member's organisation in the set."""
    return clause_set.role_of(actor.organisation_id) if is_member(actor) else None


def can_view_clause_set(actor: User | None, clause_set) -> bool:
    if clause_set.deleted_at is not None:
        return can_moderate(actor)
    if clause_set.visibility == "participants":
        return clause_role(actor, clause_set) is not None or can_moderate(actor)
    return can_see_audience(actor, clause_set.visibility)


def can_create_clause_set(actor: User | None) -> bool:
    return is_member(actor)


def can_edit_clauses(actor: User | None, clause_set) -> bool:
    """Write clauses, decide suggestions, release, manage participants and status: the
    editors (the lead organisation and editor organisations) and moderators."""
    if clause_set.deleted_at is not None:
        return False
    return clause_role(actor, clause_set) == "editor" or can_moderate(actor)


def can_suggest(actor: User | None, clause_set, today=None) -> bool:
    """Contributors and editors while the set is not adopted; during a consultation that is
    still open, every member who may see the set."""
    from datetime import date

    if not is_member(actor) or clause_set.status == "adopted" \
            or not can_view_clause_set(actor, clause_set):
        return False
    if clause_role(actor, clause_set) in ("editor", "contributor"):
        return True
    today = today or date.today()
    return clause_set.status == "consultation" and (
        clause_set.consultation_until is None or clause_set.consultation_until >= today)


def can_comment_on_clauses(actor: User | None, clause_set) -> bool:
    return is_member(actor) and can_view_clause_set(actor, clause_set)


def can_adopt(actor: User | None, clause_set) -> bool:
    """Any member records that their organisation uses a release of a set they may see."""
    return is_member(actor) and can_view_clause_set(actor, clause_set)


class Can:
    """What the current member may do and see, for templates (`can.edit(post)`): a template
    asks, it never re-derives a rule."""

    def __init__(self, actor: User | None):
        self.actor = actor

    @property
    def contribute(self) -> bool:
        return can_contribute(self.actor)

    @property
    def moderate(self) -> bool:
        return can_moderate(self.actor)

    @property
    def pick_praktijkvraag(self) -> bool:
        return can_pick_praktijkvraag(self.actor)

    @property
    def edit_reference_data(self) -> bool:
        return can_edit_reference_data(self.actor)

    def edit(self, obj) -> bool:
        return can_edit_practice(self.actor, obj) if obj.content_type == "practice" else \
            can_edit_post(self.actor, obj)

    def delete_own(self, obj) -> bool:
        """Authors remove their own post (moderators hide instead)."""
        return is_member(self.actor) and obj.author_id == self.actor.id and not self.moderate

    def vote(self, post) -> bool:
        return can_vote(self.actor, post)

    def accept(self, question) -> bool:
        return can_accept_answer(self.actor, question)

    def manage(self, question) -> bool:
        """The question's tools section: moderators, editors and its author."""
        return self.moderate or self.pick_praktijkvraag or self.delete_own(question)

    def see_author(self, practice) -> bool:
        return can_see_practice_author(self.actor, practice)

    def see_comment_author(self, practice, comment) -> bool:
        return can_see_comment_author(self.actor, practice, comment)

    def manage_organisation(self, organisation) -> bool:
        return can_manage_organisation(self.actor, organisation)

    def request_organisation_admin(self, organisation) -> bool:
        return can_request_organisation_admin(self.actor, organisation)

    @property
    def see_contacts(self) -> bool:
        return can_see_contacts(self.actor)

    def contact(self, recipient) -> bool:
        return can_contact(self.actor, recipient)

    @property
    def propose_network(self) -> bool:
        return can_propose_network(self.actor)

    @property
    def review_network(self) -> bool:
        return can_review_network(self.actor)

    def view_clause_set(self, clause_set) -> bool:
        return can_view_clause_set(self.actor, clause_set)

    def edit_clauses(self, clause_set) -> bool:
        return can_edit_clauses(self.actor, clause_set)

    def suggest(self, clause_set) -> bool:
        return can_suggest(self.actor, clause_set)

    def comment_on_clauses(self, clause_set) -> bool:
        return can_comment_on_clauses(self.actor, clause_set)

    def adopt(self, clause_set) -> bool:
        return can_adopt(self.actor, clause_set)

    @property
    def create_clause_set(self) -> bool:
        return can_create_clause_set(self.actor)

    def withdraw(self, suggestion) -> bool:
        return is_member(self.actor) and suggestion.author_id == self.actor.id \
            and suggestion.status == "open"

    def mark_participation(self, organisation) -> bool:
        return can_mark_participation(self.actor, organisation)
