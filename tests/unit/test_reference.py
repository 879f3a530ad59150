"""The reference data: complete, consistent, and loaded idempotently."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from kde_community.directory.models import PROVINCES, REGIONAL_TYPES, Network, Organisation
from kde_community.extensions import db
from kde_community.laws.models import InputMoment, Law, LawMilestone, Obligation, Theme
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


def test_every_law_is_complete(data):
    laws = {law["slug"]: law for law in data["laws"]}
    assert len(laws) >= 15
    for slug in REQUIRED_LAWS:
        assert slug in laws, slug
    for law in laws.values():
        assert law["celex"][:1] == "3" and len(law["celex"]) >= 9, law["slug"]
        assert any(m.get("date") for m in law.get("milestones", [])), law["slug"]
        assert len(law.get("obligations", [])) >= 3, law["slug"]
        assert law.get("sources"), law["slug"]
        for ob in law["obligations"]:
            assert ob["article"] and ob["title"]
            assert set(ob["applies_to"]) & {"gemeente", "provincie", "waterschap"}, ob["key"]


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
    import re

    stage = re.search(r'^stage = "(\w+)"', text, re.M).group(1)
    new_stage = "applicable" if stage != "applicable" else "partly_applicable"
    law_file.write_text(text.replace(f'stage = "{stage}"', f'stage = "{new_stage}"', 1))
    load_reference(folder)
    law = db.session.scalar(select(Law).where(Law.slug == "ai-act"))
    assert law.stage == new_stage and law.changed_at is not None


@pytest.mark.parametrize("mutation, message", [
    (lambda t: t.replace('instrument = "', 'instrument = "x', 1), "unknown instrument"),
    (lambda t: t.replace("celex = ", "# celex = ", 1), "missing celex"),
    (lambda t: t + "\n[[milestones]]\nkind = \"party\"\ndate = 2026-01-01\n", "milestone"),
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
