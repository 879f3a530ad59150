"""The /api/v1 conventions: tokens, JSON errors, pagination, OpenAPI coverage."""

from __future__ import annotations

import re
from datetime import date

import pytest

from kde_community.accounts.services import create_token
from kde_community.extensions import db
from kde_community.laws.models import Law, LawMilestone, Obligation


@pytest.fixture
def law(app):
    law = Law(slug="ai-act", short_name_nl="AI-verordening", short_name_en="AI Act",
              aliases=["AI Act", "AI-verordening"], abbreviations=["AIA"],
              full_title="Verordening (EU) 2024/1689", celex="32024R1689",
              instrument="regulation", stage="partly_applicable")
    law.milestones = [LawMilestone(kind="entry_into_force", date=date(2024, 8, 1))]
    law.obligations = [Obligation(key="ai-act-art-4", article="art. 4", title="AI-geletterdheid",
                                  applies_to=["gemeente", "provincie", "waterschap"])]
    db.session.add(law)
    db.session.commit()
    return law


@pytest.fixture
def assert_error(api_error):
    return api_error


def test_openapi_describes_every_api_route(app, client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.")
    described = {(path, method) for path, ops in document["paths"].items() for method in ops}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method.lower()) in described, (path, method)
    for ops in document["paths"].values():
        for op in ops.values():
            assert op["summary"] and op["responses"]


def test_pagination_errors(client, law, assert_error):
    for query in ("page=0", "page=x", "per_page=101", "per_page=0", "per_page=-1"):
        error = assert_error(client.get(f"/api/v1/laws?{query}"), 422, "validation_failed")
        assert error["fields"]
    body = client.get("/api/v1/laws?per_page=100&page=2").json
    assert body["items"] == [] and body["total"] == 1


def test_organisations_filters_and_peers(client, make_org, assert_error):
    a = make_org(slug="a", inhabitants=20_000, province="Utrecht")
    make_org(slug="b", inhabitants=22_000, province="Utrecht")
    make_org(slug="c", inhabitants=900_000, province="Noord-Holland")
    make_org(slug="w", type="waterschap", province="Utrecht", inhabitants=None)
    body = client.get("/api/v1/organisations?type=gemeente&max_inhabitants=100000").json
    assert {i["slug"] for i in body["items"]} == {"a", "b"}
    assert body["items"][0]["type"] == "gemeente" and "area_km2" in body["items"][0]
    assert client.get("/api/v1/organisations?province=Utrecht").json["total"] == 3
    assert_error(client.get("/api/v1/organisations?type=bakkerij"), 422)
    assert_error(client.get("/api/v1/organisations?min_inhabitants=veel"), 422)
    peers = client.get(f"/api/v1/organisations/{a.slug}/peers").json["items"]
    assert peers[0]["organisation"]["slug"] == "b" and peers[0]["reasons"]
    assert all(p["organisation"]["type"] == "gemeente" for p in peers)
    assert_error(client.get("/api/v1/organisations/bestaat-niet/peers"), 404)


def test_token_errors(client, make_user, assert_error):
    assert_error(client.get("/api/v1/me"), 401, "unauthorized")
    assert_error(client.get("/api/v1/me", headers={"Authorization": "Bearer onzin"}), 401)
    assert_error(client.get("/api/v1/laws", headers={"Authorization": "Bearer onzin"}), 401)
    assert_error(client.get("/api/v1/laws", headers={"Authorization": "Basic abc"}), 401)
    user = make_user()
    _, secret = create_token(user, "test")
    db.session.commit()
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).json
    assert me["id"] == user.id and me["organisation"] == user.organisation.slug


def test_revoked_or_inactive_tokens_are_refused(client, make_user, assert_error):
    from kde_community.accounts.services import revoke_token

    user = make_user()
    token, secret = create_token(user)
    db.session.commit()
    revoke_token(user, token.id)
    db.session.commit()
    assert_error(client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}), 401)
    other = make_user()
    _, secret2 = create_token(other)
    other.active = False
    db.session.commit()
    assert_error(client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret2}"}), 401)


def test_unknown_api_routes_and_methods_answer_json(client, assert_error):
    assert_error(client.get("/api/v1/bestaat-niet"), 404)
    assert_error(client.post("/api/v1/laws", json={}), 405)


def test_api_ignores_the_session_cookie(client, make_user, assert_error):
    """Cookies are not credentials for the API: no CSRF hole."""
    from tests.helpers import login

    user = make_user()
    login(client, user.email)
    assert_error(client.get("/api/v1/me"), 401)


def test_json_body_helper_errors(app):
    from kde_community.api.core import json_body
    from kde_community.errors import DomainError

    cases = [
        ({"data": "title=x", "content_type": "application/x-www-form-urlencoded"}, 415),
        ({"data": "{not json", "content_type": "application/json"}, 400),
        ({"data": "[1, 2]", "content_type": "application/json"}, 400),
    ]
    for kwargs, status in cases:
        with app.test_request_context("/api/v1/x", method="POST", **kwargs):
            with pytest.raises(DomainError) as info:
                json_body()
            assert info.value.status == status
    with app.test_request_context("/api/v1/x", method="POST", json={"title": "x"}):
        assert json_body() == {"title": "x"}


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json["status"] == "ok"


def test_patch_me_and_bad_input_changes_nothing(client, make_user, assert_error):
    from kde_community.accounts.models import User
    from kde_community.laws.models import Theme

    db.session.add(Theme(slug="ai", name_nl="AI", name_en="AI"))
    db.session.commit()
    user = make_user(name="Oude Naam")
    _, secret = create_token(user)
    db.session.commit()
    auth = {"Authorization": f"Bearer {secret}"}
    response = client.patch("/api/v1/me", json={"job_title": "CIO", "expertise": ["ai"]},
                            headers=auth)
    assert response.status_code == 200
    assert response.json["job_title"] == "CIO" and response.json["expertise"] == ["ai"]
    assert response.json["name"] == "Oude Naam"

    cases = [
        ({"data": "{kapot", "content_type": "application/json"}, 400),
        ({"data": "name=x", "content_type": "application/x-www-form-urlencoded"}, 415),
        ({"data": "name=x", "content_type": "text/plain"}, 415),
        ({"json": ["lijst"]}, 400),
        ({"json": {"name": ""}}, 422),
        ({"json": {"name": "x" * 500}}, 422),
        ({"json": {"name": 5}}, 422),
        ({"json": {"expertise": ["bestaat-niet"]}}, 422),
        ({"json": {"expertise": "ai"}}, 422),
        ({"json": {"role": "admin"}}, 422),
    ]
    for kwargs, status in cases:
        error = assert_error(client.patch("/api/v1/me", headers=auth, **kwargs), status)
        if status == 422:
            assert error["fields"]
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert (user.name, user.job_title, user.role) == ("Oude Naam", "CIO", "member")
    assert_error(client.patch("/api/v1/me", json={"name": "X"}), 401)
