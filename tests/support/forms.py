"""The POST forms of the portal, read from the pages that show them (HTML), so that
every new form is found without a list to keep up to date."""
from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Field:
    name: str
    kind: str  # text, textarea, select, radio, checkbox, hidden, file, date, number, password, email
    options: list[str] = field(default_factory=list)


@dataclass
class Form:
    action: str
    fields: dict[str, Field] = field(default_factory=dict)


class _Parser(HTMLParser):
    def __init__(self, page_path: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: (v or "") for k, v in attrs_list}
        if tag == "form":
            if attrs.get("method", "get").lower() == "post":
                self._form = Form(action=attrs.get("action") or self.page_path)
            return
        if self._form is None:
            return
        name = attrs.get("name")
        if tag == "input" and name and name != "csrf_token":
            kind = attrs.get("type", "text").lower()
            existing = self._form.fields.get(name)
            if kind in ("radio", "checkbox"):
                f = existing or Field(name, kind)
                f.options.append(attrs.get("value", "on"))
                self._form.fields[name] = f
            elif kind not in ("submit", "button", "reset", "image"):
                self._form.fields[name] = Field(name, kind, [attrs.get("value", "")] if kind == "hidden" else [])
        elif tag == "textarea" and name:
            self._form.fields[name] = Field(name, "textarea")
        elif tag == "select" and name:
            self._select = Field(name, "select")
            self._form.fields[name] = self._select
        elif tag == "option" and self._select is not None:
            self._select.options.append(attrs.get("value", ""))
        elif tag == "button" and name:
            self._form.fields.setdefault(name, Field(name, "radio"))
            self._form.fields[name].options.append(attrs.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None
        elif tag == "select":
            self._select = None


def post_forms(html: str, page_path: str) -> list[Form]:
    parser = _Parser(page_path)
    parser.feed(html)
    return parser.forms
