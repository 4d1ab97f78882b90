"""The forms of the portal (POST forms, and the GET filter forms), read from the pages
that show them (HTML), so that every new form is found without a list to keep up to date."""
from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Field:
    name: str
    kind: str  # text, textarea, select, radio, checkbox, hidden, file, date, number, password, email, button
    options: list[str] = field(default_factory=list)
    placeholder: str = ""  # "TT.MM.JJJJ" marks a date typed as text
    value: str | None = None  # what the page fills in (text value, selected option, checked radio)

    @property
    def is_date(self) -> bool:
        return self.kind == "date" or "TT.MM.JJJJ" in self.placeholder


@dataclass
class Form:
    action: str
    fields: dict[str, Field] = field(default_factory=dict)
    method: str = "post"


class _Parser(HTMLParser):
    def __init__(self, page_path: str, methods: tuple[str, ...] = ("post",)) -> None:
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.methods = methods
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: (v or "") for k, v in attrs_list}
        if tag == "form":
            method = attrs.get("method", "get").lower()
            if method in self.methods:
                self._form = Form(action=attrs.get("action") or self.page_path, method=method)
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
                if "checked" in attrs and f.value is None:
                    f.value = attrs.get("value", "on")
                self._form.fields[name] = f
            elif kind not in ("submit", "button", "reset", "image"):
                self._form.fields[name] = Field(name, kind, [attrs.get("value", "")] if kind == "hidden" else [],
                                                attrs.get("placeholder", ""), attrs.get("value"))
        elif tag == "textarea" and name:
            self._form.fields[name] = Field(name, "textarea")
        elif tag == "select" and name:
            self._select = Field(name, "select")
            self._form.fields[name] = self._select
        elif tag == "option" and self._select is not None:
            self._select.options.append(attrs.get("value", ""))
            if "selected" in attrs or self._select.value is None:
                self._select.value = attrs.get("value", "")
        elif tag == "button" and name:  # named submit buttons: one value per button
            self._form.fields.setdefault(name, Field(name, "button"))
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


def all_forms(html: str, page_path: str) -> list[Form]:
    """The POST forms and the GET forms (filters) of a page."""
    parser = _Parser(page_path, ("post", "get"))
    parser.feed(html)
    return parser.forms


class _Messages(HTMLParser):
    """Texts of the error summary's entries, the field errors and the error notes."""

    VOID = {"br", "hr", "img", "input", "meta", "link", "source", "wbr", "area", "col", "embed", "param", "track"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.messages: list[str] = []
        self._stack: list[tuple[str, bool, bool]] = []  # (tag, collects its text, opens the summary)
        self._in_summary = 0
        self._parts: list[list[str]] = []

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        attrs = {k: (v or "") for k, v in attrs_list}
        classes = attrs.get("class", "").split()
        summary = attrs.get("id") == "error-summary"
        self._in_summary += summary
        collects = (tag == "li" and self._in_summary > 0) or "field-error" in classes or "flash-error" in classes
        collects = collects and not self._parts  # the outermost one only
        self._stack.append((tag, collects, summary))
        if collects:
            self._parts.append([])

    def handle_endtag(self, tag: str) -> None:
        while self._stack:
            open_tag, collects, summary = self._stack.pop()
            self._in_summary -= summary
            if collects:
                text = " ".join("".join(self._parts.pop()).split()).removeprefix("Fehler: ")
                if text:
                    self.messages.append(text)
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._parts:
            self._parts[-1].append(data)


def error_messages(html: str) -> list[str]:
    parser = _Messages()
    parser.feed(html)
    return parser.messages
