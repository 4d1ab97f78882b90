"""Tagged PDF (PDF/UA) through WeasyPrint, fetching nothing but the package's own static files."""
from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from flask import render_template
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from portal.images import strict_pillow

strict_pillow()  # importing WeasyPrint turned on LOAD_TRUNCATED_IMAGES for the whole process

# Without libharfbuzz-subset WeasyPrint subsets the embedded fonts with fontTools, which stamps every
# subset font with the time of saving unless SOURCE_DATE_EPOCH (reproducible-builds.org) names one:
# the same data then gave a different PDF whenever two renderings fell in different seconds. A fixed
# stamp (1 January 2022, the plan's start) keeps a PDF byte for byte the same for the same data; it is
# an internal field of the font program, not the document's date. A value set for the process is kept.
os.environ.setdefault("SOURCE_DATE_EPOCH", "1640995200")

STATIC = (Path(__file__).resolve().parent.parent / "static").resolve()
STATIC_PREFIX = "portal-static:/"
MIME_TYPES = {".css": "text/css", ".woff2": "font/woff2", ".ttf": "font/ttf", ".png": "image/png",
              ".svg": "image/svg+xml"}
# PDF/UA-1: tagged structure, document title shown instead of the file name, language from <html lang>.
PDF_OPTIONS: dict[str, Any] = {"pdf_variant": "pdf/ua-1", "pdf_tags": True}


class ForbiddenFetch(ValueError):
    pass


class StaticFetcher(URLFetcher):
    """Serves only files below portal/static; anything else (file:, http:, data:) is refused.

    Nothing is ever opened through urllib: ``fetch`` replaces the network path completely.
    """

    def __init__(self) -> None:
        super().__init__(timeout=1, allowed_protocols=(), allow_redirects=False, fail_on_errors=False)

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if not url.startswith(STATIC_PREFIX):
            raise ForbiddenFetch(f"Nicht erlaubt: {url[:80]}")
        relative = url[len(STATIC_PREFIX):].lstrip("/")
        target = (STATIC / relative).resolve()
        if STATIC not in target.parents or not target.is_file():
            raise ForbiddenFetch(f"Nicht erlaubt: {url[:80]}")
        mime = MIME_TYPES.get(target.suffix, "application/octet-stream")
        return URLFetcherResponse(url, target.read_bytes(), {"Content-Type": mime})


_FONTS: ContextVar[Any] = ContextVar("portal_pdf_fonts", default=None)
_THREAD = threading.local()


def font_configuration() -> FontConfiguration:
    """The font configuration of the PDF being made: the one of `shared_fonts` if set, else one per
    thread for the life of the process. WeasyPrint keeps a document's loaded @font-face fonts in
    memory until the process ends (about 0.2 MB per PDF); a configuration of its own per PDF made a
    long-running web worker grow with every PDF it served. One per thread, because a configuration
    is not shared safely between threads."""
    fonts = _FONTS.get()
    if fonts is None:
        fonts = getattr(_THREAD, "fonts", None)
        if fonts is None:
            fonts = _THREAD.fonts = FontConfiguration()
    return fonts


@contextmanager
def shared_fonts() -> Iterator[None]:
    """Render the PDFs inside with one font configuration: each document otherwise gets its own,
    which keeps its loaded @font-face fonts in memory until the process ends (about 0.2 MB per
    PDF, so a ZIP of 150 dossiers would grow the worker by 30 MB)."""
    token = _FONTS.set(FontConfiguration())
    try:
        yield
    finally:
        _FONTS.reset(token)


def render_html_pdf(html: str) -> bytes:
    """PDF/UA bytes of an HTML document whose resources are ``portal-static:/…`` URLs."""
    from weasyprint import HTML  # noqa: PLC0415 - WeasyPrint loads only when a PDF is made

    return HTML(string=html, base_url=STATIC_PREFIX, url_fetcher=StaticFetcher()).write_pdf(
        **PDF_OPTIONS, font_config=font_configuration())


def render_pdf(template: str, **context: Any) -> bytes:
    """Render an autoescaped Jinja template (under templates/pdf/) to tagged PDF bytes.

    Templates link their stylesheet as ``portal-static:/css/pdf.css`` and carry
    ``<html lang="de">`` and a ``<title>`` (the PDF's document title).
    """
    return render_html_pdf(render_template(template, **context))
