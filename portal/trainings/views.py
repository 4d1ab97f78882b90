"""Training mandate: own page, certificates, roster, review queue, Auswertungstabelle."""
from __future__ import annotations

import dataclasses
import os
import uuid
from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, selectinload
from werkzeug.datastructures import FileStorage

from portal import audit
from portal.auth import permissions as perm
from portal.auth.access import roles_required, signed_in
from portal.db import get_session
from portal.errors import render_error
from portal.exports.download import download as attachment
from portal.forms.common import ConfirmForm
from portal.forms.trainings import (
    CertificateForm,
    CutoffForm,
    DecisionForm,
    ImportForm,
    RosterEntryEditForm,
    RosterEntryForm,
    TableForm,
)
from portal.exports import citywide
from portal.import_templates import template_download
from portal.import_upload import run_upload_import
from portal.models.org import OrgUnit
from portal.models.people import Role
from portal.models.training import LEAD, TARGET_GROUPS, Person, RosterEntry, Training
from portal.storage import StorageError
from portal.trainings import concept, exports, files, persons, rules, scans, services
from portal.trainings.imports import ROSTER_HEADER, import_roster
from portal.trainings.persons import PERSONS_HEADER, import_persons
from portal.trainings.tables import COLUMN_LABELS, NO_ROSTER, compliance_table
from portal.uploads import into_storage, upload_page
from portal.workflow import TransitionError, history

bp = Blueprint("trainings", __name__, url_prefix="/trainings")

PAGE_SIZE = 50
OTHER_OE_REASON = "erfüllt durch einen Nachweis, der erfasst wurde, als die Person zu einer anderen OE gehörte"
FILE_AGAIN = "Bitte wählen Sie die Datei noch einmal aus – aus Sicherheitsgründen wird sie nach einem Fehler nicht behalten."


def _page() -> int:
    return max(request.args.get("seite", 1, type=int) or 1, 1)


def _person_or_404(person_id: int, check) -> Person:  # noqa: ANN001
    person = get_session().get(Person, person_id)
    if person is None or not check(current_user, person):
        abort(404)  # another OE's person is not revealed
    return person


def _training_or_404(training_id: int, check, lock: bool = False) -> Training:  # noqa: ANN001
    training = get_session().get(Training, training_id, with_for_update=lock)
    if training is None or not check(current_user, training):
        abort(404)
    return training


def _person_view(db, person: Person, cutoff: date, see_all: bool = True):  # noqa: ANN001,ANN202
    """Everything a person page shows: groups, all versions with their verdict, the result.

    The result is the same as in every table row the person counts in (all OEs' entries decide).
    Without `see_all` (a training officer) only the records the viewer may see are listed, and
    the result's reason names none of the others."""
    trainings = services.all_versions(db, person)
    replaced = services.replaced_ids(db, trainings)
    current = [t for t in trainings if t.id not in replaced]
    result = rules.judge(person.entries, current, cutoff)
    hidden = 0
    if not see_all:
        shown = [t for t in trainings if perm.can_view_training(current_user, t)]
        hidden = len(trainings) - len(shown)
        trainings = shown
        result = _as_seen(result, cutoff)
    verdicts = {t.id: v for t, v in result.verdicts}
    counted = rules.placements(person.entries, cutoff)
    counted_in = sorted({e.org_unit.code for e in person.entries if e.org_unit_id in counted})
    return {"person": person, "trainings": trainings, "replaced": replaced, "result": result, "verdicts": verdicts,
            "groups": rules.group_labels(rules.groups_on(person.entries, cutoff)), "counted_in": counted_in,
            "cutoff": cutoff, "what_counts": rules.what_counts(result.row, cutoff), "hidden": hidden}


def _as_seen(result: rules.PersonResult, cutoff: date) -> rules.PersonResult:
    """The result as the viewer may see it: its reason names no record the viewer may not open
    (a training officer does not see what was recorded while the person belonged to another OE)."""
    judged = [t for t, _ in result.verdicts]
    shown = [t for t in judged if perm.can_view_training(current_user, t)]
    if len(shown) == len(judged):
        return result
    groups = {LEAD} if result.row == rules.ROW_LEAD else ({"buergerkontakt"} if result.row else set())
    visible = rules.judge_person(groups, shown, cutoff)
    reason = visible.reason if visible.fulfilled == result.fulfilled else OTHER_OE_REASON
    return dataclasses.replace(result, reason=reason, verdicts=visible.verdicts)


# --- the employee's own page ------------------------------------------------------

