"""The measure catalogue as data: the shipped plan, and the CSV/XLSX exchange format.

Exchange format (``portal catalogue export`` / ``import``), one line per measure row:

    handlungsfeld;teilfeld;nr;massnahme;inhalt;federfuehrend;beteiligte;termin;prioritaet

* ``handlungsfeld``: the name of the field of action, ``teilfeld``: its part or empty.
* The main row of a measure has ``nr`` = "3" and the title in ``massnahme``. An extra
  part follows directly and is marked ``nr`` = "3 (Teil 2)", ``massnahme`` empty,
  ``inhalt`` = the text of that part.
* ``federfuehrend``: the lead OEs as codes separated by ", ", optionally starting with
  "alle Ämter und Eigenbetriebe" or "alle Eigenbetriebe", followed by
  " (federführend)" or " (federführend im Zuständigkeitsbereich)"; without such a
  suffix the named OE leads alone. " (federführend: nicht festgelegt)": the plan names the
  responsible OEs without marking a lead (they all report). Example: "Amt 15, Amt 50 (federführend im
  Zuständigkeitsbereich)".
* ``termin`` as written ("2022 bis 2026", "ab 2023", "2024"); the machine-readable end
  year follows from it ("ab 2023" ends with the plan, 2026).
* ``prioritaet``: sehr hoch, hoch or mittel; an extra part may leave it empty (as the plan does).

The goal statement is not part of the file; an import keeps the goal of a measure it
updates. An import changes or adds measures; measures missing from the file stay.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal import audit
from portal.domain import Refused
from portal.exports.local_time import write_csv, write_xlsx
from portal.imports import FORMULA_START, ImportErrors, ImportResult, TableError, read_table
from portal.measures.terms import UnknownTerm, parse_term
from portal.models.measure import (
    LEAD_ALL_SCOPES,
    LEAD_NOT_SET,
    PRIORITIES,
    ActionField,
    Measure,
    MeasureReport,
    MeasureRow,
    WorkingGroup,
)
from portal.models.org import OrgUnit

CATALOGUE_FILE = "data/catalogue/aktionsplan-2022-2026.json"
SUPERSEDED_FILE = "data/catalogue/superseded.json"
HEADER = ["handlungsfeld", "teilfeld", "nr", "massnahme", "inhalt", "federfuehrend", "beteiligte", "termin", "prioritaet"]
PLAN_END_YEAR = 2026
MODE_SUFFIX = {
    "federführend": " (federführend)",
    "federführend im Zuständigkeitsbereich": " (federführend im Zuständigkeitsbereich)",
    "allein": "",
    LEAD_NOT_SET: " (federführend: nicht festgelegt)",
}
_SUFFIX_RE = re.compile(
    r"^(?P<items>.*?)\s*\((?P<mode>federführend(?: im Zuständigkeitsbereich)?|federführend: nicht festgelegt)\)$", re.S)
_NR_RE = re.compile(r"^(?P<nr>\d{1,3})(?: \(Teil (?P<part>\d{1,2})\))?$")


class CatalogueError(Refused):
    """Bad catalogue input; ``messages`` name the lines."""


# ---------------------------------------------------------------- small parsers

def end_year_of(deadline: str) -> int | None:
    """The year a deadline as written ends in (a standing task: its start, at least the plan's
    last year), or None when the text is in none of the forms of `terms.parse_term`."""
    try:
        return parse_term(deadline).sort_year
    except UnknownTerm:
        return None


def term_problem(deadline: str) -> str | None:
    """None for a readable term, else the German message saying which forms are possible."""
    try:
        parse_term(deadline)
    except UnknownTerm as exc:
        return str(exc)
    return None


def format_leads(row: MeasureRow) -> str:
    return leads_text(row.lead_all_scope, [unit.code for unit in row.lead_units], row.lead_mode)


def leads_text(scope: str | None, codes: list[str], mode: str) -> str:
    items = [f"alle {scope}"] if scope else []
    return ", ".join(items + list(codes)) + MODE_SUFFIX[mode]


@dataclass
class LeadSpec:
    mode: str
    scope: str | None
    units: list[OrgUnit]


def parse_leads(text: str, units_by_code: dict[str, OrgUnit]) -> LeadSpec:
    """Parse the ``federfuehrend`` notation; raises ValueError with a German message."""
    text = " ".join((text or "").split())
    mode = "allein"
    if m := _SUFFIX_RE.match(text):
        text, mode = m.group("items"), m.group("mode")
        if mode == "federführend: nicht festgelegt":
            mode = LEAD_NOT_SET
    items = [item.strip() for item in text.split(",") if item.strip()]
    scope = None
    if items and items[0].lower().startswith("alle "):
        wanted = items[0][5:].strip().lower()
        scope = next((s for s in LEAD_ALL_SCOPES if s.lower() == wanted), None)
        if scope is None:
            raise ValueError(f"„{items[0]}“ ist unbekannt. Möglich sind „alle Ämter und Eigenbetriebe“ und „alle Eigenbetriebe“.")
        items = items[1:]
    if not items and scope is None:
        raise ValueError("Es ist keine federführende OE angegeben.")
    units: list[OrgUnit] = []
    unknown = []
    for code in items:
        unit = units_by_code.get(code.lower())
        if unit is None:
            unknown.append(code)
        elif unit not in units:
            units.append(unit)
    if unknown:
        names = ", ".join(f"„{c}“" for c in unknown)
        raise ValueError(f"Unbekannte OE {names}. Bitte das Kürzel aus dem OE-Verzeichnis verwenden.")
    if mode == "allein" and (len(units) > 1 or scope):
        raise ValueError("Mehrere federführende OE brauchen den Zusatz „(federführend)“ oder „(federführend im Zuständigkeitsbereich)“.")
    return LeadSpec(mode=mode, scope=scope, units=units)


def units_by_code(db: Session) -> dict[str, OrgUnit]:
    return {unit.code.lower(): unit for unit in db.scalars(select(OrgUnit))}


def ordered_measures(db: Session) -> list[Measure]:
    measures = list(db.scalars(select(Measure)))
    measures.sort(key=lambda m: m.sort_key)
    return measures


# ---------------------------------------------------------------- the shipped plan

def shipped_catalogue() -> dict[str, Any]:
    return json.loads(resources.files("portal").joinpath(CATALOGUE_FILE).read_text("utf-8"))


def spec_goal(spec: dict[str, Any]) -> str | None:
    """The goal statements before the measure's table, as stored: paragraphs split by a blank line."""
    goals = spec.get("goals") or ([spec["goal"]] if spec.get("goal") else [])
    return "\n\n".join(goals) or None


