"""Clause sets through HTTP: creating and editing sets and clauses, conflicts, history and word
diffs, suggestions and their decisions, releases, adoptions, traceability on law and
organisation pages, exports; the permission matrix over every route; bad input; the set page's
statement count."""

from __future__ import annotations

import html
import importlib.util
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from kde_community.clauses import services
from kde_community.clauses.models import (
    Adoption,
    ChangeLogEntry,
    Clause,
    ClauseSet,
    ClauseSetParticipant,
    Release,
    Suggestion,
)
from kde_community.content.models import Comment, Revision
from kde_community.extensions import db
from tests.helpers import commit, count, count_statements, csrf_from, login, submit

HAS_EXPORT = importlib.util.find_spec("kde_community.clauses.export") is not None
ROLES = ("visitor", "other", "observer", "contributor", "editor", "moderator")


@pytest.fixture
def world(make_org, make_user, make_law):
    law = make_law()
    orgs = {
        "lead": make_org(slug="leiden", name="Gemeente Leidtest"),
        "editor": make_org(slug="ede", name="Gemeente Edetest"),
        "contributor": make_org(slug="culemborg", name="Gemeente Culemtest"),
        "observer": make_org(slug="oss", name="Gemeente Osstest"),
        "other": make_org(slug="olst", name="Gemeente Olsttest"),
        "moderator": make_org(slug="moddam", name="Gemeente Modtest"),
    }
    users = {
        "lead": make_user(org=orgs["lead"], name="Lotte Lead"),
        "editor": make_user(org=orgs["editor"], name="Eddy Editor"),
        "contributor": make_user(org=orgs["contributor"], name="Carla Contributor"),
        "observer": make_user(org=orgs["observer"], name="Otto Observer"),
        "other": make_user(org=orgs["other"], name="Olga Other"),
        "moderator": make_user(org=orgs["moderator"], name="Mo Moderator", role="moderator"),
    }
    return {"law": law, "orgs": orgs, "users": users}


def make_set(world, *, visibility="public", clauses=2, title="Toegankelijke websites inkopen",
             status="concept"):
    users = world["users"]
    lead = users["lead"]
    clause_set = services.create_set(lead, {
        "title": title, "purpose": "Bepalingen voor **toegankelijke** websites.",
        "visibility": visibility, "purchase_kind": "website_app"})
    for role in ("editor", "contributor", "observer"):
        services.set_participant(lead, clause_set, world["orgs"][role].slug, role)
    obligation = world["law"].obligations[0]
    for n in range(clauses):
        services.add_clause(lead, clause_set, {
            "heading": f"Bepaling nummer {n + 1}",
            "text": f"De leverancier levert binnen tien werkdagen rapport {n + 1}.",
            "explanation": "Vraag om bewijs.", "source_reference": "GIBIT art. 12",
            "obligations": [obligation.id]})
    if status == "consultation":
        services.change_status(lead, clause_set, "consultation", date.today() + timedelta(days=30))
    elif status == "adopted":
        services.change_status(lead, clause_set, "consultation", date.today() + timedelta(days=30))
        services.change_status(lead, clause_set, "adopted")
    commit()
    return clause_set


def client_for(app, user):
    client = app.test_client()
    if user is not None:
        login(client, user.email)
    return client


def token(client) -> str:
    page = client.get("/inkoopvoorwaarden").get_data(as_text=True)
    if 'name="csrf_token"' not in page:
        page = client.get("/inloggen").get_data(as_text=True)
    return csrf_from(page)


def post(client, path, data=None, **kwargs):
    return client.post(path, data={"csrf_token": token(client), **(data or {})}, **kwargs)


def text_of(response) -> str:
    return response.get_data(as_text=True)


def snapshot():
    """Every clause row a refused request must leave unchanged."""
    db.session.expire_all()
    rows = {model.__name__: count(model) for model in (
        ClauseSet, Clause, Suggestion, Release, Adoption, ChangeLogEntry, ClauseSetParticipant,
        Revision, Comment)}
    rows["sets"] = [(s.id, s.title, s.status, s.revision, s.visibility, s.consultation_until)
                    for s in db.session.scalars(select(ClauseSet).order_by(ClauseSet.id))]
    rows["clauses"] = [(c.id, c.position, c.revision, c.heading, c.text, c.deleted_at)
                       for c in db.session.scalars(select(Clause).order_by(Clause.id))]
    rows["suggestions"] = [(s.id, s.status) for s in
                           db.session.scalars(select(Suggestion).order_by(Suggestion.id))]
    rows["participants"] = [(p.organisation_id, p.role) for p in db.session.scalars(
        select(ClauseSetParticipant).order_by(ClauseSetParticipant.id))]
    return rows


# --- creating a set, from an obligation page ----------------------------------------------------

def test_a_member_creates_a_set_with_a_first_clause_from_an_obligation(app, world):
    user = world["users"]["other"]
    obligation = world["law"].obligations[1]
    client = client_for(app, user)
    page = text_of(client.get(f"/inkoopvoorwaarden/nieuw?verplichting={obligation.id}"))
    assert f'id="first_obligations-{obligation.id}" name="first_obligations" ' \
           f'value="{obligation.id}" checked' in page
    assert obligation.title in page
    response = submit(client, f"/inkoopvoorwaarden/nieuw?verplichting={obligation.id}", {
        "title": "AI-systemen verantwoord inkopen", "purpose": "Voor *AI-systemen*.",
        "purchase_kind": "ai_system", "visibility": "public",
        "first_heading": "Menselijk toezicht", "first_text": "De leverancier maakt toezicht mogelijk.",
        "first_obligations": [str(obligation.id)]})
    assert response.status_code == 302, text_of(response)[:2000]
    clause_set = db.session.scalar(select(ClauseSet))
    assert response.headers["Location"].endswith(f"/inkoopvoorwaarden/{clause_set.id}")
    assert clause_set.lead_organisation_id == user.organisation_id
    assert [c.heading for c in clause_set.clauses] == ["Menselijk toezicht"]
    assert [o.id for o in clause_set.clauses[0].obligations] == [obligation.id]
    page = text_of(client.get(f"/inkoopvoorwaarden/{clause_set.id}"))
    assert "<em>AI-systemen</em>" in page and "Menselijk toezicht" in page
    assert f'href="/wetgeving/{world["law"].slug}/verplichtingen/{obligation.key}"' in page


