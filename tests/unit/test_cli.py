"""The command line of INTERFACES.md."""

from __future__ import annotations

from kde_community.accounts.models import ApiToken, User
from kde_community.extensions import db
from tests.helpers import count


def test_users_create_and_tokens_create(app, runner, make_org, client):
    make_org(slug="utrecht", domains=["utrecht.nl"])
    result = runner.invoke(args=["users", "create", "Beheer@Utrecht.nl", "--name", "Beheer",
                                 "--organisation", "utrecht", "--role", "moderator",
                                 "--password-stdin"], input="een-lange-zin-over-waterschappen\n")
    assert result.exit_code == 0, result.output
    user = db.session.get(User, int(result.output.strip()))
    assert user.email == "beheer@utrecht.nl" and user.role == "moderator" and user.can_log_in

    result = runner.invoke(args=["tokens", "create", "beheer@utrecht.nl", "--label", "koppeling"])
    assert result.exit_code == 0
    secret = result.output.strip()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).json["id"] == user.id


def test_users_create_bad_input_changes_nothing(app, runner, make_org):
    make_org(slug="utrecht", domains=["utrecht.nl"])
    cases = [
        (["x@utrecht.nl", "--name", "X", "--organisation", "bestaat-niet"], "een-lange-zin-hier-ok",
         "organisation"),
        (["geen-adres", "--name", "X", "--organisation", "utrecht"], "een-lange-zin-hier-ok", "email"),
        (["x@utrecht.nl", "--name", "X", "--organisation", "utrecht"], "kort", "password"),
    ]
    for args, password, field in cases:
        result = runner.invoke(args=["users", "create", *args, "--password-stdin"],
                               input=password + "\n")
        assert result.exit_code == 2 and field in result.output
    assert count(User) == 0
    result = runner.invoke(args=["tokens", "create", "niemand@utrecht.nl"])
    assert result.exit_code == 2 and count(ApiToken) == 0


def test_load_reference_and_demo_are_idempotent(app, runner):
    assert runner.invoke(args=["data", "load-reference"]).exit_code == 0
    result = runner.invoke(args=["data", "load-reference"])
    assert "nothing changed" in result.output
    first = runner.invoke(args=["data", "load-demo"])
    assert first.exit_code == 0
    users = count(User)
    assert users >= 6
    assert len({u.organisation_id for u in db.session.scalars(db.select(User))}) >= 5
    runner.invoke(args=["data", "load-demo"])
    assert count(User) == users
