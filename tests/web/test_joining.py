"""Joining as staff of an organisation: domains derived from websites, shared domains,
domains added by moderators and organisation administrators, and what registrants are told."""

from __future__ import annotations

import pytest

from kde_community.accounts.models import User
from kde_community.content.models import Revision
from kde_community.directory.domains import registrable_domain
from kde_community.directory.models import Organisation, OrganisationAdmin, OrganisationDomain
from kde_community.directory.profile import join_check
from kde_community.extensions import db
from kde_community.reference import load_reference, validate_reference
from tests.helpers import count, last_mail_path, login, outbox, submit

NEW_PASSWORD = "een-lange-zin-over-waterschappen"


def sent(response):
    response.get_data()
    response.close()
    return response


def register(client, slug, email, name="Eva de Vries"):
    return sent(submit(client, "/registreren", {"name": name, "email": email,
                                               "organisation": slug, "password": NEW_PASSWORD}))


def test_every_organisation_with_a_website_lets_its_staff_join_without_a_moderator(app):
    load_reference()
    data = validate_reference()
    shared = {d["domain"] for d in data["shared_domains"]}
    organisations = {o.slug: o for o in db.session.scalars(db.select(Organisation))}
    checked = 0
    for record in data["organisations"]:
        if not record.get("website"):
            continue
        org = organisations[record["slug"]]
        domains = record.get("email_domains") or [registrable_domain(record["website"])]
        for domain in domains:
            check = join_check(org, f"medewerker@{domain}")
            if domain in shared:
                assert check.kind == "shared", domain
            else:
                assert check.kind == "own", (org.slug, domain)
                checked += 1
    # every municipality, province and water board has a website in the data
    assert sum(1 for o in data["organisations"] if not o.get("website")) == 0
    assert checked >= 380


def test_a_shared_service_domain_is_confirmed_by_a_moderator(app, client):
    load_reference()
    response = register(client, "dordrecht", "eva@drechtsteden.nl")
    page = response.get_data(as_text=True)
    assert "meerdere organisaties" in page and "Gemeenschappelijke Regeling Drechtsteden" in page
    user = db.session.scalar(db.select(User).where(User.email == "eva@drechtsteden.nl"))
    assert user.approval == "pending"


def test_vaals_staff_join_at_once_after_confirming(app, client):
    load_reference()
    response = register(client, "vaals", "i.manager@vaals.nl")
    page = response.get_data(as_text=True)
    assert "niet bij" not in page and "meteen inloggen" in page
    client.get(last_mail_path(app, "/registreren/bevestigen/"))
    login(client, "i.manager@vaals.nl", NEW_PASSWORD)
    assert "Eva de Vries" in client.get("/profiel").get_data(as_text=True)


def test_unknown_domain_message_says_what_is_true_and_login_waits_with_a_notice(app, client,
                                                                                 make_org):
    org = make_org(slug="vaals", name="Gemeente Vaals", domains=[])
    response = register(client, org.slug, "eva@vaals-nieuw.nl")
    page = response.get_data(as_text=True)
    assert "nog niet voor Gemeente Vaals" in page
    assert "hoort niet" not in page
    client.get(last_mail_path(app, "/registreren/bevestigen/"))
    response = submit(client, "/inloggen", {"email": "eva@vaals-nieuw.nl",
                                           "password": NEW_PASSWORD})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'role="status"' in page and "vaals-nieuw.nl" in page
    assert "utrecht-form-field--invalid" not in page


