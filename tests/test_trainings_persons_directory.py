"""The directory is authoritative for a known person's OE: a sign-in against a real slapd
moves the person (audited as a transfer from the directory)."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from portal.models.audit import AuditEvent
from portal.models.training import Person
from tests.conftest import csrf_token_from, openldap_config
from tests.support import directory_data as data
from tests.support import training_scenario as sc
from tests.test_auth_signin import sign_in

pytestmark = pytest.mark.filterwarnings("ignore:ssl.match_hostname:DeprecationWarning")


@pytest.fixture
def app_config(slapd_directory):
    return openldap_config(slapd_directory)


def test_sign_in_moves_a_known_person_to_the_directory_oe(client, db):
    a50, a51 = sc.unit(db, "Amt 50"), sc.unit(db, "Amt 51")
    person = Person(personnel_number="100001", last_name="Müller", first_name="Jürgen", org_unit_id=a51.id,
                    oe_source="personalamt")
    db.add(person)
    db.commit()
    assert sign_in(client, "jmueller", data.PASSWORDS["jmueller"]).status_code == 302
    db.expire_all()
    assert (person.org_unit_id, person.oe_source) == (a50.id, "verzeichnis") and person.oe_confirmed_at is not None
    detail = json.loads(db.scalar(select(AuditEvent.detail).where(AuditEvent.action == "person_transferred")))
    assert (detail["personalnummer"], detail["von"], detail["nach"], detail["quelle"]) == ("100001", "Amt 51", "Amt 50", "verzeichnis")
    # the Personalamt moves the person later; the directory still says Amt 50 (not news): the move stands
    person.org_unit_id = a51.id
    db.commit()
    client.post("/auth/abmelden", data={"csrf_token": csrf_token_from(client.get("/").get_data(as_text=True))})
    assert sign_in(client, "jmueller", data.PASSWORDS["jmueller"]).status_code == 302
    db.expire_all()
    assert person.org_unit_id == a51.id
    assert db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "person_transferred")) == 1
    # a sign-in alone creates nobody: only persons the Personalamt or an own upload brought in
    before = db.scalar(select(func.count()).select_from(Person))
    client.post("/auth/abmelden", data={"csrf_token": csrf_token_from(client.get("/").get_data(as_text=True))})
    other = next(name for name in data.PASSWORDS if name != "jmueller")
    sign_in(client, other, data.PASSWORDS[other])
    assert db.scalar(select(func.count()).select_from(Person)) == before
