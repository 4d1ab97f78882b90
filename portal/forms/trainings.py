from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp, ValidationError

from portal.forms.common import DATE_MESSAGE, ChoiceField, GermanDateField, MultiCheckboxField, PortalForm, Radios
from portal.models.training import CONTENTS, FORMATS, TARGET_GROUPS
from portal.trainings.imports import parse_hours
from portal.trainings.rules import DEFAULT_CUTOFF


class HoursField(StringField):
    """Hours with a decimal comma or point ("7,5")."""

    def process_formdata(self, valuelist):  # noqa: ANN001
        super().process_formdata(valuelist)
        self.hours: Decimal | None = parse_hours(self.data or "")


def _valid_hours(form, field) -> None:  # noqa: ANN001
    if field.hours is None:
        raise ValidationError("Bitte geben Sie die Dauer in Stunden an, zum Beispiel 6 oder 7,5.")
    if field.hours > 1000:
        raise ValidationError("Die Dauer ist zu groß (höchstens 1.000 Stunden).")


def _some_content(form, field) -> None:  # noqa: ANN001 - no "required" on every single checkbox
    if not field.data:
        raise ValidationError("Bitte wählen Sie mindestens einen Inhalt.")


class RosterEntryForm(PortalForm):
    org_unit_id = ChoiceField("Organisationseinheit", coerce=int, validators=[InputRequired("Bitte wählen Sie die OE.")])
    personnel_number = StringField("Personalnummer", validators=[
        DataRequired("Bitte geben Sie die Personalnummer ein."),
        Length(max=40, message="Die Personalnummer darf höchstens 40 Zeichen lang sein."),
        Regexp(r"^[\w\-/.]+$", message="Die Personalnummer darf nur Buchstaben, Ziffern, Punkt, Bindestrich und Schrägstrich enthalten."),
    ])
    # the name comes from the personnel records; what is typed here only helps the reader and is not stored
    last_name = StringField("Nachname", validators=[Optional(), Length(max=120, message="Höchstens 120 Zeichen.")],
                            description="Nur zur Kontrolle: Der Name wird aus dem Personalbestand übernommen.")
    first_name = StringField("Vorname", validators=[Optional(), Length(max=120, message="Höchstens 120 Zeichen.")])
    target_group = Radios("Zielgruppe", choices=list(TARGET_GROUPS.items()),
                              validators=[InputRequired("Bitte wählen Sie die Zielgruppe.")])
    begins_on = GermanDateField("Beginn", validators=[DataRequired(DATE_MESSAGE)],
                          description="Ab wann gehört die Person zur Zielgruppe? Format TT.MM.JJJJ.")
    ends_on = GermanDateField("Ende", validators=[Optional()],
                        description="Leer lassen, solange die Person dazugehört (z. B. Ausscheiden, Wechsel, lange Abwesenheit).")

    def validate_ends_on(self, field) -> None:  # noqa: ANN001
        if field.data and self.begins_on.data and field.data < self.begins_on.data:
            raise ValidationError("Das Ende liegt vor dem Beginn.")


class RosterEntryEditForm(PortalForm):
    target_group = RosterEntryForm.target_group
    begins_on = RosterEntryForm.begins_on
    ends_on = RosterEntryForm.ends_on
    validate_ends_on = RosterEntryForm.validate_ends_on


class ImportForm(PortalForm):
    file = FileField("Datei (CSV oder XLSX)", description="Kopfzeile siehe oben. Es werden alle Zeilen übernommen oder keine.")
    dry_run = BooleanField("Nur prüfen, nichts speichern")


class CertificateForm(PortalForm):
    title = StringField("Titel der Schulung", validators=[
        DataRequired("Bitte geben Sie den Titel an."), Length(max=300, message="Höchstens 300 Zeichen.")])
    provider = StringField("Anbieter", validators=[
        DataRequired("Bitte geben Sie den Anbieter an."), Length(max=300, message="Höchstens 300 Zeichen.")])
    completed_on = GermanDateField("Abgeschlossen am", validators=[DataRequired(DATE_MESSAGE)],
                             description="Format TT.MM.JJJJ, zum Beispiel 14.03.2025.")
    hours = HoursField("Dauer in Stunden", validators=[_valid_hours],
                       description="Mindestens 6 Stunden zählen für den Schulungsauftrag. Komma erlaubt, z. B. 7,5.")
    contents = MultiCheckboxField("Inhalte", choices=list(CONTENTS.items()), validators=[_some_content],
                                  description="Mehrere Angaben sind möglich.")
    format = Radios("Format", choices=list(FORMATS.items()), validators=[InputRequired("Bitte wählen Sie das Format.")])
    internal = Radios("Art", choices=[("intern", "intern (Fortbildungsprogramm der Stadt)"), ("extern", "extern")],
                          validators=[InputRequired("Bitte wählen Sie intern oder extern.")])
    file = FileField("Nachweis (PDF, PNG oder JPEG)", description="Das Zertifikat oder die Teilnahmebestätigung.")
    # one random key per shown form: the same form sent twice (double click, reload) is stored once
    submission_key = HiddenField(validators=[Optional(), Regexp(r"^[0-9a-f]{32}$", message="Ungültiges Formular.")])

    def validate_completed_on(self, field) -> None:  # noqa: ANN001
        if field.data and field.data > date.today():
            raise ValidationError("Das Datum liegt in der Zukunft.")


class DecisionForm(PortalForm):
    decision = Radios("Entscheidung", choices=[
        ("anerkennen", "anerkennen"),
        ("zurueckgeben", "zur Korrektur zurückgeben"),
        ("ablehnen", "nicht anerkennen"),
    ], validators=[InputRequired("Bitte wählen Sie eine Entscheidung.")])
    comment = TextAreaField("Kommentar oder Begründung", validators=[Optional(), Length(max=2000, message="Höchstens 2000 Zeichen.")],
                            description="Pflicht beim Zurückgeben und beim Nicht-Anerkennen. Die Person sieht diesen Text.")


class CutoffForm(PortalForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    stichtag = GermanDateField("Stichtag", validators=[Optional()], default=DEFAULT_CUTOFF,
                         description="Standard: 31.12.2026.")
    oe = ChoiceField("Organisationseinheit", choices=[("", "alle (ganze Stadtverwaltung)")], validators=[Optional()],
                     validate_choice=False)


class TableForm(CutoffForm):
    """The Auswertungstabelle's filter: the Stichtag, the OE, and whether OEs without a roster show."""

    ohne_liste_ausblenden = BooleanField("OE ohne Zielgruppenliste ausblenden",
                                         description="Ihre Zeilen enthalten nur Nullen; die Summe „Gesamt“ bleibt gleich.")
