"""Practice write-ups: anonymity, visibility, uploads, reactions, follow-ups, permissions."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from kde_community.accounts.services import create_token
from kde_community.practices import services
from kde_community.practices.models import Practice, PracticeAttachment
from kde_community.search import services as search
from tests.helpers import accept_invitations, count, login, pdf_bytes, submit


@pytest.fixture
def people(make_user, make_org):
    water = make_org(slug="hhnk", name="Hoogheemraadschap Testland", type="waterschap",
                     province="Noord-Holland", domains=["testland.nl"], inhabitants=None)
    other = make_org(slug="ede", name="Gemeente Edetest", domains=["edetest.nl"], inhabitants=118_000)
    small = make_org(slug="klein", name="Gemeente Kleintest", domains=["kleintest.nl"],
                     inhabitants=32_000)
    return {
        "author": make_user(name="Wietske Waterman", email="wietske@testland.nl", org=water),
        "colleague": make_user(name="Collega Zelfde", email="collega@testland.nl", org=water),
        "coauthor": make_user(name="Coos Auteur", email="coos@edetest.nl", org=other),
        "other": make_user(name="Olga Ander", email="olga@edetest.nl", org=other),
        "small": make_user(name="Karel Klein", email="karel@kleintest.nl", org=small),
        "moderator": make_user(name="Mo Moderator", role="moderator", org=other),
    }


def outsider_views(app, practice, client, token_headers=None):
    """Every page, API response and search result an outsider can reach."""
    bodies = []
    for path in ("/", "/praktijken", "/praktijken/wat-ging-er-mis", f"/praktijken/{practice.id}",
                 f"/praktijken/{practice.id}/geschiedenis", "/zoeken?q=exitstrategie",
                 "/zoeken?q=chatbot", "/praktijken?type=waterschap"):
        bodies.append(client.get(path).get_data(as_text=True))
    for path in ("/api/v1/practices", f"/api/v1/practices/{practice.id}",
                 "/api/v1/search?q=exitstrategie"):
        bodies.append(client.get(path, headers=token_headers or {}).get_data(as_text=True))
    for attachment in practice.attachments:
        response = client.get(f"/praktijken/{practice.id}/bijlagen/{attachment.id}")
        bodies.append(response.headers.get("Content-Disposition", ""))
        response.close()
    return "\n".join(bodies)


def test_anonymous_write_up_hides_its_author_everywhere(app, client, people):
    author = people["author"]
    practice = services.write_practice(author, {
        "title": "Chatbot-pilot zonder exitstrategie", "summary": "Wij stopten na een jaar.",
        "approach": "Een leverancier bouwde een chatbot.", "lessons": "- Regel de exit vooraf",
        "what_went_wrong": "Geen exitstrategie.", "outcome": "failure", "anonymous": True,
        "co_authors": [people["coauthor"].email]})
    accept_invitations(practice)
    services.add_attachment(author, practice, "Presentatie Hoogheemraadschap Testland.pdf",
                            pdf_bytes())
    services.comment(author, practice, "Aanvulling van de schrijver zelf")
    services.add_followup(author, practice, "Een jaar later: de exit is geregeld.")
    search.drain()
    secrets = ["Wietske", "Waterman", "wietske@testland.nl", "Testland", "Coos Auteur",
               "coos@edetest.nl"]
    other = app.test_client()
    login(other, people["other"].email)
    _, token = create_token(people["other"])
    for reader, headers in ((client, None), (other, {"Authorization": f"Bearer {token}"})):
        text = outsider_views(app, practice, reader, headers)
        for secret in secrets:
            assert secret not in text, secret
        assert "een waterschap" in text
        # The organisation's own page never lists its anonymous write-ups
        org_page = reader.get(f"/organisaties/{practice.organisation.slug}").get_data(as_text=True)
        assert practice.title not in org_page
        profile = reader.get(f"/leden/{author.id}").get_data(as_text=True)
        assert practice.title not in profile
    page = other.get(f"/praktijken/{practice.id}").get_data(as_text=True)
    assert "de schrijver" in page and "bijlage-1.pdf" in page
    mod = app.test_client()
    login(mod, people["moderator"].email)
    page = mod.get(f"/praktijken/{practice.id}").get_data(as_text=True)
    assert "Wietske Waterman" in page and "Hoogheemraadschap Testland" in page
    # The author still edits
    me = app.test_client()
    login(me, author.email)
    assert me.get(f"/praktijken/{practice.id}/bewerken").status_code == 200


def test_size_class_for_anonymous_municipality(app, client, people):
    practice = services.write_practice(people["small"], {
        "title": "Toegankelijke PDF's in een kleine gemeente", "summary": "x", "approach": "y",
        "lessons": "z", "outcome": "mixed", "anonymous": True})
    page = client.get(f"/praktijken/{practice.id}").get_data(as_text=True)
    assert "een gemeente van 20.000–50.000 inwoners" in page and "Kleintest" not in page


def test_own_organisation_write_up_stays_inside(app, client, people):
    author = people["author"]
    practice = services.write_practice(author, {
        "title": "Incident Saffiermarker bij ons gemaal", "summary": "Saffiermarker",
        "approach": "y", "lessons": "z", "outcome": "failure", "visibility": "organisation"})
    attachment = services.add_attachment(author, practice, "verslag.pdf", pdf_bytes())
    search.drain()
    other = app.test_client()
    login(other, people["other"].email)
    _, token = create_token(people["other"])
    for reader, headers in ((client, {}), (other, {"Authorization": f"Bearer {token}"})):
        for path in ("/praktijken", "/praktijken/wat-ging-er-mis", "/zoeken?q=gemaal",
                     "/zoeken?q=incident", "/", "/praktijken?uitkomst=failure"):
            assert "Saffiermarker" not in reader.get(path).get_data(as_text=True), path
        assert "0 praktijken" in reader.get("/praktijken").get_data(as_text=True)
        assert reader.get(f"/praktijken/{practice.id}").status_code == 404
        assert reader.get(f"/praktijken/{practice.id}/bijlagen/{attachment.id}").status_code == 404
        api = reader.get("/api/v1/practices", headers=headers).json
        assert api["total"] == 0
        assert reader.get(f"/api/v1/practices/{practice.id}", headers=headers).status_code == 404
        assert reader.get("/api/v1/search?q=Saffiermarker", headers=headers).json["total"] == 0
        assert "0 resultaten" in reader.get("/zoeken?q=Saffiermarker").get_data(as_text=True)
    colleague = app.test_client()
    login(colleague, people["colleague"].email)
    assert "Saffiermarker" in colleague.get("/praktijken").get_data(as_text=True)
    assert "Saffiermarker" in colleague.get("/zoeken?q=Saffiermarker").get_data(as_text=True)
    response = colleague.get(f"/praktijken/{practice.id}/bijlagen/{attachment.id}")
    assert response.status_code == 200
    response.close()


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def post_file(client, practice, name: str, data: bytes):
    """A real multipart body built in memory (the test client would spool big bodies to a
    temporary file it never closes)."""
    from tests.helpers import csrf_from

    token = csrf_from(client.get(f"/praktijken/{practice.id}/bewerken").get_data(as_text=True))
    boundary = "----kdeboundary7MA4YWxkTrZu0gW"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n"
            f"{token}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"attachment\"; "
            f"filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").encode()
    body += data + f"\r\n--{boundary}--\r\n".encode()
    return client.post(f"/praktijken/{practice.id}/bijlagen", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


@pytest.mark.parametrize("name, data, message", [
    ("groot.pdf", b"%PDF-1.4\n" + b"0" * (21 * 1024 * 1024), "is 21 MB; het mag hoogstens 20 MB"),
    ("programma.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, "niet toegestaan"),
    ("pagina.html", b"<html><script>alert(1)</script></html>", "niet toegestaan"),
    ("pagina.pdf", b"<!doctype html><script>alert(1)</script>", "niet toegestaan"),
    ("../../etc/passwd.pdf", pdf_bytes(), "bestandsnaam"),
    ("..\\evil.pdf", pdf_bytes(), "bestandsnaam"),
    ("leeg.pdf", b"", "leeg"),
])
def test_upload_abuse_is_refused_and_nothing_stored(app, client, people, make_practice, name,
                                                    data, message):
    from pathlib import Path

    author = people["author"]
    practice = make_practice(author=author)
    login(client, author.email)
    response = post_file(client, practice, name, data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert count(PracticeAttachment) == 0
    uploads = Path(app.config["KDE_DATA_DIR"]) / "uploads"
    assert not uploads.exists() or list(uploads.iterdir()) == []


@pytest.mark.parametrize("name, data, kind", [
    ("slides.pdf", pdf_bytes(), "pdf"), ("notities.docx", docx_bytes(), "docx"),
    ("plaatje.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "png"),
])
def test_allowed_upload_downloads_as_attachment(app, client, people, make_practice, name, data,
                                                kind):
    author = people["author"]
    practice = make_practice(author=author)
    login(client, author.email)
    post_file(client, practice, name, data)
    attachment = PracticeAttachment.query.one()
    assert attachment.kind == kind and attachment.stored_name not in name
    response = app.test_client().get(f"/praktijken/{practice.id}/bijlagen/{attachment.id}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.data == data
    response.close()


def test_write_with_bad_attachment_stores_nothing(app, client, people):
    login(client, people["author"].email)
    response = submit(client, "/praktijken/schrijven", {
        "title": "Een praktijk met een slechte bijlage", "summary": "s", "approach": "a",
        "lessons": "l", "outcome": "failure", "visibility": "public",
        "attachment": (io.BytesIO(b"MZ\x90\x00"), "virus.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 422 and "niet toegestaan" in response.get_data(as_text=True)
    assert count(Practice) == 0 and count(PracticeAttachment) == 0


def test_reactions_followups_and_comments(app, client, people, make_practice):
    author, other = people["author"], people["other"]
    practice = make_practice(author=author)
    login(client, other.email)
    submit(client, f"/praktijken/{practice.id}", {"value": "useful"},
           action=f"/praktijken/{practice.id}/reactie")
    submit(client, f"/praktijken/{practice.id}", {"value": "experienced"},
           action=f"/praktijken/{practice.id}/reactie")
    response = submit(client, f"/praktijken/{practice.id}", {"value": "useful"},
                      action=f"/praktijken/{practice.id}/reactie")
    assert response.status_code == 409 and "al gedaan" in response.get_data(as_text=True)
    submit(client, f"/praktijken/{practice.id}", {"comment": "Herkenbaar!"},
           action=f"/praktijken/{practice.id}/reacties")
    # Only writers add follow-ups
    response = submit(client, f"/praktijken/{practice.id}", {"followup": "Niet van mij"},
                      action=f"/praktijken/{practice.id}/vervolg")
    assert response.status_code == 403
    me = app.test_client()
    login(me, author.email)
    submit(me, f"/praktijken/{practice.id}", {"followup": "Een jaar later: het werkt."},
           action=f"/praktijken/{practice.id}/vervolg")
    page = app.test_client().get(f"/praktijken/{practice.id}").get_data(as_text=True)
    assert "1 keer nuttig gevonden" in page and "1 lid maakte dit ook mee" in page
    assert "Herkenbaar!" in page and "Een jaar later: het werkt." in page
    from kde_community.extensions import db

    db.session.expire_all()
    assert db.session.get(Practice, practice.id).useful_count == 1


@pytest.mark.parametrize("change, message", [
    ({"title": ""}, "verplicht"), ({"title": "x" * 300}, "hoogstens 200"),
    ({"outcome": ""}, "uitkomst"), ({"lessons": ""}, "verplicht"),
    ({"failure_causes": ["pech"]}, "oorzaken"), ({"visibility": "geheim"}, "Kies wie"),
    ({"summary": "x" * 30_000}, "hoogstens 20000"),
    ({"co_authors": "niemand@@nergens"}, "geen geldig e-mailadres"),
    ({"laws": ["nep"]}, "Onbekende wet"),
])
def test_bad_write_ups_change_nothing(client, people, change, message):
    login(client, people["author"].email)
    data = {"title": "Een goede titel van een praktijk", "summary": "s", "approach": "a",
            "lessons": "l", "outcome": "success", "visibility": "public", **change}
    response = submit(client, "/praktijken/schrijven", data)
    assert response.status_code == 422 and message.lower() in response.get_data(as_text=True).lower()
    assert count(Practice) == 0


def test_failures_view_and_filters(app, client, people, make_practice):
    make_practice(author=people["author"], title="Mislukte chatbot bij het waterschap")
    make_practice(author=people["small"], title="Geslaagde toegankelijkheidsaudit", outcome="success",
                  failure_causes=[])
    page = client.get("/praktijken/wat-ging-er-mis").get_data(as_text=True)
    assert "Mislukte chatbot" in page and "Geslaagde toegankelijkheidsaudit" not in page
    assert "Geen exitstrategie" in page
    assert "Geslaagde" in client.get("/praktijken?uitkomst=success").get_data(as_text=True)
    assert "Mislukte" not in client.get("/praktijken?uitkomst=success").get_data(as_text=True)
    page = client.get("/praktijken?omvang=20000-50000").get_data(as_text=True)
    assert "Geslaagde" in page and "Mislukte" not in page
    assert client.get("/praktijken?uitkomst=raar").status_code == 200
    assert "Onbekende uitkomst" in client.get("/praktijken?uitkomst=raar").get_data(as_text=True)
    assert re.search(r"2 praktijken", client.get("/praktijken").get_data(as_text=True))


def test_api_create_and_errors(app, client, people):
    _, token = create_token(people["author"])
    headers = {"Authorization": f"Bearer {token}"}
    from tests.helpers import PRACTICE

    response = client.post("/api/v1/practices", headers=headers, json={**PRACTICE, "anonymous": True})
    assert response.status_code == 201
    body = response.json
    assert body["author"] is None or body["author"]["name"] == "Wietske Waterman"
    outsider = client.get(f"/api/v1/practices/{body['id']}").json
    assert outsider["author"] is None and outsider["organisation"] == {"name": "een waterschap",
                                                                        "type": "waterschap"}
    for payload, status in (({**PRACTICE, "outcome": "x"}, 422), ({**PRACTICE, "anonymous": "ja"}, 422),
                            ({**PRACTICE, "raar": 1}, 422), ({"title": "Te weinig velden hier"}, 422)):
        assert client.post("/api/v1/practices", headers=headers, json=payload).status_code == status
    assert client.post("/api/v1/practices", json=PRACTICE).status_code == 401
    _, other = create_token(people["other"])
    response = client.patch(f"/api/v1/practices/{body['id']}",
                            headers={"Authorization": f"Bearer {other}", "If-Match": "*"},
                            json={"title": "Gekaapt door een ander lid"})
    assert response.status_code == 403
    assert count(Practice) == 1