def test_moderator_adds_a_domain_and_the_waiting_registrant_becomes_a_member(app, client,
                                                                             make_org, make_user):
    org = make_org(slug="vaals", name="Gemeente Vaals", domains=[])
    register(client, org.slug, "eva@vaals-nieuw.nl")
    client.get(last_mail_path(app, "/registreren/bevestigen/"))
    register(app.test_client(), org.slug, "piet@gmail.com", name="Piet")
    user = db.session.scalar(db.select(User).where(User.email == "eva@vaals-nieuw.nl"))
    assert user.approval == "pending"

    moderator = make_user(role="moderator")
    mod = app.test_client()
    login(mod, moderator.email)
    queue = mod.get("/moderatie/leden").get_data(as_text=True)
    assert "vaals-nieuw.nl toevoegen aan Gemeente Vaals" in queue
    assert "gmail.com toevoegen" not in queue
    mails_before = len(outbox(app))
    response = sent(submit(mod, "/moderatie/leden", {"domain": "vaals-nieuw.nl"},
                           action="/organisaties/vaals/domeinen?next=/moderatie/leden"))
    assert response.status_code == 302 and response.location.endswith("/moderatie/leden")
    db.session.expire_all()
    assert db.session.get(User, user.id).approval == "approved"
    piet = db.session.scalar(db.select(User).where(User.email == "piet@gmail.com"))
    assert piet.approval == "pending"
    mails = outbox(app)[mails_before:]
    assert len(mails) == 1 and "eva@vaals-nieuw.nl" in mails[0].read_text()
    assert "goedgekeurd" in mails[0].read_text()
    login(client, "eva@vaals-nieuw.nl", NEW_PASSWORD)
    # kept as revisions: before and after
    revisions = db.session.scalars(db.select(Revision).where(
        Revision.content_type == "organisation", Revision.content_id == org.id)
        .order_by(Revision.number)).all()
    assert [r.fields["email_domains"] for r in revisions] == [[], ["vaals-nieuw.nl"]]
    # the next colleague joins at once
    response = register(app.test_client(), org.slug, "kees@vaals-nieuw.nl", name="Kees")
    assert db.session.scalar(db.select(User.approval).where(
        User.email == "kees@vaals-nieuw.nl")) == "approved"


@pytest.mark.parametrize("domain, message", [
    ("gmail.com", "e-maildienst"),
    ("vaals.nl.evil.example", "topleveldomeinnaam"),
    ("https://vaals.nl", "geen geldig domein"),
    ("", "Vul een domein in"),
    ("nl", "geen geldig domein"),
    ("x" * 300 + ".nl", "geen geldig domein"),
    ("utrecht.nl", "hoort al bij"),
    ("vaals.nl", "staat er al"),
])
def test_bad_domains_are_refused_and_change_nothing(app, make_org, make_user, domain, message):
    make_org(slug="utrecht", name="Gemeente Utrecht", domains=["utrecht.nl"])
    make_org(slug="vaals", name="Gemeente Vaals", domains=["vaals.nl"])
    moderator = make_user(role="moderator")
    client = app.test_client()
    login(client, moderator.email)
    before = count(OrganisationDomain), count(Revision)
    response = submit(client, "/organisaties/vaals/bewerken", {"domain": domain},
                      action="/organisaties/vaals/domeinen")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert (count(OrganisationDomain), count(Revision)) == before


def test_only_administrators_editors_and_moderators_change_an_organisation(app, make_org,
                                                                           make_user):
    org = make_org(slug="vaals", name="Gemeente Vaals", domains=["vaals.nl"])
    other_org = make_org(slug="gulpen", domains=["gulpen.nl"])
    colleague = make_user(org=org)
    outsider = make_user(org=other_org)
    admin = make_user(org=org)
    db.session.add(OrganisationAdmin(organisation_id=org.id, user_id=admin.id, status="granted"))
    # an administrator of another organisation manages only their own
    other_admin = make_user(org=other_org)
    db.session.add(OrganisationAdmin(organisation_id=other_org.id, user_id=other_admin.id,
                                     status="granted"))
    editor = make_user(role="editor", org=other_org)
    db.session.commit()
    attempts = [
        ("/organisaties/vaals/bewerken", {"description": "Nieuw", "province": "Limburg",
                                          "website": "", "inhabitants": "", "area_km2": ""}),
        ("/organisaties/vaals/domeinen", {"domain": "vaals-nieuw.nl"}),
    ]
    for user in (None, colleague, outsider, other_admin):
        client = app.test_client()
        if user:
            login(client, user.email)
        before = count(OrganisationDomain), count(Revision)
        for path, data in attempts:
            response = submit(client, "/organisaties/vaals/bewerken" if user else "/inloggen",
                              data, action=path)
            assert response.status_code in (302, 403) if user is None else \
                response.status_code == 403
        assert (count(OrganisationDomain), count(Revision)) == before
        db.session.expire_all()
        assert db.session.get(Organisation, org.id).description == ""
    for user, text in ((admin, "Door de beheerder"), (editor, "Door de redacteur")):
        client = app.test_client()
        login(client, user.email)
        response = submit(client, "/organisaties/vaals/bewerken",
                          {"description": text, "province": "Limburg", "website": "",
                           "inhabitants": "10121", "area_km2": "23,9"})
        assert response.status_code == 302, response.get_data(as_text=True)
        db.session.expire_all()
        assert db.session.get(Organisation, org.id).description == text


