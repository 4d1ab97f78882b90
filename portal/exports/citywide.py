"""City-wide exports built as export jobs (portal/exports/jobs.py): the council table
(Ratstabelle) as PDF, XLSX or CSV, the Auswertungstabelle of all OEs and the Selbstcheck
overview. The page's button starts a job; the progress page ("Export wird erstellt … x von y")
reloads itself without JavaScript (it can be turned off) and offers the file when it is ready. A job belongs to the
person who started it: for everyone else it does not exist (404).

The files are the same as the direct downloads (`…/ratstabelle.pdf`, `…/auswertung/export/xlsx`,
`…/uebersicht/csv`), which stay for links and scripts; the per-OE exports stay direct."""
from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Blueprint, abort, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import Session

from portal import audit
from portal.auth.access import signed_in
from portal.db import get_session
from portal.exports import jobs
from portal.exports.download import MIMETYPES, download
from portal.models.export_job import ExportJob

bp = Blueprint("exports", __name__, url_prefix="/exporte")

COUNCIL = "ratstabelle"
COMPLIANCE = "auswertungstabelle"
SELBSTCHECK = "selbstcheck_uebersicht"
FORMATS = {COUNCIL: ("pdf", "xlsx", "csv"), COMPLIANCE: ("pdf", "xlsx", "csv"), SELBSTCHECK: ("xlsx", "csv")}
TITLES = {COUNCIL: "Ratstabelle", COMPLIANCE: "Auswertungstabelle Schulungsauftrag (ganze Stadtverwaltung)",
          SELBSTCHECK: "Selbstcheck-Übersicht"}
Progress = Callable[[int, int], None]
REFRESH_SECONDS = 3


@jobs.register(COUNCIL)
def _council(db: Session, params: dict[str, Any], progress: Progress) -> tuple[bytes, str]:
    from portal.measures import tables
    from portal.models.measure import ReportingPeriod

    period = db.get(ReportingPeriod, int(params["period_id"]))
    if period is None:
        raise LookupError("Berichtszeitraum nicht gefunden")
    fmt = params["fmt"]
    return tables.council_export(db, period, fmt, progress), council_filename(period.id, fmt)


def council_filename(period_id: int, fmt: str) -> str:
    return f"ratstabelle-zeitraum-{period_id}.{fmt}"


@jobs.register(COMPLIANCE)
def _compliance(db: Session, params: dict[str, Any], progress: Progress) -> tuple[bytes, str]:
    from portal.trainings import exports

    data, name, _ = exports.render(db, params["fmt"], date.fromisoformat(params["stichtag"]), None, progress)
    return data, name


@jobs.register(SELBSTCHECK)
def _selbstcheck(db: Session, params: dict[str, Any], progress: Progress) -> tuple[bytes, str]:
    from portal.models.people import User
    from portal.selbstcheck import tables

    user = db.get(User, int(params["user_id"]))
    if user is None:
        raise LookupError("Person nicht gefunden")
    year, fmt = int(params["jahr"]), params["fmt"]
    progress(0, 2)
    rows = tables.overview_rows(db, year, user)  # the OEs the person who asked may see
    progress(1, 2)
    return tables.export(rows, year, fmt), f"Selbstcheck_Uebersicht_{year}.{fmt}"


def begin(kind: str, params: dict[str, Any]):  # noqa: ANN201 - a redirect response
    """Create the signed-in person's job of `kind`, start it and show its progress page."""
    if params.get("fmt") not in FORMATS[kind]:
        abort(400)
    db = get_session()
    job = jobs.create(db, kind, params, current_user.id)
    db.commit()
    jobs.start(job.id)
    return redirect(url_for("exports.job", job_id=job.id))


def _own_job_or_404(job_id: int) -> ExportJob:
    job = get_session().get(ExportJob, job_id)
    if job is None or job.kind not in FORMATS or job.created_by_id != current_user.id:
        abort(404)
    return job


@bp.route("/<int:job_id>")
@signed_in
def job(job_id: int):
    """The progress page. While the job runs the browser reloads it every three seconds without
    JavaScript (the `Refresh` header: a `<meta>` refresh is a WCAG 2.2.1 failure that axe-core
    reports); `?aktualisieren=aus` turns that off for whoever wants to reload by hand."""
    job = _own_job_or_404(job_id)
    state = jobs.page_state(job)
    auto = request.args.get("aktualisieren") != "aus"
    response = make_response(render_template("exports/job.html", title=TITLES[job.kind], auto=auto, **state))
    if state["running"] and auto:
        response.headers["Refresh"] = str(REFRESH_SECONDS)
    return response


@bp.route("/<int:job_id>/datei")
@signed_in
def job_download(job_id: int):
    job = _own_job_or_404(job_id)
    data = jobs.file_or_404(job)
    params = json.loads(job.params)
    fmt = params["fmt"]
    db = get_session()
    if job.kind == COUNCIL:
        from portal.models.measure import ReportingPeriod

        audit.record_read(db, "council_table_exported", obj=db.get(ReportingPeriod, int(params["period_id"])),
                          detail={"format": fmt})
    elif job.kind == COMPLIANCE:
        audit.record_read(db, "compliance_exported", org_unit_code=None,
                          detail={"format": fmt, "stichtag": params["stichtag"], "oe": "Gesamt"})
    else:
        audit.record_read(db, "selbstcheck_overview_export", detail={"jahr": int(params["jahr"]), "format": fmt})
    return download(data, job.download_name, MIMETYPES[fmt])
