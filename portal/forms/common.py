"""Fields and forms every feature uses."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, SelectMultipleField
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

DATE_FORMATS = ["%d.%m.%Y", "%Y-%m-%d"]
DATE_MESSAGE = "Bitte geben Sie ein gültiges Datum an (TT.MM.JJJJ)."
# a plain text field: the German format works in every browser and keeps the value after an error
DATE_INPUT = {"type": "text", "autocomplete": "off", "placeholder": "TT.MM.JJJJ"}


class _GermanChoice:
    """Choice fields whose "not a valid choice" message is German."""

    def pre_validate(self, form) -> None:  # noqa: ANN001
        try:
            super().pre_validate(form)  # type: ignore[misc]
        except ValidationError as exc:
            raise ValidationError("Bitte wählen Sie einen der angebotenen Werte.") from exc


class ChoiceField(_GermanChoice, SelectField):
    pass


class Radios(_GermanChoice, RadioField):
    pass


class MultiCheckboxField(_GermanChoice, SelectMultipleField):
    """Checkboxes; rendered by the `checkboxes` macro (it dispatches on this class name)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ConfirmForm(FlaskForm):
    """A button that changes something (delete, submit, confirm): only the CSRF token."""
