"""Fields and forms every feature uses.

Every form derives from `PortalForm`: WTForms' own messages come in German (its shipped
`de` translation), and the fields below replace the few messages that would still be
English or unclear — dates that are not dates, choices that were not offered, values that
cannot be read as a number."""
from __future__ import annotations

from datetime import date, datetime

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField as _DateField
from wtforms import RadioField, SelectField, SelectMultipleField
from wtforms.validators import StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from portal.uploads import too_large_message

MSG_CHOICE = "Bitte wählen Sie einen der angebotenen Werte."
DATE_FORMATS = ["%d.%m.%Y", "%Y-%m-%d"]  # German first (shown), ISO as an <input type=date> sends it
DATE_HINT = "Format TT.MM.JJJJ, zum Beispiel 31.12.2026."
DATE_MESSAGE = "Bitte geben Sie ein gültiges Datum an (TT.MM.JJJJ)."  # a required date left empty
MSG_DATE = "Bitte geben Sie ein gültiges Datum im Format TT.MM.JJJJ an, zum Beispiel 31.12.2026."
# a plain text field: the German format works in every browser and keeps the value after an error
DATE_INPUT = {"type": "text", "autocomplete": "off", "placeholder": "TT.MM.JJJJ", "inputmode": "numeric"}


class PortalForm(FlaskForm):
    class Meta:
        locales = ("de_DE", "de")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if message := too_large_message():  # the page shown again after a request over the limit
            for item in self:
                if isinstance(item, FileField):
                    item.errors = [message]


class _GermanChoice:
    """Choice fields whose "not a valid choice" and "could not coerce" messages are one
    German sentence (a value that cannot be read is not also reported as not offered)."""

    def process_formdata(self, valuelist) -> None:  # noqa: ANN001
        try:
            super().process_formdata(valuelist)  # type: ignore[misc]
        except ValueError as exc:
            raise ValueError(MSG_CHOICE) from exc

    def pre_validate(self, form) -> None:  # noqa: ANN001
        if self.process_errors:  # type: ignore[attr-defined]
            raise StopValidation()  # already said once
        try:
            super().pre_validate(form)  # type: ignore[misc]
        except ValidationError as exc:
            raise ValidationError(MSG_CHOICE) from exc


class ChoiceField(_GermanChoice, SelectField):
    pass


class Radios(_GermanChoice, RadioField):
    pass


class MultiCheckboxField(_GermanChoice, SelectMultipleField):
    """Checkboxes; rendered by the `checkboxes` macro (it dispatches on this class name)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class GermanDateField(_DateField):
    """A date typed as TT.MM.JJJJ (also 1.2.2026) or sent as ISO (JJJJ-MM-TT) by a date
    picker; shown as TT.MM.JJJJ. The hint says the format, an unreadable value gets a German
    message (`message`), and a date the database cannot hold (year before 1900) is refused."""

    def __init__(self, label=None, validators=None, message: str = MSG_DATE, **kwargs) -> None:  # noqa: ANN001
        kwargs.setdefault("format", DATE_FORMATS)
        kwargs["render_kw"] = {**DATE_INPUT, **(kwargs.get("render_kw") or {})}
        description = kwargs.get("description") or ""
        if "TT.MM.JJJJ" not in description:
            kwargs["description"] = f"{description} {DATE_HINT}".strip()
        super().__init__(label, validators, **kwargs)
        self.message = message

    def process_formdata(self, valuelist) -> None:  # noqa: ANN001
        if not valuelist:
            return
        text = " ".join(valuelist).strip()
        self.raw_data = [text]
        if not text:
            self.data = None
            return
        for fmt in self.strptime_format:
            try:
                parsed = datetime.strptime(text, fmt).date()
            except ValueError:
                continue
            if parsed < date(1900, 1, 1):
                break
            self.data = parsed
            return
        self.data = None
        raise ValueError(self.message)


class ConfirmForm(PortalForm):
    """A button that changes something (delete, submit, confirm): only the CSRF token."""
