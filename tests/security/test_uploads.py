"""Attachments: anonymous write-ups never hand out who made a file, archives are read within
bounds (no zip bombs), and names cannot hide their direction or control characters."""

from __future__ import annotations

import io
import resource
import struct
import tracemalloc
import warnings
import zipfile
import zlib
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, PngImagePlugin

from kde_community.practices import services
from kde_community.practices.models import Practice, PracticeAttachment
from tests.helpers import count, csrf_from, login, pdf_bytes

NAME, ORG = "Marieke Jansen", "Gemeente Utrecht"
SECRETS = (NAME.encode(), ORG.encode(), NAME.encode("utf-16-be"), ORG.encode("utf-16-be"))
CORE = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>{NAME}</dc:creator>
<cp:lastModifiedBy>{NAME}</cp:lastModifiedBy><dc:title>Verslag</dc:title>
<dcterms:created xsi:type="dcterms:W3CDTF">2024-03-01T09:00:00Z</dcterms:created>
</cp:coreProperties>"""
APP = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
 xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">
<Application>Microsoft Office Word</Application><Company>{ORG}</Company>
<Manager>{NAME}</Manager></Properties>"""
CUSTOM = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
 xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">
<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="2" name="Afdeling">
<vt:lpwstr>{ORG}</vt:lpwstr></property></Properties>"""
BODY = "Wat wij leerden van de chatbot-pilot"
ODF_META = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
 office:version="1.3"><office:meta><meta:initial-creator>{NAME}</meta:initial-creator>
<dc:creator>{NAME}</dc:creator><meta:printed-by>{NAME}</meta:printed-by>
<meta:user-defined meta:name="Organisatie">{ORG}</meta:user-defined>
<meta:generator>LibreOffice/7.5</meta:generator></office:meta></office:document-meta>"""
ODT_MIME = "application/vnd.oasis.opendocument.text"
ODP_MIME = "application/vnd.oasis.opendocument.presentation"


def office_zip(kind: str) -> bytes:
    """A DOCX or PPTX as Word and PowerPoint write them, with the author in its properties."""
    main = {"docx": ("word/document.xml", "wordprocessingml.document.main+xml"),
            "pptx": ("ppt/presentation.xml", "presentationml.presentation.main+xml")}[kind]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/' + main[0] + '" ContentType="'
            'application/vnd.openxmlformats-officedocument.' + main[1] + '"/><Override '
            'PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.'
            'core-properties+xml"/></Types>'))
        archive.writestr("_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
            'schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
            'Target="docProps/core.xml"/></Relationships>'))
        archive.writestr("docProps/core.xml", CORE)
        archive.writestr("docProps/app.xml", APP)
        archive.writestr("docProps/custom.xml", CUSTOM)
        archive.writestr(main[0], f"<doc><p>{BODY}</p></doc>")
        archive.comment = NAME.encode()
    return buffer.getvalue()


def odf_zip(mimetype: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", (
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:'
            'names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry '
            f'manifest:full-path="/" manifest:media-type="{mimetype}"/></manifest:manifest>'))
        archive.writestr("content.xml", f"<office:document-content><p>{BODY}</p>"
                                        "</office:document-content>")
        archive.writestr("meta.xml", ODF_META)
    return buffer.getvalue()


def pdf_with_author() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.docinfo["/Author"] = NAME
    pdf.docinfo["/Company"] = ORG
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:creator"] = [NAME]
        meta["pdf:Producer"] = ORG
    out = io.BytesIO()
    # Object streams: the Info dictionary ends up compressed, as many producers write it
    pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def jpeg_with_artist() -> bytes:
    image = Image.new("RGB", (40, 30), (200, 30, 30))
    exif = Image.Exif()
    exif[0x013B] = NAME  # Artist
    exif[0x8298] = ORG  # Copyright
    exif[0x0112] = 6  # Orientation: turn a quarter to stand upright
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=ORG.encode(),
               xmp=f"<x:xmpmeta><dc:creator>{NAME}</dc:creator></x:xmpmeta>".encode())
    return out.getvalue()


def png_with_text() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", NAME)
    info.add_text("Comment", ORG, zip=True)
    info.add_itxt("Copyright", NAME)
    exif = Image.Exif()
    exif[0x013B] = NAME
    out = io.BytesIO()
    Image.new("RGBA", (20, 10), (0, 90, 200, 128)).save(out, "PNG", pnginfo=info, exif=exif)
    return out.getvalue()


