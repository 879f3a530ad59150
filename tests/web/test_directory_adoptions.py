"""The directory list says which organisations use clause sets — only sets the reader may see."""

from __future__ import annotations

import pytest

from kde_community.clauses import services as clauses
from tests.helpers import commit, login


@pytest.mark.parametrize("visibility", ["public", "participants"])
def test_adoptions_in_the_directory_follow_the_sets_audience(app, make_org, make_user,
                                                             visibility):
    lead = make_org(slug="utrecht", name="Gemeente Utrecht")
    user_org = make_org(slug="vaals", name="Gemeente Vaals")
    editor = make_user(org=lead)
    adopter = make_user(org=user_org)
    outsider = make_user(org=make_org(slug="gulpen", name="Gemeente Gulpen"))
    clause_set = clauses.create_set(editor, {"title": "Exit bij SaaS", "visibility": visibility})
    clauses.set_participant(editor, clause_set, "vaals", "observer")
    clauses.add_clause(editor, clause_set, {"heading": "Exit", "text": "De leverancier helpt."})
    release = clauses.make_release(editor, clause_set, "v1.0")
    clauses.adopt(adopter, release)
    commit()

    seen = app.test_client()
    login(seen, adopter.email)
    assert "1 set</a>" in seen.get("/organisaties?q=vaals").get_data(as_text=True)
    other = app.test_client()
    login(other, outsider.email)
    page = other.get("/organisaties?q=vaals").get_data(as_text=True)
    assert ("1 set</a>" in page) is (visibility == "public")
    visitor = app.test_client().get("/organisaties?q=vaals").get_data(as_text=True)
    assert ("1 set</a>" in visitor) is (visibility == "public")
