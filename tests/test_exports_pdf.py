"""Every PDF goes through portal.exports.pdf: tagged, titled, German, fetching only packaged static files."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from portal.exports.pdf import STATIC_PREFIX, ForbiddenFetch, StaticFetcher, render_html_pdf
from tests.support.pdfcheck import assert_tagged_pdf

PORTAL = Path(__file__).resolve().parent.parent / "portal"

# Each template under templates/pdf and the test that checks its PDF with assert_tagged_pdf.
PDF_KINDS = {
    "bericht.html": "tests/test_bericht_report.py",
    "measures_council.html": "tests/test_measures_council.py",
    "review_dossier.html": "tests/test_review_dossier.py",
    "selbstcheck.html": "tests/test_selbstcheck_overview.py",
    "trainings_compliance.html": "tests/test_trainings_exports.py",
}


def test_every_pdf_template_is_german_titled_and_checked_for_tags():
    templates = sorted(p.name for p in (PORTAL / "templates" / "pdf").glob("*.html"))
    assert templates == sorted(PDF_KINDS)
    root = PORTAL.parent
    for name, test_file in PDF_KINDS.items():
        html = (PORTAL / "templates" / "pdf" / name).read_text(encoding="utf-8")
        assert '<html lang="de">' in html, name
        assert re.search(r"<title>\S.*</title>", html), name
        assert "assert_tagged_pdf(" in (root / test_file).read_text(encoding="utf-8"), test_file


def test_weasyprint_is_used_only_through_the_tagged_renderer():
    users = sorted(str(p.relative_to(PORTAL)) for p in PORTAL.rglob("*.py")
                   if re.search(r"^\s*(from|import) weasyprint", p.read_text(encoding="utf-8"), re.M))
    assert users == ["exports/pdf.py"]


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "http://127.0.0.1:9/x.png",
    "https://example.org/x.css",
    "data:text/css,body{}",
    STATIC_PREFIX + "../__init__.py",
    STATIC_PREFIX + "css/../../__init__.py",
    STATIC_PREFIX + "%2e%2e/__init__.py",
    STATIC_PREFIX + "gibt-es-nicht.css",
])
def test_fetcher_refuses_everything_but_packaged_static_files(url):
    with pytest.raises(ForbiddenFetch):
        StaticFetcher().fetch(url)


def test_fetcher_serves_the_pdf_stylesheet():
    response = StaticFetcher().fetch(STATIC_PREFIX + "css/pdf.css")
    assert response.content_type == "text/css"
    assert response.read() == (PORTAL / "static" / "css" / "pdf.css").read_bytes()


def test_a_document_with_outside_references_renders_without_them(tmp_path):
    secret = tmp_path / "geheim.css"
    secret.write_text("body { color: red } /* GEHEIM */", encoding="utf-8")
    html = (f'<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Prüfbericht</title>'
            f'<link rel="stylesheet" href="portal-static:/css/pdf.css">'
            f'<link rel="stylesheet" href="file://{secret}"></head>'
            f'<body><h1>Prüfbericht</h1><img src="file:///etc/passwd" alt="Bild">'
            f'<img src="http://127.0.0.1:9/x.png" alt="Logo"><p>Inhalt</p></body></html>')
    data = render_html_pdf(html)
    info = assert_tagged_pdf(data, "Prüfbericht")
    assert info["Pages"] == "1"
    assert b"GEHEIM" not in data and b"root:x:0:0" not in data


def test_the_same_html_gives_the_same_pdf_in_another_second(app, monkeypatch):
    """Without libharfbuzz-subset the fonts are subset by fontTools, which stamps them with the time
    of saving unless SOURCE_DATE_EPOCH names one: portal.exports.pdf sets a fixed stamp. The test
    takes the fontTools path also where the library is installed."""
    import os
    import time

    import weasyprint.pdf.fonts

    from portal.exports.pdf import render_html_pdf

    monkeypatch.setattr(weasyprint.pdf.fonts, "harfbuzz_subset", None)
    subset_by_fonttools = []
    original = weasyprint.pdf.fonts.Font._fonttools_subset
    monkeypatch.setattr(weasyprint.pdf.fonts.Font, "_fonttools_subset",
                        lambda self, *a: (subset_by_fonttools.append(self.family), original(self, *a))[1])
    html = "<html lang='de'><head><title>Gleich</title></head><body><h1>Übersicht</h1><p>Straße 5</p></body></html>"
    first = render_html_pdf(html)
    time.sleep(1.1)
    assert render_html_pdf(html) == first
    assert subset_by_fonttools
    assert os.environ["SOURCE_DATE_EPOCH"]  # the fixed one, or one the process was given
