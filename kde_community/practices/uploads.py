"""Attachments: checked by content (not by name), stored under random names.

Archives (ODF and Office files are zips) are only ever read in bounded chunks, so a small
upload cannot make a worker inflate gigabytes. Attachments of anonymous write-ups are served
without the metadata that names their writer (see `served`).
"""

from __future__ import annotations

import functools
import hashlib
import io
import math
import os
import re
import secrets
import tempfile
import time
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, request
from flask_babel import format_decimal
from flask_babel import gettext as _
from werkzeug.formparser import FormDataParser

from ..errors import Conflict, ValidationError
from ..extensions import csrf

MB = 1024 * 1024
ALLOWED = {
    "pdf": "application/pdf",
    "odt": "application/vnd.oasis.opendocument.text",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "png": "image/png",
    "jpg": "image/jpeg",
}
ARCHIVE_KINDS = ("odt", "odp", "docx", "pptx")

# Limits for reading archives: what one member and all members may inflate to, how much
# smaller than its content a big member may be, and how many members an archive may hold.
ARCHIVE_MEMBER_MAX = 50 * 1024 * 1024
ARCHIVE_TOTAL_MAX = 50 * 1024 * 1024
ARCHIVE_RATIO_MAX = 100
ARCHIVE_RATIO_FROM = 1024 * 1024  # small members of repetitive XML may compress better
ARCHIVE_MEMBERS_MAX = 2000
CHUNK = 64 * 1024
# Decoding an image takes about 4 bytes per pixel: 50 megapixels is a 50-megapixel camera.
IMAGE_PIXELS_MAX = 50_000_000

# Characters that turn the reading direction around ("verslag\u202efdp.exe"), refused with
# their own message because they are the ones used to disguise a name.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
# Control, format, surrogate, private-use characters and line/paragraph separators.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})


@dataclass
class CheckedFile:
    data: bytes
    kind: str
    mimetype: str
    name: str


# --- the size limit, and reading a request that may exceed it ---------------------------------

# A form with a file field reads bodies up to this many times the file limit, dropping what the
# file holds beyond the limit, so a too-large file costs no disk and the text fields survive.
FORM_BODY_FACTOR = 50
# How much of all file parts in one body is kept (a browser sends one; the rest is dropped).
KEPT_FILES_FACTOR = 2


def max_bytes() -> int:
    """The one upload limit (KDE_UPLOAD_MAX_BYTES): the forms state it, the browser and the
    server check it."""
    return current_app.config["KDE_UPLOAD_MAX_BYTES"]


def size_text(size: int, up: bool = False) -> str:
    """'30 MB', '20,5 MB', '900 kB': to the nearest tenth of a MB (whole kB below 1 MB), as a
    file manager shows it, or rounded `up`. static/js/site.js rounds the same way."""
    rounding = math.ceil if up else lambda x: math.floor(x + 0.5)
    if size < MB:
        return f"{format_decimal(rounding(size / 1024))} kB"
    return f"{format_decimal(rounding(size * 10 / MB) / 10)} MB"


def too_large(size: int) -> None:
    """Refuse a file of `size` bytes when it exceeds the limit, naming both sizes (a file just
    over the limit is rounded up, so it never reads as the limit itself)."""
    limit = max_bytes()
    if size > limit:
        shown = size_text(size)
        raise ValidationError({"attachment": _(
            "Het bestand is %(size)s; het mag hoogstens %(limit)s zijn.",
            size=shown if shown != size_text(limit) else size_text(size, up=True),
            limit=size_text(limit))})


class CappedFile:
    """A file part of a request body: the first `keep` bytes are kept, the rest only counted."""

    def __init__(self, keep: int):
        # Closed with the request (FileStorage.close reaches it through __getattr__).
        self._file = tempfile.SpooledTemporaryFile(max_size=512 * 1024)  # noqa: SIM115
        self.keep = keep
        self.received = 0

    def write(self, data: bytes) -> int:
        room = self.keep - self.received
        if room > 0:
            self._file.write(data[:room])
        self.received += len(data)
        return len(data)

    @property
    def complete(self) -> bool:
        return self.received <= self.keep

    def __getattr__(self, name):  # read, seek, close … as the kept part
        return getattr(self._file, name)


class _CappedFormParser(FormDataParser):
    """Werkzeug's form parser with file parts written to CappedFile: together they keep at
    most KEPT_FILES_FACTOR times the limit (plus one byte to know it was exceeded)."""

    def __init__(self, stream_factory=None, *args, **kwargs):
        budget = [KEPT_FILES_FACTOR * (max_bytes() + 1)]

        def capped(total_content_length, content_type, filename, content_length=None):
            part = CappedFile(min(max_bytes() + 1, budget[0]))
            budget[0] -= part.keep
            return part

        super().__init__(capped, *args, **kwargs)


