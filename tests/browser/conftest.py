"""Browser fixtures: one live server and one Chromium per test run, a fresh browser
context (cookies, storage) per test."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.browser import CHROMIUM_ARGS, UI, chromium_path
from tests.support.live_server import LiveServer, build_app
from tests.support.requirements import require_binary


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    app = build_app(tmp_path_factory.mktemp("live"))
    server = LiveServer(app).start()
    yield server
    server.stop()


# module scope: Playwright's sync API allows one running instance per thread, and the
# feature modules' browser tests start their own after these modules have finished
@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    path = require_binary("Chromium (/usr/bin/chromium)", chromium_path())
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _http_status(text: str) -> bool:
    """Chromium logs every 4xx page (a refused sign-in is a 401) — that is not a script error."""
    return text.startswith("Failed to load resource: the server responded with a status of")


@pytest.fixture
def ui(chromium, live_server: LiveServer) -> Iterator[UI]:
    context = chromium.new_context(locale="de-DE", timezone_id="Europe/Berlin", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" and not _http_status(msg.text) else None)
    try:
        yield UI(page, live_server.url, live_server)
        # a script error or a CSP violation in the console fails the test
        assert errors == [], f"Fehler in der Browser-Konsole: {errors}"
    finally:
        context.close()
