"""Objects of the own OE for the security table: one small function per kind of object.

Each returns the URL values of the route. They run inside an app context (the certificate
file is written below UPLOAD_DIR) and only add/flush; the suite commits."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.auth.permissions import rows_led_by
from portal.models.measure import ActionField, Measure, MeasureRow, ReportingPeriod
from portal.models.people import User
from portal.models.selbstcheck import QuestionnaireVersion, Selbstcheck
from portal.models.training import Person, RosterEntry, Training
from portal.selbstcheck import services as selbstcheck_services
from portal.trainings import files
from tests.conftest import org_unit
from tests.measures_support import accepted_report
from tests.support import training_scenario as sc

OWN_OE = "Amt 50"
# the personnel number of the "beschaeftigte" person of the table: the certificates belong to
# them. It is the demo account anna.beispiel's, so the browser suite (demo directory) can use
# the same objects and expectations.
OWNER_NUMBER = "900001"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


# --- trainings ------------------------------------------------------------------------

def _roster_person(db: Session, number: str = OWNER_NUMBER) -> tuple[Any, RosterEntry]:
    person = db.scalar(select(Person).where(Person.personnel_number == number))
    if person is None:
        person = sc.person(db, number, "Sicher", "Sam")
        sc.entry(db, person, org_unit(db, OWN_OE), "buergerkontakt")
        db.refresh(person)
    return person, person.entries[0]


def _certificate(db: Session, state: str) -> Training:
    person, _entry = _roster_person(db)
    training = sc.training(db, person, on=date(2025, 3, 1), hours="6", contents=("interkulturell",), state=state,
                           source="upload", comment="Bitte Datum prüfen." if state == "returned" else None)
    training.file_name = files.store(files.CheckedFile("pdf", PDF, "Nachweis.pdf"))
    training.file_original_name, training.file_type, training.file_size = "Nachweis.pdf", "application/pdf", len(PDF)
    db.flush()
    return training


def submitted_certificate(db: Session) -> dict[str, Any]:
    return {"training_id": _certificate(db, "submitted").id}


def returned_certificate(db: Session) -> dict[str, Any]:
    return {"training_id": _certificate(db, "returned").id}


def roster_person(db: Session) -> dict[str, Any]:
    return {"person_id": _roster_person(db)[0].id}


def roster_entry(db: Session) -> dict[str, Any]:
    """A colleague's entry (a new person each call: the delete uses it up)."""
    number = f"SICH-E{db.scalar(select(func.count()).select_from(Person)) + 1}"
    return {"entry_id": _roster_person(db, number)[1].id}


# --- Selbstcheck ----------------------------------------------------------------------

def _author(db: Session) -> User:
    user = db.scalar(select(User).where(User.username == "sicherheit-autor"))
    if user is None:
        user = User(external_id="test-sicherheit-autor", dn="uid=sicherheit-autor", username="sicherheit-autor",
                    display_name="Autor", personnel_number="SICH-0002", oe_value=OWN_OE, org_unit=org_unit(db, OWN_OE))
        db.add(user)
        db.flush()
    return user


def _selbstcheck(db: Session, year: int) -> Selbstcheck:
    check, _new = selbstcheck_services.start(db, _author(db), org_unit(db, OWN_OE), year, "")
    return check


def selbstcheck_draft(db: Session) -> dict[str, Any]:
    return {"sc_id": _selbstcheck(db, 2023).id}  # a year without a demo Selbstcheck of Amt 50


def selbstcheck_submitted(db: Session) -> dict[str, Any]:
    check = _selbstcheck(db, 2025)
    if check.state == "draft":
        selbstcheck_services.submit(db, check, _author(db), {f"q{n}": 4 for n in range(1, 9)}, check.edit_count)
        db.flush()
    return {"sc_id": check.id, "number": 1}


def questionnaire(db: Session) -> dict[str, Any]:
    return {"qv_id": db.scalars(select(QuestionnaireVersion.id).order_by(QuestionnaireVersion.id)).first()}


