"""The per-OE dossier: Selbstcheck result with colour, training compliance, measures
with the reported and the assessed Ampel — one PDF and one XLSX per OE.

Nothing is computed here that a feature computes itself: the Selbstcheck rows come
from ``portal.selbstcheck.tables.overview_rows``, the measure lines from
``portal.measures.tables.council_table`` (the council table), and the training
rows from the compliance table of the trainings feature (a registered part). A
:class:`DossierContext` builds those tables once, so the ZIP of all OEs costs the
same few statements as one dossier plus one render per OE.
"""
from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.exports.download import safe_filename
from portal.exports.local_time import write_xlsx
from portal.exports.pdf import shared_fonts
from portal.measures import tables as measure_tables
from portal.measures.services import expected_pairs
from portal.measures.tables import light_label
from portal.models.measure import MeasureReport, ReportingPeriod
from portal.models.org import OrgUnit
from portal.models.people import Role, User
from portal.models.workflow import STATE_LABELS, State
from portal.selbstcheck import tables as sc_tables
from portal.selbstcheck.tables import COLOR_LABELS

SELBSTCHECK_HEADER = ["OE", "Teilbereich", "Jahr", "Stand", "Fassung", "Punkte gesamt", "Farbe", "Bewertung",
                      "Selbstcheck-ID", "Fassungs-ID"]
MEASURE_HEADER = ["Handlungsfeld", "Teilfeld", "Nr.", "Maßnahme", "Termin", "Priorität", "Stand des Berichts der OE",
                  "Von der OE berichtete Ampel", "Erfüllungsstand (Ratstabelle)", "Quelle", "Klärungsbedarf",
                  "Bericht-ID", "Teil-ID"]


@dataclass
class MeasureLine:
    """A council-table line of a measure row the OE leads, with the OE's own report."""

    council: Any  # portal.measures.tables.CouncilLine (the very line of the council table)
    report_id: int | None
    report_state: str | None
    reported_light: str | None

    def cells(self) -> list[Any]:
        c = self.council
        return [c.field_name, c.part, c.nr, c.title, c.deadline, c.priority,
                STATE_LABELS[State(self.report_state)] if self.report_state else "kein Bericht",
                light_label(self.reported_light) if self.reported_light else "", c.light_label,
                {"AG": "Arbeitsgruppe", "OE": "Berichte der OE"}.get(c.source or "", ""),
                "ja" if c.clarification else "", self.report_id, c.row_id]


@dataclass
class DossierPart:
    """A section a feature contributes (e.g. the training compliance, portal/trainings/dossier.py)."""

    title: str
    tables: list[tuple[str, list[str], list[list[Any]]]]  # (caption, header, rows)
    notes: list[str] = field(default_factory=list)


# key → builder(db, context, unit) -> DossierPart | None of every installed feature (`Feature.dossier_sections`)
SECTIONS: dict[str, Callable[[Session, DossierContext, OrgUnit], DossierPart | None]] = {}


@dataclass
class Dossier:
    unit: OrgUnit
    detailed: bool  # persons shown (the integration office), else numbers only
    year: int
    selbstcheck_rows: list[Any]
    period: ReportingPeriod | None
    measure_lines: list[MeasureLine]
    parts: list[DossierPart]
    made_on: date

    def sheets(self) -> list[tuple[str, list[str], list[list[Any]]]]:
        sc = [[r.org_unit_code, r.sub_unit or None, self.year, r.state_label, r.version_number, r.total,
               COLOR_LABELS.get(r.color or ""), r.band_label, r.selbstcheck_id, r.version_id] for r in self.selbstcheck_rows]
        sheets = [(f"Selbstcheck {self.year}", SELBSTCHECK_HEADER, sc)]
        for part in self.parts:
            for caption, header, rows in part.tables:
                sheets.append((caption, header, rows))
            if part.notes:
                sheets.append((f"{part.title} Hinweise", ["Hinweis"], [[n] for n in part.notes]))
        sheets.append(("Maßnahmen", MEASURE_HEADER, [line.cells() for line in self.measure_lines]))
        return sheets


