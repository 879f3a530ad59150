"""The pages about the platform (privacy, colofon, contact, accessibility, API documentation),
the footer that links them, and the 404 that invites a visitor to log in without ever telling
whether something members-only is there."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from kde_community import outbox
from kde_community.config import load_config
from tests.helpers import PASSWORD, login, make_config, submit

CONTACT = "redactie@kde.example.nl"

PAGES = {
    "/privacy": {
        "nl": ["Privacyverklaring", "Welke gegevens wij bewaren", "Hoe lang wij gegevens bewaren",
               f"na {outbox.KEEP_SENT.days} dagen automatisch gewist", "argon2id",
               "Anoniem gepubliceerde praktijken", "niet getoond", "inzage", "rectificatie",
               "wissing", "beperking van de verwerking", "bezwaar", "overdraagbaarheid",
               "Autoriteit Persoonsgegevens", "https://autoriteitpersoonsgegevens.nl/",
               "artikel 6, lid 1", "verwerkersovereenkomst", "geen knop"],
        "en": ["Privacy statement", "What data we keep", "How long we keep data",
               f"is deleted automatically after {outbox.KEEP_SENT.days} days",
               "Practices published anonymously", "access",
               "rectification", "erasure", "restriction of processing", "objection",
               "portability", "Autoriteit Persoonsgegevens", "Article 6(1)"],
    },
    "/colofon": {
        "nl": ["Colofon", "Knooppunt Digitaal Europa", "EUPL-1.2", "NL Design System",
               "https://eur-lex.europa.eu/", "https://wetten.overheid.nl/", "Bijgewerkt op"],
        "en": ["Colophon", "Knooppunt Digitaal Europa", "EUPL-1.2", "NL Design System",
               "https://eur-lex.europa.eu/", "https://wetten.overheid.nl/", "Updated on"],
    },
    "/contact": {
        "nl": ["Waarover u ons kunt mailen", "Fouten", "Privacyverzoeken",
               "Toegankelijkheidsproblemen", "binnen 5 werkdagen een eerste reactie"],
        "en": ["What you can write to us about", "Errors", "Privacy requests",
               "Accessibility problems", "within 5 working days"],
    },
    "/toegankelijkheid": {
        "nl": ["Toegankelijkheidsverklaring", "Over deze verklaring", "Organisatie",
               "Knooppunt Digitaal Europa", "EN 301 549", "WCAG 2.1", "Status",
               "eerste maatregelen genomen", "Hoe wij het platform testen", "axe-core",
               "Bekende problemen", "Feedback en contact", "werkdagen",
               "Nationale ombudsman", "https://www.nationaleombudsman.nl/",
               "Datum van de verklaring", "Deze verklaring is opgesteld op 2 december 2026"],
        "en": ["Accessibility statement", "About this statement", "EN 301 549", "WCAG 2.1",
               "first measures taken", "How we test the platform", "Known problems",
               "Feedback and contact", "Nationale ombudsman", "Date of the statement",
               "This statement was drawn up on December 2, 2026"],
    },
    "/api": {
        "nl": ["API-documentatie", "Authorization: Bearer", "tokens create", "/profiel",
               'href="/api/v1/openapi.json"', 'data-spec-url="/api/v1/openapi.json"',
               "vendor/swagger-ui/swagger-ui-bundle.js", "js/api-docs.js"],
        "en": ["API documentation", "Authorization: Bearer", "tokens create",
               'href="/api/v1/openapi.json"', "Getting and using an API token"],
    },
}
FOOTER_LINKS = ["/privacy", "/colofon", "/contact", "/toegankelijkheid", "/api"]


@pytest.fixture
def app_config(tmp_path) -> dict:
    return make_config(tmp_path, KDE_CONTACT_EMAIL=CONTACT)


def footer(html: str) -> str:
    return html[html.index("<footer"):]


@pytest.mark.parametrize("path", list(PAGES))
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_page_in_both_languages(client, path, lang):
    response = client.get(f"{path}?lang={lang}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}"' in html
    for text in PAGES[path][lang]:
        assert text in html, (path, lang, text)
    # No inline script anywhere: the site's Content-Security-Policy stays as it is.
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert "script-src 'self';" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("path", ["/privacy", "/contact", "/toegankelijkheid"])
def test_pages_that_name_the_contact_address_use_the_setting(client, path):
    html = client.get(path).get_data(as_text=True)
    main = html[html.index("<main"):html.index("</main>")]
    assert f'href="mailto:{CONTACT}"' in main
    assert "kdecommunity.nl" not in main


def test_contact_address_defaults_to_the_platforms_own_domain(monkeypatch, tmp_path):
    monkeypatch.delenv("KDE_CONTACT_EMAIL", raising=False)
    assert load_config(make_config(tmp_path))["KDE_CONTACT_EMAIL"] == "contact@kdecommunity.nl"
    monkeypatch.setenv("KDE_CONTACT_EMAIL", "privacy@gemeente.example.nl")
    assert load_config(make_config(tmp_path))["KDE_CONTACT_EMAIL"] == \
        "privacy@gemeente.example.nl"


def test_footer_links_on_every_kind_of_page(client, make_user):
    member = make_user()
    pages = ["/", "/vragen", "/wetgeving", "/inloggen", "/bestaat-niet", *FOOTER_LINKS]
    for path in pages:
        html = footer(client.get(path).get_data(as_text=True))
        for link in FOOTER_LINKS:
            assert f'href="{link}"' in html, (path, link)
        assert f'href="mailto:{CONTACT}"' in html
    login(client, member.email)
    html = footer(client.get("/profiel").get_data(as_text=True))
    assert all(f'href="{link}"' in html for link in FOOTER_LINKS)
    # The current page is marked in the footer.
    assert 'href="/privacy" aria-current="page"' in client.get("/privacy").get_data(as_text=True)


def test_the_openapi_document_is_unchanged_json(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.is_json
    assert "/api/v1/questions" in response.json["paths"]


def _body_without(html: str, path: str) -> str:
    return html.replace(path, "<path>")


def login_next(html: str) -> str:
    """Where the 404's login link returns to."""
    href = re.search(r'href="(/inloggen\?next=[^"]+)"', html).group(1)
    return parse_qs(urlsplit(unescape(href)).query)["next"][0]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_visitor_404_is_the_same_for_missing_and_members_only(client, make_question, lang):
    hidden = make_question(title="Geheime ledenvraag", visibility="members")
    public = make_question(title="Openbare vraag")
    members_only, missing = f"/vragen/{hidden.id}", f"/vragen/{public.id + 1000}"
    assert client.get(f"/vragen/{public.id}?lang={lang}").status_code == 200

    first = client.get(f"{members_only}?lang={lang}")
    second = client.get(f"{missing}?lang={lang}")
    assert first.status_code == second.status_code == 404
    a, b = first.get_data(as_text=True), second.get_data(as_text=True)
    assert "Geheime ledenvraag" not in a
    assert _body_without(a, members_only) == _body_without(b, missing)
    for html, path in ((a, members_only), (b, missing)):
        assert login_next(html) == f"{path}?lang={lang}"
    invitation = ("Deze pagina bestaat niet, of is alleen zichtbaar voor leden." if lang == "nl"
                  else "This page does not exist, or is visible to members only.")
    assert invitation in a


