"""The Selbstcheck as annex 3 prints it: the bold words, the date of the form header, and
free texts that may stay empty."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

from sqlalchemy import select

from portal.models.selbstcheck import SelbstcheckVersion
from tests.support import selbstcheck_fill as fill
from tests.support.requirements import require_binary
from tests.support.seed import seed_path

PAST = "Welche konkreten Maßnahmen und Schritte <strong>wurden</strong> in den vergangenen 12 Monaten umgesetzt?"
NEXT = "Welche konkreten Maßnahmen und Schritte <strong>werden</strong> in den folgenden 12 Monaten umgesetzt?"


def load_questionnaire() -> dict:
    return json.loads((Path(__file__).resolve().parents[1] / "portal/data/questionnaires/selbstcheck-2025.json").read_text("utf-8"))


def test_the_bold_words_are_those_of_the_seed():
    """The seed marks bold with ** (its text export keeps that markup); the questionnaire's
    ``emphasis`` names exactly the words bold in annex 3."""
    path = seed_path()
    annex = path.read_text("utf-8").split("Selbstcheck – Zugang von Migrant*innen", 1)[1].split("Schulungskonzept zum Abbau", 1)[0]
    bold = re.findall(r"\*\*(.+?)\*\*", annex)
    definition = load_questionnaire()
    assert bold == [c["emphasis"] for c in definition["conditional_texts"]] == ["wurden", "werden"]
    assert re.search(r"^Datum:", annex, re.M) and [h["label"] for h in definition["header"]] == ["Amt/Abteilung/Sachgebiet", "Datum"]


def test_form_shows_bold_words_and_the_date_and_accepts_empty_texts(client, login_as, db):
    login_as("oe_verantwortliche", oe="Amt 50")
    sc_id = fill.start(client)
    html = client.get(f"/selbstcheck/{sc_id}/bearbeiten").get_data(as_text=True)
    assert PAST in html and NEXT in html
    today = date.today().strftime("%d.%m.%Y")
    assert re.search(rf'<input[^>]*id="datum"[^>]*value="{re.escape(today)}"|<input[^>]*value="{re.escape(today)}"[^>]*id="datum"', html)

    bad = fill.post(client, sc_id, fill.payload((4,) * 8, datum="2025-13-40"))
    assert bad.status_code == 422
    assert "Bitte geben Sie das Datum als TT.MM.JJJJ an, zum Beispiel 07.05.2025." in bad.get_data(as_text=True)
    assert db.scalar(select(SelbstcheckVersion).where(SelbstcheckVersion.selbstcheck_id == sc_id)) is None

    data = fill.payload((4,) * 8, datum="2025-05-07", massnahmen_vergangen="", massnahmen_geplant="", naechste_schritte="")
    response = fill.post(client, sc_id, data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    version = db.scalar(select(SelbstcheckVersion).where(SelbstcheckVersion.selbstcheck_id == sc_id))
    assert version.answers["datum"] == "07.05.2025"
    assert "massnahmen_vergangen" not in version.answers and version.total == 32

    page = client.get(f"/selbstcheck/{sc_id}").get_data(as_text=True)
    assert PAST in page and NEXT in page
    assert re.search(r'<th scope="row">Datum</th>\s*<td><span class="pre-line">07\.05\.2025</span>', page)

    require_binary("pdftotext (poppler-utils)", shutil.which("pdftotext"))
    pdf = client.get(f"/selbstcheck/{sc_id}/pdf")
    assert pdf.status_code == 200
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf.data, capture_output=True, check=True).stdout.decode()
    assert re.search(r"Datum\s+07\.05\.2025", text)
