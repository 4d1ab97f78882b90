"""The city's list of Organisationseinheiten read from a file (CSV or XLSX): `portal oe import`
and the page "Verwaltung → Organisationseinheiten → Liste einlesen".

The shipped list (portal/data/org_units.json) holds only the units with a source; the city's
own directory of about 150 OEs comes in through this import. Columns: kuerzel;name;art. A new
code creates the OE; a known code (any case) gets the name and kind of the file when they differ
(an empty cell leaves the stored value). Nothing is deleted or dissolved: a unit missing from the
file stays. All rows or none: one bad row refuses the whole file, every bad row is named.
"""
from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import audit
from portal.domain import Refused
from portal.imports import ImportErrors, ImportResult, Progress, TableError, counted, read_table, starts_like_formula
from portal.models.org import ORG_UNIT_KINDS, OrgUnit
from portal.models.people import User

HEADER = ["kuerzel", "name", "art"]
EXAMPLE = ["Amt 50", "Sozialamt", "Amt"]
CODE = re.compile(r"^[\wÄÖÜäöüß][\wÄÖÜäöüß .\-/]*$")  # as the form for one OE allows it
MAX_CODE, MAX_NAME = 40, 200


class OrgUnitImportRefused(Refused):
    """The whole file is refused; `read`: the data rows read (None when the file could not be read)."""

    def __init__(self, messages: list[str], read: int | None = None) -> None:
        super().__init__(messages)
        self.read = read


def import_org_units(db: Session, data: bytes, filename: str, actor: User | None = None, *,
                     dry_run: bool = False, progress: Progress = None) -> ImportResult:
    """Check every row first, then add and update the units (one flush). Raises OrgUnitImportRefused."""
    try:
        rows = read_table(data, filename, HEADER)
    except TableError as exc:
        raise OrgUnitImportRefused([str(exc)]) from exc
    errors = ImportErrors()
    units = {u.code.lower(): u for u in db.scalars(select(OrgUnit))}
    seen: dict[str, int] = {}
    checked: list[tuple[int, str, str | None, str | None]] = []
    for row in counted(rows, progress):
        v = row.values
        if row.values.get("__extra__"):
            errors.add(row.line, "Die Zeile hat mehr Spalten als die Kopfzeile.")
        for name in HEADER:
            if starts_like_formula(v.get(name, "")):
                errors.add(row.line, f"Die Spalte „{name}“ beginnt mit = + - oder @ (nicht erlaubt).")
        code = " ".join(v["kuerzel"].split())
        name = " ".join(v["name"].split()) or None
        kind = v["art"].strip() or None
        if not code:
            errors.add(row.line, "Das Kürzel fehlt.")
            continue
        if len(code) > MAX_CODE or not CODE.match(code):
            errors.add(row.line, f"Das Kürzel „{code[:MAX_CODE]}“ ist ungültig: höchstens {MAX_CODE} Zeichen, nur "
                                 "Buchstaben, Ziffern, Leerzeichen, Punkt, Bindestrich und Schrägstrich.")
        if name is not None and len(name) > MAX_NAME:
            errors.add(row.line, f"Der Name ist länger als {MAX_NAME} Zeichen.")
        if kind is not None and kind not in ORG_UNIT_KINDS:
            errors.add(row.line, f"Die Art „{kind}“ gibt es nicht. Erlaubt: {', '.join(ORG_UNIT_KINDS)}.")
        if code.lower() in seen:
            errors.add(row.line, f"Das Kürzel „{code}“ steht schon in Zeile {seen[code.lower()]}.")
        seen.setdefault(code.lower(), row.line)
        checked.append((row.line, code, name, kind))
    if errors:
        raise OrgUnitImportRefused(errors.messages, read=len(rows))

    result = ImportResult(read=len(rows))
    for line, code, name, kind in checked:
        unit = units.get(code.lower())
        if unit is None:
            unit = OrgUnit(code=code, name=name, kind=kind or "Sonstige")
            db.add(unit)
            units[code.lower()] = unit
            result.added += 1
            result.lines.append(f"Zeile {line}: {code} neu ({unit.kind}{', ' + name if name else ''})")
            continue
        after = {"name": name or unit.name, "kind": kind or unit.kind}
        before = {"name": unit.name, "kind": unit.kind}
        if after == before:
            result.unchanged += 1
            continue
        unit.name, unit.kind = after["name"], after["kind"]
        result.changed += 1
        result.lines.append(f"Zeile {line}: {unit.code} geändert (" + ", ".join(
            f"{'Name' if key == 'name' else 'Art'}: {before[key] or '–'} → {after[key]}"
            for key in ("name", "kind") if before[key] != after[key]) + ")")
    db.flush()
    if not dry_run:
        audit.record(db, "org_units_imported", actor=actor, detail={
            "datei": filename, "neu": result.added, "geaendert": result.changed, "unveraendert": result.unchanged,
            "zeilen": [line for line in result.lines[:200]]})
    return result