def _new_row(position: int, row: dict[str, Any], units: dict[str, OrgUnit]) -> MeasureRow:
    measure_row = MeasureRow(position=position)
    _apply_spec_row(measure_row, row, units)
    return measure_row


def _apply_spec_row(measure_row: MeasureRow, row: dict[str, Any], units: dict[str, OrgUnit]) -> None:
    measure_row.content = row["content"]
    measure_row.lead_mode = row["lead_mode"]
    measure_row.lead_all_scope = row["lead_all_scope"] if row["lead_all_units"] else None
    measure_row.participants = row["participants"]
    measure_row.responsibility = row.get("responsibility")
    measure_row.deadline = row["deadline"]
    measure_row.end_year = row["end_year"]
    measure_row.priority = row["priority"]
    measure_row.lead_units = [units[code.lower()] for code in row["lead_oes"]]


def load_shipped_catalogue(db: Session) -> tuple[int, int]:
    """Add fields, working groups and measures of the shipped plan that are missing.

    Idempotent; an existing field, group or measure (same field, part and number) is
    not touched here, so edits made in the browser or by an import stay (corrections of
    the shipped text reach unedited measures through :func:`apply_shipped_corrections`).
    Returns (measures added, measures in total).
    """
    data = shipped_catalogue()
    fields = {f.code: f for f in db.scalars(select(ActionField))}
    for spec in data["fields"]:
        if spec["code"] not in fields:
            fields[spec["code"]] = ActionField(code=spec["code"], number=spec["number"], name=spec["name"], parts=list(spec["parts"]))
            db.add(fields[spec["code"]])
    groups = {g.code: g for g in db.scalars(select(WorkingGroup))}
    for spec in data["working_groups"]:
        if spec["code"] not in groups:
            group = WorkingGroup(code=spec["code"], name=spec["name"])
            group.fields = [fields[code] for code in spec["fields"]]
            db.add(group)
    db.flush()
    units = units_by_code(db)
    existing = {(m_field, part, number) for m_field, part, number in db.execute(
        select(Measure.action_field_id, Measure.part, Measure.number))}
    added = 0
    for spec in data["measures"]:
        action_field = fields[spec["field"]]
        key = (action_field.id, spec["part"] or "", int(spec["number"]))
        if key in existing:
            continue
        measure = Measure(field=action_field, part=spec["part"] or "", number=int(spec["number"]), goal=spec_goal(spec),
                          heading=spec.get("heading"), title=spec["title"], content=spec["content"])
        for position, row in enumerate(spec["rows"], start=1):
            measure.rows.append(_new_row(position, row, units))
        db.add(measure)
        existing.add(key)
        added += 1
    db.flush()
    total = db.scalar(select(func.count()).select_from(Measure)) or 0
    return added, total


