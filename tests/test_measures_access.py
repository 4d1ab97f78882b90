"""Who may open which measures page (GET), role by role."""
from __future__ import annotations

from datetime import date

import pytest

from tests.measures_support import accepted_report, make_period, row_of

ROLES = {
    "beschaeftigte": ("beschaeftigte", "Amt 51"),
    "oe": ("oe_verantwortliche", "Amt 51"),
    "ag": ("ag_leitung:AG2", "Amt 10"),
    "buero": ("integrationsbuero", "INAUSLB"),
    "personalamt": ("personalamt", "Amt 10"),
    "admin": ("admin", "Amt 10"),
}
# path template → expected status per role (b, oe, ag, buero, personalamt, admin)
MATRIX = [
    ("/measures/", (200, 200, 200, 200, 200, 200)),
    ("/measures/katalog.csv", (403, 403, 403, 200, 403, 403)),
    ("/measures/katalog/import", (403, 403, 403, 200, 403, 403)),
    ("/measures/massnahme/{measure}", (403, 403, 403, 200, 403, 403)),
    ("/measures/teil/{row}", (403, 403, 403, 200, 403, 403)),
    ("/measures/zeitraeume", (403, 403, 200, 200, 403, 200)),
    ("/measures/meine", (403, 200, 403, 403, 403, 403)),
    ("/measures/bericht/{period}/{row}", (403, 200, 403, 403, 403, 403)),
    ("/measures/pruefung", (403, 403, 403, 200, 403, 403)),
    ("/measures/pruefung/{report}", (403, 200, 200, 200, 403, 200)),
    ("/measures/zeitraeume/{period}/uebersicht", (403, 403, 200, 200, 403, 200)),
    ("/measures/zeitraeume/{period}/ratstabelle", (403, 403, 200, 200, 403, 200)),
    ("/measures/zeitraeume/{period}/ratstabelle.pdf", (403, 403, 200, 200, 403, 200)),
    ("/measures/zeitraeume/{period}/auswertung", (403, 403, 200, 200, 403, 200)),
]


@pytest.mark.parametrize("role", list(ROLES))
def test_role_matrix(client, db, login_as, role):
    period = make_period(db, "Abschlussbericht 2026", date(2026, 12, 31), True)
    row = row_of(db, "jugendhilfe", 7)  # Amt 51, field of AG 2
    from sqlalchemy import select

    from portal.models.org import OrgUnit

    amt51 = db.scalars(select(OrgUnit).where(OrgUnit.code == "Amt 51")).one()
    report = accepted_report(db, period, row, amt51, "offen")
    ids = {"measure": row.measure_id, "row": row.id, "period": period.id, "report": report.id}
    index = list(ROLES).index(role)
    spec, oe = ROLES[role]
    login_as(spec, oe=oe)
    got = {path: client.get(path.format(**ids)).status_code for path, _ in MATRIX}
    assert got == {path: expected[index] for path, expected in MATRIX}
