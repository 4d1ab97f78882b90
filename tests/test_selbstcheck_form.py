"""Filling in the Selbstcheck: colours at the band edges, conditional texts, refused input."""
from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select

from portal.models.selbstcheck import QuestionnaireVersion, Selbstcheck, SelbstcheckVersion
from tests.support import selbstcheck_fill as fill


def _counts(db):
    db.expire_all()
    return (db.scalar(select(func.count()).select_from(Selbstcheck)),
            db.scalar(select(func.count()).select_from(SelbstcheckVersion)),
            db.scalar(select(Selbstcheck.draft_json).order_by(Selbstcheck.id.desc()).limit(1)))


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize(
    ("values", "subtotals", "total", "color", "label", "advice"),
    [
        ((1, 1, 1, 1, 1, 1, 1, 1), (3, 2, 3), 8, "rot", "Rot", "Rot weist auf große Herausforderungen"),
        ((3, 3, 3, 2, 3, 2, 2, 2), (9, 5, 6), 20, "rot", "Rot", "Arbeiten Sie bitte stringent an Verbesserungen."),
        ((3, 3, 3, 3, 3, 2, 2, 2), (9, 6, 6), 21, "gelb", "Gelb", "Gelb weist auf deutliche Einschränkungen"),
        ((4, 4, 4, 4, 4, 4, 3, 3), (12, 8, 10), 30, "gelb", "Gelb", "Arbeiten Sie bitte weiter kontinuierlich an Verbesserungen."),
        ((4, 4, 4, 4, 4, 4, 4, 3), (12, 8, 11), 31, "gruen", "Grün", "Grün zeigt geringe bis keine Herausforderungen"),
        ((5, 5, 5, 5, 5, 5, 5, 5), (15, 10, 15), 40, "gruen", "Grün", "Gesamtauswertung der Befragung"),
    ],
)
def test_each_colour_band_at_its_edges(client, login_as, db, values, subtotals, total, color, label, advice):
    login_as("oe_verantwortliche", oe="Amt 50")
    sc_id = fill.start(client)
    response = fill.post(client, sc_id, fill.payload(values))
    assert response.status_code == 302, _text(response.get_data(as_text=True))[:1500]
    page = client.get(f"/selbstcheck/{sc_id}").get_data(as_text=True)
    sprache, organisation, sensibilitaet = subtotals
    assert f'data-kategorie="sprache">{sprache} von 15<' in page
    assert f'data-kategorie="organisation">{organisation} von 10<' in page
    assert f'data-kategorie="sensibilitaet">{sensibilitaet} von 15<' in page
    assert f'id="gesamt">{total}<' in page
    assert f'class="ampel ampel-{color}" id="farbe">{label}<' in page
    assert advice in page
    weakest = {8: "Schwächste Kategorien (niedrigster Durchschnitt je Aussage): Sprache/Kommunikation, Organisation/Behörde, Interkulturelle Sensibilität/Menschenbilder.",
               20: "Schwächste Kategorie (niedrigster Durchschnitt je Aussage): Interkulturelle Sensibilität/Menschenbilder.",
               21: "Schwächste Kategorie (niedrigster Durchschnitt je Aussage): Interkulturelle Sensibilität/Menschenbilder.",
               30: "Schwächste Kategorie (niedrigster Durchschnitt je Aussage): Interkulturelle Sensibilität/Menschenbilder.",
               31: "Schwächste Kategorie (niedrigster Durchschnitt je Aussage): Interkulturelle Sensibilität/Menschenbilder.",
               40: "In allen Kategorien wurde die höchste Punktzahl erreicht."}[total]
    assert weakest in page
    version = db.scalar(select(SelbstcheckVersion).where(SelbstcheckVersion.selbstcheck_id == sc_id))
    assert (version.number, version.total, version.color) == (1, total, color)
    assert version.result["band"]["min"] <= total <= version.result["band"]["max"]


