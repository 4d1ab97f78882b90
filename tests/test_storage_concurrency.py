"""SQLite under load: PDF exports (a slow render, then an audit entry) while other clients write,
and pages whose sign-in record is due for its last-seen update — no lock error reaches anyone."""
from __future__ import annotations

import logging
import re
import threading
from datetime import timedelta

import pytest
import requests
from sqlalchemy import select, update

from portal.db import utcnow
from portal.models.audit import AuditEvent
from portal.models.org import OrgUnit
from portal.models.people import UserSession
from tests.support.live_server import DEMO_PASSWORD, LiveServer, build_app

READERS = 8
WRITERS = 8
EXPORTS_PER_READER = 2
WRITER_NAMES = ["anna.beispiel", "fobi.sozialamt", "oe.sozialamt", "oe.jugendamt", "ag1.leitung", "personalamt",
                "admin", "integrationsbuero"]
_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += " " + logging.Formatter().formatException(record.exc_info)
        self.lines.append(text)


def _token(html: str) -> str:
    match = _TOKEN.search(html)
    assert match, "kein CSRF-Token"
    return match.group(1) or match.group(2)


def _sign_in(base: str, username: str) -> tuple[requests.Session, str]:
    http = requests.Session()
    token = _token(http.get(f"{base}/auth/anmelden", timeout=60).text)
    answer = http.post(f"{base}/auth/anmelden", data={"csrf_token": token, "username": username,
                                                      "password": DEMO_PASSWORD}, timeout=60, allow_redirects=False)
    assert answer.status_code == 302, answer.text[:500]
    return http, _token(http.get(f"{base}/", timeout=60).text)


@pytest.fixture
def busy_server(tmp_path):
    app = build_app(tmp_path)
    server = LiveServer(app).start()
    try:
        yield server
    finally:
        server.stop()


def test_exports_and_writers_in_parallel_never_see_a_lock(busy_server: LiveServer):
    base = busy_server.url
    with busy_server.db() as db:
        unit_id = db.scalar(select(OrgUnit.id).where(OrgUnit.code == "Amt 50"))
    readers = [_sign_in(base, "integrationsbuero")[0] for _ in range(READERS)]
    writers = [_sign_in(base, name) for name in WRITER_NAMES[:WRITERS]]
    handler = _Records()
    logging.getLogger().addHandler(handler)
    bad: list[str] = []
    answers = {"pdf": 0, "write": 0, "page": 0}
    done = threading.Event()
    lock = threading.Lock()

    def check(kind: str, response: requests.Response, ok: tuple[int, ...]) -> None:
        with lock:
            if response.status_code not in ok:
                german = 'lang="de"' in response.text and "Content-Security-Policy" in response.headers
                bad.append(f"{kind} {response.status_code} deutsch={german}: {response.text[:200]!r}")
            else:
                answers[kind] += 1

    def read(http: requests.Session) -> None:
        for _ in range(EXPORTS_PER_READER):
            response = http.get(f"{base}/review/dossier/{unit_id}.pdf", timeout=120)
            check("pdf", response, (200,))
            if response.status_code == 200:
                assert response.content.startswith(b"%PDF-")

    def write(http: requests.Session, token: str) -> None:
        while not done.is_set():
            check("write", http.post(f"{base}/auth/sitzung/verlaengern", data={"csrf_token": token},
                                     timeout=120, allow_redirects=False), (302,))
            check("page", http.get(f"{base}/", timeout=120), (200,))

    def age_sessions() -> None:
        """A direct writer as well: every session becomes due for its last-seen update again."""
        while not done.is_set():
            with busy_server.db() as db:
                db.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=2)))
                db.commit()
            done.wait(0.05)

    threads = [threading.Thread(target=write, args=w) for w in writers] + [threading.Thread(target=age_sessions)]
    reader_threads = [threading.Thread(target=read, args=(r,)) for r in readers]
    try:
        for t in threads + reader_threads:
            t.start()
        for t in reader_threads:
            t.join(timeout=600)
    finally:
        done.set()
        for t in threads:
            t.join(timeout=120)
        logging.getLogger().removeHandler(handler)
    assert bad == []
    assert answers["pdf"] == READERS * EXPORTS_PER_READER
    assert answers["write"] > 0 and answers["page"] > 0
    assert [line for line in handler.lines if "locked" in line or "beschäftigt" in line] == []
    with busy_server.db() as db:
        exported = db.scalars(select(AuditEvent).where(AuditEvent.action == "dossier_exported")).all()
    assert len(exported) == READERS * EXPORTS_PER_READER


def test_a_lock_error_is_the_german_503_page_with_headers(app):
    from sqlalchemy.exc import OperationalError

    from portal.auth.access import public

    @public
    def locked():  # noqa: ANN202
        raise OperationalError("UPDATE audit_events …", {}, Exception("database is locked"))

    app.add_url_rule("/test/gesperrt", "test_locked", locked)
    response = app.test_client().get("/test/gesperrt")
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "Vorübergehend nicht erreichbar" in html and 'lang="de"' in html and "locked" not in html
    assert response.headers["Retry-After"] == "30"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"

