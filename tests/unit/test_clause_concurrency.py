"""No lost update on clauses (issue 11 acceptance): 8 editors of two organisations, released at
the same instant with the same base version, 50 rounds, through `PUT /api/v1/clauses/{id}` with
`If-Match` — exactly one 200 a round, the others 412; every accepted text is the current text or
in the history; nothing lost; no 5xx.

Runs on the suite's database: SQLite here, PostgreSQL when KDE_DATABASE_URL names one (CI runs
the suite on both). Marked `serial`: 400 racing requests are a stress test, run alone."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from kde_community.accounts.services import create_token
from kde_community.clauses import services
from kde_community.clauses.models import Clause
from kde_community.content.models import Revision
from kde_community.extensions import db
from tests.helpers import commit

pytestmark = pytest.mark.serial

EDITORS = 8
ROUNDS = 50


def test_eight_editors_fifty_rounds_one_winner_each_no_lost_update(app, make_org, make_user,
                                                                   make_law):
    law = make_law()
    lead, partner = make_org(slug="trekker"), make_org(slug="partner")
    editors = [make_user(org=lead if i % 2 else partner, name=f"Redacteur {i}")
               for i in range(EDITORS)]
    clause_set = services.create_set(editors[1], {"title": "Exit en dataportabiliteit bij SaaS"})
    services.set_participant(editors[1], clause_set, "partner", "editor")
    clause = services.add_clause(editors[1], clause_set, {
        "heading": "Exit", "text": "Ronde 0", "obligations": [law.obligations[0].id]})
    headers = [{"Authorization": f"Bearer {create_token(editor, 'race')[1]}"}
               for editor in editors]
    commit()
    url = f"/api/v1/clauses/{clause.id}"
    clients = [app.test_client() for _ in editors]
    accepted: list[str] = []
    statuses: list[int] = []
    for round_ in range(1, ROUNDS + 1):
        db.session.expire_all()
        base = db.session.get(Clause, clause.id).revision
        barrier = threading.Barrier(EDITORS)
        results: dict[int, tuple[int, dict | None]] = {}

        def edit(i, round_=round_, base=base, barrier=barrier, results=results):
            text = f"Ronde {round_}, tekst van redacteur {i}."
            barrier.wait()
            try:
                response = clients[i].put(url, headers={**headers[i], "If-Match": f'"{base}"'},
                                          json={"heading": "Exit", "text": text})
                results[i] = (response.status_code, response.get_json(silent=True))
            except Exception as exc:  # a crash is a 5xx the member would have seen  # noqa: BLE001
                results[i] = (599, {"exception": repr(exc)})

        threads = [threading.Thread(target=edit, args=(i,)) for i in range(EDITORS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        codes = [results[i][0] for i in range(EDITORS)]
        statuses += codes
        assert codes.count(200) == 1, (round_, results)
        assert codes.count(412) == EDITORS - 1, (round_, results)
        winner = codes.index(200)
        won = results[winner][1]
        assert won["version"] == base + 1
        assert won["text"] == f"Ronde {round_}, tekst van redacteur {winner}."
        accepted.append(won["text"])
        for code, body in results.values():
            if code == 412:
                assert body["error"]["code"] == "precondition_failed"
        db.session.expire_all()
        current = db.session.get(Clause, clause.id)
        assert (current.revision, current.text) == (base + 1, won["text"])

    assert all(code < 500 for code in statuses)
    # Every accepted text is the current text or in the history, in the order they won: none
    # was overwritten unseen (0 lost updates), and no refused text slipped in.
    db.session.expire_all()
    current = db.session.get(Clause, clause.id)
    assert current.text == accepted[-1] and current.revision == ROUNDS + 1
    history = app.test_client().get(f"{url}/versions", headers=headers[0]).get_json()["items"]
    assert [v["number"] for v in history] == list(range(1, ROUNDS + 2))
    assert [v["text"] for v in history] == ["Ronde 0", *accepted]
    assert db.session.scalar(select(func.count()).select_from(Revision).where(
        Revision.content_type == "clause", Revision.content_id == clause.id)) == ROUNDS + 1
