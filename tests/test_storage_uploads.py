"""Certificates and minutes in the storage (local directory and a real S3 server): the upload
streams in one pass with bounded memory, the download streams with its headers and audit entry,
a failed store leaves no row and a row never points at a missing object."""
from __future__ import annotations

import io
import re
import tracemalloc
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import quote

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.models.audit import AuditEvent
from portal.models.training import Person, Training
from portal.storage import for_app
from tests.support.pgcluster import free_port
from tests.test_trainings_uploads import PDF, form_data


def big_pdf(size: int) -> bytes:
    body = b"%PDF-1.4\n" + b"% " + b"Seite " * (size // 6) + b"\n"
    return body[: size - 7] + b"\n%%EOF\n"


@pytest.fixture(params=["local", "s3"])
def storage_kind(request) -> str:
    return request.param


@pytest.fixture
def app_config(request, storage_kind):
    config = {"MAX_UPLOAD_MB": 6}
    if storage_kind == "s3":
        config.update(request.getfixturevalue("s3_settings"))
    return config


@pytest.fixture
def employee(login_as, make_user):
    return login_as(user=make_user(username="lena", personnel_number="P-777", name="Lena Łukasz"))


def objects(app, area: str = "certificates/") -> list[str]:
    return list(for_app(app).keys(area))


def rows(db) -> int:
    return db.scalar(select(func.count()).select_from(Training))


def upload(client, csrf, content: bytes, name: str = "Zertifikat Grüße.pdf"):
    token = csrf("/trainings/nachweis/neu")
    return client.post("/trainings/nachweis/neu", data=form_data(token, (content, name)),
                       content_type="multipart/form-data")


def test_upload_goes_to_the_storage_and_the_download_streams_it_back_audited(client, app, db, employee, csrf,
                                                                              storage_kind):
    content = big_pdf(300_000)
    assert upload(client, csrf, content).status_code == 302
    training = db.scalars(select(Training)).one()
    assert objects(app) == [f"certificates/{training.file_name}"]
    assert training.file_size == len(content)
    if storage_kind == "s3":  # nothing on the web server's disk
        assert not (app.config["UPLOAD_DIR"] and any(__import__("pathlib").Path(app.config["UPLOAD_DIR"]).rglob("*.pdf")))
    response = client.get(f"/trainings/nachweis/{training.id}/datei")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.headers["Content-Length"] == str(len(content))
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    assert f"filename*=UTF-8''{quote('Zertifikat Grüße.pdf', safe='')}" in response.headers["Content-Disposition"]
    assert response.get_data() == content
    assert db.scalar(select(func.count()).select_from(AuditEvent)
                     .where(AuditEvent.action == "certificate_downloaded")) == 1


def test_a_5_mb_upload_is_stored_with_less_than_2_mb_extra_memory(app, storage_kind):
    from portal.trainings import files

    content = big_pdf(5 * 1024 * 1024)
    source = __import__("tempfile").TemporaryFile()  # the request body as werkzeug spools it
    source.write(content)
    source.seek(0)
    del content
    with app.app_context():
        warm = for_app(app)  # a running web worker has its client, folders and API description loaded
        warm.put("certificates/warm.pdf", [PDF])
        warm.delete("certificates/warm.pdf")
        tracemalloc.start()
        try:
            checked = files.check_upload(source, "gross.pdf", files.max_bytes())
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    source.close()
    print(f"\n5 MB upload ({storage_kind}): peak {peak / 1024 / 1024:.2f} MB extra")
    assert checked.byte_size == 5 * 1024 * 1024 and checked.data == b""
    assert objects(app) == [f"certificates/{checked.stored_name}"]
    assert peak < 2 * 1024 * 1024, peak


def test_too_big_or_cut_off_pdf_is_refused_while_streaming_and_leaves_nothing(client, app, db, employee, csrf):
    cut = big_pdf(400_000)[:-10]
    response = upload(client, csrf, cut, "kaputt.pdf")
    assert response.status_code == 200
    assert "Die PDF-Datei ist unvollständig oder beschädigt." in response.get_data(as_text=True)
    assert (rows(db), objects(app)) == (0, [])


def test_a_store_that_fails_leaves_no_row_and_says_speicher_nicht_erreichbar(client, app, db, employee, csrf,
                                                                             storage_kind, tmp_path):
    if storage_kind == "s3":
        from portal.storage.s3 import S3Storage

        app.extensions["portal.storage"] = S3Storage("portal-test", "x", f"http://127.0.0.1:{free_port()}")
    else:
        from portal.storage.local import LocalStorage

        blocker = tmp_path / "kein-ordner"
        blocker.write_text("eine Datei, kein Ordner")
        app.extensions["portal.storage"] = LocalStorage(blocker / "dateien")
    response = upload(client, csrf, PDF)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Speicher nicht erreichbar: Der Dateispeicher des Portals antwortet gerade nicht." in page
    assert rows(db) == 0
    assert db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "certificate_uploaded")) == 0