# --- measures -------------------------------------------------------------------------
# a row Amt 50 leads in a field of AG1 (the table's ag_leitung), in an open period

def own_row(db: Session) -> MeasureRow:
    unit = org_unit(db, OWN_OE)
    return db.scalars(
        rows_led_by(unit.id).join(Measure).join(ActionField).where(ActionField.code == "sprache").order_by(MeasureRow.id)
    ).first()


def open_period(db: Session) -> ReportingPeriod:
    period = db.scalar(select(ReportingPeriod).where(ReportingPeriod.name == "Sicherheit 2026"))
    if period is None:
        period = ReportingPeriod(name="Sicherheit 2026", cutoff_on=date(2026, 12, 31), is_open=True)
        db.add(period)
        db.flush()
    return period


def period(db: Session) -> dict[str, Any]:
    return {"period_id": open_period(db).id}


def period_and_row(db: Session) -> dict[str, Any]:
    return {"period_id": open_period(db).id, "row_id": own_row(db).id}


def period_and_measure(db: Session) -> dict[str, Any]:
    return {"period_id": open_period(db).id, "measure_id": own_row(db).measure_id}


def measure(db: Session) -> dict[str, Any]:
    return {"measure_id": own_row(db).measure_id}


def row(db: Session) -> dict[str, Any]:
    return {"row_id": own_row(db).id}


def submitted_report(db: Session) -> dict[str, Any]:
    report = accepted_report(db, open_period(db), own_row(db), org_unit(db, OWN_OE), "offen")
    report.state = "submitted"
    db.flush()
    return {"report_id": report.id}


# --- Gremien: objects of AG 1 (the table's AG-Leitung leads AG 1, "fremde_oe" leads AG 2) ---

def working_group(db: Session) -> dict[str, Any]:
    from portal.models.measure import WorkingGroup

    return {"group_id": db.scalar(select(WorkingGroup.id).where(WorkingGroup.code == "AG1"))}


def gremium_member(db: Session) -> dict[str, Any]:
    from portal.models.gremien import GremiumMember

    member = GremiumMember(working_group_id=working_group(db)["group_id"], name="Mitglied", affiliation="freie_traeger",
                           organisation="Ausländerrat Dresden e. V.", email="m@example.org", joined_on=date(2023, 1, 1))
    db.add(member)
    db.flush()
    return {"member_id": member.id}


def gremium_meeting(db: Session) -> dict[str, Any]:
    from portal.gremien.files import AREA
    from portal.models.gremien import GremiumMeeting

    meeting = GremiumMeeting(working_group_id=working_group(db)["group_id"], kind="sitzung", held_on=date(2025, 3, 4))
    meeting.minutes_file = files.store(files.CheckedFile("pdf", PDF, "Protokoll.pdf"), AREA)
    meeting.minutes_original_name, meeting.minutes_type = "Protokoll.pdf", "application/pdf"
    db.add(meeting)
    db.flush()
    return {"meeting_id": meeting.id}


# --- report to the city council: the Integrationsbüro's text sections and jobs ---------------

def report_text(db: Session) -> dict[str, Any]:
    from portal.models.gremien import ReportText

    values = period(db)
    if db.query(ReportText).filter_by(period_id=values["period_id"], key="einleitung", version=1).first() is None:
        db.add(ReportText(period_id=values["period_id"], key="einleitung", version=1, body="Einleitung."))
        db.flush()
    return {**values, "key": "einleitung", "version": 1}


def foreign_report_job(db: Session) -> dict[str, Any]:
    from portal.models.export_job import ExportJob

    job = ExportJob(kind="bericht", state="done", params="{}", created_by_id=None)
    db.add(job)
    db.flush()
    return {"job_id": job.id}


def gremium_lead(db: Session) -> dict[str, Any]:
    from portal.models.gremien import GremiumLead

    lead = GremiumLead(working_group_id=working_group(db)["group_id"], role="leitung", name="Leitung",
                       valid_from=date(2023, 1, 1))
    db.add(lead)
    db.flush()
    return {"lead_id": lead.id}
