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


def _persons_on(page: str) -> list[str]:
    table = page.split("<caption>Personen hinter dieser Zahl", 1)[1].split("</table>", 1)[0]
    return re.findall(r"<td>(C-\d+)</td>", table)


def test_the_page_behind_a_number_is_paged(client, db, login_as):
    from portal.trainings.views import PAGE_SIZE

    a50 = sc.unit(db, "Amt 50")
    n = 2 * PAGE_SIZE + 20
    for i in range(n):
        p = sc.person(db, f"C-{i:04d}", f"Person {i:04d}")
        sc.entry(db, p, a50, "buergerkontakt")
        sc.training(db, p, on=date(2024, 1, 1), hours="6", contents=("buergernah",), title=f"Kurs {i:04d}")
    db.commit()
    login_as("integrationsbuero", oe="INAUSLB")
    base = f"/trainings/auswertung/zelle?oe={a50.id}&zeile=beschaeftigte&spalte=buergernah&stichtag=2026-12-31"
    seen: list[str] = []
    titles: list[str] = []
    for number in (1, 2, 3):
        page = client.get(f"{base}&seite={number}").get_data(as_text=True)
        assert f"Seite {number} von 3 ({n} Einträge)" in page
        on_page = PAGE_SIZE if number < 3 else 20
        assert f"Personen hinter dieser Zahl ({n}), hier {on_page}" in page
        assert f"Schulungen hinter dieser Zahl ({n}), hier {on_page}" in page
        seen += _persons_on(page)
        titles += re.findall(r">(Kurs \d+)</a>", page)
        if number < 3:  # the next page keeps the cell and the Stichtag
            nxt = htmllib.unescape(re.search(r'href="([^"]+)" rel="next"', page).group(1))
            assert nxt == f"/trainings/auswertung/zelle?seite={number + 1}&oe={a50.id}&zeile=beschaeftigte&spalte=buergernah&stichtag=2026-12-31"
    assert seen == [f"C-{i:04d}" for i in range(n)]  # by name, each person once
    assert sorted(titles) == [f"Kurs {i:04d}" for i in range(n)]
    # the table's number is the total behind the pages
    table = client.get("/trainings/auswertung?stichtag=2026-12-31").get_data(as_text=True)
    assert f'spalte=buergernah&amp;stichtag=2026-12-31">{n}</a>' in table
