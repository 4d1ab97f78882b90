from __future__ import annotations

from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from portal.audit_labels import ACTIONS
from portal.forms.common import ChoiceField, GermanDateField, PortalForm
from portal.models.org import ORG_UNIT_KINDS


class OrgUnitForm(PortalForm):
    code = StringField(
        "Kürzel",
        validators=[
            DataRequired("Bitte geben Sie das Kürzel ein."),
            Length(max=40, message="Das Kürzel darf höchstens 40 Zeichen lang sein."),
            Regexp(r"^[\wÄÖÜäöüß][\wÄÖÜäöüß .\-/]*$", message="Das Kürzel darf nur Buchstaben, Ziffern, Leerzeichen, Punkt, Bindestrich und Schrägstrich enthalten."),
        ],
        description="So, wie es im Verzeichnisdienst steht, zum Beispiel „Amt 50“.",
        filters=[lambda v: " ".join(v.split()) if isinstance(v, str) else v],
    )
    name = StringField("Name", validators=[Optional(), Length(max=200, message="Der Name darf höchstens 200 Zeichen lang sein.")])
    kind = ChoiceField("Art", choices=[(k, k) for k in ORG_UNIT_KINDS])
    note = TextAreaField("Bemerkung", validators=[Optional(), Length(max=2000, message="Höchstens 2000 Zeichen.")])


class RetireForm(PortalForm):
    retired_on = GermanDateField(
        "Aufgelöst am",
        validators=[DataRequired("Bitte geben Sie ein gültiges Datum an (TT.MM.JJJJ).")],
    )


class AuditFilterForm(PortalForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    action = ChoiceField("Aktion", validators=[Optional()],
                         choices=[("", "alle"), *sorted(ACTIONS.items(), key=lambda item: item[1].lower())])
    actor = StringField("Person (Benutzername)", validators=[Optional(), Length(max=255, message="Höchstens 255 Zeichen.")])
    oe = StringField("OE", validators=[Optional(), Length(max=40, message="Höchstens 40 Zeichen.")])
    since = GermanDateField("ab Datum", validators=[Optional()])
