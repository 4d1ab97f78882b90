"""The Auswertungstabelle, cell by cell, on SQLite and PostgreSQL."""
from __future__ import annotations

from portal.models.org import OrgUnit

from datetime import date

from portal.trainings import rules
from portal.trainings.tables import HEADER, compliance_table
from tests.support import training_scenario as sc


def _session(app):
    return app.extensions["portal.db"].new_session()


def test_table_cell_by_cell(any_backend_app):
    db = _session(any_backend_app)
    sc.build(db)
    rows = compliance_table(db, sc.CUTOFF)
    got = {(r.oe_code, r.label): [v for _, v in r.numbers] for r in rows}
    for key, expected in sc.EXPECTED.items():
        assert got[key] == expected, key
    # every OE of the directory appears; an OE without roster shows zeros and the note
    amt10 = [r for r in rows if r.oe_code == "Amt 10"]
    assert [r.label for r in amt10] == ["Führungskräfte", "Beschäftigte"]
    assert all(r.note == "keine Zielgruppenliste" and [v for _, v in r.numbers] == [0] * 8 for r in amt10)
    assert [r.note for r in rows if r.oe_code == "Amt 50"] == [None, None]
    assert rows[-2].oe_code == rows[-1].oe_code == "Gesamt"
    assert len(HEADER) == 10
    db.close()


def test_table_the_day_after_the_cutoff(any_backend_app):
    db = _session(any_backend_app)
    sc.build(db)
    day_after = date(2027, 1, 1)
    rows = {(r.oe_code, r.label): [v for _, v in r.numbers] for r in compliance_table(db, day_after)}
    # P9 has left (end 31.12.2026), P8 has joined, P6's training of 01.01.2027 now counts
    assert rows[("Amt 50", "Beschäftigte")] == [6, 1, 1, 0, 2, 3, 3, 1]
    db.close()


def test_cells_open_the_persons_behind_each_number(any_backend_app):
    db = _session(any_backend_app)
    P = sc.build(db)
    for r in compliance_table(db, sc.CUTOFF):
        persons = rules.cell_persons(db, r.org_unit_id, r.row, sc.CUTOFF)
        assert len(persons) == r.counts.persons
        assert sum(p.fulfilled for p in persons) == r.counts.fulfilled
        assert sum((not p.fulfilled) and p.pending for p in persons) == r.counts.pending
        for content in rules.CONTENTS_ORDER:
            ids = rules.cell_training_ids(db, [p.person_id for p in persons], content, sc.CUTOFF)
            assert len(ids) == getattr(r.counts, f"n_{content}")
    a50 = sc.unit(db, "Amt 50")
    staff = rules.cell_persons(db, a50.id, rules.ROW_STAFF, sc.CUTOFF)
    assert {p.person_id for p in staff if p.pending and not p.fulfilled} == {P["p4"].id}
    db.close()


def test_the_table_is_two_queries_whatever_the_size(app):
    """Computed in SQL: one aggregate query plus the OE list, no query per OE or person
    (on PostgreSQL one more before them: the range of person ids); a third only when some OEs count
    nobody: whether those have a roster at all (one query for all of them)."""
    from sqlalchemy import event

    db = _session(app)
    sc.build(db)
    engine = app.extensions["portal.db"].engine
    statements: list[str] = []

    def count(conn, cursor, statement, *args):  # noqa: ANN001
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        rows = compliance_table(db, sc.CUTOFF)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(rows) > 40
    if engine.dialect.name == "postgresql":  # first the range of person ids, to split the counts in halves
        assert statements.pop(0) == rules.PERSON_ID_RANGE_SQL
    counted = {row.org_unit_id for row in rows if row.org_unit_id is not None and row.counts.persons}
    assert 0 < len(counted) < len({row.org_unit_id for row in rows if row.org_unit_id is not None})
    assert len(statements) == 3
    assert "GROUP BY" in statements[0] and "FROM org_units" in statements[1]
    assert "FROM roster_entries" in statements[2] and "org_units" not in statements[2]
    one = db.get(OrgUnit, next(row.org_unit_id for row in rows if row.org_unit_id in counted))
    statements.clear()
    event.listen(engine, "before_cursor_execute", count)
    try:  # one OE that counts somebody: its roster needs no look-up
        alone = compliance_table(db, sc.CUTOFF, one)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert [r.counts for r in alone] == [r.counts for r in rows if r.org_unit_id == one.id]
    assert len(statements) == 2 and "GROUP BY" in statements[0] and "FROM org_units" in statements[1], statements
    db.close()
