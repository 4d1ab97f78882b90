"""Pages of the measures feature: catalogue, periods, "Meine Maßnahmen", review,
consolidated view with the AG assessment, council table and evaluation."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal import audit
from portal.auth import permissions
from portal.auth.access import roles_required, signed_in
from portal.db import get_session
from portal.exports import citywide
from portal.exports.download import MIMETYPES, download
from portal.forms.common import ConfirmForm
from portal.forms.measures import (
    AssessmentForm,
    CatalogueImportForm,
    FieldFilterForm,
    MeasureForm,
    MeasureRowForm,
    PeriodForm,
    QueueFilterForm,
    ReportForm,
    ReviewForm,
)
from portal.import_templates import template_download
from portal.imports import TableError, read_upload
from portal.measures import catalogue, services, tables
from portal.models.measure import (
    ActionField,
    GroupAssessment,
    Measure,
    MeasureReport,
    MeasureRow,
    ReportingPeriod,
)
from portal.models.org import OrgUnit
from portal.models.people import Role
from portal.models.workflow import State
from portal.templating import plural
from portal.uploads import upload_page
from portal.workflow import history

bp = Blueprint("measures", __name__, url_prefix="/measures")

PAGE_SIZE = 50
COUNCIL_ROLES = (Role.INTEGRATIONSBUERO, Role.AG_LEITUNG, Role.ADMIN)


def _get_or_404(model, object_id: int):  # noqa: ANN001, ANN202
    obj = get_session().get(model, object_id)
    if obj is None:
        abort(404)
    return obj


STALE = "Jemand anderes hat das inzwischen geändert. Bitte prüfen Sie den neuen Stand; Ihre Eingaben wurden nicht gespeichert."
STALE_KEPT = ("Jemand anderes hat diesen Bericht inzwischen geändert. Ihre Eingaben sind noch nicht gespeichert – "
              "sie stehen unten im Formular. Vergleichen Sie sie mit dem gespeicherten Stand; wenn Sie jetzt "
              "speichern, ersetzen Ihre Eingaben diesen Stand.")
ALREADY_SUBMITTED = ("Der Bericht wurde bereits eingereicht (zum Beispiel durch einen doppelten Klick). "
                     "Es wurde nichts doppelt gespeichert.")


def _stamp(obj) -> str:  # noqa: ANN001 - a row with updated_at, or None
    """The version an edit form carries, to refuse overwriting a newer change."""
    return obj.updated_at.isoformat() if obj is not None and obj.updated_at else ""


def _field_filter(db, fields: list[ActionField]) -> tuple[FieldFilterForm, ActionField | None]:  # noqa: ANN001
    form = FieldFilterForm(request.args)
    form.feld.choices = [(f.code, f"{f.number}. {f.name}") for f in fields]
    chosen = next((f for f in fields if f.code == form.feld.data), fields[0] if fields else None)
    if chosen is not None:
        form.feld.data = chosen.code
    return form, chosen


def _attempt(step, success: str) -> bool:  # noqa: ANN001 - a callable without arguments
    """Run a service step; commit and flash success, or roll back and flash its German message."""
    db = get_session()
    try:
        step()
        db.commit()
    except services.MeasureError as exc:
        db.rollback()
        flash(str(exc), "error")
        return False
    except IntegrityError:  # the same report saved or submitted at the same moment by a second request
        db.rollback()
        flash(ALREADY_SUBMITTED, "error")
        return False
    flash(success, "success")
    return True


@bp.context_processor
def _lights() -> dict:
    return {"light_label": tables.light_label, "light_colour": tables.light_colour}


# ---------------------------------------------------------------- catalogue

@bp.route("/")
@signed_in
def catalogue_list():
    db = get_session()
    fields = list(db.scalars(select(ActionField).order_by(ActionField.number)))
    form, chosen = _field_filter(db, fields)
    measures = []
    if chosen is not None:
        measures = sorted(db.scalars(select(Measure).where(Measure.action_field_id == chosen.id)), key=lambda m: m.sort_key)
    return render_template("measures/catalogue.html", form=form, action_field=chosen, measures=measures,
                           format_leads=catalogue.format_leads, can_edit=permissions.can_edit_catalogue(current_user))


@bp.route("/massnahme/<int:measure_id>", methods=["GET", "POST"])
@roles_required(Role.INTEGRATIONSBUERO)
def measure_edit(measure_id: int):
    measure = _get_or_404(Measure, measure_id)
    if not permissions.can_edit_catalogue(current_user):
        abort(403)
    form = MeasureForm(obj=measure)
    if request.method == "GET":
        form.stand.data = _stamp(measure)
    if form.validate_on_submit() and form.stand.data != _stamp(measure):
        flash(STALE, "error")
        return redirect(url_for("measures.measure_edit", measure_id=measure.id))
    if form.validate_on_submit():
        db = get_session()
        changed = services.update_measure(db, measure, title=form.title.data, content=form.content.data, goal=form.goal.data)
        db.commit()
        flash("Die Maßnahme wurde gespeichert." if changed else "Es gab keine Änderung.", "success")
        return redirect(url_for("measures.catalogue_list", feld=measure.field.code))
    return render_template("measures/measure_form.html", form=form, measure=measure, format_leads=catalogue.format_leads)


@bp.route("/teil/<int:row_id>", methods=["GET", "POST"])
@roles_required(Role.INTEGRATIONSBUERO)
def row_edit(row_id: int):
    row = _get_or_404(MeasureRow, row_id)
    if not permissions.can_edit_catalogue(current_user):
        abort(403)
    db = get_session()
    # a POST takes only what was posted: row.leads (OE objects) must not stand in for a missing field
    form = MeasureRowForm(obj=row if request.method == "GET" else None)
    if not row.is_main:  # the plan leaves some extra parts without priority
        form.priority.choices = [("", "keine Priorität (wie im Plan)"), *form.priority.choices]
    if request.method == "GET":
        form.leads.data = catalogue.format_leads(row)
    if form.validate_on_submit():
        end_year = catalogue.end_year_of(form.deadline.data)
        try:
            lead = catalogue.parse_leads(form.leads.data, catalogue.units_by_code(db))
        except ValueError as exc:
            form.leads.errors.append(str(exc))
            lead = None
        if end_year is None:
            form.deadline.errors.append(catalogue.term_problem(form.deadline.data) or "")
        if lead is not None and end_year is not None:
            parsed = catalogue.ParsedRow(
                line=0, position=row.position, content=None if row.is_main else ((form.content.data or "").strip() or None),
                lead=lead, participants=(form.participants.data or "").strip() or None,
                deadline=" ".join(form.deadline.data.split()), end_year=end_year, priority=form.priority.data or None)
            changed = services.update_row(db, row, parsed)
            db.commit()
            flash("Der Teil wurde gespeichert." if changed else "Es gab keine Änderung.", "success")
            return redirect(url_for("measures.measure_edit", measure_id=row.measure_id))
    return render_template("measures/row_form.html", form=form, row=row)


@bp.route("/katalog.<fmt>")
@roles_required(Role.INTEGRATIONSBUERO)
def catalogue_export(fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    db = get_session()
    data = catalogue.export_bytes(db, fmt)
    audit.record_read(db, "catalogue_exported", object_type="Measure", detail={"format": fmt})
    return download(data, f"massnahmenkatalog.{fmt}", MIMETYPES[fmt])


@bp.route("/katalog/vorlage.<fmt>")
@roles_required(Role.INTEGRATIONSBUERO)
def catalogue_template(fmt: str):
    """The catalogue import's template: its header and the catalogue's first row as the example."""
    rows = catalogue.export_rows(get_session())
    return template_download(fmt, "massnahmenkatalog", "Maßnahmenkatalog", catalogue.HEADER, rows[0] if rows else [])


@bp.route("/katalog/import", methods=["GET", "POST"])
@upload_page
@roles_required(Role.INTEGRATIONSBUERO)
def catalogue_import():
    form = CatalogueImportForm()
    errors: list[str] = []
    result = None
    if form.validate_on_submit():
        db = get_session()
        upload = form.file.data
        try:
            result = catalogue.import_catalogue(db, read_upload(upload), upload.filename or "", dry_run=form.dry_run.data)
        except TableError as exc:
            errors = [str(exc)]
        except catalogue.CatalogueError as exc:
            db.rollback()
            errors = exc.messages
        else:
            if form.dry_run.data:
                db.rollback()
            else:
                db.commit()
                flash(f"Katalog eingelesen: {result.added} neu, {result.changed} geändert, {result.unchanged} unverändert.", "success")
                return redirect(url_for("measures.catalogue_list"))
    return render_template("measures/catalogue_import.html", form=form, errors=errors, result=result)


# ---------------------------------------------------------------- periods

@bp.route("/zeitraeume", methods=["GET", "POST"])
@roles_required(Role.INTEGRATIONSBUERO, Role.AG_LEITUNG, Role.ADMIN)
def periods():
    db = get_session()
    form = PeriodForm()
    can_manage = permissions.can_manage_periods(current_user)
    if request.method == "POST":
        if not can_manage:
            abort(403)
        if form.validate_on_submit():
            try:
                period = services.create_period(db, form.name.data, form.cutoff_on.data)
            except services.MeasureError as exc:
                form.name.errors.append(str(exc))
            else:
                db.commit()
                flash(f"Der Berichtszeitraum „{period.name}“ wurde angelegt. Er ist noch geschlossen.", "success")
                return redirect(url_for("measures.periods"))
    rows = db.scalars(select(ReportingPeriod).order_by(ReportingPeriod.cutoff_on.desc(), ReportingPeriod.id.desc())).all()
    return render_template("measures/periods.html", periods=rows, form=form, can_manage=can_manage)


@bp.route("/zeitraeume/<int:period_id>/oeffnen", methods=["POST"])
@roles_required(Role.INTEGRATIONSBUERO)
def period_open(period_id: int):
    return _period_toggle(period_id, "oeffnen")


@bp.route("/zeitraeume/<int:period_id>/schliessen", methods=["GET", "POST"])
@roles_required(Role.INTEGRATIONSBUERO)
def period_close(period_id: int):
    """GET: the question, with what stays unsubmitted; only the confirmation's POST closes."""
    if request.method == "POST":
        return _period_toggle(period_id, "schliessen")
    period = _get_or_404(ReportingPeriod, period_id)
    if not permissions.can_manage_periods(current_user):
        abort(403)
    if not period.is_open:
        flash(f"Der Berichtszeitraum „{period.name}“ ist schon geschlossen.", "success")
        return redirect(url_for("measures.periods"))
    drafts = get_session().scalar(select(func.count()).select_from(MeasureReport).where(
        MeasureReport.period_id == period.id, MeasureReport.state.in_([State.DRAFT.value, State.RETURNED.value])))
    return render_template("measures/period_close.html", period=period, drafts=drafts or 0, form=ConfirmForm())


