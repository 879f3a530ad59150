"""/api/v1/laws and /api/v1/obligations: the INTERFACES.md fields, English content, what each
obligation asks of whom, the pipeline of proposals, filters, errors and pages."""

from __future__ import annotations

import re
from datetime import date

import pytest

from kde_community.extensions import db
from kde_community.laws.models import InputMoment, Law, LawMilestone, Obligation, Theme
from tests.helpers import count_statements, make_config

TODAY = date(2026, 5, 1)
EURLEX = "https://eur-lex.europa.eu/legal-content/NL/TXT/?uri=CELEX:"


@pytest.fixture
def app_config(tmp_path) -> dict:
    return make_config(tmp_path, TODAY=TODAY)


def _obligation(key, role, applies_to, **kwargs) -> Obligation:
    values = {"article": f"art. {key.rsplit('-', 1)[1]}", "title": f"Plicht {key}",
              "title_en": f"Duty {key}", "description": f"Omschrijving {key}",
              "description_en": f"Description {key}", "addressee": "deployers of AI systems",
              "responsible_roles": ["CIO"], "sources": [EURLEX + "32024R1689"],
              "checked_on": date(2026, 4, 1), **kwargs}
    return Obligation(key=key, role=role, applies_to=applies_to, **values)


def _law(slug, name, celex, stage, *, themes=(), obligations=(), **kwargs) -> Law:
    law = Law(slug=slug, short_name_nl=name, short_name_en=kwargs.pop("name_en", name + " EN"),
              aliases=[name], abbreviations=[], full_title=f"Verordening {name}", celex=celex,
              instrument="regulation", stage=stage, sources=[EURLEX + celex],
              checked_on=date(2026, 4, 1), **kwargs)
    law.themes = list(themes)
    law.obligations = list(obligations)
    db.session.add(law)
    return law


@pytest.fixture
def laws(app):
    """Two adopted laws with obligations of every role but one, two proposals in the pipeline
    and a withdrawn proposal (not in the pipeline)."""
    ai_theme = Theme(slug="ai", name_nl="AI", name_en="AI")
    access = Theme(slug="toegankelijkheid", name_nl="Toegankelijkheid", name_en="Accessibility")
    ai = _law("ai-act", "AI-verordening", "32024R1689", "partly_applicable", themes=[ai_theme],
              name_en="AI Act", summary="Regels voor AI.", summary_en="Rules for AI.",
              stage_note="", dutch_implementation="Uitvoeringswet in voorbereiding.",
              dutch_implementation_en="Implementation act in preparation.",
              obligations=[
                  _obligation("ai-act-art-4", "direct", ["gemeente", "provincie", "waterschap"],
                              applies_from=date(2025, 2, 2)),
                  _obligation("ai-act-art-26", "direct", ["gemeente"],
                              applies_from=date(2026, 8, 2)),
                  _obligation("ai-act-art-25", "procurement", ["gemeente"],
                              applies_condition="Zodra u een hoogrisicosysteem inkoopt."),
              ])
    ai.milestones = [LawMilestone(kind="entry_into_force", date=date(2024, 8, 1),
                                  label="Treedt in werking", label_en="Enters into force"),
                     LawMilestone(kind="application", date=date(2026, 8, 2),
                                  label="Hoog risico", label_en="High risk")]
    ai.input_moments = [
        InputMoment(title="Consultatie Uitvoeringswet", title_en="Consultation implementation act",
                    opens=date(2026, 4, 20), closes=date(2026, 6, 1),
                    where="https://www.internetconsultatie.nl/uitvoeringswet_ai"),
        InputMoment(title="Oude consultatie", title_en="Old consultation",
                    opens=date(2025, 1, 1), closes=date(2025, 2, 1), where=""),
    ]
    _law("european-accessibility-act", "Europese toegankelijkheidsakte", "32019L0882",
         "applicable", themes=[access], obligations=[
             _obligation("eaa-art-2", "context", ["gemeente"], addressee="economic operators"),
             _obligation("eaa-art-24", "procurement", ["gemeente", "provincie"],
                         addressee="contracting authorities"),
         ])
    _law("digital-omnibus", "Digitale omnibus", "52025PC0837", "proposal", themes=[ai_theme],
         amends=["ai-act"], related=["european-accessibility-act"])
    _law("inspire-revision", "Herziening INSPIRE", "52025PC0985", "negotiation")
    _law("oud-voorstel", "Ingetrokken voorstel", "52020PC0001", "withdrawn",
         repeals=["european-accessibility-act"])
    db.session.commit()
    return {o.key: o.id for o in db.session.scalars(db.select(Obligation))}


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["slug"] for item in response.json["items"]]


