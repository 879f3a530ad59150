"""Practices in Chromium: the anonymous-failure journey, XSS in every section, axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from kde_community.practices import services
from kde_community.practices.models import SECTIONS
from tests.helpers import PASSWORD, PRACTICE, commit, pdf_bytes, real_pdf_bytes, run_axe
from tests.xss import corpus


def log_in(page, base, email):
    page.goto(base + "/inloggen")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form.form button[type=submit]").click()
    expect(page.get_by_text("U bent ingelogd.")).to_be_visible()


def test_anonymous_failure_journey(app, live_server, page, make_user, make_org, tmp_path):
    water = make_org(slug="ws-test", name="Waterschap Testland", type="waterschap",
                     domains=["testland.nl"], inhabitants=None)
    author = make_user(name="Wim Water", email="wim@testland.nl", org=water)
    reader = make_user(name="Rita Lezer", email="rita@utrecht.nl",
                       org=make_org(slug="utrecht", name="Gemeente Utrecht", domains=["utrecht.nl"]))
    slides = tmp_path / "Presentatie Waterschap Testland.pdf"
    slides.write_bytes(real_pdf_bytes())

    log_in(page, live_server, author.email)
    page.get_by_role("link", name="Praktijken", exact=True).click()
    page.get_by_role("link", name="Deel een praktijk").click()
    page.get_by_label("Titel", exact=True).fill("Sensornetwerk gekocht zonder beveiligingseisen")
    page.get_by_label("Mislukt").check()
    page.get_by_label("Samenvatting").fill("Wij kochten **200 sensoren** zonder updatebeleid.")
    page.get_by_label("Aanpak").fill("Snelle aanbesteding op prijs.")
    page.get_by_label("Wat ging er mis").fill("Geen afspraken over beveiligingsupdates.")
    page.get_by_label("Geleerde lessen").fill("- Eis updates voor de hele levensduur")
    page.get_by_label("Geen exitstrategie").check()
    page.get_by_label("Anoniem publiceren").check()
    page.get_by_role("button", name="Voorbeeld").click()
    expect(page.locator(".preview strong").first).to_have_text("200 sensoren")
    page.get_by_label(re.compile("^Bijlage")).set_input_files(str(slides))
    page.get_by_role("button", name="Publiceer").click()
    expect(page.get_by_text("Uw praktijk is gepubliceerd")).to_be_visible()
    practice_url = page.url
    page.get_by_role("button", name="Uitloggen").click()

    from kde_community.search import services as search

    search.drain()  # the writer thread does this under `make run`
    commit()
    log_in(page, live_server, reader.email)
    page.goto(live_server + "/zoeken?q=sensoren")
    page.get_by_role("link", name="Sensornetwerk gekocht zonder beveiligingseisen").click()
    expect(page.locator(".anon").first).to_have_text("een waterschap")
    content = page.content()
    assert "Testland" not in content and "Wim Water" not in content
    expect(page.get_by_role("link", name="bijlage-1.pdf")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="bijlage-1.pdf").click()
    assert download.value.suggested_filename == "bijlage-1.pdf"
    page.get_by_role("button", name="Nuttig", exact=True).click()
    expect(page.get_by_text("1 keer nuttig gevonden")).to_be_visible()
    page.get_by_label("Uw reactie").fill("Dit herkennen wij: ook bij onze pompen.")
    page.get_by_role("button", name="Plaats reactie").click()
    expect(page.get_by_text("Dit herkennen wij")).to_be_visible()
    page.get_by_role("button", name="Uitloggen").click()

    log_in(page, live_server, author.email)
    page.goto(practice_url)
    page.get_by_role("textbox", name="Hoe staat het er nu voor?").fill(
        "Een jaar later: updates zijn nu contracteis.")
    page.get_by_role("button", name="Vervolg toevoegen").click()
    expect(page.locator(".followup")).to_contain_text("updates zijn nu contracteis")


@pytest.mark.parametrize("bypass_csp", [False, True], ids=["csp", "no-csp"])
def test_xss_in_every_section(app, live_server, browser, make_user, bypass_csp):
    author = make_user()
    payloads = corpus()
    ids = []
    for start in range(0, len(payloads), 45):
        chunk = payloads[start:start + 45]
        data = {**PRACTICE, "title": ("Praktijk " + chunk[0])[:200]}
        for n, name in enumerate(SECTIONS):
            data[name] = "\n\n".join(chunk[n::len(SECTIONS)]) or "x"
        practice = services.write_practice(author, data)
        services.add_followup(author, practice, "\n\n".join(chunk[:10]))
        ids.append(practice.id)
    commit()
    context = browser.new_context(bypass_csp=bypass_csp)
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for url in ["/praktijken?per_page=100", "/praktijken/wat-ging-er-mis?per_page=100"] + \
            [f"/praktijken/{i}" for i in ids]:
        assert page.goto(live_server + url).status == 200
        bad = page.evaluate("""() => [...document.querySelectorAll('main *')].flatMap(el =>
            [...el.attributes].filter(a => a.name.startsWith('on') ||
              (['href','src'].includes(a.name) && /^\\s*(javascript|data|vbscript):/i.test(a.value)))
            .map(a => el.tagName + ' ' + a.name)).concat(
            [...document.querySelectorAll('main script, main iframe, main object')].map(e => e.tagName))""")
        assert bad == [], (url, bad[:5])
    assert dialogs == []
    context.close()


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_axe_on_practice_pages(app, live_server, browser, make_user, lang):
    author = make_user()
    practice = services.write_practice(author, {**PRACTICE, "anonymous": True})
    services.add_attachment(author, practice, "dia.pdf", pdf_bytes())
    services.add_followup(author, practice, "Een jaar later.")
    services.write_practice(make_user(), {**PRACTICE, "title": "Een geslaagde aanpak hier",
                                          "outcome": "success", "failure_causes": []})
    commit()
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    for path in ("/praktijken", "/praktijken/wat-ging-er-mis", f"/praktijken/{practice.id}"):
        assert page.goto(f"{live_server}{path}?lang={lang}").status == 200
        assert run_axe(page) == [], path
    page.goto(f"{live_server}/inloggen?lang={lang}")
    page.locator("#email").fill(author.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(f"{live_server}/")
    for path in (f"/praktijken/{practice.id}", f"/praktijken/{practice.id}/bewerken"):
        page.goto(live_server + path)
        assert run_axe(page) == [], path
    page.goto(live_server + "/praktijken/schrijven")
    page.locator("#practice-form button[type=submit]:not([name])").click()
    page.wait_for_selector(".utrecht-alert--error")
    assert run_axe(page) == [], "write form with errors"
    context.close()
