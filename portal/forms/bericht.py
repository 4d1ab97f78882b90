"""Forms of the report pages."""
from __future__ import annotations

from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from portal.forms.common import PortalForm, Radios

FORMAT_CHOICES = [("docx", "Word (DOCX) zum Weiterbearbeiten"), ("pdf", "PDF (barrierefrei getaggt)")]


class TextForm(PortalForm):
    body = TextAreaField("Text", validators=[Optional(), Length(max=100_000, message="Höchstens 100.000 Zeichen.")],
                         description="Absätze durch eine Leerzeile trennen; Zeilen mit „- “ am Anfang werden zur Liste.",
                         render_kw={"rows": 18})


class BuildForm(PortalForm):
    format = Radios("Format", choices=FORMAT_CHOICES, validators=[InputRequired("Bitte wählen Sie das Format.")])
