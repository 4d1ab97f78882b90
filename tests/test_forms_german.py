"""Every form of the portal with bad input: every message a person sees is German.

The pages come from the URL map (tests/support/routes.py), their objects from the security
table (tests/security/expectations.py), the forms from the pages themselves
(tests/support/forms.py) — POST forms and the GET filter forms. Each form is sent twice
with input no person should send: choices that were not offered (a tampered value), dates
that do not exist, empty texts; then overlong texts and ISO dates out of range. Every error
message on the answer (error summary, field errors, error notes) is collected; one English
word fails the test."""
from __future__ import annotations

import re
from datetime import date
from dataclasses import dataclass

from tests.security import expectations as ex
from tests.support.forms import Form, all_forms, error_messages
from tests.support.routes import routes, url_for_route

EVERY_ROLE = ("fortbildungsbeauftragte", "oe_verantwortliche", "ag_leitung:AG1", "integrationsbuero", "personalamt", "admin")
# actions that end the session or only keep it alive: nothing to validate
SKIP_ACTIONS = ("/auth/abmelden", "/auth/sitzung/verlaengern")
# WTForms' English messages and the words English messages are made of
ENGLISH = re.compile(
    r"\b(not|valid|invalid|field|value|choice|choices|must|required|please|could|coerce|between|characters?|"
    r"long|longer|shorter|number|date|this|is|the|be|at least|at most|select|enter|file)\b", re.I)


@dataclass
class Sent:
    where: str
    data: dict
    messages: list[str]


def _baseline(form: Form) -> dict[str, object]:
    """What the page sends as it is (hidden values, filled-in texts, selected options)."""
    return {name: (f.options[0] if f.kind in ("hidden", "button") and f.options else f.value)
            for name, f in form.fields.items() if f.kind != "file" and (f.kind in ("hidden", "button") or f.value is not None)}


def _bad(f) -> str:  # noqa: ANN001 - a tests.support.forms.Field
    if f.is_date:
        return "31.02.2026"
    if f.kind in ("select", "radio", "checkbox"):
        return "gibt-es-nicht"
    if f.kind == "number":
        return "zwölf"
    return "x" * 100_001


def _bad_inputs(form: Form) -> list[tuple[str, dict[str, object]]]:
    """Every field bad on its own (the rest as the page has it), then every field emptied."""
    base = _baseline(form)
    cases = [(name, {**base, name: _bad(f)}) for name, f in form.fields.items() if f.kind not in ("hidden", "file", "password", "button")]
    cases.append(("alle leer", {n: ("" if f.kind not in ("hidden", "button") else v) for n, f in form.fields.items()
                                 if f.kind != "file" for v in [base.get(n, "")]}))
    return cases


def _send(client, token: str, form: Form, data: dict) -> str:
    if form.method == "get":
        response = client.get(form.action.split("?")[0], query_string=data)
    else:
        response = client.post(form.action, data={**data, "csrf_token": token})
    assert response.status_code < 500, f"{form.method.upper()} {form.action}: {response.status_code}"
    if response.status_code in (301, 302, 303):
        response = client.get(response.headers["Location"])
    return response.get_data(as_text=True)