FILES = {
    "verslag.docx": lambda: office_zip("docx"),
    "dia's.pptx": lambda: office_zip("pptx"),
    "verslag.odt": lambda: odf_zip(ODT_MIME),
    "dia's.odp": lambda: odf_zip(ODP_MIME),
    "verslag.pdf": pdf_with_author,
    "foto.jpg": jpeg_with_artist,
    "schema.png": png_with_text,
}


def post_multipart(client, page: str, action: str, fields: dict, name: str, data: bytes):
    """A multipart body built in memory (the test client would spool a big one to a temporary
    file it never closes)."""
    boundary = "----kdeboundary5bT0mXq"
    fields = {"csrf_token": csrf_from(client.get(page).get_data(as_text=True)), **fields}
    body = "".join(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{key}\"\r\n\r\n"
                   f"{value}\r\n" for key, value in fields.items())
    body += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"attachment\"; "
             f"filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
    body = body.encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return client.post(action, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def post_file(client, practice, name: str, data: bytes):
    return post_multipart(client, f"/praktijken/{practice.id}/bewerken",
                          f"/praktijken/{practice.id}/bijlagen", {}, name, data)


def post_write_up(client, name: str, data: bytes):
    return post_multipart(client, "/praktijken/schrijven", "/praktijken/schrijven", {
        "title": "Een praktijk met een vreemde bijlage", "summary": "s", "approach": "a",
        "lessons": "l", "outcome": "failure", "visibility": "public"}, name, data)


def leaks(data: bytes) -> int:
    """How often the writer's name or organisation occurs, also inside compressed parts."""
    found = sum(data.count(secret) for secret in SECRETS)
    if data.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            found += sum(archive.comment.count(s) for s in SECRETS)
            for member in archive.infolist():
                found += sum(archive.read(member).count(s) + member.comment.count(s)
                             for s in SECRETS)
    elif data.startswith(b"%PDF"):
        with pikepdf.open(io.BytesIO(data)) as pdf:
            plain = io.BytesIO()
            pdf.save(plain, compress_streams=False, object_stream_mode=pikepdf.ObjectStreamMode.disable,
                     stream_decode_level=pikepdf.StreamDecodeLevel.all)
            found += sum(plain.getvalue().count(s) for s in SECRETS)
    return found


def still_opens(name: str, data: bytes) -> None:
    kind = name.rsplit(".", 1)[1]
    if kind == "pdf":
        with pikepdf.open(io.BytesIO(data)) as pdf:
            assert len(pdf.pages) == 1
            assert "/Author" not in pdf.trailer.get("/Info", {}) and "/Metadata" not in pdf.Root
    elif kind in ("jpg", "png"):
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            assert not image.getexif() and "xmp" not in image.info and "comment" not in image.info
            if kind == "png":
                assert image.size == (20, 10) and image.getpixel((5, 5)) == (0, 90, 200, 128)
            else:  # the photo was taken turned; it still stands upright without its EXIF
                red, green, blue = image.getpixel((5, 5))
                assert image.size == (30, 40) and red > 180 and green < 60 and blue < 60
    else:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            assert archive.testzip() is None
            names = archive.namelist()
            text = b"".join(archive.read(n) for n in names if n in (
                "word/document.xml", "ppt/presentation.xml", "content.xml"))
            assert BODY.encode() in text
            if kind in ("odt", "odp"):
                first = archive.infolist()[0]
                assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
                assert not first.extra
                assert archive.read("mimetype").decode() == (ODT_MIME if kind == "odt" else ODP_MIME)
                assert b"office:version=\"1.3\"" in archive.read("meta.xml")
            else:
                assert b"coreProperties" in archive.read("docProps/core.xml")
                assert "[Content_Types].xml" in names and "_rels/.rels" in names


@pytest.fixture
def writer(make_user, make_org):
    return make_user(name="Marieke Schrijver", org=make_org(slug="schrijvers", domains=["schrijf.nl"]))


@pytest.mark.parametrize("name", list(FILES))
def test_anonymous_write_up_serves_attachments_without_their_maker(app, client, writer, make_user,
                                                                    make_practice, name):
    original = FILES[name]()
    assert leaks(original) > 0
    practice = make_practice(author=writer, anonymous=True)
    login(client, writer.email)
    assert post_file(client, practice, name, original).status_code == 302
    attachment = PracticeAttachment.query.one()
    member = app.test_client()
    login(member, make_user().email)
    for reader in (app.test_client(), member):
        with reader.get(f"/praktijken/{practice.id}/bijlagen/{attachment.id}") as response:
            assert response.status_code == 200
            assert response.headers["Content-Disposition"].startswith("attachment")
            served = response.data
        assert leaks(served) == 0, name
        still_opens(name, served)


def test_write_up_made_anonymous_later_serves_its_old_files_without_metadata(app, client, writer,
                                                                              make_practice):
    practice = make_practice(author=writer)
    original = office_zip("docx")
    services.add_attachment(writer, practice, "verslag.docx", original)
    attachment = PracticeAttachment.query.one()
    url = f"/praktijken/{practice.id}/bijlagen/{attachment.id}"
    with client.get(url) as response:
        assert response.data == original  # a named write-up hands out the file as it was given
    assert services.edit_practice(writer, practice, {"anonymous": True})
    with client.get(url) as response:
        assert response.status_code == 200 and leaks(response.data) == 0
        still_opens("verslag.docx", response.data)


def test_anonymous_attachment_that_cannot_be_cleaned_is_not_served(app, client, writer,
                                                                   make_practice):
    """Never the original as a fallback: a file we cannot read may still name its writer."""
    practice = make_practice(author=writer, anonymous=True)
    broken = pdf_bytes(f"/Author ({NAME})")  # passes the sniff, but is no readable PDF
    services.add_attachment(writer, practice, "kapot.pdf", broken)
    attachment = PracticeAttachment.query.one()
    with client.get(f"/praktijken/{practice.id}/bijlagen/{attachment.id}") as response:
        assert response.status_code == 409
        assert NAME not in response.get_data(as_text=True)
        assert "niet uit het bestand verwijderen" in response.get_data(as_text=True)


def test_huge_image_of_anonymous_write_up_is_not_decoded(app, client, writer, make_practice):
    """8,000 × 8,000 pixels in 8 kB: decoding it to strip metadata would cost far more memory."""
    practice = make_practice(author=writer, anonymous=True)
    out = io.BytesIO()
    Image.new("1", (8000, 8000)).save(out, "PNG")
    services.add_attachment(writer, practice, "groot.png", out.getvalue())
    attachment = PracticeAttachment.query.one()
    with client.get(f"/praktijken/{practice.id}/bijlagen/{attachment.id}") as response:
        assert response.status_code == 409


def test_upload_form_warns_that_visible_content_is_not_checked(app, client, writer, make_practice):
    login(client, writer.email)
    practice = make_practice(author=writer)
    for path in ("/praktijken/schrijven", f"/praktijken/{practice.id}/bewerken"):
        page = client.get(path).get_data(as_text=True)
        assert "zichtbare inhoud controleren wij niet" in page, path


# --- zip bombs and other hostile archives ------------------------------------------------------

GIGABYTE = 1 << 30


def zeros_deflated(size: int) -> tuple[bytes, int]:
    """A raw deflate stream of `size` zero bytes, and its CRC, without compressing it all:
    after a full flush each megabyte of zeros compresses to the same bytes."""
    megabyte = bytes(1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(megabyte) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(size >> 20):
        crc = zlib.crc32(megabyte, crc)
    return block * (size >> 20) + compressor.flush(), crc


def zip_by_hand(members: list[tuple[str, bytes, int, int, int, int]]) -> bytes:
    """(name, stored bytes, method, crc, declared size, real size) → a zip, headers as given."""
    body, directory = b"", b""
    for name, data, method, crc, declared, _real in members:
        encoded = name.encode()
        header = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 0x21, crc, len(data),
                             declared, len(encoded), 0)
        directory += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, method, 0, 0x21, crc,
                                 len(data), declared, len(encoded), 0, 0, 0, 0, 0, len(body)) + encoded
        body += header + encoded + data
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(directory),
                      len(body), 0)
    return body + directory + end


