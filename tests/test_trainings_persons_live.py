"""Who may act for a person, over real HTTP: the portal served by a real server with the demo
data and the demo directory (sign-in with passwords). The training officer of Amt 50 tries to
take over a person of Amt 51 and a number that exists nowhere; the Personalamt moves persons."""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
import requests
from sqlalchemy import func, select

from portal.models.audit import AuditEvent
from portal.models.training import Person, RosterEntry, Training
from tests.support.live_server import DEMO_PASSWORD, LiveServer, build_app
from tests.test_trainings_uploads import PDF

_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
ROSTER_HEADER = "personalnummer;nachname;vorname;oe;zielgruppe;beginn;ende"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(build_app(tmp_path_factory.mktemp("persons-live"))).start()
    yield live
    live.stop()


class Browser:
    """A signed-in HTTP client (cookies, CSRF token of the last page)."""

    def __init__(self, server: LiveServer, username: str) -> None:
        self.base = server.url
        self.http = requests.Session()
        token = self.token("/auth/anmelden")
        response = self.http.post(self.base + "/auth/anmelden", allow_redirects=False, timeout=30,
                                  data={"csrf_token": token, "username": username, "password": DEMO_PASSWORD, "next": ""})
        assert response.status_code == 302, response.text

    def token(self, path: str) -> str:
        match = _TOKEN.search(self.http.get(self.base + path, timeout=30).text)
        assert match, path
        return match.group(1) or match.group(2)

    def get(self, path: str) -> requests.Response:
        return self.http.get(self.base + path, allow_redirects=False, timeout=30)

    def post(self, path: str, data: dict, files: dict | None = None) -> requests.Response:
        return self.http.post(self.base + path, data={"csrf_token": self.token(path), **data}, files=files,
                              allow_redirects=False, timeout=60)


def _person(server: LiveServer, number: str) -> tuple[int, str, str, str | None]:
    with server.db() as db:
        p = db.scalar(select(Person).where(Person.personnel_number == number))
        return p.id, p.last_name, p.first_name, p.org_unit.code if p.org_unit else None


def _file_training(server: LiveServer, number: str) -> int:
    with server.db() as db:
        return db.scalar(select(Training.id).join(Person).where(Person.personnel_number == number,
                                                                Training.file_name.is_not(None)))


def _counts(server: LiveServer) -> tuple[int, int]:
    with server.db() as db:
        return db.scalar(select(func.count()).select_from(RosterEntry)), db.scalar(select(func.count()).select_from(Person))


def test_officer_cannot_take_over_another_oes_person_or_a_phantom(server):
    officer = Browser(server, "fobi.sozialamt")  # Fortbildungsbeauftragte*r of Amt 50
    wagner_id, *wagner_name, wagner_oe = _person(server, "900107")  # Amt 51, with an uploaded certificate
    assert wagner_oe == "Amt 51"
    certificate = _file_training(server, "900107")
    before = _counts(server)
    with server.db() as db:
        a50 = db.scalar(select(Person.org_unit_id).where(Person.personnel_number == "900002"))

    # the single-entry form: one day in the year 2000 is refused, and the name is not revealed
    for number, message in (("900107", "Die Personalnummer 900107 gehört laut Personalbestand nicht zu Amt 50."),
                            ("777777", "Die Personalnummer 777777 ist im Personalbestand nicht bekannt.")):
        response = officer.post("/trainings/liste/neu", {
            "org_unit_id": a50, "personnel_number": number, "last_name": "Gekapert", "first_name": "",
            "target_group": "buergerkontakt", "begins_on": "01.01.2000", "ends_on": "01.01.2000"})
        assert response.status_code == 200 and message in response.text
        assert "Wagner" not in response.text
    # the import: one such row refuses the whole file
    csv = "\r\n".join([ROSTER_HEADER, "900101;Nguyen;Thi Lan;Amt 50;Führungskraft;01.01.2024;",
                       "900107;Gekapert;Neu;Amt 50;Bürgerkontakt;01.01.2000;01.01.2000",
                       "777777;Phantom;Paul;Amt 50;Bürgerkontakt;01.01.2000;"]) + "\r\n"
    response = officer.post("/trainings/liste/import", {}, files={"file": ("liste.csv", csv.encode(), "text/csv")})
    assert response.status_code == 200
    assert "Zeile 3: Die Personalnummer 900107 gehört laut Personalbestand nicht zu Amt 50." in response.text
    assert "Zeile 4: Die Personalnummer 777777 ist im Personalbestand nicht bekannt." in response.text
    assert "Die Datei wurde nicht übernommen" in response.text and "Wagner" not in response.text

    # nothing stored, the name unchanged, no phantom person, and no access afterwards
    assert _counts(server) == before
    assert _person(server, "900107")[1:] == (*wagner_name, "Amt 51")
    with server.db() as db:
        assert db.scalar(select(Person).where(Person.personnel_number == "777777")) is None
    assert officer.get(f"/trainings/person/{wagner_id}").status_code == 404
    assert officer.get(f"/trainings/nachweis/{certificate}").status_code == 404
    assert officer.get(f"/trainings/nachweis/{certificate}/datei").status_code == 404
    assert officer.get(f"/trainings/person/{wagner_id}/nachweis/neu").status_code == 404


