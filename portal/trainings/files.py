"""Certificate files: checked by content, images re-encoded, stored under generated names.

* Accepted: PDF (starts with ``%PDF-``), PNG and JPEG (by their magic bytes). The
  file name's extension must match the content (a renamed file is refused).
* PNG and JPEG are decoded and written again with Pillow, which drops every
  metadata block (EXIF, GPS, comments) and anything appended to the image.
* Stored in the portal's storage (``portal.storage``: a local directory or S3) under
  ``certificates/<uuid4>.<ext>``; the original name is kept in the database only.
* ``check_upload`` streams a PDF from the request to the storage while it is checked
  (size, type, end marker, SHA-256) in one pass with bounded memory. A PDF the form parser
  already wrote into the local storage (``portal.uploads.into_storage``) is checked where it
  lies and renamed to its key: written once, never copied.
"""
from __future__ import annotations

import hashlib
import io
import os
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO

from flask import current_app
from sqlalchemy.orm import Session

from portal import images, storage
from portal.domain import DomainError
from portal.exports.download import download_stream
from portal.storage.local import Incoming

KINDS = {
    "pdf": ("application/pdf", (".pdf",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",)),
    "png": ("image/png", (".png",)),
    "jpeg": ("image/jpeg", (".jpg", ".jpeg")),
}
MAX_PIXELS = images.MAX_PIXELS


class CertificateError(DomainError):
    """The file cannot be accepted (German message)."""


@dataclass(frozen=True)
class CheckedFile:
    kind: str
    data: bytes
    original_name: str
    size: int | None = None  # set when the file was streamed to the storage (then `data` is empty)
    stored_name: str | None = None  # set once the file is in the storage
    sha256: str | None = None

    @property
    def byte_size(self) -> int:
        return len(self.data) if self.size is None else self.size

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
    from PIL import Image, UnidentifiedImageError  # noqa: PLC0415 - Pillow loads only when an image is checked

    images.strict_pillow()  # whatever a PDF render (WeasyPrint) set before: truncated images fail
    try:
        with Image.open(io.BytesIO(data)) as probe:  # reads the header only
            if probe.width * probe.height > MAX_PIXELS:
                raise CertificateError(_too_many_pixels(f" ({probe.width} × {probe.height} Bildpunkte)"))
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
    except Image.DecompressionBombError as exc:
        raise CertificateError(_too_many_pixels("")) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise CertificateError("Das Bild ist beschädigt und kann nicht gelesen werden.") from exc


def _too_many_pixels(size: str) -> str:
    return (f"Das Bild ist zu groß{size}. Erlaubt sind höchstens {MAX_PIXELS // 1_000_000} Millionen Bildpunkte – "
            "bitte scannen Sie mit 300 dpi oder laden Sie ein PDF hoch.")


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".replace(".", ",")


def key_of(stored_name: str, area: str = "certificates") -> str:
    if not stored_name or "/" in stored_name or "\\" in stored_name or stored_name.startswith("."):
        raise FileNotFoundError(stored_name)
    return f"{area}/{stored_name}"


def store(checked: CheckedFile, area: str = "certificates") -> str:
    """Write the file under a new generated name below `area` (unless it is stored already);
    returns that name. Raises storage.StorageError (German message) when the storage fails."""
    if checked.stored_name:
        return checked.stored_name
    name = f"{uuid.uuid4().hex}{checked.extension}"
    storage.get_storage().put(key_of(name, area), [checked.data])
    return name


def _too_big(size: int, limit: int) -> CertificateError:
    return CertificateError(f"Die Datei ist zu groß ({_mb(size)} MB). Erlaubt sind höchstens {_mb(limit)} MB.")


def _rest_counted(stream: BinaryIO, size: int) -> int:
    """Read what is left of a too large upload without keeping it (the request limit bounds it),
    so the message names the real size."""
    while chunk := stream.read(storage.CHUNK_SIZE):
        size += len(chunk)
    return size


def check_upload(stream: BinaryIO, filename: str | None, limit: int, area: str = "certificates") -> CheckedFile:
    """Check an uploaded certificate and put it into the storage; returns it with `stored_name` set.

    A PDF goes from the request to the storage in chunks while its size, type, end marker and
    SHA-256 are checked — one pass, memory bounded by the chunk size; a check that fails on the
    way leaves no object. Images are decoded and written again (`check`), which needs them whole.
    Raises CertificateError or storage.StorageError (both with a German message)."""
    if isinstance(stream, Incoming):
        stream.check()  # a write that failed while the request was received (disk full) is named first
    head = stream.read(8)
    if sniff(head) != "pdf":
        data = head + stream.read(limit + 1 - len(head))
        if len(data) > limit:
            raise _too_big(_rest_counted(stream, len(data)), limit)
        checked = check(data, filename, limit)
        return replace(checked, stored_name=store(checked, area))
    original = clean_original_name(filename)
    suffix = os.path.splitext(original)[1].lower()
    if suffix not in KINDS["pdf"][1]:
        raise CertificateError(f"Die Dateiendung „{suffix or 'keine'}“ passt nicht zum Inhalt der Datei (PDF). "
                               "Bitte laden Sie die Originaldatei hoch.")

    def chunks() -> Iterator[bytes]:
        size, tail = len(head), head
        yield head
        while chunk := stream.read(storage.CHUNK_SIZE):
            size += len(chunk)
            if size > limit:
                raise _too_big(_rest_counted(stream, size), limit)
            tail = (tail + chunk[-2048:])[-2048:]  # the end marker lies in the last 2 KB; no copy of the chunk
            yield chunk
        if b"%%EOF" not in tail:
            raise CertificateError("Die PDF-Datei ist unvollständig oder beschädigt.")

    name = f"{uuid.uuid4().hex}.pdf"
    backend = storage.get_storage()
    if isinstance(stream, Incoming) and getattr(backend, "keep", None) is not None:
        stored = _keep_received(backend, stream, key_of(name, area), limit)
    else:
        stored = backend.put(key_of(name, area), chunks())
    return CheckedFile("pdf", b"", original, size=stored.size, stored_name=name, sha256=stored.sha256)


def _keep_received(backend: Any, received: Incoming, key: str, limit: int) -> storage.StoredObject:
    """A PDF the form parser already wrote into the local storage (counted and hashed on the way):
    the same checks on its size and end marker, then it gets its key without a copy."""
    if received.size > limit:
        raise _too_big(received.size, limit)
    received.seek(max(received.size - 2048, 0))
    if b"%%EOF" not in received.read(2048):
        raise CertificateError("Die PDF-Datei ist unvollständig oder beschädigt.")
    return backend.keep(received, key)


def sha256_of(checked: CheckedFile) -> str:
    """The checked file's SHA-256: known from storing it, of its bytes, or read from the storage."""
    if checked.sha256:
        return checked.sha256
    if checked.data:
        return hashlib.sha256(checked.data).hexdigest()
    return sha256_stored(checked.stored_name or "")


def sha256_stored(stored_name: str, area: str = "certificates") -> str:
    """SHA-256 of a stored file, read as a stream (FileNotFoundError if it is missing)."""
    return storage.sha256_of(storage.get_storage(), key_of(stored_name, area))[1]


def open_stored(stored_name: str, area: str = "certificates") -> BinaryIO:
    """The stored file to read as a stream (FileNotFoundError if it is missing)."""
    return storage.get_storage().open(key_of(stored_name, area))


def read_stored(stored_name: str, area: str = "certificates") -> bytes:
    with open_stored(stored_name, area) as fh:
        return fh.read()


def local_path(stored_name: str, area: str = "certificates") -> AbstractContextManager[Path]:
    """A file on this machine with the stored content (for the virus scanner)."""
    return storage.get_storage().local_path(key_of(stored_name, area))


def remove(stored_name: str, area: str = "certificates") -> None:
    """Delete now (an object whose row was never saved)."""
    storage.get_storage().delete(key_of(stored_name, area))


def remove_after_commit(db: Session, stored_name: str, area: str = "certificates") -> None:
    """Delete once the transaction that stopped pointing at the file has committed."""
    storage.delete_after_commit(db, key_of(stored_name, area))


def download(stored_name: str, download_name: str, mimetype: str | None, area: str = "certificates") -> Any:
    """A streamed attachment response of the stored file (FileNotFoundError if it is missing)."""
    backend = storage.get_storage()
    key = key_of(stored_name, area)
    size = backend.size(key)
    return download_stream(backend.open(key), download_name, mimetype, size)
