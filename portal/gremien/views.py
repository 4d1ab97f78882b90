"""Gremien pages: the bodies with their current leads and warnings, one body's fact sheet
per year with members and meetings, and the maintainers' forms (members, leads,
meetings with topics, guests and minutes, Sonstiges); meeting invitations as .ics."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from portal.auth.access import signed_in
from portal.auth.permissions import can_maintain_gremium, can_read_minutes, can_see_member_contacts
from portal.db import get_session
from portal.errors import render_error
from portal.exports.download import download, safe_filename
from portal.forms.common import ConfirmForm
from portal.forms.gremien import (
    GuestForm,
    LeadEndForm,
    LeadForm,
    MeetingForm,
    MemberForm,
    MinutesForm,
    NoteForm,
    TopicForm,
)
from portal.gremien import facts, files, ical, services
from portal.models.gremien import AFFILIATIONS, LEAD_ROLES, MEETING_KINDS, GremiumLead, GremiumMeeting, GremiumMember
from portal.models.measure import WorkingGroup
from portal.models.org import OrgUnit
from portal.storage import StorageError
from portal.trainings import files as file_store
from portal.uploads import upload_page

bp = Blueprint("gremien", __name__, url_prefix="/gremien")

ORDER = {"KG": 0, "AG1": 1, "AG2": 2, "AG3": 3}


def _groups() -> list[WorkingGroup]:
    return sorted(get_session().scalars(select(WorkingGroup)), key=lambda g: (ORDER.get(g.code, 9), g.code))


def _group_or_404(group_id: int) -> WorkingGroup:
    group = get_session().get(WorkingGroup, group_id)
    if group is None:
        abort(404)
    return group


def _maintained_group_or_403(group_id: int) -> WorkingGroup:
    group = _group_or_404(group_id)
    if not can_maintain_gremium(current_user, group):
        abort(403)
    return group


def _maintained_record(model, record_id: int):  # noqa: ANN001,ANN202 - GremiumMember or GremiumLead
    """A member or lead of a body the signed-in person maintains (404 unknown, 403 another body)."""
    record = get_session().get(model, record_id)
    if record is None:
        abort(404)
    if not can_maintain_gremium(current_user, record.working_group):
        abort(403)
    return record


def _meeting_or_404(meeting_id: int) -> GremiumMeeting:
    meeting = get_session().get(GremiumMeeting, meeting_id)
    if meeting is None:
        abort(404)
    return meeting


def _year() -> int:
    raw = request.args.get("jahr", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else date.today().year


@bp.route("/")
@signed_in
def index():
    year = _year()
    db = get_session()
    sheets = [facts.fact_sheet(db, g, *facts.year_span(year)) for g in _groups()]
    return render_template("gremien/index.html", sheets=sheets, year=year,
                           can_maintain=lambda g: can_maintain_gremium(current_user, g))


@bp.route("/<int:group_id>")
@signed_in
def show(group_id: int):
    group = _group_or_404(group_id)
    year = _year()
    db = get_session()
    sheet = facts.fact_sheet(db, group, *facts.year_span(year))
    members = list(db.scalars(select(GremiumMember).where(GremiumMember.working_group_id == group.id)
                              .order_by(GremiumMember.left_on.is_not(None), GremiumMember.name)))
    meetings = list(db.scalars(select(GremiumMeeting).where(GremiumMeeting.working_group_id == group.id)
                               .order_by(GremiumMeeting.held_on.desc())))
    leads = list(db.scalars(select(GremiumLead).where(GremiumLead.working_group_id == group.id)
                            .order_by(GremiumLead.valid_from.desc(), GremiumLead.id)))
    return render_template("gremien/show.html", group=group, sheet=sheet, year=year, members=members, leads=leads,
                           end_forms={lead.id: LeadEndForm(prefix=f"leitung{lead.id}") for lead in leads
                                      if lead.valid_to is None},
                           meetings=meetings, affiliations=AFFILIATIONS, kinds=MEETING_KINDS, roles=LEAD_ROLES,
                           can_maintain=can_maintain_gremium(current_user, group),
                           show_contacts=can_see_member_contacts(current_user, group))


def _unit_choices() -> list[tuple[int, str]]:
    units = get_session().scalars(select(OrgUnit).where(OrgUnit.retired_on.is_(None)).order_by(OrgUnit.code))
    return [(0, "– keine –")] + [(u.id, f"{u.code} {u.name or ''}".strip()) for u in units]


def _person_form(form_class, group: WorkingGroup, template: str, save, done: str):  # noqa: ANN001,ANN202
    form = form_class()
    form.org_unit_id.choices = _unit_choices()
    if form.validate_on_submit():
        save(get_session(), group, form.data)
        get_session().commit()
        flash(done, "success")
        return redirect(url_for("gremien.show", group_id=group.id))
    return render_template(template, form=form, group=group)


@bp.route("/<int:group_id>/mitglieder/neu", methods=["GET", "POST"])
@signed_in
def member_new(group_id: int):
    group = _maintained_group_or_403(group_id)
    return _person_form(MemberForm, group, "gremien/member_form.html", services.add_member, "Das Mitglied ist eingetragen.")


@bp.route("/mitglieder/<int:member_id>/austritt", methods=["POST"])
@signed_in
def member_leave(member_id: int):
    db = get_session()
    member = _maintained_record(GremiumMember, member_id)
    if ConfirmForm().validate_on_submit() and member.left_on is None:
        services.end_membership(db, member, date.today())
        db.commit()
        flash("Die Mitgliedschaft ist beendet.", "success")
    return redirect(url_for("gremien.show", group_id=member.working_group_id))


@bp.route("/<int:group_id>/leitung/neu", methods=["GET", "POST"])
@signed_in
def lead_new(group_id: int):
    group = _maintained_group_or_403(group_id)
    return _person_form(LeadForm, group, "gremien/lead_form.html", services.add_lead,
                        "Leitung bzw. Stellvertretung ist eingetragen.")


@bp.route("/leitung/<int:lead_id>/ende", methods=["POST"])
@signed_in
def lead_end(lead_id: int):
    db = get_session()
    lead = _maintained_record(GremiumLead, lead_id)
    form = LeadEndForm(prefix=f"leitung{lead.id}")
    if form.validate_on_submit():
        if form.valid_to.data < lead.valid_from:
            flash("Das Ende liegt vor dem Beginn der Leitung bzw. Stellvertretung. Nichts wurde geändert.", "error")
        else:
            services.end_lead(db, lead, form.valid_to.data)
            db.commit()
            flash(f"{LEAD_ROLES[lead.role]} von {lead.name} endet am {lead.valid_to:%d.%m.%Y}.", "success")
    else:
        flash("Bitte geben Sie ein gültiges Datum an (TT.MM.JJJJ).", "error")
    return redirect(url_for("gremien.show", group_id=lead.working_group_id))


@bp.route("/<int:group_id>/sitzungen/neu", methods=["GET", "POST"])
@signed_in
def meeting_new(group_id: int):
    group = _maintained_group_or_403(group_id)
    form = MeetingForm()
    if form.validate_on_submit():
        meeting = services.add_meeting(get_session(), group, form.kind.data, form.held_on.data,
                                       getattr(form.starts_at, "time", None), getattr(form.ends_at, "time", None),
                                       form.location.data)
        get_session().commit()
        flash("Die Sitzung ist eingetragen. Ergänzen Sie Themen, Gäste und das Protokoll.", "success")
        return redirect(url_for("gremien.meeting", meeting_id=meeting.id))
    return render_template("gremien/meeting_form.html", form=form, group=group)


def _meeting_forms():  # noqa: ANN202
    topic_form = TopicForm()
    topic_form.measure_ids.choices = services.measure_choices(get_session())
    return topic_form, GuestForm(), MinutesForm()


@bp.route("/sitzungen/<int:meeting_id>", methods=["GET", "POST"])
@upload_page
@signed_in
def meeting(meeting_id: int):
    meeting = _meeting_or_404(meeting_id)
    group = meeting.working_group
    may_maintain = can_maintain_gremium(current_user, group)
    topic_form, guest_form, minutes_form = _meeting_forms()
    if request.method == "POST":
        if not may_maintain:
            abort(403)
        db = get_session()
        action = request.form.get("aktion")
        if action == "thema" and topic_form.validate_on_submit():
            services.add_topic(db, meeting, topic_form.text.data, topic_form.measure_ids.data)
            db.commit()
            flash("Das Thema ist eingetragen.", "success")
            return redirect(url_for("gremien.meeting", meeting_id=meeting.id))
        if action == "gast" and guest_form.validate_on_submit():
            services.add_guest(db, meeting, guest_form.name.data, guest_form.topic.data)
            db.commit()
            flash("Der Gast ist eingetragen.", "success")
            return redirect(url_for("gremien.meeting", meeting_id=meeting.id))
        if action == "protokoll" and minutes_form.validate_on_submit():
            upload = minutes_form.file.data
            try:
                checked = files.check_minutes(upload.read(), upload.filename, file_store.max_bytes())
            except file_store.CertificateError as exc:
                minutes_form.file.errors = [str(exc)]
            else:
                try:
                    previous = services.attach_minutes(db, meeting, checked)
                except StorageError as exc:
                    db.rollback()
                    minutes_form.file.errors = [str(exc)]
                else:
                    if previous:
                        file_store.remove_after_commit(db, previous, files.AREA)
                    db.commit()
                    flash("Das Protokoll ist gespeichert.", "success")
                    return redirect(url_for("gremien.meeting", meeting_id=meeting.id))
        if action not in ("thema", "gast", "protokoll"):
            flash("Unbekannte Aktion.", "error")
    status = 400 if request.method == "POST" else 200
    return render_template("gremien/meeting.html", meeting=meeting, group=group, may_maintain=may_maintain,
                           topic_form=topic_form, guest_form=guest_form, minutes_form=minutes_form,
                           kinds=MEETING_KINDS, minutes_readable=can_read_minutes(current_user, group)), status


@bp.route("/sitzungen/<int:meeting_id>/protokoll")
@signed_in
def minutes(meeting_id: int):
    meeting = _meeting_or_404(meeting_id)
    if not can_read_minutes(current_user, meeting.working_group) or not meeting.minutes_file:
        abort(404)
    try:
        return file_store.download(meeting.minutes_file, meeting.minutes_original_name or "protokoll",
                                   meeting.minutes_type, files.AREA)
    except FileNotFoundError:
        abort(404)
    except StorageError as exc:
        return render_error(503, str(exc))


@bp.route("/sitzungen/<int:meeting_id>/einladung.ics")
@signed_in
def invitation(meeting_id: int):
    meeting = _meeting_or_404(meeting_id)
    name = safe_filename(f"Einladung_{meeting.working_group.code}_{meeting.held_on.isoformat()}") + ".ics"
    return download(ical.invitation(meeting, request.host.split(":")[0] or "portal"), name,
                    "text/calendar; charset=utf-8")


@bp.route("/<int:group_id>/sonstiges", methods=["GET", "POST"])
@signed_in
def note_new(group_id: int):
    group = _maintained_group_or_403(group_id)
    form = NoteForm()
    this_year = date.today().year
    form.year.choices = [(y, str(y)) for y in range(this_year + 1, 2021, -1)]
    if request.method == "GET":
        form.year.data = _year()
    if form.validate_on_submit():
        services.add_note(get_session(), group, form.year.data, form.text.data)
        get_session().commit()
        flash("Der Eintrag unter „Sonstiges“ ist gespeichert.", "success")
        return redirect(url_for("gremien.show", group_id=group.id, jahr=form.year.data))
    return render_template("gremien/note_form.html", form=form, group=group)
