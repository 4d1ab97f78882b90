"""Build the report file for a period: the job of the report page and the command line."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from portal.bericht import assembly, writers
from portal.exports.download import safe_filename
from portal.models.measure import ReportingPeriod

JOB_KIND = "bericht"
FORMATS = {"docx": "Word (DOCX)", "pdf": "PDF"}
MIMETYPE_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def build(db: Session, period: ReportingPeriod, fmt: str,
          progress: Callable[[int, int], None] | None = None) -> tuple[bytes, str]:
    if fmt not in FORMATS:
        raise ValueError(fmt)
    report = assembly.assemble(db, period, progress)
    data = writers.to_docx(report) if fmt == "docx" else writers.to_pdf(report)
    return data, f"{safe_filename(period.name)}.{fmt}"


def export_job(db: Session, params: dict[str, Any], progress: Callable[[int, int], None]) -> tuple[bytes, str]:
    period = db.get(ReportingPeriod, int(params["period_id"]))
    if period is None:
        raise LookupError("Berichtszeitraum nicht gefunden")
    return build(db, period, params["format"], progress)
