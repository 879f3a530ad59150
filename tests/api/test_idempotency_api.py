"""`Idempotency-Key` on API POSTs: a repeat (sequential or parallel) gets the first result."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from kde_community.extensions import db
from kde_community.practices.models import Practice
from kde_community.questions.models import Answer, Question

QUESTION = {"title": "Hoe borgen jullie de AI-geletterdheid?", "body": "Wij beginnen net."}


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def test_sequential_repeat_returns_the_first_result(client, auth, api_error):
    _, headers = auth()
    keyed = {**headers, "Idempotency-Key": "vraag-1"}
    first = client.post("/api/v1/questions", headers=keyed, json=QUESTION)
    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
    again = client.post("/api/v1/questions", headers=keyed, json=QUESTION)
    assert again.status_code == 201 and again.json == first.json
    assert again.headers["Idempotent-Replayed"] == "true"
    assert count(Question) == 1

    # The same key with another body names another request: refused, nothing made.
    error = api_error(client.post("/api/v1/questions", headers=keyed,
                                  json={**QUESTION, "body": "Iets anders."}), 422)
    assert "idempotency_key" in error["fields"]
    # … also on another route.
    api_error(client.post(f"/api/v1/questions/{first.json['id']}/answers", headers=keyed,
                          json={"body": "Een antwoord."}), 422)
    # Another key, or no key, is a new question.
    assert client.post("/api/v1/questions", headers={**headers, "Idempotency-Key": "vraag-2"},
                       json=QUESTION).status_code == 201
    assert client.post("/api/v1/questions", headers=headers, json=QUESTION).status_code == 201
    assert count(Question) == 3 and count(Answer) == 0


def test_keys_belong_to_one_member(client, auth):
    _, alice = auth()
    _, bob = auth()
    for headers in (alice, bob):
        response = client.post("/api/v1/questions", json=QUESTION,
                               headers={**headers, "Idempotency-Key": "zelfde-sleutel"})
        assert response.status_code == 201 and "Idempotent-Replayed" not in response.headers
    assert count(Question) == 2


def test_a_refused_first_request_does_not_use_up_the_key(client, auth, api_error):
    _, headers = auth()
    keyed = {**headers, "Idempotency-Key": "na-een-fout"}
    api_error(client.post("/api/v1/questions", headers=keyed, json={"title": "kort", "body": ""}),
              422)
    assert client.post("/api/v1/questions", headers=keyed, json=QUESTION).status_code == 201
    assert count(Question) == 1


def test_unusable_keys_are_refused(client, auth, api_error):
    _, headers = auth()
    for key in ("x" * 201, "tab\there"):
        error = api_error(client.post("/api/v1/questions", json=QUESTION,
                                      headers={**headers, "Idempotency-Key": key}), 422)
        assert "idempotency_key" in error["fields"]
    assert count(Question) == 0


def test_every_post_accepts_a_key(client, auth, make_question):
    _, headers = auth()
    question = make_question()
    practice = {"title": "Een praktijk met een titel", "summary": "Kort.", "approach": "Zo.",
                "lessons": "Dit.", "outcome": "success"}
    for url, body, model in ((f"/api/v1/questions/{question.id}/answers", {"body": "Ja."}, Answer),
                             ("/api/v1/practices", practice, Practice)):
        keyed = {**headers, "Idempotency-Key": f"sleutel-{model.__name__}"}
        first = client.post(url, headers=keyed, json=body)
        again = client.post(url, headers=keyed, json=body)
        assert first.status_code == again.status_code == 201 and first.json == again.json
        assert count(model) == 1


def test_three_parallel_requests_with_one_key_make_one_question(app, auth):
    _, headers = auth()
    keyed = {**headers, "Idempotency-Key": "parallel-1"}
    barrier = threading.Barrier(3)
    results = []

    def post():
        with app.app_context():
            client = app.test_client()
            barrier.wait()
            response = client.post("/api/v1/questions", headers=keyed, json=QUESTION)
            results.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=post) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert count(Question) == 1
    # The twins wait on the first one's claim and then replay its result.
    assert [status for status, _ in results] == [201, 201, 201], results
    assert results[0][1] == results[1][1] == results[2][1]