@bp.route("/")
@signed_in
def mine():
    db = get_session()
    person = persons.person_for_user(db, current_user)
    context = _person_view(db, person, rules.DEFAULT_CUTOFF) if person else {}
    return render_template("trainings/mine.html", has_number=bool(current_user.personnel_number), **context)


def _read_upload(form: CertificateForm) -> files.CheckedFile | None:
    upload = request.files.get(form.file.name)
    if not isinstance(upload, FileStorage) or not upload.filename:
        form.file.errors.append("Bitte wählen Sie die Datei mit dem Nachweis aus.")
        return None
    limit = files.max_bytes()
    try:
        return files.check_upload(upload.stream, upload.filename, limit)
    except (files.CertificateError, StorageError) as exc:
        form.file.errors.append(str(exc))
        return None


def _certificate_data(form: CertificateForm) -> services.CertificateData:
    return services.CertificateData(
        title=form.title.data, provider=form.provider.data, completed_on=form.completed_on.data,
        hours=form.hours.hours, contents=list(form.contents.data), format=form.format.data,
        internal=form.internal.data == "intern",
    )


def _upload(person: Person, replaces: Training | None, cancel_url: str):  # noqa: ANN202
    form = CertificateForm()
    if replaces is not None and request.method == "GET":
        form.title.data, form.provider.data = replaces.title, replaces.provider
        form.completed_on.data = replaces.completed_on
        form.hours.data = str(replaces.hours).replace(".", ",")
        form.contents.data = sorted(replaces.contents)
        form.format.data = replaces.format
        form.internal.data = "intern" if replaces.internal else "extern"
    if request.method == "POST":
        valid = form.validate_on_submit()
        chosen = bool(request.files.get(form.file.name) and request.files[form.file.name].filename)
        checked = _read_upload(form) if valid else None
        if valid and checked is not None:
            db = get_session()
            key = form.submission_key.data or None
            try:
                training = services.submit_certificate(db, person, current_user, _certificate_data(form), checked,
                                                       replaces, submission_key=key)
            except services.AlreadySubmitted as exc:
                db.rollback()
                return _already_submitted(exc.training)
            except (TransitionError, IntegrityError) as exc:
                db.rollback()
                same = services.find_same_submission(db, person, _certificate_data(form), checked, key, replaces)
                if same is not None:  # the same form, sent twice at the same moment
                    return _already_submitted(same)
                flash(str(exc) if isinstance(exc, TransitionError)
                      else "Dieser Nachweis wurde gerade schon korrigiert. Bitte prüfen Sie die neue Fassung.", "error")
                return redirect(cancel_url)
            db.commit()
            if training.scan_status is None:
                flash("Der Nachweis wurde eingereicht. Das Integrationsbüro prüft ihn.", "success")
            else:
                scans.start(training.id)  # after the commit: the scan reads the stored record
                flash("Der Nachweis wurde eingereicht. Die Datei wird jetzt auf Viren geprüft; "
                      "danach prüft das Integrationsbüro den Nachweis.", "success")
            return redirect(url_for("trainings.certificate", training_id=training.id))
        if chosen:
            form.file.errors.append(FILE_AGAIN)
    if not form.submission_key.data:
        form.submission_key.data = uuid.uuid4().hex
    return render_template("trainings/upload.html", form=form, person=person, replaces=replaces, cancel_url=cancel_url)


def _already_submitted(training: Training):  # noqa: ANN202
    flash("Dieser Nachweis wurde bereits eingereicht (zum Beispiel durch einen doppelten Klick oder in einem "
          "zweiten Fenster). Er wurde nicht noch einmal gespeichert.", "success")
    return redirect(url_for("trainings.certificate", training_id=training.id))


@bp.route("/nachweis/neu", methods=["GET", "POST"])
@upload_page
@into_storage
@signed_in
def upload_own():
    db = get_session()
    if not current_user.personnel_number:
        flash("Für Ihr Konto ist keine Personalnummer hinterlegt. Bitte wenden Sie sich an Ihre Fortbildungsbeauftragten.", "error")
        return redirect(url_for("trainings.mine"))
    person = persons.person_for_user(db, current_user, create=request.method == "POST")
    if person is None:
        person = Person(personnel_number=current_user.personnel_number, last_name=current_user.display_name)
    return _upload(person, None, url_for("trainings.mine"))


