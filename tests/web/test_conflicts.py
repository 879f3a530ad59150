"""No lost update and no double submission: edits name their base revision, stale edits get
the conflict page, and one form submission makes one item however often it is sent."""

from __future__ import annotations

import re
import threading

from kde_community.content.models import Revision
from kde_community.extensions import db
from kde_community.practices.models import Practice
from kde_community.questions import services as questions
from kde_community.questions.models import Question
from tests.helpers import PRACTICE, count, csrf_from, login

TEXTAREA = re.compile(r'<textarea[^>]*name="body"[^>]*>\s*(.*?)</textarea>', re.S)


def form_values(html: str) -> dict:
    values = dict(re.findall(r'<input[^>]*name="(csrf_token|base_revision)"[^>]*'
                             r'value="([^"]*)"', html))
    return values


def test_stale_question_edit_gets_the_conflict_page_with_both_texts(app, client, make_user,
                                                                    make_question):
    author = make_user()
    question = make_question(author, body="De eerste tekst van de vraag.")
    login(client, author.email)
    page = client.get(f"/vragen/{question.id}/bewerken").get_data(as_text=True)
    values = form_values(page)
    assert values["base_revision"] == "1"
    # Meanwhile someone else saves a version 2.
    moderator = make_user(role="moderator")
    questions.edit_question(moderator, question, {"body": "De tekst van de moderator."})
    db.session.commit()
    response = client.post(f"/vragen/{question.id}/bewerken", data={
        **values, "title": question.title, "body": "Mijn eigen nieuwe tekst.",
        "visibility": "public"})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "<del>" in html and "moderator" in html  # the current text, as a diff
    assert "Mijn eigen nieuwe tekst." in TEXTAREA.search(html).group(1)  # mine is kept
    assert form_values(html)["base_revision"] == "2"  # saving again merges onto version 2
    db.session.expire_all()
    assert db.session.get(Question, question.id).body == "De tekst van de moderator."
    # The member merges and saves: now it is version 3.
    response = client.post(f"/vragen/{question.id}/bewerken", data={
        **form_values(html), "title": question.title, "visibility": "public",
        "body": "De tekst van de moderator, en mijn aanvulling."})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Question, question.id).revision == 3


def test_stale_practice_edit_keeps_the_members_text(app, client, make_user, make_practice):
    from kde_community.practices import services as practices

    author = make_user()
    practice = make_practice(author)
    login(client, author.email)
    values = form_values(client.get(f"/praktijken/{practice.id}/bewerken").get_data(as_text=True))
    practices.edit_practice(author, practice, {"summary": "Andere samenvatting intussen."})
    db.session.commit()
    data = {**values, **{k: v for k, v in PRACTICE.items() if isinstance(v, str)},
            "failure_causes": PRACTICE["failure_causes"], "summary": "Mijn samenvatting."}
    response = client.post(f"/praktijken/{practice.id}/bewerken", data=data)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Mijn samenvatting." in html and "Andere samenvatting intussen." in html
    db.session.expire_all()
    assert db.session.get(Practice, practice.id).summary == "Andere samenvatting intussen."


def test_eight_editors_fifty_rounds_one_winner_each_no_lost_text(app, make_user, make_question):
    author = make_user()
    question = make_question(author, body="Ronde 0")
    editors = [author] + [make_user(role="moderator") for _ in range(7)]
    clients = []
    for editor in editors:
        c = app.test_client()
        login(c, editor.email)
        clients.append(c)
    token = {i: csrf_from(c.get(f"/vragen/{question.id}/bewerken").get_data(as_text=True))
             for i, c in enumerate(clients)}
    statuses: list[int] = []
    for round_ in range(1, 51):
        db.session.expire_all()
        base = db.session.get(Question, question.id).revision
        barrier = threading.Barrier(len(clients))
        results: dict[int, tuple[int, str]] = {}

        def edit(i, c, round_=round_, barrier=barrier, base=base, results=results):
            text = f"Ronde {round_}, tekst van redacteur {i}."
            barrier.wait()
            response = c.post(f"/vragen/{question.id}/bewerken", data={
                "csrf_token": token[i], "base_revision": str(base), "title": question.title,
                "body": text, "visibility": "public"})
            results[i] = (response.status_code, response.get_data(as_text=True))

        threads = [threading.Thread(target=edit, args=(i, c)) for i, c in enumerate(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        codes = [code for code, _body in results.values()]
        statuses += codes
        assert codes.count(302) == 1, (round_, codes)
        assert codes.count(409) == len(clients) - 1, (round_, codes)
        winner = next(i for i, (code, _b) in results.items() if code == 302)
        db.session.expire_all()
        current = db.session.get(Question, question.id)
        assert current.revision == base + 1
        assert current.body == f"Ronde {round_}, tekst van redacteur {winner}."
        for i, (code, body) in results.items():
            if code == 409:  # the loser's text is handed back, not lost
                assert f"Ronde {round_}, tekst van redacteur {i}." in body
    assert all(code < 500 for code in statuses)
    assert count(Revision) >= 51


def _ask(client, values, title="Hoe regelen jullie de exit bij SaaS?"):
    return client.post("/vragen/stellen", data={**values, "title": title,
                                               "body": "Graag concrete voorbeelden.",
                                               "visibility": "public"})


def test_the_same_ask_form_sent_twice_makes_one_question(app, client, make_user):
    login(client, make_user().email)
    values = form_values(client.get("/vragen/stellen").get_data(as_text=True))
    first = _ask(client, values)
    second = _ask(client, values)  # back + resubmit
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert count(Question) == 1
    # Back, reload (a fresh form) and send the same again: still one question.
    again = _ask(client, form_values(client.get("/vragen/stellen").get_data(as_text=True)))
    assert again.headers["Location"] == first.headers["Location"] and count(Question) == 1
    # Another question is another question.
    _ask(client, form_values(client.get("/vragen/stellen").get_data(as_text=True)),
         title="Hoe regelen jullie de exit bij hosting?")
    assert count(Question) == 2


def test_three_parallel_submissions_make_one_question(app, make_user):
    user = make_user()
    clients = []
    for _ in range(3):
        c = app.test_client()
        login(c, user.email)
        clients.append(c)
    values = form_values(clients[0].get("/vragen/stellen").get_data(as_text=True))
    barrier = threading.Barrier(3)
    codes = []

    def send(c):
        tokens = {**values, "csrf_token": csrf_from(c.get("/vragen/stellen").get_data(as_text=True))}
        barrier.wait()
        codes.append(_ask(c, tokens).status_code)

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(code < 500 for code in codes), codes
    assert count(Question) == 1


def test_a_refused_submission_frees_its_key(app, client, make_user):
    login(client, make_user().email)
    values = form_values(client.get("/vragen/stellen").get_data(as_text=True))
    assert _ask(client, values, title="Kort").status_code == 422
    assert _ask(client, values).status_code == 302
    assert count(Question) == 1
