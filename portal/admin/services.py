"""OE directory maintenance and reference data loading."""
from __future__ import annotations

import json
from datetime import date
from importlib import resources
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal import audit
from portal.domain import DomainError
from portal.models.org import ORG_UNIT_KINDS, OrgUnit


class OrgUnitError(DomainError):
    pass


def shipped_org_units() -> list[dict[str, Any]]:
    text = resources.files("portal").joinpath("data/org_units.json").read_text("utf-8")
    return json.loads(text)


def load_shipped_org_units(db: Session) -> tuple[int, int]:
    """Insert units of the shipped list that are missing; never overwrite edits. Idempotent."""
    existing = {code.lower() for code in db.scalars(select(OrgUnit.code))}
    added = 0
    for row in shipped_org_units():
        if row["code"].lower() in existing:
            continue
        kind = row.get("kind") if row.get("kind") in ORG_UNIT_KINDS else "Sonstige"
        db.add(OrgUnit(code=row["code"], name=row.get("name"), kind=kind))
        existing.add(row["code"].lower())
        added += 1
    db.flush()
    return added, len(existing)


def _code_taken(db: Session, code: str, exclude_id: int | None = None) -> bool:
    stmt = select(OrgUnit.id).where(func.lower(OrgUnit.code) == code.lower())
    if exclude_id is not None:
        stmt = stmt.where(OrgUnit.id != exclude_id)
    return db.scalar(stmt) is not None


def create_org_unit(db: Session, code: str, name: str | None, kind: str, note: str | None) -> OrgUnit:
    code = " ".join(code.split())
    if _code_taken(db, code):
        raise OrgUnitError(f"Das Kürzel „{code}“ gibt es schon.")
    unit = OrgUnit(code=code, name=(name or "").strip() or None, kind=kind, note=(note or "").strip() or None)
    db.add(unit)
    db.flush()
    audit.record(db, "org_unit_created", obj=unit, org_unit_code=unit.code, detail={"name": unit.name, "kind": kind})
    return unit


def update_org_unit(db: Session, unit: OrgUnit, code: str, name: str | None, kind: str, note: str | None) -> OrgUnit:
    code = " ".join(code.split())
    if _code_taken(db, code, exclude_id=unit.id):
        raise OrgUnitError(f"Das Kürzel „{code}“ gibt es schon.")
    before = {"code": unit.code, "name": unit.name, "kind": unit.kind}
    unit.code, unit.name, unit.kind = code, (name or "").strip() or None, kind
    unit.note = (note or "").strip() or None
    db.flush()
    audit.record(db, "org_unit_updated", obj=unit, org_unit_code=unit.code, detail={"vorher": before, "nachher": {"code": unit.code, "name": unit.name, "kind": unit.kind}})
    return unit


def retire_org_unit(db: Session, unit: OrgUnit, on: date) -> None:
    unit.retired_on = on
    db.flush()
    audit.record(db, "org_unit_retired", obj=unit, org_unit_code=unit.code, detail={"retired_on": on.isoformat()})


def reactivate_org_unit(db: Session, unit: OrgUnit) -> None:
    unit.retired_on = None
    db.flush()
    audit.record(db, "org_unit_reactivated", obj=unit, org_unit_code=unit.code)


def reference_data(db: Session) -> str:
    """`portal setup`: the shipped OE list."""
    added, total = load_shipped_org_units(db)
    return f"Organisationseinheiten: {added} neu, {total} insgesamt"
