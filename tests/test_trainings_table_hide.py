"""The Auswertungstabelle can leave out the OEs without a target-group roster (all zeros) and
says how many it left out; the citywide total stays the same."""
from __future__ import annotations

import re
from datetime import date

from tests.support import training_scenario as sc


def _oe_rows(html: str) -> dict[str, bool]:
    """OE → has no roster, from the row headers of the table."""
    body = html[html.index("<tbody>"):html.index("</tbody>")]
    return {cell.split("<")[0].strip(): "(keine Zielgruppenliste)" in cell
            for cell in re.findall(r'<th scope="row">(.*?)</th>', body)}


def test_hiding_the_oes_without_roster(client, db, login_as):
    p = sc.person(db, "500001", "Liste")
    sc.entry(db, p, sc.unit(db, "Amt 50"), "buergerkontakt", begins=date(2024, 1, 1))
    db.commit()
    login_as("integrationsbuero", oe="INAUSLB")
    full = client.get("/trainings/auswertung").get_data(as_text=True)
    assert 'name="ohne_liste_ausblenden"' in full and "OE ohne Zielgruppenliste ausblenden" in full
    rows = _oe_rows(full)
    all_oes, without = set(rows), {oe for oe, no_roster in rows.items() if no_roster}
    assert "Amt 50" in all_oes and len(without) >= 20, len(without)

    hidden = client.get("/trainings/auswertung?ohne_liste_ausblenden=y").get_data(as_text=True)
    shown = set(_oe_rows(hidden))
    assert shown == all_oes - without and "Amt 50" in shown  # the OEs with a roster and the total
    assert "keine Zielgruppenliste" not in hidden[hidden.index("<tbody>"):hidden.index("</tbody>")]
    assert f"{len(without)} OE ohne Zielgruppenliste sind ausgeblendet." in hidden
    assert re.search(r'<input [^>]*\bchecked\b[^>]*name="ohne_liste_ausblenden"', hidden)  # the choice stays
    assert not re.search(r'<input [^>]*\bchecked\b[^>]*name="ohne_liste_ausblenden"', full)
    # the total row is the same either way
    total = re.compile(r'<tr class="total">.*?</tr>', re.S)
    assert total.findall(full) == total.findall(hidden) and total.findall(full)
