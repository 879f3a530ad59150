"""Finding a peer, end to end in Chromium at a desktop and a phone width: an organisation's
administrator records a frontrunner topic open to collaboration; a member of another
municipality finds it through the peer finder, the law page and search, and writes to the
contact person; the mail is in the outbox with the sender as Reply-To."""

from __future__ import annotations

import time
from email import message_from_bytes, policy

import pytest
from playwright.sync_api import expect

from kde_community.directory.models import OrganisationAdmin
from kde_community.extensions import db
from kde_community.search import services as search
from tests.helpers import PASSWORD, commit, outbox, run_axe

SUMMARY = "Wij toetsten alle algoritmes aan de risicoklassen en publiceerden een register."


def log_in(context, live_server, email):
    page = context.new_page()
    page.goto(live_server + "/inloggen")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form.form button[type=submit]").click()
    expect(page.get_by_text("U bent ingelogd.")).to_be_visible()
    return page


@pytest.mark.parametrize("width", [1280, 375])
def test_a_frontrunner_topic_is_found_three_ways_and_its_contact_gets_a_message(
        app, live_server, browser, width, make_org, make_user, make_law):
    law = make_law()
    vaals = make_org(slug="vaals", name="Gemeente Vaals", province="Limburg", inhabitants=10_121,
                     area_km2=23.9)
    gulpen = make_org(slug="gulpen-wittem", name="Gemeente Gulpen-Wittem", province="Limburg",
                      inhabitants=14_000, area_km2=73.0)
    make_org(slug="ameland", name="Gemeente Ameland", province="Fryslân", inhabitants=3_800,
             area_km2=270.0)
    make_org(slug="provincie-limburg", name="Provincie Limburg", type="provincie",
             province="Limburg", inhabitants=1_100_000)
    admin = make_user(org=vaals, name="Ilse Beheer", email="i.beheer@vaals.example-gemeente.nl",
                      contactable=True, job_title="Informatiemanager")
    db.session.add(OrganisationAdmin(organisation_id=vaals.id, user_id=admin.id,
                                     status="granted"))
    member = make_user(org=gulpen, name="Gert Zoeker", email="g.zoeker@gulpen.example-gemeente.nl")
    commit()

    # 1. The administrator records the topic.
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    page = log_in(context, live_server, admin.email)
    page.goto(live_server + "/organisaties/vaals")
    page.get_by_role("link", name="Voorloperthema toevoegen").click()
    assert run_axe(page) == []
    page.locator("#subject").select_option(f"law:{law.slug}")
    page.locator("#summary").fill(SUMMARY)
    expect(page.locator("#open_to_collaboration")).to_be_checked()
    page.locator("#contact").select_option(str(admin.id))
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Het voorloperthema is toegevoegd.")).to_be_visible()
    expect(page.get_by_text(SUMMARY)).to_be_visible()
    context.close()
    search.drain()  # the worker does this under `make run`

    # 2. Another municipality's member finds it: peer finder, law page, search.
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    page = log_in(context, live_server, member.email)
    page.goto(live_server + "/organisaties/zoals-de-mijne")
    page.locator("#peer-wet").select_option(law.slug)
    page.get_by_role("button", name="Zoek vergelijkbare organisaties").click()
    first = page.locator(".peer").first
    expect(first.get_by_role("link", name="Gemeente Vaals")).to_be_visible()
    expect(first).to_contain_text("open voor samenwerking")
    expect(page.locator(".peer", has_text="Provincie Limburg")).to_have_count(0)
    assert run_axe(page) == []

    page.goto(live_server + f"/wetgeving/{law.slug}")
    page.get_by_role("link", name=f"Wie is voorloper op {law.short_name_nl} en open voor "
                                   "samenwerking?").click()
    expect(page.get_by_role("link", name="Gemeente Vaals")).to_be_visible()
    expect(page.get_by_role("link", name="Gemeente Ameland")).to_have_count(0)

    page.goto(live_server + "/zoeken?q=risicoklassen")
    hit = page.locator("main").get_by_role("link", name=f"Gemeente Vaals: {law.short_name_nl}")
    expect(hit).to_be_visible()
    hit.click()
    expect(page).to_have_url(live_server + f"/organisaties/vaals#voorloper-{_topic_id()}")

    # 3. … and writes to the contact person.
    page.get_by_role("link", name="Stuur een bericht aan Ilse Beheer").first.click()
    assert run_axe(page) == []
    page.get_by_label("Onderwerp").fill("Jullie algoritmeregister")
    page.get_by_label("Bericht").fill("Mogen wij langskomen om te zien hoe jullie toetsen?")
    mails_before = len(outbox(app))
    page.get_by_role("button", name="Bericht versturen").click()
    expect(page.get_by_text("Uw bericht is verstuurd")).to_be_visible()
    context.close()

    # The mail is handed over when the POST's response is closed, which the server thread may
    # do just after the browser has followed the redirect.
    deadline = time.monotonic() + 30  # a loaded machine may close the response late
    while len(outbox(app)) == mails_before and time.monotonic() < deadline:
        time.sleep(0.05)
    mails = outbox(app)[mails_before:]
    assert len(mails) == 1
    mail = message_from_bytes(mails[0].read_bytes(), policy=policy.default)
    assert mail["To"] == admin.email
    assert member.email in mail["Reply-To"] and "Gert Zoeker" in mail["Reply-To"]
    assert "langskomen" in mail.get_body(("plain",)).get_content()


def _topic_id() -> int:
    from kde_community.directory.models import FrontrunnerTopic

    db.session.expire_all()
    return db.session.scalar(db.select(FrontrunnerTopic.id))
