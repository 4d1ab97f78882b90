"""A long-running worker making PDF after PDF does not grow with each one: WeasyPrint keeps the
@font-face fonts a font configuration loaded until the process ends, so the portal keeps one
configuration per thread instead of a new one per PDF (measured before: about 0.5 MB per PDF)."""
from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from portal.exports import pdf

ROOT = Path(__file__).resolve().parent.parent
PROBE = """
import resource
from portal.exports import pdf
html = ('<html lang="de"><head><title>Probe</title><link rel="stylesheet" href="portal-static:/css/pdf.css">'
        '</head><body><h1>Überschrift</h1><table><tr><th>Spalte</th></tr><tr><td>1</td></tr></table></body></html>')
for _ in range(5):
    pdf.render_html_pdf(html)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
for _ in range(60):
    assert pdf.render_html_pdf(html).startswith(b"%PDF")
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024)
"""


def test_sixty_pdfs_in_one_process_grow_it_by_less_than_ten_megabytes():
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=300,
                         check=True)
    growth_mb = float(out.stdout.strip().splitlines()[-1])
    assert growth_mb < 10, f"{growth_mb:.1f} MB more after 60 PDFs (a configuration per PDF: about 30 MB)"


def test_one_font_configuration_per_thread_and_the_shared_one_inside_shared_fonts():
    first, second = pdf.font_configuration(), pdf.font_configuration()
    assert first is second
    other: list[object] = []
    thread = threading.Thread(target=lambda: other.append(pdf.font_configuration()))
    thread.start()
    thread.join()
    assert other[0] is not first
    with pdf.shared_fonts():
        inside = pdf.font_configuration()
        assert inside is not first and pdf.font_configuration() is inside
    assert pdf.font_configuration() is first
