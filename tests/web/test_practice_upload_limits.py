"""The attachment limit, from one setting: stated beside the field, and a too-large file (also
a body above MAX_CONTENT_LENGTH) brings the member back to the filled form with the limit named;
an accepted file survives a refusal elsewhere in the form."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kde_community.practices.models import Practice, PracticeAttachment
from tests.helpers import count, csrf_from, login, pdf_bytes

MB = 1024 * 1024
BOUNDARY = "----kdeboundaryLimit7MA4YWxk"
FIELDS = {"title": "Zaaksysteem vervangen zonder exitplan", "summary": "Wij wisselden van leverancier.",
          "approach": "Een aanbesteding in drie fasen.", "lessons": "Regel de exit vooraf.",
          "outcome": "mixed", "visibility": "members"}


def multipart(fields: dict, files: dict) -> bytes:
    """A real multipart body built in memory (the test client would spool a big one to a
    temporary file it never closes)."""
    body = b""
    for name, value in fields.items():
        body += (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n"
                 f"{value}\r\n").encode()
    for name, (filename, data) in files.items():
        body += (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; "
                 f"filename=\"{filename}\"\r\nContent-Type: application/pdf\r\n\r\n").encode()
        body += data + b"\r\n"
    return body + f"--{BOUNDARY}--\r\n".encode()


def post(client, path: str, fields: dict, files: dict | None = None, page: str | None = None):
    token = csrf_from(client.get(page or path).get_data(as_text=True))
    return client.post(path, data=multipart({"csrf_token": token, **fields}, files or {}),
                       content_type=f"multipart/form-data; boundary={BOUNDARY}")


def big_pdf(size: int) -> bytes:
    head = b"%PDF-1.4\n"
    return head + b"0" * (size - len(head))


def stored_files(app) -> list[Path]:
    folder = Path(app.config["KDE_DATA_DIR"]) / "uploads"
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


@pytest.fixture
def writer(client, make_user):
    user = make_user(name="Ria Schrijver")
    login(client, user.email)
    return user


def test_the_field_states_the_limit_from_the_one_setting(app, client, writer):
    app.config["KDE_UPLOAD_MAX_BYTES"] = 5 * MB
    html = client.get("/praktijken/schrijven").get_data(as_text=True)
    field = re.search(r'<input[^>]*type="file"[^>]*id="attachment"[^>]*>', html).group(0)
    assert 'data-max-bytes="5242880"' in field
    assert 'data-too-large="Het bestand is {size}; het mag hoogstens 5 MB zijn."' in field
    described_by = re.search(r'aria-describedby="([^"]+)"', field).group(1).split()
    description = re.search(rf'id="{described_by[0]}">(.*?)</div>', html, re.S).group(1)
    assert "hoogstens 5 MB" in description
    assert "20 MB" not in html


@pytest.mark.parametrize("size", [30 * MB, 22 * MB], ids=["above-request-cap", "above-file-limit"])
def test_too_large_file_returns_the_filled_form(app, client, writer, size):
    assert (size > app.config["MAX_CONTENT_LENGTH"]) == (size == 30 * MB)
    response = post(client, "/praktijken/schrijven", FIELDS,
                    {"attachment": ("jaarverslag.pdf", big_pdf(size))})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    shown = "30 MB" if size == 30 * MB else "22 MB"
    assert f"Het bestand is {shown}; het mag hoogstens 20 MB zijn." in html
    assert 'value="Zaaksysteem vervangen zonder exitplan"' in html
    assert "Wij wisselden van leverancier.</textarea>" in html
    assert re.search(r'id="outcome-mixed"[^>]*checked', html)
    assert re.search(r'id="visibility-members"[^>]*checked', html)
    assert count(Practice) == 0 and count(PracticeAttachment) == 0
    assert stored_files(app) == []


def test_body_beyond_what_the_form_reads_gets_the_form_and_the_limit(app, client, writer):
    app.config["KDE_UPLOAD_MAX_BYTES"] = 10 * 1024  # the form reads bodies up to 500 kB
    response = post(client, "/praktijken/schrijven", FIELDS,
                    {"attachment": ("film.pdf", big_pdf(600 * 1024))})
    html = response.get_data(as_text=True)
    assert response.status_code == 413
    assert 'id="practice-form"' in html
    assert "een bijlage mag hoogstens 10 kB zijn" in html and count(Practice) == 0


def test_too_large_file_on_the_edit_page(app, client, writer, make_practice):
    practice = make_practice(author=writer)
    edit = f"/praktijken/{practice.id}/bewerken"
    response = post(client, f"/praktijken/{practice.id}/bijlagen", {},
                    {"attachment": ("jaarverslag.pdf", big_pdf(30 * MB))}, page=edit)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Het bestand is 30 MB; het mag hoogstens 20 MB zijn." in html
    assert f'value="{practice.title}"' in html  # the edit form, filled
    assert count(PracticeAttachment) == 0 and stored_files(app) == []


def test_an_accepted_attachment_waits_while_the_form_is_corrected(app, client, writer,
                                                                   make_user):
    response = post(client, "/praktijken/schrijven", {**FIELDS, "title": ""},
                    {"attachment": ("verslag.pdf", pdf_bytes("bewaard"))})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Bijlage verslag.pdf blijft bewaard" in html
    token = re.search(r'name="pending_attachment" value="([0-9a-f]{32})"', html).group(1)
    assert count(Practice) == 0

    # Another member cannot send that file on
    other = app.test_client()
    login(other, make_user().email)
    post(other, "/praktijken/schrijven", {**FIELDS, "pending_attachment": token})
    assert count(PracticeAttachment) == 0
    assert count(Practice) == 1

    response = post(client, "/praktijken/schrijven",
                    {**FIELDS, "title": "Zaaksysteem vervangen, tweede poging",
                     "pending_attachment": token})
    assert response.status_code == 302
    attachment = PracticeAttachment.query.one()
    assert attachment.practice.title == "Zaaksysteem vervangen, tweede poging"
    assert attachment.original_name == "verslag.pdf"
    assert not any(p.parent.name == "pending" for p in stored_files(app))


def test_a_kept_attachment_can_be_left_out(app, client, writer):
    html = post(client, "/praktijken/schrijven", {**FIELDS, "title": ""},
                {"attachment": ("verslag.pdf", pdf_bytes())}).get_data(as_text=True)
    token = re.search(r'name="pending_attachment" value="([0-9a-f]{32})"', html).group(1)
    response = post(client, "/praktijken/schrijven",
                    {**FIELDS, "pending_attachment": token, "drop_pending": "1"})
    assert response.status_code == 302
    assert count(Practice) == 1 and count(PracticeAttachment) == 0
    assert stored_files(app) == []


@pytest.mark.parametrize("token", [None, "not-a-valid-token"])
def test_upload_forms_still_refuse_a_missing_csrf_token(app, client, writer, make_practice, token):
    """The upload views read their own body (receives_upload) and check CSRF themselves."""
    practice = make_practice(author=writer)
    fields = {"csrf_token": token} if token else {}
    for path in ("/praktijken/schrijven", f"/praktijken/{practice.id}/bijlagen"):
        response = client.post(path, data=multipart({**FIELDS, **fields},
                                                    {"attachment": ("a.pdf", pdf_bytes())}),
                               content_type=f"multipart/form-data; boundary={BOUNDARY}")
        assert response.status_code == 400, path
        assert "verlopen of ongeldig" in response.get_data(as_text=True)
    assert count(Practice) == 1 and count(PracticeAttachment) == 0