def test_a_row_that_cannot_be_saved_leaves_no_object(app, db, make_user, storage_kind):
    from portal.trainings import files, services

    actor = make_user("fb", roles=("fortbildungsbeauftragte",))
    person = Person(personnel_number="P-1", last_name="Muster")
    db.add(person)
    db.commit()
    data = services.CertificateData(title="Kurs", provider="VHS", completed_on=date(2025, 3, 1), hours=Decimal(0),
                                    contents=["demokratisch"], format="praesenz", internal=False)
    with app.app_context():
        checked = files.check_upload(io.BytesIO(PDF), "n.pdf", files.max_bytes())
        assert objects(app) == [f"certificates/{checked.stored_name}"]  # streamed in before the row
        with pytest.raises(IntegrityError, match="hours_positive"):
            services.submit_certificate(db, person, actor, data, checked)
    db.rollback()
    assert (rows(db), objects(app)) == (0, [])


def test_a_file_is_deleted_only_after_the_commit_that_stops_pointing_at_it(app, db, make_user, storage_kind):
    from portal.trainings import services
    from tests.support import training_scenario as sc

    P = sc.build(db)
    with app.app_context():
        stored = for_app(app).put("certificates/" + "b" * 32 + ".pdf", [PDF])
    old = sc.training(db, P["p1"], on=date(2025, 1, 10), hours="6", contents=("demokratisch",), state="accepted",
                      source="upload")
    old.file_name = stored.key.split("/")[1]
    old.state_changed_at = old.state_changed_at - timedelta(days=400)
    db.commit()
    with app.app_context():
        assert [t.id for t in services.purge_certificate_files(db, 30, today=date(2027, 6, 1))] == [old.id]
        assert objects(app) == [stored.key]  # not before the commit
        db.rollback()  # the transaction fails: row and file stay together
        db.refresh(old)
        assert old.file_deleted_at is None and objects(app) == [stored.key]
        services.purge_certificate_files(db, 30, today=date(2027, 6, 1))
        db.commit()
    db.refresh(old)
    assert old.file_deleted_at is not None and objects(app) == []


def test_export_files_go_to_the_storage_0600_and_any_server_serves_them(app, db, storage_kind, tmp_path):
    import stat
    from pathlib import Path

    from portal.exports import jobs
    from portal.models.export_job import ExportJob

    @jobs.register("probe-storage")
    def build(session, params, progress):  # noqa: ANN001,ANN202
        return b"PK Inhalt", "probe.zip"

    try:
        with app.app_context():
            job = jobs.create(db, "probe-storage", {}, None)
            db.commit()
            jobs.start(job.id, synchronous=True)
        db.expire_all()
        job = db.get(ExportJob, job.id)
        assert job.state == "done"
        assert objects(app, "exports/") == [f"exports/{job.file_name}"]
        local = Path(app.config["UPLOAD_DIR"]) / "exports" / job.file_name
        if storage_kind == "local":
            assert stat.S_IMODE(local.stat().st_mode) == 0o600  # was world-readable
        else:
            assert not local.exists()
        with app.test_request_context():
            assert jobs.file_or_404(job) == b"PK Inhalt"
    finally:
        del jobs.BUILDERS["probe-storage"]


def test_gremien_minutes_are_stored_replaced_and_served_through_the_storage(client, app, db, login_as, csrf):
    from portal.models.gremien import GremiumMeeting
    from portal.models.measure import WorkingGroup

    login_as("ag_leitung:AG1")
    group = db.scalar(select(WorkingGroup).where(WorkingGroup.code == "AG1"))
    meeting = GremiumMeeting(working_group_id=group.id, kind="sitzung", held_on=date(2025, 3, 12))
    db.add(meeting)
    db.commit()
    url = f"/gremien/sitzungen/{meeting.id}"
    token = csrf(url)
    first, second = big_pdf(200_000), big_pdf(100_000)
    for content in (first, second):
        response = client.post(url, data={"csrf_token": token, "aktion": "protokoll",
                                          "file": (io.BytesIO(content), "Protokoll.pdf")},
                               content_type="multipart/form-data")
        assert response.status_code == 302
    db.expire_all()
    meeting = db.get(GremiumMeeting, meeting.id)
    assert objects(app, "minutes/") == [f"minutes/{meeting.minutes_file}"]  # the first one deleted after commit
    download = client.get(f"{url}/protokoll")
    assert download.status_code == 200 and download.is_streamed and download.get_data() == second


# --- a page upload into the local storage: received once, where it is kept ---------------------------

def _every_file(app) -> list[str]:
    """Every file below the storage folder, hidden ones (an upload being received) included."""
    root = __import__("pathlib").Path(app.config["UPLOAD_DIR"])
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _encoded(token: str, content: bytes, name: str, **overrides) -> tuple[bytes, str]:
    from werkzeug.test import EnvironBuilder

    builder = EnvironBuilder(method="POST", data=form_data(token, (content, name), **overrides))
    try:
        environ = builder.get_environ()
        return environ["wsgi.input"].read(), environ["CONTENT_TYPE"]
    finally:
        builder.close()


