"""Who may read and change a Selbstcheck: every role × object pair, guessed URLs and IDs."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.models.selbstcheck import QuestionnaireVersion, Selbstcheck, SelbstcheckVersion
from tests.conftest import csrf_token_from
from tests.support import selbstcheck_fill as fill


@pytest.fixture
def submitted(app, login_as):
    """A submitted Selbstcheck of Amt 50 (version 1), filled by its OE-Verantwortliche."""
    owner_client = app.test_client()
    owner = login_as("oe_verantwortliche", oe="Amt 50", username="oe50", test_client=owner_client)
    sc_id = fill.start(owner_client)
    assert fill.post(owner_client, sc_id, fill.payload((4,) * 8)).status_code == 302
    return sc_id, owner, owner_client


def _state(db, sc_id):
    db.expire_all()
    sc = db.get(Selbstcheck, sc_id)
    return (sc.state, sc.draft_json, sc.edit_count,
            db.scalar(select(func.count()).select_from(SelbstcheckVersion)),
            db.scalar(select(func.count()).select_from(Selbstcheck)))


def _token(client):
    return csrf_token_from(client.get("/").get_data(as_text=True))


READ_PATHS = ["/selbstcheck/{id}", "/selbstcheck/{id}/bearbeiten", "/selbstcheck/{id}/fassung/1", "/selbstcheck/{id}/pdf"]


def test_another_oe_cannot_read_by_guessed_url(client, login_as, submitted, db):
    sc_id, _owner, _ = submitted
    login_as("oe_verantwortliche", oe="Amt 51")
    for path in READ_PATHS:
        assert client.get(path.format(id=sc_id)).status_code == 404, path
    # and a neighbouring id that does not exist answers the same
    assert client.get(f"/selbstcheck/{sc_id + 1000}").status_code == 404
    listing = client.get("/selbstcheck/").get_data(as_text=True)
    assert f"/selbstcheck/{sc_id}" not in listing and "Amt 50" not in listing


def test_another_oe_cannot_change_by_any_post(client, login_as, submitted, db):
    sc_id, owner, owner_client = submitted
    # the owner's Selbstcheck is returned, so it is editable again
    office = client
    login_as("integrationsbuero", oe="INAUSLB", test_client=office)
    token = _token(office)
    assert office.post(f"/selbstcheck/{sc_id}/pruefen", data={"csrf_token": token, "fassung": "1", "decision": "zurueckgeben", "comment": "Bitte Aussage 5 prüfen."}).status_code == 302

    login_as("oe_verantwortliche", oe="Amt 51", test_client=client)
    token = _token(client)
    before = _state(db, sc_id)
    data = {"csrf_token": token, "bearbeitungsstand": str(before[2]), **fill.payload((1,) * 8)}
    for action in ("entwurf", "einreichen"):
        assert client.post(f"/selbstcheck/{sc_id}/bearbeiten", data={**data, "aktion": action}).status_code == 404
    assert client.post(f"/selbstcheck/{sc_id}/pruefen", data={"csrf_token": token, "decision": "annehmen"}).status_code == 403
    assert _state(db, sc_id) == before


def test_people_without_the_role_get_403(client, login_as, submitted, db):
    sc_id, _owner, _ = submitted
    for role in ("beschaeftigte", "fortbildungsbeauftragte", "ag_leitung:AG1", "personalamt"):
        login_as(*([role] if role != "beschaeftigte" else []), oe="Amt 50")
        for path in [*READ_PATHS, "/selbstcheck/", "/selbstcheck/uebersicht", "/selbstcheck/uebersicht/csv", "/selbstcheck/fragebogen"]:
            assert client.get(path.format(id=sc_id)).status_code == 403, (role, path)
        token = _token(client)
        before = _state(db, sc_id)
        assert client.post(f"/selbstcheck/{sc_id}/bearbeiten", data={"csrf_token": token, "aktion": "entwurf", "q1": "1"}).status_code == 403
        assert client.post("/selbstcheck/neu", data={"csrf_token": token, "reporting_year": "2024"}).status_code == 403
        assert _state(db, sc_id) == before


def test_own_oe_reads_and_the_office_and_admin_read_but_do_not_edit(client, login_as, submitted, db):
    sc_id, owner, owner_client = submitted
    for path in ("/selbstcheck/{id}", "/selbstcheck/{id}/fassung/1", "/selbstcheck/{id}/pdf"):
        assert owner_client.get(path.format(id=sc_id)).status_code == 200, path
    # a second OE-Verantwortliche*r of the same OE reads it too
    login_as("oe_verantwortliche", oe="Amt 50")
    assert client.get(f"/selbstcheck/{sc_id}").status_code == 200
    for role, oe in (("integrationsbuero", "INAUSLB"), ("admin", "Amt 10")):
        login_as(role, oe=oe)
        assert client.get(f"/selbstcheck/{sc_id}").status_code == 200
        assert client.get(f"/selbstcheck/{sc_id}/fassung/1").status_code == 200
        token = _token(client)
        before = _state(db, sc_id)
        response = client.post(f"/selbstcheck/{sc_id}/bearbeiten", data={"csrf_token": token, "aktion": "entwurf", "bearbeitungsstand": str(before[2])})
        assert response.status_code == 403
        assert client.get(f"/selbstcheck/{sc_id}/bearbeiten").status_code == 403
        assert _state(db, sc_id) == before


def test_admin_cannot_review_and_cannot_change_cut_points(client, login_as, submitted, db):
    sc_id, _owner, _ = submitted
    login_as("admin", oe="Amt 10")
    token = _token(client)
    assert client.post(f"/selbstcheck/{sc_id}/pruefen", data={"csrf_token": token, "decision": "annehmen"}).status_code == 403
    qv_id = db.scalar(select(QuestionnaireVersion.id))
    assert client.post(f"/selbstcheck/fragebogen/{qv_id}/farbskala", data={"csrf_token": token, "bis_rot": "10", "bis_gelb": "20"}).status_code == 403
    assert db.scalar(select(Selbstcheck.state).where(Selbstcheck.id == sc_id)) == "submitted"


def test_office_cannot_edit_a_draft(client, login_as, db):
    login_as("oe_verantwortliche", oe="Amt 50")
    sc_id = fill.start(client)
    login_as("integrationsbuero", oe="INAUSLB")
    assert client.get(f"/selbstcheck/{sc_id}/bearbeiten").status_code == 403
    token = _token(client)
    before = _state(db, sc_id)
    assert client.post(f"/selbstcheck/{sc_id}/bearbeiten", data={"csrf_token": token, "aktion": "entwurf", "bearbeitungsstand": str(before[2]), "q1": "5"}).status_code == 403
    assert _state(db, sc_id) == before


def test_unknown_version_number_is_404(client, login_as, submitted):
    sc_id, _owner, owner_client = submitted
    assert owner_client.get(f"/selbstcheck/{sc_id}/fassung/2").status_code == 404
    assert owner_client.get(f"/selbstcheck/{sc_id}/pdf?fassung=7").status_code == 404
