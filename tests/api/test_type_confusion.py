"""Type-confused input to every write operation, field by field: a 4xx naming the field, and
nothing changed. The fields come from the OpenAPI document, so a new field is covered too.

Whole numbers are bounded by the database's `integer` (32 bits on PostgreSQL): anything larger
can name no row, in a path (404), a query (422) or a body (422)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from kde_community.accounts.models import User
from kde_community.clauses import services as clauses
from kde_community.clauses.models import Clause, ClauseSet, Suggestion
from kde_community.content.models import Revision
from kde_community.extensions import db
from kde_community.laws.models import Theme
from kde_community.practices.models import Practice
from kde_community.questions.models import Answer, Question

HUGE = 10**30
DEEP = "[" * 100_000 + "]" * 100_000  # deeper than any JSON parser walks

NOT_TEXT = [None, {}, {"a": 1}, [{}], ["tekst"], [[["diep"]]], HUGE, -1, 0, True, False, 1.5]
NOT_BOOL = [None, "true", "ja", 1, 0, {}, [], [True], HUGE]
NOT_ENUM = [None, "", "PUBLIC", "onbekend", 1, True, ["public"], {"value": "public"}]
NOT_TEXT_LIST = [None, "ai", {}, {"0": "ai"}, [{}], [None], [HUGE], [True], [["ai"]], [1.5],
                 HUGE, True, ["x" * 1000], ["ai"] * 31]
NOT_ID_LIST = [None, "1", {}, [{}], [None], [HUGE], [2**63], [2**31], [True], [1.5], ["1"], [-1], [0],
               HUGE, True, [[1]]]


def bad_values(schema: dict) -> list:
    if "enum" in schema:
        return NOT_ENUM
    if schema.get("type") == "boolean":
        return NOT_BOOL
    if schema.get("type") == "array":
        return NOT_ID_LIST if schema["items"].get("type") == "integer" else NOT_TEXT_LIST
    assert schema.get("type") == "string", schema
    return NOT_TEXT + ["x" * (schema.get("maxLength", 20_000) + 1)]


def snapshot() -> tuple:
    db.session.expire_all()
    counts = tuple(db.session.scalar(select(func.count()).select_from(model))
                   for model in (Question, Answer, Practice, Revision, ClauseSet, Clause,
                                 Suggestion))
    texts = tuple((q.title, q.body, q.visibility, q.revision)
                  for q in db.session.scalars(select(Question).order_by(Question.id)))
    practices = tuple((p.title, p.summary, p.anonymous, p.visibility, p.revision)
                      for p in db.session.scalars(select(Practice).order_by(Practice.id)))
    users = tuple((u.name, u.job_title) for u in db.session.scalars(select(User).order_by(User.id)))
    return counts, texts, practices, users


@pytest.fixture
def world(auth, make_question, make_practice, make_law):
    db.session.add(Theme(slug="ai", name_nl="AI", name_en="AI"))
    law = make_law()
    user, headers = auth()
    question = make_question(author=user)
    practice = make_practice(author=user)
    clause_set = clauses.create_set(user, {"title": "Een set inkoopvoorwaarden"})
    clause = clauses.add_clause(user, clause_set, {"heading": "Kop", "text": "Tekst."})
    db.session.commit()
    valid = {
        "create_question": {"title": "Een geldige vraagtitel", "body": "Tekst.", "themes": ["ai"],
                            "laws": [law.slug], "obligations": [law.obligations[0].id],
                            "visibility": "public"},
        "update_question": {"title": "Een andere geldige titel"},
        "create_answer": {"body": "Een antwoord.", "laws": [law.slug]},
        "create_practice": {"title": "Een praktijk met een titel", "summary": "Kort.",
                            "approach": "Zo.", "lessons": "Dit.", "outcome": "success"},
        "update_practice": {"title": "Een andere praktijktitel"},
        "update_me": {"name": "Een Nieuwe Naam"},
        "create_clause_set": {"title": "Een nieuwe set", "visibility": "members",
                              "purchase_kind": "saas"},
        "create_clause": {"heading": "Een kop", "text": "Een tekst.",
                          "obligations": [law.obligations[0].id]},
        "update_clause": {"heading": "Een andere kop", "text": "Een andere tekst."},
        "create_suggestion": {"kind": "change", "text": "Een voorstel.",
                              "rationale": "Omdat het beter is."},
    }
    paths = {"question_id": question.id, "practice_id": practice.id,
             "set_id": clause_set.id, "clause_id": clause.id}
    return headers, valid, paths


def write_operations(document: dict):
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            if "requestBody" in op:
                ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
                yield path, method, op, document["components"]["schemas"][ref.rsplit("/", 1)[1]]


def test_every_write_operation_refuses_confused_fields(client, world, api_error):
    headers, valid, paths = world
    document = client.get("/api/v1/openapi.json").json
    operations = list(write_operations(document))
    assert {op["operationId"] for *_, op, _ in operations} == set(valid), "a write without cases"
    before = snapshot()
    sent = 0
    for path, method, op, schema in operations:
        url = path.format(**paths)
        send = getattr(client, method)
        extra = {"If-Match": '"1"'} if any(p["name"] == "If-Match" for p in op["parameters"]) else {}
        base = valid[op["operationId"]]
        for name, prop in schema["properties"].items():
            for value in bad_values(prop):
                body = {**base, name: value}
                response = send(url, headers={**headers, **extra}, json=body)
                error = api_error(response, 422)
                assert name in error["fields"], (op["operationId"], name, value, error)
                sent += 1
        for raw, status in ((json.dumps({**base, "onbekend": 1}), 422), ("null", 400), ("[]", 400),
                            ('"tekst"', 400), ("12", 400), (DEEP, 400),
                            ('{"title": ' + DEEP + "}", 400), ("{kapot", 400)):
            response = send(url, headers={**headers, **extra}, data=raw,
                            content_type="application/json")
            error = api_error(response, status)
            if status == 422:
                assert error["fields"] == {"onbekend": error["fields"]["onbekend"]}
        api_error(send(url, headers={**headers, **extra}, data="title=x",
                       content_type="application/x-www-form-urlencoded"), 415)
    assert sent > 300
    assert snapshot() == before


def test_required_fields_and_nulls_are_named(client, world, api_error):
    headers, _, _ = world
    error = api_error(client.post("/api/v1/questions", headers=headers, json={}), 422)
    assert set(error["fields"]) == {"title", "body"}
    error = api_error(client.post("/api/v1/practices", headers=headers, json={"title": None}), 422)
    assert set(error["fields"]) == {"title", "summary", "approach", "lessons", "outcome"}
    assert error["fields"]["title"] == "Geef hier tekst op."
    error = api_error(client.post("/api/v1/questions", headers=headers, json={
        "title": "Een geldige vraagtitel", "body": "x", "obligations": [1, HUGE]}), 422)
    assert error["fields"]["obligations"].startswith("Waarde 2: Geef een getal van hoogstens")
    english = api_error(client.post("/api/v1/practices?lang=en", headers=headers,
                                    json={"title": None, "anonymous": "ja"}), 422)
    assert english["fields"]["title"] == "Enter text here."
    assert english["fields"]["anonymous"] == "Enter true or false."


def test_ids_beyond_the_integer_range_and_confused_query_arguments(client, world, api_error):
    headers, _, _ = world
    for path in ("/api/v1/questions/99999999999999999999999", "/api/v1/practices/9223372036854775808",
                 "/api/v1/questions/2147483648", "/api/v1/practices/4294967296",
                 "/api/v1/questions/-1", "/api/v1/questions/1.5", "/api/v1/laws/%00",
                 "/api/v1/organisations/a%00b/peers", "/api/v1/networks/" + "x" * 121,
                 "/api/v1/laws/AI-Act", "/api/v1/organisations/%ED%A0%80"):
        api_error(client.get(path, headers=headers), 404)
    for number in ("99999999999999999999999", "9223372036854775808", "2147483648"):
        api_error(client.patch(f"/api/v1/questions/{number}", headers={**headers, "If-Match": '"1"'},
                               json={"title": "Een titel hier"}), 404)
        api_error(client.patch(f"/api/v1/practices/{number}", headers={**headers, "If-Match": '"1"'},
                               json={"title": "Een titel hier"}), 404)
        api_error(client.post(f"/api/v1/questions/{number}/answers", headers=headers,
                              json={"body": "x"}), 404)
    cases = [
        ("/api/v1/questions", "obligation", str(HUGE)), ("/api/v1/questions", "obligation", "1.0"),
        ("/api/v1/questions", "obligation", str(2**31)),
        ("/api/v1/questions", "page", str(2**63)), ("/api/v1/questions", "per_page", "tien"),
        ("/api/v1/questions", "type", "bakkerij"), ("/api/v1/questions", "theme", "A B"),
        ("/api/v1/practices", "obligation", "-1"), ("/api/v1/practices", "size", "groot"),
        ("/api/v1/practices", "outcome", "true"),
        ("/api/v1/organisations", "min_inhabitants", str(HUGE)),
        ("/api/v1/organisations", "province", "Atlantis"), ("/api/v1/laws", "applies_to", "x"),
        ("/api/v1/networks", "theme", "a\x00"), ("/api/v1/search", "sort", "random"),
        ("/api/v1/search", "page", "0"), ("/api/v1/search", "q", "x" * 501),
    ]
    for path, name, value in cases:
        error = api_error(client.get(path, query_string={name: value}, headers=headers), 422)
        assert name in error["fields"], (path, name, value)
