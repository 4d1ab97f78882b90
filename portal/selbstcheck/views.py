"""Selbstcheck pages: the OE's own Selbstchecks, the form, one Selbstcheck with its
versions, review, the yearly overview with exports, and the cut points."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from portal import audit
from portal.auth.access import roles_required
from portal.exports import citywide
from portal.auth.permissions import (
    can_edit_selbstcheck,
    can_fill_selbstcheck_for,
    can_manage_questionnaires,
    can_review_selbstcheck,
    can_view_selbstcheck,
    visible_selbstchecks,
)
from portal.db import get_session
from portal.exports.download import MIMETYPES, download, safe_filename
from portal.forms.selbstcheck import (
    NewSelbstcheckForm,
    OverviewFilterForm,
    ReviewForm,
    answers_from_form,
    bands_form_class,
    form_data_from_answers,
    selbstcheck_form_class,
)
from portal.models.people import Role
from portal.models.selbstcheck import QuestionnaireVersion, Selbstcheck, SelbstcheckVersion
from portal.models.workflow import State
from portal.selbstcheck import scoring, services, tables
from portal.workflow import TransitionError, history

bp = Blueprint("selbstcheck", __name__, url_prefix="/selbstcheck")

READERS = (Role.OE_VERANTWORTLICHE, Role.INTEGRATIONSBUERO, Role.ADMIN)
OFFICE = (Role.INTEGRATIONSBUERO, Role.ADMIN)


def _selbstcheck_or_404(sc_id: int) -> Selbstcheck:
    """Another OE's Selbstcheck is 'not found' — its existence is not revealed."""
    sc = get_session().scalar(visible_selbstchecks(current_user).where(Selbstcheck.id == sc_id))
    if sc is None or not can_view_selbstcheck(current_user, sc):
        abort(404)
    return sc


def _version_or_404(sc: Selbstcheck, number: int) -> SelbstcheckVersion:
    for version in sc.versions:
        if version.number == number:
            return version
    abort(404)


# --- the OE's own Selbstchecks -----------------------------------------------------------

@bp.route("/")
@roles_required(*READERS)
def index():
    if not current_user.has_role(Role.OE_VERANTWORTLICHE):
        return redirect(url_for("selbstcheck.overview"))
    items = _own_selbstchecks()
    return render_template("selbstcheck/index.html", items=items, form=NewSelbstcheckForm(),
                           can_start=current_user.org_unit is not None, previous=_previous_totals(items))


def _previous_totals(items: list[Selbstcheck]) -> dict[int, int]:
    """Selbstcheck id → total of the same unit's latest version in the year before."""
    totals = {(sc.org_unit_id, sc.sub_unit, sc.reporting_year): sc.latest_version.total for sc in items if sc.latest_version}
    return {sc.id: totals[key] for sc in items
            if (key := (sc.org_unit_id, sc.sub_unit, sc.reporting_year - 1)) in totals}


def _own_selbstchecks() -> list[Selbstcheck]:
    stmt = (visible_selbstchecks(current_user).options(selectinload(Selbstcheck.versions))
            .order_by(Selbstcheck.reporting_year.desc(), Selbstcheck.sub_unit))
    return list(get_session().scalars(stmt).unique())


@bp.route("/neu", methods=["POST"])
@roles_required(Role.OE_VERANTWORTLICHE)
def new():
    form = NewSelbstcheckForm()
    unit = current_user.org_unit
    if unit is None or not can_fill_selbstcheck_for(current_user, unit):
        abort(403)
    db = get_session()
    if not form.validate_on_submit():
        items = _own_selbstchecks()
        return render_template("selbstcheck/index.html", items=items, form=form, can_start=True,
                               previous=_previous_totals(items)), 422
    try:
        sc, created = services.start(db, current_user, unit, int(form.reporting_year.data), form.sub_unit.data)
    except services.SelbstcheckError as exc:
        flash(str(exc), "error")
        return redirect(url_for("selbstcheck.index"))
    db.commit()
    if not created:
        flash(f"Für {sc.unit_label} und {sc.reporting_year} gibt es schon einen Selbstcheck. Sie sehen ihn hier.", "info")
        return redirect(url_for("selbstcheck.show", sc_id=sc.id))
    return redirect(url_for("selbstcheck.edit", sc_id=sc.id))


# --- filling in ------------------------------------------------------------------------------

