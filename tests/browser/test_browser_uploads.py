"""The browser says a file is too large before sending it (progressive enhancement: without
JavaScript the server's upload page says so, tests/test_uploads_too_large.py)."""
from __future__ import annotations

import pytest

from tests.browser.journeys import sign_in

pytestmark = pytest.mark.browser
MB = 1024 * 1024


def test_a_file_over_the_limit_is_named_before_sending(ui):
    page = ui.page
    sign_in(ui, "anna.beispiel")
    ui.goto("/trainings/nachweis/neu")
    ui.fill("Titel der Schulung", "Vor dem Senden geprüft")
    field = page.get_by_label("Nachweis (PDF, PNG oder JPEG)")
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.method) if r.method == "POST" else None)
    field.set_input_files({"name": "gross.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n" + b"0" * (int(2.5 * MB))})
    note = page.locator("#file-zu-gross")
    assert note.is_visible()
    assert note.inner_text() == "Die Datei ist zu groß (2,5 MB). Erlaubt sind höchstens 2 MB. Bitte wählen Sie eine kleinere Datei."
    assert field.get_attribute("aria-invalid") == "true"
    assert "file-zu-gross" in field.get_attribute("aria-describedby").split()
    ui.check_accessibility("Nachweis mit zu großer Datei")
    page.get_by_role("button", name="Nachweis einreichen").click()
    page.wait_for_timeout(300)
    assert requests == [] and ui.active_element()["id"] == "file"  # nothing sent, the field has the focus
    assert page.get_by_label("Titel der Schulung").input_value() == "Vor dem Senden geprüft"
    # a file within the limit takes the message away again
    field.set_input_files({"name": "klein.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"})
    assert note.is_hidden() and field.get_attribute("aria-invalid") is None
