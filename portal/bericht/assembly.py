"""The report as a list of blocks (headings, paragraphs, lists, tables), assembled once and
written as DOCX or PDF, so both show the same content.

1. Einleitung — the text section.
2. Zahlen – Daten – Fakten — the fact sheet of each body for the reporting span
   (the day after the previous period's Stichtag, or the forming of the bodies, up to the Stichtag).
3. Umsetzungsstand — per Handlungsfeld its introduction, the goal statements and one table of the
   council-table rows (seven columns) with the Ampel; a legend of the colours.
4. Herausforderungen und Ausblick — the text section.
Anlagen — the Selbstcheck overview of the Stichtag's year (or the latest year before) and the
Auswertungstabelle of the training mandate.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.bericht import texts
from portal.gremien import facts
from portal.measures.catalogue import format_leads
from portal.measures.tables import CouncilLine, council_table
from portal.models.measure import (
    LIGHT_COLOURS,
    LIGHT_LABELS,
    LIGHT_ORDER,
    ActionField,
    MeasureRow,
    ReportingPeriod,
    WorkingGroup,
)
from portal.models.people import Role
from portal.selbstcheck.tables import COLOR_LABELS, overview_rows, years_with_data
from portal.trainings.rules import DEFAULT_CUTOFF
from portal.trainings.tables import HEADER, compliance_table, table_values

PLAN = "Aktionsplan Integration 2022 bis 2026"
CHAPTER_2 = "2. Zahlen – Daten – Fakten zur Arbeit der Koordinierungsgruppe und der Arbeitsgruppen"
CHAPTER_3 = "3. Umsetzungsstand der Maßnahmen in den kommunalen Handlungsfeldern"
ANNEXES = "Anlagen"
ANNEX_SELBSTCHECK = "Anlage 1 – Ergebnisse des Selbstchecks"
ANNEX_TRAININGS = "Anlage 2 – Auswertung des Schulungsauftrags"
MEASURE_COLUMNS = ["Nr.", "Maßnahme", "Inhalt, Erläuterungen", "federführend", "beteiligt", "Zeitraum",
                   "Priorität / Ampel"]
COLOUR_NAMES = {"rot": "Rot", "gelb": "Gelb", "gruen": "Grün"}
SELBSTCHECK_COLUMNS = ["OE", "Name der OE", "Teilbereich", "Stand", "Punkte gesamt", "Farbe"]
BODY_ORDER = {"KG": 0, "AG1": 1, "AG2": 2, "AG3": 3}


@dataclass
class Block:
    kind: str  # heading, paragraph, bullets, table
    text: str = ""
    level: int = 1
    items: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    rows: list[list[str] | str] = field(default_factory=list)  # a str row spans the table (sub-heading, goal)


@dataclass
class Report:
    title: str
    subtitle: str
    blocks: list[Block]
    stamp: date  # the Stichtag: the documents' dates, so a rebuild gives the same file

    def headings(self, level: int | None = None) -> list[str]:
        return [b.text for b in self.blocks if b.kind == "heading" and (level is None or b.level == level)]

    def tables(self) -> list[Block]:
        return [b for b in self.blocks if b.kind == "table"]


def span_of(db: Session, period: ReportingPeriod) -> tuple[date, date]:
    previous = db.scalar(select(ReportingPeriod.cutoff_on).where(ReportingPeriod.cutoff_on < period.cutoff_on)
                         .order_by(ReportingPeriod.cutoff_on.desc()).limit(1))
    return (previous + timedelta(days=1) if previous else facts.BODIES_FORMED), period.cutoff_on


def _text_blocks(body: str | None, placeholder: str) -> list[Block]:
    """Paragraphs separated by blank lines; lines starting with "- " become a list."""
    if not body or not body.strip():
        return [Block("paragraph", placeholder)]
    blocks: list[Block] = []
    for chunk in body.strip().split("\n\n"):
        lines = [line.strip() for line in chunk.splitlines() if line.strip()]
        if lines and all(line.startswith("- ") for line in lines):
            blocks.append(Block("bullets", items=[line[2:].strip() for line in lines]))
        elif lines:
            blocks.append(Block("paragraph", " ".join(lines)))
    return blocks


def measure_cells(line: CouncilLine, row: MeasureRow) -> list[str]:
    """The seven cells of a chapter-3 row, from a council-table line and its catalogue row."""
    return [line.nr, line.title, line.content, format_leads(row), row.participants or "", line.deadline,
            f"{line.priority} / {line.light_label}" if line.priority else line.light_label]


def chapter_3_tables(db: Session, period: ReportingPeriod) -> list[tuple[int, str, list[str], list[list[str] | str]]]:
    """(field number, field name, goal statements, rows) per Handlungsfeld; a str row names a Teilfeld."""
    table = council_table(db, period)
    rows = {r.id: r for r in db.scalars(select(MeasureRow))}
    result: list[tuple[int, str, list[str], list[list[str] | str]]] = []
    for section in table.sections():
        goals: list[str] = []
        body: list[list[str] | str] = []
        for part, lines in section.parts:
            if part:
                body.append(part)
            for line in lines:
                if line.goal and line.goal not in goals:
                    goals.append(line.goal)
                body.append(measure_cells(line, rows[line.row_id]))
        result.append((section.number, section.name, goals, body))
    return result


def _legend() -> Block:
    items = [f"{COLOUR_NAMES[LIGHT_COLOURS[light]]}: {LIGHT_LABELS[light]}" for light in LIGHT_ORDER]
    return Block("bullets", items=[*items, "ohne Farbe: kein Bericht"])


def _fact_sheet_blocks(sheet: facts.FactSheet) -> list[Block]:
    blocks = [Block("heading", sheet.title, level=2), Block("paragraph", "Leitung")]
    for lead in sheet.leads:
        since = f" (ab {lead.valid_from:%d.%m.%Y})" if lead.valid_from > sheet.start else ""
        contact = ", ".join(x for x in (f"Tel. {lead.phone}" if lead.phone else "", lead.email) if x)
        blocks.append(Block("paragraph", ", ".join(x for x in (lead.name, lead.function, lead.origin) if x) + since
                            + (f" – {contact}" if contact else "")))
    if not sheet.leads:
        blocks.append(Block("paragraph", "nicht eingetragen"))
    for deputy in sheet.deputies:
        blocks.append(Block("paragraph", f"Stellvertretung: {', '.join(x for x in (deputy.name, deputy.function, deputy.origin) if x)}"))
    blocks.append(Block("paragraph", f"Anzahl der Mitglieder: {sheet.members}"))
    for label, count, names in sheet.affiliation_lines():
        blocks.append(Block("paragraph", f"{label}: {count}" + (f" ({names})" if names else "")))
        if label.startswith("davon aus der Landeshauptstadt") and sheet.city_units:
            blocks.append(Block("paragraph", "u. a. aus folgenden Ämtern/Eigenbetrieben:"))
            blocks.append(Block("bullets", items=list(sheet.city_units)))
    blocks.append(Block("paragraph", f"Anzahl der Sitzungen: {sheet.meeting_count}"))
    blocks.append(Block("paragraph", f"Anzahl der bearbeiteten Themen: {sheet.topic_count}"))
    if sheet.topics:
        blocks.append(Block("bullets", items=list(sheet.topics)))
    blocks.append(Block("paragraph", f"Anzahl der eingeladenen Gäste/Referierenden: {sheet.guest_count}"))
    if sheet.guests:
        blocks.append(Block("paragraph", "u. a. zu folgenden Themen"))
        blocks.append(Block("bullets", items=[topic for _name, topic in sheet.guests]))
    if sheet.notes:
        blocks.append(Block("paragraph", "Sonstiges"))
        blocks.append(Block("bullets", items=list(sheet.notes)))
    return blocks


class _Office:
    """The Integrationsbüro's view for the annex tables (every OE)."""

    org_unit_id = None

    def has_role(self, *roles: str) -> bool:
        return Role.INTEGRATIONSBUERO in roles


