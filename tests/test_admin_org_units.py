"""Admin keeps the OE directory: add, rename, retire — history stays; every change audited."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from portal.models.audit import AuditEvent
from portal.models.org import OrgUnit
from portal.models.people import User


def test_shipped_directory_has_the_units_of_the_seed(db):
    codes = set(db.scalars(select(OrgUnit.code)))
    for code in ("Amt 10", "Amt 50", "Amt 51", "EB 55", "GB 5", "INAUSLB", "BMBS", "Stadtbezirksämter"):
        assert code in codes
    assert db.scalar(select(OrgUnit.name).where(OrgUnit.code == "Amt 50")) == "Sozialamt"


def test_admin_adds_renames_and_retires_a_unit(client, db, login_as, csrf):
    login_as("admin")
    token = csrf("/admin/oe/neu")
    r = client.post("/admin/oe/neu", data={"csrf_token": token, "code": "  Amt   77 ", "name": "Testamt", "kind": "Amt"})
    assert r.status_code == 302
    unit = db.scalar(select(OrgUnit).where(OrgUnit.code == "Amt 77"))
    assert unit.name == "Testamt"
    r = client.post(f"/admin/oe/{unit.id}", data={"csrf_token": token, "code": "Amt 77", "name": "Amt für Tests", "kind": "Amt"})
    assert r.status_code == 302, r.get_data(as_text=True)[-3000:]
    r = client.post(f"/admin/oe/{unit.id}/aufloesen", data={"csrf_token": token, "retire-retired_on": "31.12.2026"})
    assert r.status_code == 302
    db.expire_all()
    unit = db.get(OrgUnit, unit.id)
    assert unit.name == "Amt für Tests" and unit.retired_on == date(2026, 12, 31)
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(unit.id)).order_by(AuditEvent.id)).all()
    assert actions == ["org_unit_created", "org_unit_updated", "org_unit_retired"]


def test_duplicate_code_is_refused_in_german_and_nothing_stored(client, db, login_as, csrf):
    login_as("admin")
    before = db.scalar(select(func.count()).select_from(OrgUnit))
    token = csrf("/admin/oe/neu")
    r = client.post("/admin/oe/neu", data={"csrf_token": token, "code": "amt 50", "kind": "Amt"})
    assert r.status_code == 200
    assert "Das Kürzel „amt 50“ gibt es schon." in r.get_data(as_text=True)
    r = client.post("/admin/oe/neu", data={"csrf_token": token, "code": "", "kind": "Amt"})
    assert "Bitte geben Sie das Kürzel ein." in r.get_data(as_text=True)
    r = client.post("/admin/oe/neu", data={"csrf_token": token, "code": "<script>", "kind": "Amt"})
    assert "Das Kürzel darf nur" in r.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(OrgUnit)) == before


def test_retired_unit_is_not_assigned_at_sign_in_but_keeps_its_people(db):
    from portal.auth.services import find_org_unit

    unit = db.scalar(select(OrgUnit).where(OrgUnit.code == "Amt 51"))
    user = User(external_id="r1", dn="uid=r1", username="r1", display_name="R", org_unit=unit)
    db.add(user)
    unit.retired_on = date(2025, 1, 1)
    db.commit()
    assert find_org_unit(db, "Amt 51") is None
    assert find_org_unit(db, "AMT  50").code == "Amt 50"
    assert db.get(User, user.id).org_unit.code == "Amt 51"


def test_only_admin_reaches_the_admin_pages(client, login_as):
    for role in ("integrationsbuero", "personalamt", "oe_verantwortliche", "fortbildungsbeauftragte", "ag_leitung:AG1"):
        c = client.application.test_client()
        login_as(role, test_client=c)
        for path in ("/admin/", "/admin/oe", "/admin/protokoll", "/admin/personen", "/admin/oe/1"):
            assert c.get(path).status_code == 403, (role, path)


def test_audit_log_filters(client, db, login_as):
    from portal import audit

    login_as("admin")
    db.add_all([AuditEvent(action="login", actor_name="a", org_unit_code="Amt 50"),
                AuditEvent(action="login_failed", actor_name=None, org_unit_code=None)])
    db.commit()
    page = client.get("/admin/protokoll?action=login_failed").get_data(as_text=True)
    assert "<td>Anmeldung fehlgeschlagen</td>" in page and "<td>Anmeldung</td>" not in page
    page = client.get("/admin/protokoll?oe=amt+50").get_data(as_text=True)
    assert "<td>Anmeldung</td>" in page
    assert audit  # module used by the app


def test_lists_do_not_query_per_row(client, db, login_as, sql_statements):
    """The user list runs a fixed number of statements, whether 5 or 60 people exist."""
    from portal.models.people import UserRole

    login_as("admin")

    def make(n: int) -> None:
        unit = db.scalar(select(OrgUnit).where(OrgUnit.code == "Amt 51"))
        for i in range(n):
            u = User(external_id=f"bulk{db.scalar(select(func.count()).select_from(User))}-{i}", dn="x",
                     username=f"bulk{i}", display_name=f"Bulk {i}", org_unit=unit)
            u.role_grants.append(UserRole(role="oe_verantwortliche", scope=""))
            db.add(u)
        db.commit()

    make(5)
    sql_statements.reset()
    assert client.get("/admin/personen").status_code == 200
    few = len(sql_statements)
    make(45)
    sql_statements.reset()
    assert client.get("/admin/personen").status_code == 200
    assert len(sql_statements) == few
