"""Filling in the Selbstcheck through the real pages (GET for the token, then POST)."""
from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient

from tests.conftest import csrf_token_from

EDIT_COUNT_RE = re.compile(r'name="bearbeitungsstand"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="bearbeitungsstand"')


def start(client: FlaskClient, year: int = 2025, sub_unit: str = "") -> int:
    token = csrf_token_from(client.get("/selbstcheck/").get_data(as_text=True))
    response = client.post("/selbstcheck/neu", data={"csrf_token": token, "reporting_year": str(year), "sub_unit": sub_unit})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    match = re.search(r"/selbstcheck/(\d+)", response.headers["Location"])
    assert match
    return int(match.group(1))


def payload(values: tuple[int, ...] | list[int], **extra: Any) -> dict[str, Any]:
    """Form data for eight answers; conditional texts filled unless overridden."""
    data: dict[str, Any] = {f"q{n}": str(v) for n, v in zip(range(1, 9), values)}
    data.update({
        "massnahmen_vergangen": "Leichte Sprache in allen Bescheiden",
        "massnahmen_geplant": "Schulung Diversitätskonzept im Herbst",
        "kooperation": ["fachaustausch"],
        "andere_text": "",
        "naechste_schritte": "Mehrsprachige Aushänge im Wartebereich",
    })
    data.update(extra)
    return data


def edit_page(client: FlaskClient, sc_id: int) -> tuple[str, str]:
    html = client.get(f"/selbstcheck/{sc_id}/bearbeiten").get_data(as_text=True)
    match = EDIT_COUNT_RE.search(html)
    assert match, html[:3000]
    return csrf_token_from(html), match.group(1) or match.group(2)


def post(client: FlaskClient, sc_id: int, data: dict[str, Any], action: str = "einreichen",
         edit_count: str | None = None, token: str | None = None):
    page_token, page_count = edit_page(client, sc_id)
    form = {"csrf_token": token if token is not None else page_token,
            "bearbeitungsstand": edit_count if edit_count is not None else page_count,
            "aktion": action, **data}
    if token == "":
        form.pop("csrf_token")
    return client.post(f"/selbstcheck/{sc_id}/bearbeiten", data=form)


def values_for_total(total: int) -> tuple[int, ...]:
    """Eight answers (1–5) that add up to `total`, filled from statement 1."""
    assert 8 <= total <= 40
    values = [1] * 8
    rest = total - 8
    for i in range(8):
        add = min(4, rest)
        values[i] += add
        rest -= add
    return tuple(values)