def _period_toggle(period_id: int, action: str):  # noqa: ANN202
    if not ConfirmForm().validate_on_submit():
        abort(400)
    period = _get_or_404(ReportingPeriod, period_id)
    if not permissions.can_manage_periods(current_user):
        abort(403)
    db = get_session()
    if action == "oeffnen":
        _attempt(lambda: services.open_period(db, period), f"Der Berichtszeitraum „{period.name}“ ist jetzt offen.")
    else:
        _attempt(lambda: services.close_period(db, period), f"Der Berichtszeitraum „{period.name}“ ist jetzt geschlossen.")
    return redirect(url_for("measures.periods"))


# ---------------------------------------------------------------- OE reports

@bp.route("/meine")
@roles_required(Role.OE_VERANTWORTLICHE)
def mine():
    db = get_session()
    unit = current_user.org_unit
    chosen = request.args.get("zeitraum", type=int)
    period = db.get(ReportingPeriod, chosen) if chosen else services.open_period_now(db)
    if chosen and period is None:
        abort(404)
    periods = db.scalars(select(ReportingPeriod).order_by(ReportingPeriod.cutoff_on.desc(), ReportingPeriod.id.desc())).all()
    rows, reports = [], {}
    if period is not None and unit is not None:
        rows = services.rows_for_unit(db, unit.id)
        reports = {r.measure_row_id: r for r in db.scalars(
            permissions.visible_measure_reports(current_user).where(
                MeasureReport.period_id == period.id, MeasureReport.org_unit_id == unit.id))}
    previous = services.last_accepted_by_row(db, period, unit) if period is not None and unit is not None else {}
    counts = {
        "gesamt": len(rows),
        "offen": sum(1 for row in rows if row.id not in reports or reports[row.id].state in (State.DRAFT.value, State.RETURNED.value)),
        "entwuerfe": sum(1 for r in reports.values() if r.state in (State.DRAFT.value, State.RETURNED.value)),
    }
    return render_template("measures/mine.html", period=period, unit=unit, rows=rows, reports=reports,
                           previous=previous, counts=counts, periods=periods)