@pytest.mark.parametrize("field, value, message", [
    ("inhabitants", "-5", "Vul een getal tussen"),
    ("inhabitants", "veel", "Vul een getal in"),
    ("area_km2", "0", "Vul een getal tussen"),
    ("province", "Atlantis", "Kies een provincie"),
    ("description", "x" * 10_000, "hoogstens"),
    ("website", "javascript:alert(1)", "https://"),
])
def test_bad_profile_input_is_refused_and_changes_nothing(app, make_org, make_user, field, value,
                                                          message):
    org = make_org(slug="vaals", name="Gemeente Vaals", province="Limburg", inhabitants=10121)
    editor = make_user(role="editor")
    client = app.test_client()
    login(client, editor.email)
    data = {"description": "", "province": "Limburg", "website": "", "inhabitants": "10121",
            "area_km2": ""}
    data[field] = value
    response = submit(client, "/organisaties/vaals/bewerken", data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    org = db.session.get(Organisation, org.id)
    assert (org.inhabitants, org.province, org.description, org.revision) == \
        (10121, "Limburg", "", 1)


def test_reference_data_no_longer_overwrites_what_was_edited(app, make_user):
    load_reference()
    editor = make_user(role="editor")
    client = app.test_client()
    login(client, editor.email)
    org = db.session.scalar(db.select(Organisation).where(Organisation.slug == "vaals"))
    response = submit(client, "/organisaties/vaals/bewerken",
                      {"description": "Grensgemeente.", "province": "Limburg",
                       "website": org.website, "inhabitants": "10200",
                       "area_km2": f"{org.area_km2:g}".replace(".", ",")})
    assert response.status_code == 302
    # a moderator removes the derived domain: the loader must not add it back
    domain = next(d for d in org.domains if d.domain == "vaals.nl")
    response = submit(client, "/organisaties/vaals/bewerken", {},
                      action=f"/organisaties/vaals/domeinen/{domain.id}/verwijderen")
    assert response.status_code == 302
    load_reference()
    db.session.expire_all()
    org = db.session.get(Organisation, org.id)
    assert org.inhabitants == 10200 and org.description == "Grensgemeente."
    assert "vaals.nl" not in org.email_domains


def test_admin_role_is_requested_and_granted_by_a_moderator(app, make_org, make_user):
    org = make_org(slug="vaals", name="Gemeente Vaals")
    member = make_user(org=org)
    client = app.test_client()
    login(client, member.email)
    assert client.get("/organisaties/vaals/bewerken").status_code == 403
    response = submit(client, "/organisaties/vaals/beheerder-worden",
                      {"motivation": "Ik ben informatiemanager."})
    assert response.status_code == 302
    # asking twice is refused with a message
    response = submit(client, "/organisaties/vaals/beheerder-worden", {"motivation": ""})
    assert response.status_code in (403, 422)
    # another organisation's member cannot ask for Vaals
    outsider = make_user()
    other = app.test_client()
    login(other, outsider.email)
    assert other.get("/organisaties/vaals/beheerder-worden").status_code == 403
    # members cannot decide
    row = db.session.scalar(db.select(OrganisationAdmin))
    response = submit(other, "/organisaties/vaals", {"decision": "grant"},
                      action=f"/moderatie/beheerders/{row.id}")
    assert response.status_code == 403
    moderator = make_user(role="moderator")
    mod = app.test_client()
    login(mod, moderator.email)
    assert "Ik ben informatiemanager." in mod.get("/moderatie/beheerders").get_data(as_text=True)
    response = sent(submit(mod, "/moderatie/beheerders", {"decision": "grant"},
                           action=f"/moderatie/beheerders/{row.id}"))
    assert response.status_code == 302
    assert "beheerder van Gemeente Vaals" in outbox(app)[-1].read_text()
    assert client.get("/organisaties/vaals/bewerken").status_code == 200


def test_frontrunner_topics_bad_input_changes_nothing(app, make_org, make_user, make_law):
    from kde_community.directory.models import FrontrunnerTopic

    org = make_org(slug="vaals")
    law = make_law()
    editor = make_user(role="editor")
    client = app.test_client()
    login(client, editor.email)
    stranger = make_user(contactable=True)
    for data in (
        {"subject": "law:bestaat-niet", "summary": "Wij deden veel en leerden veel."},
        {"subject": f"law:{law.slug}", "summary": ""},
        {"subject": f"law:{law.slug}", "summary": "x" * 10_000},
        {"subject": f"law:{law.slug}", "summary": "Wij deden veel en leerden veel.",
         "contact": str(stranger.id)},
        {"subject": f"law:{law.slug}", "summary": "Wij deden veel en leerden veel.",
         "practice": "99999999999"},
    ):
        response = submit(client, "/organisaties/vaals/voorlopers/nieuw", data)
        assert response.status_code == 422
    assert count(FrontrunnerTopic) == 0
    response = submit(client, "/organisaties/vaals/voorlopers/nieuw",
                      {"subject": f"law:{law.slug}", "summary": "Wij deden veel en leerden veel.",
                       "open_to_collaboration": "y"})
    assert response.status_code == 302
    topic = db.session.scalar(db.select(FrontrunnerTopic))
    assert topic.law_id == law.id and topic.open_to_collaboration and topic.organisation_id == org.id
    assert f"#voorloper-{topic.id}" in response.location


def test_profile_history_and_frontrunner_search(app, make_org, make_user, make_law):
    from kde_community.search.services import drain, search

    make_org(slug="vaals", name="Gemeente Vaals", province="Limburg")
    law = make_law()
    editor = make_user(role="editor")
    client = app.test_client()
    login(client, editor.email)
    submit(client, "/organisaties/vaals/bewerken",
           {"description": "Grensgemeente in het Heuvelland.", "province": "Limburg",
            "website": "", "inhabitants": "10121", "area_km2": ""})
    page = app.test_client().get("/organisaties/vaals/geschiedenis").get_data(as_text=True)
    assert "Over de organisatie" in page and "Heuvelland" in page
    response = submit(client, "/organisaties/vaals/voorlopers/nieuw",
                      {"subject": f"law:{law.slug}", "open_to_collaboration": "y",
                       "summary": "Wij maakten een register van koppelvlakken met buurgemeenten."})
    assert response.status_code == 302
    drain()
    hits = search(None, "koppelvlakken").items
    assert [(h.type, h.title) for h in hits][:1] == [("frontrunner",
                                                      f"Gemeente Vaals: {law.short_name_nl}")]
    topic_id = hits[0].id
    response = submit(client, f"/organisaties/vaals/voorlopers/{topic_id}/bewerken", {},
                      action=f"/organisaties/vaals/voorlopers/{topic_id}/verwijderen")
    assert response.status_code == 302
    drain()
    assert search(None, "koppelvlakken").items == []