def test_creating_refuses_bad_input_and_keeps_nothing(app, world):
    client = client_for(app, world["users"]["other"])
    before = snapshot()
    response = submit(client, "/inkoopvoorwaarden/nieuw", {
        "title": "x", "purchase_kind": "raket", "visibility": "iedereen",
        "first_heading": "Kop", "first_text": ""})
    assert response.status_code == 422
    page = text_of(response)
    assert "Kies een waarde uit de lijst." in page
    assert snapshot() == before
    # A valid set whose first clause is refused is not made either.
    response = submit(client, "/inkoopvoorwaarden/nieuw", {
        "title": "Een goede titel", "purchase_kind": "saas", "visibility": "public",
        "first_heading": "Kop", "first_text": "", "first_obligations": ["999999"]})
    assert response.status_code == 422
    assert "Kies verplichtingen uit de lijst." in text_of(response)
    assert snapshot() == before
    assert client_for(app, None).get("/inkoopvoorwaarden/nieuw").status_code == 302


# --- the list and its filters -----------------------------------------------------------------

def test_the_list_shows_sets_with_their_facts_and_filters(app, world):
    law = world["law"]
    public = make_set(world, title="Toegankelijke websites inkopen", clauses=3)
    services.make_release(world["users"]["lead"], public, "v1.0", "Eerste versie")
    release = public.releases[0]
    services.adopt(world["users"]["observer"], release)
    services.adopt(world["users"]["other"], release)
    consult = make_set(world, title="Dataportabiliteit bij SaaS", clauses=0,
                       status="consultation")
    consult.purchase_kind = "saas"
    commit()
    client = client_for(app, None)
    page = text_of(client.get("/inkoopvoorwaarden"))
    assert "2 sets" in page
    assert "v1.0" in page and "2 organisaties gebruiken deze set" in page
    assert "Gemeente Leidtest" in page and "Website of app" in page
    until = (date.today() + timedelta(days=30))
    assert "open voor voorstellen tot en met" in page
    assert str(until.year) in page
    assert "Nieuwe set" not in page
    filtered = text_of(client.get("/inkoopvoorwaarden?status=consultatie"))
    assert "Dataportabiliteit bij SaaS" in filtered and "Toegankelijke websites" not in filtered
    filtered = text_of(client.get("/inkoopvoorwaarden?soort=saas"))
    assert "Dataportabiliteit bij SaaS" in filtered and "Toegankelijke websites" not in filtered
    filtered = text_of(client.get(
        f"/inkoopvoorwaarden?wet={law.slug}&verplichting={law.obligations[0].id}"))
    assert "Toegankelijke websites" in filtered and "Dataportabiliteit" not in filtered
    # Bad filter values get a message, never a 500.
    response = client.get("/inkoopvoorwaarden?status=raar&soort=x&wet=geen&verplichting="
                          "99999999999999999999999&page=abc")
    assert response.status_code == 200
    page = text_of(response)
    for message in ("Kies een status uit de lijst.", "Kies een soort inkoop uit de lijst.",
                    "Kies een wet uit de lijst.", "Kies een verplichting uit de lijst.",
                    "Geef een paginanummer van 1 of hoger."):
        assert message in page, message
    member = client_for(app, world["users"]["other"])
    assert "Nieuwe set" in text_of(member.get("/inkoopvoorwaarden"))


def test_the_list_pages(app, world):
    for n in range(3):
        make_set(world, title=f"Set nummer {n}", clauses=0)
    client = client_for(app, None)
    first = text_of(client.get("/inkoopvoorwaarden?per_page=2"))
    assert "Pagina 1 van 2" in first and first.count('class="card clause-set-card"') == 2
    second = text_of(client.get("/inkoopvoorwaarden?per_page=2&page=2"))
    assert second.count('class="card clause-set-card"') == 1


# --- the set page -----------------------------------------------------------------------------

def test_who_suggests_a_change_follows_the_set_to_hear_the_decision(app, world):
    from kde_community.notifications.services import is_following

    clause_set = make_set(world, clauses=1, status="consultation")
    contributor = world["users"]["contributor"]
    assert not is_following(contributor, "clause_set", clause_set.id)
    services.suggest(contributor, clause_set, {
        "kind": "change", "clause_id": clause_set.clauses[0].id,
        "text": "De leverancier levert binnen vijf werkdagen.", "rationale": "Sneller."})
    commit()
    assert is_following(contributor, "clause_set", clause_set.id)


def test_the_set_page_shows_everything_and_editor_tools_only_to_editors(app, world):
    clause_set = make_set(world, clauses=2, status="consultation")
    users = world["users"]
    services.suggest(users["contributor"], clause_set, {
        "kind": "change", "clause_id": clause_set.clauses[0].id,
        "text": "De leverancier levert binnen vijf werkdagen rapport 1.", "rationale": "Sneller."})
    services.make_release(users["lead"], clause_set, "v1.0", "Eerste **versie**")
    commit()
    path = f"/inkoopvoorwaarden/{clause_set.id}"
    page = text_of(client_for(app, None).get(path))
    for text in ("Toegankelijke websites inkopen", "<strong>toegankelijke</strong>",
                 "Website of app", "Gemeente Leidtest", "Gemeente Edetest", "Redacteur",
                 "Meeschrijver", "Meelezer", "open voor voorstellen tot en met",
                 "Artikel 1", "Bepaling nummer 2", "Vraag om bewijs.", "GIBIT art. 12",
                 "AI-verordening art. 4", "1 open voorstel", "Release v1.0",
                 "Eerste <strong>versie</strong>", "export.odt", "export.docx", "export.md",
                 "begon de set", "voegde bepaling 2 toe: Bepaling nummer 2",
                 "zette de set op consultatie", "maakte release v1.0"):
        assert text in page, text
    for tool in ("Set bewerken", "Verplaats naar nummer", "Nieuwe release maken",
                 "Status wijzigen", "Wij gebruiken deze versie"):
        assert tool not in page, tool
    editor_page = text_of(client_for(app, users["editor"]).get(path))
    for tool in ("Set bewerken", "Bepaling toevoegen", "Verplaats naar nummer",
                 "Nieuwe release maken", "Status wijzigen", "Wij gebruiken deze versie",
                 '<optgroup label="Gemeente">'):
        assert tool in editor_page, tool
    observer_page = text_of(client_for(app, users["observer"]).get(path))
    assert "Wij gebruiken deze versie" in observer_page and "Set bewerken" not in observer_page
    # Consultation: every member who may see the set may suggest.
    assert "Voorstel doen" in text_of(client_for(app, users["other"]).get(path))



