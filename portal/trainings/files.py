"""Certificate files: checked by content, images re-encoded, stored under generated names.

* Accepted: PDF (starts with ``%PDF-``), PNG and JPEG (by their magic bytes). The
  file name's extension must match the content (a renamed file is refused).
* PNG and JPEG are decoded and written again with Pillow, which drops every
  metadata block (EXIF, GPS, comments) and anything appended to the image.
* Stored below ``UPLOAD_DIR/certificates`` as ``<uuid4>.<ext>``; the original
  name is kept in the database only.
"""
from __future__ import annotations

import io
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

KINDS = {
    "pdf": ("application/pdf", (".pdf",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",)),
    "png": ("image/png", (".png",)),
    "jpeg": ("image/jpeg", (".jpg", ".jpeg")),
}
MAX_PIXELS = 40_000_000


class CertificateError(ValueError):
    """The file cannot be accepted (German message)."""


@dataclass(frozen=True)
class CheckedFile:
    kind: str
    data: bytes
    original_name: str

    @property
    def mime(self) -> str:
        return KINDS[self.kind][0]

    @property
    def extension(self) -> str:
        return KINDS[self.kind][1][0]


def max_bytes() -> int:
    return int(current_app.config["MAX_UPLOAD_MB"]) * 1024 * 1024


def sniff(data: bytes) -> str | None:
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    return None


def clean_original_name(name: str | None) -> str:
    """The name as the person's computer had it, without any path, control characters cut."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:255] or "nachweis"


def check(data: bytes, filename: str | None, limit: int) -> CheckedFile:
    """Validate an uploaded certificate; re-encode images. Raises CertificateError."""
    original = clean_original_name(filename)
    if not data:
        raise CertificateError("Die Datei ist leer.")
    if len(data) > limit:
        raise CertificateError(
            f"Die Datei ist zu groß ({_mb(len(data))} MB). Erlaubt sind höchstens {_mb(limit)} MB."
        )
    kind = sniff(data)
    if kind is None:
        raise CertificateError("Die Datei ist kein PDF, PNG oder JPEG. Bitte laden Sie den Nachweis als PDF oder Bild hoch.")
    suffix = os.path.splitext(original)[1].lower()
    if suffix not in KINDS[kind][1]:
        raise CertificateError(
            f"Die Dateiendung „{suffix or 'keine'}“ passt nicht zum Inhalt der Datei ({kind.upper()}). "
            "Bitte laden Sie die Originaldatei hoch."
        )
    if kind == "pdf":
        if b"%%EOF" not in data[-2048:]:
            raise CertificateError("Die PDF-Datei ist unvollständig oder beschädigt.")
        return CheckedFile(kind, data, original)
    return CheckedFile(kind, _reencode(data, kind), original)


def _reencode(data: bytes, kind: str) -> bytes:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.width * probe.height > MAX_PIXELS:
                raise CertificateError("Das Bild ist zu groß (zu viele Bildpunkte).")
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            if kind == "jpeg":
                image = image.convert("RGB")
            elif image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
                image = image.convert("RGBA")
            clean = Image.new(image.mode, image.size)
            clean.paste(image)
            if image.mode == "P":
                clean.putpalette(image.getpalette())
            out = io.BytesIO()
            if kind == "jpeg":
                clean.save(out, format="JPEG", quality=90)
            else:
                clean.save(out, format="PNG", optimize=True)
            return out.getvalue()
    except CertificateError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise CertificateError("Das Bild ist beschädigt und kann nicht gelesen werden.") from exc


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".replace(".", ",")


def directory(area: str = "certificates") -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / area
    path.mkdir(parents=True, exist_ok=True)
    return path


def store(checked: CheckedFile, area: str = "certificates") -> str:
    """Write the file under a new generated name below `area`; returns that name."""
    name = f"{uuid.uuid4().hex}{checked.extension}"
    target = directory(area) / name
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    with os.fdopen(fd, "wb") as fh:
        fh.write(checked.data)
    return name


def path_of(stored_name: str, area: str = "certificates") -> Path:
    if not stored_name or "/" in stored_name or "\\" in stored_name or stored_name.startswith("."):
        raise FileNotFoundError(stored_name)
    return directory(area) / stored_name


def remove(stored_name: str, area: str = "certificates") -> None:
    try:
        path_of(stored_name, area).unlink()
    except FileNotFoundError:
        pass
