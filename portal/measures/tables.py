"""Rows of the council table and the period's evaluations, built once for the page,
CSV, XLSX and PDF. Every line keeps the ids behind its light.

Which light the council table shows (Erfüllungsstand):

1. the working group's assessed light for the measure, when the AG-Leitung set one
   for the period (source "AG");
2. otherwise the least advanced light of the *accepted* OE reports for that measure
   row (source "OE"): one OE "Umsetzung offen" and one "umgesetzt" give "Umsetzung offen";
3. otherwise no light: "kein Bericht".

Klärungsbedarf is marked when an accepted report for the row says so.
A measure row is past its deadline when its end year is before the year of the
period's Stichtag and its light is not "umgesetzt" (also when there is no light).
Counts per field count measures; the light of a measure is the AG's light, or the
least advanced light of the accepted reports of all its rows.
OEs that have not reported: every OE that leads a row (named, or as one of "alle …"
active today) and has no submitted or accepted report for it in the period.

The layout of the seed's chapter 3 (:meth:`CouncilTable.layout`): per field of action and
part one table after another; a new table starts where the goal statement(s) or the
sub-heading change, and they stand before it. Seven columns: Nr., Maßnahme, Inhalt und
Erläuterungen (lists as lists), Verantwortung und weitere Beteiligte (as the plan writes it),
Termin oder Laufzeit, Priorität, Erfüllungsstand; a legend of the Ampel explains the colours.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal import audit
from portal.exports.local_time import write_csv, write_xlsx
from portal.exports.writers import Styled
from portal.measures.catalogue import format_leads, ordered_measures
from portal.measures.services import least_advanced, units_missing_reports
from portal.measures.terms import is_overdue
from portal.models.measure import (
    LEAD_NOT_SET,
    LIGHT_COLOURS,
    LIGHT_LABELS,
    LIGHT_ORDER,
    GroupAssessment,
    MeasureReport,
    ReportingPeriod,
    TrafficLight,
)
from portal.models.workflow import State

COUNCIL_HEADER = ["Handlungsfeld", "Teilfeld", "Nr.", "Maßnahme", "Verantwortung", "Termin", "Priorität",
                  "Erfüllungsstand", "Klärungsbedarf", "Inhalt, Erläuterungen", "Ziel", "Zwischenüberschrift"]
# the seven columns of the seed's tables
SEED_COLUMNS = ["Nr.", "Maßnahme", "Inhalt, Erläuterungen", "Verantwortung, weitere Beteiligte", "Termin oder Laufzeit",
                "Priorität", "Erfüllungsstand"]
NO_LIGHT = "kein Bericht"
LEAD_NOT_SET_NOTE = "federführend: nicht festgelegt"
# (colour class or None, word in the table, meaning as the interim report explains it)
LEGEND = [
    ("rot", "Umsetzung offen", "rot: Umsetzung der Maßnahme offen"),
    ("gelb", "in Umsetzung", "gelb: Maßnahme in Umsetzung"),
    ("gruen", "umgesetzt", "grün: Maßnahme ist umgesetzt"),
    (None, NO_LIGHT, "noch kein angenommener Bericht einer OE und keine Bewertung der Arbeitsgruppe"),
    (None, "Klärungsbedarf", "interner Klärungsbedarf"),
]
LEGEND_TITLE = "Legende: Erfüllungsstand (Ampel)"


def content_blocks(text: str | None) -> list[tuple[str, Any]]:
    """Paragraphs and lists of an "Inhalt, Erläuterungen" text.

    A line "- x" is a list item, "  - x" an item of a list inside the item above; any other
    line is a paragraph. Returns [("p", text) | ("ul", [(item, [sub items])])]."""
    blocks: list[tuple[str, Any]] = []
    for line in (text or "").split("\n"):
        if line.startswith("  - ") and blocks and blocks[-1][0] == "ul":
            blocks[-1][1][-1][1].append(line[4:])
        elif line.startswith("- ") or line.startswith("  - "):
            if not blocks or blocks[-1][0] != "ul":
                blocks.append(("ul", []))
            blocks[-1][1].append((line.lstrip()[2:], []))
        elif line.strip():
            blocks.append(("p", line))
    return blocks


def content_as_text(text: str | None) -> str:
    """The content for a spreadsheet cell: lists with bullets, one item per line."""
    lines = []
    for kind, value in content_blocks(text):
        if kind == "p":
            lines.append(value)
            continue
        for item, subs in value:
            lines.append(f"• {item}")
            lines += [f"    ◦ {sub}" for sub in subs]
    return "\n".join(lines)


def light_label(light: str | None) -> str:
    return LIGHT_LABELS[TrafficLight(light)] if light else NO_LIGHT


def light_colour(light: str | None) -> str | None:
    return LIGHT_COLOURS[TrafficLight(light)] if light else None


@dataclass
class CouncilLine:
    measure_id: int
    row_id: int
    field_number: int
    field_name: str
    part: str
    nr: str
    title: str
    responsibility: str
    deadline: str
    end_year: int
    priority: str
    light: str | None
    source: str | None  # "AG", "OE" or None
    clarification: bool
    report_ids: list[int] = field(default_factory=list)
    assessment_id: int | None = None
    goal: str | None = None
    # the seed's layout: content of the row (the measure's for the main row), table context
    content: str = ""
    is_main: bool = True
    heading: str | None = None
    lead_not_set: bool = False

    @property
    def goals(self) -> list[str]:
        return [g.strip() for g in (self.goal or "").split("\n\n") if g.strip()]

    @property
    def content_blocks(self) -> list[tuple[str, Any]]:
        return content_blocks(self.content)

    @property
    def seed_title(self) -> str:
        """The Maßnahme cell as the plan shows it: empty for an extra part."""
        return self.title if self.is_main else ""

    @property
    def lead_note(self) -> str | None:
        return LEAD_NOT_SET_NOTE if self.lead_not_set else None

    @property
    def status_text(self) -> str:
        return self.light_label + (" – Klärungsbedarf" if self.clarification else "")

    def seed_cells(self) -> list[Any]:
        """The seven columns of the seed's table, as text."""
        responsibility = self.responsibility + (f"\n({self.lead_note})" if self.lead_note else "")
        return [self.nr, self.seed_title, content_as_text(self.content), responsibility, self.deadline,
                self.priority or "", self.status_text]

    @property
    def light_label(self) -> str:
        return light_label(self.light)

    @property
    def colour(self) -> str | None:
        return light_colour(self.light)

    def cells(self) -> list[Any]:
        return [self.field_name, self.part, self.nr, self.title, self.responsibility, self.deadline, self.priority,
                self.light_label, "ja" if self.clarification else "", self.content, "\n\n".join(self.goals),
                self.heading or ""]