def test_the_set_page_costs_the_same_statements_for_4_and_40_clauses(app, world):
    users = world["users"]
    paths = []
    for n in (4, 40):
        clause_set = make_set(world, clauses=n, title=f"Set met {n} bepalingen")
        for clause in clause_set.clauses[:3]:
            services.suggest(users["contributor"], clause_set, {
                "kind": "change", "clause_id": clause.id, "text": f"Nieuwe tekst {clause.id}",
                "rationale": "Beter zo."})
        services.make_release(users["lead"], clause_set, "v1", "")
        services.adopt(users["observer"], clause_set.releases[0])
        commit()
        paths.append((n, f"/inkoopvoorwaarden/{clause_set.id}"))
    for viewer in (None, users["editor"], users["other"]):
        client = client_for(app, viewer)
        counts = []
        for n, path in paths:
            client.get(path)  # warm up
            counts.append(count_statements(lambda p=path, c=client: c.get(p)))
            page = text_of(client.get(path))
            assert len(re.findall(r'id="bepaling-\d+"', page)) == n
        assert counts[0] == counts[1], (viewer, counts)


# --- editing a set, with its base version ------------------------------------------------------

def test_editing_a_set_and_the_conflict_of_a_stale_edit(app, world):
    clause_set = make_set(world, clauses=0)
    path = f"/inkoopvoorwaarden/{clause_set.id}/bewerken"
    client = client_for(app, world["users"]["editor"])
    page = text_of(client.get(path))
    assert 'name="base_revision" type="hidden" value="1"' in page
    data = {"title": "Toegankelijke websites en apps inkopen", "purpose": "Nieuw doel.",
            "purchase_kind": "website_app", "visibility": "members", "base_revision": "1"}
    assert submit(client, path, data).status_code == 302
    db.session.expire_all()
    assert (clause_set.title, clause_set.revision, clause_set.visibility) == (
        "Toegankelijke websites en apps inkopen", 2, "members")
    before = snapshot()
    response = submit(client, path, {**data, "title": "Mijn eigen titel"})
    assert response.status_code == 409
    page = text_of(response)
    assert "Wat er nu staat, naast uw tekst" in page and 'value="Mijn eigen titel"' in page
    assert 'name="base_revision" type="hidden" value="2"' in page
    assert snapshot() == before


# --- clauses: adding, editing, conflicts, removing, moving -------------------------------------

