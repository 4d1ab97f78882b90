"""Generic German error pages without internals."""
from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: ("Die Anfrage war fehlerhaft", "Die Seite konnte mit diesen Angaben nichts anfangen. Bitte gehen Sie zurück und versuchen Sie es noch einmal."),
    401: ("Bitte melden Sie sich an", "Für diese Seite müssen Sie angemeldet sein."),
    403: ("Kein Zugriff", "Sie haben keine Berechtigung für diese Seite. Wenn Sie meinen, dass das ein Fehler ist, wenden Sie sich an das Integrationsbüro."),
    404: ("Seite nicht gefunden", "Diese Seite gibt es nicht. Vielleicht ist der Link veraltet."),
    405: ("Nicht erlaubt", "Diese Aktion ist auf diesem Weg nicht möglich."),
    413: ("Datei zu groß", "Die Datei ist zu groß. Bitte wählen Sie eine kleinere Datei."),
    429: ("Zu viele Anfragen", "Bitte warten Sie einen Moment und versuchen Sie es dann noch einmal."),
    500: ("Ein Fehler ist aufgetreten", "Etwas ist schiefgegangen. Ihre Eingaben wurden nicht gespeichert. Bitte versuchen Sie es später noch einmal."),
    503: ("Vorübergehend nicht erreichbar", "Bitte versuchen Sie es in einigen Minuten noch einmal."),
}


def render_error(code: int, detail: str | None = None):  # noqa: ANN201
    title, text = MESSAGES.get(code, MESSAGES[500] if code >= 500 else MESSAGES[400])
    return render_template("errors/error.html", code=code, title=title, text=detail or text), code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(_e: CSRFError):  # noqa: ANN202
        return render_error(
            400,
            "Das Formular konnte nicht sicher übertragen werden (Sicherheitsmerkmal fehlt oder ist abgelaufen). "
            "Bitte laden Sie die Seite neu und senden Sie das Formular noch einmal.",
        )

    @app.errorhandler(HTTPException)
    def _http(e: HTTPException):  # noqa: ANN202
        return render_error(e.code or 500)

    @app.errorhandler(Exception)
    def _unexpected(e: Exception):  # noqa: ANN202
        app.logger.exception("Unerwarteter Fehler bei %s %s", request.method, request.path)
        return render_error(500)
