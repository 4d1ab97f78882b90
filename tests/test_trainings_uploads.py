"""Certificate upload: content checks, re-encoding, storage, form keeps its input."""
from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from portal.models.audit import AuditEvent
from portal.models.training import Person, Training
from portal.models.workflow import WorkflowEvent

PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")


def png_with_metadata() -> bytes:
    image = Image.new("RGB", (40, 30), (200, 30, 30))
    info = __import__("PIL.PngImagePlugin", fromlist=["PngInfo"]).PngInfo()
    info.add_text("Author", "Geheime Person")
    info.add_text("GPS", "51.05,13.74")
    buf = io.BytesIO()
    image.save(buf, format="PNG", pnginfo=info)
    return buf.getvalue()


def jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (40, 30), (30, 30, 200))
    exif = Image.Exif()
    exif[0x010F] = "Kamera GmbH"  # Make
    exif[0x013B] = "Geheime Person"  # Artist
    buf = io.BytesIO()
    image.save(buf, format="JPEG", exif=exif.tobytes())
    return buf.getvalue()


def form_data(token: str, file: tuple[bytes, str] | None, **overrides) -> dict:
    data = {
        "csrf_token": token, "title": "Interkulturelle Öffnung", "provider": "Volkshochschule Dresden",
        "completed_on": "14.03.2025", "hours": "7,5", "contents": ["interkulturell", "demokratisch"],
        "format": "praesenz", "internal": "extern",
    }
    data.update(overrides)
    if file is not None:
        data["file"] = (io.BytesIO(file[0]), file[1])
    return data


@pytest.fixture
def employee(login_as, make_user):
    return login_as(user=make_user(username="lena", personnel_number="P-777", name="Lena Łukasz"))


def _count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def _stored_files(app) -> list[Path]:
    folder = Path(app.config["UPLOAD_DIR"]) / "certificates"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_employee_uploads_a_pdf_with_a_non_ascii_name(client, app, db, employee, csrf):
    token = csrf("/trainings/nachweis/neu")
    response = client.post("/trainings/nachweis/neu", data=form_data(token, (PDF, "Zertifikat Öffnung – März.pdf")),
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    training = db.scalars(select(Training)).one()
    assert training.state == "submitted"
    assert training.hours == pytest.approx(7.5)
    assert training.contents == {"interkulturell", "demokratisch"}
    assert training.internal is False and training.format == "praesenz"
    assert training.file_original_name == "Zertifikat Öffnung – März.pdf"
    assert training.file_type == "application/pdf" and training.file_size == len(PDF)
    [stored] = _stored_files(app)
    assert stored.name == training.file_name and len(stored.stem) == 32 and stored.suffix == ".pdf"
    assert stored.read_bytes() == PDF
    person = db.get(Person, training.person_id)
    assert person.personnel_number == "P-777"
    assert db.scalar(select(WorkflowEvent.to_state).where(WorkflowEvent.subject_id == training.id)) == "submitted"
    assert db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "certificate_uploaded")) == 1
    page = client.get("/trainings/").get_data(as_text=True)
    assert "Interkulturelle Öffnung" in page and "eingereicht" in page


@pytest.mark.parametrize(("maker", "name", "fmt"), [(png_with_metadata, "foto.png", "PNG"), (jpeg_with_exif, "scan.JPG", "JPEG")])
def test_images_are_re_encoded_without_metadata(client, app, db, employee, csrf, maker, name, fmt):
    original = maker()
    token = csrf("/trainings/nachweis/neu")
    response = client.post("/trainings/nachweis/neu", data=form_data(token, (original, name)), content_type="multipart/form-data")
    assert response.status_code == 302
    [stored] = _stored_files(app)
    data = stored.read_bytes()
    assert b"Geheime Person" in original and b"Geheime Person" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == fmt and image.size == (40, 30)
        assert not image.getexif() and "Author" not in image.info


BAD_FILES = [
    (b"", "leer.pdf", "Die Datei ist leer."),
    (b"Das ist nur Text, kein PDF.", "umbenannt.pdf", "Die Datei ist kein PDF, PNG oder JPEG."),
    (b"<!doctype html><html><script>alert(1)</script></html>", "nachweis.html", "Die Datei ist kein PDF, PNG oder JPEG."),
    (b"<html><body>%PDF-1.4</body></html>", "nachweis.pdf", "Die Datei ist kein PDF, PNG oder JPEG."),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "bild.svg", "Die Datei ist kein PDF, PNG oder JPEG."),
    (PDF, "zertifikat.png", "Die Dateiendung „.png“ passt nicht zum Inhalt der Datei (PDF)."),
    (b"%PDF-1.4\nabgeschnitten", "kaputt.pdf", "Die PDF-Datei ist unvollständig oder beschädigt."),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "kaputt.png", "Das Bild ist beschädigt und kann nicht gelesen werden."),
    (b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024 + 10) + b"\n%%EOF\n", "gross.pdf", "Die Datei ist zu groß (2,0 MB). Erlaubt sind höchstens 2,0 MB."),
]


