"""A corrected shipped catalogue on an existing installation: `portal setup` names the
measures that differ instead of keeping them silently, and `portal catalogue export
--mitgeliefert` + `portal catalogue import` bring the correction in."""
from __future__ import annotations

from sqlalchemy import select

from portal import reference
from portal.measures.catalogue import shipped_differences
from portal.models.measure import ActionField, Measure
from portal.models.org import OrgUnit
from tests.measures_support import row_of


def setup_lines(app):
    with app.app_context():
        from portal.db import get_session

        session = get_session()
        lines = reference.load_all(session)
        session.commit()
    return lines


def test_fresh_installation_equals_the_shipped_plan(runner, tmp_path, db):
    assert shipped_differences(db) == []
    for fmt in ("csv", "xlsx"):
        stored, shipped = tmp_path / f"stored.{fmt}", tmp_path / f"shipped.{fmt}"
        assert runner.invoke(args=["catalogue", "export", "--format", fmt, "-o", str(stored)]).exit_code == 0
        result = runner.invoke(args=["catalogue", "export", "--mitgeliefert", "--format", fmt, "-o", str(shipped)])
        assert result.exit_code == 0 and result.output.strip() == f"150 Zeilen nach {shipped} geschrieben."
        if fmt == "csv":
            assert stored.read_bytes() == shipped.read_bytes()


def test_setup_names_a_differing_measure_and_the_import_corrects_it(app, runner, tmp_path, db):
    # an installation that loaded an older, wrong version of Kinder- und Jugendhilfe 4 and Gesundheit 4
    row = row_of(db, "jugendhilfe", 4)
    row.lead_units = [db.scalars(select(OrgUnit).where(OrgUnit.code == "Amt 51")).one()]
    row.lead_mode, row.deadline, row.end_year = "allein", "2022 bis 2025", 2025
    row_of(db, "gesundheit-sport", 4, part="Gesundheit").measure.title = "alter Titel"
    db.commit()
    assert "Maßnahmenkatalog: 0 neu, 144 insgesamt; 2 Maßnahmen weichen vom mitgelieferten Katalog ab (nicht überschrieben): " \
           "6.4, 9.4 (Gesundheit). Übernehmen: „portal catalogue export --mitgeliefert“, dann " \
           "„portal catalogue import DATEI --dry-run --einzeln“ (siehe docs/measures.md)" in setup_lines(app)
    db.expire_all()
    assert row_of(db, "jugendhilfe", 4).deadline == "2022 bis 2025"  # setup itself never overwrites

    target = tmp_path / "katalog.csv"
    assert runner.invoke(args=["catalogue", "export", "--mitgeliefert", "-o", str(target)]).exit_code == 0
    dry = runner.invoke(args=["catalogue", "import", str(target), "--dry-run", "--einzeln"])
    assert dry.exit_code == 0, dry.output
    changed = [line for line in dry.output.splitlines() if line.endswith(" geändert")]
    assert [line.split(": ", 1)[1] for line in changed] == ["Maßnahme 6.4 geändert", "Maßnahme 9.4 (Gesundheit) geändert"]
    assert dry.output.strip().splitlines()[-1] == "Probelauf: 0 neu, 2 geändert, 142 unverändert. Nichts gespeichert."
    result = runner.invoke(args=["catalogue", "import", str(target)])
    assert result.output.strip().splitlines()[-1] == "Gespeichert: 0 neu, 2 geändert, 142 unverändert."
    db.expire_all()
    fixed = row_of(db, "jugendhilfe", 4)
    assert ([u.code for u in fixed.lead_units], fixed.lead_mode, fixed.deadline, fixed.end_year) == (
        ["Amt 51", "Amt 53"], "nicht festgelegt", "2022 bis 2026", 2026)  # the plan marks no lead
    assert shipped_differences(db) == []
    assert "Maßnahmenkatalog: 0 neu, 144 insgesamt" in setup_lines(app)


def test_a_goal_edit_is_named_too(app, db):
    measure = db.scalars(select(Measure).join(ActionField).where(ActionField.code == "wohnen", Measure.number == 8)).one()
    measure.goal = "Ein anderes Ziel."
    db.commit()
    assert shipped_differences(db) == ["3.8"]
