"""GET /api/v1/timeline and /api/v1/input-moments on a fixed day: the page's filters with
English names, pagination, refused values, and the OpenAPI document."""

from __future__ import annotations

from datetime import date

import pytest

from kde_community.extensions import db
from kde_community.laws.models import InputMoment, Law, LawMilestone, Obligation, Theme
from tests.helpers import make_config

TODAY = date(2026, 5, 1)


@pytest.fixture
def app_config(tmp_path):
    return make_config(tmp_path, TODAY=TODAY)


@pytest.fixture
def world(app):
    ai = Theme(slug="ai", name_nl="AI", name_en="AI")
    db.session.add(ai)

    def law(slug, n, stage="applicable", milestones=(), inputs=(), applies_to=(),
            applies_from=None, themes=()):
        row = Law(slug=slug, short_name_nl=f"Wet {slug}", short_name_en=f"Act {slug}",
                  full_title=slug, celex=f"3202{n}R0001", instrument="regulation", stage=stage,
                  themes=list(themes))
        row.milestones = [LawMilestone(kind=k, date=d, label=f"{slug} {k}",
                                       label_en=f"{slug} {k} (en)") for k, d in milestones]
        row.input_moments = [InputMoment(title=f"{slug} inbreng", title_en=f"{slug} input",
                                         opens=o, closes=c, where=w) for o, c, w in inputs]
        if applies_to:
            row.obligations = [Obligation(key=f"{slug}-1", article="art. 1", title="Plicht",
                                          applies_to=list(applies_to),
                                          applies_from=applies_from)]
        db.session.add(row)
        return row

    laws = {
        "open": law("open", 1, themes=[ai], applies_to=["gemeente"],
                    milestones=[("entry_into_force", date(2024, 8, 1))],
                    inputs=[(date(2026, 4, 20), date(2026, 6, 1),
                             "https://www.internetconsultatie.nl/x")]),
        "closed": law("closed", 2, applies_to=["provincie"],
                      inputs=[(date(2026, 3, 1), date(2026, 4, 30), "")]),
        "soon": law("soon", 3, milestones=[("application", date(2027, 5, 1))]),
        "later": law("later", 4, applies_to=["waterschap"], applies_from=date(2027, 6, 1)),
        "proposal": law("proposal", 5, stage="negotiation",
                        milestones=[("proposal", date(2025, 11, 19))]),
    }
    db.session.commit()
    return laws


def slugs(body) -> set[str]:
    return {item["law"] for item in body["items"]}


def test_the_timeline_lists_milestones_and_input_moments_by_date(client, world):
    body = client.get("/api/v1/timeline").json
    assert body["total"] == 7 and body["page"] == 1 and body["per_page"] == 20
    dates = [item["date"] for item in body["items"]]
    assert dates == sorted(dates)
    opens = next(i for i in body["items"] if i["kind"] == "input_opens" and i["law"] == "open")
    assert opens == {
        "date": "2026-04-20", "kind": "input_opens", "law": "open", "law_name": "Wet open",
        "law_name_en": "Act open", "stage": "applicable", "label": "open inbreng",
        "label_en": "open input", "url": opens["url"],
        "input_moment": {"id": world["open"].input_moments[0].id, "opens": "2026-04-20",
                         "closes": "2026-06-01", "where": "https://www.internetconsultatie.nl/x",
                         "is_open": True}}
    assert opens["url"].endswith("/wetgeving/open")
    milestone = next(i for i in body["items"] if i["kind"] == "proposal")
    assert milestone["input_moment"] is None and milestone["label_en"] == "proposal proposal (en)"


@pytest.mark.parametrize("query, expected", [
    ("theme=ai", {"open"}),
    ("org_type=provincie", {"closed", "proposal"}),
    ("stage=pipeline", {"proposal"}),
    ("stage=applicable", {"open", "closed", "soon"}),  # "later" has no dated entry
    ("input_open=true", {"open"}),
    ("applies_within_12_months=true", {"soon"}),
    ("applies_within_12_months=false", {"open", "closed", "soon", "proposal"}),
    ("law=closed", {"closed"}),
    ("theme=unknown", set()),
])
def test_timeline_filters(client, world, query, expected):
    response = client.get(f"/api/v1/timeline?{query}")
    assert response.status_code == 200
    assert slugs(response.json) == expected


def test_timeline_pages(client, world):
    first = client.get("/api/v1/timeline?per_page=4").json
    second = client.get("/api/v1/timeline?per_page=4&page=2").json
    assert first["total"] == second["total"] == 7
    assert len(first["items"]) == 4 and len(second["items"]) == 3


@pytest.mark.parametrize("query, field", [
    ("stage=pijplijn", "stage"), ("org_type=bedrijf", "org_type"), ("input_open=ja", "input_open"),
    ("theme=Niet%20Goed", "theme"), ("per_page=1000", "per_page"),
])
def test_bad_timeline_arguments_are_refused(client, world, api_error, query, field):
    error = api_error(client.get(f"/api/v1/timeline?{query}"), 422, "validation_failed")
    assert field in error["fields"]


def test_input_moments_open_now_and_all(client, world):
    body = client.get("/api/v1/input-moments?open=true").json
    assert body["total"] == 1
    moment = body["items"][0]
    assert moment == {"id": world["open"].input_moments[0].id, "law": "open",
                      "title": "open inbreng", "title_en": "open input", "opens": "2026-04-20",
                      "closes": "2026-06-01", "where": "https://www.internetconsultatie.nl/x",
                      "is_open": True, "url": moment["url"]}
    closed = client.get("/api/v1/input-moments?open=false").json
    assert [(m["law"], m["is_open"]) for m in closed["items"]] == [("closed", False)]
    assert client.get("/api/v1/input-moments").json["total"] == 2
    assert client.get("/api/v1/input-moments?open=maybe").status_code == 422


def test_the_routes_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert "/timeline" in paths or "/api/v1/timeline" in paths
    operation = (paths.get("/timeline") or paths["/api/v1/timeline"])["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"theme", "org_type", "stage", "input_open", "applies_within_12_months", "page",
            "per_page"} <= names
    assert "/input-moments" in paths or "/api/v1/input-moments" in paths