@dataclass
class FieldSection:
    number: int
    name: str
    parts: list[tuple[str, list[CouncilLine]]]


@dataclass
class CouncilBlock:
    """One table of the seed's layout with what stands before it."""

    heading: str | None
    goals: list[str]
    lines: list[CouncilLine]


@dataclass
class LayoutSection:
    number: int
    name: str
    parts: list[tuple[str, list[CouncilBlock]]]


@dataclass
class CouncilTable:
    period: ReportingPeriod
    lines: list[CouncilLine]
    measure_lights: dict[int, str | None]  # measure id → light (for the counts)
    measure_fields: dict[int, tuple[int, str]]

    def sections(self) -> list[FieldSection]:
        sections: list[FieldSection] = []
        for line in self.lines:
            if not sections or sections[-1].number != line.field_number:
                sections.append(FieldSection(line.field_number, line.field_name, []))
            parts = sections[-1].parts
            if not parts or parts[-1][0] != line.part:
                parts.append((line.part, []))
            parts[-1][1].append(line)
        return sections

    def layout(self) -> list[LayoutSection]:
        """Fields → parts → tables, each table with its sub-heading and goal statements."""
        layout: list[LayoutSection] = []
        for section in self.sections():
            parts = []
            for part, lines in section.parts:
                blocks: list[CouncilBlock] = []
                for line in lines:
                    if not blocks or (line.is_main and (blocks[-1].goals, blocks[-1].heading) != (line.goals, line.heading)):
                        blocks.append(CouncilBlock(line.heading, line.goals, []))
                    blocks[-1].lines.append(line)
                parts.append((part, blocks))
            layout.append(LayoutSection(section.number, section.name, parts))
        return layout


def responsibility(row) -> str:  # noqa: ANN001 - MeasureRow
    """Verantwortung, weitere Beteiligte: as the plan writes it, else built from the lead OEs."""
    if row.responsibility:
        return row.responsibility
    text = format_leads(row)
    return f"{text}, {row.participants}" if row.participants else text