@bp.route("/<int:sc_id>/bearbeiten", methods=["GET", "POST"])
@roles_required(*READERS)
def edit(sc_id: int):
    sc = _selbstcheck_or_404(sc_id)
    if not can_fill_selbstcheck_for(current_user, sc.org_unit):
        abort(403)  # the integration office and admins read only
    definition = sc.questionnaire.definition
    final = request.method == "POST" and request.form.get("aktion") == "einreichen"
    form_class = selbstcheck_form_class(definition, final=final)
    if not can_edit_selbstcheck(current_user, sc):
        if request.method == "GET":
            flash("Dieser Selbstcheck ist eingereicht und kann nicht mehr geändert werden.", "info")
            return redirect(url_for("selbstcheck.show", sc_id=sc.id))
        form = form_class()  # keep what was typed on the page, store nothing
        form.form_errors.append("Dieser Selbstcheck wurde inzwischen eingereicht und kann nicht mehr geändert werden. "
                                "Ihre Eingaben wurden nicht gespeichert, stehen aber unten noch im Formular.")
        return _render_form(sc, form), 409
    if request.method == "GET":
        data = form_data_from_answers(sc.draft)
        if hasattr(form_class, "datum") and not data.get("datum"):
            data["datum"] = date.today().strftime("%d.%m.%Y")  # the form's date, as on paper: today unless changed
        form = form_class(data={**data, "bearbeitungsstand": str(sc.edit_count)})
        return _render_form(sc, form)

    form = form_class()
    if not form.validate_on_submit():
        return _render_form(sc, form), 422
    db = get_session()
    answers = answers_from_form(form, definition)
    try:
        if final:
            version = services.submit(db, sc, current_user, answers, form.bearbeitungsstand.data)
        else:
            services.save_draft(db, sc, current_user, answers, form.bearbeitungsstand.data)
        db.commit()
    except (services.SelbstcheckError, TransitionError) as exc:
        db.rollback()
        form.form_errors.append(str(exc))
        return _render_form(sc, form), 409 if isinstance(exc, services.StaleEditError) else 422
    except (StaleDataError, IntegrityError):  # a concurrent save or submission won the race
        db.rollback()
        form.form_errors.append(services.MSG_STALE)
        return _render_form(sc, form), 409
    if final:
        flash(f"Der Selbstcheck ist eingereicht (Fassung {version.number}). Das Integrationsbüro prüft ihn.", "success")
        return redirect(url_for("selbstcheck.show", sc_id=sc.id))
    flash("Der Entwurf ist gespeichert. Sie können jederzeit weitermachen, auch nach dem Abmelden.", "success")
    return redirect(url_for("selbstcheck.edit", sc_id=sc.id))


def _render_form(sc: Selbstcheck, form):  # noqa: ANN001,ANN202
    return render_template("selbstcheck/form.html", sc=sc, form=form, definition=sc.questionnaire.definition)


# --- one Selbstcheck, its versions, review -----------------------------------------------------

@bp.route("/<int:sc_id>")
@roles_required(*READERS)
def show(sc_id: int):
    sc = _selbstcheck_or_404(sc_id)
    return _render_show(sc, ReviewForm())


def _render_show(sc: Selbstcheck, review_form: ReviewForm):  # noqa: ANN202
    version = sc.latest_version
    previous = sc.versions[-2] if len(sc.versions) > 1 else None
    definition = version.questionnaire.definition if version else sc.questionnaire.definition
    diffs = services.differences(definition, previous.answers if previous else None, version.answers) if version else []
    return render_template(
        "selbstcheck/show.html", sc=sc, version=version, previous=previous, diffs=diffs,
        result=version.result if version else None, events=history(get_session(), "selbstcheck", sc.id),
        can_edit=can_edit_selbstcheck(current_user, sc), can_review=can_review_selbstcheck(current_user, sc),
        review_form=review_form,
    )


@bp.route("/<int:sc_id>/fassung/<int:number>")
@roles_required(*READERS)
def version(sc_id: int, number: int):
    sc = _selbstcheck_or_404(sc_id)
    current = _version_or_404(sc, number)
    previous = next((v for v in sc.versions if v.number == number - 1), None)
    definition = current.questionnaire.definition
    diffs = services.differences(definition, previous.answers if previous else None, current.answers)
    return render_template("selbstcheck/version.html", sc=sc, version=current, previous=previous, diffs=diffs,
                           result=current.result)


@bp.route("/<int:sc_id>/pruefen", methods=["POST"])
@roles_required(Role.INTEGRATIONSBUERO)
def review(sc_id: int):
    sc = _selbstcheck_or_404(sc_id)
    form = ReviewForm()
    if not can_review_selbstcheck(current_user, sc):
        flash("Dieser Selbstcheck wartet nicht auf eine Prüfung.", "error")
        return redirect(url_for("selbstcheck.show", sc_id=sc.id))
    if not form.validate_on_submit():
        return _render_show(sc, form), 422
    seen = sc.latest_version.number if sc.latest_version else None
    if form.fassung.data != str(seen):
        form.form_errors.append(f"Inzwischen liegt Fassung {seen} vor. Bitte sehen Sie sich diese an und entscheiden Sie dann.")
        return _render_show(sc, form), 409
    db = get_session()
    try:
        services.review(db, sc, current_user, form.decision.data, form.comment.data)
        db.commit()
    except (services.SelbstcheckError, TransitionError) as exc:
        db.rollback()
        form.form_errors.append(str(exc))
        return _render_show(sc, form), 422
    flash("Der Selbstcheck ist angenommen." if sc.state == State.ACCEPTED.value
          else "Der Selbstcheck ist mit Ihrem Kommentar an die OE zurückgegeben.", "success")
    return redirect(url_for("selbstcheck.show", sc_id=sc.id))


