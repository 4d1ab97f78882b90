"""Forms of the Selbstcheck. The questionnaire form is built from its version (CTFd-style)."""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, StopValidation, ValidationError

from portal.forms.common import ChoiceField, MultiCheckboxField, PortalForm, Radios

FIRST_YEAR = 2017  # the form exists since 2017


class WholeNumberField(IntegerField):
    """An IntegerField that says in German when the input is not a whole number."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or valuelist[0] in ("", None):
            self.data = None
            return
        try:
            self.data = int(str(valuelist[0]).strip())
        except ValueError:
            self.data = None
            raise ValueError("Bitte geben Sie eine ganze Zahl ein.") from None


# --- validators with German messages ---------------------------------------------

class OneOf:
    """The posted value must be one of the offered ones (refuses 0, 6, text, …)."""

    def __init__(self, allowed: list[str], message: str) -> None:
        self.allowed = set(allowed)
        self.message = message

    def __call__(self, form: FlaskForm, field: Any) -> None:
        values = field.data if isinstance(field.data, list) else [field.data]
        for value in values:
            if value not in (None, "") and value not in self.allowed:
                raise StopValidation(self.message)


class RequiredFromAnswer:
    """Required when the answer to statement `question` is at least `min_value`."""

    def __init__(self, question_field: str, min_value: int, message: str) -> None:
        self.question_field = question_field
        self.min_value = min_value
        self.message = message

    def __call__(self, form: FlaskForm, field: Any) -> None:
        answer = form[self.question_field].data
        if not (isinstance(answer, str) and answer.isdigit()) or int(answer) < self.min_value:
            return
        data = field.data
        empty = not [v for v in data if v] if isinstance(data, list) else not (data or "").strip()
        if empty:
            raise ValidationError(self.message)


class RequiredWhenChecked:
    """The "andere, und zwar …" text is required when "andere" is ticked."""

    def __init__(self, checkbox_field: str, value: str, message: str) -> None:
        self.checkbox_field, self.value, self.message = checkbox_field, value, message

    def __call__(self, form: FlaskForm, field: Any) -> None:
        if self.value in (form[self.checkbox_field].data or []) and not (field.data or "").strip():
            raise ValidationError(self.message)


class PlainText:
    """Refuses control characters (NUL and the like) that no keyboard types; tabs and line breaks are fine."""

    message = "Der Text enthält unzulässige Steuerzeichen. Bitte tippen oder fügen Sie ihn erneut ein."

    def __call__(self, form: FlaskForm, field: Any) -> None:
        if field.data and _CONTROL.search(field.data):
            raise StopValidation(self.message)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class GermanDate:
    """A date as TT.MM.JJJJ (also JJJJ-MM-TT); stored as TT.MM.JJJJ."""

    message = "Bitte geben Sie das Datum als TT.MM.JJJJ an, zum Beispiel 07.05.2025."

    def __call__(self, form: FlaskForm, field: Any) -> None:
        text = (field.data or "").strip()
        if not text:
            return
        parsed = parse_german_date(text)
        if parsed is None:
            raise StopValidation(self.message)
        field.data = parsed.strftime("%d.%m.%Y")


def parse_german_date(text: str) -> date | None:
    for fmt in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def emphasised(text: str, word: str | None) -> Markup:
    """The text with the seed's bold word (``emphasis``) in <strong>; everything else escaped."""
    if word and (match := re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text)):
        return Markup("{}<strong>{}</strong>{}").format(text[:match.start()], word, text[match.end():])
    return Markup(escape(text))


DATE_FIELD = "datum"


def _length(max_length: int) -> Length:
    return Length(max=max_length, message=f"Bitte kürzen Sie den Text auf höchstens {max_length:,} Zeichen.".replace(",", "."))


# --- the questionnaire form ---------------------------------------------------------

def question_field_name(number: int) -> str:
    return f"q{number}"


OTHER_TEXT_SUFFIX = "_text"


