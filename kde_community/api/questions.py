"""Questions and answers."""

from __future__ import annotations

from flask import url_for

from ..content.services import StaleEdit
from ..questions import services
from ..questions.models import Answer, Question
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


def answer_json(answer: Answer) -> dict:
    return {
        "id": answer.id,
        "question_id": answer.question_id,
        "body": answer.body,
        "author": {"name": answer.author.name},
        "organisation": {"slug": answer.organisation.slug, "name": answer.organisation.name,
                         "type": answer.organisation.type},
        "score": answer.score,
        "accepted": answer.question.accepted_answer_id == answer.id,
        "url": url_for("questions.detail", question_id=answer.question_id,
                       _anchor=f"antwoord-{answer.id}", _external=True),
        "created_at": iso(answer.created_at),
        "updated_at": iso(answer.updated_at),
    }


def question_json(question: Question) -> dict:
    return {
        "id": question.id,
        "title": question.title,
        "body": question.body,
        "visibility": question.visibility,
        "themes": [t.slug for t in question.themes],
        "laws": [law.slug for law in question.laws],
        "obligations": [o.id for o in question.obligations],
        "author": {"name": question.author.name},
        "organisation": {"slug": question.organisation.slug, "name": question.organisation.name,
                         "type": question.organisation.type},
        "answer_count": question.answer_count,
        "accepted_answer_id": question.accepted_answer_id,
        "score": question.score,
        "closed": question.is_closed,
        "version": question.revision,
        "url": url_for("questions.detail", question_id=question.id, _external=True),
        "created_at": iso(question.created_at),
        "updated_at": iso(question.updated_at),
    }


@route("/questions", summary="List questions you may see", tag="questions",
       query=schemas.QuestionQuery, response=schemas.page_of(schemas.Question))
def list_questions(query: schemas.QuestionQuery):
    filters = services.QuestionFilters.from_args(query.model_dump(exclude_none=True))
    result = services.list_questions(api_actor(), filters, query.page, query.per_page)
    return page_json(result, question_json)


@route("/questions", "POST", summary="Ask a question", tag="questions", auth=True,
       body=schemas.QuestionInput, response=schemas.Question,
       limit=WRITE_LIMIT)
def create_question(body: schemas.QuestionInput):
    return question_json(services.ask_question(require_actor(), body.model_dump(exclude_unset=True)))


@route("/questions/<int:question_id>", summary="One question with its answers", tag="questions",
       response=schemas.QuestionWithAnswers, etag=True)
def get_question(question_id: int):
    question = services.get_visible_question_or_404(question_id, api_actor())
    thread = services.load_thread(question, api_actor())
    return ({**question_json(question),
             "answers": [answer_json(a) for a in thread.answers if not a.is_removed]},
            200, etag(question.revision))


@route("/questions/<int:question_id>", "PATCH", summary="Edit your question", tag="questions",
       auth=True, body=schemas.QuestionPatch, response=schemas.Question, if_match=True, etag=True,
       description="Send the fields to change and `If-Match` with the version you edited.",
       limit=WRITE_LIMIT)
def update_question(question_id: int, body: schemas.QuestionPatch):
    actor = require_actor()
    question = services.get_visible_question_or_404(question_id, actor)
    base = if_match_revision(question.revision)
    try:
        services.edit_question(actor, question, body.model_dump(exclude_unset=True),
                               base_revision=base)
    except StaleEdit:
        raise PreconditionFailed(stale_message()) from None
    return question_json(question), 200, etag(question.revision)


@route("/questions/<int:question_id>/answers", "POST", summary="Answer a question",
       tag="questions", auth=True, body=schemas.AnswerInput, response=schemas.Answer,
       limit=WRITE_LIMIT)
def create_answer(question_id: int, body: schemas.AnswerInput):
    actor = require_actor()
    question = services.get_visible_question_or_404(question_id, actor)
    return answer_json(services.answer_question(actor, question, body.model_dump(exclude_unset=True)))