@bp.route("/<int:sc_id>/pdf")
@roles_required(*READERS)
def pdf(sc_id: int):
    from portal.exports.pdf import render_pdf  # noqa: PLC0415 - WeasyPrint loads only when a PDF is made

    sc = _selbstcheck_or_404(sc_id)
    number = request.args.get("fassung", type=int)
    current = _version_or_404(sc, number) if number else sc.latest_version
    if current is None:
        abort(404)
    definition = current.questionnaire.definition
    data = render_pdf("pdf/selbstcheck.html", sc=sc, version=current, definition=definition,
                      answers=current.answers, result=current.result,
                      items=services.answer_items(definition, current.answers))
    db = get_session()
    audit.record_read(db, "selbstcheck_pdf", obj=sc, org_unit_code=sc.org_unit.code, detail={"fassung": current.number})
    filename = safe_filename(f"Selbstcheck_{sc.org_unit.code}_{sc.sub_unit}_{sc.reporting_year}_Fassung{current.number}.pdf")
    return download(data, filename, MIMETYPES["pdf"])


# --- the integration office's overview -----------------------------------------------------------

def _overview_year(form: OverviewFilterForm, years: list[int]) -> int:
    try:
        year = int(form.jahr.data)
    except (TypeError, ValueError):
        return years[0] if years else date.today().year
    return year if 2000 <= year <= 2100 else date.today().year


@bp.route("/uebersicht")
@roles_required(*OFFICE)
def overview():
    db = get_session()
    years = tables.years_with_data(db)
    form = OverviewFilterForm(request.args)
    year = _overview_year(form, years)
    choices = sorted(set(years) | {year, date.today().year}, reverse=True)
    form.jahr.choices = [(str(y), str(y)) for y in choices]
    form.jahr.data = str(year)
    rows = tables.overview_rows(db, year, current_user)
    return render_template("selbstcheck/overview.html", form=form, year=year, rows=rows,
                           categories=tables.category_columns(rows), summary=tables.summary(rows))


@bp.route("/uebersicht/<string:fmt>")
@roles_required(*OFFICE)
def overview_export(fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    db = get_session()
    form = OverviewFilterForm(request.args)
    year = _overview_year(form, tables.years_with_data(db))
    rows = tables.overview_rows(db, year, current_user)
    data = tables.export(rows, year, fmt)
    audit.record_read(db, "selbstcheck_overview_export", detail={"jahr": year, "format": fmt, "zeilen": len(rows)})
    return download(data, f"Selbstcheck_Uebersicht_{year}.{fmt}", MIMETYPES[fmt])


@bp.route("/uebersicht/export", methods=["POST"])
@roles_required(*OFFICE)
def overview_job():
    """The overview as an export job with a progress page."""
    db = get_session()
    year = _overview_year(OverviewFilterForm(request.form), tables.years_with_data(db))
    return citywide.begin(citywide.SELBSTCHECK, {"jahr": year, "fmt": request.form.get("fmt"), "user_id": current_user.id})


# --- questionnaire versions and cut points -----------------------------------------------------------

@bp.route("/fragebogen")
@roles_required(*OFFICE)
def questionnaires():
    versions = get_session().scalars(select(QuestionnaireVersion).order_by(QuestionnaireVersion.valid_from.desc())).all()
    return render_template("selbstcheck/questionnaires.html", versions=versions,
                           can_manage=can_manage_questionnaires(current_user))


@bp.route("/fragebogen/<int:qv_id>/farbskala", methods=["GET", "POST"])
@roles_required(Role.INTEGRATIONSBUERO)
def bands(qv_id: int):
    db = get_session()
    qv = db.get(QuestionnaireVersion, qv_id)
    if qv is None:
        abort(404)
    current = qv.bands
    lowest, highest = scoring.total_range(qv.definition)
    form_class = bands_form_class(current, lowest, highest)
    form = form_class(data={f"bis_{b['color']}": b["max"] for b in current[:-1]})
    if form.validate_on_submit():
        uppers = [form[f"bis_{b['color']}"].data for b in current[:-1]]
        try:
            services.set_bands(db, qv, current_user, uppers)
            db.commit()
        except services.SelbstcheckError as exc:
            db.rollback()
            form.form_errors.append(str(exc))
        else:
            flash("Die Farbskala ist gespeichert. Sie gilt für künftige Einreichungen; gespeicherte Ergebnisse bleiben unverändert.", "success")
            return redirect(url_for("selbstcheck.questionnaires"))
    status = 422 if request.method == "POST" else 200
    return render_template("selbstcheck/bands.html", qv=qv, form=form, bands=current, lowest=lowest, highest=highest), status