def receives_upload(view):
    """For a view whose form carries a file: a file above the limit (and a body above
    MAX_CONTENT_LENGTH) reaches the view as a refusal it can show on the filled form, instead
    of Werkzeug's bare 413.

    CSRFProtect reads the form in a before_request hook, under the app-wide cap; the view is
    exempted from that hook and the same check runs here, once the body is read our way."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if request.method == "POST":
            request.max_content_length = FORM_BODY_FACTOR * max_bytes()
            request.form_data_parser_class = _CappedFormParser
            if current_app.config["WTF_CSRF_ENABLED"] and current_app.config["WTF_CSRF_CHECK_DEFAULT"]:
                csrf.protect()
        return view(*args, **kwargs)

    return csrf.exempt(wrapper)


@dataclass
class Upload:
    """The file a form sent: its name, its content (cut at the limit) and its size as sent."""

    name: str
    data: bytes
    size: int


def sent_file(field: str = "attachment") -> Upload | None:
    """The file the member chose in `field`, or None when they chose none.

    A file part the body could not keep whole while within the limit only comes from a
    hand-made request with several files; it is refused rather than stored cut short."""
    file = request.files.get(field)
    if file is None or not file.filename:
        return None
    data = file.read()
    size = getattr(file.stream, "received", len(data))
    if not getattr(file.stream, "complete", True) and size <= max_bytes():
        raise ValidationError({field: _("Stuur één bestand tegelijk.")})
    return Upload(name=file.filename, data=data, size=size)


# --- pending uploads: a checked file kept while its form is shown again -----------------------

PENDING_MAX_AGE = 24 * 3600
PENDING_TOKEN = re.compile(r"^[0-9a-f]{32}$")


def _pending_dir() -> Path:
    return Path(current_app.config["KDE_DATA_DIR"]) / "uploads" / "pending"


def keep_pending(data: bytes) -> str:
    """Store a checked file until its form is sent again; returns the token that names it.

    Files left behind by forms never sent again are removed here, after a day."""
    folder = _pending_dir()
    folder.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - PENDING_MAX_AGE
    for old in folder.iterdir():
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token = secrets.token_hex(16)
    temporary = folder / f"{token}.part"
    temporary.write_bytes(data)
    os.replace(temporary, folder / token)
    return token


def pending_data(token: str) -> bytes | None:
    """The content kept under `token`, or None when it is gone (sent, or expired)."""
    if not PENDING_TOKEN.match(token or ""):
        return None
    path = _pending_dir() / token
    return path.read_bytes() if path.exists() else None


def drop_pending(token: str) -> None:
    if PENDING_TOKEN.match(token or ""):
        (_pending_dir() / token).unlink(missing_ok=True)


# --- reading archives, bounded ----------------------------------------------------------------

# Everything zipfile or zlib may raise on a damaged or hostile archive.
ARCHIVE_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError, RuntimeError,
                  NotImplementedError, EOFError, ValueError, zlib.error)


def _too_big() -> ValidationError:
    return ValidationError({"attachment": _(
        "Dit bestand wordt uitgepakt groter dan %(mb)d MB. Zo'n bestand nemen wij niet aan; "
        "verklein het of deel het op.", mb=ARCHIVE_TOTAL_MAX // (1024 * 1024))})


def _too_many() -> ValidationError:
    return ValidationError({"attachment": _(
        "Dit bestand bestaat uit meer dan %(n)d onderdelen. Zo'n bestand nemen wij niet aan.",
        n=ARCHIVE_MEMBERS_MAX)})


def _open_archive(data: bytes) -> zipfile.ZipFile:
    """Open a zip only when what its directory declares stays within the limits.

    Counting central-directory signatures first gives an upper bound on the members before
    zipfile builds an object for each of them."""
    if data.count(b"PK\x01\x02") > ARCHIVE_MEMBERS_MAX:
        raise _too_many()
    archive = zipfile.ZipFile(io.BytesIO(data))
    members = archive.infolist()
    names = [m.filename for m in members]
    total = sum(m.file_size for m in members)
    if len(members) > ARCHIVE_MEMBERS_MAX:
        archive.close()
        raise _too_many()
    if total > ARCHIVE_TOTAL_MAX or any(m.file_size > ARCHIVE_MEMBER_MAX for m in members):
        archive.close()
        raise _too_big()
    for member in members:
        if (member.file_size > ARCHIVE_RATIO_FROM
                and member.file_size > ARCHIVE_RATIO_MAX * max(member.compress_size, 1)):
            archive.close()
            raise ValidationError({"attachment": _(
                "Dit bestand is verdacht sterk ingepakt (meer dan %(ratio)d keer). Zo'n bestand "
                "nemen wij niet aan.", ratio=ARCHIVE_RATIO_MAX)})
    # Only stored and deflated members: zipfile inflates bzip2 and lzma without a bound, and
    # the same name twice would let two readers see two different files.
    if (any(m.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) for m in members)
            or len(set(names)) != len(names)):
        archive.close()
        raise zipfile.BadZipFile("unsupported compression or duplicate names")
    return archive


def sniff(data: bytes) -> str | None:
    """The kind of file by its first bytes and structure, or None when not allowed.

    Raises ValidationError for an archive that would inflate beyond the limits."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(b"PK\x03\x04"):
        try:
            with _open_archive(data) as archive:
                names = set(archive.namelist())
                if "mimetype" in names:
                    with archive.open("mimetype") as stream:
                        mimetype = stream.read(200).decode("ascii", "replace").strip()
                    for kind in ("odt", "odp"):
                        if mimetype == ALLOWED[kind]:
                            return kind
                if "[Content_Types].xml" in names:
                    if any(n.startswith("word/") for n in names):
                        return "docx"
                    if any(n.startswith("ppt/") for n in names):
                        return "pptx"
        except ARCHIVE_ERRORS:
            return None
    return None


