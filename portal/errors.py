"""German error pages without internals, which never need the database.

The error template renders without the navigation and without the signed-in person (both
would ask the database); a database that does not answer becomes the 503 page "vorübergehend
nicht erreichbar". If rendering fails too, a fixed page is sent; a last safety net around the
whole WSGI app does the same for anything that escapes Flask. Every such answer carries the
security headers and the request id ("Fehlernummer").
"""
from __future__ import annotations

import html
import logging
import sys
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, g, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from portal import uploads
from portal.auth.access import Anonymous
from portal.db import WRITE_METHODS
from portal.headers import security_headers
from portal.observability import new_request_id, request_id

MESSAGES = {
    400: ("Die Anfrage war fehlerhaft", "Die Seite konnte mit diesen Angaben nichts anfangen. Bitte gehen Sie zurück und versuchen Sie es noch einmal."),
    401: ("Bitte melden Sie sich an", "Für diese Seite müssen Sie angemeldet sein."),
    403: ("Kein Zugriff", "Sie haben keine Berechtigung für diese Seite. Wenn Sie meinen, dass das ein Fehler ist, wenden Sie sich an das Integrationsbüro."),
    404: ("Seite nicht gefunden", "Diese Seite gibt es nicht. Vielleicht ist der Link veraltet."),
    405: ("Nicht erlaubt", "Diese Aktion ist auf diesem Weg nicht möglich."),
    413: ("Datei zu groß", "Die Datei ist zu groß. Bitte wählen Sie eine kleinere Datei."),
    429: ("Zu viele Anfragen", "Bitte warten Sie einen Moment und versuchen Sie es dann noch einmal."),
    500: ("Ein Fehler ist aufgetreten", "Etwas ist schiefgegangen. Bitte versuchen Sie es später noch einmal."),
    503: ("Vorübergehend nicht erreichbar", "Das Portal ist vorübergehend nicht erreichbar. Bitte versuchen Sie es in einigen Minuten noch einmal. Ihre Anmeldung bleibt erhalten."),
}
NOT_SAVED = ("Etwas ist schiefgegangen. Ihre Eingaben wurden nicht gespeichert. "
             "Bitte versuchen Sie es später noch einmal.")
MAYBE_SAVED = ("Etwas ist schiefgegangen, nachdem Ihre Eingaben bereits gespeichert wurden. Falls Sie gerade etwas "
               "gespeichert haben, prüfen Sie bitte, ob es angekommen ist, bevor Sie es noch einmal senden.")
RETRY_AFTER_SECONDS = "30"

log = logging.getLogger("portal.errors")


def _request_id() -> str:
    try:
        return request_id()
    except Exception:  # noqa: BLE001 - an error page never fails for want of an id
        return "-"


def fallback_page(code: int, title: str, text: str, request_id: str) -> str:
    """A complete German page without templates, for when rendering itself fails."""
    return (
        "<!doctype html><html lang=\"de\"><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(title)} – Portal Aktionsplan Integration</title></head><body>"
        f"<main><h1>{html.escape(title)}</h1><p>{html.escape(text)}</p>"
        f"<p>Fehlercode: {code}</p><p>Fehlernummer: {html.escape(request_id)}</p>"
        "<p><a href=\"/\">Zur Übersicht</a></p></main></body></html>"
    )


def render_error(code: int, detail: str | None = None, headers: dict[str, str] | None = None):  # noqa: ANN201
    title, text = MESSAGES.get(code, MESSAGES[500] if code >= 500 else MESSAGES[400])
    rid = _request_id()
    if "_login_user" not in g:
        # Flask-Login's template context would load the person from the database
        g._login_user = Anonymous()
    try:
        body = render_template("errors/error.html", code=code, title=title, text=detail or text,
                               request_id=rid, minimal=True)
    except Exception:  # noqa: BLE001 - the page must still be German
        log.exception("Fehlerseite %s konnte nicht dargestellt werden", code)
        body = fallback_page(code, title, detail or text, rid)
    return body, code, headers or {}


def database_unavailable(error: BaseException) -> bool:
    """The database did not answer (down, restarting, pool exhausted) – not a bug in a query."""
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError))


def _roll_back() -> None:
    session = g.get("db_session")
    if session is not None:
        try:
            session.rollback()
        except Exception:  # noqa: BLE001 - the connection may be gone
            log.warning("Zurückrollen nach einem Fehler war nicht möglich")


def _unexpected_text(committed: bool) -> str:
    if committed:
        return MAYBE_SAVED
    if request.method in WRITE_METHODS:
        return NOT_SAVED
    return MESSAGES[500][1]


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(_e: CSRFError):  # noqa: ANN202
        return render_error(
            400,
            "Das Formular konnte nicht sicher übertragen werden (Sicherheitsmerkmal fehlt oder ist abgelaufen). "
            "Bitte laden Sie die Seite neu und senden Sie das Formular noch einmal.",
        )

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(_e: RequestEntityTooLarge):  # noqa: ANN202
        page = uploads.page_again(app)
        return page if page is not None else render_error(413, uploads.too_large_text())

    @app.errorhandler(HTTPException)
    def _http(e: HTTPException):  # noqa: ANN202
        return render_error(e.code or 500)

    @app.errorhandler(Exception)
    def _unexpected(e: Exception):  # noqa: ANN202
        try:
            if database_unavailable(e):
                app.logger.warning("Datenbank nicht erreichbar bei %s %s: %s", request.method, request.path,
                                   type(e).__name__)
                _roll_back()
                return render_error(503, headers={"Retry-After": RETRY_AFTER_SECONDS})
            app.logger.exception("Unerwarteter Fehler bei %s %s", request.method, request.path)
            committed = bool(g.get("db_committed"))
            _roll_back()
            return render_error(500, _unexpected_text(committed))
        except Exception:  # noqa: BLE001 - never Flask's bare English page
            log.exception("Fehler in der Fehlerbehandlung")
            title, text = MESSAGES[500]
            return fallback_page(500, title, text, _request_id()), 500


def safety_net(app: Flask) -> None:
    """The outermost WSGI layer: whatever escapes Flask becomes the German 500 page."""
    inner: Callable[..., Iterable[bytes]] = app.wsgi_app

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        started: list[bool] = []

        def tracking_start_response(*args: Any) -> Any:
            started.append(True)
            return start_response(*args)

        try:
            return inner(environ, tracking_start_response)
        except Exception:  # noqa: BLE001
            log.exception("Fehler außerhalb der Anwendung")
            rid = new_request_id()
            title, text = MESSAGES[500]
            body = fallback_page(500, title, text, rid).encode("utf-8")
            headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body))),
                       ("X-Request-ID", rid), ("Cache-Control", "no-store"), *security_headers().items()]
            # exc_info only if the app had begun its answer (the server then replaces it)
            start_response("500 INTERNAL SERVER ERROR", headers, sys.exc_info() if started else None)
            return [body]

    app.wsgi_app = wsgi  # type: ignore[method-assign]
