"""What every PDF of the portal must be: tagged (PDF/UA-1), titled, in German."""
from __future__ import annotations

import re
import shutil
import subprocess
import zlib

from tests.support.requirements import require_binary


def _catalog_entries(data: bytes) -> bytes:
    """Uncompressed objects plus the content of every Flate stream (the catalog may sit in one)."""
    parts = [data]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)


def assert_tagged_pdf(data: bytes, title: str) -> dict[str, str]:
    """pdfinfo reports `Tagged: yes` and the document title; the catalog says /Lang (de),
    shows the title instead of the file name, and the XMP claims PDF/UA-1."""
    pdfinfo = require_binary("pdfinfo (poppler-utils)", shutil.which("pdfinfo"))
    assert data.startswith(b"%PDF"), data[:20]
    out = subprocess.run([pdfinfo, "-"], input=data, capture_output=True, check=True).stdout.decode()
    info = dict(line.split(":", 1) for line in out.splitlines() if ":" in line)
    info = {k.strip(): v.strip() for k, v in info.items()}
    assert info["Tagged"] == "yes", out
    assert title in info["Title"], (title, info["Title"])
    catalog = _catalog_entries(data)
    assert b"/Lang (de)" in catalog
    assert b"/DisplayDocTitle true" in catalog
    meta = subprocess.run([pdfinfo, "-meta", "-"], input=data, capture_output=True, check=True).stdout.decode()
    assert 'pdfuaid:part="1"' in meta, meta[:500]
    return info
