"""The migration to persons with a current OE keeps every row and fills the new columns from the
existing data (directory account first, else the roster), on SQLite and PostgreSQL; its
downgrade drops only the new columns."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from portal import create_app, migrate

BEFORE = "d45cda1fd3bb"
NOW = datetime.now(UTC)


def _app(url: str, tmp_path):
    return create_app({"DATABASE_URL": url, "SECRET_KEY": "x", "TESTING": True, "UPLOAD_DIR": str(tmp_path / "u"),
                       "LDAP_URL": "demo"})


def _insert(conn, name: str, **values) -> int:
    table = sa.Table(name, sa.MetaData(), autoload_with=conn)
    return conn.execute(table.insert().values(**values).returning(table.c.id)).scalar_one()


def _training(conn, person: int, submitted: datetime) -> int:
    return _insert(conn, "trainings", person_id=person, title="Schulung", provider="VHS", completed_on=date(2024, 1, 1),
                   hours=6, c_demokratisch=True, c_interkulturell=False, c_mehrsprachigkeit=False, c_buergernah=False,
                   format="praesenz", internal=True, source="import", state="accepted", state_changed_at=submitted,
                   submitted_at=submitted)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_backfill_from_directory_and_roster_without_loss(request, tmp_path, backend):
    url = (f"sqlite:///{tmp_path / 'm.sqlite3'}" if backend == "sqlite"
           else request.getfixturevalue("pg_cluster").create_database(f"persons_mig_{tmp_path.name[-8:].lower()}"))
    app = _app(url, tmp_path)
    engine = app.extensions["portal.db"].engine
    try:
        migrate.upgrade(app, BEFORE)
        with engine.begin() as conn:
            unit = {code: _insert(conn, "org_units", code=code, kind="Amt", created_at=NOW, updated_at=NOW)
                    for code in ("Amt 50", "Amt 51", "Amt 52")}
            _insert(conn, "users", external_id="u1", dn="uid=u1", username="u1", display_name="Uta Eins",
                    personnel_number="N-1", org_unit_id=unit["Amt 52"], created_at=NOW, last_login_at=NOW)

            def person(number: str, *entries: tuple[str, date, date | None]) -> int:
                pid = _insert(conn, "persons", personnel_number=number, last_name=number, first_name="", created_at=NOW)
                for code, begins, ends in entries:
                    _insert(conn, "roster_entries", person_id=pid, org_unit_id=unit[code], target_group="buergerkontakt",
                            begins_on=begins, ends_on=ends, created_at=NOW, updated_at=NOW)
                return pid

            today, long_ago = date.today(), date(2020, 1, 1)
            ids = {
                # the directory wins over the roster
                "N-1": person("N-1", ("Amt 50", long_ago, None)),
                # one active OE (an old entry elsewhere does not matter)
                "N-2": person("N-2", ("Amt 51", long_ago, date(2021, 12, 31)), ("Amt 50", date(2022, 1, 1), None)),
                # only ended entries, all in one OE
                "N-3": person("N-3", ("Amt 51", long_ago, today - timedelta(days=10))),
                # active in two OEs: ambiguous, stays without OE
                "N-4": person("N-4", ("Amt 50", long_ago, None), ("Amt 51", long_ago, None)),
                # no entries at all
                "N-5": person("N-5"),
            }
            trainings = {
                "old-51": _training(conn, ids["N-2"], datetime(2021, 6, 1, tzinfo=UTC)),  # while in Amt 51
                "new-50": _training(conn, ids["N-2"], datetime(2023, 6, 1, tzinfo=UTC)),  # while in Amt 50
                "two": _training(conn, ids["N-4"], datetime(2023, 6, 1, tzinfo=UTC)),     # two OEs, person without OE
                "none": _training(conn, ids["N-5"], datetime(2023, 6, 1, tzinfo=UTC)),
            }
        migrate.upgrade(app)
        with engine.connect() as conn:
            rows = {n: (oe, src) for n, oe, src in conn.execute(sa.text(
                "SELECT p.personnel_number, o.code, p.oe_source FROM persons p LEFT JOIN org_units o ON o.id = p.org_unit_id"))}
            assert rows == {"N-1": ("Amt 52", "verzeichnis"), "N-2": ("Amt 50", "migration"),
                            "N-3": ("Amt 51", "migration"), "N-4": (None, None), "N-5": (None, None)}
            recorded = dict(conn.execute(sa.text(
                "SELECT t.id, o.code FROM trainings t LEFT JOIN org_units o ON o.id = t.org_unit_id")).all())
            assert {k: recorded[v] for k, v in trainings.items()} == {
                "old-51": "Amt 51", "new-50": "Amt 50", "two": None, "none": None}
            confirmed = conn.execute(sa.text("SELECT oe_confirmed_at FROM persons WHERE personnel_number = 'N-1'")).scalar()
            assert confirmed is not None
        migrate.downgrade(app, BEFORE)
        with engine.connect() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("persons")}
            assert "org_unit_id" not in columns and "oe_source" not in columns
            assert conn.execute(sa.text("SELECT COUNT(*) FROM persons")).scalar() == 5
            assert conn.execute(sa.text("SELECT COUNT(*) FROM roster_entries")).scalar() == 6
            assert conn.execute(sa.text("SELECT COUNT(*) FROM trainings")).scalar() == 4
    finally:
        engine.dispose()
