"""Demo data for the directory: frontrunner topics, contactable members, network participation
and organisation administrators (data/demo/*.toml, kde_community/demo.py)."""

from __future__ import annotations

import re
import shutil
import tomllib

import pytest
from sqlalchemy import func, select

from kde_community.accounts.models import User
from kde_community.content.models import Revision
from kde_community.demo import DEMO_DIR, DemoDataError, load_demo
from kde_community.directory.models import (
    FrontrunnerTopic,
    Network,
    Organisation,
    OrganisationAdmin,
    network_members,
)
from kde_community.events import Event
from kde_community.extensions import db
from kde_community.practices.models import Practice
from kde_community.questions.models import Question
from kde_community.reference import load_reference
from tests.helpers import count


def _file(name: str, key: str) -> list[dict]:
    with (DEMO_DIR / name).open("rb") as fh:
        return tomllib.load(fh)[key]


def _memberships() -> int:
    return db.session.scalar(select(func.count()).select_from(network_members))


def _counts() -> dict:
    return {"users": count(User), "contactable": db.session.scalar(
                select(func.count()).select_from(User).where(User.contactable.is_(True))),
            "questions": count(Question), "practices": count(Practice),
            "topics": count(FrontrunnerTopic), "memberships": _memberships(),
            "admins": count(OrganisationAdmin), "events": count(Event),
            "revisions": count(Revision)}


@pytest.fixture
def demo(seed):
    """Reference and demo data, loaded once for the module; returns the first summary."""
    def build():
        load_reference()
        return load_demo()
    return seed("reference and demo", build)


@pytest.fixture
def reference_only(seed):
    seed("reference", load_reference)


def test_loading_demo_twice_changes_nothing(demo):
    assert "41 new frontrunner topics" in demo and "30 new network participations" in demo
    assert "3 new organisation administrators" in demo
    before = _counts()
    assert before["topics"] >= 25 and before["admins"] == 3
    second = load_demo()
    db.session.commit()
    assert _counts() == before
    assert ("0 new members, 0 new questions, 0 new practices, 0 new frontrunner topics, "
            "0 new network participations, 0 new organisation administrators") in second


def test_frontrunner_topics_cover_all_types_and_sizes(demo):
    topics = list(db.session.scalars(select(FrontrunnerTopic)))
    orgs = {t.organisation for t in topics}
    assert len(orgs) >= 15
    by_type = {kind: [o for o in orgs if o.type == kind]
               for kind in ("gemeente", "provincie", "waterschap")}
    assert len(by_type["gemeente"]) >= 10
    assert len(by_type["provincie"]) >= 4 and len(by_type["waterschap"]) >= 4
    # small municipalities (Schiermonnikoog's size class) next to large ones
    assert len({o.size_class for o in by_type["gemeente"]}) >= 5
    assert sum(1 for o in by_type["gemeente"] if o.size_class == 0) >= 3
    for topic in topics:
        assert sum(x is not None for x in (topic.theme, topic.law, topic.obligation)) == 1
        assert topic.subject_name and topic.summary
    assert sum(t.open_to_collaboration for t in topics) > len(topics) * 0.8
    # spread over themes and laws
    laws = {(t.law or t.obligation.law).slug for t in topics if t.law or t.obligation}
    assert {"ai-act", "nis2", "web-accessibility-directive", "data-act", "eidas2",
            "interoperable-europe-act", "gdpr"} <= laws
    assert len({t.theme.slug for t in topics if t.theme}) >= 6


def test_contacts_are_contactable_members_of_the_topic_organisation(demo):
    topics = list(db.session.scalars(select(FrontrunnerTopic)))
    with_contact = [t for t in topics if t.contact_id is not None]
    assert len(with_contact) >= 20
    for topic in with_contact:
        assert topic.contact.contactable and topic.contact.can_log_in
        assert topic.contact.organisation_id == topic.organisation_id
        assert topic.created_by_id == topic.contact_id
    assert all(t.created_by_id is None for t in topics if t.contact_id is None)
    linked = [t for t in topics if t.practice_id is not None]
    assert len(linked) >= 10
    for topic in linked:  # never an anonymous write-up: that would name its organisation
        assert topic.practice.organisation_id == topic.organisation_id
        assert not topic.practice.anonymous
    users = list(db.session.scalars(select(User)))
    contactable = [u for u in users if u.contactable]
    assert 0.4 <= len(contactable) / len(users) <= 0.65


