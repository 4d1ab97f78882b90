"""Pages of the review desk: the queue, bulk decisions with a confirmation page,
the per-OE dossiers and the ZIP of all dossiers (a background export job)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from portal import audit
from portal.auth import permissions
from portal.auth.access import roles_required
from portal.auth.views import safe_next
from portal.db import get_session
from portal.exports import jobs
from portal.exports.download import MIMETYPES, download
from portal.forms.review import (
    BulkConfirmForm,
    BulkSelectForm,
    DossierExportForm,
    QueueFilterForm,
)
from portal.measures.services import MeasureError
from portal.models.export_job import ExportJob
from portal.models.org import OrgUnit
from portal.models.people import Role
from portal.review import dossier, services
from portal.review.providers import PROVIDERS
from portal.review.start import start_info
from portal.templating import plural
from portal.workflow import TransitionError

bp = Blueprint("review", __name__, url_prefix="/review")


@bp.app_context_processor
def _start_helpers() -> dict:
    return {"review_start_info": lambda: start_info(get_session(), current_user), "review_providers": PROVIDERS}

OFFICE = (Role.INTEGRATIONSBUERO,)
DOSSIER_ROLES = (Role.INTEGRATIONSBUERO, Role.OE_VERANTWORTLICHE, Role.FORTBILDUNGSBEAUFTRAGTE)


# --- the queue ------------------------------------------------------------------------------

def _queue_filter(form: QueueFilterForm) -> services.QueueFilter:
    form.art.choices = [("", "alle")] + [(p.kind, p.label) for p in PROVIDERS.values()]
    if not form.validate():
        return services.QueueFilter()
    return services.QueueFilter(
        kinds=(form.art.data,) if form.art.data in PROVIDERS else (),
        oe_code=(form.oe.data or "").strip() or None,
        states=services.STATUS_CHOICES.get(form.status.data or "eingereicht", services.OPEN_STATES),
        min_age_days=int(form.alter.data) if form.alter.data else None,
    )


@bp.route("/")
@roles_required(*OFFICE)
def queue():
    if not permissions.can_use_review_desk(current_user):
        abort(403)
    form = QueueFilterForm(request.args)
    qfilter = _queue_filter(form)
    page = max(request.args.get("seite", 1, type=int) or 1, 1)
    result = services.queue_page(get_session(), current_user, qfilter, page, services.PAGE_SIZE, keep_counts=True)
    bulk_ok = {action.key: action for action in services.BULK_ACTIONS.values()}
    return render_template("review/queue.html", form=form, result=result, providers=PROVIDERS, bulk_actions=bulk_ok,
                           bulk_form=BulkSelectForm(), args=request.args.to_dict(), qfilter=qfilter)


NO_ACTION = "Bitte wählen Sie eine Sammelentscheidung. Es wurde nichts geändert."


def _bulk_action(form) -> services.BulkAction | None:
    """The chosen bulk action, or None (with a message) when the form names none."""
    action = services.BULK_ACTIONS.get(form.aktion.data or "") if form.validate_on_submit() else None
    if action is None:
        flash(NO_ACTION, "error")
    return action


@bp.route("/sammelentscheidung", methods=["POST"])
@roles_required(*OFFICE)
def bulk_confirm():
    """Shows what will happen; changes nothing."""
    action = _bulk_action(BulkSelectForm())
    if action is None:
        return redirect(url_for("review.queue"))
    keys = request.form.getlist("auswahl")
    if not keys:
        flash("Bitte wählen Sie mindestens einen Eintrag aus.", "error")
        return redirect(_safe_back(request.form.get("zurueck")))
    plan = services.plan_bulk(get_session(), current_user, action, keys)
    return render_template("review/bulk_confirm.html", plan=plan, form=BulkConfirmForm(aktion=action.key),
                           back=_safe_back(request.form.get("zurueck")))


def _safe_back(target: str | None) -> str:
    """Back to a page of the review desk (the queue with its filter), never elsewhere."""
    target = safe_next(target)
    return target if target and target.startswith("/review/") else url_for("review.queue")


@bp.route("/sammelentscheidung/ausfuehren", methods=["POST"])
@roles_required(*OFFICE)
def bulk_apply():
    action = _bulk_action(BulkConfirmForm())
    if action is None:
        return redirect(url_for("review.queue"))
    db = get_session()
    plan = services.plan_bulk(db, current_user, action, request.form.getlist("auswahl"))
    try:
        done = services.apply_bulk(db, current_user, plan)
    except (MeasureError, TransitionError) as exc:
        db.rollback()
        flash(f"Es wurde nichts entschieden: {exc}", "error")
        return redirect(url_for("review.queue"))
    db.commit()
    message = f"{plural(done, 'Bericht', 'Berichte')} angenommen."
    if plan.refused:
        message += f" {plural(len(plan.refused), 'Eintrag', 'Einträge')} nicht geändert (inzwischen entschieden oder nicht unverändert)."
    flash(message, "success")
    return redirect(_safe_back(request.form.get("zurueck")))


# --- dossiers -----------------------------------------------------------------------------

def _unit_or_404(unit_id: int) -> OrgUnit:
    """Another OE's dossier is 'not found' for those who may see only their own."""
    unit = get_session().scalar(permissions.visible_dossier_units(current_user).where(OrgUnit.id == unit_id))
    if unit is None:
        abort(404)
    return unit


