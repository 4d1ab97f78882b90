"""Report pages (Integrationsbüro): choose a period, write the text sections (every save is
a version), build the report as DOCX or PDF in the background and download it."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from portal import audit
from portal.auth.access import roles_required
from portal.bericht import build, texts
from portal.db import get_session
from portal.exports import jobs
from portal.forms.bericht import BuildForm, TextForm
from portal.models.export_job import ExportJob
from portal.models.gremien import ReportText
from portal.models.measure import ReportingPeriod
from portal.models.people import Role

bp = Blueprint("bericht", __name__, url_prefix="/bericht")

OFFICE = (Role.INTEGRATIONSBUERO,)


def _period_or_404(period_id: int) -> ReportingPeriod:
    period = get_session().get(ReportingPeriod, period_id)
    if period is None:
        abort(404)
    return period


@bp.route("/")
@roles_required(*OFFICE)
def index():
    periods = get_session().scalars(select(ReportingPeriod).order_by(ReportingPeriod.cutoff_on.desc())).all()
    return render_template("bericht/index.html", periods=periods)


@bp.route("/<int:period_id>")
@roles_required(*OFFICE)
def period(period_id: int):
    period = _period_or_404(period_id)
    db = get_session()
    saved = texts.latest_texts(db, period)
    own_jobs = db.scalars(select(ExportJob).where(ExportJob.kind == build.JOB_KIND, ExportJob.created_by_id == current_user.id)
                          .order_by(ExportJob.id.desc()).limit(5)).all()
    return render_template("bericht/period.html", period=period, sections=texts.sections(db), saved=saved,
                           form=BuildForm(), jobs=own_jobs)


@bp.route("/<int:period_id>/text/<key>", methods=["GET", "POST"])
@roles_required(*OFFICE)
def text(period_id: int, key: str):
    period = _period_or_404(period_id)
    db = get_session()
    section = texts.section_or_none(db, key)
    if section is None:
        abort(404)
    current = texts.latest(db, period, key)
    form = TextForm(body=current.body if current else "")
    if form.validate_on_submit():
        saved = texts.save(db, period, key, form.body.data or "", current_user.id)
        db.commit()
        flash(f"Gespeichert als Fassung {saved.version}." if saved else "Der Text ist unverändert; keine neue Fassung.",
              "success")
        return redirect(url_for("bericht.period", period_id=period.id))
    return render_template("bericht/text.html", period=period, section=section, form=form,
                           versions=texts.versions(db, period, key))


@bp.route("/<int:period_id>/text/<key>/fassung/<int:version>")
@roles_required(*OFFICE)
def text_version(period_id: int, key: str, version: int):
    period = _period_or_404(period_id)
    db = get_session()
    section = texts.section_or_none(db, key)
    text = db.scalar(select(ReportText).where(ReportText.period_id == period.id, ReportText.key == key,
                                              ReportText.version == version))
    if section is None or text is None:
        abort(404)
    return render_template("bericht/text_version.html", period=period, section=section, text=text)


@bp.route("/<int:period_id>/erstellen", methods=["POST"])
@roles_required(*OFFICE)
def start(period_id: int):
    period = _period_or_404(period_id)
    form = BuildForm()
    if not form.validate_on_submit():
        flash("Bitte wählen Sie das Format (Word oder PDF).", "error")
        return redirect(url_for("bericht.period", period_id=period.id))
    db = get_session()
    job = jobs.create(db, build.JOB_KIND, {"period_id": period.id, "format": form.format.data}, current_user.id)
    audit.record(db, "report_build_started", obj=job, detail={"zeitraum": period.name, "format": form.format.data})
    db.commit()
    jobs.start(job.id)
    return redirect(url_for("bericht.job", job_id=job.id))


@bp.route("/auftrag/<int:job_id>")
@roles_required(*OFFICE)
def job(job_id: int):
    return jobs.progress_page("bericht/job.html", jobs.owned_job_or_404(job_id, build.JOB_KIND))


@bp.route("/auftrag/<int:job_id>/datei")
@roles_required(*OFFICE)
def job_download(job_id: int):
    job = jobs.owned_job_or_404(job_id, build.JOB_KIND)
    mimetype = "application/pdf" if (job.download_name or "").endswith(".pdf") else build.MIMETYPE_DOCX
    return jobs.download_or_404(job, mimetype)