def keys(response) -> set[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return {item["key"] for item in response.json["items"]}


def test_a_law_keeps_the_interface_fields_and_adds_english_and_facts(app, client, laws):
    body = client.get("/api/v1/laws").json
    assert body["total"] == 5 and body["page"] == 1 and body["per_page"] == 20
    law = client.get("/api/v1/laws/ai-act").json
    assert law == next(i for i in body["items"] if i["slug"] == "ai-act")
    # INTERFACES.md
    assert law["slug"] == "ai-act" and law["short_name"] == "AI-verordening"
    assert law["aliases"] == ["AI-verordening"] and law["celex"] == "32024R1689"
    assert law["stage"] == "partly_applicable"
    for milestone in law["milestones"]:
        assert {"kind", "date"} <= set(milestone)
    for moment in law["input_moments"]:
        assert {"opens", "closes", "where"} <= set(moment)
    for ob in law["obligations"]:
        assert {"id", "article", "title", "applies_to"} <= set(ob)
    # English content and facts
    assert law["short_name_en"] == "AI Act" and law["summary_en"] == "Rules for AI."
    assert law["summary"] == "Regels voor AI."
    assert law["dutch_implementation_en"] == "Implementation act in preparation."
    assert law["in_pipeline"] is False and law["stage_note"] == ""
    assert law["sources"] == [EURLEX + "32024R1689"] and law["checked_on"] == "2026-04-01"
    assert law["version"] == 1 and law["themes"] == ["ai"]
    assert law["url"].endswith("/wetgeving/ai-act")
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$", law["created_at"])
    assert law["milestones"] == [
        {"kind": "entry_into_force", "date": "2024-08-01", "label": "Treedt in werking",
         "label_en": "Enters into force"},
        {"kind": "application", "date": "2026-08-02", "label": "Hoog risico",
         "label_en": "High risk"}]
    moments = {m["title_en"]: m for m in law["input_moments"]}
    assert moments["Consultation implementation act"]["is_open"] is True  # on TODAY
    assert moments["Consultation implementation act"]["closes"] == "2026-06-01"
    assert moments["Consultation implementation act"]["title"] == "Consultatie Uitvoeringswet"
    assert moments["Old consultation"]["is_open"] is False
    assert all(isinstance(m["id"], int) for m in law["input_moments"])
    art26 = next(o for o in law["obligations"] if o["key"] == "ai-act-art-26")
    assert art26 == {
        "id": laws["ai-act-art-26"], "key": "ai-act-art-26", "law": "ai-act",
        "article": "art. 26", "title": "Plicht ai-act-art-26", "title_en": "Duty ai-act-art-26",
        "description": "Omschrijving ai-act-art-26",
        "description_en": "Description ai-act-art-26", "role": "direct",
        "addressee": "deployers of AI systems", "applies_to": ["gemeente"],
        "applies_from": "2026-08-02", "applies_condition": "", "responsible_roles": ["CIO"],
        "sources": [EURLEX + "32024R1689"], "checked_on": "2026-04-01", "version": 1,
        "url": app.config["KDE_BASE_URL"] + "/wetgeving/ai-act/verplichtingen/ai-act-art-26",
        "created_at": art26["created_at"], "updated_at": art26["updated_at"]}
    conditional = next(o for o in law["obligations"] if o["key"] == "ai-act-art-25")
    assert conditional["applies_from"] is None and conditional["applies_condition"]

    omnibus = client.get("/api/v1/laws/digital-omnibus").json
    assert omnibus["in_pipeline"] is True and omnibus["stage"] == "proposal"
    assert omnibus["amends"] == ["ai-act"] and omnibus["related"] == ["european-accessibility-act"]
    assert client.get("/api/v1/laws/oud-voorstel").json["repeals"] == [
        "european-accessibility-act"]


def test_the_pipeline_filter_lists_exactly_the_proposals(client, laws):
    assert sorted(slugs(client.get("/api/v1/laws?stage=pipeline"))) == [
        "digital-omnibus", "inspire-revision"]
    assert slugs(client.get("/api/v1/laws?stage=withdrawn")) == ["oud-voorstel"]
    assert slugs(client.get("/api/v1/laws?stage=applicable")) == ["european-accessibility-act"]
    assert slugs(client.get("/api/v1/laws?stage=repealed")) == []
    assert sorted(slugs(client.get("/api/v1/laws?stage=pipeline&theme=ai"))) == [
        "digital-omnibus"]


def test_laws_by_role_and_organisation_type(client, laws):
    assert sorted(slugs(client.get("/api/v1/laws?role=procurement"))) == [
        "ai-act", "european-accessibility-act"]
    assert slugs(client.get("/api/v1/laws?role=context")) == ["european-accessibility-act"]
    assert slugs(client.get("/api/v1/laws?role=customer_right")) == []
    assert slugs(client.get("/api/v1/laws?applies_to=waterschap")) == ["ai-act"]
    # Both on one obligation: the AI Act's procurement entry is for municipalities only.
    assert slugs(client.get("/api/v1/laws?role=procurement&applies_to=provincie")) == [
        "european-accessibility-act"]
    assert slugs(client.get("/api/v1/laws?theme=toegankelijkheid")) == [
        "european-accessibility-act"]
    # A filtered law keeps all its obligations.
    ai = client.get("/api/v1/laws?role=procurement&applies_to=gemeente").json["items"][0]
    assert len(ai["obligations"]) == 3


def test_obligations_by_role_law_type_and_theme(client, laws):
    assert keys(client.get("/api/v1/obligations?role=procurement")) == {
        "ai-act-art-25", "eaa-art-24"}
    assert keys(client.get("/api/v1/obligations?role=direct")) == {"ai-act-art-4", "ai-act-art-26"}
    assert keys(client.get("/api/v1/obligations?role=context")) == {"eaa-art-2"}
    assert keys(client.get("/api/v1/obligations?role=customer_right")) == set()
    assert keys(client.get("/api/v1/obligations?law=european-accessibility-act")) == {
        "eaa-art-2", "eaa-art-24"}
    assert keys(client.get("/api/v1/obligations?applies_to=provincie")) == {
        "ai-act-art-4", "eaa-art-24"}
    assert keys(client.get("/api/v1/obligations?applies_to=provincie&role=direct")) == {
        "ai-act-art-4"}
    assert keys(client.get("/api/v1/obligations?theme=ai&role=procurement")) == {"ai-act-art-25"}
    assert keys(client.get("/api/v1/obligations?law=digital-omnibus")) == set()
    assert keys(client.get("/api/v1/obligations?law=bestaat-niet")) == set()
    every = client.get("/api/v1/obligations?role=context").json["items"][0]
    assert every["addressee"] == "economic operators" and every["law"] == (
        "european-accessibility-act")


def test_one_obligation_and_absent_ones(app, client, laws, api_error):
    ob = client.get(f"/api/v1/obligations/{laws['eaa-art-24']}").json
    assert ob["key"] == "eaa-art-24" and ob["role"] == "procurement"
    assert ob["title_en"] == "Duty eaa-art-24" and ob["description_en"]
    assert ob["url"].endswith("/wetgeving/european-accessibility-act/verplichtingen/eaa-art-24")
    path = ob["url"].removeprefix(app.config["KDE_BASE_URL"])
    assert app.url_map.bind("localhost").match(path) == (
        "laws.obligation", {"slug": "european-accessibility-act", "key": "eaa-art-24"})
    missing = max(laws.values()) + 1
    for path in (f"/api/v1/obligations/{missing}", "/api/v1/obligations/0",
                 "/api/v1/obligations/99999999999999999999999", "/api/v1/obligations/abc",
                 "/api/v1/laws/bestaat-niet", "/api/v1/laws/Geen%20Slug"):
        api_error(client.get(path), 404, "not_found")


@pytest.mark.parametrize("path, field", [
    ("/api/v1/laws?stage=bijna", "stage"),
    ("/api/v1/laws?stage=Pipeline", "stage"),
    ("/api/v1/laws?role=inkoop", "role"),
    ("/api/v1/laws?applies_to=bakkerij", "applies_to"),
    ("/api/v1/laws?theme=Geen%20slug", "theme"),
    ("/api/v1/obligations?role=supplier", "role"),
    ("/api/v1/obligations?law=AI%20Act", "law"),
    ("/api/v1/obligations?applies_to=rijksoverheid", "applies_to"),
    ("/api/v1/obligations?theme=-", "theme"),
    ("/api/v1/obligations?page=0", "page"),
    ("/api/v1/obligations?per_page=101", "per_page"),
])
def test_bad_filters_are_refused_with_the_field(client, laws, api_error, path, field):
    error = api_error(client.get(path), 422, "validation_failed")
    assert set(error["fields"]) == {field}


def test_obligations_come_in_pages(client, laws):
    seen, total = [], None
    for page in (1, 2, 3):
        body = client.get(f"/api/v1/obligations?per_page=2&page={page}").json
        assert body["page"] == page and body["per_page"] == 2
        total = body["total"]
        seen += [item["key"] for item in body["items"]]
    assert total == 5 and len(seen) == 5 and set(seen) == set(laws)
    # By law (Dutch short name: AI-verordening before Europese toegankelijkheidsakte).
    assert seen[:3] == ["ai-act-art-4", "ai-act-art-26", "ai-act-art-25"]
    assert client.get("/api/v1/obligations?per_page=2&page=4").json["items"] == []
    body = client.get("/api/v1/laws?per_page=2&page=3").json
    assert body["total"] == 5 and len(body["items"]) == 1


def test_lists_cost_the_same_queries_however_many_laws(app, client, laws):
    def cost() -> tuple[int, int]:
        return (count_statements(lambda: client.get("/api/v1/laws")),
                count_statements(lambda: client.get("/api/v1/obligations")))

    before = cost()
    for n in range(3):
        _law(f"extra-{n}", f"Extra {n}", f"3202{n}R0001", "applicable",
             obligations=[_obligation(f"extra-{n}-art-1", "direct", ["gemeente"]),
                          _obligation(f"extra-{n}-art-2", "procurement", ["provincie"])])
    db.session.commit()
    assert client.get("/api/v1/obligations").json["total"] == 11
    assert cost() == before


def test_openapi_describes_the_law_and_obligation_routes(client):
    document = client.get("/api/v1/openapi.json").json
    paths = document["paths"]
    for path in ("/api/v1/laws", "/api/v1/laws/{slug}", "/api/v1/obligations",
                 "/api/v1/obligations/{obligation_id}"):
        assert "get" in paths[path], path
    params = {p["name"]: p for p in paths["/api/v1/obligations"]["get"]["parameters"]}
    assert {"law", "role", "applies_to", "theme", "page", "per_page"} <= set(params)
    assert params["role"]["schema"]["enum"] == ["direct", "procurement", "customer_right",
                                                "context"]
    law_params = {p["name"]: p for p in paths["/api/v1/laws"]["get"]["parameters"]}
    assert "pipeline" in law_params["stage"]["schema"]["enum"]
    assert {"role", "applies_to", "theme"} <= set(law_params)
    assert "422" in paths["/api/v1/obligations"]["get"]["responses"]
    assert "404" in paths["/api/v1/obligations/{obligation_id}"]["get"]["responses"]
    schemas = document["components"]["schemas"]
    assert {"summary_en", "in_pipeline", "version", "checked_on"} <= set(
        schemas["Law"]["properties"])
    assert {"title_en", "description_en", "role", "addressee", "url"} <= set(
        schemas["Obligation"]["properties"])


def test_the_reference_laws_answer_as_declared(app, client):
    """Every law and obligation of the reference data, in English too, through the schema
    check (conformance.py) that runs on every response under test."""
    from kde_community.reference import load_reference

    load_reference()
    db.session.commit()
    total = db.session.scalar(db.select(db.func.count()).select_from(Obligation))
    items = []
    for page in (1, 2):
        body = client.get(f"/api/v1/obligations?per_page=100&page={page}").json
        items += body["items"]
    assert body["total"] == total == len(items)
    assert all(o["title_en"] and o["addressee"] and o["sources"] and o["checked_on"]
               for o in items)
    procurement = {o["id"] for o in items if o["role"] == "procurement"}
    assert procurement and {o["id"] for o in client.get(
        "/api/v1/obligations?role=procurement&per_page=100").json["items"]} == procurement
    laws = client.get("/api/v1/laws?per_page=100").json["items"]
    assert all(law["short_name_en"] and law["checked_on"] for law in laws)
    pipeline = {law["slug"] for law in laws if law["in_pipeline"]}
    assert "digital-omnibus" in pipeline
    assert {law["slug"] for law in client.get(
        "/api/v1/laws?stage=pipeline&per_page=100").json["items"]} == pipeline
