"""Forms of the review desk: the queue filter (GET, no CSRF) and the bulk decision steps."""
from __future__ import annotations

from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from portal.forms.common import ChoiceField, PortalForm

STATUS_LABELS = [("eingereicht", "eingereicht (wartet auf Prüfung)"), ("zurueckgegeben", "zurückgegeben (wartet auf die OE)")]


class QueueFilterForm(PortalForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    art = ChoiceField("Art", choices=[], validators=[Optional()])
    oe = StringField("OE", validators=[Optional(), Length(max=40, message="Höchstens 40 Zeichen.")],
                     description="Kürzel, zum Beispiel „Amt 51“")
    status = ChoiceField("Stand", choices=STATUS_LABELS, default="eingereicht", validators=[Optional()])
    alter = StringField("Wartet seit mindestens … Tagen", validators=[
        Optional(), Regexp(r"^\d{1,4}$", message="Bitte eine ganze Zahl von Tagen angeben, zum Beispiel 14.")])


class BulkSelectForm(PortalForm):
    """Step 1: the ticked items of the queue go to the confirmation page."""

    aktion = HiddenField(validators=[DataRequired("Bitte wählen Sie eine Sammelentscheidung.")])


class BulkConfirmForm(PortalForm):
    """Step 2: the confirmation page repeats the items; only this POST changes anything."""

    aktion = HiddenField(validators=[DataRequired("Bitte wählen Sie eine Sammelentscheidung.")])


class DossierExportForm(PortalForm):
    """Start the ZIP of every OE's dossier (a button with CSRF)."""