def odt_bomb(declared: int) -> bytes:
    stream, crc = zeros_deflated(GIGABYTE)
    manifest = b'<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>'
    return zip_by_hand([("mimetype", stream, 8, crc, declared, GIGABYTE),
                        ("META-INF/manifest.xml", manifest, 0, zlib.crc32(manifest), len(manifest),
                         len(manifest))])


def assert_bounded_refusal(app, response_of, message: str) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    try:
        response = response_of()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) * 1024
    assert peak < 100 * 1024 * 1024, peak
    assert grown < 100 * 1024 * 1024, grown
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(PracticeAttachment) == 0
    uploads = Path(app.config["KDE_DATA_DIR"]) / "uploads"
    assert not uploads.exists() or list(uploads.iterdir()) == []


def test_zip_bomb_is_refused_without_inflating_it(app, client, writer, make_practice):
    bomb = odt_bomb(declared=GIGABYTE)
    assert len(bomb) < 1_200_000
    practice = make_practice(author=writer, anonymous=True)
    login(client, writer.email)
    assert_bounded_refusal(app, lambda: post_file(client, practice, "bom.odt", bomb),
                           "uitgepakt groter dan 50 MB")


def test_zip_bomb_refused_when_writing_stores_no_write_up(app, client, writer):
    bomb = odt_bomb(declared=GIGABYTE)
    login(client, writer.email)
    assert_bounded_refusal(app, lambda: post_write_up(client, "bom.odt", bomb),
                           "uitgepakt groter dan 50 MB")
    assert count(Practice) == 0


