"""The OE reference data: the Stadtbezirksämter and the Ortschaften with their örtliche
Verwaltungsstelle, loaded by `portal setup` without touching existing units."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from portal import reference
from portal.models.org import ORG_UNIT_KINDS, OrgUnit

UNITS = json.loads((Path(__file__).resolve().parents[1] / "portal/data/org_units.json").read_text("utf-8"))
ORTSCHAFTEN = ["Altfranken", "Cossebaude", "Gompitz", "Langebrück", "Mobschatz", "Oberwartha", "Schönborn",
               "Schönfeld-Weißig", "Weixdorf"]
STADTBEZIRKE = ["Altstadt", "Neustadt", "Pieschen", "Klotzsche", "Loschwitz", "Blasewitz", "Leuben", "Prohlis"]
NEW = [f"Ortschaft {o}" for o in ORTSCHAFTEN] + [f"Stadtbezirksamt {s}" for s in STADTBEZIRKE] + ["GB 4", "GB 7"]


def test_the_list_has_every_stadtbezirk_and_ortschaft():
    by_code = {u["code"]: u for u in UNITS}
    assert len(UNITS) == 61 and len(by_code) == 61
    assert [u["code"] for u in UNITS if u["kind"] == "Ortschaft"] == sorted(f"Ortschaft {o}" for o in ORTSCHAFTEN)
    assert all(by_code[f"Ortschaft {o}"]["name"] == f"Ortschaft {o} (örtliche Verwaltungsstelle)" for o in ORTSCHAFTEN)
    offices = sorted(u["code"] for u in UNITS if u["kind"] == "Stadtbezirksamt")
    assert offices == sorted([f"Stadtbezirksamt {s}" for s in STADTBEZIRKE] + ["Stadtbezirksamt Plauen/Cotta", "Stadtbezirksämter"])
    assert by_code["Amt 13"]["name"] == "Amt für Presse-, Öffentlichkeitsarbeit und Protokoll"
    assert by_code["Amt 15"]["name"] == "Amt für Stadtstrategie, Internationales und Bürgerschaft"
    assert {u["kind"] for u in UNITS} <= set(ORG_UNIT_KINDS)
    assert sorted(f"GB {n}" for n in range(1, 8)) == sorted(u["code"] for u in UNITS if u["kind"] == "Geschäftsbereich")


def test_setup_adds_the_missing_units_and_keeps_existing_ones(app, db):
    # an installation from before: without the new units, with an edited and a retired unit
    for unit in db.scalars(select(OrgUnit).where(OrgUnit.code.in_(NEW))):
        db.delete(unit)
    amt50 = db.scalars(select(OrgUnit).where(OrgUnit.code == "Amt 50")).one()
    amt50.name = "Sozialamt (umbenannt im Portal)"
    retired = db.scalars(select(OrgUnit).where(OrgUnit.code == "Amt 76")).one()
    retired.retired_on = date(2025, 6, 30)
    db.commit()
    assert db.scalar(select(func.count()).select_from(OrgUnit)) == 61 - len(NEW)

    with app.app_context():
        from portal.db import get_session

        session = get_session()
        lines = reference.load_all(session)
        session.commit()
    assert "Organisationseinheiten: 19 neu, 61 insgesamt" in lines
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(OrgUnit)) == 61
    assert db.scalars(select(OrgUnit.name).where(OrgUnit.code == "Amt 50")).one() == "Sozialamt (umbenannt im Portal)"
    assert db.scalars(select(OrgUnit.retired_on).where(OrgUnit.code == "Amt 76")).one() == date(2025, 6, 30)
    weixdorf = db.scalars(select(OrgUnit).where(OrgUnit.code == "Ortschaft Weixdorf")).one()
    assert (weixdorf.kind, weixdorf.active) == ("Ortschaft", True)

    with app.app_context():
        from portal.db import get_session

        session = get_session()
        assert "Organisationseinheiten: 0 neu, 61 insgesamt" in reference.load_all(session)


def test_the_admin_form_offers_the_kind_ortschaft(client, login_as):
    login_as("admin", oe="Amt 10")
    html = client.get("/admin/oe/neu").get_data(as_text=True)
    assert '<option value="Ortschaft">Ortschaft</option>' in html
