"""Demo data and the pages people see first: start page, navigation, own page, table."""
from __future__ import annotations

from portal.trainings.demo import load_demo


def _load(app, db):
    with app.app_context():
        assert load_demo(db) == "Schulungsauftrag: 12 Personen, 11 Nachweise"
        db.commit()
        assert load_demo(db) == "Schulungsauftrag: Demodaten sind schon da"


def test_demo_data_gives_a_meaningful_table(app, client, db, login_as, make_user):
    _load(app, db)
    login_as(user=make_user(username="integrationsbuero", roles=("integrationsbuero",), oe="INAUSLB", personnel_number="900006"))
    html = client.get("/trainings/auswertung").get_data(as_text=True)
    assert "Auswertungstabelle Schulungsauftrag" in html
    queue = client.get("/trainings/pruefung").get_data(as_text=True)
    assert "Eingereichte Nachweise, älteste zuerst (2)" in queue
    assert "<td>Amt 50</td>" in queue and "<td>Amt 51</td>" in queue
    from sqlalchemy import select

    from portal.models.org import OrgUnit

    a51 = db.scalar(select(OrgUnit.id).where(OrgUnit.code == "Amt 51"))
    only51 = client.get(f"/trainings/pruefung?oe={a51}").get_data(as_text=True)
    assert "Eingereichte Nachweise, älteste zuerst (1)" in only51 and "Wagner, Uwe" in only51
    start = client.get("/").get_data(as_text=True)
    assert "Nachweise prüfen" in start and "Auswertungstabelle" in start and "Zielgruppenliste pflegen" in start


def test_employee_sees_own_status_and_what_would_count(app, client, db, login_as, make_user):
    _load(app, db)
    login_as(user=make_user(username="anna.beispiel", oe="Amt 50", personnel_number="900001"))
    html = client.get("/trainings/").get_data(as_text=True)
    assert "Bürgerkontakt" in html and "Nachweis in Prüfung" in html
    assert "Interkulturelle Kommunikation im Bürgerbüro" in html
    assert "Es zählt eine anerkannte Schulung zur interkulturellen oder demokratischen Kompetenz, zur Mehrsprachigkeit" in html
    nav = client.get("/").get_data(as_text=True)
    assert "Meine Schulungen" in nav and "Auswertungstabelle" not in nav
    # a lead whose only training was too short
    login_as(user=make_user(username="ag1.leitung", oe="Amt 50", personnel_number="900005"))
    html = client.get("/trainings/").get_data(as_text=True)
    assert "„Umgang mit Rassismus am Arbeitsplatz“: zu kurz (4,5 Std.)" in html
    assert "Führungskraft" in html and "Auftrag noch nicht erfüllt" in html


def test_person_without_personnel_number_or_roster(client, login_as, make_user, db):
    user = make_user(username="ohne")
    user.personnel_number = None
    db.commit()
    login_as(user=user)
    html = client.get("/trainings/").get_data(as_text=True)
    assert "keine Personalnummer hinterlegt" in html
    assert client.get("/trainings/nachweis/neu").status_code == 302
    login_as(user=make_user(username="neu", personnel_number="555"))
    html = client.get("/trainings/").get_data(as_text=True)
    assert "Sie stehen in keiner Zielgruppenliste." in html
    assert client.get("/trainings/nachweis/neu").status_code == 200
