"""PDF through WeasyPrint, fetching nothing but the package's own static files."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import render_template

STATIC = (Path(__file__).resolve().parent.parent / "static").resolve()
STATIC_PREFIX = "portal-static:/"


class ForbiddenFetch(ValueError):
    pass


def url_fetcher(url: str, timeout: int = 10, ssl_context: Any = None) -> dict[str, Any]:
    """Serve only files below portal/static; anything else (file:, http:, data:) is refused."""
    if not url.startswith(STATIC_PREFIX):
        raise ForbiddenFetch(f"Nicht erlaubt: {url[:80]}")
    relative = url[len(STATIC_PREFIX):].lstrip("/")
    target = (STATIC / relative).resolve()
    if STATIC not in target.parents or not target.is_file():
        raise ForbiddenFetch(f"Nicht erlaubt: {url[:80]}")
    mime = {".css": "text/css", ".woff2": "font/woff2", ".ttf": "font/ttf", ".png": "image/png", ".svg": "image/svg+xml"}.get(target.suffix, "application/octet-stream")
    return {"string": target.read_bytes(), "mime_type": mime, "filename": target.name}


def render_pdf(template: str, **context: Any) -> bytes:
    """Render an autoescaped Jinja template (under templates/pdf/) to PDF bytes.

    Templates link their stylesheet as ``portal-static:/css/pdf.css``.
    """
    from weasyprint import HTML

    html = render_template(template, **context)
    return HTML(string=html, base_url=STATIC_PREFIX, url_fetcher=url_fetcher).write_pdf()
