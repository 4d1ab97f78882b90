"""File downloads: one way to send an export, a dossier or a certificate to the browser."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import BinaryIO
from urllib.parse import quote

from flask import Response

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "zip": "application/zip",
}

_NOT_PLAIN = re.compile(r'[^\x20-\x7e]|["\\]')


def safe_filename(name: str) -> str:
    """A file name made of ASCII letters, digits, `.`, `_` and `-` (for names built from OE codes)."""
    ascii_name = unicodedata.normalize("NFKD", name.replace("ß", "ss")).encode("ascii", "ignore").decode()
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_name)
    return re.sub(r"_+", "_", ascii_name).strip("_") or "download"


def download(data: bytes, filename: str, mimetype: str | None = None) -> Response:
    """`data` as an attachment named `filename`, never cached.

    A name that is not plain ASCII (an uploaded certificate's original name) gets an ASCII
    fallback plus the exact name as RFC 5987 `filename*`.
    """
    # content_type as given: `mimetype=` would append a second "; charset=utf-8" to the CSV type
    return _attachment(Response(data, content_type=mimetype or "application/octet-stream"), filename)


def download_stream(fileobj: BinaryIO, filename: str, mimetype: str | None, size: int | None = None) -> Response:
    """Like `download`, but the content is read from `fileobj` chunk by chunk while it is sent
    (a stored file of any size costs one chunk of memory); `fileobj` is closed at the end."""
    def chunks() -> Iterator[bytes]:
        try:
            while chunk := fileobj.read(64 * 1024):
                yield chunk
        finally:
            fileobj.close()

    response = Response(chunks(), content_type=mimetype or "application/octet-stream", direct_passthrough=True)
    response.call_on_close(fileobj.close)  # also when the body is never read (HEAD, an error before sending)
    if size is not None:
        response.headers["Content-Length"] = str(size)
    return _attachment(response, filename)


def _attachment(response: Response, filename: str) -> Response:
    plain = _NOT_PLAIN.sub("_", filename) or "download"
    disposition = f'attachment; filename="{plain}"'
    if plain != filename:
        disposition += f"; filename*=UTF-8''{quote(filename, safe='')}"
    response.headers["Content-Disposition"] = disposition
    response.headers["Cache-Control"] = "no-store"
    return response
