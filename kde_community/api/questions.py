"""Questions and answers."""

from __future__ import annotations

from flask import current_app, jsonify, request, url_for

from ..extensions import limiter
from ..pagination import page_args
from ..questions import services
from ..questions.models import Answer, Question
from .core import api_actor, check_fields, iso, json_body, page_json, require_actor, route
from .schemas import PAGE_PARAMS, page_of, ref

WRITABLE = {"title", "body", "visibility", "themes", "laws", "obligations"}


def _write_limit():
    return current_app.config["KDE_API_WRITE_LIMIT"]


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
        "url": url_for("questions.detail", question_id=question.id, _external=True),
        "created_at": iso(question.created_at),
        "updated_at": iso(question.updated_at),
    }


@route("/questions", summary="List questions you may see", tag="questions",
       params=PAGE_PARAMS + [
           {"name": name, "in": "query", "schema": {"type": "string"}}
           for name in ("theme", "law", "obligation", "type", "sort")
       ], response_schema=page_of("Question"), responses=(401, 422))
def list_questions():
    page, per_page = page_args(request.args)
    filters = services.QuestionFilters.from_args(request.args)
    result = services.list_questions(api_actor(), filters, page, per_page)
    return jsonify(page_json(result, question_json))


@route("/questions", "POST", summary="Ask a question", tag="questions", auth=True,
       request_schema=ref("QuestionInput"), response_schema=ref("Question"),
       responses=(400, 415, 422, 429))
@limiter.limit(_write_limit)
def create_question():
    actor = require_actor()
    data = json_body()
    check_fields(data, WRITABLE)
    question = services.ask_question(actor, data)
    return jsonify(question_json(question)), 201


@route("/questions/<int:question_id>", summary="One question with its answers", tag="questions",
       response_schema=ref("QuestionWithAnswers"), responses=(401, 404))
def get_question(question_id: int):
    question = services.get_visible_question_or_404(question_id, api_actor())
    thread = services.load_thread(question, api_actor())
    return jsonify({**question_json(question),
                    "answers": [answer_json(a) for a in thread.answers if not a.is_removed]})


@route("/questions/<int:question_id>", "PATCH", summary="Edit your question", tag="questions",
       auth=True, request_schema=ref("QuestionPatch"), response_schema=ref("Question"),
       responses=(400, 403, 404, 415, 422, 429))
@limiter.limit(_write_limit)
def update_question(question_id: int):
    actor = require_actor()
    question = services.get_visible_question_or_404(question_id, actor)
    data = json_body()
    check_fields(data, WRITABLE)
    services.edit_question(actor, question, data)
    return jsonify(question_json(question))


@route("/questions/<int:question_id>/answers", "POST", summary="Answer a question",
       tag="questions", auth=True, request_schema=ref("AnswerInput"),
       response_schema=ref("Answer"), responses=(400, 403, 404, 415, 422, 429))
@limiter.limit(_write_limit)
def create_answer(question_id: int):
    actor = require_actor()
    question = services.get_visible_question_or_404(question_id, actor)
    data = json_body()
    check_fields(data, {"body", "laws"})
    answer = services.answer_question(actor, question, data)
    return jsonify(answer_json(answer)), 201