@bp.route("/person/<int:person_id>/nachweis/neu", methods=["GET", "POST"])
@upload_page
@into_storage
@roles_required(Role.FORTBILDUNGSBEAUFTRAGTE)
def upload_for(person_id: int):
    person = _person_or_404(person_id, perm.can_upload_for)
    return _upload(person, None, url_for("trainings.person", person_id=person.id))


@bp.route("/nachweis/<int:training_id>/korrigieren", methods=["GET", "POST"])
@upload_page
@into_storage
@signed_in
def correct(training_id: int):
    old = _training_or_404(training_id, lambda u, t: perm.can_upload_for(u, t.person) and perm.can_view_training(u, t),
                           lock=request.method == "POST")
    if old.state != "returned" or services.is_replaced(get_session(), old):
        flash("Nur ein zurückgegebener Nachweis kann korrigiert werden, und nur einmal.", "error")
        return redirect(url_for("trainings.certificate", training_id=old.id))
    return _upload(old.person, old, url_for("trainings.certificate", training_id=old.id))


@bp.route("/nachweis/<int:training_id>")
@signed_in
def certificate(training_id: int):
    db = get_session()
    training = _training_or_404(training_id, perm.can_view_training)
    newer = db.scalar(select(Training).where(Training.replaces_id == training.id))
    cutoff = _cutoff(CutoffForm(request.args))  # the Stichtag of the table or person page it was opened from
    return render_template(
        "trainings/certificate.html", training=training, events=history(db, services.SUBJECT, training.id),
        newer=newer, verdict=rules.qualification_problem(training, cutoff), cutoff=cutoff,
        decision_form=DecisionForm() if perm.can_decide_training(current_user, training) else None,
        can_correct=training.state == "returned" and newer is None and perm.can_upload_for(current_user, training.person),
        can_open_person=current_user.has_role(Role.FORTBILDUNGSBEAUFTRAGTE, Role.INTEGRATIONSBUERO)
        and perm.can_open_person_page(current_user, training.person),
        scan_label=scans.label(training.scan_status),
        scan_blocked=None if training.file_released else scans.blocked_message(training.scan_status),
        recognition_blocked=None if training.file_released
        else services.SCAN_BLOCKS_RECOGNITION.get(training.scan_status),
    )


@bp.route("/nachweis/<int:training_id>/datei")
@signed_in
def download(training_id: int):
    db = get_session()
    training = _training_or_404(training_id, lambda u, t: t.file_name is not None and perm.can_view_training(u, t))
    if not training.file_released:  # pending, failed or infected (deleted): nobody gets the file
        return render_error(403, scans.blocked_message(training.scan_status))
    if not perm.can_download_certificate(current_user, training):
        abort(404)
    try:
        response = files.download(training.file_name, training.file_original_name
                                  or "nachweis" + os.path.splitext(training.file_name)[1], training.file_type)
    except FileNotFoundError:
        abort(404)
    except StorageError as exc:
        return render_error(503, str(exc))
    oe_code = services.primary_oe_code(training.person)
    audit.record_read(db, "certificate_downloaded", obj=training, org_unit_code=oe_code,
                      detail={"datei": training.file_original_name})
    return response


# --- recognition queue ------------------------------------------------------------