def council_table(db: Session, period: ReportingPeriod) -> CouncilTable:
    accepted = db.execute(
        select(MeasureReport.id, MeasureReport.measure_row_id, MeasureReport.light, MeasureReport.clarification_needed)
        .where(MeasureReport.period_id == period.id, MeasureReport.state == State.ACCEPTED.value)
    ).all()
    by_row: dict[int, list[tuple[int, str, bool]]] = {}
    for report_id, row_id, light, clarification in accepted:
        by_row.setdefault(row_id, []).append((report_id, light, clarification))
    newest = (select(func.max(GroupAssessment.id)).where(GroupAssessment.period_id == period.id)
              .group_by(GroupAssessment.measure_id))
    assessments = {measure_id: (aid, light) for aid, measure_id, light in db.execute(
        select(GroupAssessment.id, GroupAssessment.measure_id, GroupAssessment.light).where(GroupAssessment.id.in_(newest)))}
    lines: list[CouncilLine] = []
    measure_lights: dict[int, str | None] = {}
    measure_fields: dict[int, tuple[int, str]] = {}
    for measure in ordered_measures(db):
        assessment = assessments.get(measure.id)
        all_lights: list[str | None] = []
        for row in measure.rows:
            reports = by_row.get(row.id, [])
            row_light = least_advanced([light for _, light, _ in reports])
            all_lights += [light for _, light, _ in reports]
            if assessment:
                light, source = assessment[1], "AG"
            else:
                light, source = row_light, ("OE" if row_light else None)
            lines.append(CouncilLine(
                measure_id=measure.id, row_id=row.id, field_number=measure.field.number, field_name=measure.field.name,
                part=measure.part, nr=str(measure.number) if row.is_main else f"{measure.number} (Teil {row.position})",
                title=measure.title if row.is_main else (row.content or ""), responsibility=responsibility(row),
                deadline=row.deadline, end_year=row.end_year, priority=row.priority, light=light, source=source,
                clarification=any(c for _, _, c in reports), report_ids=[rid for rid, _, _ in reports],
                assessment_id=assessment[0] if assessment else None, goal=measure.goal,
                content=measure.content if row.is_main else (row.content or ""), is_main=row.is_main,
                heading=measure.heading, lead_not_set=row.lead_mode == LEAD_NOT_SET and bool(row.responsibility),
            ))
        measure_lights[measure.id] = assessment[1] if assessment else least_advanced(all_lights)
        measure_fields[measure.id] = (measure.field.number, measure.field.name)
    return CouncilTable(period, lines, measure_lights, measure_fields)


# ---------------------------------------------------------------- evaluations

COUNT_HEADER = ["Handlungsfeld", "Umsetzung offen", "in Umsetzung", "umgesetzt", "kein Bericht", "Maßnahmen"]


def status_counts(table: CouncilTable) -> list[list[Any]]:
    """Measures per field and light, with a total line at the end."""
    counts: dict[tuple[int, str], dict[str | None, int]] = {}
    for measure_id, light in table.measure_lights.items():
        key = table.measure_fields[measure_id]
        counts.setdefault(key, {}).setdefault(light, 0)
        counts[key][light] += 1
    order = [light.value for light in LIGHT_ORDER] + [None]
    rows = []
    totals = [0] * (len(order) + 1)
    for (number, name), per in sorted(counts.items()):
        values = [per.get(light, 0) for light in order]
        values.append(sum(values))
        totals = [a + b for a, b in zip(totals, values, strict=True)]
        rows.append([f"{number}. {name}", *values])
    rows.append(["Gesamt", *totals])
    return rows


OVERDUE_HEADER = ["Handlungsfeld", "Teilfeld", "Nr.", "Maßnahme", "Verantwortung", "Termin", "Erfüllungsstand"]


def overdue_lines(table: CouncilTable) -> list[CouncilLine]:
    """Rows whose term has passed before the Stichtag and that are not "umgesetzt" — the rule
    of `portal.measures.terms` (docs/measures.md): "2024" is due on 31.12.2024 and overdue
    from 01.01.2025; "ab 2023" and "fortlaufend" are never overdue."""
    cutoff = table.period.cutoff_on
    return [line for line in table.lines
            if is_overdue(line.deadline, cutoff, done=line.light == TrafficLight.DONE.value)]


MISSING_HEADER = ["OE", "Name", "Zu berichten", "Berichtet", "Fehlen"]


def missing_reports(db: Session, period: ReportingPeriod) -> list[list[Any]]:
    """OEs with measure rows that lack a submitted or accepted report in the period."""
    return [[unit.code, unit.name or "", expected, reported, expected - reported]
            for unit, expected, reported in units_missing_reports(db, period.id)]


