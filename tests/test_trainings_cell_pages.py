"""The pages behind a number: the Stichtag travels with every link; long lists are paged."""
from __future__ import annotations

import html as htmllib
import re
from datetime import date

from tests.support import training_scenario as sc


def _hrefs(page: str, kind: str) -> list[str]:
    return [htmllib.unescape(h) for h in re.findall(rf'href="(/trainings/{kind}/[^"]+)"', page)]


def _verdict(page: str) -> str:
    return htmllib.unescape(re.search(r"<dt>Zählt für den Schulungsauftrag[^<]*</dt><dd>([^<]+)</dd>", page).group(1))


def test_the_certificate_page_judges_against_the_stichtag_of_the_table(client, db, login_as):
    a50 = sc.unit(db, "Amt 50")
    p = sc.person(db, "C-001", "Stichtag")
    sc.entry(db, p, a50, "buergerkontakt")
    t = sc.training(db, p, on=date(2026, 9, 1), hours="8", contents=("interkulturell",), title="Herbstkurs")
    db.commit()
    login_as("integrationsbuero", oe="INAUSLB")

    # Stichtag 30.06.2026: the course of 01.09.2026 does not count yet
    cell = client.get(f"/trainings/auswertung/zelle?oe={a50.id}&zeile=beschaeftigte&spalte=nicht-erfuellt"
                      f"&stichtag=2026-06-30").get_data(as_text=True)
    [person_link] = _hrefs(cell, "person")
    assert person_link == f"/trainings/person/{p.id}?stichtag=2026-06-30"
    person_page = client.get(person_link).get_data(as_text=True)
    [certificate_link] = _hrefs(person_page, "nachweis")
    assert certificate_link == f"/trainings/nachweis/{t.id}?stichtag=2026-06-30"
    certificate = client.get(certificate_link).get_data(as_text=True)
    assert _verdict(certificate) == "nein: nach dem Stichtag 30.06.2026"
    assert "Zählt für den Schulungsauftrag (Stichtag 30.06.2026)?" in certificate
    assert f'href="/trainings/person/{p.id}?stichtag=2026-06-30"' in certificate

    # Stichtag 31.12.2026: it counts, and the certificate page says so
    cell = client.get(f"/trainings/auswertung/zelle?oe={a50.id}&zeile=beschaeftigte&spalte=interkulturell"
                      f"&stichtag=2026-12-31").get_data(as_text=True)
    assert _hrefs(cell, "nachweis") == [f"/trainings/nachweis/{t.id}?stichtag=2026-12-31"]
    certificate = client.get(_hrefs(cell, "nachweis")[0]).get_data(as_text=True)
    assert _verdict(certificate) == "ja, wenn der Inhalt zur Zielgruppe passt"
    # without a Stichtag: the default 31.12.2026
    assert "(Stichtag 31.12.2026)" in client.get(f"/trainings/nachweis/{t.id}").get_data(as_text=True)
    # a Stichtag that is no date falls back to the default
    assert "(Stichtag 31.12.2026)" in client.get(f"/trainings/nachweis/{t.id}?stichtag=quatsch").get_data(as_text=True)