def _spec_state(spec: dict[str, Any]) -> tuple[Any, ...]:
    rows = [(row["content"], row["lead_mode"], row["lead_all_scope"] if row["lead_all_units"] else None,
             [code.lower() for code in row["lead_oes"]], row["participants"], row.get("responsibility"), row["deadline"],
             row["end_year"], row["priority"])
            for row in spec["rows"]]
    return (spec["title"], spec["content"], spec_goal(spec), spec.get("heading"), rows)


def _stored_state(measure: Measure) -> tuple[Any, ...]:
    rows = [(row.content, row.lead_mode, row.lead_all_scope, [unit.code.lower() for unit in row.lead_units], row.participants,
             row.responsibility, row.deadline, row.end_year, row.priority) for row in measure.rows]
    return (measure.title, measure.content, measure.goal, measure.heading, rows)


def _release_2026_11_state(measure: Measure) -> tuple[Any, ...] | None:
    """The stored state in the form the release of November 2026 fingerprinted, or None when
    the measure holds something that release could not have shipped (a text of its own)."""
    if measure.heading is not None or any(row.responsibility is not None for row in measure.rows):
        return None
    rows = [(row.content, row.lead_mode, row.lead_all_scope, [unit.code.lower() for unit in row.lead_units], row.participants,
             row.deadline, row.end_year, row.priority) for row in measure.rows]
    return (measure.title, measure.content, measure.goal, rows)


def state_digest(state: tuple[Any, ...]) -> str:
    return hashlib.sha256(json.dumps(state, ensure_ascii=False).encode("utf-8")).hexdigest()


def _superseded() -> dict[str, set[str]]:
    """measure key "field|part|number" → fingerprints of earlier shipped versions."""
    data = json.loads(resources.files("portal").joinpath(SUPERSEDED_FILE).read_text("utf-8"))
    known: dict[str, set[str]] = {}
    for release in data["releases"].values():
        for key, digest in release.items():
            known.setdefault(key, set()).add(digest)
    return known


def _label(measure: Measure) -> str:
    return f"{measure.field.number}.{measure.number}{' (' + measure.part + ')' if measure.part else ''}"


