"""Polyglot uploads: files that are two things at once never reach a browser as HTML."""
from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import func, select

from portal.models.training import Training
from tests.test_trainings_uploads import PDF, form_data

STATUS = 200  # the form is shown again with its error (see test_trainings_uploads)
HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"


def _employee(login_as, make_user):
    return login_as(user=make_user(username="poly", personnel_number="P-POLY", name="Poly Glott"))


def test_pdf_with_html_inside_is_only_ever_an_attachment(client, db, login_as, make_user, csrf):
    _employee(login_as, make_user)
    polyglot = PDF + b"\n%" + HTML + b"\n"
    token = csrf("/trainings/nachweis/neu")
    response = client.post("/trainings/nachweis/neu", data=form_data(token, (polyglot, "zertifikat.html.pdf")),
                           content_type="multipart/form-data")
    assert response.status_code == 302
    training = db.scalars(select(Training)).one()
    download = client.get(f"/trainings/nachweis/{training.id}/datei")
    assert download.status_code == 200
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in download.headers["Content-Security-Policy"]
    assert "script-src 'self'" in download.headers["Content-Security-Policy"]


def test_image_with_html_appended_is_re_encoded_without_it(client, app, db, login_as, make_user, csrf):
    _employee(login_as, make_user)
    buf = io.BytesIO()
    Image.new("RGB", (20, 20), (0, 120, 0)).save(buf, format="PNG")
    polyglot = buf.getvalue() + HTML
    token = csrf("/trainings/nachweis/neu")
    response = client.post("/trainings/nachweis/neu", data=form_data(token, (polyglot, "bild.png")),
                           content_type="multipart/form-data")
    assert response.status_code == 302
    training = db.scalars(select(Training)).one()
    stored = client.get(f"/trainings/nachweis/{training.id}/datei").data
    assert b"<script>" not in stored and stored.startswith(b"\x89PNG")


def test_html_with_a_pdf_name_and_a_gif_html_polyglot_are_refused(client, db, login_as, make_user, csrf):
    _employee(login_as, make_user)
    for content, name in ((HTML, "zertifikat.pdf"), (b"GIF89a/*" + HTML, "bild.gif"), (b"<svg onload=alert(1)>", "x.png")):
        token = csrf("/trainings/nachweis/neu")
        response = client.post("/trainings/nachweis/neu", data=form_data(token, (content, name)),
                               content_type="multipart/form-data")
        assert response.status_code == STATUS, name
        assert "PDF, PNG oder JPEG" in response.get_data(as_text=True), name
    assert db.scalar(select(func.count()).select_from(Training)) == 0
