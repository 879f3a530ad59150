"""Demo clause sets (data/demo/clauses.toml, kde_community/demo.py): three sets loaded through
the clause services, each with clauses citing obligations, versions, suggestions, a release and
adopting organisations; loading twice adds nothing; a wrong file stops the load."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import func, select

from kde_community.clauses.models import (
    Adoption,
    ChangeLogEntry,
    Clause,
    ClauseSet,
    Release,
    Suggestion,
)
from kde_community.content.models import Revision
from kde_community.demo import DEMO_DIR, DemoDataError, load_demo
from kde_community.events import Event
from kde_community.extensions import db
from kde_community.reference import load_reference
from tests.helpers import count


@pytest.fixture
def demo(seed):
    def build():
        load_reference()
        return load_demo()
    return seed("reference and demo", build)


def _counts() -> tuple:
    return tuple(count(model) for model in (ClauseSet, Clause, Suggestion, Release, Adoption,
                                            ChangeLogEntry, Revision, Event))


def test_three_sets_with_clauses_obligations_releases_and_adoptions(demo):
    assert "3 new clause sets" in demo
    sets = list(db.session.scalars(select(ClauseSet).order_by(ClauseSet.id)))
    assert len(sets) == 3
    assert {s.purchase_kind for s in sets} == {"website_app", "ai_system", "saas"}
    assert {s.visibility for s in sets} == {"public", "members", "participants"}
    laws = set()
    for clause_set in sets:
        assert 4 <= len(clause_set.clauses) <= 7, clause_set.title
        assert [c.position for c in clause_set.clauses] == \
            list(range(1, len(clause_set.clauses) + 1))
        cited = [c for c in clause_set.clauses if c.obligations]
        assert len(cited) >= 4, clause_set.title
        laws |= {o.law.slug for c in cited for o in c.obligations}
        organisations = {clause_set.lead_organisation_id,
                         *(p.organisation_id for p in clause_set.participants)}
        assert len(organisations) >= 4
        assert {p.role for p in clause_set.participants} >= {"contributor", "observer"}
        assert [r.label for r in clause_set.releases] == ["v1.0"]
        release = clause_set.releases[0]
        assert release.notes and release.snapshot["clauses"]
        assert 2 <= len({a.organisation_id for a in release.adoptions}) <= 4
        assert max(c.revision for c in clause_set.clauses) >= 2  # several versions
        states = {s.status for s in db.session.scalars(
            select(Suggestion).where(Suggestion.set_id == clause_set.id))}
        assert {"open", "accepted", "rejected"} <= states, clause_set.title
    assert {"european-accessibility-act", "web-accessibility-directive", "ai-act",
            "data-act"} <= laws
    assert {s.status for s in sets} == {"adopted", "consultation", "concept"}


def test_accepted_suggestions_are_credited_versions_kept_and_events_recorded(demo):
    accepted = list(db.session.scalars(select(Suggestion).where(Suggestion.status == "accepted")))
    assert len(accepted) >= 3
    for suggestion in accepted:
        clause = suggestion.clause
        assert clause.text == suggestion.text or suggestion.kind != "change"
        latest = db.session.scalar(select(Revision).where(
            Revision.content_type == "clause", Revision.content_id == clause.id,
            Revision.number == clause.revision))
        assert latest.author_id == suggestion.author_id  # credited to the proposer
        assert suggestion.decided_by_id != suggestion.author_id
    rejected = db.session.scalars(select(Suggestion).where(Suggestion.status == "rejected"))
    assert all(s.decision_reason for s in rejected)
    ai = db.session.scalar(select(ClauseSet).where(ClauseSet.purchase_kind == "ai_system"))
    sources = {c.source_reference for c in ai.clauses}
    assert "EU model contractual clauses for AI (MCC-AI), high-risk version" in sources
    # The services recorded the events search reads, naming the set.
    names = {e.name for e in db.session.scalars(select(Event))}
    assert {"clause_set.created", "clause.added", "clause.edited", "suggestion.made",
            "suggestion.decided", "release.made", "adoption.recorded"} <= names
    # Each set's history: every version of a clause is a revision.
    for clause in db.session.scalars(select(Clause)):
        assert db.session.scalar(select(func.count()).select_from(Revision).where(
            Revision.content_type == "clause", Revision.content_id == clause.id)) \
            == clause.revision


def test_loading_twice_changes_nothing(demo):
    before = _counts()
    second = load_demo()
    db.session.commit()
    assert "0 new clause sets" in second
    assert _counts() == before


def test_a_wrong_clause_file_stops_the_load_before_anything_is_written(seed, tmp_path):
    seed("reference", load_reference)
    folder = tmp_path / "demo"
    shutil.copytree(DEMO_DIR, folder)
    text = (folder / "clauses.toml").read_text()
    text = text.replace('"ai-act-art-27"', '"ai-act-art-999"', 1)
    text = text.replace('by = "i.devries@pzh.nl"', 'by = "g.vanes@renswoude.nl"', 1)
    (folder / "clauses.toml").write_text(text)
    with pytest.raises(DemoDataError) as refused:
        load_demo(folder)
    message = str(refused.value)
    assert "unknown obligation 'ai-act-art-999'" in message
    assert "'g.vanes@renswoude.nl' is in no organisation with the role editor" in message
    assert count(ClauseSet) == 0 and count(Clause) == 0
