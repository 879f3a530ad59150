"""Permission matrix over every practice route: visitor, member, author, co-author, colleague,
member of another organisation, moderator. Refused requests change nothing."""

from __future__ import annotations

import io

import pytest

from kde_community.accounts.services import create_token
from kde_community.content.models import Comment, Reaction, Revision
from kde_community.extensions import db
from kde_community.practices import services
from kde_community.practices.models import Practice, PracticeAttachment, PracticeFollowUp
from tests.helpers import PRACTICE, accept_invitations, count, login, pdf_bytes, submit

ROLES = ("visitor", "member", "author", "coauthor", "colleague", "other", "moderator")
EVERYONE = set(ROLES) - {"visitor"}
WRITERS = {"author", "coauthor", "moderator"}


def snapshot():
    db.session.expire_all()
    rows = {m.__name__: count(m) for m in (Practice, PracticeAttachment, PracticeFollowUp,
                                            Comment, Reaction, Revision)}
    rows["practices"] = [(p.id, p.title, p.summary, p.deleted_at, p.useful_count, p.revision)
                         for p in db.session.scalars(db.select(Practice).order_by(Practice.id))]
    rows["attachments"] = [(a.id, a.deleted_at) for a in db.session.scalars(db.select(PracticeAttachment))]
    return rows


# (name, method, path, data, allowed roles for a public write-up, for an own-organisation one)
ROUTES = [
    ("view", "GET", "/praktijken/{p}", None, set(ROLES), {"author", "coauthor", "colleague", "moderator"}),
    ("history", "GET", "/praktijken/{p}/geschiedenis", None, set(ROLES),
     {"author", "coauthor", "colleague", "moderator"}),
    ("download", "GET", "/praktijken/{p}/bijlagen/{a}", None, set(ROLES),
     {"author", "coauthor", "colleague", "moderator"}),
    ("write form", "GET", "/praktijken/schrijven", None, EVERYONE, EVERYONE),
    ("write", "POST", "/praktijken/schrijven", {**{k: v for k, v in PRACTICE.items()
                                                  if k not in ("anonymous", "failure_causes")}},
     EVERYONE, EVERYONE),
    ("edit form", "GET", "/praktijken/{p}/bewerken", None, WRITERS, WRITERS),
    ("edit", "POST", "/praktijken/{p}/bewerken", {**{k: v for k, v in PRACTICE.items()
                                                     if k not in ("anonymous", "failure_causes")},
                                                  "title": "Een gewijzigde titel hier"},
     WRITERS, WRITERS),
    ("upload", "POST", "/praktijken/{p}/bijlagen", "FILE", WRITERS, WRITERS),
    ("remove upload", "POST", "/praktijken/{p}/bijlagen/{a}/verwijderen", {}, WRITERS, WRITERS),
    ("useful", "POST", "/praktijken/{p}/reactie", {"value": "useful"},
     {"member", "colleague", "other", "moderator"}, {"colleague", "moderator"}),
    ("follow-up", "POST", "/praktijken/{p}/vervolg", {"followup": "Later"}, {"author", "coauthor"},
     {"author", "coauthor"}),
    ("comment", "POST", "/praktijken/{p}/reacties", {"comment": "Goed"}, EVERYONE,
     {"author", "coauthor", "colleague", "moderator"}),
    ("delete", "POST", "/praktijken/{p}/verwijderen", {"value": "x"}, WRITERS, WRITERS),
    ("report", "POST", "/melden/praktijk/{p}", {"reason": "spam"}, EVERYONE,
     {"author", "coauthor", "colleague", "moderator"}),
    ("hide", "POST", "/moderatie/praktijk/{p}/verbergen", {"reason": "test"}, {"moderator"},
     {"moderator"}),
    ("api get", "API-GET", "/api/v1/practices/{p}", None, set(ROLES),
     {"author", "coauthor", "colleague", "moderator"}),
    ("api edit", "API-PATCH", "/api/v1/practices/{p}", {"title": "Via de API gewijzigd"}, WRITERS,
     WRITERS),
]


@pytest.mark.parametrize("visibility", ["public", "organisation"])
@pytest.mark.parametrize("route", ROUTES, ids=[r[0] for r in ROUTES])
def test_practice_permission_matrix(app, make_user, make_org, route, visibility):
    name, method, path, data, allowed_public, allowed_org = route
    allowed = allowed_public if visibility == "public" else allowed_org
    home = make_org(slug="home", domains=["home.nl"])
    away = make_org(slug="away", domains=["away.nl"])
    users = {
        "member": make_user(org=make_org(slug="third", domains=["third.nl"])),
        "author": make_user(org=home), "colleague": make_user(org=home),
        "coauthor": make_user(org=away), "other": make_user(org=away),
        "moderator": make_user(org=away, role="moderator"),
    }

    def fresh():
        practice = services.write_practice(users["author"], {
            **PRACTICE, "visibility": visibility, "co_authors": [users["coauthor"].email]})
        accept_invitations(practice)
        attachment = services.add_attachment(users["author"], practice, "a.pdf", pdf_bytes())
        return practice, attachment

    practice, attachment = fresh()
    for role in ROLES:
        url = path.replace("{p}", str(practice.id)).replace("{a}", str(attachment.id))
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
        elif method == "API-GET":
            response = client.get(url, headers=headers)
        elif method == "API-PATCH":  # "*": the current version (permissions, not conflicts)
            response = client.patch(url, json=data, headers={**headers, "If-Match": "*"})
        elif data == "FILE":
            response = submit(client, "/inloggen", {"attachment": (io.BytesIO(pdf_bytes()), "b.pdf")},
                              action=url, content_type="multipart/form-data")
        else:
            response = submit(client, "/inloggen", data, action=url)
        to_login = response.status_code == 302 and "/inloggen" in response.headers["Location"]
        ok = response.status_code < 400 and not to_login
        response.close()
        assert ok == (role in allowed), (name, visibility, role, response.status_code)
        if not ok:
            assert snapshot() == before, (name, role)
        elif method not in ("GET", "API-GET"):
            practice, attachment = fresh()
