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
    """Computed in SQL: the OE list plus one aggregate query, no query per OE or person (the range
    of person ids PostgreSQL needs to split the counts comes with the OE list); a third only when
    some OEs count nobody: whether those have a roster at all (one query for all of them)."""
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
    counted = {row.org_unit_id for row in rows if row.org_unit_id is not None and row.counts.persons}
    assert 0 < len(counted) < len({row.org_unit_id for row in rows if row.org_unit_id is not None})
    assert len(statements) == 3
    assert "FROM org_units" in statements[0] and "max(roster_entries.person_id)" in statements[0]
    assert "GROUP BY" in statements[1]
    assert "FROM roster_entries" in statements[2] and "org_units" not in statements[2]
    one = db.get(OrgUnit, next(row.org_unit_id for row in rows if row.org_unit_id in counted))
    statements.clear()
    event.listen(engine, "before_cursor_execute", count)
    try:  # one OE that counts somebody: its roster needs no look-up
        alone = compliance_table(db, sc.CUTOFF, one)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert [r.counts for r in alone] == [r.counts for r in rows if r.org_unit_id == one.id]
    assert len(statements) == 2 and "FROM org_units" in statements[0] and "GROUP BY" in statements[1], statements
    assert "roster_entries" not in statements[0]  # one OE's counts are never split
    db.close()


def test_postgresql_reads_only_the_trainings_that_can_qualify(any_backend_app):
    """ix_trainings_can_qualify holds only the trainings the rule's fixed values let qualify; PostgreSQL
    uses it for the counts only while its predicate is implied by the SQL rules.py writes (a changed
    EARLIEST or MIN_HOURS without the index would leave the table right but slow)."""
    import importlib

    from sqlalchemy import text

    from portal.models import training

    migration = importlib.import_module("portal.migrations.versions.20261204_2300_3f8b2e6c4d17_can_qualify_index")
    assert migration.CAN_QUALIFY == training.CAN_QUALIFY
    assert f"hours >= {rules.MIN_HOURS}" in training.CAN_QUALIFY
    assert f"completed_on >= '{rules.EARLIEST.isoformat()}'" in training.CAN_QUALIFY
    db = _session(any_backend_app)
    sc.build(db)
    if db.get_bind().dialect.name == "sqlite":
        sql = db.execute(text("SELECT sql FROM sqlite_master WHERE name = 'ix_trainings_can_qualify'")).scalar_one()
        assert sql.endswith(f"WHERE {training.CAN_QUALIFY}")
    else:
        counts = rules.COUNTS_SQL.format(judged=rules.judged_cte(False, "postgresql"))
        statement = rules._with_literals(counts, rules._params(sc.CUTOFF))
        db.execute(text("SET LOCAL enable_seqscan = off"))  # the scenario's tables are too small to need an index
        plan = "\n".join(db.execute(text("EXPLAIN " + statement.text)).scalars())
        assert "Index Only Scan using ix_trainings_can_qualify on trainings" in plan, plan
    db.rollback()
    db.close()


def test_the_counts_read_the_person_id_range_themselves_when_not_given(any_backend_app):
    """compliance_table hands the range read with the OE list; called alone, the counts read it
    themselves and, split in halves there, give the table's numbers."""
    db = _session(any_backend_app)
    sc.build(db)
    previous, rules.HALVES_FROM = rules.HALVES_FROM, 0  # split also the scenario's few persons (PostgreSQL)
    try:
        alone = rules.compliance_counts(db, sc.CUTOFF)
        table = {(r.org_unit_id, r.row): r.counts for r in compliance_table(db, sc.CUTOFF) if r.counts.persons}
    finally:
        rules.HALVES_FROM = previous
    assert alone == table and len(alone) > 4
    db.close()