def selbstcheck_form_class(definition: dict[str, Any], *, final: bool) -> type[FlaskForm]:
    """A form class for one questionnaire version.

    ``final=False`` (draft): every answer is optional, but whatever is posted must be
    valid. ``final=True`` (submit): every statement must be answered; the cooperation
    areas are required by the version's rule (answer ≥ min_value). The free texts are
    optional, as on the paper form — a conditional text is required only where the
    version says so (``"required": true``) — except "andere, und zwar …" once "andere"
    is ticked. The header's "Datum" is a date field (TT.MM.JJJJ).
    """
    scale = [(str(s["value"]), f"{s['label']} ({s['value']})") for s in definition["scale"]]
    allowed = [v for v, _ in scale]
    low, high = min(int(v) for v in allowed), max(int(v) for v in allowed)
    attrs: dict[str, Any] = {"bearbeitungsstand": HiddenField()}
    for item in definition.get("header", []):
        if item["code"] == DATE_FIELD:
            attrs[DATE_FIELD] = StringField(item["label"], validators=[PlainText(), GermanDate()],
                                            description="Das Datum, an dem Sie den Selbstcheck ausfüllen (TT.MM.JJJJ).")

    for q in definition["questions"]:
        n = int(q["number"])
        validators: list[Any] = [
            InputRequired(f"Bitte kreuzen Sie bei Aussage {n} einen Wert an.") if final else Optional(),
            OneOf(allowed, f"Bei Aussage {n} sind nur die Werte {low} bis {high} möglich."),
        ]
        attrs[question_field_name(n)] = Radios(
            f"{n}. {q['text']}", choices=scale, validators=validators, validate_choice=False,
            description=q.get("hint") or None,
        )

    for c in definition.get("conditional_texts", []):
        validators = [PlainText(), _length(int(c["max_length"]))]
        if final and c.get("required"):
            validators.insert(0, RequiredFromAnswer(
                question_field_name(int(c["after_question"])), int(c["min_value"]),
                f"Bitte füllen Sie dieses Feld aus: Bei Aussage {c['after_question']} haben Sie mindestens „teilweise“ zugestimmt.",
            ))
        attrs[c["code"]] = TextAreaField(emphasised(c["label"], c.get("emphasis")), validators=validators,
                                         description="freiwillig")

    coop = definition.get("cooperation")
    if coop:
        other = coop["other"]
        options = [(o["code"], o["label"]) for o in coop["options"]] + [(other["code"], other["label"])]
        validators = [OneOf([v for v, _ in options], "Bitte wählen Sie nur Bereiche aus der Liste.")]
        if final:
            validators.insert(0, RequiredFromAnswer(
                question_field_name(int(coop["after_question"])), int(coop["min_value"]),
                f"Bitte kreuzen Sie mindestens einen Bereich an: Bei Aussage {coop['after_question']} haben Sie mindestens „teilweise“ zugestimmt.",
            ))
        attrs["kooperation"] = MultiCheckboxField(coop["label"], choices=options, validators=validators, validate_choice=False)
        text_validators: list[Any] = [PlainText(), _length(int(other["max_length"]))]
        if final:
            text_validators.insert(0, RequiredWhenChecked("kooperation", other["code"], "Bitte nennen Sie den anderen Bereich."))
        attrs[other["code"] + OTHER_TEXT_SUFFIX] = StringField(
            f"{other['label'].rstrip(' …')}:", validators=text_validators,
            description="Nur ausfüllen, wenn Sie „andere“ angekreuzt haben.",
        )

    closing = definition.get("closing")
    if closing:
        attrs[closing["code"]] = TextAreaField(closing["label"], validators=[PlainText(), _length(int(closing["max_length"]))])

    return type("SelbstcheckForm", (PortalForm,), attrs)


def answers_from_form(form: FlaskForm, definition: dict[str, Any]) -> dict[str, Any]:
    """The answers as stored (radio values as int, texts stripped, empty ones left out)."""
    answers: dict[str, Any] = {}
    for q in definition["questions"]:
        value = form[question_field_name(int(q["number"]))].data
        if isinstance(value, str):  # Optional() lets a blank-only value through (and drops the choice error)
            value = value.strip()
        if value not in (None, ""):
            answers[question_field_name(int(q["number"]))] = int(value)
    for name in _text_field_names(definition):
        text = (form[name].data or "").strip()
        if text:
            answers[name] = text.replace("\r\n", "\n")
    if definition.get("cooperation"):
        chosen = [v for v, _ in form["kooperation"].choices if v in (form["kooperation"].data or [])]
        if chosen:
            answers["kooperation"] = chosen
    return answers


