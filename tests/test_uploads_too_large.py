"""An upload larger than allowed keeps the person in the upload flow.

Between MAX_UPLOAD_MB and the request limit the page itself refuses the file, names its real
size and the limit and keeps what was typed. Above the request limit nothing of the request is
read: the answer is still the upload page (status 413) with the form, the German message naming
the limit and the way back. Every file field carries the limit for the browser's early hint."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from portal.models.training import RosterEntry, Training
from tests.conftest import csrf_token_from
from tests.test_trainings_uploads import _count, employee, form_data  # noqa: F401 - fixture

MB = 1024 * 1024


def _pdf(size: int) -> bytes:
    body = b"%PDF-1.4\n"
    return body + b"0" * (size - len(body) - 7) + b"\n%%EOF\n"


def _summary(html: str) -> str:
    start = html.index('id="error-summary"')
    return html[start:html.index("</div>", start)]


def test_a_file_over_the_limit_names_its_real_size(client, employee, csrf, db):
    token = csrf("/trainings/nachweis/neu")
    big = _pdf(int(2.6 * MB))  # under the request limit (3 MB), over the file limit (2 MB)
    response = client.post("/trainings/nachweis/neu", data=form_data(token, (big, "gross.pdf"), title="Mein Kurs"),
                           content_type="multipart/form-data")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Die Datei ist zu groß (2,6 MB). Erlaubt sind höchstens 2,0 MB." in html
    assert 'value="Mein Kurs"' in html and 'value="14.03.2025"' in html
    assert _count(db, Training) == 0


def test_over_the_request_limit_the_upload_page_comes_back_with_the_form(client, employee, csrf, db):
    token = csrf("/trainings/nachweis/neu")
    response = client.post("/trainings/nachweis/neu", data=form_data(token, (_pdf(4 * MB), "riesig.pdf")),
                           content_type="multipart/form-data")
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "<h1>Nachweis hochladen</h1>" in html
    summary = _summary(html)
    assert "Datei zu groß" in summary
    assert ("Die Datei war größer als 2 MB und wurde nicht übertragen; Ihre übrigen Angaben konnten deshalb nicht "
            "übernommen werden. Bitte wählen Sie eine kleinere Datei (höchstens 2 MB) und füllen Sie das Formular "
            "noch einmal aus.") in summary
    form = html[html.index('<form method="post" enctype="multipart/form-data"'):]
    assert 'name="title"' in form and 'type="file"' in form and 'name="csrf_token"' in form
    assert '<a href="/trainings/">Abbrechen</a>' in form
    assert _count(db, Training) == 0
    # the form works again from here
    again = client.post("/trainings/nachweis/neu", data=form_data(csrf_token_from(html), (_pdf(2000), "ok.pdf")),
                        content_type="multipart/form-data")
    assert again.status_code == 302 and _count(db, Training) == 1


def test_roster_import_over_the_request_limit_keeps_the_import_page(client, login_as, db):
    login_as("integrationsbuero", oe="INAUSLB")
    page = client.get("/trainings/liste/import").get_data(as_text=True)
    response = client.post("/trainings/liste/import", content_type="multipart/form-data",
                           data={"csrf_token": csrf_token_from(page), "file": (io.BytesIO(b"x" * (4 * MB)), "liste.csv")})
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "<h1>Zielgruppenliste einlesen" in html and "Bitte wählen Sie eine kleinere Datei (höchstens 2 MB)" in html
    assert 'type="file"' in html
    assert db.scalar(select(func.count()).select_from(RosterEntry)) == 0


def test_elsewhere_and_signed_out_the_413_page_names_the_limit(client):
    response = client.post("/auth/anmelden", data={"x": "y" * (4 * MB)})
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "<h1>Datei zu groß</h1>" in html and "höchstens 2 MB" in html
    assert 'type="file"' not in html


@pytest.mark.parametrize("url", ["/trainings/nachweis/neu", "/trainings/liste/import"])
def test_every_file_field_carries_the_limit_for_the_browser(client, login_as, url):
    login_as("integrationsbuero", "fortbildungsbeauftragte", oe="INAUSLB", username="hinweis")
    html = client.get(url).get_data(as_text=True)
    field = re.search(r"<input[^>]*type=\"file\"[^>]*>", html).group(0)
    assert f'data-max-bytes="{2 * MB}"' in field
    assert 'data-too-large="Die Datei ist zu groß' in field
