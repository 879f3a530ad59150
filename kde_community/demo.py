"""Demo members and contributions for `make run` (data/demo/*.toml).

Every demo account has the password in DEMO_PASSWORD; demo data is never loaded in production.
Loading is idempotent: a member is matched on e-mail, a question on its asker and title.
"""

from __future__ import annotations

import tomllib
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from .accounts.models import User
from .accounts.passwords import hash_password
from .accounts.services import find_user_by_email, organisation_by_slug
from .content.models import Revision
from .dbtypes import utcnow
from .extensions import db
from .laws.models import Obligation, Theme

DEMO_PASSWORD = "demo-kde-community-2026"  # noqa: S105 — documented demo login
DEMO_DIR = Path(__file__).parent / "data" / "demo"


def _read(path: Path) -> dict:
    with path.open("rb") as fh:
        return tomllib.load(fh)


def load_demo(directory: Path = DEMO_DIR) -> str:
    if current_app.config["KDE_ENV"] == "production":
        return "Demo data is never loaded in production."
    members = _load_members(_read(directory / "members.toml").get("member", []))
    questions = 0
    for path in sorted(directory.glob("questions*.toml")):
        questions += _load_questions(_read(path).get("question", []))
    practices = 0
    if (directory / "practices.toml").exists():
        practices = _load_practices(_read(directory / "practices.toml").get("practice", []))
    db.session.commit()
    return (f"Demo data: {members} new members, {questions} new questions, {practices} new "
            f"practices (password: {DEMO_PASSWORD}).")


def _load_members(rows: list[dict]) -> int:
    created = 0
    for row in rows:
        org = organisation_by_slug(row["organisation"])
        if org is None or find_user_by_email(row["email"]):
            continue
        themes = list(db.session.scalars(select(Theme).where(
            Theme.slug.in_(row.get("expertise", []))))) if row.get("expertise") else []
        db.session.add(User(
            name=row["name"], email=row["email"].lower(), password_hash=hash_password(DEMO_PASSWORD),
            organisation=org, job_title=row.get("job_title", ""), role=row.get("role", "member"),
            approval="approved", email_verified_at=utcnow(), expertise=themes,
        ))
        created += 1
    db.session.commit()
    return created


def _load_questions(rows: list[dict]) -> int:
    from .questions import services
    from .questions.models import Question

    created = 0
    for row in rows:
        asker = find_user_by_email(row["asker"])
        if asker is None:
            continue
        exists = db.session.scalar(select(Question.id).where(
            Question.author_id == asker.id, Question.title == row["title"]))
        if exists:
            continue
        keys = row.get("obligations", [])
        obligation_ids = list(db.session.scalars(select(Obligation.id).where(
            Obligation.key.in_(keys)))) if keys else []
        question = services.ask_question(asker, {
            "title": row["title"], "body": row["body"], "visibility": row.get("visibility", "public"),
            "themes": row.get("themes", []), "laws": row.get("laws", []),
            "obligations": obligation_ids,
        })
        asked = utcnow() - timedelta(days=row.get("asked_days_ago", 30))
        _backdate(question, asked)
        for item in row.get("answers", []):
            author = find_user_by_email(item["author"])
            if author is None:
                continue
            answer = services.answer_question(author, question, {"body": item["body"]})
            _backdate(answer, asked + timedelta(days=item.get("days_after", 1)))
            answer.written_at = answer.created_at
            if item.get("accepted"):
                question.accepted_answer_id = answer.id
            voters = [u for u in db.session.scalars(select(User).where(
                User.id.notin_([author.id])).order_by(User.id).limit(item.get("helpful_votes", 0)))]
            for voter in voters:
                services.vote(voter, answer)
        for item in row.get("comments", []):
            author = find_user_by_email(item["author"])
            if author is not None:
                services.comment_on(author, question, item["body"])
        question.last_activity_at = max(
            [question.created_at] + [a.created_at for a in question.answers])
        db.session.commit()
        created += 1
    return created


def _backdate(obj, when) -> None:
    """Demo content looks like it grew over months."""
    obj.created_at = obj.updated_at = when
    for revision in db.session.scalars(select(Revision).where(
            Revision.content_type == obj.content_type, Revision.content_id == obj.id)):
        revision.created_at = when
    db.session.commit()


def _load_practices(rows: list[dict]) -> int:
    from .permissions import can_view_practice
    from .practices import services
    from .practices.models import SECTIONS, Practice

    created = 0
    voters = list(db.session.scalars(select(User).order_by(User.id)))
    for row in rows:
        author = find_user_by_email(row["author"])
        if author is None or db.session.scalar(select(Practice.id).where(
                Practice.author_id == author.id, Practice.title == row["title"])):
            continue
        keys = row.get("obligations", [])
        obligation_ids = list(db.session.scalars(select(Obligation.id).where(
            Obligation.key.in_(keys)))) if keys else []
        practice = services.write_practice(author, {
            "title": row["title"], **{name: row.get(name, "") for name in SECTIONS},
            "outcome": row["outcome"], "failure_causes": row.get("failure_causes", []),
            "period": row.get("period", ""), "effort": row.get("effort", ""),
            "visibility": row.get("visibility", "public"),
            "anonymous": bool(row.get("anonymous", False)),
            "themes": row.get("themes", []), "laws": row.get("laws", []),
            "obligations": obligation_ids, "co_authors": row.get("co_authors", []),
        })
        for invitation in list(practice.invitations):  # demo co-authors said yes
            invitee = find_user_by_email(invitation.email)
            if invitee is not None:
                services.answer_invitation(invitee, invitation, True)
        published = utcnow() - timedelta(days=row.get("published_days_ago", 60))
        _backdate(practice, published)
        writers = practice.writer_ids()
        others = [u for u in voters if u.id not in writers and can_view_practice(u, practice)]
        for kind, number in (("useful", row.get("useful_votes", 0)),
                             ("experienced", row.get("experienced_votes", 0))):
            for voter in others[:number]:
                services.react(voter, practice, kind, True)
        for item in row.get("followups", []):
            followup = services.add_followup(author, practice, item["body"])
            followup.created_at = published + timedelta(days=item.get("days_after", 180))
        for item in row.get("comments", []):
            commenter = find_user_by_email(item["author"])
            if commenter is not None and can_view_practice(commenter, practice):
                services.comment(commenter, practice, item["body"])
        db.session.commit()
        created += 1
    return created