def _selbstcheck_annex(db: Session, period: ReportingPeriod) -> list[Block]:
    years = [y for y in years_with_data(db) if y <= period.cutoff_on.year]
    year = years[0] if years else period.cutoff_on.year
    rows = [[r.org_unit_code, r.org_unit_name or "", r.sub_unit or "", r.state_label,
             "" if r.total is None else str(r.total), COLOR_LABELS.get(r.color or "", "")]
            for r in overview_rows(db, year, _Office())  # type: ignore[arg-type]
            if r.selbstcheck_id is not None]
    blocks = [Block("heading", f"{ANNEX_SELBSTCHECK} {year}", level=2)]
    if not rows:
        return [*blocks, Block("paragraph", f"Für {year} liegen keine Selbstchecks vor.")]
    return [*blocks, Block("table", header=SELBSTCHECK_COLUMNS, rows=rows)]


def _trainings_annex(db: Session) -> list[Block]:
    rows = [[("" if v is None else str(v)) for v in values] for values in table_values(compliance_table(db))]
    return [Block("heading", ANNEX_TRAININGS, level=2),
            Block("paragraph", f"Stand der Auswertungstabelle zum Stichtag {DEFAULT_CUTOFF:%d.%m.%Y} "
                               "(Festlegung des Oberbürgermeisters: Schulungen bis 12/2025)."),
            Block("table", header=list(HEADER), rows=rows)]


