"""Minutes of a meeting: PDF or Word (DOCX), checked by content, stored like certificates
(generated names below ``UPLOAD_DIR/minutes``; the original name only in the database)."""
from __future__ import annotations

import io
import os
import zipfile

from portal.trainings import files as store

AREA = "minutes"


def check_minutes(data: bytes, filename: str | None, limit: int) -> store.CheckedFile:
    """Validate an uploaded protocol; raises CertificateError with a German message."""
    original = store.clean_original_name(filename)
    if not data:
        raise store.CertificateError("Die Datei ist leer.")
    if len(data) > limit:
        raise store.CertificateError(f"Die Datei ist zu groß ({store._mb(len(data))} MB). "  # noqa: SLF001
                                     f"Erlaubt sind höchstens {store._mb(limit)} MB.")  # noqa: SLF001
    if data.startswith(b"%PDF-"):
        kind = "pdf"
        if b"%%EOF" not in data[-2048:]:
            raise store.CertificateError("Die PDF-Datei ist unvollständig oder beschädigt.")
    elif data.startswith(b"PK\x03\x04") and _is_docx(data):
        kind = "docx"
    else:
        raise store.CertificateError("Das Protokoll muss eine PDF- oder Word-Datei (DOCX) sein.")
    suffix = os.path.splitext(original)[1].lower()
    if suffix not in store.KINDS[kind][1]:
        raise store.CertificateError(f"Die Dateiendung „{suffix or 'keine'}“ passt nicht zum Inhalt der Datei "
                                     f"({kind.upper()}). Bitte laden Sie die Originaldatei hoch.")
    return store.CheckedFile(kind, data, original)


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        return False
    return "word/document.xml" in names and "[Content_Types].xml" in names
