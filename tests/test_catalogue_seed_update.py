"""Existing installations: `portal setup` brings the corrected seed text to measures that still
hold the text the November 2026 release shipped, and leaves edited measures alone."""
from __future__ import annotations

import json
from datetime import date

from sqlalchemy import func, select

from portal import reference
from portal.measures import tables
from portal.measures.catalogue import shipped_catalogue, shipped_differences
from portal.models.audit import AuditEvent
from portal.models.measure import ActionField, Measure
from tests.measures_support import make_period, row_of


def measure_of(db, field, number, part=""):
    return db.scalars(select(Measure).join(ActionField).where(
        ActionField.code == field, Measure.number == number, Measure.part == part)).one()


def spec_of(field, number, part=None):
    return next(m for m in shipped_catalogue()["measures"]
                if (m["field"], m["number"], m["part"]) == (field, str(number), part))


def as_released_in_2026_11(measure, spec, content=None, modes=None, priorities=None, participants=None):
    """Put a measure back into the state the November 2026 release loaded: one goal, no
    sub-heading, no wording of the responsibility, and the old text where it was changed since."""
    measure.goal, measure.heading = spec["goal"], None
    measure.content = content or spec["content"]
    for index, row in enumerate(measure.rows):
        row.responsibility = None
        if modes:
            row.lead_mode = modes[index]
        if priorities:
            row.priority = priorities[index]
        if participants:
            row.participants = participants[index]


def run_setup(app):
    with app.app_context():
        from portal.db import get_session

        session = get_session()
        lines = reference.load_all(session)
        session.commit()
    return [line for line in lines if line.startswith("Maßnahmenkatalog")][0]


def test_unedited_old_text_is_corrected_and_edits_stay(app, db):
    old = {}
    for key in [("sprache", 1, ""), ("wohnen", 2, "")]:  # unchanged text, only the stored wording was missing
        as_released_in_2026_11(measure_of(db, *key), spec_of(key[0], key[1]))
    j4 = measure_of(db, "jugendhilfe", 4)
    as_released_in_2026_11(j4, spec_of("jugendhilfe", 4), content=j4.content.replace("SGB XIII", "SGB VIII"),
                           modes=["federführend im Zuständigkeitsbereich"])
    g4 = measure_of(db, "gesundheit-sport", 4, "Gesundheit")
    as_released_in_2026_11(g4, spec_of("gesundheit-sport", 4, "Gesundheit"), priorities=["sehr hoch", "sehr hoch"])
    v11 = measure_of(db, "verwaltung", 11)
    as_released_in_2026_11(v11, spec_of("verwaltung", 11),
                           participants=["Migrantengesellschaften, DSM e. V., IAB, ehrenamtliche Stadtteilbündnisse"])
    # the office edited this one after loading the old text: it must stay as it is
    s11 = measure_of(db, "schulische-bildung", 11)
    as_released_in_2026_11(s11, spec_of("schulische-bildung", 11),
                           content=s11.content.replace("Sprach- und Kulturmöglichkeiten", "Sprach- und Kulturmittlung"))
    s11.title = "Teilkonzept „Schulen in der Migrationsgesellschaft“ (vom Integrationsbüro gekürzt)"
    period = make_period(db, "Zwischenbericht 2024", date(2024, 12, 31), False)
    db.commit()
    old["s11"] = (s11.title, s11.content)

    line = run_setup(app)
    assert line.startswith("Maßnahmenkatalog: 0 neu, 144 insgesamt; 3 unveränderte Maßnahmen auf den berichtigten Text gebracht: "
                           "6.4, 9.4 (Gesundheit), 11.11; 1 Maßnahme weicht vom mitgelieferten Katalog ab (nicht überschrieben): 5.11.")
    db.expire_all()
    j4 = measure_of(db, "jugendhilfe", 4)
    assert "Paragraf 8a SGB XIII" in j4.content and j4.rows[0].lead_mode == "nicht festgelegt"
    assert j4.rows[0].responsibility == "Amt 51, 53, Träger der Erstaufnahmeeinrichtungen, Träger der Gemeinschaftsunterkünfte, weitere Beteiligte"
    g4 = measure_of(db, "gesundheit-sport", 4, "Gesundheit")
    assert [r.priority for r in g4.rows] == ["sehr hoch", None]
    v11 = measure_of(db, "verwaltung", 11)
    assert v11.rows[0].participants.startswith("in Zusammenarbeit mit Migrantengesellschaften")
    assert measure_of(db, "sprache", 1).rows[0].responsibility == "INAUSLB (federführend), Amt 50, BAMF, weitere Beteiligte"
    s11 = measure_of(db, "schulische-bildung", 11)
    assert (s11.title, s11.content) == old["s11"]
    assert shipped_differences(db) == ["5.11"]
    audit = db.scalars(select(AuditEvent).where(AuditEvent.action == "catalogue_corrected")).all()
    assert sorted(json.loads(e.detail)["massnahme"] for e in audit) == ["1.1", "11.11", "3.2", "6.4", "9.4 (Gesundheit)"]

    # the council table now shows the plan's wording and the missing lead
    line_6_4 = next(li for li in tables.council_table(db, period).lines if (li.field_number, li.nr) == (6, "4"))
    assert line_6_4.lead_note == "federführend: nicht festgelegt"
    assert line_6_4.responsibility.startswith("Amt 51, 53,")

    # a second run changes nothing more
    assert run_setup(app) == ("Maßnahmenkatalog: 0 neu, 144 insgesamt; 1 Maßnahme weicht vom mitgelieferten Katalog ab "
                              "(nicht überschrieben): 5.11. Übernehmen: „portal catalogue export --mitgeliefert“, dann "
                              "„portal catalogue import DATEI --dry-run --einzeln“ (siehe docs/measures.md)")
    assert db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "catalogue_corrected")) == 5


