from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from portal import audit_labels
from portal.admin import oe_import, services
from portal.auth.access import roles_required
from portal.db import get_session
from portal.forms.admin import AuditFilterForm, OrgUnitForm, RetireForm
from portal.forms.trainings import ImportForm
from portal.import_templates import template_download
from portal.import_upload import run_upload_import
from portal.models.audit import AuditEvent
from portal.models.org import ORG_UNIT_KINDS, OrgUnit
from portal.models.people import Role, User

bp = Blueprint("admin", __name__, url_prefix="/admin")

PAGE_SIZE = 50


@bp.route("/")
@roles_required(Role.ADMIN)
def index():
    db = get_session()
    counts = {
        "units": db.scalar(select(func.count()).select_from(OrgUnit)),
        "users": db.scalar(select(func.count()).select_from(User)),
        "events": db.scalar(select(func.count()).select_from(AuditEvent)),
    }
    return render_template("admin/index.html", counts=counts, role_map=current_app.config["ROLE_MAP"])


@bp.route("/oe")
@roles_required(Role.ADMIN)
def org_units():
    units = get_session().scalars(select(OrgUnit).order_by(OrgUnit.retired_on.is_not(None), OrgUnit.kind, OrgUnit.code)).all()
    return render_template("admin/org_units.html", units=units)


@bp.route("/oe/einlesen", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def org_units_import():
    """The city's OE list from a file (the same as `portal oe import`)."""
    form = ImportForm()
    result, problems = run_upload_import(form, lambda db, data, name, dry_run: oe_import.import_org_units(
        db, data, name, dry_run=dry_run), "Die OE-Liste", "OE-Liste übernommen")
    return render_template("admin/org_units_import.html", form=form, problems=problems, result=result,
                           header=";".join(oe_import.HEADER), kinds=ORG_UNIT_KINDS)


@bp.route("/oe/vorlage.<fmt>")
@roles_required(Role.ADMIN)
def org_units_template(fmt: str):
    return template_download(fmt, "oe-liste", "OE-Liste", oe_import.HEADER, oe_import.EXAMPLE)


@bp.route("/oe/neu", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def org_unit_new():
    form = OrgUnitForm()
    if form.validate_on_submit():
        db = get_session()
        try:
            unit = services.create_org_unit(db, form.code.data, form.name.data, form.kind.data, form.note.data)
        except services.OrgUnitError as exc:
            form.code.errors.append(str(exc))
        else:
            db.commit()
            flash(f"Die OE „{unit.code}“ wurde angelegt.", "success")
            return redirect(url_for("admin.org_units"))
    return render_template("admin/org_unit_form.html", form=form, unit=None)


def _unit_or_404(unit_id: int) -> OrgUnit:
    unit = get_session().get(OrgUnit, unit_id)
    if unit is None:
        abort(404)
    return unit


@bp.route("/oe/<int:unit_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def org_unit_edit(unit_id: int):
    unit = _unit_or_404(unit_id)
    form = OrgUnitForm(obj=unit)
    retire_form = RetireForm(prefix="retire")
    if form.validate_on_submit():
        db = get_session()
        try:
            services.update_org_unit(db, unit, form.code.data, form.name.data, form.kind.data, form.note.data)
        except services.OrgUnitError as exc:
            form.code.errors.append(str(exc))
        else:
            db.commit()
            flash(f"Die OE „{unit.code}“ wurde gespeichert.", "success")
            return redirect(url_for("admin.org_units"))
    return render_template("admin/org_unit_form.html", form=form, unit=unit, retire_form=retire_form)


@bp.route("/oe/<int:unit_id>/aufloesen", methods=["POST"])
@roles_required(Role.ADMIN)
def org_unit_retire(unit_id: int):
    unit = _unit_or_404(unit_id)
    form = RetireForm(prefix="retire")
    if not form.validate_on_submit():
        flash("Bitte geben Sie ein gültiges Datum an (TT.MM.JJJJ).", "error")
        return redirect(url_for("admin.org_unit_edit", unit_id=unit.id))
    db = get_session()
    services.retire_org_unit(db, unit, form.retired_on.data)
    db.commit()
    flash(f"Die OE „{unit.code}“ ist ab {form.retired_on.data:%d.%m.%Y} aufgelöst. Ihre Daten bleiben erhalten.", "success")
    return redirect(url_for("admin.org_units"))


@bp.route("/oe/<int:unit_id>/reaktivieren", methods=["POST"])
@roles_required(Role.ADMIN)
def org_unit_reactivate(unit_id: int):
    unit = _unit_or_404(unit_id)
    db = get_session()
    services.reactivate_org_unit(db, unit)
    db.commit()
    flash(f"Die OE „{unit.code}“ ist wieder aktiv.", "success")
    return redirect(url_for("admin.org_units"))


@bp.route("/personen")
@roles_required(Role.ADMIN)
def users():
    db = get_session()
    page = max(request.args.get("seite", 1, type=int) or 1, 1)
    total = db.scalar(select(func.count()).select_from(User))
    rows = db.scalars(select(User).order_by(User.display_name, User.id).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return render_template("admin/users.html", users=rows, page=page, total=total, page_size=PAGE_SIZE)


@bp.route("/protokoll")
@roles_required(Role.ADMIN)
def audit_log():
    db = get_session()
    form = AuditFilterForm(request.args)
    stmt = select(AuditEvent)
    if form.validate():
        if form.action.data:
            stmt = stmt.where(AuditEvent.action == form.action.data.strip())
        if form.actor.data:
            stmt = stmt.where(func.lower(AuditEvent.actor_name) == form.actor.data.strip().lower())
        if form.oe.data:
            stmt = stmt.where(func.lower(AuditEvent.org_unit_code) == form.oe.data.strip().lower())
        if form.since.data:
            start = datetime.combine(form.since.data, time.min, tzinfo=ZoneInfo("Europe/Berlin"))
            stmt = stmt.where(AuditEvent.at >= start)
    page = max(request.args.get("seite", 1, type=int) or 1, 1)
    total = db.scalar(select(func.count()).select_from(stmt.subquery()))
    events = db.scalars(stmt.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    actions = db.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)).all()
    return render_template("admin/audit_log.html", form=form, events=events, page=page, total=total, page_size=PAGE_SIZE,
                           actions=actions, labels=audit_labels)