def _report_target(period_id: int, row_id: int) -> tuple[ReportingPeriod, MeasureRow]:
    """Load period and row; 404 unless the user's OE leads the row (do not reveal others)."""
    period = _get_or_404(ReportingPeriod, period_id)
    row = _get_or_404(MeasureRow, row_id)
    if current_user.org_unit_id is None or not permissions.unit_leads_row(get_session(), current_user.org_unit_id, row.id):
        abort(404)
    return period, row


@bp.route("/bericht/<int:period_id>/<int:row_id>", methods=["GET", "POST"])
@roles_required(Role.OE_VERANTWORTLICHE)
def report(period_id: int, row_id: int):
    period, row = _report_target(period_id, row_id)
    db = get_session()
    unit = current_user.org_unit
    existing = services.find_report(db, period, row, unit)
    if request.method == "POST" and not permissions.can_report_row(current_user, row, period):
        flash(f"Der Berichtszeitraum „{period.name}“ ist geschlossen. Es wurde nichts gespeichert.", "error")
        return redirect(url_for("measures.mine"))
    form = ReportForm()
    editable = services.is_writable(period, existing)
    previous = None
    if request.method == "GET":
        previous = services.last_accepted(db, period, row, unit)
        form.stand.data = _stamp(existing)
        data = existing or services.prefill(previous)
        form.light.data = data.light
        form.clarification_needed.data = "ja" if data.clarification_needed else "nein"
        form.progress.data = data.progress
        form.next_steps.data = data.next_steps
    conflict = None
    if request.method == "POST" and form.validate_on_submit():
        submit = request.form.get("aktion") == "einreichen"
        data = services.ReportData(form.light.data or None, form.clarification_needed.data == "ja",
                                   form.progress.data or "", form.next_steps.data or "")
        if existing is not None and not editable and services.same_content(existing, data):
            flash(ALREADY_SUBMITTED, "success")  # the own second click on "Einreichen"
            return redirect(url_for("measures.mine"))
        problem = services.not_ready(form.light.data, form.progress.data) if submit else None
        if editable and existing is not None and form.stand.data != _stamp(existing):
            # keep what was typed and show the saved version next to it; a save now knowingly replaces it
            conflict = {"text": STALE_KEPT}
            form.stand.data = _stamp(existing)
        elif problem:  # shown again with what was typed
            getattr(form, problem.field).errors.append(str(problem))
        else:

            def step() -> None:
                saved = services.save_draft(db, period, row, unit, data, current_user)
                if submit:
                    services.submit(db, saved, current_user)

            _attempt(step, "Der Bericht wurde eingereicht." if submit else "Der Entwurf wurde gespeichert.")
            return redirect(url_for("measures.mine"))
    if request.method == "POST":  # shown again with the errors
        previous = services.last_accepted(db, period, row, unit)
    events = history(db, services.SUBJECT, existing.id) if existing else []
    return render_template("measures/report_form.html", form=form, period=period, row=row, report=existing,
                           previous=previous, editable=editable, events=events, responsibility=tables.responsibility(row),
                           conflict=conflict), 409 if conflict else 200


