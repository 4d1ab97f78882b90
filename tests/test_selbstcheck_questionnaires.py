"""Questionnaire versions as data, the cut points the integration office edits, and storage rules."""
from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.models.audit import AuditEvent
from portal.models.org import OrgUnit
from portal.models.selbstcheck import QuestionnaireVersion, Selbstcheck
from portal.selbstcheck import services
from tests.conftest import csrf_token_from
from tests.support import selbstcheck_fill as fill

DATA = Path(__file__).resolve().parents[1] / "portal/data/questionnaires"


def _bands(db):
    db.expire_all()
    return [(b["min"], b["max"]) for b in db.scalar(select(QuestionnaireVersion).where(QuestionnaireVersion.code == "selbstcheck-2025")).bands]


def test_shipped_version_is_loaded_once_and_edits_are_kept(db, make_user):
    assert db.scalar(select(func.count()).select_from(QuestionnaireVersion)) == 1
    qv = db.scalar(select(QuestionnaireVersion))
    assert (qv.code, qv.valid_from, qv.title) == ("selbstcheck-2025", date(2025, 5, 7), json.loads((DATA / "selbstcheck-2025.json").read_text("utf-8"))["title"])
    assert qv.definition == json.loads((DATA / "selbstcheck-2025.json").read_text("utf-8"))
    office = make_user(username="buero", roles=("integrationsbuero",), oe="INAUSLB")
    services.set_bands(db, qv, office, [18, 29])
    assert services.load_shipped_questionnaires(db) == (0, 1)
    assert _bands(db) == [(8, 18), (19, 29), (30, 40)]


def test_a_new_version_needs_no_code_and_old_answers_stay_readable(tmp_path, client, login_as, db):
    login_as("oe_verantwortliche", oe="Amt 50")
    old = fill.start(client, year=2025)
    assert fill.post(client, old, fill.payload((4,) * 8)).status_code == 302

    data = json.loads((DATA / "selbstcheck-2025.json").read_text("utf-8"))
    data["code"], data["valid_from"] = "selbstcheck-2026", "2026-01-01"
    data["questions"][0]["text"] = "Wir sprechen mit Ratsuchenden in mehreren Sprachen."
    (tmp_path / "selbstcheck-2025.json").write_text((DATA / "selbstcheck-2025.json").read_text("utf-8"), "utf-8")
    (tmp_path / "selbstcheck-2026.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    assert services.load_shipped_questionnaires(db, tmp_path) == (1, 2)
    db.commit()

    new = fill.start(client, year=2026)
    assert "1. Wir sprechen mit Ratsuchenden in mehreren Sprachen." in client.get(f"/selbstcheck/{new}/bearbeiten").get_data(as_text=True)
    page = client.get(f"/selbstcheck/{old}").get_data(as_text=True)
    assert "1. Wir können mit ratsuchenden Migrant*innen selbstständig" in page
    assert "Fragebogen: Fassung 2025 (gilt ab 07.05.2025)" in page and "selbstcheck-2025" not in page
    assert "Wir sprechen mit Ratsuchenden" not in page


def test_a_version_file_whose_code_does_not_match_is_refused(tmp_path, db):
    data = json.loads((DATA / "selbstcheck-2025.json").read_text("utf-8"))
    (tmp_path / "selbstcheck-2027.json").write_text(json.dumps(data), "utf-8")
    with pytest.raises(services.SelbstcheckError, match="selbstcheck-2027.json: Der Code „selbstcheck-2025“ passt nicht zum Dateinamen."):
        services.load_shipped_questionnaires(db, tmp_path)


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"bis_rot": "zwanzig", "bis_gelb": "30"}, "Bitte geben Sie eine ganze Zahl ein."),
        ({"bis_rot": "", "bis_gelb": "30"}, "Bitte geben Sie die obere Grenze für Rot an."),
        ({"bis_rot": "7", "bis_gelb": "30"}, "Bitte eine ganze Zahl von 8 bis 39."),
        ({"bis_rot": "20", "bis_gelb": "40"}, "Bitte eine ganze Zahl von 8 bis 39."),
        ({"bis_rot": "30", "bis_gelb": "25"}, "Gelb: Die untere Grenze (31) liegt über der oberen (25)."),
    ],
)
def test_bad_cut_points_are_refused(client, login_as, db, form, message):
    login_as("integrationsbuero", oe="INAUSLB")
    qv_id = db.scalar(select(QuestionnaireVersion.id))
    path = f"/selbstcheck/fragebogen/{qv_id}/farbskala"
    token = csrf_token_from(client.get(path).get_data(as_text=True))
    response = client.post(path, data={"csrf_token": token, **form})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _bands(db) == [(8, 20), (21, 30), (31, 40)]
    assert db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "questionnaire_bands_changed")) == 0