def assemble(db: Session, period: ReportingPeriod, progress: Callable[[int, int], None] | None = None) -> Report:
    step = progress or (lambda done, total: None)
    total = 5
    saved = texts.latest_texts(db, period)

    def text(key: str) -> str | None:
        return saved[key].body if key in saved else None

    blocks: list[Block] = [Block("heading", texts.FIXED_SECTIONS["einleitung"], level=1),
                           *_text_blocks(text("einleitung"), "(Die Einleitung ist noch nicht geschrieben.)")]
    step(1, total)
    start, end = span_of(db, period)
    blocks += [Block("heading", CHAPTER_2, level=1),
               Block("paragraph", f"Berichtszeitraum: {start:%d.%m.%Y} bis {end:%d.%m.%Y}.")]
    groups = sorted(db.scalars(select(WorkingGroup)), key=lambda g: (BODY_ORDER.get(g.code, 9), g.code))
    for group in groups:
        blocks += _fact_sheet_blocks(facts.fact_sheet(db, group, start, end))
    step(2, total)
    blocks += [Block("heading", CHAPTER_3, level=1),
               Block("paragraph", "Erfüllungsstand (Ampel) nach Bewertung der Arbeitsgruppen, sonst nach den "
                                  "angenommenen Berichten der Organisationseinheiten:"), _legend()]
    field_codes = {number: code for number, code in db.execute(select(ActionField.number, ActionField.code))}
    for number, name, goals, rows in chapter_3_tables(db, period):
        blocks.append(Block("heading", f"{number}. {name}", level=2))
        intro = text(f"{texts.FIELD_PREFIX}{field_codes.get(number, '')}")
        if intro:
            blocks += _text_blocks(intro, "")
        for goal in goals:
            blocks.append(Block("paragraph", goal))
        blocks.append(Block("table", text=f"Maßnahmen im Handlungsfeld {number}. {name}", header=list(MEASURE_COLUMNS),
                            rows=rows))
    step(3, total)
    blocks += [Block("heading", texts.FIXED_SECTIONS["ausblick"], level=1),
               *_text_blocks(text("ausblick"), "(Kapitel 4 ist noch nicht geschrieben.)"),
               Block("heading", ANNEXES, level=1)]
    blocks += _selbstcheck_annex(db, period)
    step(4, total)
    blocks += _trainings_annex(db)
    step(5, total)
    return Report(title=f"{PLAN} – {period.name}", subtitle=f"Stichtag {period.cutoff_on:%d.%m.%Y}", blocks=blocks,
                  stamp=period.cutoff_on)

