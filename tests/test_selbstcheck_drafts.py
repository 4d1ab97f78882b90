"""Drafts: saved on the server with incomplete answers, kept across sign-out, no lost update."""
from __future__ import annotations

import json
import re

from sqlalchemy import func, select

from portal.models.audit import AuditEvent
from portal.models.selbstcheck import Selbstcheck, SelbstcheckVersion
from tests.conftest import csrf_token_from
from tests.support import selbstcheck_fill as fill


def test_draft_with_incomplete_answers_survives_signing_out_and_in(client, login_as, db):
    user = login_as("oe_verantwortliche", oe="Amt 50")
    sc_id = fill.start(client)
    response = fill.post(client, sc_id, {"q1": "4", "q2": "2", "massnahmen_vergangen": "Dolmetschpool seit März"}, action="entwurf")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/selbstcheck/{sc_id}/bearbeiten")
    assert db.scalar(select(func.count()).select_from(SelbstcheckVersion)) == 0

    # sign out through the real page
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    assert client.post("/auth/abmelden", data={"csrf_token": token}).status_code == 302
    assert client.get(f"/selbstcheck/{sc_id}/bearbeiten").status_code == 302  # to the sign-in page

    login_as(user=user)
    html = client.get(f"/selbstcheck/{sc_id}/bearbeiten").get_data(as_text=True)
    assert re.findall(r'<input[^>]*checked[^>]*name="(q\d)"[^>]*value="(\d)"', html) == [("q1", "4"), ("q2", "2")]
    assert "Dolmetschpool seit März</textarea>" in html
    assert "Entwurf zuletzt gespeichert" in html
    db.expire_all()
    assert json.loads(db.get(Selbstcheck, sc_id).draft_json) == {"q1": 4, "q2": 2, "massnahmen_vergangen": "Dolmetschpool seit März"}


def test_a_stale_save_is_refused_and_keeps_what_was_typed(client, app, login_as, db):
    login_as("oe_verantwortliche", oe="Amt 50")
    sc_id = fill.start(client)
    token, count = fill.edit_page(client, sc_id)

    # a colleague saves in the meantime
    other = app.test_client()
    login_as("oe_verantwortliche", oe="Amt 50", test_client=other)
    assert fill.post(other, sc_id, {"q1": "1"}, action="entwurf").status_code == 302

    response = client.post(f"/selbstcheck/{sc_id}/bearbeiten", data={
        "csrf_token": token, "bearbeitungsstand": count, "aktion": "entwurf", "q1": "5", "naechste_schritte": "Mein langer Text"})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Dieser Selbstcheck wurde inzwischen an anderer Stelle gespeichert oder geändert." in html
    assert "Mein langer Text</textarea>" in html
    db.expire_all()
    assert json.loads(db.get(Selbstcheck, sc_id).draft_json) == {"q1": 1}

    # the same stale number cannot submit either
    response = client.post(f"/selbstcheck/{sc_id}/bearbeiten", data={
        "csrf_token": token, "bearbeitungsstand": count, "aktion": "einreichen", **fill.payload((5,) * 8)})
    assert response.status_code == 409
    assert db.scalar(select(func.count()).select_from(SelbstcheckVersion)) == 0


def test_starting_twice_opens_the_existing_one_and_sub_units_are_separate(client, login_as, db):
    login_as("oe_verantwortliche", oe="Amt 50")
    first = fill.start(client, year=2025)
    token = csrf_token_from(client.get("/selbstcheck/").get_data(as_text=True))
    response = client.post("/selbstcheck/neu", data={"csrf_token": token, "reporting_year": "2025", "sub_unit": ""})
    assert response.headers["Location"].endswith(f"/selbstcheck/{first}")
    second = fill.start(client, year=2025, sub_unit="  Abteilung   Soziale Hilfen ")
    assert second != first
    rows = db.execute(select(Selbstcheck.sub_unit, Selbstcheck.reporting_year).order_by(Selbstcheck.id)).all()
    assert [tuple(r) for r in rows] == [("", 2025), ("Abteilung Soziale Hilfen", 2025)]
    listing = client.get("/selbstcheck/").get_data(as_text=True)
    assert "Amt 50 – Abteilung Soziale Hilfen" in listing
    assert db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "selbstcheck_created")) == 2


def test_bad_year_is_refused(client, login_as, db):
    login_as("oe_verantwortliche", oe="Amt 50")
    token = csrf_token_from(client.get("/selbstcheck/").get_data(as_text=True))
    for year in ("1999", "abc", "2150"):
        response = client.post("/selbstcheck/neu", data={"csrf_token": token, "reporting_year": year})
        assert response.status_code == 422
        assert "Bitte wählen Sie ein Berichtsjahr aus der Liste." in response.get_data(as_text=True)
    for sub_unit, message in (("x" * 201, "Bitte kürzen Sie den Namen auf höchstens 200 Zeichen."),
                              ("Sachgebiet\x07", "Der Text enthält unzulässige Steuerzeichen.")):
        response = client.post("/selbstcheck/neu", data={"csrf_token": token, "reporting_year": "2025", "sub_unit": sub_unit})
        assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(Selbstcheck)) == 0


def test_own_list_across_years_shows_the_change_to_the_year_before(client, login_as):
    login_as("oe_verantwortliche", oe="Amt 50")
    for year, values in ((2023, (2,) * 8), (2024, (3,) * 8)):
        sc_id = fill.start(client, year=year)
        assert fill.post(client, sc_id, fill.payload(values)).status_code == 302
    fill.start(client, year=2025)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get("/selbstcheck/").get_data(as_text=True)))
    assert "2025 Amt 50 – Sozialamt Entwurf – –" in text
    assert re.search(r"2024 Amt 50 – \S+ eingereicht 24 Punkte, Gelb \+8 Punkte \(Vorjahr 16\)", text)
    assert re.search(r"2023 Amt 50 – \S+ eingereicht 16 Punkte, Rot – ", text)


def test_a_blank_only_answer_counts_as_not_answered(client, login_as, db):
    """Optional() lets a value of blanks through; it is stored as no answer, not a 500."""
    login_as("oe_verantwortliche", oe="Amt 50")
    sc_id = fill.start(client)
    response = fill.post(client, sc_id, {"q1": " ", "q2": "3"}, action="entwurf")
    assert response.status_code == 302
    db.expire_all()
    assert json.loads(db.get(Selbstcheck, sc_id).draft_json) == {"q2": 3}
