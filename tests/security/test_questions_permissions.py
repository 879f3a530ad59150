"""Permission matrix over every Q&A route, HTML and API: only the allowed roles succeed,
and a refused request changes nothing."""

from __future__ import annotations

import pytest

from kde_community.accounts.services import create_token
from kde_community.questions import services
from tests.helpers import login, snapshot, submit

ROLES = ("visitor", "member", "author", "moderator")

# (name, method, path, data, target: whose "author", allowed roles)
ROUTES = [
    ("ask form", "GET", "/vragen/stellen", None, "q", {"member", "author", "moderator"}),
    ("ask", "POST", "/vragen/stellen", {"title": "Een nieuwe vraag over de AVG", "body": "x"},
     "q", {"member", "author", "moderator"}),
    ("edit form", "GET", "/vragen/{q}/bewerken", None, "q", {"author", "moderator"}),
    ("edit", "POST", "/vragen/{q}/bewerken", {"title": "Een gewijzigde titel hier", "body": "y",
                                              "visibility": "public"}, "q", {"author", "moderator"}),
    ("answer", "POST", "/vragen/{q}/antwoorden", {"body": "Een antwoord"}, "q",
     {"member", "author", "moderator"}),
    ("edit answer form", "GET", "/vragen/antwoorden/{a}/bewerken", None, "a", {"author", "moderator"}),
    ("edit answer", "POST", "/vragen/antwoorden/{a}/bewerken", {"body": "Anders"}, "a",
     {"author", "moderator"}),
    ("accept", "POST", "/vragen/{q}/accepteren", {"value": "{a}"}, "q", {"author", "moderator"}),
    ("vote question", "POST", "/vragen/{q}/stem", {"value": "stem"}, "q", {"member", "moderator"}),
    ("vote answer", "POST", "/vragen/antwoorden/{a}/stem", {"value": "stem"}, "a",
     {"member", "moderator"}),
    ("follow", "POST", "/mijn/volgen", {"target_type": "question", "target_id": "{q}"}, "q",
     {"member", "moderator"}),  # the author follows already: a conflict
    ("comment", "POST", "/vragen/{q}/reacties", {"comment": "Goed punt"}, "q",
     {"member", "author", "moderator"}),
    ("comment answer", "POST", "/vragen/antwoorden/{a}/reacties", {"comment": "Dank"}, "a",
     {"member", "author", "moderator"}),
    ("close", "POST", "/vragen/{q}/sluiten", {"reason": "off_topic", "note": ""}, "q", {"moderator"}),
    ("pick", "POST", "/vragen/{q}/praktijkvraag", {"note": ""}, "q", {"moderator"}),
    ("delete", "POST", "/vragen/{q}/verwijderen", {}, "q", {"author", "moderator"}),
    ("delete answer", "POST", "/vragen/antwoorden/{a}/verwijderen", {}, "a", {"author", "moderator"}),
    ("report form", "GET", "/melden/vraag/{q}", None, "q", {"member", "author", "moderator"}),
    ("report", "POST", "/melden/vraag/{q}", {"reason": "spam"}, "q", {"member", "author", "moderator"}),
    ("queue", "GET", "/moderatie", None, "q", {"moderator"}),
    ("hide", "POST", "/moderatie/vraag/{q}/verbergen", {"reason": "Test"}, "q", {"moderator"}),
    ("hide answer", "POST", "/moderatie/antwoord/{a}/verbergen", {"reason": "Test"}, "a", {"moderator"}),
    ("api ask", "API-POST", "/api/v1/questions", {"title": "Vraag via de API hier", "body": "x"},
     "q", {"member", "author", "moderator"}),
    ("api edit", "API-PATCH", "/api/v1/questions/{q}", {"title": "Via de API gewijzigd"}, "q",
     {"author", "moderator"}),
    ("api answer", "API-POST", "/api/v1/questions/{q}/answers", {"body": "Via de API"}, "q",
     {"member", "author", "moderator"}),
]


@pytest.mark.parametrize("route", ROUTES, ids=[r[0] for r in ROUTES])
def test_permission_matrix(app, make_user, make_org, make_question, route):
    name, method, path, data, target, allowed = route
    asker = make_user(name="Asker")
    answerer = make_user(name="Answerer")
    member = make_user(name="Member", org=make_org(slug="ander", domains=["ander.nl"]))
    moderator = make_user(name="Moderator", role="moderator")
    question = make_question(author=asker, title="Een vraag voor de matrix")
    answer = services.answer_question(answerer, question, {"body": "Een antwoord voor de matrix"})
    users = {"member": member, "moderator": moderator,
             "author": asker if target == "q" else answerer}

    def fill(value):
        return value.replace("{q}", str(question.id)).replace("{a}", str(answer.id))

    url = fill(path)
    payload = {k: fill(v) if isinstance(v, str) else v for k, v in (data or {}).items()}
    for role in ROLES:
        client = app.test_client()
        user = users.get(role)
        headers = {}
        if user is not None:
            if method.startswith("API"):
                headers = {"Authorization": f"Bearer {create_token(user)[1]}"}
            else:
                login(client, user.email)
        before = snapshot()
        if method == "GET":
            response = client.get(url)
        elif method == "POST":
            # A valid CSRF token for everyone, visitors included: refusals are about roles.
            response = submit(client, "/inloggen", payload, action=url)
        else:
            verb = client.post if method == "API-POST" else client.patch
            if method == "API-PATCH":  # "*": the current version (permissions, not conflicts)
                headers = {**headers, "If-Match": "*"}
            response = verb(url, json=payload, headers=headers)
        to_login = response.status_code == 302 and "/inloggen" in response.headers["Location"]
        succeeded = response.status_code < 400 and not to_login
        assert succeeded == (role in allowed), (name, role, response.status_code)
        if not succeeded:
            assert snapshot() == before, (name, role)
            assert response.status_code in (302, 400, 401, 403, 404, 409, 422), (name, role)
        if succeeded and method != "GET":
            # Undo by starting fresh for the next role
            question = make_question(author=asker, title="Een vraag voor de matrix")
            answer = services.answer_question(answerer, question, {"body": "Nog een antwoord"})
            url = fill(path)
            payload = {k: fill(v) if isinstance(v, str) else v for k, v in (data or {}).items()}
