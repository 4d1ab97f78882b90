from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from portal.models.org import ORG_UNIT_KINDS


class OrgUnitForm(FlaskForm):
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
    kind = SelectField("Art", choices=[(k, k) for k in ORG_UNIT_KINDS])
    note = TextAreaField("Bemerkung", validators=[Optional(), Length(max=2000, message="Höchstens 2000 Zeichen.")])


class RetireForm(FlaskForm):
    retired_on = DateField(
        "Aufgelöst am",
        validators=[DataRequired("Bitte geben Sie ein gültiges Datum an (TT.MM.JJJJ).")],
        format=["%Y-%m-%d", "%d.%m.%Y"],
    )


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    action = StringField("Aktion", validators=[Optional(), Length(max=80)])
    actor = StringField("Person (Benutzername)", validators=[Optional(), Length(max=255)])
    oe = StringField("OE", validators=[Optional(), Length(max=40)])
    since = DateField("ab Datum", validators=[Optional()], format=["%Y-%m-%d", "%d.%m.%Y"])