def apply_shipped_corrections(db: Session) -> list[str]:
    """Bring corrected shipped text to measures that still hold an earlier shipped version.

    A stored measure is replaced by the current shipped plan only when its stored state is
    exactly a state an earlier release shipped (fingerprint in ``superseded.json``) — so
    nobody changed it in the browser or by an import. A part that would disappear but has
    reports blocks the correction. Each correction is written to the audit log with the
    labels of the measure. Returns the labels ("6.4", "9.4 (Gesundheit)") corrected."""
    known = _superseded()
    stored = {(m.field.code, m.part, m.number): m for m in db.scalars(select(Measure))}
    units = units_by_code(db)
    corrected: list[tuple[tuple[int, int, int], str]] = []
    for spec in shipped_catalogue()["measures"]:
        measure = stored.get((spec["field"], spec["part"] or "", int(spec["number"])))
        if measure is None or _stored_state(measure) == _spec_state(spec):
            continue
        # only the plan's wording is missing (e.g. after importing the shipped file): add it quietly
        wording_only = _with_plan_wording(_stored_state(measure), _spec_state(spec)) == _spec_state(spec)
        legacy = _release_2026_11_state(measure)
        key = f"{spec['field']}|{spec['part'] or ''}|{spec['number']}"
        if not wording_only and (legacy is None or state_digest(legacy) not in known.get(key, set())):
            continue
        surplus = [row.id for row in measure.rows if row.position > len(spec["rows"])]
        if surplus and db.scalar(select(func.count()).select_from(MeasureReport).where(MeasureReport.measure_row_id.in_(surplus))):
            continue
        before = _stored_state(measure)
        measure.title, measure.content = spec["title"], spec["content"]
        measure.goal, measure.heading = spec_goal(spec), spec.get("heading")
        by_position = {row.position: row for row in measure.rows}
        for position, row in enumerate(spec["rows"], start=1):
            if position in by_position:
                _apply_spec_row(by_position[position], row, units)
            else:
                measure.rows.append(_new_row(position, row, units))
        for row in list(measure.rows):
            if row.position > len(spec["rows"]):
                measure.rows.remove(row)
        db.flush()
        label = _label(measure)
        audit.record(db, "catalogue_corrected", obj=measure, detail={
            "massnahme": label, "vorher": json.loads(json.dumps(before, ensure_ascii=False)),
            "nachher": json.loads(json.dumps(_stored_state(measure), ensure_ascii=False))})
        if not wording_only:
            corrected.append((measure.sort_key, label))
    return [label for _, label in sorted(corrected)]


def _with_plan_wording(state: tuple[Any, ...], target: tuple[Any, ...]) -> tuple[Any, ...]:
    """``state`` with a missing sub-heading and missing responsibility texts taken from ``target``."""
    title, content, goal, heading, rows = state
    if len(rows) != len(target[4]):
        return state
    rows = [(*row[:5], row[5] if row[5] is not None else wanted[5], *row[6:]) for row, wanted in zip(rows, target[4], strict=True)]
    return (title, content, goal, heading if heading is not None else target[3], rows)


def shipped_differences(db: Session) -> list[str]:
    """Short labels ("2.5", "9.4 (Gesundheit)") of stored measures that differ from the shipped plan.

    `portal setup` never overwrites them (they may be edits); it names them so that a
    corrected shipped catalogue does not go unnoticed on an existing installation."""
    stored = {(m.field.code, m.part, m.number): m for m in db.scalars(select(Measure))}
    labels = []
    for spec in shipped_catalogue()["measures"]:
        measure = stored.get((spec["field"], spec["part"] or "", int(spec["number"])))
        # a missing wording of the plan alone is no difference: `portal setup` adds it
        if measure is not None and _with_plan_wording(_stored_state(measure), _spec_state(spec)) != _spec_state(spec):
            labels.append((measure.sort_key, _label(measure)))
    return [label for _, label in sorted(labels)]


def shipped_export_rows() -> list[list[str]]:
    """The shipped plan in the exchange format (for `portal catalogue import` on an existing installation)."""
    data = shipped_catalogue()
    names = {f["code"]: f["name"] for f in data["fields"]}
    numbers = {f["code"]: (f["number"], f["parts"]) for f in data["fields"]}

    def key(spec: dict[str, Any]) -> tuple[int, int, int]:
        number, parts = numbers[spec["field"]]
        return (number, parts.index(spec["part"]) + 1 if spec["part"] in parts else 0, int(spec["number"]))

    rows: list[list[str]] = []
    for spec in sorted(data["measures"], key=key):
        for position, row in enumerate(spec["rows"], start=1):
            rows.append([
                names[spec["field"]], spec["part"] or "",
                spec["number"] if position == 1 else f"{spec['number']} (Teil {position})",
                spec["title"] if position == 1 else "",
                spec["content"] if position == 1 else (row["content"] or ""),
                leads_text(row["lead_all_scope"] if row["lead_all_units"] else None, row["lead_oes"], row["lead_mode"]),
                row["participants"] or "", row["deadline"], row["priority"] or "",
            ])
    return rows