def test_every_member_in_the_file_is_loaded_with_their_choice(demo):
    rows = _file("members.toml", "member")
    orgs = {o.slug: o for o in db.session.scalars(select(Organisation))}
    for row in rows:
        user = db.session.scalar(select(User).where(User.email == row["email"]))
        assert user.contactable is row.get("contactable", False), row["email"]
        # every demo member writes from a domain of their own organisation
        assert orgs[row["organisation"]].owns_email(row["email"]), row["email"]
    types = {orgs[r["organisation"]].type for r in rows if r.get("contactable")}
    assert {"gemeente", "provincie", "waterschap"} <= types


def test_topics_record_an_event_and_a_first_revision(demo):
    topics = {t.id: t for t in db.session.scalars(select(FrontrunnerTopic))}
    recorded = list(db.session.scalars(select(Event).where(Event.name == "frontrunner.changed")))
    assert sorted(e.subject_id for e in recorded) == sorted(topics)
    for event in recorded:
        assert event.subject_type == "frontrunner"
        assert event.payload == {"organisation_id": topics[event.subject_id].organisation_id}
    revisions = list(db.session.scalars(select(Revision).where(
        Revision.content_type == "frontrunner")))
    assert sorted(r.content_id for r in revisions) == sorted(topics)
    assert all(r.number == 1 and r.visibility == "public" for r in revisions)


def test_participation_rows_are_marked_by_members(demo):
    rows = _file("participation.toml", "participation")
    assert len(rows) >= 20
    table = network_members
    for row in rows:
        network = db.session.scalar(select(Network).where(Network.slug == row["network"]))
        org = db.session.scalar(select(Organisation).where(Organisation.slug == row["organisation"]))
        source, added_by = db.session.execute(select(table.c.source, table.c.added_by_id).where(
            table.c.network_id == network.id, table.c.organisation_id == org.id)).one()
        by = db.session.get(User, added_by)
        assert source == "member" and by.email == row["by"]
        assert by.organisation_id == org.id
        assert network in org.networks  # an active network: the organisation page lists it
        event = db.session.scalar(select(Event).where(
            Event.name == "network.changed", Event.subject_id == network.id,
            Event.actor_id == by.id))
        assert event.payload == {"fields": ["members"], "organisation_ids": [org.id]}
    members = {r["organisation"] for r in rows if r["network"] == "cdo-platform-waterschappen"}
    assert len(members) >= 4
    assert all(o.startswith(("waterschap-", "hoogheemraadschap-")) for o in members)


def test_participation_already_listed_is_left_alone(reference_only):
    """A row for a membership that is already there (from the reference data, or marked by a
    member) is skipped: its source and who added it stay."""
    k80 = db.session.scalar(select(Network).where(Network.slug == "k80"))
    vaals = db.session.scalar(select(Organisation).where(Organisation.slug == "vaals"))
    db.session.execute(network_members.insert().values(
        network_id=k80.id, organisation_id=vaals.id, source="reference"))
    db.session.commit()
    assert "29 new network participations" in load_demo()
    db.session.commit()
    row = db.session.execute(select(network_members.c.source, network_members.c.added_by_id)
                             .where(network_members.c.network_id == k80.id,
                                    network_members.c.organisation_id == vaals.id)).one()
    assert tuple(row) == ("reference", None)
    assert not [e for e in db.session.scalars(select(Event).where(
        Event.name == "network.changed", Event.subject_id == k80.id))
        if e.payload.get("organisation_ids") == [vaals.id]]


def test_administrators_are_granted_for_their_own_organisation(demo):
    admins = list(db.session.scalars(select(OrganisationAdmin)))
    emails = {r["email"] for r in _file("members.toml", "member") if r.get("admin_of")}
    assert len(emails) == 3 and {a.user.email for a in admins} == emails
    for admin in admins:
        assert admin.status == "granted" and admin.decided_at is not None
        assert admin.organisation_id == admin.user.organisation_id
        assert admin.decided_by_id is not None


def test_summaries_are_short_plain_dutch():
    for row in _file("frontrunners.toml", "frontrunner"):
        sentences = re.findall(r"[.!?](?:\s|$)", row["summary"])
        assert 2 <= len(sentences) <= 4, row["summary"]
        assert not re.search(r"[*_#<>\[\]`]", row["summary"]), row["summary"]