def test_changing_the_cut_points_leaves_an_accepted_result_unchanged(client, login_as, db, app):
    from flask.testing import FlaskClient

    oe = login_as("oe_verantwortliche", oe="Amt 50")
    sc_id = fill.start(client)
    assert fill.post(client, sc_id, fill.payload(fill.values_for_total(21))).status_code == 302

    office: FlaskClient = app.test_client()
    login_as("integrationsbuero", oe="INAUSLB", test_client=office)
    page = office.get(f"/selbstcheck/{sc_id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    assert office.post(f"/selbstcheck/{sc_id}/pruefen", data={"csrf_token": token, "fassung": "1", "decision": "annehmen", "comment": ""}).status_code == 302

    qv = db.scalar(select(QuestionnaireVersion).where(QuestionnaireVersion.code == "selbstcheck-2025"))
    page = office.get(f"/selbstcheck/fragebogen/{qv.id}/farbskala").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = office.post(f"/selbstcheck/fragebogen/{qv.id}/farbskala", data={"csrf_token": token, "bis_rot": "25", "bis_gelb": "35"})
    assert response.status_code == 302
    db.expire_all()
    assert [(b["min"], b["max"]) for b in db.get(QuestionnaireVersion, qv.id).bands] == [(8, 25), (26, 35), (36, 40)]

    page = office.get(f"/selbstcheck/{sc_id}").get_data(as_text=True)
    assert "angenommen" in page
    assert 'class="ampel ampel-gelb" id="farbe">Gelb<' in page and "(21–30 Punkte nach der damals gültigen Farbskala)" in page
    version = db.scalar(select(SelbstcheckVersion).where(SelbstcheckVersion.selbstcheck_id == sc_id))
    assert (version.total, version.color, version.result["band"]["max"]) == (21, "gelb", 30)

    # a new submission uses the new cut points: 21 is now red
    login_as(user=oe)
    sc2 = fill.start(client, year=2026)
    assert fill.post(client, sc2, fill.payload(fill.values_for_total(21))).status_code == 302
    assert db.scalar(select(SelbstcheckVersion.color).where(SelbstcheckVersion.selbstcheck_id == sc2)) == "rot"


def test_free_texts_are_optional_the_areas_required_from_teilweise(client, login_as, db):
    """The paper form asks for the measures ("bitte aufzählen") but does not require them;
    the areas of cooperation are required from "teilweise" on."""
    login_as("oe_verantwortliche", oe="Amt 50")
    sc_id = fill.start(client)
    before = _counts(db)
    data = fill.payload((3, 3, 3, 3, 3, 3, 3, 3), massnahmen_vergangen="", massnahmen_geplant="  ", kooperation=[])
    response = fill.post(client, sc_id, data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    text = _text(html)
    assert "Bitte füllen Sie dieses Feld aus" not in text
    assert text.count("Bitte kreuzen Sie mindestens einen Bereich an: Bei Aussage 8 haben Sie mindestens „teilweise“ zugestimmt.") == 2
    assert 'id="massnahmen_vergangen-fehler"' not in html and 'id="kooperation-fehler"' in html and 'id="error-summary"' in html
    # without JavaScript the conditional fields are always there (the script hides them by the answer)
    assert '<div data-show-if="q5" data-show-min="3">' in html and '<div data-show-if="q8" data-show-min="3">' in html
    # nothing typed is lost
    assert re.findall(r'<input[^>]*checked[^>]*name="(q\d)"[^>]*value="(\d)"', html) == [(f"q{n}", "3") for n in range(1, 9)]
    assert re.findall(r'<input[^>]*checked[^>]*name="kooperation"[^>]*value="(\w+)"', html) == []
    assert "Mehrsprachige Aushänge im Wartebereich" in html
    assert _counts(db) == before

    # below "teilweise" the texts are not required
    response = fill.post(client, sc_id, fill.payload((3, 3, 3, 3, 2, 3, 3, 2), massnahmen_vergangen="", massnahmen_geplant="", kooperation=[]))
    assert response.status_code == 302
    stored = db.scalar(select(SelbstcheckVersion).where(SelbstcheckVersion.selbstcheck_id == sc_id))
    assert stored.total == 22 and "massnahmen_vergangen" not in stored.answers and "kooperation" not in stored.answers


def test_other_cooperation_area_needs_its_text(client, login_as, db):
    login_as("oe_verantwortliche", oe="Amt 50")
    sc_id = fill.start(client)
    response = fill.post(client, sc_id, fill.payload((4,) * 8, kooperation=["andere"], andere_text=""))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Bitte nennen Sie den anderen Bereich." in html
    assert re.findall(r'<input[^>]*checked[^>]*name="kooperation"[^>]*value="(\w+)"', html) == ["andere"]
    response = fill.post(client, sc_id, fill.payload((4,) * 8, kooperation=["andere", "personalgewinnung"], andere_text="Elternarbeit"))
    assert response.status_code == 302
    answers = db.scalar(select(SelbstcheckVersion).where(SelbstcheckVersion.selbstcheck_id == sc_id)).answers
    assert answers["kooperation"] == ["personalgewinnung", "andere"] and answers["andere_text"] == "Elternarbeit"


@pytest.mark.parametrize(
    ("change", "action", "message"),
    [
        ({"q1": "0"}, "einreichen", "Bei Aussage 1 sind nur die Werte 1 bis 5 möglich."),
        ({"q2": "6"}, "einreichen", "Bei Aussage 2 sind nur die Werte 1 bis 5 möglich."),
        ({"q3": "viel"}, "entwurf", "Bei Aussage 3 sind nur die Werte 1 bis 5 möglich."),
        ({"q4": "6"}, "entwurf", "Bei Aussage 4 sind nur die Werte 1 bis 5 möglich."),
        ({"q8": ""}, "einreichen", "Bitte kreuzen Sie bei Aussage 8 einen Wert an."),
        ({"datum": "31.02.2025"}, "einreichen", "Bitte geben Sie das Datum als TT.MM.JJJJ an, zum Beispiel 07.05.2025."),
        ({"naechste_schritte": "x" * 4001}, "entwurf", "Bitte kürzen Sie den Text auf höchstens 4.000 Zeichen."),
        ({"andere_text": "y" * 501}, "einreichen", "Bitte kürzen Sie den Text auf höchstens 500 Zeichen."),
        ({"kooperation": ["fachaustausch", "geheim"]}, "entwurf", "Bitte wählen Sie nur Bereiche aus der Liste."),
        ({"massnahmen_vergangen": "Text\x01mit Steuerzeichen"}, "entwurf", "Der Text enthält unzulässige Steuerzeichen."),
    ],
)
def test_values_outside_the_form_are_refused_and_nothing_is_stored(client, login_as, db, change, action, message):
    login_as("oe_verantwortliche", oe="Amt 50")
    sc_id = fill.start(client)
    assert fill.post(client, sc_id, fill.payload((2, 2, 2)), action="entwurf").status_code == 302
    before = _counts(db)
    response = fill.post(client, sc_id, fill.payload((3, 3, 3, 3, 3, 3, 3, 3), **change), action=action)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _counts(db) == before
    assert json.loads(before[2]) == {**{f"q{n}": 2 for n in (1, 2, 3)}, **{k: v for k, v in {
        "massnahmen_vergangen": "Leichte Sprache in allen Bescheiden",
        "massnahmen_geplant": "Schulung Diversitätskonzept im Herbst",
        "kooperation": ["fachaustausch"],
        "naechste_schritte": "Mehrsprachige Aushänge im Wartebereich"}.items()}}


def test_a_nul_byte_is_refused_before_the_form_and_nothing_is_stored(client, login_as, db):
    """NUL is refused for every form of the portal (PostgreSQL cannot store it)."""
    login_as("oe_verantwortliche", oe="Amt 50")
    sc_id = fill.start(client)
    assert fill.post(client, sc_id, fill.payload((2, 2, 2)), action="entwurf").status_code == 302
    before = _counts(db)
    response = fill.post(client, sc_id, fill.payload((3,) * 8, massnahmen_vergangen="Text\x00mit NUL"), action="entwurf")
    assert response.status_code == 400
    assert "Die Eingabe enthält unzulässige Steuerzeichen" in response.get_data(as_text=True)
    assert _counts(db) == before


def test_a_post_without_csrf_token_is_refused(client, login_as, db):
    login_as("oe_verantwortliche", oe="Amt 50")
    sc_id = fill.start(client)
    before = _counts(db)
    response = fill.post(client, sc_id, fill.payload((5,) * 8), token="")
    assert response.status_code == 400
    assert "Sicherheitsmerkmal fehlt oder ist abgelaufen" in response.get_data(as_text=True)
    response = fill.post(client, sc_id, fill.payload((5,) * 8), token="gefälscht")
    assert response.status_code == 400
    assert _counts(db) == before