# ---------------------------------------------------------------- export

def export_rows(db: Session) -> list[list[str]]:
    rows: list[list[str]] = []
    for measure in ordered_measures(db):
        for row in measure.rows:
            rows.append([
                measure.field.name,
                measure.part,
                str(measure.number) if row.is_main else f"{measure.number} (Teil {row.position})",
                measure.title if row.is_main else "",
                measure.content if row.is_main else (row.content or ""),
                format_leads(row),
                row.participants or "",
                row.deadline,
                row.priority or "",
            ])
    return rows


def export_bytes(db: Session, fmt: str, *, shipped: bool = False) -> bytes:
    rows = shipped_export_rows() if shipped else export_rows(db)
    if fmt == "csv":
        return write_csv(HEADER, rows)
    if fmt == "xlsx":
        return write_xlsx([("Maßnahmenkatalog", HEADER, rows)], title="Maßnahmenkatalog Aktionsplan Integration")
    raise ValueError(fmt)


# ---------------------------------------------------------------- import

@dataclass
class ParsedRow:
    line: int
    position: int
    content: str | None
    lead: LeadSpec
    participants: str | None
    deadline: str
    end_year: int
    priority: str | None


@dataclass
class ParsedMeasure:
    line: int
    field: ActionField
    part: str
    number: int
    title: str
    content: str
    rows: list[ParsedRow] = field(default_factory=list)
    bad: bool = False  # a line of this measure has an error (only kept to check what follows)




def _unescape(text: str) -> str:
    """Undo the apostrophe the writers put before formula-like cells."""
    if text.startswith("'") and text[1:].lstrip(" ").startswith(FORMULA_START + ("\t", "\r", "\n")):
        return text[1:]
    return text