def form_data_from_answers(answers: dict[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, int) else v) for k, v in answers.items()}


def _text_field_names(definition: dict[str, Any]) -> list[str]:
    names = [DATE_FIELD] if any(h["code"] == DATE_FIELD for h in definition.get("header", [])) else []
    names += [c["code"] for c in definition.get("conditional_texts", [])]
    if definition.get("cooperation"):
        names.append(definition["cooperation"]["other"]["code"] + OTHER_TEXT_SUFFIX)
    if definition.get("closing"):
        names.append(definition["closing"]["code"])
    return names


# --- the other forms -----------------------------------------------------------------

def year_choices(today: date | None = None) -> list[tuple[str, str]]:
    today = today or date.today()
    return [(str(y), str(y)) for y in range(today.year + 1, FIRST_YEAR - 1, -1)]


class NewSelbstcheckForm(PortalForm):
    reporting_year = ChoiceField("Berichtsjahr", validators=[InputRequired("Bitte wählen Sie das Berichtsjahr.")], validate_choice=False)
    sub_unit = StringField(
        "Abteilung oder Sachgebiet (freiwillig)",
        validators=[Optional(), PlainText(), Length(max=200, message="Bitte kürzen Sie den Namen auf höchstens 200 Zeichen.")],
        description="Leer lassen, wenn der Selbstcheck für die ganze Organisationseinheit gilt.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reporting_year.choices = year_choices()
        if not self.reporting_year.data:
            self.reporting_year.data = str(date.today().year)

    def validate_reporting_year(self, field: Any) -> None:
        if field.data not in {v for v, _ in self.reporting_year.choices}:
            raise StopValidation("Bitte wählen Sie ein Berichtsjahr aus der Liste.")


class ReviewForm(PortalForm):
    fassung = HiddenField()  # the version the reviewer saw
    decision = Radios(
        "Entscheidung",
        choices=[("annehmen", "annehmen"), ("zurueckgeben", "zur Überarbeitung zurückgeben")],
        validators=[InputRequired("Bitte wählen Sie eine Entscheidung.")],
        validate_choice=False,
    )
    comment = TextAreaField(
        "Kommentar für die OE",
        validators=[PlainText(), Length(max=4000, message="Bitte kürzen Sie den Kommentar auf höchstens 4.000 Zeichen.")],
        description="Pflicht beim Zurückgeben: Was soll die OE ändern?",
    )

    def validate_decision(self, field: Any) -> None:
        if field.data not in ("annehmen", "zurueckgeben"):
            raise StopValidation("Bitte wählen Sie „annehmen“ oder „zurückgeben“.")

    def validate_comment(self, field: Any) -> None:
        if self.decision.data == "zurueckgeben" and not (field.data or "").strip():
            raise ValidationError("Bitte schreiben Sie, was die OE ändern soll.")


def bands_form_class(bands: list[dict[str, Any]], lowest: int, highest: int) -> type[FlaskForm]:
    """One field per band but the last: its upper bound (the next band starts one above)."""
    attrs: dict[str, Any] = {}
    for band in bands[:-1]:
        attrs[f"bis_{band['color']}"] = WholeNumberField(
            f"{band['label']} bis einschließlich (Punkte)",
            validators=[
                InputRequired(f"Bitte geben Sie die obere Grenze für {band['label']} an."),
                NumberRange(lowest, highest - 1, message=f"Bitte eine ganze Zahl von {lowest} bis {highest - 1}."),
            ],
        )
    return type("BandsForm", (PortalForm,), attrs)


class OverviewFilterForm(PortalForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    jahr = ChoiceField("Berichtsjahr", validate_choice=False)
