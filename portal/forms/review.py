"""Forms of the review desk: the queue filter (GET, no CSRF) and the bulk decision steps."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

STATUS_LABELS = [("eingereicht", "eingereicht (wartet auf Prüfung)"), ("zurueckgegeben", "zurückgegeben (wartet auf die OE)")]


class QueueFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    art = SelectField("Art", choices=[], validators=[Optional()])
    oe = StringField("OE", validators=[Optional(), Length(max=40, message="Höchstens 40 Zeichen.")],
                     description="Kürzel, zum Beispiel „Amt 51“")
    status = SelectField("Stand", choices=STATUS_LABELS, default="eingereicht", validators=[Optional()])
    alter = StringField("Wartet seit mindestens … Tagen", validators=[
        Optional(), Regexp(r"^\d{1,4}$", message="Bitte eine ganze Zahl von Tagen angeben, zum Beispiel 14.")])


class BulkSelectForm(FlaskForm):
    """Step 1: the ticked items of the queue go to the confirmation page."""

    aktion = HiddenField(validators=[DataRequired("Bitte wählen Sie eine Sammelentscheidung.")])


class BulkConfirmForm(FlaskForm):
    """Step 2: the confirmation page repeats the items; only this POST changes anything."""

    aktion = HiddenField(validators=[DataRequired("Bitte wählen Sie eine Sammelentscheidung.")])


class DossierExportForm(FlaskForm):
    """Start the ZIP of every OE's dossier (a button with CSRF)."""


class OeChoiceForm(FlaskForm):
    class Meta:
        csrf = False

    oe = SelectField("OE", choices=[], validators=[Optional()])
