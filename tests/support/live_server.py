"""The portal served over real HTTP for the browser tests: werkzeug's server in a
thread on 127.0.0.1, with its own committed SQLite database (setup + demo data) and
the demo directory, exactly like `make run`."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session
from werkzeug.serving import WSGIRequestHandler, make_server

DEMO_PASSWORD = "aktionsplan"  # portal/data/demo/directory.json

LIVE_CONFIG: dict[str, Any] = {
    "SECRET_KEY": "live-server-test-key-4b9e2f7a1c6d3e8f0a5b",
    "LDAP_URL": "demo",
    "SESSION_COOKIE_SECURE": False,  # plain http on 127.0.0.1
    "MAX_UPLOAD_MB": 2,
    # every browser test signs in from 127.0.0.1; wrong-password journeys must not lock it out
    "LOGIN_MAX_FAILURES_PER_ADDRESS": 1000,
}


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:  # no access log in test output
        pass


def build_app(workdir: Path, overrides: dict[str, Any] | None = None) -> Flask:
    """`portal setup` + `portal demo load` on a fresh SQLite file in `workdir`."""
    from portal import create_app, demo, migrate
    from portal.db import get_session

    app = create_app({
        **LIVE_CONFIG,
        "DATABASE_URL": f"sqlite:///{workdir / 'live.sqlite3'}",
        "UPLOAD_DIR": str(workdir / "uploads"),
        **(overrides or {}),
    })
    with app.app_context():
        migrate.upgrade(app)
        db = get_session()
        demo.load(db)  # reference data and every feature's demo loader
        db.commit()
    return app


class LiveServer:
    def __init__(self, app: Flask, host: str = "127.0.0.1") -> None:
        self.app = app
        self._server = make_server(host, 0, app, threaded=True, request_handler=_QuietHandler)
        self.port = self._server.server_port
        self.url = f"http://{host}:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="live-server", daemon=True)

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)
        self.app.extensions["portal.db"].dispose()

    @contextmanager
    def db(self) -> Iterator[Session]:
        """A session on the server's database (committed data, as the server sees it)."""
        session = self.app.extensions["portal.db"].new_session()
        try:
            yield session
        finally:
            session.close()
