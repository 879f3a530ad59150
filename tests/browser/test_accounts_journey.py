"""The account journeys in a real browser."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from kde_community.accounts.models import User
from kde_community.extensions import db
from tests.helpers import PASSWORD, last_mail_path

PW = "fietsen-langs-de-vecht-in-mei"


def test_register_confirm_login_profile_token_logout(app, live_server, page, make_org):
    make_org(slug="utrecht", name="Gemeente Utrecht", domains=["utrecht.nl"])
    page.goto(live_server + "/")
    page.get_by_role("link", name="Registreren").first.click()
    page.get_by_label("Naam").fill("Eva de Vries")
    page.get_by_label("E-mailadres van uw werk").fill("eva@utrecht.nl")
    page.get_by_label("Organisatie").select_option("utrecht")
    page.get_by_label("Wachtwoord").fill(PW)
    page.get_by_role("button", name="Account aanmaken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bevestig uw e-mailadres")

    link = last_mail_path(app, "/registreren/bevestigen/")
    page.goto(live_server + link)
    expect(page.get_by_text("Uw e-mailadres is bevestigd")).to_be_visible()

    page.get_by_label("E-mailadres").fill("eva@utrecht.nl")
    page.get_by_label("Wachtwoord").fill(PW)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_text("U bent ingelogd.")).to_be_visible()

    page.get_by_role("link", name="Eva de Vries").click()  # the header: "Mijn overzicht"
    page.get_by_role("link", name="Profiel en account").click()
    page.get_by_role("link", name="Profiel bewerken").click()
    page.get_by_label("Functie").fill("Privacy officer")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Privacy officer")).to_be_visible()

    page.get_by_label("Omschrijving").fill("Intranet-koppeling")
    page.get_by_role("button", name="Nieuwe API-sleutel maken").click()
    token = page.locator("#new-token").inner_text()
    assert re.fullmatch(r"kde_[\w-]{30,}", token)
    expect(page.get_by_role("cell", name="Intranet-koppeling", exact=True)).to_be_visible()

    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_text("U bent uitgelogd.")).to_be_visible()
    account = page.get_by_role("navigation", name="Account")
    expect(account.get_by_role("link", name="Inloggen")).to_be_visible()


def test_foreign_domain_is_held_until_a_moderator_approves(app, live_server, page, make_org,
                                                          make_user):
    make_org(slug="utrecht", name="Gemeente Utrecht", domains=["utrecht.nl"])
    moderator = make_user(role="moderator", name="Mo Derator")
    page.goto(live_server + "/registreren")
    page.get_by_label("Naam").fill("Karel Extern")
    page.get_by_label("E-mailadres van uw werk").fill("karel@gmail.com")
    page.get_by_label("Organisatie").select_option("utrecht")
    page.get_by_label("Wachtwoord").fill(PW)
    page.get_by_role("button", name="Account aanmaken").click()
    expect(page.get_by_text("controleert een moderator of u voor")).to_be_visible()
    page.goto(live_server + last_mail_path(app, "/registreren/bevestigen/"))
    expect(page.get_by_text("wacht nog op een moderator")).to_be_visible()

    page.goto(live_server + "/inloggen")
    page.get_by_label("E-mailadres").fill(moderator.email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_role("link", name="Moderatie").click()
    page.get_by_role("link", name=re.compile("1 aanmelding wacht")).click()
    row = page.get_by_role("row", name=re.compile("Karel Extern"))
    row.get_by_role("button", name=re.compile("Goedkeuren")).click()
    expect(page.get_by_text("Karel Extern is goedgekeurd.")).to_be_visible()
    db.session.expire_all()
    assert db.session.scalar(db.select(User).where(User.email == "karel@gmail.com")).can_log_in


def test_keyboard_only_skip_link_and_login(app, live_server, page, make_user):
    user = make_user()
    page.goto(live_server + "/inloggen")
    page.keyboard.press("Tab")
    expect(page.locator(".utrecht-skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
    page.get_by_label("E-mailadres").focus()
    page.keyboard.type(user.email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_text("U bent ingelogd.")).to_be_visible()