# ---------------------------------------------------------------- files

def council_export(db: Session, period: ReportingPeriod, fmt: str,
                   progress: Callable[[int, int], None] | None = None) -> bytes:
    """The file in `fmt`; `progress(done, total)` after each step (an export job's page shows it)."""
    from portal.exports.pdf import render_pdf  # noqa: PLC0415 - WeasyPrint loads only when a PDF is made

    step = progress or (lambda done, total: None)
    step(0, 3)
    table = council_table(db, period)
    step(1, 3)
    if fmt == "csv":
        return write_csv(COUNCIL_HEADER, [line.cells() for line in table.lines])
    overdue = overdue_lines(table)
    counts = status_counts(table)
    missing = missing_reports(db, period)
    step(2, 3)
    if fmt == "xlsx":
        return write_xlsx([
            (LAYOUT_SHEET, None, layout_rows(table)),
            ("Ratstabelle", COUNCIL_HEADER, [line.cells() for line in table.lines]),
            ("Stand je Handlungsfeld", COUNT_HEADER, counts),
            ("Termin überschritten", OVERDUE_HEADER, [_overdue_cells(line) for line in overdue]),
            ("Fehlende Berichte", MISSING_HEADER, missing),
        ], title=f"Aktionsplan Integration – {period.name}", widths={LAYOUT_SHEET: LAYOUT_WIDTHS})
    if fmt == "pdf":
        return render_pdf("pdf/measures_council.html", table=table, sections=table.sections(), layout=table.layout(),
                          legend=LEGEND, legend_title=LEGEND_TITLE, columns=SEED_COLUMNS, counts=counts,
                          count_header=COUNT_HEADER, overdue=overdue, missing=missing, period=period)
    raise ValueError(fmt)


LAYOUT_SHEET = "Stadtratsbericht"
LAYOUT_WIDTHS = (11, 38, 70, 38, 14, 10, 24)
FILLS = {"rot": "F4A6A6", "gelb": "FFE27A", "gruen": "A5D6A7"}


def council_title(period: ReportingPeriod) -> str:
    return f"Aktionsplan Integration 2022 bis 2026 – Erfüllungsstand: {period.name}"


def layout_rows(table: CouncilTable) -> list[list[Any]]:
    """The council table in the seed's layout for a spreadsheet: title, legend, then per
    field and part the sub-heading and goal statements before each table of seven columns."""
    rows: list[list[Any]] = [
        [Styled(council_title(table.period), bold=True)],
        [f"Stichtag {table.period.cutoff_on.strftime('%d.%m.%Y')}"],
        [],
        [Styled(LEGEND_TITLE, bold=True)],
        *[[Styled(word, bold=True, fill=FILLS.get(colour or "")), meaning] for colour, word, meaning in LEGEND],
    ]
    for section in table.layout():
        rows += [[], [Styled(f"{section.number}. {section.name}", bold=True)]]
        for part, blocks in section.parts:
            if part:
                rows.append([Styled(part, bold=True)])
            for block in blocks:
                if block.heading:
                    rows.append([Styled(block.heading, bold=True)])
                rows += [[Styled(goal, italic=True)] for goal in block.goals]
                rows.append([Styled(column, bold=True, wrap=True) for column in SEED_COLUMNS])
                for line in block.lines:
                    cells: list[Any] = [Styled(value, wrap=True) for value in line.seed_cells()]
                    cells[-1] = Styled(line.status_text, wrap=True, bold=bool(line.light), fill=FILLS.get(line.colour or ""))
                    rows.append(cells)
    return rows


def _overdue_cells(line: CouncilLine) -> list[Any]:
    return [line.field_name, line.part, line.nr, line.title, line.responsibility, line.deadline, line.light_label]


def council_job(db: Session, params: dict[str, Any], progress: Callable[[int, int], None]) -> tuple[bytes, str]:
    """The council table as an export job (portal/exports/citywide.py)."""
    period = db.get(ReportingPeriod, int(params["period_id"]))
    if period is None:
        raise LookupError("Berichtszeitraum nicht gefunden")
    fmt = params["fmt"]
    return council_export(db, period, fmt, progress), f"ratstabelle-zeitraum-{period.id}.{fmt}"


def council_job_downloaded(db: Session, params: dict[str, Any]) -> None:
    audit.record_read(db, "council_table_exported", obj=db.get(ReportingPeriod, int(params["period_id"])),
                      detail={"format": params["fmt"]})
