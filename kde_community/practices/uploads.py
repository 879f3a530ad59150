"""Attachments: checked by content (not by name), stored under random names."""

from __future__ import annotations

import hashlib
import os
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from ..errors import ValidationError

MAX_BYTES = 20 * 1024 * 1024
ALLOWED = {
    "pdf": "application/pdf",
    "odt": "application/vnd.oasis.opendocument.text",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "png": "image/png",
    "jpg": "image/jpeg",
}


@dataclass
class CheckedFile:
    data: bytes
    kind: str
    mimetype: str
    name: str


def sniff(data: bytes) -> str | None:
    """The kind of file by its first bytes and structure, or None when not allowed."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(b"PK\x03\x04"):
        import io

        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
                if "mimetype" in names:
                    mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
                    for kind in ("odt", "odp"):
                        if mimetype == ALLOWED[kind]:
                            return kind
                if "[Content_Types].xml" in names:
                    if any(n.startswith("word/") for n in names):
                        return "docx"
                    if any(n.startswith("ppt/") for n in names):
                        return "pptx"
        except (zipfile.BadZipFile, KeyError, OSError):
            return None
    return None


def check_upload(filename: str | None, data: bytes) -> CheckedFile:
    name = (filename or "").strip()
    if not name or "/" in name or "\\" in name or ".." in name or "\x00" in name:
        raise ValidationError({"attachment": _("Deze bestandsnaam is niet toegestaan. Gebruik een "
                                               "gewone naam zonder mappen of '..'.")})
    if len(name) > 150:
        raise ValidationError({"attachment": _("De bestandsnaam is te lang (hoogstens 150 tekens).")})
    if len(data) > MAX_BYTES:
        raise ValidationError({"attachment": _("Het bestand is groter dan 20 MB.")})
    if not data:
        raise ValidationError({"attachment": _("Het bestand is leeg.")})
    kind = sniff(data)
    if kind is None:
        raise ValidationError({"attachment": _(
            "Dit soort bestand is niet toegestaan. Toegestaan zijn PDF, ODT, ODP, DOCX, PPTX, PNG "
            "en JPEG; wij kijken naar de inhoud, niet naar de naam.")})
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return CheckedFile(data=data, kind=kind, mimetype=ALLOWED[kind], name=f"{stem}.{kind}")


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
