"""Demo data for `make run`: rosters of Amt 50 and Amt 51 with trainings in every state."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models.org import OrgUnit
from portal.models.training import Person, RosterEntry, Training
from portal.models.workflow import State
from portal.trainings import files
from portal.workflow import transition

# personnel numbers 900001… are the demo directory's accounts (portal/data/demo/directory.json)
PEOPLE = [
    ("900001", "Beispiel", "Anna", "Amt 50", ["buergerkontakt"]),
    ("900002", "Öztürk", "Gül", "Amt 50", ["buergerkontakt"]),
    ("900003", "Weiß", "Renée", "Amt 50", ["fuehrungskraft", "buergerkontakt"]),
    ("900004", "Schäfer", "Søren", "Amt 51", ["fuehrungskraft"]),
    ("900005", "Krüger", "Björn", "Amt 50", ["fuehrungskraft"]),
    ("900101", "Nguyen", "Thi Lan", "Amt 50", ["buergerkontakt"]),
    ("900102", "Hoffmann", "Jens", "Amt 50", ["oeffentlichkeitsarbeit"]),
    ("900103", "Kowalski", "Marta", "Amt 50", ["buergerkontakt"]),
    ("900104", "Al-Hassan", "Omar", "Amt 51", ["buergerkontakt"]),
    ("900105", "Lehmann", "Sabine", "Amt 51", ["buergerkontakt"]),
    ("900106", "Petrović", "Ana", "Amt 51", ["fuehrungskraft"]),
    ("900107", "Wagner", "Uwe", "Amt 51", ["oeffentlichkeitsarbeit"]),
]
# (personnel number, title, date, hours, contents, state, comment, uploaded?)
TRAININGS = [
    ("900001", "Interkulturelle Kommunikation im Bürgerbüro", date(2024, 3, 12), "7", ["interkulturell"], "submitted", None, True),
    ("900002", "Leichte Sprache in Bescheiden", date(2023, 9, 5), "6", ["buergernah"], "accepted", None, False),
    ("900003", "Führen in vielfältigen Teams", date(2022, 11, 8), "8", ["interkulturell", "demokratisch"], "accepted", None, False),
    ("900005", "Umgang mit Rassismus am Arbeitsplatz", date(2025, 2, 20), "4,5", ["demokratisch"], "accepted", None, False),
    ("900101", "Arabisch für den Alltag (Sprachkurs)", date(2024, 6, 30), "30", ["mehrsprachigkeit"], "accepted", None, False),
    ("900102", "Diskriminierungssensible Öffentlichkeitsarbeit", date(2025, 4, 2), "6", ["demokratisch"], "returned",
     "Auf dem Nachweis fehlt die Dauer. Bitte laden Sie die Teilnahmebestätigung mit Stundenangabe hoch.", True),
    ("900103", "Interkulturelle Kompetenz kompakt", date(2020, 10, 1), "6", ["interkulturell"], "accepted", None, False),
    ("900104", "Vielfalt in der Jugendhilfe", date(2024, 1, 15), "6", ["interkulturell"], "accepted", None, False),
    ("900105", "Gewaltfreie Kommunikation", date(2024, 5, 5), "6", ["buergernah"], "rejected",
     "Der Inhalt passt nicht zu den Schulungsinhalten des Schulungskonzepts.", True),
    ("900106", "Mehrsprachige Beratung", date(2023, 3, 3), "8", ["mehrsprachigkeit"], "accepted", None, False),
    ("900107", "Zivilcourage und Demokratie", date(2025, 10, 10), "6", ["demokratisch"], "submitted", None, True),
]
DEMO_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def load_demo(db: Session) -> str:
    first = db.scalar(select(Person).where(Person.personnel_number == PEOPLE[0][0]))
    if first is not None and first.entries:
        return "Schulungsauftrag: Demodaten sind schon da"
    units = {u.code: u for u in db.scalars(select(OrgUnit).where(OrgUnit.code.in_(["Amt 50", "Amt 51"])))}
    persons: dict[str, Person] = {}
    for pn, last, first_name, oe, groups in PEOPLE:
        # as the Personalamt's personnel records have them (a demo account may have signed in already)
        person = db.scalar(select(Person).where(Person.personnel_number == pn))
        if person is None:
            person = Person(personnel_number=pn, last_name=last, first_name=first_name)
            db.add(person)
        person.last_name, person.first_name = last, first_name
        person.org_unit_id, person.oe_source = units[oe].id, "personalamt"
        db.flush()
        persons[pn] = person
        for group in groups:
            db.add(RosterEntry(person_id=person.id, org_unit_id=units[oe].id, target_group=group, begins_on=date(2022, 1, 1)))
    # a leaver: no longer counted on the Stichtag
    db.add(RosterEntry(person_id=persons["900103"].id, org_unit_id=units["Amt 51"].id, target_group="buergerkontakt",
                       begins_on=date(2021, 1, 1), ends_on=date(2021, 12, 31)))
    for pn, title, day, hours, contents, state, comment, uploaded in TRAININGS:
        training = Training(
            person_id=persons[pn].id, title=title, provider="Fortbildungsprogramm der Landeshauptstadt Dresden",
            completed_on=day, hours=Decimal(hours.replace(",", ".")), format="praesenz", internal=not uploaded,
            source="upload" if uploaded else "import", decision_comment=comment,
            **{f"c_{c}": True for c in contents},
        )
        if uploaded:
            checked = files.CheckedFile("pdf", DEMO_PDF, f"Teilnahmebestätigung {title[:40]}.pdf")
            training.file_name = files.store(checked)
            training.file_original_name, training.file_type, training.file_size = checked.original_name, checked.mime, len(DEMO_PDF)
        db.add(training)
        transition(db, training, State.SUBMITTED if uploaded else State.ACCEPTED, None, subject_type="training")
        if uploaded and state != "submitted":
            transition(db, training, State(state), None, subject_type="training", comment=comment)
    db.flush()
    return f"Schulungsauftrag: {len(PEOPLE)} Personen, {len(TRAININGS)} Nachweise"