@bp.route("/pruefung")
@roles_required(Role.INTEGRATIONSBUERO)
def queue():
    db = get_session()
    stmt = perm.visible_review_trainings(current_user)
    units = db.scalars(perm.visible_org_units(current_user)).all()
    chosen = request.args.get("oe", type=int)
    if chosen is not None:
        in_unit = select(RosterEntry.person_id).where(RosterEntry.org_unit_id == chosen)
        stmt = stmt.where(Training.person_id.in_(in_unit))
    total = db.scalar(select(func.count()).select_from(stmt.subquery()))
    page = _page()
    items = db.scalars(stmt.options(selectinload(Training.person).selectinload(Person.entries))
                       .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return render_template("trainings/queue.html", items=items, page=page, total=total, page_size=PAGE_SIZE,
                           oe_of=services.primary_oe_code, units=units, chosen=chosen, scan_label=scans.label)


@bp.route("/nachweis/<int:training_id>/entscheidung", methods=["POST"])
@roles_required(Role.INTEGRATIONSBUERO)
def decide(training_id: int):
    db = get_session()
    # lock the row: two reviewers deciding at the same moment cannot both win
    training = db.get(Training, training_id, with_for_update=True)
    if training is None:
        abort(404)
    form = DecisionForm()
    if not form.validate_on_submit():
        flash("Bitte wählen Sie eine Entscheidung.", "error")
        return redirect(url_for("trainings.certificate", training_id=training.id))
    try:
        services.decide(db, training, current_user, form.decision.data, form.comment.data)
    except TransitionError as exc:
        db.rollback()
        flash(str(exc), "error")
        return redirect(url_for("trainings.certificate", training_id=training.id))
    db.commit()
    flash({"anerkennen": "Der Nachweis ist anerkannt.", "zurueckgeben": "Der Nachweis wurde zur Korrektur zurückgegeben.",
           "ablehnen": "Der Nachweis wurde nicht anerkannt."}[form.decision.data], "success")
    return redirect(url_for("trainings.queue"))


# --- roster -----------------------------------------------------------------------

def _roster_unit() -> OrgUnit:
    db = get_session()
    units = db.scalars(perm.roster_org_units(current_user)).all()
    wanted = request.args.get("oe", type=int)
    if wanted is None:
        if not units:
            abort(403)
        own = [u for u in units if u.id == current_user.org_unit_id]
        return own[0] if own else units[0]
    unit = db.get(OrgUnit, wanted)
    if unit is None or not perm.can_edit_roster(current_user, unit):
        abort(404)
    return unit


@bp.route("/liste")
@roles_required(Role.FORTBILDUNGSBEAUFTRAGTE, Role.INTEGRATIONSBUERO)
def roster():
    db = get_session()
    unit = _roster_unit()
    stmt = perm.visible_roster_entries(current_user).where(RosterEntry.org_unit_id == unit.id)
    total = db.scalar(select(func.count()).select_from(stmt.subquery()))
    page = _page()
    entries = db.scalars(stmt.join(Person).options(contains_eager(RosterEntry.person))
                         .order_by(Person.last_name, Person.first_name, RosterEntry.begins_on)
                         .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    units = db.scalars(perm.roster_org_units(current_user)).all() if current_user.has_role(Role.INTEGRATIONSBUERO) else []
    return render_template("trainings/roster.html", unit=unit, entries=entries, page=page, total=total,
                           page_size=PAGE_SIZE, units=units, today=date.today(), delete_form=ConfirmForm(),
                           can_open_person=lambda p: perm.can_open_person_page(current_user, p))


@bp.route("/liste/neu", methods=["GET", "POST"])
@roles_required(Role.FORTBILDUNGSBEAUFTRAGTE, Role.INTEGRATIONSBUERO)
def roster_new():
    db = get_session()
    unit = _roster_unit()
    form = RosterEntryForm()
    choices = db.scalars(perm.roster_org_units(current_user)).all()
    form.org_unit_id.choices = [(u.id, u.label) for u in choices]
    if request.method == "GET":
        form.org_unit_id.data = unit.id
    if form.validate_on_submit():
        target = db.get(OrgUnit, form.org_unit_id.data)
        if target is None or not perm.can_edit_roster(current_user, target):
            abort(404)
        done = _save_roster(form, lambda: services.add_entry(
            db, personnel_number=form.personnel_number.data, org_unit=target, target_group=form.target_group.data,
            begins_on=form.begins_on.data, ends_on=form.ends_on.data,
            restricted=not current_user.has_role(Role.INTEGRATIONSBUERO),
        ), "Die Person wurde in die Zielgruppenliste eingetragen.", target.id)
        if done:
            return done
    return render_template("trainings/roster_form.html", form=form, unit=unit, entry=None)


def _save_roster(form, change, message: str, org_unit_id: int):  # noqa: ANN001,ANN202
    """Run a roster change; commit and redirect, or put its German error on the form (None)."""
    db = get_session()
    try:
        change()
    except services.RosterError as exc:
        db.rollback()
        form.form_errors.append(str(exc))
        return None
    db.commit()
    flash(message, "success")
    return redirect(url_for("trainings.roster", oe=org_unit_id))


def _entry_or_404(entry_id: int) -> RosterEntry:
    entry = get_session().get(RosterEntry, entry_id)
    if entry is None or not perm.can_edit_roster(current_user, entry.org_unit):
        abort(404)
    return entry


@bp.route("/liste/eintrag/<int:entry_id>", methods=["GET", "POST"])
@roles_required(Role.FORTBILDUNGSBEAUFTRAGTE, Role.INTEGRATIONSBUERO)
def roster_edit(entry_id: int):
    entry = _entry_or_404(entry_id)
    form = RosterEntryEditForm(obj=entry)
    if form.validate_on_submit():
        done = _save_roster(form, lambda: services.update_entry(
            get_session(), entry, target_group=form.target_group.data, begins_on=form.begins_on.data,
            ends_on=form.ends_on.data,
        ), "Der Eintrag wurde gespeichert.", entry.org_unit_id)
        if done:
            return done
    return render_template("trainings/roster_form.html", form=form, unit=entry.org_unit, entry=entry)


@bp.route("/liste/eintrag/<int:entry_id>/loeschen", methods=["GET", "POST"])
@roles_required(Role.FORTBILDUNGSBEAUFTRAGTE, Role.INTEGRATIONSBUERO)
def roster_delete(entry_id: int):
    """GET: the question, with what would be deleted; only the confirmation's POST deletes."""
    entry = _entry_or_404(entry_id)
    form = ConfirmForm()
    if request.method == "GET":
        return render_template("trainings/roster_delete.html", entry=entry, form=form, target_groups=TARGET_GROUPS)
    if not form.validate_on_submit():
        abort(400)
    unit_id = entry.org_unit_id
    db = get_session()
    services.delete_entry(db, entry)
    db.commit()
    flash("Der Eintrag wurde gelöscht. Tipp: Wer ausscheidet, bekommt besser ein Ende-Datum.", "success")
    return redirect(url_for("trainings.roster", oe=unit_id))


@bp.route("/liste/import", methods=["GET", "POST"])
@upload_page
@roles_required(Role.FORTBILDUNGSBEAUFTRAGTE, Role.INTEGRATIONSBUERO)
def roster_import():
    unit = _roster_unit()
    form = ImportForm()
    only = None if current_user.has_role(Role.INTEGRATIONSBUERO) else unit
    result, problems = run_upload_import(form, lambda db, data, name, dry_run: import_roster(
        db, data, name, current_user, only_org_unit=only, dry_run=dry_run), "Die Liste", "Import abgeschlossen")
    if result is not None and not form.dry_run.data:
        return redirect(url_for("trainings.roster", oe=unit.id))
    return render_template("trainings/roster_import.html", form=form, unit=unit, problems=problems, result=result,
                           header=";".join(ROSTER_HEADER))


@bp.route("/personalbestand", methods=["GET", "POST"])
@roles_required(Role.PERSONALAMT, Role.ADMIN)
def persons_import():
    """The Personalamt's personnel master import (the same as `portal person import`)."""
    form = ImportForm()
    result, problems = run_upload_import(form, lambda db, data, name, dry_run: import_persons(
        db, data, name, current_user, dry_run=dry_run), "Der Personalbestand", "Personalbestand übernommen")
    return render_template("trainings/persons_import.html", form=form, problems=problems, result=result,
                           header=";".join(PERSONS_HEADER))


@bp.route("/liste/vorlage.<fmt>")
@roles_required(Role.FORTBILDUNGSBEAUFTRAGTE, Role.INTEGRATIONSBUERO)
def roster_template(fmt: str):
    """The roster import's template: its header and one example row for the chosen OE."""
    unit = _roster_unit()
    example = ["123456", "Muster", "Erika", unit.code, TARGET_GROUPS["buergerkontakt"], "01.01.2025", ""]
    return template_download(fmt, "zielgruppenliste", "Zielgruppenliste", ROSTER_HEADER, example)


@bp.route("/person/<int:person_id>")
@roles_required(Role.FORTBILDUNGSBEAUFTRAGTE, Role.INTEGRATIONSBUERO)
def person(person_id: int):
    db = get_session()
    person = _person_or_404(person_id, perm.can_open_person_page)
    cutoff = _cutoff(CutoffForm(request.args))
    return render_template("trainings/person.html", can_upload=perm.can_upload_for(current_user, person),
                           **_person_view(db, person, cutoff, see_all=current_user.has_role(Role.INTEGRATIONSBUERO)))


# --- Auswertungstabelle -------------------------------------------------------------

def _cutoff(form: CutoffForm) -> date:
    if form.validate() and form.stichtag.data:
        return form.stichtag.data
    return rules.DEFAULT_CUTOFF


def _table_scope(form: CutoffForm) -> OrgUnit | None:
    """None = citywide (integrationsbuero, personalamt; they may pick one OE); else the officer's own OE."""
    if current_user.has_role(Role.INTEGRATIONSBUERO, Role.PERSONALAMT):
        units = get_session().scalars(perm.visible_org_units(current_user)).all()
        form.oe.choices = [("", "alle (ganze Stadtverwaltung)")] + [(str(u.id), u.label) for u in units]
        wanted = form.oe.data or ""
        if not wanted:
            return None
        chosen = next((u for u in units if str(u.id) == wanted), None)
        if chosen is None:
            abort(404)
        return chosen
    unit = current_user.org_unit
    if unit is None or not perm.can_view_compliance(current_user, unit):
        abort(403)
    return unit


@bp.route("/auswertung")
@roles_required(Role.PERSONALAMT, Role.INTEGRATIONSBUERO, Role.FORTBILDUNGSBEAUFTRAGTE)
def table():
    form = TableForm(request.args)
    cutoff = _cutoff(form)
    scope = _table_scope(form)
    rows = compliance_table(get_session(), cutoff, scope)
    hidden = 0
    if form.ohne_liste_ausblenden.data:
        without = {r.org_unit_id for r in rows if r.org_unit_id is not None and r.note == NO_ROSTER}
        rows, hidden = [r for r in rows if r.org_unit_id not in without], len(without)
    return render_template("trainings/table.html", form=form, rows=rows, cutoff=cutoff, scope=scope, hidden=hidden,
                           citywide=current_user.has_role(Role.INTEGRATIONSBUERO, Role.PERSONALAMT),
                           can_open=lambda row: perm.can_open_compliance_cells(current_user, scope if row.org_unit_id else None)
                           and (row.org_unit_id is not None or scope is None))


@bp.route("/auswertung/zelle")
@roles_required(Role.INTEGRATIONSBUERO, Role.FORTBILDUNGSBEAUFTRAGTE)
def cell():
    db = get_session()
    cutoff = _cutoff(CutoffForm(request.args))
    oe_arg = request.args.get("oe", "")
    unit = None
    if oe_arg != "gesamt":
        unit = db.get(OrgUnit, int(oe_arg)) if oe_arg.isdigit() else None
        if unit is None:
            abort(404)
    if not perm.can_open_compliance_cells(current_user, unit):
        abort(404 if unit is not None else 403)
    row = request.args.get("zeile")
    column = request.args.get("spalte")
    if row not in rules.ROW_LABELS or column not in COLUMN_LABELS:
        abort(404)
    page = _page()
    found = exports.cell_members(db, unit, row, column, cutoff, page, PAGE_SIZE)
    for member in found.persons:
        member.result = _as_seen(member.result, cutoff)
    args = {"oe": unit.id if unit else "gesamt", "zeile": row, "spalte": column, "stichtag": cutoff.isoformat()}
    return render_template("trainings/cell.html", unit=unit, row_label=rules.ROW_LABELS[row], column_label=COLUMN_LABELS[column],
                           persons=found.persons, trainings=found.trainings, total_persons=found.total_persons,
                           total_trainings=found.total_trainings, page=page, page_size=PAGE_SIZE, args=args,
                           cutoff=cutoff, column=column,
                           can_open_training=lambda t: perm.can_view_training(current_user, t),
                           can_open_person=lambda p: perm.can_open_person_page(current_user, p))


@bp.route("/auswertung/export/<fmt>")
@roles_required(Role.PERSONALAMT, Role.INTEGRATIONSBUERO, Role.FORTBILDUNGSBEAUFTRAGTE)
def export(fmt: str):
    if fmt not in exports.FORMATS:
        abort(404)
    form = CutoffForm(request.args)
    cutoff = _cutoff(form)
    scope = _table_scope(form)
    db = get_session()
    data, filename, mimetype = exports.render(db, fmt, cutoff, scope)
    audit.record_read(db, "compliance_exported", org_unit_code=scope.code if scope else None,
                      detail={"format": fmt, "stichtag": cutoff.isoformat(), "oe": scope.code if scope else "Gesamt"})
    return attachment(data, filename, mimetype)


CITYWIDE_EXPORT_ROLES = (Role.PERSONALAMT, Role.INTEGRATIONSBUERO)  # the table of the whole administration


@bp.route("/auswertung/export", methods=["POST"])
@roles_required(*CITYWIDE_EXPORT_ROLES)
def export_job():
    """The table of the whole administration as an export job with a progress page."""
    cutoff = _cutoff(CutoffForm(request.form))
    return citywide.begin(citywide.COMPLIANCE, {"stichtag": cutoff.isoformat(), "fmt": request.form.get("fmt")})


@bp.context_processor
def schulungskonzept() -> dict:
    """The Schulungskonzept's texts for every training page (templates/trainings/_concept.html)."""
    return {"concept": concept, "training_contact": current_app.config.get("TRAINING_CONTACT") or "",
            "training_contact_organisation": current_app.config.get("TRAINING_CONTACT_ORGANISATION") or ""}
