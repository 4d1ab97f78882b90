"""City-wide exports built as export jobs (portal/exports/jobs.py) with a progress page: the
council table (Ratstabelle) as PDF, XLSX or CSV, the Auswertungstabelle of all OEs and the
Selbstcheck overview. The feature's page has a button per format that starts a job
(`begin`); the progress page ("Export wird erstellt … x von y") reloads itself without
JavaScript (it can be turned off) and offers the file when it is ready. A job belongs to the
person who started it: for everyone else it does not exist (404).

This module knows no feature: each one names its job kinds' builders (`Feature.export_jobs`)
and their pages (`Feature.job_pages`, a `JobPage`). The direct downloads (`…/ratstabelle.pdf`,
`…/auswertung/export/xlsx`, `…/uebersicht/csv`) stay for links and scripts."""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, redirect, url_for
from flask_login import current_user
from sqlalchemy.orm import Session

from portal.auth.access import signed_in
from portal.db import get_session
from portal.exports import jobs
from portal.exports.download import MIMETYPES
from portal.models.export_job import ExportJob

bp = Blueprint("exports", __name__, url_prefix="/exporte")

# the kinds of the city-wide exports (their builders and pages belong to the measures, trainings and
# selbstcheck features)
COUNCIL = "ratstabelle"
COMPLIANCE = "auswertungstabelle"
SELBSTCHECK = "selbstcheck_uebersicht"


@dataclass(frozen=True)
class JobPage:
    """How the jobs of one kind are shown: the progress page's title, the formats a form may ask
    for, the roles that may start them (checked again on the page and the download: a person who
    lost the role no longer gets the file), and what the download records in the audit log
    (`record_download(db, params)`)."""
    title: str
    formats: tuple[str, ...]
    roles: tuple[str, ...]
    record_download: Callable[[Session, dict[str, Any]], None]


PAGES: dict[str, JobPage] = {}  # kind → page; filled from every installed feature's job_pages


def begin(kind: str, params: dict[str, Any]):  # noqa: ANN201 - a redirect response
    """Create the signed-in person's job of `kind`, start it and show its progress page. The view
    calling this has checked the person's role; a format the kind does not offer is refused (400)."""
    if params.get("fmt") not in PAGES[kind].formats:
        abort(400)
    db = get_session()
    job = jobs.create(db, kind, params, current_user.id)
    db.commit()
    jobs.start(job.id)
    return redirect(url_for("exports.job", job_id=job.id))


def _own_job_or_404(job_id: int) -> ExportJob:
    """The signed-in person's own job, while they still hold a role that may start it; else 404."""
    job = get_session().get(ExportJob, job_id)
    if job is None or job.kind not in PAGES or job.created_by_id != current_user.id:
        abort(404)
    if not current_user.has_role(*PAGES[job.kind].roles):
        abort(404)
    return job


@bp.route("/<int:job_id>")
@signed_in
def job(job_id: int):
    """The progress page (reloads itself while the job runs: jobs.progress_page)."""
    job = _own_job_or_404(job_id)
    return jobs.progress_page("exports/job.html", job, title=PAGES[job.kind].title)


@bp.route("/<int:job_id>/datei")
@signed_in
def job_download(job_id: int):
    """The finished file, streamed from the storage; the download is recorded in the audit log."""
    job = _own_job_or_404(job_id)
    params = json.loads(job.params)
    response = jobs.download_or_404(job, MIMETYPES[params["fmt"]])
    PAGES[job.kind].record_download(get_session(), params)  # audit.record_read: its own short write
    return response