BROKEN = [
    ("frontrunners.toml", 'obligation = "eidas2-art-5f-1"', 'obligation = "eidas2-art-99"',
     "frontrunners.toml entry 13 (vaals, obligation eidas2-art-99): unknown obligation"),
    ("frontrunners.toml", 'organisation = "tholen"', 'organisation = "tolen"',
     "unknown organisation 'tolen'"),
    ("frontrunners.toml", 'theme = "connectivity"', 'theme = "connectivity"\nlaw = "nis2"',
     "(terschelling, theme connectivity law nis2): give exactly one of theme, law, obligation"),
    ("frontrunners.toml", 'contact = "h.wolters@wdodelta.nl"', 'contact = "m.jansen@utrecht.nl"',
     "contact 'm.jansen@utrecht.nl' is not a member of waterschap-drents-overijsselse-delta"),
    ("frontrunners.toml", 'contact = "j.hofstra@terschelling.nl"',
     'contact = "niemand@terschelling.nl"', "unknown contact 'niemand@terschelling.nl'"),
    ("members.toml", 'email = "j.hofstra@terschelling.nl"\nname = "Jelle Hofstra"\n'
     'organisation = "terschelling"\njob_title = "Medewerker informatievoorziening en ICT"\n'
     'role = "member"\ncontactable = true',
     'email = "j.hofstra@terschelling.nl"\nname = "Jelle Hofstra"\n'
     'organisation = "terschelling"\njob_title = "Medewerker informatievoorziening en ICT"\n'
     'role = "member"', "contact 'j.hofstra@terschelling.nl' is not contactable"),
    ("frontrunners.toml", 'practice = "Pilot met de Europese digitale identiteitswallet',
     'practice = "Pilot met de Europese digitale identiteitsportemonnee',
     "unknown practice 'Pilot met de Europese digitale identiteitsportemonnee"),
    ("frontrunners.toml", 'contact = "h.wolters@wdodelta.nl"',
     'contact = "h.wolters@wdodelta.nl"\npractice = "Zaaksysteem naar de cloud zonder '
     'exitstrategie: overstappen bleek onbetaalbaar"',
     "practice 'Zaaksysteem naar de cloud zonder exitstrategie: overstappen bleek onbetaalbaar' "
     "is not by waterschap-drents-overijsselse-delta"),
    ("practices.toml", 'obligations = ["data-act-art-4-gebruikersdata"]\n'
     'visibility = "public"\nanonymous = false',
     'obligations = ["data-act-art-4-gebruikersdata"]\nvisibility = "public"\nanonymous = true',
     "practice 'Toegang tot data van pompen en gemalen vastleggen bij inkoop: de Data Act als "
     "houvast' is anonymous: it cannot be linked to waterschap-de-dommel"),
    ("participation.toml", 'network = "pleio"', 'network = "plejo"',
     "participation.toml entry 22 (plejo, provincie-overijssel): unknown network 'plejo'"),
    ("participation.toml", 'by = "m.lemmens@vaals.nl"', 'by = "g.vanes@renswoude.nl"',
     "'g.vanes@renswoude.nl' is not a member of vaals"),
    ("members.toml", 'expertise = ["procurement", "cybersecurity"]',
     'expertise = ["procurement", "kritieke-infrastructuur"]',
     "unknown theme 'kritieke-infrastructuur'"),
    ("members.toml", 'organisation = "vlieland"', 'organisation = "vlielant"',
     "members.toml entry 13 (l.boersma@vlieland.nl): unknown organisation 'vlielant'"),
]


@pytest.mark.parametrize(("name", "old", "new", "reason"), BROKEN, ids=[
    "unknown-obligation", "unknown-organisation", "two-subjects", "contact-elsewhere",
    "unknown-contact", "contact-not-contactable", "unknown-practice", "practice-elsewhere",
    "anonymous-practice", "unknown-network", "marked-by-outsider", "unknown-theme",
    "member-unknown-organisation"])
def test_a_wrong_reference_is_refused_and_nothing_is_written(reference_only, tmp_path, name,
                                                             old, new, reason):
    folder = tmp_path / "demo"
    shutil.copytree(DEMO_DIR, folder)
    text = (folder / name).read_text(encoding="utf-8")
    assert text.count(old) >= 1
    (folder / name).write_text(text.replace(old, new, 1), encoding="utf-8")
    before = _counts()
    with pytest.raises(DemoDataError) as refused:
        load_demo(folder)
    assert reason in refused.value.format_message()
    db.session.rollback()
    assert _counts() == before


def test_the_cli_prints_the_reason(reference_only, runner, tmp_path, monkeypatch):
    folder = tmp_path / "demo"
    shutil.copytree(DEMO_DIR, folder)
    text = (folder / "participation.toml").read_text(encoding="utf-8")
    (folder / "participation.toml").write_text(text.replace('"k80"', '"k81"', 1),
                                               encoding="utf-8")
    monkeypatch.setattr("kde_community.demo.load_demo.__defaults__", (folder,))
    result = runner.invoke(args=["data", "load-demo"])
    assert result.exit_code == 1
    assert "participation.toml entry 1 (k81, vaals): unknown network 'k81'" in result.output
    assert count(User) == 0
