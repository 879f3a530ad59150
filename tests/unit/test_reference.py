"""The reference data: complete, consistent, and loaded idempotently."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from kde_community.directory.models import PROVINCES, REGIONAL_TYPES, Network, Organisation
from kde_community.extensions import db
from kde_community.laws.models import (
    OBLIGATION_ROLES,
    PIPELINE_STAGES,
    InputMoment,
    Law,
    LawMilestone,
    Obligation,
    Theme,
    is_official_source,
)
from kde_community.reference import (
    REFERENCE_DIR,
    ReferenceDataError,
    load_reference,
    validate_reference,
)
from tests.helpers import count

MODELS = (Theme, Organisation, Network, Law, LawMilestone, InputMoment, Obligation)

# Named in the KED report (../shared/seed/): each must be in the directory.
REPORT_ORGANISATIONS = ["amsterdam", "schiermonnikoog", "vng", "ipo", "uvw", "bzk", "ked",
                        "ictu", "rvo"]
REQUIRED_LAWS = ["ai-act", "sdg", "web-accessibility-directive", "european-accessibility-act",
                 "data-act", "data-governance-act", "open-data-directive", "high-value-datasets",
                 "gdpr", "nis2", "cer", "cyber-resilience-act", "eidas2",
                 "interoperable-europe-act", "dsa", "gigabit-infrastructure-act", "inspire"]


@pytest.fixture(scope="module")
def data():
    return validate_reference()


REQUIRED_PROPOSALS = ["digital-omnibus", "cybersecurity-act-revision", "nis2-amendment-2026",
                      "inspire-revision"]


def test_every_law_is_complete(data):
    laws = {law["slug"]: law for law in data["laws"]}
    for slug in REQUIRED_LAWS + REQUIRED_PROPOSALS:
        assert slug in laws, slug
    for law in laws.values():
        proposal = law["stage"] in PIPELINE_STAGES
        assert law["celex"][:1] == ("5" if proposal else "3") and len(law["celex"]) >= 9, law["slug"]
        assert any(m.get("date") for m in law.get("milestones", [])), law["slug"]
        if not proposal:
            assert len(law.get("obligations", [])) >= 2, law["slug"]
        for ob in law.get("obligations", []):
            assert ob["article"] and ob["title"] and ob["title_en"]
            assert set(ob["applies_to"]) & {"gemeente", "provincie", "waterschap"}, ob["key"]


def test_every_law_and_obligation_cites_an_official_source_and_when_it_was_checked(data):
    for law in data["laws"]:
        assert any(is_official_source(s) for s in law["sources"]), law["slug"]
        assert isinstance(law["checked_on"], date), law["slug"]
        for ob in law.get("obligations", []):
            assert any(is_official_source(s) for s in ob["sources"]), ob["key"]
            assert isinstance(ob["checked_on"], date), ob["key"]
    assert not is_official_source("https://www.some-law-firm.nl/blog/nis2")
    assert not is_official_source("http://eur-lex.europa.eu/x")  # not over https
    assert not is_official_source("https://eur-lex.europa.eu.example.com/x")


def test_every_law_and_obligation_has_english_content(data):
    for law in data["laws"]:
        for nl, en in (("summary", "summary_en"),
                       ("dutch_implementation", "dutch_implementation_en")):
            assert bool(law.get(nl)) == bool(law.get(en)), (law["slug"], en)
        for m in law.get("milestones", []):
            assert bool(m.get("label")) == bool(m.get("label_en")), (law["slug"], m)
        for i in law.get("input_moments", []):
            assert i.get("title_en"), (law["slug"], i)
        for ob in law.get("obligations", []):
            assert ob["title_en"] and bool(ob.get("description")) == bool(ob.get("description_en"))


# A "direct obligation" is never addressed to a supplier or the member state.
NOT_A_GOVERNMENT = ("member state", "manufacturer", "supplier", "economic operator", "importer",
                    "distributor", "providers of", "provider of", "publisher", "platform")


def test_a_direct_obligation_binds_the_government_itself(data):
    roles = {}
    for law in data["laws"]:
        for ob in law.get("obligations", []):
            assert ob["role"] in OBLIGATION_ROLES, ob["key"]
            assert ob["addressee"], ob["key"]
            roles.setdefault(ob["role"], []).append(ob["key"])
            if ob["role"] == "direct":
                lead = ob["addressee"].split("(")[0].lower()
                assert not lead.removeprefix("the ").startswith(NOT_A_GOVERNMENT), (ob["key"], lead)
    # The entries the issue named as binding someone else are typed so.
    for key in ("european-accessibility-act-art-24-inkoop", "cyber-resilience-act-inkoop-ce"):
        assert key in roles["procurement"], key
    assert set(roles) == set(OBLIGATION_ROLES)


def test_celex_numbers_are_unique(data):
    celex = [law["celex"] for law in data["laws"]]
    assert len(celex) == len(set(celex))


def test_organisations_are_complete(data):
    orgs = data["organisations"]
    by_type = {}
    for org in orgs:
        by_type.setdefault(org["type"], []).append(org)
        if org["type"] in REGIONAL_TYPES:
            assert org.get("province") in PROVINCES, org["slug"]
    assert len(by_type["provincie"]) == 12
    assert len(by_type["waterschap"]) == 21
    assert len(by_type["gemeente"]) >= 100
    assert {o["province"] for o in by_type["provincie"]} == set(PROVINCES)
    slugs = {o["slug"] for o in orgs}
    for slug in REPORT_ORGANISATIONS:
        assert slug in slugs, slug
    for org in by_type["gemeente"]:
        assert org.get("inhabitants", 1) > 0


def test_networks_from_the_report(data):
    names = " ".join(n["name"] for n in data["networks"])
    for expected in ("K80", "M50", "R8", "G40", "Eurocities", "AI"):
        assert expected in names, expected


def test_load_twice_changes_nothing(app):
    first = load_reference()
    assert first.created["laws"] >= 15
    counts = {m: count(m) for m in MODELS}
    second = load_reference()
    assert not second.created and not second.updated, second.summary()
    assert {m: count(m) for m in MODELS} == counts


def test_edited_file_updates_rows(app, tmp_path):
    folder = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, folder)
    load_reference(folder)
    law_file = folder / "laws" / "ai-act.toml"
    text = law_file.read_text()
    law_file.write_text(text.replace('short_name_en = "AI Act"', 'short_name_en = "AI Act (edited)"', 1))
    report = load_reference(folder)
    assert report.updated["laws"] == 1
    law = db.session.scalar(select(Law).where(Law.slug == "ai-act"))
    assert law.short_name_en == "AI Act (edited)"
    assert law.changed_at is None  # a name change is not a change of the law's timeline


def test_changed_stage_marks_the_law_changed(app, tmp_path):
    folder = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, folder)
    load_reference(folder)
    law_file = folder / "laws" / "ai-act.toml"
    text = law_file.read_text()
    stage = re.search(r'^stage = "(\w+)"', text, re.M).group(1)
    new_stage = "applicable" if stage != "applicable" else "partly_applicable"
    law_file.write_text(text.replace(f'stage = "{stage}"', f'stage = "{new_stage}"', 1))
    load_reference(folder)
    law = db.session.scalar(select(Law).where(Law.slug == "ai-act"))
    assert law.stage == new_stage and law.changed_at is not None


@pytest.mark.parametrize("mutation, message", [
    (lambda t: t.replace('instrument = "', 'instrument = "x', 1), "instrument"),
    (lambda t: t.replace("celex = ", "# celex = ", 1), "missing celex"),
    (lambda t: t + "\n[[milestones]]\nkind = \"party\"\ndate = 2026-01-01\n", "milestones-"),
    (lambda t: t + "\n[[milestones]]\nkind = \"review\"\ndate = 1850-01-01\n", "milestones-"),
    (lambda t: re.sub(r'^sources = \[.*?\]', 'sources = ["https://www.example-blog.nl/ai"]', t,
                      count=1, flags=re.S | re.M), "sources"),
    (lambda t: t + "\n[[input_moments]]\ntitle = \"x\"\ntitle_en = \"x\"\n"
                   "opens = 2026-05-01\ncloses = 2026-04-01\n", "input_moments-"),
    (lambda t: t + "\n[[[broken", "ai-act.toml"),
])
def test_bad_file_is_refused_and_nothing_written(app, tmp_path, mutation, message):
    folder = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, folder)
    path = Path(folder / "laws" / "ai-act.toml")
    path.write_text(mutation(path.read_text()))
    with pytest.raises(ReferenceDataError, match=message):
        load_reference(folder)
    assert count(Law) == 0 and count(Organisation) == 0


def test_load_reference_reports_and_keeps_an_editors_change(app, tmp_path, make_user):
    from kde_community.laws.services import MilestoneValue, law_values, save_law

    folder = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, folder)
    load_reference(folder)
    editor = make_user(role="editor")
    law = db.session.scalar(select(Law).where(Law.slug == "ai-act"))
    values = law_values(law)
    values["stage_note"] = "Door de redactie bijgewerkt."
    values["milestones"] = [*values["milestones"],
                            MilestoneValue("review", date(2031, 8, 2), "Evaluatie", "Review")]
    save_law(editor, law, values, reason="Nieuwe evaluatiedatum", base_revision=law.revision)
    db.session.commit()
    # The file changes the same field: the editor's value stays, the conflict is reported.
    law_file = folder / "laws" / "ai-act.toml"
    law_file.write_text(law_file.read_text().replace(
        'stage_note = """', 'stage_note = "Uit het bestand."\nold_note = """', 1))
    report = load_reference(folder)
    law = db.session.scalar(select(Law).where(Law.slug == "ai-act"))
    assert law.stage_note == "Door de redactie bijgewerkt."
    assert any(d.date == date(2031, 8, 2) for d in law.milestones)
    fields = {c.field for c in report.conflicts}
    assert {"stage_note", "milestones"} <= fields
    assert "conflict" in report.summary() and "stage_note" in report.summary()
    # Once the file agrees with the editor, the field is the file's again.
    law_file.write_text(law_file.read_text().replace('"Uit het bestand."',
                                                     '"Door de redactie bijgewerkt."', 1))
    report = load_reference(folder)
    assert "stage_note" not in {c.field for c in report.conflicts}
    assert "stage_note" not in db.session.scalar(select(Law).where(Law.slug == "ai-act")).edited_fields


def test_a_proposal_may_point_at_a_proposal_loaded_after_it(app, tmp_path):
    folder = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, folder)
    path = folder / "laws" / "proposals" / "cybersecurity-act-revision.toml"
    text = re.sub(r"^related = .*$", "", path.read_text(), flags=re.M)
    path.write_text(text.replace("\n[[milestones]]",
                                 '\nrelated = ["nis2-amendment-2026"]\n\n[[milestones]]', 1))
    load_reference(folder)
    law = db.session.scalar(select(Law).where(Law.slug == "cybersecurity-act-revision"))
    assert law.related == ["nis2-amendment-2026"]
