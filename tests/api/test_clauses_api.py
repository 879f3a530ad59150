"""The clause set API: sets, clauses with ETag/If-Match versions, history, word diffs and
suggestions; participants-only sets are 404 for outsiders on every route."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from sqlalchemy import event, func, select

from kde_community.accounts.models import User
from kde_community.clauses import services
from kde_community.clauses.models import Clause, ClauseSet, Suggestion
from kde_community.content.models import Revision
from kde_community.extensions import db
from tests.helpers import commit


@dataclass
class World:
    editor: dict
    contributor: dict
    observer: dict
    outsider: dict
    moderator: dict
    public_set: int
    clauses: list[int]
    private_set: int
    private_clause: int
    obligations: list[int]
    law: str


@pytest.fixture
def world(auth, make_org, make_user, make_law) -> World:
    """A public set led by `lead` (contributor and observer organisations take part) with two
    clauses, and a participants-only set of the same organisations."""
    law = make_law()
    lead, helper, reader, other = (make_org(slug=s) for s in ("lead", "helper", "reader", "other"))
    editor = make_user(org=lead, name="Eva Editor")
    contributor = make_user(org=helper, name="Carl Contributor")
    observer = make_user(org=reader)
    outsider = make_user(org=other)
    moderator = make_user(org=make_org(slug="moderatie"), role="moderator")
    sets = []
    for title, visibility in (("Toegankelijke websites inkopen", "public"),
                              ("Geheime exitstrategie", "participants")):
        clause_set = services.create_set(editor, {"title": title, "visibility": visibility,
                                                  "purpose": "Voor inkopers.",
                                                  "purchase_kind": "saas"})
        services.set_participant(editor, clause_set, "helper", "contributor")
        services.set_participant(editor, clause_set, "reader", "observer")
        sets.append(clause_set)
    public, private = sets
    first = services.add_clause(editor, public, {
        "heading": "Toegankelijkheid", "text": "De leverancier levert een toegankelijke dienst.",
        "explanation": "Vraag om een toegankelijkheidsverklaring.",
        "obligations": [law.obligations[0].id]})
    second = services.add_clause(editor, public, {"heading": "Exit", "text": "Data gaan mee."})
    secret = services.add_clause(editor, private, {"heading": "GEHEIM-MARKER kop",
                                                   "text": "GEHEIM-MARKER tekst"})
    commit()
    return World(
        editor=auth(editor)[1], contributor=auth(contributor)[1], observer=auth(observer)[1],
        outsider=auth(outsider)[1], moderator=auth(moderator)[1], public_set=public.id,
        clauses=[first.id, second.id], private_set=private.id, private_clause=secret.id,
        obligations=[o.id for o in law.obligations], law=law.slug)


def _clause(clause_id: int) -> Clause:
    db.session.expire_all()
    return db.session.get(Clause, clause_id)


# --- sets -------------------------------------------------------------------------------------

def test_create_a_set_led_by_the_token_owners_organisation(client, auth, make_user, make_org):
    member = make_user(org=make_org(slug="zwolle"))
    _, headers = auth(member)
    response = client.post("/api/v1/clause-sets", headers=headers, json={
        "title": "Inkoop van AI-systemen", "purpose": "Modelbepalingen voor **AI**.",
        "visibility": "participants", "purchase_kind": "ai_system"})
    assert response.status_code == 201, response.json
    body = response.json
    assert body["status"] == "concept" and body["lead_organisation"]["slug"] == "zwolle"
    assert body["visibility"] == "participants" and body["purchase_kind"] == "ai_system"
    assert body["clauses"] == [] and body["participants"] == [] and body["releases"] == []
    assert body["url"].endswith(f"/inkoopvoorwaarden/{body['id']}")
    assert client.get(f"/api/v1/clause-sets/{body['id']}", headers=headers).json == body
    # Participants-only: not for a member of another organisation, nor for visitors.
    _, other = auth()
    assert client.get(f"/api/v1/clause-sets/{body['id']}", headers=other).status_code == 404
    assert client.get(f"/api/v1/clause-sets/{body['id']}").status_code == 404


def test_creating_needs_a_token_and_valid_fields(client, auth, api_error):
    api_error(client.post("/api/v1/clause-sets", json={"title": "Een titel hier"}), 401)
    _, headers = auth()
    error = api_error(client.post("/api/v1/clause-sets", headers=headers,
                                  json={"title": "Kort", "visibility": "geheim"}), 422)
    assert set(error["fields"]) == {"title", "visibility"}
    error = api_error(client.post("/api/v1/clause-sets", headers=headers,
                                  json={"title": "      ", "purchase_kind": "saas"}), 422)
    assert "title" in error["fields"]
    assert db.session.scalar(select(func.count()).select_from(ClauseSet)) == 0


def test_idempotency_key_makes_one_set(client, auth):
    _, headers = auth()
    keyed = {**headers, "Idempotency-Key": "set-1"}
    body = {"title": "Dataportabiliteit bij SaaS"}
    first = client.post("/api/v1/clause-sets", headers=keyed, json=body)
    again = client.post("/api/v1/clause-sets", headers=keyed, json=body)
    assert first.status_code == again.status_code == 201
    assert again.json["id"] == first.json["id"] and again.headers["Idempotent-Replayed"] == "true"
    assert db.session.scalar(select(func.count()).select_from(ClauseSet)) == 1


def test_set_detail_lists_participants_ordered_clauses_and_releases(client, world, make_user):
    clause_set = db.session.get(ClauseSet, world.public_set)
    editor = clause_set.created_by
    release = services.make_release(editor, clause_set, "v1.0", "Eerste versie.")
    adopter = make_user(org=db.session.get(User, editor.id).organisation)
    services.adopt(adopter, release)
    commit()
    body = client.get(f"/api/v1/clause-sets/{world.public_set}").json
    assert [p["slug"] for p in body["participants"]] == ["helper", "reader"]
    assert [p["role"] for p in body["participants"]] == ["contributor", "observer"]
    assert [c["number"] for c in body["clauses"]] == [1, 2]
    assert [c["id"] for c in body["clauses"]] == world.clauses
    first = body["clauses"][0]
    assert first["obligations"] == [world.obligations[0]] and first["version"] == 1
    assert first["url"].endswith(f"/inkoopvoorwaarden/{world.public_set}/bepalingen/{first['id']}")
    assert body["releases"] == [{"id": release.id, "label": "v1.0", "notes": "Eerste versie.",
                                 "created_at": body["releases"][0]["created_at"],
                                 "adopted_by": ["lead"]}]


def test_list_filters_and_visibility(client, world, auth):
    listed = client.get("/api/v1/clause-sets").json
    assert [s["id"] for s in listed["items"]] == [world.public_set] and listed["total"] == 1
    as_participant = client.get("/api/v1/clause-sets", headers=world.observer).json
    assert {s["id"] for s in as_participant["items"]} == {world.public_set, world.private_set}
    assert "GEHEIM" not in client.get("/api/v1/clause-sets", headers=world.outsider) \
        .get_data(as_text=True)
    assert client.get("/api/v1/clause-sets?status=consultation").json["total"] == 0
    assert client.get("/api/v1/clause-sets?status=concept").json["total"] == 1
    by_law = client.get(f"/api/v1/clause-sets?law={world.law}").json
    assert [s["id"] for s in by_law["items"]] == [world.public_set]
    assert client.get(f"/api/v1/clause-sets?obligation={world.obligations[0]}").json["total"] == 1
    assert client.get(f"/api/v1/clause-sets?obligation={world.obligations[1]}").json["total"] == 0
    page = client.get("/api/v1/clause-sets?page=2&per_page=1", headers=world.editor).json
    assert page["page"] == 2 and page["per_page"] == 1 and page["total"] == 2
    assert len(page["items"]) == 1


def test_list_refuses_bad_arguments(client, api_error):
    for args in ("status=klaar", "obligation=abc", "per_page=101", "page=0", "law=A%20B",
                 "purchase_kind=alles"):
        error = api_error(client.get(f"/api/v1/clause-sets?{args}"), 422)
        assert args.split("=")[0] in error["fields"]


# --- clauses ----------------------------------------------------------------------------------

def test_editors_add_clauses_others_may_not(client, world, api_error):
    url = f"/api/v1/clause-sets/{world.public_set}/clauses"
    body = {"heading": "Beveiligingsupdates", "text": "De leverancier levert updates.",
            "explanation": "Zie de CRA.", "source_reference": "GIBIT art. 12",
            "obligations": [world.obligations[1]]}
    response = client.post(url, headers=world.editor, json=body)
    assert response.status_code == 201
    clause = response.json
    assert clause["number"] == 3 and clause["version"] == 1
    assert clause["source_reference"] == "GIBIT art. 12"
    assert clause["obligations"] == [world.obligations[1]]
    for headers in (world.contributor, world.observer, world.outsider):
        api_error(client.post(url, headers=headers, json=body), 403)
    api_error(client.post(url, json=body), 401)
    error = api_error(client.post(url, headers=world.editor, json={**body,
                                                                  "obligations": [999999]}), 422)
    assert "obligations" in error["fields"]
    assert len(db.session.get(ClauseSet, world.public_set).clauses) == 3


def test_get_clause_has_version_and_etag(client, world):
    response = client.get(f"/api/v1/clauses/{world.clauses[0]}")
    assert response.status_code == 200
    assert response.headers["ETag"] == '"1"' and response.json["version"] == 1
    assert response.json["heading"] == "Toegankelijkheid"


def test_put_with_if_match_writes_a_version_stale_is_412_missing_is_428(client, world,
                                                                       api_error):
    url = f"/api/v1/clauses/{world.clauses[0]}"
    body = {"heading": "Toegankelijkheid", "text": "De leverancier levert een goed "
            "toegankelijke dienst volgens EN 301 549."}
    response = client.put(url, headers={**world.editor, "If-Match": '"1"'}, json=body)
    assert response.status_code == 200, response.json
    assert response.json["version"] == 2 and response.headers["ETag"] == '"2"'
    assert response.json["explanation"] == "Vraag om een toegankelijkheidsverklaring."  # kept
    assert response.json["obligations"] == [world.obligations[0]]  # kept
    # Someone who still has version 1 loses: 412, and nothing changes.
    error = api_error(client.put(url, headers={**world.editor, "If-Match": '"1"'},
                                 json={**body, "text": "Overschreven?"}), 412,
                      "precondition_failed")
    assert "GET" in error["message"]
    api_error(client.put(url, headers=world.editor, json=body), 428, "precondition_required")
    api_error(client.put(url, headers={**world.editor, "If-Match": "W/\"2\""}, json=body), 412)
    assert _clause(world.clauses[0]).text.endswith("EN 301 549.")
    assert _clause(world.clauses[0]).revision == 2
    # Saving the same text again writes no new version.
    same = client.put(url, headers={**world.editor, "If-Match": '"2"'}, json=body)
    assert same.status_code == 200 and same.json["version"] == 2
    # Obligations may change too; an empty list removes them.
    changed = client.put(url, headers={**world.editor, "If-Match": '"2"'},
                         json={**body, "obligations": []})
    assert changed.json["obligations"] == [] and changed.json["version"] == 3


def test_put_is_for_editors_and_validates(client, world, api_error):
    url = f"/api/v1/clauses/{world.clauses[1]}"
    body = {"heading": "Exit", "text": "Alle data gaan mee."}
    for headers in (world.contributor, world.observer, world.outsider):
        api_error(client.put(url, headers={**headers, "If-Match": '"1"'}, json=body), 403)
    api_error(client.put(url, headers={"If-Match": '"1"'}, json=body), 401)
    error = api_error(client.put(url, headers={**world.editor, "If-Match": '"1"'},
                                 json={"heading": "", "text": None}), 422)
    assert set(error["fields"]) == {"heading", "text"}
    error = api_error(client.put(url, headers={**world.editor, "If-Match": '"1"'},
                                 json={**body, "text": "x" * 1_000_000}), 422)  # 1 MB
    assert "20000" in error["fields"]["text"]
    # Moderators may edit any set.
    response = client.put(url, headers={**world.moderator, "If-Match": '"1"'}, json=body)
    assert response.status_code == 200 and response.json["version"] == 2


def test_versions_and_word_diff(client, world, api_error):
    url = f"/api/v1/clauses/{world.clauses[0]}"
    client.put(url, headers={**world.editor, "If-Match": '"1"'}, json={
        "heading": "Toegankelijkheid", "text": "De leverancier levert een volledig "
        "toegankelijke dienst."})
    versions = client.get(f"{url}/versions", headers=world.observer).json
    assert versions["clause_id"] == world.clauses[0]
    assert [v["number"] for v in versions["items"]] == [1, 2]
    assert versions["items"][0]["text"] == "De leverancier levert een toegankelijke dienst."
    assert versions["items"][1]["author"] == {"name": "Eva Editor"}
    assert versions["items"][0]["obligations"] == ["AI-verordening art. 4"]
    diff = client.get(f"{url}/diff?from=1&to=2").json
    assert (diff["from_version"], diff["to_version"]) == (1, 2)
    fields = {f["field"]: f for f in diff["fields"]}
    assert fields["text"]["changed"] and not fields["heading"]["changed"]
    assert [w.strip() for w in re.findall(r"<ins>(.*?)</ins>", fields["text"]["html"])] \
        == ["volledig"]
    assert "<del>" not in fields["text"]["html"]
    # Defaults: the current version against the one before.
    assert client.get(f"{url}/diff").json["to_version"] == 2
    api_error(client.get(f"{url}/diff?from=1&to=7"), 404)
    api_error(client.get(f"{url}/diff?from=nul"), 422)


def test_diff_html_escapes_what_the_text_holds(client, world):
    url = f"/api/v1/clauses/{world.clauses[1]}"
    client.put(url, headers={**world.editor, "If-Match": '"1"'},
               json={"heading": "Exit", "text": "Data gaan mee <script>alert(1)</script>."})
    html = " ".join(f["html"] for f in client.get(f"{url}/diff").json["fields"])
    assert "<script>" not in html and "&lt;script&gt;" in html


# --- suggestions ------------------------------------------------------------------------------

def test_contributors_suggest_observers_may_not(client, world, api_error):
    url = f"/api/v1/clauses/{world.clauses[0]}/suggestions"
    response = client.post(url, headers=world.contributor, json={
        "heading": "Toegankelijkheid", "text": "De leverancier levert een toegankelijke dienst "
        "en herstelt gebreken binnen 30 dagen.", "rationale": "Een termijn maakt het toetsbaar."})
    assert response.status_code == 201, response.json
    body = response.json
    assert body["kind"] == "change" and body["status"] == "open" and body["base_version"] == 1
    assert body["author"] == {"name": "Carl Contributor"} and body["clause_id"] == world.clauses[0]
    new = client.post(url, headers=world.contributor, json={
        "kind": "new", "heading": "Meldpunt", "text": "Er is een meldpunt.",
        "rationale": "Verplicht volgens de richtlijn."}).json
    assert new["kind"] == "new" and new["clause_id"] is None and new["set_id"] == world.public_set
    delete = client.post(url, headers=world.editor, json={"kind": "delete",
                                                          "rationale": "Dubbel met artikel 2."})
    assert delete.status_code == 201
    api_error(client.post(url, headers=world.observer, json={"kind": "delete",
                                                             "rationale": "Weg ermee."}), 403)
    error = api_error(client.post(url, headers=world.contributor, json={"kind": "delete",
                                                                        "rationale": "x"}), 422)
    assert "rationale" in error["fields"]
    same = api_error(client.post(url, headers=world.contributor, json={
        "text": "De leverancier levert een toegankelijke dienst.", "rationale": "Gelijk."}), 422)
    assert "text" in same["fields"]
    assert db.session.scalar(select(func.count()).select_from(Suggestion)) == 3


def test_no_suggestions_on_an_adopted_set(client, world, api_error):
    clause_set = db.session.get(ClauseSet, world.public_set)
    editor = clause_set.created_by
    services.change_status(editor, clause_set, "consultation", "2099-01-01")
    services.change_status(editor, clause_set, "adopted")
    commit()
    error = api_error(client.post(f"/api/v1/clauses/{world.clauses[0]}/suggestions",
                                  headers=world.contributor,
                                  json={"kind": "delete", "rationale": "Te laat?"}), 422)
    assert "vastgesteld" in error["fields"]["rationale"]
    assert db.session.scalar(select(func.count()).select_from(Suggestion)) == 0


# --- participants-only: 404 for outsiders everywhere --------------------------------------------

def test_a_participants_only_set_is_404_for_outsiders_on_every_route(client, world, api_error):
    set_id, clause_id = world.private_set, world.private_clause
    before = db.session.scalar(select(func.count()).select_from(Revision))
    calls = [
        ("get", f"/api/v1/clause-sets/{set_id}", None, {}),
        ("post", f"/api/v1/clause-sets/{set_id}/clauses", {"heading": "Kop", "text": "Tekst"},
         {}),
        ("get", f"/api/v1/clauses/{clause_id}", None, {}),
        ("put", f"/api/v1/clauses/{clause_id}", {"heading": "Kop", "text": "Tekst"},
         {"If-Match": '"1"'}),
        ("get", f"/api/v1/clauses/{clause_id}/versions", None, {}),
        ("get", f"/api/v1/clauses/{clause_id}/diff?from=1&to=1", None, {}),
        ("post", f"/api/v1/clauses/{clause_id}/suggestions",
         {"kind": "delete", "rationale": "Weg ermee."}, {}),
    ]
    for headers in (world.outsider, {}):
        for method, url, body, extra in calls:
            if method != "get" and not headers:
                continue  # writes without a token are 401 before anything is looked up
            response = getattr(client, method)(url, headers={**headers, **extra}, json=body)
            text = response.get_data(as_text=True)
            api_error(response, 404, "not_found")
            assert "GEHEIM" not in text
    # The participants themselves see it all.
    for headers in (world.editor, world.contributor, world.observer, world.moderator):
        assert client.get(f"/api/v1/clause-sets/{set_id}", headers=headers).status_code == 200
        assert client.get(f"/api/v1/clauses/{clause_id}/versions",
                          headers=headers).json["items"][0]["heading"] == "GEHEIM-MARKER kop"
    assert db.session.scalar(select(func.count()).select_from(Revision)) == before
    assert _clause(clause_id).revision == 1


def test_unknown_and_out_of_range_ids_are_404(client, world, api_error):
    for path in ("/api/v1/clause-sets/999999", "/api/v1/clauses/999999",
                 "/api/v1/clauses/2147483648", "/api/v1/clause-sets/99999999999999999999",
                 "/api/v1/clauses/999999/versions", "/api/v1/clauses/0/diff"):
        api_error(client.get(path), 404)


# --- a fixed number of statements however large the set ----------------------------------------

def _statements(fn) -> int:
    found = []

    def before(conn, cursor, statement, *args):
        found.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    return len(found)


def test_set_detail_costs_the_same_statements_for_4_and_40_clauses(client, auth, make_user,
                                                                   make_org, make_law):
    law = make_law()
    editor = make_user()
    _, headers = auth(editor)
    counts = []
    for size in (4, 40):
        clause_set = services.create_set(editor, {"title": f"Set met {size} bepalingen"})
        for n in range(size // 2):
            services.set_participant(editor, clause_set, make_org().slug,
                                     ("contributor", "observer")[n % 2])
        for n in range(size):
            services.add_clause(editor, clause_set, {
                "heading": f"Bepaling {n}", "text": "Tekst.",
                "obligations": [o.id for o in law.obligations[: n % 3 + 1]]})
        release = services.make_release(editor, clause_set, "v1.0")
        services.adopt(editor, release)
        commit()
        client.get(f"/api/v1/clause-sets/{clause_set.id}", headers=headers)  # warm up
        counts.append(_statements(lambda s=clause_set.id: client.get(
            f"/api/v1/clause-sets/{s}", headers=headers)))
    assert counts[0] == counts[1], counts
