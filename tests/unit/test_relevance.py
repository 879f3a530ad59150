"""Judged search relevance on the reference and demo data (bench/relevance/judgements.toml):
the floor the search-quality issue set, for every backend (search.backend.BACKENDS), and the
queries it named as failing."""

from __future__ import annotations

import re

import pytest

from kde_community.demo import load_demo
from kde_community.reference import load_reference
from kde_community.search import relevance, services
from kde_community.search.analysis import STOP_WORDS
from kde_community.search.backend import BACKENDS
from tests.helpers import make_config

FLOOR_MRR = 0.85
FLOOR_RECALL = 0.95


@pytest.fixture(params=sorted(BACKENDS))
def app_config(request, tmp_path) -> dict:
    return make_config(tmp_path, KDE_SEARCH_BACKEND=request.param)


@pytest.fixture
def demo(seed):
    def build():
        load_reference()
        load_demo()
        services.reindex()

    return seed("reference and demo data, indexed", build)


def test_the_judged_set_covers_what_civil_servants_type():
    judged = relevance.load()
    assert len(judged) >= 80
    queries = [j.q for j in judged]
    for abbreviation in ("FRIA", "DPIA", "IAMA", "BIO", "HVD", "SDG", "Woo"):
        assert any(re.search(rf"\b{abbreviation}\b", q) for q in queries), abbreviation
    assert "moet ons waterschap een algoritmeregister hebben" in queries
    assert sum(j.named for j in judged) >= 7


def test_relevance_holds_its_floor(app, demo):
    report = relevance.evaluate()
    assert report.mrr >= FLOOR_MRR, report.text()
    assert report.recall >= FLOOR_RECALL, report.text()


def test_every_query_the_issue_named_passes(app, demo):
    report = relevance.evaluate([j for j in relevance.load() if j.named])
    assert not report.failed, report.text()


def test_a_judgement_must_name_one_public_document(app, demo):
    with pytest.raises(relevance.JudgementError):
        relevance.evaluate([relevance.Judged("x", ["law/no-such-law"], [])])
    with pytest.raises(relevance.JudgementError):  # members only: a visitor never sees it
        relevance.evaluate([relevance.Judged("x", ["question/Ransomware bij onze leverancier"],
                                             [])])
    with pytest.raises(relevance.JudgementError):  # several match
        relevance.evaluate([relevance.Judged("x", ["obligation/AVG"], [])])


def test_did_you_mean_offers_meaningful_words_only(app, demo):
    assert services.search(None, "FRIA").suggestion is None
    for query in ("vai", "wiij", "jullei onze", "algoritmeregiser"):
        suggestion = services.search(None, query).suggestion
        assert not suggestion or not set(suggestion.split()) & STOP_WORDS - set(query.split()), \
            (query, suggestion)
    assert services.search(None, "algoritmeregiser").suggestion == "algoritmeregister"


def test_a_query_that_finds_nothing_shows_its_suggestion(app, demo):
    results = services.search(None, "algoritmeregiser", autocorrect=True)
    assert results.total and results.corrected_from == "algoritmeregiser"
    assert services.search(None, "algoritmeregiser").total == 0  # the API asks as typed


def test_similar_questions_put_the_same_question_first(app, demo):
    from sqlalchemy import select

    from kde_community.extensions import db
    from kde_community.questions.models import Question

    public = db.session.scalars(select(Question).where(Question.visibility == "public")).all()
    assert len(public) > 20
    for question in public:
        found = services.similar_questions(None, question.title)
        assert found and found[0].id == question.id, (question.title, [q.title for q in found])


def test_the_search_page_says_which_query_it_shows(app, demo, client):
    page = client.get("/zoeken?q=algoritmeregiser").get_data(as_text=True)
    assert "Niets gevonden voor “algoritmeregiser”" in page
    assert "resultaten voor “algoritmeregister”" in page
    assert "Moeten we ons algoritmeregister uitbreiden" in page