def parse_file(db: Session, data: bytes, filename: str) -> list[ParsedMeasure]:
    """Validate every line; raise CatalogueError listing all bad lines."""
    try:
        table = read_table(data, filename, HEADER)
    except TableError as exc:
        raise CatalogueError([str(exc)]) from exc
    errors = ImportErrors()
    fields = list(db.scalars(select(ActionField)))
    by_name = {f.name.lower(): f for f in fields} | {f.code.lower(): f for f in fields}
    units = units_by_code(db)
    measures: list[ParsedMeasure] = []
    seen: dict[tuple[int, str, int, int], int] = {}
    for row in table:
        v = {key: _unescape(value) for key, value in row.values.items()}
        if "__extra__" in v:
            errors.add(row.line, "Die Zeile hat mehr Spalten als die Kopfzeile.")
            continue
        action_field = by_name.get(v["handlungsfeld"].lower())
        if action_field is None:
            errors.add(row.line, f"Das Handlungsfeld „{v['handlungsfeld']}“ ist unbekannt.")
            continue
        part = v["teilfeld"]
        if action_field.parts and part not in action_field.parts:
            errors.add(row.line, f"Im Handlungsfeld „{action_field.name}“ ist das Teilfeld „{part}“ unbekannt. Möglich: {', '.join(action_field.parts)}.")
            continue
        if not action_field.parts and part:
            errors.add(row.line, f"Das Handlungsfeld „{action_field.name}“ hat keine Teilfelder; bitte „teilfeld“ leer lassen.")
            continue
        m = _NR_RE.match(v["nr"])
        if not m or int(m.group("nr")) < 1:
            errors.add(row.line, f"Die Nummer „{v['nr']}“ ist ungültig. Erwartet: eine Zahl wie „3“ oder „3 (Teil 2)“.")
            continue
        number, position = int(m.group("nr")), int(m.group("part") or 1)
        key = (action_field.id, part, number, position)
        if key in seen:
            errors.add(row.line, f"Die Nummer „{v['nr']}“ gibt es im Handlungsfeld „{action_field.name}“{' (' + part + ')' if part else ''} schon in Zeile {seen[key]}.")
            continue
        seen[key] = row.line
        line_ok = True
        if not v["prioritaet"] and position == 1:
            errors.add(row.line, "Die Priorität fehlt. Möglich: sehr hoch, hoch, mittel (nur ein weiterer Teil darf ohne sein).")
            line_ok = False
        elif v["prioritaet"] and v["prioritaet"] not in PRIORITIES:
            errors.add(row.line, f"Die Priorität „{v['prioritaet']}“ ist unbekannt. Möglich: sehr hoch, hoch, mittel.")
            line_ok = False
        end_year = end_year_of(v["termin"])
        if end_year is None:
            errors.add(row.line, term_problem(v["termin"]) or "")
            line_ok = False
        try:
            lead = parse_leads(v["federfuehrend"], units)
        except ValueError as exc:
            errors.add(row.line, str(exc))
            line_ok = False
        if position == 1:
            if not v["massnahme"]:
                errors.add(row.line, "Die Bezeichnung der Maßnahme („massnahme“) fehlt.")
                line_ok = False
            if not v["inhalt"]:
                errors.add(row.line, "Der Inhalt der Maßnahme („inhalt“) fehlt.")
                line_ok = False
        else:
            parent = measures[-1] if measures else None
            follows = (parent is not None and bool(parent.rows)
                       and (parent.field.id, parent.part, parent.number) == (action_field.id, part, number)
                       and parent.rows[-1].position == position - 1)
            if not follows:
                errors.add(row.line, f"„{v['nr']}“ muss direkt nach Maßnahme {number} (oder deren Teil {position - 1}) stehen.")
                line_ok = False
            if v["massnahme"]:
                errors.add(row.line, "Bei einem weiteren Teil bleibt „massnahme“ leer.")
                line_ok = False
        if not line_ok:
            if position == 1:
                placeholder = ParsedRow(row.line, 1, None, LeadSpec("allein", None, []), None, "", 0, "")
                measures.append(ParsedMeasure(row.line, action_field, part, number, "", "", [placeholder], bad=True))
            elif measures and (measures[-1].field.id, measures[-1].part, measures[-1].number) == (action_field.id, part, number):
                measures[-1].bad = True
            continue
        parsed_row = ParsedRow(
            line=row.line, position=position, content=None if position == 1 else (v["inhalt"] or None), lead=lead,
            participants=v["beteiligte"] or None, deadline=" ".join(v["termin"].split()), end_year=end_year,
            priority=v["prioritaet"] or None,
        )
        if position == 1:
            measures.append(ParsedMeasure(row.line, action_field, part, number, v["massnahme"], v["inhalt"], [parsed_row]))
        else:
            measures[-1].rows.append(parsed_row)
    if not table:
        errors.add(2, "Die Datei enthält keine Maßnahmen.")
    _check_removed_rows(db, measures, errors)
    if errors:
        raise CatalogueError(errors.messages)
    return measures


def _check_removed_rows(db: Session, measures: list[ParsedMeasure], errors: ImportErrors) -> None:
    """A part that has reports cannot disappear by an import."""
    existing = _existing_measures(db)
    for parsed in measures:
        measure = existing.get((parsed.field.id, parsed.part, parsed.number))
        if measure is None or parsed.bad:
            continue
        dropped = [row.id for row in measure.rows if row.position > len(parsed.rows)]
        if dropped and db.scalar(select(func.count()).select_from(MeasureReport).where(MeasureReport.measure_row_id.in_(dropped))):
            errors.add(parsed.line, f"Maßnahme {parsed.number} hätte weniger Teile, aber zu den fehlenden Teilen gibt es schon Berichte.")


def _existing_measures(db: Session) -> dict[tuple[int, str, int], Measure]:
    return {(m.action_field_id, m.part, m.number): m for m in db.scalars(select(Measure))}


def _row_state(row: MeasureRow) -> tuple[Any, ...]:
    return (row.content, row.lead_mode, row.lead_all_scope, [u.id for u in row.lead_units], row.participants,
            row.deadline, row.end_year, row.priority)