def test_archive_lying_about_its_size_is_read_in_bounded_chunks(app, client, writer, make_practice):
    """The directory says 39 bytes; the stream inflates to a gigabyte."""
    bomb = odt_bomb(declared=len(ODT_MIME))
    practice = make_practice(author=writer)
    login(client, writer.email)
    assert_bounded_refusal(app, lambda: post_file(client, practice, "bom.odt", bomb),
                           "niet toegestaan")


def docx_with(extra: list[tuple[str, bytes, int]]) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns about duplicate names
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("word/document.xml", "<w:document/>")
            for name, data, method in extra:
                archive.writestr(name, data, compress_type=method)
    return buffer.getvalue()


@pytest.mark.parametrize("make, message", [
    (lambda: docx_with([(f"word/media/{n}.xml", b"x", zipfile.ZIP_STORED) for n in range(2001)]),
     "meer dan 2000 onderdelen"),
    (lambda: docx_with([("word/leeg.xml", bytes(5 << 20), zipfile.ZIP_DEFLATED)]),
     "verdacht sterk ingepakt"),
    (lambda: docx_with([(f"word/media/{n}.bin", bytes(1 << 20), zipfile.ZIP_DEFLATED)
                        for n in range(51)]), "uitgepakt groter dan 50 MB"),
    (lambda: docx_with([("word/bz.xml", b"<x/>" * 100, zipfile.ZIP_BZIP2)]), "niet toegestaan"),
    (lambda: docx_with([("word/document.xml", b"<w:document/>", zipfile.ZIP_DEFLATED)]),
     "niet toegestaan"),
], ids=["members", "ratio", "size", "bzip2", "duplicate"])
def test_hostile_archives_are_refused(app, client, writer, make_practice, make, message):
    data = make()
    practice = make_practice(author=writer)
    login(client, writer.email)
    response = post_file(client, practice, "bestand.docx", data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert count(PracticeAttachment) == 0


# --- names ----------------------------------------------------------------------------------

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


@pytest.mark.parametrize("char", list(BIDI), ids=[f"U+{ord(c):04X}" for c in BIDI])
def test_name_with_direction_control_is_refused(app, client, writer, make_practice, char):
    practice = make_practice(author=writer)
    login(client, writer.email)
    response = post_file(client, practice, f"verslag{char}fdp.exe.pdf", pdf_bytes())
    assert response.status_code == 422
    assert "leesrichting" in response.get_data(as_text=True)
    assert count(PracticeAttachment) == 0


@pytest.mark.parametrize("char", ["\x07", "\x1b", "\x7f", "\x85", "\u200b", "\u2028", "\ufeff"])
def test_name_with_control_character_is_refused(app, client, writer, make_practice, char):
    practice = make_practice(author=writer)
    login(client, writer.email)
    response = post_file(client, practice, f"ver{char}slag.pdf", pdf_bytes())
    assert response.status_code == 422
    assert "stuurtekens" in response.get_data(as_text=True)
    assert count(PracticeAttachment) == 0


def test_write_form_refuses_direction_control_and_stores_nothing(app, client, writer):
    login(client, writer.email)
    response = post_write_up(client, "slides\u202egnp.pdf", pdf_bytes())
    assert response.status_code == 422 and "leesrichting" in response.get_data(as_text=True)
    assert count(Practice) == 0 and count(PracticeAttachment) == 0
