"""Times in CSV and XLSX exports are Berlin time (summer and winter), not the stored UTC."""
from __future__ import annotations

import io
from datetime import UTC, date, datetime

from openpyxl import load_workbook

from portal.exports.local_time import write_csv, write_xlsx
from portal.exports.writers import Styled

SUMMER = datetime(2026, 7, 1, 22, 30, tzinfo=UTC)  # 02.07.2026 00:30 in Dresden (UTC+2)
WINTER = datetime(2026, 1, 15, 23, 5)  # naive = UTC as stored: 16.01.2026 00:05 (UTC+1)


def test_csv_writes_berlin_time():
    text = write_csv(["Zeit", "Tag"], [[SUMMER, date(2026, 7, 1)], [WINTER, None]]).decode("utf-8-sig")
    assert text.splitlines() == ["Zeit;Tag", "02.07.2026 00:30;01.07.2026", "16.01.2026 00:05;"]


def test_xlsx_writes_berlin_time_also_in_styled_cells():
    data = write_xlsx([("Zeiten", ["Zeit"], [[SUMMER], [WINTER]]), ("Gestaltet", None, [[Styled(SUMMER, bold=True)]])],
                      title="Zeiten")
    wb = load_workbook(io.BytesIO(data))
    assert [r[0] for r in wb["Zeiten"].iter_rows(min_row=2, values_only=True)] == [
        datetime(2026, 7, 2, 0, 30), datetime(2026, 1, 16, 0, 5)]
    assert wb["Gestaltet"]["A1"].value == datetime(2026, 7, 2, 0, 30)


def test_dossier_xlsx_names_the_deletion_time_in_berlin(client, login_as, db, make_user):
    from tests.conftest import org_unit
    from tests.review_support import person, training

    unit = org_unit(db, "Amt 50")
    gone = training(db, person(db, "P9", "Gelöscht", unit, first="Gus"), state="rejected", comment="zu kurz", title="Kurs")
    gone.file_deleted_at = SUMMER
    db.commit()
    login_as("integrationsbuero")
    wb = load_workbook(io.BytesIO(client.get(f"/review/dossier/{unit.id}.xlsx").data))
    rows = list(wb["Gelöschte Nachweis-Dateien"].values)
    assert rows[1][:2] == (gone.id, "Kurs") and rows[1][-1] == datetime(2026, 7, 2, 0, 30)
