from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from portal.forms.common import ChoiceField, GermanDateField, PortalForm, Radios
from portal.models.measure import LIGHT_LABELS, LIGHT_ORDER, PRIORITIES

LIGHT_CHOICES = [(light.value, LIGHT_LABELS[light]) for light in LIGHT_ORDER]


class MeasureForm(PortalForm):
    stand = HiddenField()  # when the page was loaded: refuses to overwrite a newer change
    title = TextAreaField("Maßnahme (Bezeichnung)", validators=[
        DataRequired("Bitte geben Sie die Bezeichnung ein."), Length(max=1000, message="Höchstens 1000 Zeichen.")])
    content = TextAreaField("Inhalt, Erläuterungen", validators=[
        DataRequired("Bitte geben Sie den Inhalt ein."), Length(max=20000, message="Höchstens 20.000 Zeichen.")],
        description="Aufzählungen beginnen mit „- “ am Zeilenanfang.")
    goal = TextAreaField("Ziel, unter dem die Maßnahme steht", validators=[
        Optional(), Length(max=5000, message="Höchstens 5000 Zeichen.")],
        description="Stehen mehrere Ziele vor der Tabelle, trennt eine Leerzeile sie.")


class MeasureRowForm(PortalForm):
    leads = StringField("Federführend", validators=[
        DataRequired("Bitte geben Sie mindestens eine federführende OE an."), Length(max=2000, message="Höchstens 2000 Zeichen.")],
        description="OE-Kürzel mit Komma getrennt, am Ende „(federführend)“ oder „(federführend im Zuständigkeitsbereich)“. "
                    "Für alle: „alle Ämter und Eigenbetriebe“ oder „alle Eigenbetriebe“ an den Anfang. "
                    "Nennt der Plan keine federführende OE: am Ende „(federführend: nicht festgelegt)“.")
    participants = TextAreaField("Weitere Beteiligte", validators=[Optional(), Length(max=2000, message="Höchstens 2000 Zeichen.")])
    deadline = StringField("Termin oder Laufzeit", validators=[
        DataRequired("Bitte geben Sie den Termin an."), Length(max=60, message="Höchstens 60 Zeichen.")],
        description="Zum Beispiel „2024“, „2022 bis 2026“, „bis 12/2025“, „3. Quartal 2025“ oder „ab 2023“ "
                    "(„ab …“ und „fortlaufend“ haben kein Ende und sind nie überschritten).")
    priority = ChoiceField("Priorität", choices=[(p, p) for p in PRIORITIES])
    content = TextAreaField("Inhalt dieses Teils", validators=[Optional(), Length(max=20000, message="Höchstens 20.000 Zeichen.")])


class PeriodForm(PortalForm):
    name = StringField("Bezeichnung", validators=[
        DataRequired("Bitte geben Sie eine Bezeichnung ein."), Length(max=200, message="Höchstens 200 Zeichen.")],
        description="Zum Beispiel „Abschlussbericht 2026“.")
    cutoff_on = GermanDateField("Stichtag", validators=[
        DataRequired("Bitte geben Sie den Stichtag als Datum an (TT.MM.JJJJ).")], description="Zum Beispiel 31.12.2026.")


class ReportForm(PortalForm):
    stand = HiddenField()  # when the page was loaded: refuses to overwrite a newer change
    light = Radios("Erfüllungsstand (Ampel)", choices=LIGHT_CHOICES, validators=[Optional()])
    clarification_needed = Radios("Interner Klärungsbedarf", choices=[("nein", "nein"), ("ja", "ja")], default="nein",
                                      validators=[InputRequired("Bitte wählen Sie ja oder nein.")])
    progress = TextAreaField("Sachstand", validators=[Optional(), Length(max=10000, message="Höchstens 10.000 Zeichen.")],
                             description="Was ist bis zum Stichtag geschehen?")
    next_steps = TextAreaField("Nächste Schritte", validators=[Optional(), Length(max=10000, message="Höchstens 10.000 Zeichen.")])


class ReviewForm(PortalForm):
    comment = TextAreaField("Kommentar", validators=[Optional(), Length(max=5000, message="Höchstens 5000 Zeichen.")],
                            description="Beim Zurückgeben bitte angeben, was zu ändern ist.")


class AssessmentForm(PortalForm):
    light = Radios("Bewertung der Arbeitsgruppe", choices=LIGHT_CHOICES,
                       validators=[InputRequired("Bitte wählen Sie den Erfüllungsstand aus.")])
    comment = TextAreaField("Begründung", validators=[Optional(), Length(max=5000, message="Höchstens 5000 Zeichen.")],
                            description="Pflicht, wenn Ihre Bewertung von den Berichten der OE abweicht.")


class CatalogueImportForm(PortalForm):
    file = FileField("Datei (CSV oder XLSX im Exportformat)", validators=[FileRequired("Bitte wählen Sie eine Datei aus.")])
    dry_run = BooleanField("Nur prüfen, nichts speichern")


class FieldFilterForm(PortalForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    feld = ChoiceField("Handlungsfeld", choices=[], validators=[Optional()])


class QueueFilterForm(PortalForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    oe = StringField("OE", validators=[Optional(), Length(max=40, message="Höchstens 40 Zeichen.")], description="Kürzel, zum Beispiel „Amt 51“")
    zeitraum = ChoiceField("Berichtszeitraum", choices=[], validators=[Optional()])