def apply_row(row: MeasureRow, parsed: ParsedRow) -> None:
    """Take a parsed row over. The plan's wording of "Verantwortung" is dropped once the lead
    OEs or participants change (the tables then show the text built from them)."""
    if (row.lead_mode, row.lead_all_scope, [u.id for u in row.lead_units], row.participants) != (
            parsed.lead.mode, parsed.lead.scope, [u.id for u in parsed.lead.units], parsed.participants):
        row.responsibility = None
    row.content = parsed.content
    row.lead_mode = parsed.lead.mode
    row.lead_all_scope = parsed.lead.scope
    row.lead_units = list(parsed.lead.units)
    row.participants = parsed.participants
    row.deadline = parsed.deadline
    row.end_year = parsed.end_year
    row.priority = parsed.priority


def import_catalogue(db: Session, data: bytes, filename: str, *, dry_run: bool = False) -> ImportResult:
    """Validate the whole file, then add or change measures (one flush). Raises CatalogueError."""
    parsed_measures = parse_file(db, data, filename)
    existing = _existing_measures(db)
    result = ImportResult()
    for parsed in parsed_measures:
        label = f"{parsed.field.number}.{parsed.number}{' (' + parsed.part + ')' if parsed.part else ''}"
        measure = existing.get((parsed.field.id, parsed.part, parsed.number))
        if measure is None:
            result.added += 1
            result.lines.append(f"Zeile {parsed.line}: Maßnahme {label} neu")
            if dry_run:
                continue
            measure = Measure(field=parsed.field, part=parsed.part, number=parsed.number, title=parsed.title,
                              content=parsed.content, goal=None)
            for p in parsed.rows:
                row = MeasureRow(position=p.position)
                apply_row(row, p)
                measure.rows.append(row)
            db.add(measure)
            continue
        before = (measure.title, measure.content, [_row_state(r) for r in measure.rows])
        if not dry_run:
            _update_measure(db, measure, parsed)
            after = (measure.title, measure.content, [_row_state(r) for r in measure.rows])
        else:
            after = _would_be(measure, parsed)
        if before == after:
            result.unchanged += 1
            result.lines.append(f"Zeile {parsed.line}: Maßnahme {label} unverändert")
        else:
            result.changed += 1
            result.lines.append(f"Zeile {parsed.line}: Maßnahme {label} geändert")
    if not dry_run:
        db.flush()
        audit.record(db, "catalogue_imported", object_type="Measure", detail={
            "datei": filename, "neu": result.added, "geaendert": result.changed, "unveraendert": result.unchanged})
    return result


def _would_be(measure: Measure, parsed: ParsedMeasure) -> tuple[Any, ...]:
    rows = [(p.content, p.lead.mode, p.lead.scope, [u.id for u in p.lead.units], p.participants, p.deadline,
             p.end_year, p.priority) for p in parsed.rows]
    return (parsed.title, parsed.content, rows)


def _update_measure(db: Session, measure: Measure, parsed: ParsedMeasure) -> None:
    measure.title, measure.content = parsed.title, parsed.content
    by_position = {row.position: row for row in measure.rows}
    for p in parsed.rows:
        row = by_position.get(p.position)
        if row is None:
            row = MeasureRow(position=p.position)
            measure.rows.append(row)
        apply_row(row, p)
    for row in list(measure.rows):
        if row.position > len(parsed.rows):
            measure.rows.remove(row)


def reference_data(db: Session) -> str:
    """`portal setup`: the shipped catalogue, its corrections, and which edited rows differ from it."""
    added, total = load_shipped_catalogue(db)
    message = f"Maßnahmenkatalog: {added} neu, {total} insgesamt"
    corrected = apply_shipped_corrections(db)
    if corrected:
        message += f"; {len(corrected)} unveränderte Maßnahmen auf den berichtigten Text gebracht: {', '.join(corrected)}"
    differing = shipped_differences(db)
    if differing:
        count = "1 Maßnahme weicht" if len(differing) == 1 else f"{len(differing)} Maßnahmen weichen"
        message += (f"; {count} vom mitgelieferten Katalog ab (nicht überschrieben): "
                    f"{', '.join(differing)}. Übernehmen: „portal catalogue export --mitgeliefert“, dann "
                    "„portal catalogue import DATEI --dry-run --einzeln“ (siehe docs/measures.md)")
    return message