@pytest.mark.parametrize("storage_kind", ["local"])  # the local directory receives the file itself
def test_a_5_mb_page_upload_is_written_once_where_it_is_kept_with_less_than_2_mb_extra_memory(
        client, app, db, employee, csrf, monkeypatch):
    """The form parser writes the file into the storage folder; keeping it is a rename. No temporary
    file elsewhere, no second copy, no checksum pass; the request stays under 2 MB extra memory."""
    import tempfile

    from portal.storage.local import Incoming

    for_app(app).check()  # the folder exists, as in a running web worker
    body, content_type = _encoded(csrf("/trainings/nachweis/neu"), big_pdf(5 * 1024 * 1024), "gross.pdf")
    received: list[Incoming] = []
    real_init = Incoming.__init__

    def remember(self, root):  # noqa: ANN001,ANN202
        real_init(self, root)
        received.append(self)

    monkeypatch.setattr(Incoming, "__init__", remember)
    monkeypatch.setattr(tempfile, "SpooledTemporaryFile", None)  # a temporary file would fail the request
    monkeypatch.setattr(tempfile, "TemporaryFile", None)
    tracemalloc.start()
    try:
        response = client.post("/trainings/nachweis/neu", data=body, content_type=content_type)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    print(f"\n5 MB page upload: peak {peak / 1024 / 1024:.2f} MB extra")
    assert response.status_code == 302, response.get_data(as_text=True).split("<main")[-1][:1500]
    training = db.scalars(select(Training)).one()
    assert training.file_size == 5 * 1024 * 1024
    assert len(received) == 1 and received[0].kept and received[0].closed
    assert _every_file(app) == [f"certificates/{training.file_name}"]  # renamed, nothing left behind
    assert received[0].path.name.startswith(".tmp-") and not received[0].path.exists()
    assert peak < 2 * 1024 * 1024, peak


@pytest.mark.parametrize("storage_kind", ["local"])  # the local directory receives the file itself
@pytest.mark.parametrize(("content", "overrides", "message"), [
    (big_pdf(400_000)[:-10], {}, "Die PDF-Datei ist unvollständig oder beschädigt."),
    (big_pdf(400_000), {"title": ""}, "Bitte geben Sie den Titel an."),
    (big_pdf(7 * 1024 * 1024 - 200_000), {}, "Die Datei ist zu groß (6,8 MB). Erlaubt sind höchstens 6,0 MB."),
])
def test_a_refused_page_upload_leaves_no_file_in_the_storage_folder(client, app, db, employee, csrf,
                                                                    content, overrides, message):
    for_app(app).check()
    body, content_type = _encoded(csrf("/trainings/nachweis/neu"), content, "nachweis.pdf", **overrides)
    response = client.post("/trainings/nachweis/neu", data=body, content_type=content_type)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert (rows(db), _every_file(app)) == (0, [])


@pytest.mark.parametrize("storage_kind", ["local"])  # the local directory receives the file itself
def test_a_page_upload_without_valid_csrf_token_leaves_no_file(client, app, db, employee):
    for_app(app).check()
    body, content_type = _encoded("falsch", big_pdf(400_000), "nachweis.pdf")
    response = client.post("/trainings/nachweis/neu", data=body, content_type=content_type)
    assert response.status_code == 400
    assert (rows(db), _every_file(app)) == (0, [])


@pytest.mark.parametrize("storage_kind", ["local"])  # the local directory receives the file itself
def test_a_full_disk_while_the_upload_is_received_says_speicher_voll_and_stores_nothing(
        client, app, db, employee, csrf):
    """The file system refuses to write past 1 MB (RLIMIT_FSIZE: a real EFBIG from the kernel)."""
    import resource

    for_app(app).check()
    body, content_type = _encoded(csrf("/trainings/nachweis/neu"), big_pdf(3 * 1024 * 1024), "nachweis.pdf")
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1024 * 1024, hard))
    try:
        response = client.post("/trainings/nachweis/neu", data=body, content_type=content_type)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert response.status_code == 200
    assert "Speicher voll: Die Datei konnte nicht gespeichert werden" in response.get_data(as_text=True)
    assert (rows(db), _every_file(app)) == (0, [])


def test_an_upload_of_a_known_person_reads_with_three_queries(client, app, db, employee, csrf):
    """Session and user; the person with their roster entries and OEs; the duplicate check (one
    query). The record takes the person's OE without a look-up of its own."""
    from sqlalchemy import event

    assert upload(client, csrf, PDF).status_code == 302  # the first one creates the person
    token = csrf("/trainings/nachweis/neu")
    reads: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # noqa: ANN001
        if statement.lstrip().upper().startswith("SELECT"):
            reads.append(re.search(r"\bFROM\s+(\w+)", statement).group(1))

    engine = app.extensions["portal.db"].engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.post("/trainings/nachweis/neu", data=form_data(token, (PDF, "zwei.pdf"), title="Zweiter Kurs"),
                               content_type="multipart/form-data")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 302
    assert rows(db) == 2
    assert reads == ["user_sessions", "persons", "trainings"], reads