def test_a_lead_change_in_the_browser_drops_the_plan_wording(client, db, login_as, csrf):
    row = row_of(db, "jugendhilfe", 4)
    assert row.responsibility is not None
    login_as("integrationsbuero", oe="INAUSLB")
    path = f"/measures/teil/{row.id}"
    response = client.post(path, data={"csrf_token": csrf(path), "leads": "Amt 51 (federführend)", "participants": "Amt 53",
                                       "deadline": "2022 bis 2026", "priority": "hoch"})
    assert response.status_code == 302
    db.expire_all()
    row = row_of(db, "jugendhilfe", 4)
    assert (row.lead_mode, row.responsibility) == ("federführend", None)
    assert tables.responsibility(row) == "Amt 51 (federführend), Amt 53"


def test_an_extra_part_may_be_saved_without_priority(client, db, login_as, csrf):
    row = row_of(db, "gesundheit-sport", 4, 2, part="Gesundheit")
    login_as("integrationsbuero", oe="INAUSLB")
    path = f"/measures/teil/{row.id}"
    page = client.get(path).get_data(as_text=True)
    assert "keine Priorität (wie im Plan)" in page
    response = client.post(path, data={"csrf_token": csrf(path), "leads": "INAUSLB (federführend)", "participants": "Amt 53",
                                       "deadline": "2025", "priority": "", "content": row.content})
    assert response.status_code == 302
    db.expire_all()
    row = row_of(db, "gesundheit-sport", 4, 2, part="Gesundheit")
    assert (row.deadline, row.priority) == ("2025", None)


def test_catalogue_page_shows_the_plan_wording_missing_lead_and_missing_priority(client, login_as):
    login_as("integrationsbuero", oe="INAUSLB")
    html = client.get("/measures/?feld=jugendhilfe").get_data(as_text=True)
    assert ("Amt 51, 53, Träger der Erstaufnahmeeinrichtungen, Träger der Gemeinschaftsunterkünfte, weitere Beteiligte"
            '<br><span class="hint-inline">(federführend: nicht festgelegt)</span>') in html
    assert "Paragraf 8a SGB XIII" in html
    html = client.get("/measures/?feld=gesundheit-sport").get_data(as_text=True)
    assert "None" not in html
    html = client.get("/measures/?feld=verwaltung").get_data(as_text=True)
    assert "<strong>Abschließend noch einige Maßnahmen zur weiteren interkulturellen Öffnung von Ämtern" in html
    teilhabe = client.get("/measures/?feld=teilhabe").get_data(as_text=True)
    assert teilhabe.count('<tr class="goal-row">') == 5  # 2 + 1 + 2 goal statements before the three tables
