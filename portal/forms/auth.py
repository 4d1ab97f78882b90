from __future__ import annotations

from wtforms import BooleanField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from portal.forms.common import PortalForm


class LoginForm(PortalForm):
    # the limits are generous on purpose: bad input gets the one generic message
    username = StringField(
        "Benutzername",
        validators=[DataRequired("Bitte geben Sie Ihren Benutzernamen ein."), Length(max=10000)],
        description="Ihr Windows-Anmeldename, zum Beispiel „mmustermann“.",
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        "Passwort",
        validators=[DataRequired("Bitte geben Sie Ihr Passwort ein."), Length(max=10000)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class NotificationsForm(PortalForm):
    daily_digest = BooleanField("Tägliche Übersicht der neuen Einreichungen per E-Mail erhalten",
                                description="Eine Nachricht am Morgen, wenn am Vortag etwas eingereicht wurde. "
                                            "Nachrichten zu Ihren eigenen Einreichungen erhalten Sie immer.")