@pytest.mark.parametrize(("content", "name", "message"), BAD_FILES, ids=[b[1] for b in BAD_FILES])
def test_bad_files_are_refused_and_nothing_is_stored(client, app, db, employee, csrf, content, name, message):
    before = (_count(db, Training), _count(db, AuditEvent), _count(db, Person))
    token = csrf("/trainings/nachweis/neu")
    response = client.post("/trainings/nachweis/neu", data=form_data(token, (content, name), title="Mein Titel <b>"),
                           content_type="multipart/form-data")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in html
    # the form keeps what was typed in, and says the file must be chosen again
    assert 'value="Mein Titel &lt;b&gt;"' in html
    assert 'value="7,5"' in html and 'value="14.03.2025"' in html
    assert "Bitte wählen Sie die Datei noch einmal aus" in html
    db.expire_all()
    assert (_count(db, Training), _count(db, AuditEvent), _count(db, Person)) == before
    assert _stored_files(app) == []


def test_over_the_request_limit_gets_a_german_page(client, employee, csrf, db):
    token = csrf("/trainings/nachweis/neu")
    big = b"%PDF-1.4\n" + b"0" * (4 * 1024 * 1024)
    response = client.post("/trainings/nachweis/neu", data=form_data(token, (big, "riesig.pdf")), content_type="multipart/form-data")
    assert response.status_code == 413
    assert "Datei zu groß" in response.get_data(as_text=True)
    assert _count(db, Training) == 0


def test_form_errors_keep_input_and_ask_for_the_file_again(client, app, db, employee, csrf):
    token = csrf("/trainings/nachweis/neu")
    response = client.post("/trainings/nachweis/neu", data=form_data(token, (PDF, "ok.pdf"), hours="5 Stunden", contents=[]),
                           content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Bitte geben Sie die Dauer in Stunden an, zum Beispiel 6 oder 7,5." in html
    assert "Bitte wählen Sie mindestens einen Inhalt." in html
    assert "Bitte wählen Sie die Datei noch einmal aus" in html
    assert 'value="Interkulturelle Öffnung"' in html and 'value="Volkshochschule Dresden"' in html
    assert _count(db, Training) == 0 and _stored_files(app) == []


def test_missing_file_and_future_date(client, db, employee, csrf):
    token = csrf("/trainings/nachweis/neu")
    future = date.today().replace(year=date.today().year + 1).strftime("%d.%m.%Y")
    response = client.post("/trainings/nachweis/neu", data=form_data(token, None, completed_on=future),
                           content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert "Das Datum liegt in der Zukunft." in html
    response = client.post("/trainings/nachweis/neu", data=form_data(token, None), content_type="multipart/form-data")
    assert "Bitte wählen Sie die Datei mit dem Nachweis aus." in response.get_data(as_text=True)
    assert _count(db, Training) == 0


def test_officer_uploads_for_a_person_of_the_own_oe_only(client, app, db, login_as, csrf):
    from tests.support import training_scenario as sc

    P = sc.build(db)
    db.commit()
    login_as("fortbildungsbeauftragte", oe="Amt 51")
    p12 = P["p12"]  # in Amt 51
    token = csrf(f"/trainings/person/{p12.id}/nachweis/neu")
    response = client.post(f"/trainings/person/{p12.id}/nachweis/neu", data=form_data(token, (PDF, "n.pdf")),
                           content_type="multipart/form-data")
    assert response.status_code == 302
    assert db.scalar(select(func.count()).select_from(Training).where(Training.person_id == p12.id, Training.state == "submitted")) == 1
    p1 = P["p1"]  # only in Amt 50
    assert client.get(f"/trainings/person/{p1.id}/nachweis/neu").status_code == 404
    response = client.post(f"/trainings/person/{p1.id}/nachweis/neu", data=form_data(token, (PDF, "n.pdf")),
                           content_type="multipart/form-data")
    assert response.status_code == 404