def test_adding_and_editing_a_clause_with_versions(app, world):
    clause_set = make_set(world, clauses=1)
    law = world["law"]
    client = client_for(app, world["users"]["editor"])
    response = submit(client, f"/inkoopvoorwaarden/{clause_set.id}/bepalingen/nieuw", {
        "heading": "Exit", "text": "De leverancier levert alle gegevens terug.",
        "explanation": "Denk aan formaten.", "source_reference": "Data Act art. 25",
        "obligations": [str(law.obligations[2].id)]})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("#bepaling-2")
    clause = db.session.scalar(select(Clause).where(Clause.heading == "Exit"))
    assert clause.position == 2 and [o.id for o in clause.obligations] == [law.obligations[2].id]
    path = f"/inkoopvoorwaarden/{clause_set.id}/bepalingen/{clause.id}/bewerken"
    page = text_of(client.get(path))
    assert "u bewerkt versie 1" in page
    response = submit(client, path, {
        "heading": "Exit", "text": "De leverancier levert alle gegevens kosteloos terug.",
        "explanation": "Denk aan formaten.", "source_reference": "Data Act art. 25",
        "obligations": [str(law.obligations[2].id)], "base_revision": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert clause.revision == 2 and "kosteloos" in clause.text
    page = text_of(client.get(f"/inkoopvoorwaarden/{clause_set.id}/bepalingen/{clause.id}"))
    assert "Versie 2" in page and "Geschiedenis (2 versies)" in page


def test_a_stale_clause_edit_gets_the_conflict_page_and_merges(app, world):
    clause_set = make_set(world, clauses=1)
    clause = clause_set.clauses[0]
    path = f"/inkoopvoorwaarden/{clause_set.id}/bepalingen/{clause.id}/bewerken"
    first, second = (client_for(app, world["users"][r]) for r in ("lead", "editor"))
    form = {"heading": clause.heading, "explanation": "", "source_reference": "",
            "obligations": [str(world["law"].obligations[0].id)], "base_revision": "1"}
    assert submit(first, path, {**form, "text": "De leverancier levert binnen vijf werkdagen "
                                               "rapport 1."}).status_code == 302
    before = snapshot()
    response = submit(second, path, {**form, "text": "De leverancier levert binnen tien "
                                                     "werkdagen een toegankelijk rapport 1."})
    assert response.status_code == 409
    page = text_of(response)
    assert "Wat er nu staat, naast uw tekst" in page
    assert "een toegankelijk rapport 1.</textarea>" in page  # their text stays in the form
    assert 'name="base_revision" type="hidden" value="2"' in page
    assert re.search(r"<del>vijf</del>", page) and re.search(r"<ins>tien</ins>", page)
    assert "[ingevoegd: " in page and "[verwijderd: " in page
    assert snapshot() == before
    merged = {**form, "base_revision": "2",
              "text": "De leverancier levert binnen vijf werkdagen een toegankelijk rapport 1."}
    assert submit(second, path, merged).status_code == 302
    db.session.expire_all()
    assert clause.revision == 3 and clause.text == merged["text"]


def test_an_edit_without_a_base_version_is_refused(app, world):
    clause_set = make_set(world, clauses=1)
    clause = clause_set.clauses[0]
    client = client_for(app, world["users"]["lead"])
    before = snapshot()
    response = post(client, f"/inkoopvoorwaarden/{clause_set.id}/bepalingen/{clause.id}/bewerken",
                    {"heading": "Andere kop", "text": "Andere tekst."})
    assert response.status_code == 422
    assert "Deze wijziging noemt niet de versie waarop ze is gebaseerd." in text_of(response)
    assert snapshot() == before


def test_too_long_clause_texts_are_refused_with_a_message(app, world):
    clause_set = make_set(world, clauses=1)
    clause = clause_set.clauses[0]
    client = client_for(app, world["users"]["lead"])
    path = f"/inkoopvoorwaarden/{clause_set.id}/bepalingen/{clause.id}/bewerken"
    before = snapshot()
    response = post(client, path, {"heading": clause.heading, "text": "woord " * 5_000,
                                   "base_revision": "1"})
    assert response.status_code == 422
    assert "utrecht-form-field--invalid" in text_of(response)
    assert "Gebruik hoogstens 20000 tekens" in text_of(response)
    # A megabyte of text: the same clear message, nothing kept.
    response = post(client, path, {"heading": clause.heading, "text": "x" * 1_000_000,
                                   "base_revision": "1"})
    assert response.status_code == 422
    assert "Gebruik hoogstens 20000 tekens (nu 1000000)" in text_of(response)
    response = post(client, f"/inkoopvoorwaarden/{clause_set.id}/bepalingen/nieuw",
                    {"heading": "Kop", "text": "y" * 1_000_000})
    assert response.status_code == 422
    response = post(client, f"/inkoopvoorwaarden/{clause_set.id}/voorstellen/nieuw",
                    {"kind": "new", "heading": "Kop", "text": "z" * 1_000_000,
                     "rationale": "Een reden."})
    assert response.status_code == 422
    assert snapshot() == before


def test_moving_and_removing_clauses(app, world):
    clause_set = make_set(world, clauses=3)
    ids = [c.id for c in clause_set.clauses]
    client = client_for(app, world["users"]["editor"])
    base = f"/inkoopvoorwaarden/{clause_set.id}/bepalingen"
    response = post(client, f"{base}/{ids[2]}/verplaatsen", {"number": "1"})
    assert response.status_code == 302 and response.headers["Location"].endswith("#bepaling-1")
    db.session.expire_all()
    assert [c.id for c in clause_set.clauses] == [ids[2], ids[0], ids[1]]
    before = snapshot()
    for bad in ("0", "4", "abc", "", "99999999999999999999999", "-1", "1.5"):
        response = post(client, f"{base}/{ids[0]}/verplaatsen", {"number": bad})
        assert response.status_code == 422, bad
        assert "Kies een nummer van 1 tot en met 3." in text_of(response)
        assert 'aria-invalid="true"' in text_of(response)
        assert snapshot() == before, bad
    # Moving to its own number is no change: no changelog entry.
    assert post(client, f"{base}/{ids[0]}/verplaatsen", {"number": "2"}).status_code == 302
    assert snapshot() == before
    assert post(client, f"{base}/{ids[2]}/verwijderen", {"value": "verwijderen"}).status_code \
        == 302
    db.session.expire_all()
    assert [(c.id, c.position) for c in clause_set.clauses] == [(ids[0], 1), (ids[1], 2)]
    assert client.get(f"{base}/{ids[2]}").status_code == 404
    page = text_of(client.get(f"/inkoopvoorwaarden/{clause_set.id}"))
    assert "veranderde de volgorde" in page and "verwijderde bepaling 1: Bepaling nummer 3" in page


# --- history and word diffs -------------------------------------------------------------------

def test_the_history_diff_marks_exactly_the_changed_words(app, world):
    clause_set = make_set(world, clauses=1)
    clause = clause_set.clauses[0]
    lead, editor = world["users"]["lead"], world["users"]["editor"]
    services.edit_clause(lead, clause, {"text": "De leverancier levert binnen vijf werkdagen "
                                                "een toegankelijk rapport 1."}, base_revision=1)
    services.edit_clause(editor, clause, {"heading": "Rapportage"}, base_revision=2)
    commit()
    path = f"/inkoopvoorwaarden/{clause_set.id}/bepalingen/{clause.id}/geschiedenis"
    page = text_of(client_for(app, None).get(f"{path}?van=1&tot=2"))
    diff = re.findall(r'<pre class="diff">(.*?)</pre>', page, re.S)
    assert len(diff) == 1  # only the text changed between 1 and 2
    assert [m.strip() for m in re.findall(r"<ins>(.*?)</ins>", diff[0])] == ["vijf",
                                                                             "een toegankelijk"]
    assert [m.strip() for m in re.findall(r"<del>(.*?)</del>", diff[0])] == ["tien"]
    # Readable with CSS off: the marks are words too.
    plain = html.unescape(re.sub(r"<[^>]+>", "", diff[0]))
    assert "binnen [verwijderd: tien][ingevoegd: vijf]" in plain.replace(" ]", "]")
    assert "Wat erbij komt staat tussen [ingevoegd: …]" in page
    # Versions name their writers; 1 → 3 shows both fields.
    assert "Versie 3 — Eddy Editor" in page and "Versie 2 — Lotte Lead" in page
    page = text_of(client_for(app, None).get(f"{path}?van=1&tot=3"))
    assert len(re.findall(r'<pre class="diff">', page)) == 2
    assert client_for(app, None).get(f"{path}?van=abc&tot=").status_code == 200
    assert client_for(app, None).get(f"{path}?van=9&tot=2").status_code == 404


# --- suggestions -----------------------------------------------------------------------------

def test_a_contributors_suggestion_is_accepted_and_credited(app, world):
    clause_set = make_set(world, clauses=2)
    clause = clause_set.clauses[0]
    contributor, editor = world["users"]["contributor"], world["users"]["editor"]
    client = client_for(app, contributor)
    form_path = f"/inkoopvoorwaarden/{clause_set.id}/voorstellen/nieuw?bepaling={clause.id}"
    page = text_of(client.get(form_path))
    assert "rapport 1.</textarea>" in page  # prefilled with the current text
    before = snapshot()
    response = submit(client, form_path, {"kind": "change", "clause_id": str(clause.id),
                                          "heading": clause.heading,
                                          "text": "De leverancier levert binnen vijf werkdagen "
                                                  "rapport 1.", "rationale": ""})
    assert response.status_code == 422 and snapshot() == before
    response = submit(client, form_path, {"kind": "change", "clause_id": str(clause.id),
                                          "heading": clause.heading,
                                          "text": "De leverancier levert binnen vijf werkdagen "
                                                  "rapport 1.",
                                          "rationale": "Tien dagen is te lang."})
    assert response.status_code == 302
    suggestion = db.session.scalar(select(Suggestion))
    page = text_of(client.get(response.headers["Location"]))
    assert "<del>tien</del>" in page and "<ins>vijf</ins>" in page
    assert "Voorstel intrekken" in page and "Overnemen" not in page
    clause_page = text_of(client.get(f"/inkoopvoorwaarden/{clause_set.id}/bepalingen/{clause.id}"))
    assert "Tien dagen is te lang." in clause_page and "<ins>vijf</ins>" in clause_page
    editor_client = client_for(app, editor)
    suggestion_path = f"/inkoopvoorwaarden/{clause_set.id}/voorstellen/{suggestion.id}"
    assert "Overnemen" in text_of(editor_client.get(suggestion_path))
    response = post(editor_client, f"{suggestion_path}/overnemen", {"reason": "Goed punt."})
    assert response.status_code == 302
    db.session.expire_all()
    assert suggestion.status == "accepted" and clause.revision == 2 and "vijf" in clause.text
    page = text_of(editor_client.get(suggestion_path))
    assert "Overgenomen in versie 2, door Carla Contributor." in page and "Goed punt." in page
    history = text_of(editor_client.get(
        f"/inkoopvoorwaarden/{clause_set.id}/bepalingen/{clause.id}/geschiedenis"))
    assert "Versie 2 — Carla Contributor" in history
    set_page = text_of(editor_client.get(f"/inkoopvoorwaarden/{clause_set.id}"))
    assert "Voorgesteld door Carla Contributor." in set_page
    assert "nam het voorstel van Carla Contributor over" in set_page
    # Decided once: a second decision is refused with a message.
    before = snapshot()
    response = post(editor_client, f"{suggestion_path}/afwijzen", {"reason": "Toch niet."})
    assert response.status_code == 422 and "Over dit voorstel is al besloten." in text_of(response)
    assert snapshot() == before


def test_rejecting_needs_a_reason_and_proposers_withdraw(app, world):
    clause_set = make_set(world, clauses=1)
    clause = clause_set.clauses[0]
    contributor = world["users"]["contributor"]
    first = services.suggest(contributor, clause_set, {
        "kind": "delete", "clause_id": clause.id, "rationale": "Overbodig geworden."})
    second = services.suggest(contributor, clause_set, {
        "kind": "new", "heading": "Nieuwe bepaling", "text": "Nieuwe tekst.",
        "rationale": "Dit ontbreekt."})
    commit()
    editor = client_for(app, world["users"]["lead"])
    base = f"/inkoopvoorwaarden/{clause_set.id}/voorstellen"
    before = snapshot()
    response = post(editor, f"{base}/{first.id}/afwijzen", {"reason": ""})
    assert response.status_code == 422
    assert snapshot() == before
    assert post(editor, f"{base}/{first.id}/afwijzen",
                {"reason": "Wij houden deze bepaling."}).status_code == 302
    page = text_of(editor.get(f"{base}/{first.id}"))
    assert "Afgewezen door de redactie: Wij houden deze bepaling." in page
    # Only its proposer withdraws.
    before = snapshot()
    assert post(editor, f"{base}/{second.id}/intrekken").status_code == 403
    assert snapshot() == before
    proposer = client_for(app, contributor)
    assert post(proposer, f"{base}/{second.id}/intrekken").status_code == 302
    db.session.expire_all()
    assert second.status == "withdrawn"
    assert "De indiener heeft dit voorstel ingetrokken." in text_of(proposer.get(
        f"{base}/{second.id}"))


def test_a_suggestion_on_an_older_version_shows_its_diff_against_the_current_text(app, world):
    clause_set = make_set(world, clauses=1)
    clause = clause_set.clauses[0]
    suggestion = services.suggest(world["users"]["contributor"], clause_set, {
        "kind": "change", "clause_id": clause.id,
        "text": "De leverancier levert binnen tien werkdagen rapport 1 in PDF/UA.",
        "rationale": "Formaat erbij."})
    services.edit_clause(world["users"]["lead"], clause, {
        "text": "De opdrachtnemer levert binnen tien werkdagen rapport 1."}, base_revision=1)
    commit()
    page = text_of(client_for(app, world["users"]["observer"]).get(
        f"/inkoopvoorwaarden/{clause_set.id}/voorstellen/{suggestion.id}"))
    assert "Dit voorstel is geschreven op versie 1" in page and "huidige versie 2" in page
    assert "<del>opdrachtnemer</del>" in page and "<ins>leverancier</ins>" in page


def test_a_suggestion_on_an_adopted_set_is_refused_with_a_message(app, world):
    clause_set = make_set(world, clauses=1, status="adopted")
    clause = clause_set.clauses[0]
    client = client_for(app, world["users"]["contributor"])
    form_path = f"/inkoopvoorwaarden/{clause_set.id}/voorstellen/nieuw?bepaling={clause.id}"
    response = client.get(form_path)
    assert response.status_code == 302
    assert "Deze set is vastgesteld" in text_of(client.get(response.headers["Location"]))
    before = snapshot()
    response = post(client, form_path, {"kind": "change", "clause_id": str(clause.id),
                                        "heading": "Kop", "text": "Nieuwe tekst.",
                                        "rationale": "Toch nog iets."})
    assert response.status_code == 422
    assert "Deze set is vastgesteld: er kunnen geen voorstellen meer bij." in text_of(response)
    assert snapshot() == before


def test_comments_on_clauses_and_suggestions(app, world):
    clause_set = make_set(world, clauses=1)
    clause = clause_set.clauses[0]
    suggestion = services.suggest(world["users"]["contributor"], clause_set, {
        "kind": "delete", "clause_id": clause.id, "rationale": "Overbodig."})
    commit()
    client = client_for(app, world["users"]["observer"])
    for path in (f"/inkoopvoorwaarden/{clause_set.id}/bepalingen/{clause.id}",
                 f"/inkoopvoorwaarden/{clause_set.id}/voorstellen/{suggestion.id}"):
        response = post(client, f"{path}/reacties", {"comment": "Eens, **goed** idee."})
        assert response.status_code == 302 and "#reactie-" in response.headers["Location"]
        page = text_of(client.get(path))
        assert "Eens, <strong>goed</strong> idee." in page and "Otto Observer" in page
        comment_id = re.search(r'id="reactie-(\d+)"', page).group(1)
        assert client.get(f"/melden/reactie/{comment_id}").status_code == 200
        before = snapshot()
        assert post(client, f"{path}/reacties", {"comment": ""}).status_code == 302
        assert snapshot() == before


# --- status, participants, releases and adoption ------------------------------------------------

def test_status_changes_need_an_end_date_for_consultation(app, world):
    clause_set = make_set(world, clauses=1)
    client = client_for(app, world["users"]["editor"])
    path = f"/inkoopvoorwaarden/{clause_set.id}/status"
    before = snapshot()
    for until in ("", "morgen", (date.today() - timedelta(days=1)).isoformat()):
        response = post(client, path, {"status": "consultation", "until": until})
        assert response.status_code == 422, until
        assert "Kies een einddatum voor de consultatie, vandaag of later." in text_of(response)
        assert snapshot() == before
    response = post(client, path, {"status": "adopted"})
    assert response.status_code == 422 and "kan de set niet naar" in text_of(response)
    assert post(client, path, {"status": "raket"}).status_code == 422
    assert snapshot() == before
    until = date.today() + timedelta(days=14)
    assert post(client, path, {"status": "consultation",
                               "until": until.isoformat()}).status_code == 302
    db.session.expire_all()
    assert clause_set.status == "consultation" and clause_set.consultation_until == until
    page = text_of(client.get(f"/inkoopvoorwaarden/{clause_set.id}"))
    assert "open voor voorstellen tot en met" in page


def test_participants_are_added_changed_and_removed(app, world, make_org):
    clause_set = make_set(world, clauses=0)
    make_org(slug="zwolle", name="Gemeente Zwoltest")
    client = client_for(app, world["users"]["lead"])
    path = f"/inkoopvoorwaarden/{clause_set.id}/deelnemers"
    before = snapshot()
    for data, message in (({"organisation": "bestaat-niet", "role": "editor"},
                           "Kies een organisatie uit de lijst."),
                          ({"organisation": "leiden", "role": "editor"},
                           "De trekkende organisatie is altijd redacteur."),
                          ({"organisation": "zwolle", "role": "baas"},
                           "Kies een rol uit de lijst.")):
        response = post(client, path, data)
        assert response.status_code == 422 and message in text_of(response)
        assert snapshot() == before
    assert post(client, path, {"organisation": "zwolle", "role": "observer"}).status_code == 302
    assert post(client, path, {"organisation": "zwolle", "role": "editor"}).status_code == 302
    row = db.session.scalar(select(ClauseSetParticipant).where(
        ClauseSetParticipant.role == "editor", ClauseSetParticipant.set_id == clause_set.id,
        ClauseSetParticipant.organisation.has(slug="zwolle")))
    assert row is not None
    page = text_of(client.get(f"/inkoopvoorwaarden/{clause_set.id}"))
    assert "liet Gemeente Zwoltest meedoen als redacteur" in page
    assert post(client, f"{path}/{row.id}/verwijderen", {"value": "verwijderen"}).status_code \
        == 302
    assert "haalde Gemeente Zwoltest uit de set" in text_of(
        client.get(f"/inkoopvoorwaarden/{clause_set.id}"))


def test_releases_are_refused_without_changes_and_organisations_adopt_them(app, world):
    clause_set = make_set(world, clauses=2)
    users = world["users"]
    editor = client_for(app, users["editor"])
    path = f"/inkoopvoorwaarden/{clause_set.id}/releases"
    assert post(editor, path, {"label": "v1.0", "notes": "Eerste versie."}).status_code == 302
    release = db.session.scalar(select(Release))
    before = snapshot()
    response = post(editor, path, {"label": "v1.1"})
    assert response.status_code == 422
    assert "Er is niets veranderd sinds release v1.0." in text_of(response)
    assert 'id="release-label-error"' in text_of(response)
    assert snapshot() == before
    services.edit_clause(users["lead"], clause_set.clauses[0], {"text": "Nieuwe tekst."},
                         base_revision=1)
    commit()
    before = snapshot()
    for data, message in (({"label": ""}, "Geef de release een naam"),
                          ({"label": "x" * 41}, "Geef de release een naam"),
                          ({"label": "V1.0"}, "Er is al een release met deze naam.")):
        response = post(editor, path, data)
        assert response.status_code == 422 and message in text_of(response)
        assert snapshot() == before
    # Another organisation adopts the release; it shows on the set and on its own page.
    other = client_for(app, users["other"])
    adopt = f"/inkoopvoorwaarden/{clause_set.id}/releases/{release.id}/gebruiken"
    assert post(other, adopt, {"value": "ja"}).status_code == 302
    assert post(other, adopt, {"value": "ja"}).status_code == 302
    assert count(Adoption) == 1
    page = text_of(other.get(f"/inkoopvoorwaarden/{clause_set.id}"))
    assert "1 organisatie gebruikt deze versie" in page and "Gemeente Olsttest" in page
    assert "Wij gebruiken deze versie niet meer" in page
    org_page = text_of(client_for(app, None).get("/organisaties/olst"))
    assert "Toegankelijke websites inkopen, release v1.0" in org_page
    release_page = text_of(client_for(app, None).get(
        f"/inkoopvoorwaarden/{clause_set.id}/releases/{release.id}"))
    assert "Eerste versie." in release_page and "rapport 1." in release_page
    assert "AI-verordening art. 4" in release_page
    assert post(other, f"/inkoopvoorwaarden/{clause_set.id}/releases/{release.id}"
                       f"/niet-meer-gebruiken", {"value": "ja"}).status_code == 302
    assert count(Adoption) == 0
    assert "Toegankelijke websites" not in text_of(client_for(app, None).get("/organisaties/olst"))


# --- traceability --------------------------------------------------------------------------------

def test_laws_and_obligations_show_the_clauses_that_implement_them(app, world):
    law = world["law"]
    clause_set = make_set(world, clauses=2)
    page = text_of(client_for(app, None).get(f"/wetgeving/{law.slug}"))
    first, second = law.obligations[0], law.obligations[1]
    clause = clause_set.clauses[0]
    assert (f'href="/inkoopvoorwaarden/{clause_set.id}/bepalingen/{clause.id}">'
            f"Toegankelijke websites inkopen, artikel 1: Bepaling nummer 1</a>") in page
    assert "1 set inkoopvoorwaarden voert verplichtingen van deze wet uit." in page
    assert f'href="/inkoopvoorwaarden?wet={law.slug}"' in page
    assert f'href="/inkoopvoorwaarden/nieuw?verplichting={second.id}"' in page
    assert f'href="/inkoopvoorwaarden/nieuw?verplichting={first.id}"' not in page
    assert page.count("nog geen bepaling") == 2


def test_the_law_page_asks_once_for_all_obligations(app, world):
    path = f"/wetgeving/{world['law'].slug}"
    make_set(world, clauses=1)
    client = client_for(app, None)
    client.get(path)
    few = count_statements(lambda: client.get(path))
    make_set(world, clauses=6, title="Nog een set")
    commit()
    assert count_statements(lambda: client.get(path)) == few
    assert text_of(client.get(path)).count("Nog een set, artikel") == 6


# --- exports -------------------------------------------------------------------------------------

@pytest.mark.skipif(not HAS_EXPORT, reason="kde_community/clauses/export.py (helper C2) has "
                                           "not landed yet")
def test_exports_download_as_attachments(app, world):
    clause_set = make_set(world, clauses=2)
    services.make_release(world["users"]["lead"], clause_set, "v1.0", "")
    commit()
    release = clause_set.releases[0]
    client = client_for(app, None)
    for base in (f"/inkoopvoorwaarden/{clause_set.id}",
                 f"/inkoopvoorwaarden/{clause_set.id}/releases/{release.id}"):
        for fmt in ("odt", "docx", "md"):
            response = client.get(f"{base}/export.{fmt}")
            assert response.status_code == 200, (base, fmt)
            disposition = response.headers["Content-Disposition"]
            assert disposition.startswith("attachment") and f".{fmt}" in disposition
            assert len(response.data) > 100
        assert client.get(f"{base}/export.pdf").status_code == 404
    markdown = text_of(client.get(f"/inkoopvoorwaarden/{clause_set.id}/export.md"))
    assert "Bepaling nummer 1" in markdown and "art. 4" in markdown


# --- the permission matrix over every route ----------------------------------------------------

def visible(role: str, visibility: str) -> bool:
    if visibility == "public":
        return True
    if visibility == "members":
        return role != "visitor"
    return role in ("observer", "contributor", "editor", "moderator")


EDITING = {"editor", "moderator"}
# action → who may do it (when the set is visible to them)
MAY = {
    "comment_clause": {"other", "observer", "contributor", "editor", "moderator"},
    "comment_suggestion": {"other", "observer", "contributor", "editor", "moderator"},
    "adopt": {"other", "observer", "contributor", "editor", "moderator"},
    "suggest": {"contributor", "editor"},
    "suggest_form": {"contributor", "editor"},
    "withdraw": {"contributor"},
    "edit_form": EDITING, "edit": EDITING, "add_clause_form": EDITING, "add_clause": EDITING,
    "edit_clause_form": EDITING, "edit_clause": EDITING, "move": EDITING, "status": EDITING,
    "participant": EDITING, "release": EDITING, "accept": EDITING, "reject": EDITING,
    "remove_participant": EDITING, "remove_clause": EDITING,
}


def test_the_permission_matrix_covers_every_route(app):
    rules = {rule.endpoint for rule in app.url_map.iter_rules()
             if rule.endpoint.startswith("clauses.")}
    covered = {"clauses.index", "clauses.detail", "clauses.clause", "clauses.history",
               "clauses.suggestion", "clauses.release", "clauses.export_draft",
               "clauses.export_release", "clauses.create", "clauses.edit",
               "clauses.change_status", "clauses.add_participant", "clauses.remove_participant",
               "clauses.make_release", "clauses.adopt", "clauses.withdraw_adoption",
               "clauses.add_clause", "clauses.edit_clause", "clauses.remove_clause",
               "clauses.move_clause", "clauses.comment_clause", "clauses.suggest",
               "clauses.accept", "clauses.reject", "clauses.withdraw",
               "clauses.comment_suggestion"}
    assert rules == covered


@pytest.mark.parametrize("visibility", ["public", "members", "participants"])
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(app, world, role, visibility):
    users = world["users"]
    marker = f"Geheimzinnig{visibility}"
    clause_set = make_set(world, visibility=visibility, clauses=3, title=f"Set {marker}")
    c1, c2, c3 = (c.id for c in clause_set.clauses)
    contributor = users["contributor"]
    s1 = services.suggest(contributor, clause_set, {"kind": "change", "clause_id": c1,
                                                    "text": "Andere tekst.", "rationale": "Reden een."})
    s2 = services.suggest(contributor, clause_set, {"kind": "change", "clause_id": c2,
                                                    "text": "Nog een tekst.", "rationale": "Reden twee."})
    s3 = services.suggest(contributor, clause_set, {"kind": "new", "heading": "Nieuw",
                                                    "text": "Nieuwe tekst.", "rationale": "Reden drie."})
    release = services.make_release(users["lead"], clause_set, "v1.0", "")
    services.adopt(users["lead"], release)
    participant = next(p for p in clause_set.participants
                       if p.organisation_id == world["orgs"]["observer"].id)
    commit()
    sid, rid, pid = clause_set.id, release.id, participant.id
    base = f"/inkoopvoorwaarden/{sid}"
    client = client_for(app, None if role == "visitor" else users[role])
    can_see = visible(role, visibility)

    # Pages anyone who may see the set reads.
    pages = [base, f"{base}/bepalingen/{c1}", f"{base}/bepalingen/{c1}/geschiedenis",
             f"{base}/voorstellen/{s1.id}", f"{base}/releases/{rid}"]
    if HAS_EXPORT:
        pages += [f"{base}/export.odt", f"{base}/export.docx", f"{base}/export.md",
                  f"{base}/releases/{rid}/export.docx"]
    for path in pages:
        response = client.get(path)
        assert response.status_code == (200 if can_see else 404), path
        if not can_see:
            assert marker not in text_of(response)
    # Lists and other pages never mention a set the reader may not see.
    for path in ("/inkoopvoorwaarden", f"/inkoopvoorwaarden?wet={world['law'].slug}",
                 f"/wetgeving/{world['law'].slug}", "/organisaties/leiden"):
        page = text_of(client.get(path))
        assert (marker in page) == can_see, path

    def expect(action: str, response, *, allowed_status=302):
        if not can_see:
            assert response.status_code == 404, (action, response.status_code)
        elif role == "visitor":
            assert response.status_code == 302, action
            assert "/inloggen" in response.headers["Location"], action
        elif role in MAY[action]:
            assert response.status_code == allowed_status, (action, response.status_code,
                                                             text_of(response)[:1500])
        else:
            assert response.status_code == 403, (action, response.status_code)

    def attempt(action: str, method: str, path: str, data=None, *, allowed_status=302):
        before = snapshot()
        response = client.get(path) if method == "GET" else post(client, path, data)
        expect(action, response, allowed_status=allowed_status)
        if method == "POST" and not (can_see and role in MAY[action] and role != "visitor"):
            assert snapshot() == before, action
        elif method == "POST":
            assert snapshot() != before, action
        return response

    attempt("suggest_form", "GET", f"{base}/voorstellen/nieuw?bepaling={c1}", allowed_status=200)
    attempt("edit_form", "GET", f"{base}/bewerken", allowed_status=200)
    attempt("add_clause_form", "GET", f"{base}/bepalingen/nieuw", allowed_status=200)
    attempt("edit_clause_form", "GET", f"{base}/bepalingen/{c1}/bewerken", allowed_status=200)
    attempt("comment_clause", "POST", f"{base}/bepalingen/{c1}/reacties",
            {"comment": "Een reactie."})
    attempt("comment_suggestion", "POST", f"{base}/voorstellen/{s1.id}/reacties",
            {"comment": "Een reactie."})
    attempt("suggest", "POST", f"{base}/voorstellen/nieuw?bepaling={c1}",
            {"kind": "change", "clause_id": str(c1), "heading": "Kop", "text": "Nieuwe tekst.",
             "rationale": "Omdat het beter is."})
    attempt("adopt", "POST", f"{base}/releases/{rid}/gebruiken", {"value": "ja"})
    attempt("withdraw", "POST", f"{base}/voorstellen/{s3.id}/intrekken")
    attempt("edit", "POST", f"{base}/bewerken",
            {"title": "Een nieuwe titel", "purpose": "", "purchase_kind": "saas",
             "visibility": visibility, "base_revision": "1"})
    attempt("edit_clause", "POST", f"{base}/bepalingen/{c3}/bewerken",
            {"heading": "Kop", "text": "Gewijzigd.", "base_revision": "1"})
    attempt("move", "POST", f"{base}/bepalingen/{c3}/verplaatsen", {"number": "1"})
    attempt("add_clause", "POST", f"{base}/bepalingen/nieuw", {"heading": "Kop", "text": "Tekst."})
    attempt("status", "POST", f"{base}/status",
            {"status": "consultation", "until": (date.today() + timedelta(days=3)).isoformat()})
    attempt("participant", "POST", f"{base}/deelnemers", {"organisation": "olst",
                                                          "role": "observer"})
    attempt("accept", "POST", f"{base}/voorstellen/{s1.id}/overnemen", {"reason": ""})
    attempt("reject", "POST", f"{base}/voorstellen/{s2.id}/afwijzen", {"reason": "Nee, dank."})
    attempt("release", "POST", f"{base}/releases", {"label": "v2.0"})
    attempt("remove_clause", "POST", f"{base}/bepalingen/{c2}/verwijderen",
            {"value": "verwijderen"})
    attempt("remove_participant", "POST", f"{base}/deelnemers/{pid}/verwijderen",
            {"value": "verwijderen"})
    # Members may create sets of their own; visitors are sent to log in.
    response = client.get("/inkoopvoorwaarden/nieuw")
    assert response.status_code == (302 if role == "visitor" else 200)
    # Nothing exists under another set's address.
    other_set = make_set(world, visibility="public", clauses=1, title="Andere set")
    for path in (f"/inkoopvoorwaarden/{other_set.id}/bepalingen/{c1}",
                 f"/inkoopvoorwaarden/{other_set.id}/voorstellen/{s1.id}",
                 f"/inkoopvoorwaarden/{other_set.id}/releases/{rid}"):
        assert client.get(path).status_code == 404, path