def test_login_from_the_404_returns_to_the_members_only_page(client, make_question, make_user):
    hidden = make_question(title="Geheime ledenvraag", visibility="members")
    html = client.get(f"/vragen/{hidden.id}").get_data(as_text=True)
    login_url = re.search(r'href="(/inloggen\?next=[^"]+)"', html).group(1)
    response = submit(client, login_url, {"email": make_user().email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/vragen/{hidden.id}"
    assert "Geheime ledenvraag" in client.get(f"/vragen/{hidden.id}").get_data(as_text=True)


@pytest.mark.parametrize("target", ["https://evil.example/x", "//evil.example/x",
                                    "/\\evil.example", "/\t/evil", "javascript:alert(1)"])
def test_login_next_stays_on_this_site(client, make_user, target):
    url = f"/inloggen?next={quote(target, safe='')}"
    response = submit(client, url, {"email": make_user().email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_member_404_is_a_plain_not_found(client, make_user):
    login(client, make_user().email)
    html = client.get("/vragen/999999").get_data(as_text=True)
    assert "Deze pagina bestaat niet (meer)." in html
    assert "alleen zichtbaar voor leden" not in html
    assert "/inloggen?next=" not in html


def test_api_404_stays_json(client):
    response = client.get("/api/v1/questions/999999")
    assert response.status_code == 404 and response.is_json