def _check_name(name: str) -> None:
    if any(ch in BIDI_CONTROLS for ch in name):
        raise ValidationError({"attachment": _(
            "De bestandsnaam bevat een teken dat de leesrichting omdraait (zoals U+202E). Zo'n "
            "teken kan een naam misleidend maken; geef het bestand een gewone naam.")})
    if any(unicodedata.category(ch) in REFUSED_CATEGORIES for ch in name):
        raise ValidationError({"attachment": _(
            "De bestandsnaam bevat onzichtbare tekens of stuurtekens. Geef het bestand een "
            "gewone naam.")})


def check_upload(filename: str | None, data: bytes, size: int | None = None) -> CheckedFile:
    """The file, named by its content, or a ValidationError saying what to change.

    `size` is how many bytes were sent when `data` holds only the first of them (a body read
    by `receives_upload` keeps no more than the limit)."""
    name = (filename or "").strip()
    if not name or "/" in name or "\\" in name or ".." in name or "\x00" in name:
        raise ValidationError({"attachment": _("Deze bestandsnaam is niet toegestaan. Gebruik een "
                                               "gewone naam zonder mappen of '..'.")})
    _check_name(name)
    if len(name) > 150:
        raise ValidationError({"attachment": _("De bestandsnaam is te lang (hoogstens 150 tekens).")})
    too_large(size if size is not None else len(data))
    if not data:
        raise ValidationError({"attachment": _("Het bestand is leeg.")})
    kind = sniff(data)
    if kind is None:
        raise ValidationError({"attachment": _(
            "Dit soort bestand is niet toegestaan. Toegestaan zijn PDF, ODT, ODP, DOCX, PPTX, PNG "
            "en JPEG; wij kijken naar de inhoud, niet naar de naam.")})
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return CheckedFile(data=data, kind=kind, mimetype=ALLOWED[kind], name=f"{stem}.{kind}")


# --- removing metadata ------------------------------------------------------------------------

class Unreadable(Exception):
    """The file cannot be read well enough to remove its metadata."""


XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# Every element of these Office parts is optional, so empty parts keep the document valid.
EMPTY_OFFICE_PARTS = {
    "docprops/core.xml": XML_DECLARATION + (
        b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        b'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        b'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
        b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>'),
    "docprops/app.xml": XML_DECLARATION + (
        b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'docPropsVTypes"/>'),
    "docprops/custom.xml": XML_DECLARATION + (
        b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'docPropsVTypes"/>'),
}
ODF_META = (b'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-meta '
            b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            b'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
            b'xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="%s"><office:meta/>'
            b'</office:document-meta>')
ODF_VERSION = re.compile(rb'office:version\s*=\s*["\']([0-9]\.[0-9])["\']')
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def _strip_archive(data: bytes) -> bytes:
    """Rewrite an ODF or Office zip with its document properties emptied.

    ODF's `mimetype` stays first and stored; timestamps, comments and extra fields of the
    members, which can carry a user's time zone or machine, are not copied."""
    out = io.BytesIO()
    total = 0
    with _open_archive(data) as archive, zipfile.ZipFile(out, "w") as rewritten:
        members = sorted(archive.infolist(), key=lambda m: m.filename != "mimetype")
        for member in members:
            info = zipfile.ZipInfo(member.filename, date_time=ZIP_EPOCH)
            info.compress_type = (zipfile.ZIP_STORED if member.compress_type == zipfile.ZIP_STORED
                                  or member.filename == "mimetype" else zipfile.ZIP_DEFLATED)
            key = member.filename.lower()
            if key in EMPTY_OFFICE_PARTS:
                rewritten.writestr(info, EMPTY_OFFICE_PARTS[key])
            elif key == "meta.xml":
                with archive.open(member) as source:
                    version = ODF_VERSION.search(source.read(4096))
                rewritten.writestr(info, ODF_META % (version.group(1) if version else b"1.2"))
            elif member.is_dir():
                info.external_attr = (0o40755 << 16) | 0x10  # a directory, for Unix and DOS
                rewritten.writestr(info, b"")
            else:
                with archive.open(member) as source, rewritten.open(info, "w") as target:
                    size = 0
                    while chunk := source.read(CHUNK):
                        size += len(chunk)
                        total += len(chunk)
                        if size > ARCHIVE_MEMBER_MAX or total > ARCHIVE_TOTAL_MAX:
                            raise _too_big()
                        target.write(chunk)
    return out.getvalue()


def _strip_pdf(data: bytes) -> bytes:
    """Drop the Info dictionary and every XMP stream; qpdf writes the file anew, so earlier
    incremental updates (with their own Info) do not survive either."""
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        if "/Info" in pdf.trailer:
            del pdf.trailer["/Info"]
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
                for key in ("/Metadata", "/PieceInfo"):
                    if key in obj:
                        del obj[key]
        out = io.BytesIO()
        pdf.save(out, fix_metadata_version=False, deterministic_id=True)
    return out.getvalue()


def _strip_image(data: bytes, kind: str) -> bytes:
    """Decode and save the pixels again, without EXIF, XMP, comments or text chunks.

    The EXIF orientation is applied first, so the picture still stands upright."""
    from PIL import Image, ImageOps

    # Pillow itself refuses images of more than twice its own pixel limit; ours is lower.
    with Image.open(io.BytesIO(data), formats=["JPEG", "MPO"] if kind == "jpg" else ["PNG"]) as image:
        if image.width * image.height > IMAGE_PIXELS_MAX:
            raise Unreadable("too many pixels")
        image.load()
        icc = image.info.get("icc_profile")
        out = io.BytesIO()
        if kind == "jpg":
            upright = ImageOps.exif_transpose(image) if image.getexif().get(0x0112, 1) != 1 else image
            keep = upright is image and image.format == "JPEG"
            upright.info = {}  # Pillow would copy a JPEG comment from here
            upright.save(out, "JPEG", quality="keep" if keep else 95,
                         **({"icc_profile": icc} if icc else {}))
        else:
            image.info = {k: v for k, v in image.info.items() if k in ("transparency", "icc_profile")}
            image.save(out, "PNG")
    return out.getvalue()


def strip_metadata(data: bytes, kind: str) -> bytes:
    """The file without the properties that name its writer; visible content is unchanged.

    Raises Unreadable when the file cannot be read well enough to be sure."""
    try:
        if kind == "pdf":
            return _strip_pdf(data)
        if kind in ("jpg", "png"):
            return _strip_image(data, kind)
        if kind in ARCHIVE_KINDS:
            return _strip_archive(data)
    except ValidationError as exc:
        raise Unreadable(str(exc.fields)) from exc
    except Unreadable:
        raise
    except Exception as exc:  # a hostile file may make any parser fail; never serve it as is
        raise Unreadable(repr(exc)) from exc
    raise Unreadable(kind)


def served(path: Path, kind: str, anonymous: bool) -> Path | io.BytesIO:
    """What to send for a stored attachment: anonymous write-ups never hand out metadata.

    Stripping happens here, when the file is served, because a write-up can become anonymous
    after its files were uploaded, and this is the one way files leave the site."""
    if not anonymous:
        return path
    try:
        return io.BytesIO(strip_metadata(path.read_bytes(), kind))
    except Unreadable as exc:
        current_app.logger.warning("Attachment %s not served: %s", path.name, exc)
        raise Conflict(_("Deze bijlage kunnen wij niet aanbieden: de praktijk is anoniem en wij "
                         "kunnen de gegevens over de maker niet uit het bestand verwijderen.")) from exc


def upload_dir() -> Path:
    path = Path(current_app.config["KDE_DATA_DIR"]) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def store(checked: CheckedFile) -> tuple[str, str]:
    """Write the file under a random name; returns (stored name, sha256)."""
    stored = secrets.token_hex(16)
    target = upload_dir() / stored
    temporary = target.with_suffix(".part")
    temporary.write_bytes(checked.data)
    os.replace(temporary, target)
    return stored, hashlib.sha256(checked.data).hexdigest()


def path_of(stored_name: str) -> Path:
    return upload_dir() / stored_name


def discard(stored_name: str) -> None:
    path_of(stored_name).unlink(missing_ok=True)
