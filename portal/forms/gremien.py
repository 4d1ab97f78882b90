"""Forms of the Gremien pages: member, lead, meeting, topic, guest, Sonstiges, minutes."""
from __future__ import annotations

from datetime import datetime

from flask_wtf.file import FileField, FileRequired
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from portal.forms.common import DATE_MESSAGE, ChoiceField, GermanDateField, MultiCheckboxField, PortalForm
from portal.models.gremien import AFFILIATIONS, LEAD_ROLES, MEETING_KINDS

TIME_INPUT = {"type": "text", "autocomplete": "off", "placeholder": "HH:MM"}


def _required(label: str) -> DataRequired:
    return DataRequired(message=f"Bitte geben Sie {label} an.")


def _text(max_len: int) -> Length:
    return Length(max=max_len, message=f"Höchstens {max_len} Zeichen.")


def _date(label: str, required: bool = True) -> GermanDateField:
    validators = [DataRequired(message=DATE_MESSAGE)] if required else [Optional()]
    return GermanDateField(label, validators=validators,
                           description="TT.MM.JJJJ" + ("" if required else ", leer lassen, wenn offen"))


class _PersonFields(PortalForm):
    name = StringField("Name", validators=[_required("den Namen"), _text(200)])
    function = StringField("Funktion", validators=[Optional(), _text(300)])
    org_unit_id = ChoiceField("Organisationseinheit (bei Beschäftigten der Stadtverwaltung)", coerce=int,
                              validators=[Optional()])
    organisation = StringField("Organisation bzw. Amt/Eigenbetrieb, wie im Bericht genannt",
                               validators=[Optional(), _text(300)])
    email = StringField("E-Mail", validators=[Optional(), Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message="Bitte geben Sie eine gültige E-Mail-Adresse an."),
                                               _text(255)])
    phone = StringField("Telefon", validators=[Optional(), _text(80)])


class MemberForm(_PersonFields):
    affiliation = ChoiceField("Herkunft", choices=list(AFFILIATIONS.items()),
                              validators=[_required("die Herkunft")])
    joined_on = _date("Mitglied seit")
    left_on = _date("Mitglied bis", required=False)

    def validate_left_on(self, field) -> None:  # noqa: ANN001
        if field.data and self.joined_on.data and field.data < self.joined_on.data:
            raise ValidationError("Das Ende der Mitgliedschaft liegt vor ihrem Beginn.")

    def validate_org_unit_id(self, field) -> None:  # noqa: ANN001
        if self.affiliation.data == "stadtverwaltung" and not field.data and not self.organisation.data:
            raise ValidationError("Bitte wählen Sie bei Beschäftigten der Stadtverwaltung die Organisationseinheit.")


class LeadForm(_PersonFields):
    role = ChoiceField("Aufgabe", choices=list(LEAD_ROLES.items()), validators=[_required("die Aufgabe")])
    valid_from = _date("gültig ab")
    valid_to = _date("gültig bis", required=False)

    def validate_valid_to(self, field) -> None:  # noqa: ANN001
        if field.data and self.valid_from.data and field.data < self.valid_from.data:
            raise ValidationError("Das Ende liegt vor dem Beginn.")


class MeetingForm(PortalForm):
    kind = ChoiceField("Art", choices=list(MEETING_KINDS.items()), validators=[_required("die Art")])
    held_on = _date("Datum")
    starts_at = StringField("Beginn", validators=[Optional()], render_kw=TIME_INPUT, description="HH:MM, zum Beispiel 14:00")
    ends_at = StringField("Ende", validators=[Optional()], render_kw=TIME_INPUT, description="HH:MM")
    location = StringField("Ort", validators=[Optional(), _text(300)])

    def _time(self, field):  # noqa: ANN001,ANN202
        value = (field.data or "").strip()
        if not value:
            return None
        try:
            return datetime.strptime(value, "%H:%M").time()
        except ValueError:
            raise ValidationError("Bitte geben Sie die Uhrzeit als HH:MM an, zum Beispiel 14:00.") from None

    def validate_starts_at(self, field) -> None:  # noqa: ANN001
        field.time = self._time(field)

    def validate_ends_at(self, field) -> None:  # noqa: ANN001
        field.time = self._time(field)
        start = getattr(self.starts_at, "time", None)
        if field.time and start and field.time <= start:
            raise ValidationError("Das Ende liegt nicht nach dem Beginn.")


class TopicForm(PortalForm):
    text = TextAreaField("Thema", validators=[_required("das Thema"), _text(2000)])
    measure_ids = MultiCheckboxField("Bezug zu Maßnahmen des Katalogs", coerce=int, validators=[Optional()])


class GuestForm(PortalForm):
    name = StringField("Gast bzw. Referent*in (Name, Organisation)", validators=[_required("den Gast"), _text(200)])
    topic = TextAreaField("Thema", validators=[_required("das Thema"), _text(2000)])


class NoteForm(PortalForm):
    year = ChoiceField("Jahr", coerce=int, validators=[_required("das Jahr")])
    text = TextAreaField("Sonstiges", validators=[_required("den Text"), _text(2000)])


class MinutesForm(PortalForm):
    file = FileField("Protokoll (PDF oder Word)", validators=[FileRequired(message="Bitte wählen Sie eine Datei.")])


class LeadEndForm(PortalForm):
    valid_to = _date("Leitung bzw. Stellvertretung endet am")
