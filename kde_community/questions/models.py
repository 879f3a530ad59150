"""Questions, answers and the praktijkvraag of the week."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..content.models import Audience, Moderated, Tagged
from ..dbtypes import TimestampMixin, UTCDateTime, utcnow
from ..directory.models import Organisation
from ..extensions import db
from ..markup import plain_text
from ..search.models import Searchable

QUESTION_VISIBILITIES = ("public", "members")
CLOSE_REASONS = ("duplicate", "off_topic")
TITLE_MAX = 200
TITLE_MIN = 10
BODY_MAX = 20_000
ANSWER_MAX = 20_000
COMMENT_MAX = 1_000


class Question(TimestampMixin, Tagged, Moderated, Searchable, db.Model):
    __tablename__ = "questions"
    search_type = "question"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The asker's organisation when asking: a later move does not rewrite history.
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    visibility: Mapped[str] = mapped_column(String(20), default="public", index=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    accepted_answer_id: Mapped[int | None] = mapped_column(
        ForeignKey("answers.id", use_alter=True, ondelete="SET NULL"), nullable=True)
    # Counters kept with every change, so lists need no per-row queries.
    answer_count: Mapped[int] = mapped_column(Integer, default=0)
    score: Mapped[int] = mapped_column(Integer, default=0, index=True)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    close_reason: Mapped[str] = mapped_column(String(20), default="")
    close_note: Mapped[str] = mapped_column(String(300), default="")
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id"), nullable=True)

    author: Mapped[User] = relationship()
    organisation: Mapped[Organisation] = relationship()
    answers: Mapped[list[Answer]] = relationship(
        back_populates="question", foreign_keys="Answer.question_id", order_by="Answer.id")
    accepted_answer: Mapped[Answer | None] = relationship(foreign_keys=[accepted_answer_id],
                                                          post_update=True)
    duplicate_of: Mapped[Question | None] = relationship(remote_side=[id])

    content_type = "question"

    @property
    def audience(self) -> Audience:
        return Audience(self.visibility, self.organisation_id)

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    def search_document(self) -> dict | None:
        """The question with its visible answers, as one document."""
        if self.is_removed:
            return None
        answers = [plain_text(a.body) for a in self.answers if not a.is_removed]
        return {
            "key": f"question:{self.id}", "type": "question", "id": self.id,
            "title": self.title, "body": "\n\n".join([plain_text(self.body), *answers]),
            "url": f"/vragen/{self.id}", "date": self.created_at,
            "visibility": self.visibility, "org_id": self.organisation_id,
            "org_name": self.organisation.name, "org_type": self.organisation.type,
            "themes": [t.slug for t in self.themes], "laws": [law.slug for law in self.laws],
        }

    @classmethod
    def search_query(cls):
        from sqlalchemy import select
        from sqlalchemy.orm import selectinload

        return select(cls).options(selectinload(cls.answers), selectinload(cls.organisation),
                                   selectinload(cls.themes), selectinload(cls.laws))

    def __repr__(self) -> str:
        return f"<Question {self.id}>"


class Answer(TimestampMixin, Tagged, Moderated, Searchable, db.Model):
    __tablename__ = "answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    score: Mapped[int] = mapped_column(Integer, default=0)
    # When the text was last written: a law that changed after this may make it outdated.
    written_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    question: Mapped[Question] = relationship(back_populates="answers", foreign_keys=[question_id])
    author: Mapped[User] = relationship()
    organisation: Mapped[Organisation] = relationship()

    content_type = "answer"

    @property
    def audience(self) -> Audience:
        """An answer is read by its question's audience."""
        return self.question.audience

    def search_keys(self) -> list[tuple[str, int]]:
        """An answer is part of its question's document."""
        return [("question", self.question_id or (self.question.id if self.question else None))]

    def __repr__(self) -> str:
        return f"<Answer {self.id}>"


class PraktijkvraagPick(db.Model):
    """An editor's pick of the praktijkvraag of the week."""

    __tablename__ = "praktijkvraag_picks"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    week_start: Mapped[date] = mapped_column(Date, index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    picked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    question: Mapped[Question] = relationship()