@bp.route("/dossier")
@roles_required(*DOSSIER_ROLES)
def dossiers():
    db = get_session()
    units = db.scalars(permissions.visible_dossier_units(current_user)).all()
    if len(units) == 1 and not permissions.can_export_all_dossiers(current_user):
        return redirect(url_for("review.dossier_show", unit_id=units[0].id))
    jobs_list = []
    if permissions.can_export_all_dossiers(current_user):
        jobs_list = db.scalars(select(ExportJob).where(ExportJob.kind == dossier.ZIP_JOB, ExportJob.created_by_id == current_user.id)
                               .order_by(ExportJob.id.desc()).limit(5)).all()
    return render_template("review/dossiers.html", units=units, jobs=jobs_list, form=DossierExportForm(),
                           can_zip=permissions.can_export_all_dossiers(current_user))


@bp.route("/dossier/<int:unit_id>")
@roles_required(*DOSSIER_ROLES)
def dossier_show(unit_id: int):
    unit = _unit_or_404(unit_id)
    d = dossier.DossierContext(get_session(), current_user).dossier(unit)
    return render_template("review/dossier.html", d=d)


@bp.route("/dossier/<int:unit_id>.<fmt>")
@roles_required(*DOSSIER_ROLES)
def dossier_download(unit_id: int, fmt: str):
    if fmt not in ("pdf", "xlsx"):
        abort(404)
    unit = _unit_or_404(unit_id)
    db = get_session()
    d = dossier.DossierContext(db, current_user).dossier(unit)
    data = dossier.render_pdf(d) if fmt == "pdf" else dossier.render_xlsx(d)
    audit.record_read(db, "dossier_exported", obj=unit, org_unit_code=unit.code, detail={"format": fmt, "personen": d.detailed})
    return download(data, f"{dossier.file_stem(unit)}.{fmt}", MIMETYPES[fmt])


@bp.route("/dossier/alle", methods=["POST"])
@roles_required(*OFFICE)
def dossier_zip_start():
    if not DossierExportForm().validate_on_submit():
        abort(400)
    if not permissions.can_export_all_dossiers(current_user):
        abort(403)
    db = get_session()
    job = jobs.create(db, dossier.ZIP_JOB, {"user_id": current_user.id}, current_user.id)
    audit.record(db, "dossier_zip_started", obj=job)
    db.commit()
    jobs.start(job.id)
    return redirect(url_for("review.job", job_id=job.id))


def _job_or_404(job_id: int) -> ExportJob:
    return jobs.owned_job_or_404(job_id, dossier.ZIP_JOB)


@bp.route("/export/<int:job_id>")
@roles_required(*OFFICE)
def job(job_id: int):
    return jobs.progress_page("review/job.html", _job_or_404(job_id))


@bp.route("/export/<int:job_id>/datei")
@roles_required(*OFFICE)
def job_download(job_id: int):
    job = _job_or_404(job_id)
    response = jobs.download_or_404(job, MIMETYPES["zip"])  # streamed from the storage
    audit.record_read(get_session(), "dossier_zip_downloaded", obj=job, detail={"datei": job.download_name})
    return response