def test_every_form_answers_bad_input_in_german(app, db, client, login_as, csrf):
    login_as(*EVERY_ROLE, oe=ex.OWN_OE, username="formular-pruefung")
    token = csrf("/barrierefreiheit")
    sent: list[Sent] = []
    pages = 0
    forms_seen: set[tuple[str, str, tuple[str, ...]]] = set()
    for route in routes(app):
        if not route.gets or route.endpoint in ("auth.login", "review.job", "review.job_download"):
            continue
        try:
            url = url_for_route(app, route.endpoint, ex.arrange(app, db, route))
        except KeyError:  # a download format or the like without an object table entry
            continue
        page = client.get(url)
        if page.status_code != 200 or "text/html" not in page.content_type:
            continue
        pages += 1
        for form in all_forms(page.get_data(as_text=True), url):
            editable = {n for n, f in form.fields.items() if f.kind not in ("hidden", "button")}
            key = (form.method, re.sub(r"\d+", "N", form.action.split("?")[0]), tuple(sorted(editable)))
            if not editable or form.action.startswith(SKIP_ACTIONS) or key in forms_seen:
                continue
            forms_seen.add(key)
            for what, data in _bad_inputs(form):
                sent.append(Sent(f"{form.method.upper()} {form.action} [{what}] (von {url})", data,
                                 error_messages(_send(client, token, form, data))))

    english = [(s.where, m) for s in sent for m in s.messages if ENGLISH.search(m)]
    assert english == [], "Englische Meldungen:\n" + "\n".join(f"{w}: {m}" for w, m in english)
    messages = [m for s in sent for m in s.messages]
    # the crawl really reached the forms and provoked errors (it can fail)
    assert pages >= 40 and len(forms_seen) >= 25, (pages, sorted(forms_seen))
    assert len(messages) >= 60, len(messages)
    by_case = {s.where.split(" (von")[0]: s.messages for s in sent}
    # the cases that were English before: one German sentence each, not two
    tampered_oe = [m for m in by_case["POST /trainings/liste/neu [org_unit_id]"] if "angebotenen Werte" in m]
    assert tampered_oe == ["Organisationseinheit: Bitte wählen Sie einen der angebotenen Werte.",
                           "Bitte wählen Sie einen der angebotenen Werte."]  # in the summary and at the field, once each
    date_message = "Bitte geben Sie ein gültiges Datum im Format TT.MM.JJJJ an, zum Beispiel 31.12.2026."
    assert f"Ende: {date_message}" in by_case["POST /trainings/liste/neu [ends_on]"]
    assert by_case["GET /admin/protokoll [since]"] == [date_message]
    assert by_case["GET /trainings/auswertung [stichtag]"] == [date_message]
    choice = "Bitte wählen Sie einen der angebotenen Werte."
    for case, label in (("POST /measures/teil/N [priority]", "Priorität"),
                        ("POST /measures/bericht/N/N [light]", "Erfüllungsstand (Ampel)"),
                        ("POST /measures/bericht/N/N [clarification_needed]", "Interner Klärungsbedarf"),
                        ("POST /admin/oe/N [kind]", "Art"), ("GET /review/ [status]", "Stand"), ("GET /review/ [art]", "Art")):
        found = next(m for c, m in by_case.items() if re.sub(r"\d+", "N", c) == case)
        assert found == [f"{label}: {choice}", choice], (case, found)


def test_date_fields_take_the_german_and_the_iso_form_and_say_so(app):
    from werkzeug.datastructures import MultiDict

    from portal.forms.common import GermanDateField, PortalForm

    class Probe(PortalForm):
        class Meta:
            csrf = False

        day = GermanDateField("Tag")

    with app.test_request_context():
        for typed, wanted in (("31.12.2026", date(2026, 12, 31)), ("1.2.2026", date(2026, 2, 1)), ("2026-02-01", date(2026, 2, 1)),
                              (" 05.03.2025 ", date(2025, 3, 5))):
            form = Probe(MultiDict({"day": typed}))
            assert form.validate(), (typed, form.errors)
            assert form.day.data == wanted
        for typed in ("31.02.2026", "2026-13-01", "01.01.26", "morgen", "12/31/2026"):
            form = Probe(MultiDict({"day": typed}))
            assert not form.validate()
            assert form.day.errors == ["Bitte geben Sie ein gültiges Datum im Format TT.MM.JJJJ an, zum Beispiel 31.12.2026."], typed
        form = Probe(data={"day": date(2026, 3, 1)})
        assert form.day._value() == "01.03.2026"  # shown the German way
        assert form.day.description == "Format TT.MM.JJJJ, zum Beispiel 31.12.2026."
        html = form.day()
        assert 'placeholder="TT.MM.JJJJ"' in html and 'type="text"' in html