def test_cut_point_change_is_audited_and_listed(client, login_as, db):
    login_as("integrationsbuero", oe="INAUSLB")
    qv_id = db.scalar(select(QuestionnaireVersion.id))
    path = f"/selbstcheck/fragebogen/{qv_id}/farbskala"
    token = csrf_token_from(client.get(path).get_data(as_text=True))
    assert client.post(path, data={"csrf_token": token, "bis_rot": "22", "bis_gelb": "32"}).status_code == 302
    detail = db.scalar(select(AuditEvent.detail).where(AuditEvent.action == "questionnaire_bands_changed"))
    assert json.loads(detail) == {"fragebogen": "selbstcheck-2025", "vorher": "Rot 8–20, Gelb 21–30, Grün 31–40",
                                  "nachher": "Rot 8–22, Gelb 23–32, Grün 33–40"}
    listing = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get("/selbstcheck/fragebogen").get_data(as_text=True)))
    assert "Rot 8–22, Gelb 23–32, Grün 33–40" in listing


def test_storage_rules_on_both_backends(any_backend_app):
    """One Selbstcheck per OE, sub-unit and year; a returned one always has its comment."""
    database = any_backend_app.extensions["portal.db"]
    db = database.new_session()
    try:
        unit = db.scalar(select(OrgUnit).where(OrgUnit.code == "Amt 50"))
        qv = db.scalar(select(QuestionnaireVersion))
        db.add(Selbstcheck(org_unit=unit, sub_unit="", reporting_year=2025, questionnaire=qv))
        db.flush()
        nested = db.begin_nested()
        db.add(Selbstcheck(org_unit=unit, sub_unit="", reporting_year=2025, questionnaire=qv))
        with pytest.raises(IntegrityError):
            db.flush()
        nested.rollback()
        nested = db.begin_nested()
        db.add(Selbstcheck(org_unit=unit, sub_unit="Sachgebiet 1", reporting_year=2025, questionnaire=qv, state="returned"))
        with pytest.raises(IntegrityError):
            db.flush()
        nested.rollback()
        db.add(Selbstcheck(org_unit=unit, sub_unit="Sachgebiet 1", reporting_year=2025, questionnaire=qv, state="returned",
                           review_comment="Bitte ergänzen."))
        db.flush()
        assert db.scalar(select(func.count()).select_from(Selbstcheck)) == 2
    finally:
        db.rollback()
        db.close()


def test_overview_query_on_both_backends(any_backend_app):
    from portal.selbstcheck.tables import overview_rows

    db = any_backend_app.extensions["portal.db"].new_session()
    try:
        from portal.models.people import User

        unit = db.scalar(select(OrgUnit).where(OrgUnit.code == "Amt 51"))
        from portal.models.people import UserRole

        author = User(external_id="t-autor", dn="uid=autor", username="autor", display_name="Autor", org_unit=unit)
        office = User(external_id="t-buero", dn="uid=buero", username="buero", display_name="Büro",
                      role_grants=[UserRole(role="integrationsbuero", scope="")])
        db.add_all([author, office])
        for year, values in ((2024, (2,) * 8), (2025, (4,) * 8)):
            sc, _ = services.start(db, author, unit, year, "")
            services.submit(db, sc, author, {f"q{n}": v for n, v in zip(range(1, 9), values)}, sc.edit_count)
        # a second version in 2025 replaces the first in the overview
        sc = services.find(db, unit, 2025, "")
        sc.state = "returned"
        sc.review_comment = "Bitte prüfen."
        db.flush()
        services.submit(db, sc, author, {f"q{n}": 5 for n in range(1, 9)}, sc.edit_count)
        rows = {r.org_unit_code: r for r in overview_rows(db, 2025, office)}
        assert [r.org_unit_code for r in overview_rows(db, 2025, author)] == ["Amt 51"]  # only the own OE
        row = rows["Amt 51"]
        assert (row.version_number, row.total, row.color, row.previous_total, row.difference) == (2, 40, "gruen", 16, 24)
        assert row.subtotals == {"sprache": ("Sprache/Kommunikation", 15, 15), "organisation": ("Organisation/Behörde", 10, 10),
                                 "sensibilitaet": ("Interkulturelle Sensibilität/Menschenbilder", 15, 15)}
        assert rows["Amt 50"].state is None and rows["Amt 50"].total is None
    finally:
        db.rollback()
        db.close()