@bp.route("/bericht/<int:period_id>/<int:row_id>/unveraendert", methods=["POST"])
@roles_required(Role.OE_VERANTWORTLICHE)
def report_unchanged(period_id: int, row_id: int):
    period, row = _report_target(period_id, row_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    db = get_session()
    if not permissions.can_report_row(current_user, row, period):
        flash(f"Der Berichtszeitraum „{period.name}“ ist geschlossen. Es wurde nichts gespeichert.", "error")
        return redirect(url_for("measures.mine"))
    _attempt(lambda: services.confirm_unchanged(db, period, row, current_user.org_unit, current_user),
             f"Maßnahme {row.measure.field.number}.{row.measure.number}: unverändert bestätigt und eingereicht.")
    return redirect(url_for("measures.mine"))


@bp.route("/meine/einreichen", methods=["POST"])
@roles_required(Role.OE_VERANTWORTLICHE)
def submit_all():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    db = get_session()
    period = services.open_period_now(db)
    unit = current_user.org_unit
    if period is None or unit is None:
        flash("Zurzeit ist kein Berichtszeitraum offen.", "error")
        return redirect(url_for("measures.mine"))
    try:
        done, skipped = services.submit_all(db, period, unit, current_user)
    except services.MeasureError as exc:
        db.rollback()
        flash(str(exc), "error")
        return redirect(url_for("measures.mine"))
    db.commit()
    message = f"{plural(done, 'Bericht', 'Berichte')} eingereicht."
    if skipped:
        message += (f" {plural(skipped, 'Entwurf ist', 'Entwürfe sind')} noch nicht eingereicht: Es fehlt die Ampel "
                    "oder, bei „umgesetzt“, der Sachstand.")
    flash(message, "success" if not skipped else "error")
    return redirect(url_for("measures.mine"))


# ---------------------------------------------------------------- review

@bp.route("/pruefung")
@roles_required(Role.INTEGRATIONSBUERO)
def review_queue():
    db = get_session()
    stmt = permissions.visible_measure_reports(current_user).where(MeasureReport.state == State.SUBMITTED.value)
    form = QueueFilterForm(request.args)
    form.zeitraum.choices = [("", "alle")] + [
        (str(p.id), p.name) for p in db.scalars(select(ReportingPeriod).order_by(ReportingPeriod.cutoff_on.desc()))]
    if form.validate():
        if form.oe.data:
            stmt = stmt.join(OrgUnit, OrgUnit.id == MeasureReport.org_unit_id).where(
                func.lower(OrgUnit.code) == form.oe.data.strip().lower())
        if form.zeitraum.data:
            stmt = stmt.where(MeasureReport.period_id == int(form.zeitraum.data))
    page = max(request.args.get("seite", 1, type=int) or 1, 1)
    total = db.scalar(select(func.count()).select_from(stmt.subquery()))
    reports = db.scalars(stmt.order_by(MeasureReport.state_changed_at, MeasureReport.id)
                         .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return render_template("measures/review_queue.html", reports=reports, page=page, total=total, page_size=PAGE_SIZE,
                           form=form, args=request.args.to_dict())


def _visible_report_or_404(report_id: int) -> MeasureReport:
    report = get_session().scalar(permissions.visible_measure_reports(current_user).where(MeasureReport.id == report_id))
    if report is None:
        abort(404)
    return report


@bp.route("/pruefung/<int:report_id>", methods=["GET", "POST"])
@roles_required(Role.INTEGRATIONSBUERO, Role.AG_LEITUNG, Role.OE_VERANTWORTLICHE, Role.ADMIN)
def review(report_id: int):
    report = _visible_report_or_404(report_id)
    db = get_session()
    form = ReviewForm()
    can_review = permissions.can_review_measure_reports(current_user)
    if request.method == "POST":
        if not can_review:
            abort(403)
        if form.validate_on_submit():
            action = request.form.get("aktion")
            try:
                if action == "annehmen":
                    services.accept(db, report, current_user, form.comment.data)
                elif action == "zurueckgeben":
                    services.return_report(db, report, current_user, form.comment.data or "")
                else:
                    abort(400)
            except services.MeasureError as exc:
                db.rollback()
                form.comment.errors.append(str(exc))
            else:
                db.commit()
                flash("Der Bericht wurde angenommen." if action == "annehmen" else "Der Bericht wurde an die OE zurückgegeben.", "success")
                return redirect(url_for("measures.review_queue"))
    return render_template("measures/review.html", report=report, form=form, can_review=can_review,
                           events=history(db, services.SUBJECT, report.id), responsibility=tables.responsibility(report.row))


# ---------------------------------------------------------------- consolidated view and AG assessment

@bp.route("/zeitraeume/<int:period_id>/uebersicht")
@roles_required(Role.INTEGRATIONSBUERO, Role.AG_LEITUNG, Role.ADMIN)
def overview(period_id: int):
    return _overview_page(_get_or_404(ReportingPeriod, period_id))


def _overview_page(period: ReportingPeriod, posted: tuple[Measure, AssessmentForm] | None = None) -> str:
    """The consolidated view of one field of action. `posted`: an assessment that was refused —
    its form is shown with what was chosen and typed, and its errors sum up at the top."""
    db = get_session()
    fields = list(db.scalars(permissions.visible_assessment_fields(current_user)))
    if not fields:
        abort(403)
    form, chosen = _field_filter(db, fields)
    if posted is not None:
        chosen = posted[0].field
        form.feld.data = chosen.code
    measures = sorted(db.scalars(select(Measure).where(Measure.action_field_id == chosen.id)), key=lambda m: m.sort_key)
    row_ids = [row.id for m in measures for row in m.rows]
    reports: dict[int, list[MeasureReport]] = {}
    for r in db.scalars(permissions.visible_measure_reports(current_user).where(
            MeasureReport.period_id == period.id, MeasureReport.measure_row_id.in_(row_ids))
            .order_by(MeasureReport.id)):
        reports.setdefault(r.measure_row_id, []).append(r)
    assessments: dict[int, list[GroupAssessment]] = {}
    for a in db.scalars(select(GroupAssessment).where(
            GroupAssessment.period_id == period.id, GroupAssessment.measure_id.in_([m.id for m in measures]))
            .order_by(GroupAssessment.id.desc())):
        assessments.setdefault(a.measure_id, []).append(a)
    reported = {m.id: services.least_advanced([r.light for row in m.rows for r in reports.get(row.id, [])
                                               if r.state in (State.SUBMITTED.value, State.ACCEPTED.value)])
                for m in measures}
    leads = services.lead_units_by_row(db, [row for m in measures for row in m.rows])
    waiting = {row_id: [u.code for u in units if u.id not in {r.org_unit_id for r in reports.get(row_id, [])}]
               for row_id, units in leads.items()}
    can_assess = {m.id: permissions.can_assess_measure(current_user, m) for m in measures}
    assessment_forms = {}
    for m in measures:
        if can_assess[m.id]:
            if posted is not None and posted[0].id == m.id:
                form_m = posted[1]
            else:
                form_m = AssessmentForm(prefix=f"m{m.id}", formdata=None,
                                        light=assessments[m.id][0].light if m.id in assessments else None)
            form_m.light.label.text = f"Bewertung der Arbeitsgruppe für Maßnahme {m.field.number}.{m.number}"
            assessment_forms[m.id] = form_m
    return render_template("measures/overview.html", period=period, form=form, action_field=chosen, measures=measures,
                           reports=reports, assessments=assessments, reported=reported, can_assess=can_assess,
                           assessment_forms=assessment_forms, waiting=waiting, refused=posted[1] if posted else None)


@bp.route("/zeitraeume/<int:period_id>/bewertung/<int:measure_id>", methods=["POST"])
@roles_required(Role.AG_LEITUNG)
def assess(period_id: int, measure_id: int):
    period = _get_or_404(ReportingPeriod, period_id)
    measure = _get_or_404(Measure, measure_id)
    if not permissions.can_assess_measure(current_user, measure):
        abort(403)
    form = AssessmentForm(prefix=f"m{measure.id}")
    target = url_for("measures.overview", period_id=period.id, feld=measure.field.code) + f"#massnahme-{measure.id}"
    if not form.validate_on_submit():  # shown again: the error summary at the top, the choice kept
        return _overview_page(period, (measure, form))
    db = get_session()
    try:
        services.assess(db, period, measure, form.light.data, form.comment.data, current_user)
    except services.MeasureError as exc:
        db.rollback()
        field = form.comment if exc.field == "comment" else form.light
        field.errors = [*field.errors, str(exc)]
        return _overview_page(period, (measure, form))
    db.commit()
    flash(f"Die Bewertung für Maßnahme {measure.field.number}.{measure.number} wurde gespeichert.", "success")
    return redirect(target)


# ---------------------------------------------------------------- council table and evaluation

@bp.route("/zeitraeume/<int:period_id>/ratstabelle")
@roles_required(*COUNCIL_ROLES)
def council(period_id: int):
    period = _get_or_404(ReportingPeriod, period_id)
    table = tables.council_table(get_session(), period)
    return render_template("measures/council.html", period=period, table=table, layout=table.layout(),
                           legend=tables.LEGEND, legend_title=tables.LEGEND_TITLE, columns=tables.SEED_COLUMNS)


@bp.route("/zeitraeume/<int:period_id>/ratstabelle.<fmt>")
@roles_required(*COUNCIL_ROLES)
def council_download(period_id: int, fmt: str):
    if fmt not in ("csv", "xlsx", "pdf"):
        abort(404)
    period = _get_or_404(ReportingPeriod, period_id)
    db = get_session()
    data = tables.council_export(db, period, fmt)
    audit.record_read(db, "council_table_exported", obj=period, detail={"format": fmt})
    return download(data, f"ratstabelle-zeitraum-{period.id}.{fmt}", MIMETYPES[fmt])


@bp.route("/zeitraeume/<int:period_id>/ratstabelle/export", methods=["POST"])
@roles_required(*COUNCIL_ROLES)
def council_job(period_id: int):
    """The council table as an export job with a progress page (the PDF takes seconds)."""
    period = _get_or_404(ReportingPeriod, period_id)
    return citywide.begin(citywide.COUNCIL, {"period_id": period.id, "fmt": request.form.get("fmt")})


@bp.route("/zeitraeume/<int:period_id>/auswertung")
@roles_required(*COUNCIL_ROLES)
def evaluation(period_id: int):
    period = _get_or_404(ReportingPeriod, period_id)
    db = get_session()
    table = tables.council_table(db, period)
    return render_template("measures/evaluation.html", period=period, counts=tables.status_counts(table),
                           count_header=tables.COUNT_HEADER, overdue=tables.overdue_lines(table),
                           missing=tables.missing_reports(db, period))