class DossierContext:
    """Tables built once for any number of dossiers (each query runs once)."""

    def __init__(self, db: Session, user: User, year: int | None = None, period: ReportingPeriod | None = None,
                 *, many: bool = False) -> None:
        self.db, self.user, self.many = db, user, many
        self.detailed = user.has_role(Role.INTEGRATIONSBUERO)
        years = sc_tables.years_with_data(db)
        self.year = year or (years[0] if years else date.today().year)
        self.selbstcheck_rows = sc_tables.overview_rows(db, self.year, user)
        self.period = period or dossier_period(db)
        self.council = measure_tables.council_table(db, self.period) if self.period else None
        pairs = expected_pairs()
        self.rows_by_unit: dict[int, set[int]] = {}
        for row_id, unit_id in db.execute(select(pairs.c.measure_row_id, pairs.c.org_unit_id)):
            self.rows_by_unit.setdefault(unit_id, set()).add(row_id)
        self.reports: dict[tuple[int, int], tuple[int, str, str | None]] = {}
        if self.period is not None:
            for rid, row_id, unit_id, state, light in db.execute(
                    select(MeasureReport.id, MeasureReport.measure_row_id, MeasureReport.org_unit_id,
                           MeasureReport.state, MeasureReport.light).where(MeasureReport.period_id == self.period.id)):
                self.reports[(unit_id, row_id)] = (rid, state, light)
        self.cache: dict[str, Any] = {}  # for registered parts

    def dossier(self, unit: OrgUnit) -> Dossier:
        lines: list[MeasureLine] = []
        if self.council is not None:
            led = self.rows_by_unit.get(unit.id, set())
            for line in self.council.lines:
                if line.row_id in led or (unit.id, line.row_id) in self.reports:
                    rid, state, light = self.reports.get((unit.id, line.row_id), (None, None, None))
                    reported = light if state in (State.SUBMITTED.value, State.ACCEPTED.value) else None
                    lines.append(MeasureLine(line, rid, state, reported))
        parts = [p for build in SECTIONS.values() if (p := build(self.db, self, unit)) is not None]
        return Dossier(unit, self.detailed, self.year, [r for r in self.selbstcheck_rows if r.org_unit_id == unit.id],
                       self.period, lines, parts, date.today())


def dossier_period(db: Session) -> ReportingPeriod | None:
    """The open reporting period, else the one with the latest Stichtag."""
    return db.scalar(select(ReportingPeriod).order_by(ReportingPeriod.is_open.desc(), ReportingPeriod.cutoff_on.desc(),
                                                      ReportingPeriod.id.desc()).limit(1))


def render_xlsx(d: Dossier) -> bytes:
    return write_xlsx(d.sheets(), title=f"Dossier {d.unit.code} – Aktionsplan Integration")


def render_pdf(d: Dossier) -> bytes:
    from portal.exports.pdf import render_pdf as pdf  # noqa: PLC0415 - WeasyPrint loads only when a PDF is made

    return pdf("pdf/review_dossier.html", d=d)


def file_stem(unit: OrgUnit) -> str:
    return safe_filename(f"Dossier_{unit.code}")


SPOOL_BYTES = 1024 * 1024  # a ZIP larger than this lies in an unnamed temporary file, not in memory


def write_zip(db: Session, user: User, units: list[OrgUnit], progress: Callable[[int, int], None],
              out: BinaryIO) -> None:
    """Write the dossiers of `units` as a ZIP into `out`, one OE at a time: each dossier's PDF and
    XLSX go into the archive (and out of memory) before the next OE is rendered."""
    context = DossierContext(db, user, many=True)
    with shared_fonts(), zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, unit in enumerate(units, start=1):
            d = context.dossier(unit)
            # end the read before rendering: outside a request a SQLite transaction holds the
            # write lock (BEGIN IMMEDIATE), and every form would wait for the PDF
            db.commit()
            stem = file_stem(unit)
            zf.writestr(f"{stem}.pdf", render_pdf(d))
            zf.writestr(f"{stem}.xlsx", render_xlsx(d))
            del d
            progress(n, len(units))


def build_zip(db: Session, user: User, units: list[OrgUnit], progress: Callable[[int, int], None]) -> bytes:
    buf = io.BytesIO()
    write_zip(db, user, units, progress, buf)
    return buf.getvalue()


ZIP_JOB = "review_dossiers"


def zip_job(db: Session, params: dict[str, Any], progress: Callable[[int, int], None]) -> tuple[BinaryIO, str]:
    """The city-wide ZIP, written to a spooled temporary file (0600, gone when closed) that the
    job copies to the storage in chunks: memory holds one dossier, whatever the number of OEs."""
    user = db.get(User, params["user_id"])
    units = list(db.scalars(select(OrgUnit).where(OrgUnit.retired_on.is_(None)).order_by(OrgUnit.code)))
    progress(0, len(units))
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - the job closes it
    try:
        write_zip(db, user, units, progress, out)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out, f"Dossiers_aller_OE_{date.today():%Y-%m-%d}.zip"