def test_personalamt_moves_persons_and_access_follows(server):
    officer = Browser(server, "fobi.sozialamt")  # Amt 50
    anna_id = _person(server, "900001")[0]  # Amt 50, uploaded a certificate
    anna_file = _file_training(server, "900001")
    omar_id = _person(server, "900104")[0]  # Amt 51, a recognised training recorded there
    with server.db() as db:
        omar_old = db.scalar(select(Training.id).where(Training.person_id == omar_id))
    assert officer.get(f"/trainings/person/{anna_id}").status_code == 200
    assert officer.get(f"/trainings/nachweis/{anna_file}/datei").status_code == 200
    assert officer.get(f"/trainings/person/{omar_id}").status_code == 404

    # an officer may not run the personnel master import
    assert officer.get("/trainings/personalbestand").status_code == 403
    personalamt = Browser(server, "personalamt")
    data = "\r\n".join(["personalnummer;nachname;vorname;oe", "900001;Beispiel;Anna;Amt 51",
                        "900104;Al-Hassan;Omar;Amt 50"]) + "\r\n"
    response = personalamt.post("/trainings/personalbestand", {},
                                files={"file": ("personal.csv", data.encode(), "text/csv")})
    assert response.status_code == 200, response.text
    assert "Personalbestand übernommen: 0 neu, 2 geändert, 0 unverändert." in response.text
    assert "Zeile 2: geändert – 900001 Beispiel: OE Amt 50 → Amt 51" in response.text

    # the old OE's officer loses the person and the files
    assert officer.get(f"/trainings/person/{anna_id}").status_code == 404
    assert officer.get(f"/trainings/nachweis/{anna_file}").status_code == 404
    assert officer.get(f"/trainings/nachweis/{anna_file}/datei").status_code == 404
    with server.db() as db:
        ended = db.scalars(select(RosterEntry.ends_on).where(RosterEntry.person_id == anna_id)).all()
    assert ended == [date.today() - timedelta(days=1)]
    roster = officer.get("/trainings/liste").text
    assert "Beispiel, Anna <small>(gehört laut Personalbestand jetzt zu einer anderen OE)</small>" in roster
    assert f"/trainings/person/{anna_id}" not in roster
    # the new OE's officer sees the person, but not what was recorded in Amt 51
    page = officer.get(f"/trainings/person/{omar_id}")
    assert page.status_code == 200 and "Al-Hassan, Omar" in page.text
    assert "Vielfalt in der Jugendhilfe" not in page.text
    assert officer.get(f"/trainings/nachweis/{omar_old}").status_code == 404
    # … and what is recorded from now on
    response = officer.post(f"/trainings/person/{omar_id}/nachweis/neu", {
        "title": "Demokratie stärken", "provider": "Volkshochschule Dresden", "completed_on": "14.03.2025",
        "hours": "7", "contents": ["demokratisch"], "format": "praesenz", "internal": "extern",
    }, files={"file": ("bescheinigung.pdf", PDF, "application/pdf")})
    assert response.status_code == 302, response.text
    new_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    assert officer.get(f"/trainings/nachweis/{new_id}/datei").status_code == 200
    page = officer.get(f"/trainings/person/{omar_id}").text
    assert "Demokratie stärken" in page and "Vielfalt in der Jugendhilfe" not in page

    # the audit log shows both transfers with their source
    with server.db() as db:
        moves = [json.loads(e.detail) for e in db.scalars(select(AuditEvent).where(
            AuditEvent.action == "person_transferred", AuditEvent.actor_name == "personalamt").order_by(AuditEvent.id))]
    assert [(m["personalnummer"], m["von"], m["nach"], m["quelle"]) for m in moves if m["quelle"] == "personalamt"] == [
        ("900001", "Amt 50", "Amt 51", "personalamt"), ("900104", "Amt 51", "Amt 50", "personalamt")]
    admin = Browser(server, "admin")
    log = admin.get("/admin/protokoll?action=person_transferred").text
    assert log.count("person_transferred") >= 2 and "900104" in log
