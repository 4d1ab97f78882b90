"""Background exports: progress is stored, the file appears when done, failures are shown."""
from __future__ import annotations

from sqlalchemy import select

from portal.exports import jobs
from portal.models.export_job import ExportJob


def test_job_runs_reports_progress_and_stores_the_file(app, db):
    seen: list[tuple[int, int]] = []

    @jobs.register("probe")
    def build(session, params, progress):  # noqa: ANN001,ANN202
        for i in range(1, params["n"] + 1):
            progress(i, params["n"])
            seen.append((i, params["n"]))
        return b"Inhalt", "probe.txt"

    @jobs.register("kaputt")
    def broken(session, params, progress):  # noqa: ANN001,ANN202
        raise RuntimeError("geheim")

    with app.app_context():
        ok = jobs.create(db, "probe", {"n": 3}, None)
        bad = jobs.create(db, "kaputt", {}, None)
        db.commit()
        jobs.start(ok.id, synchronous=True)
        jobs.start(bad.id, synchronous=True)
    db.expire_all()
    ok, bad = db.get(ExportJob, ok.id), db.get(ExportJob, bad.id)
    assert (ok.state, ok.done, ok.total, ok.download_name) == ("done", 3, 3, "probe.txt")
    assert jobs.file_path(app, ok).read_bytes() == b"Inhalt"
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert bad.state == "failed" and "geheim" not in bad.error and jobs.file_path(app, bad) is None
    assert db.scalar(select(ExportJob).where(ExportJob.state == "queued")) is None
    del jobs.BUILDERS["probe"], jobs.BUILDERS["kaputt"]


def test_purge_deletes_export_files_after_the_retention_time(app, db, runner, client, login_as):
    from datetime import timedelta

    from portal.db import utcnow
    from portal.review import dossier
    from portal.storage import for_app

    user = login_as("integrationsbuero")
    storage = for_app(app)
    storage.put("exports/alt.bin", [b"PK alt"])
    storage.put("exports/neu.bin", [b"PK neu"])
    storage.put("exports/verwaist.bin", [b"PK ohne Auftrag"])
    now = utcnow()
    old = ExportJob(kind=dossier.ZIP_JOB, state="done", file_name="alt.bin", download_name="a.zip",
                    created_by_id=user.id, created_at=now - timedelta(hours=80), finished_at=now - timedelta(hours=73))
    new = ExportJob(kind=dossier.ZIP_JOB, state="done", file_name="neu.bin", download_name="n.zip",
                    created_by_id=user.id, created_at=now - timedelta(hours=72), finished_at=now - timedelta(hours=71))
    db.add_all([old, new])
    db.commit()
    assert client.get(f"/review/export/{old.id}/datei").data == b"PK alt"

    result = runner.invoke(args=["exports", "purge"])
    assert result.exit_code == 0, result.output
    assert "1 abgelaufene Exportdatei(en) und 1 Datei(en) ohne Auftrag gelöscht." in result.output
    assert sorted(storage.keys("exports/")) == ["exports/neu.bin"]
    db.expire_all()
    assert (old.state, old.file_name) == ("expired", None)
    assert (new.state, new.file_name) == ("done", "neu.bin")
    assert client.get(f"/review/export/{old.id}/datei").status_code == 404
    page = client.get(f"/review/export/{old.id}").get_data(as_text=True)
    assert "nach Ablauf der Aufbewahrungsfrist (72 Stunden) gelöscht" in page and "Neu starten" in page
    assert client.get(f"/review/export/{new.id}/datei").data == b"PK neu"

    app.config["EXPORT_RETENTION_HOURS"] = 1  # a shorter setting counts at the next run
    assert "1 abgelaufene Exportdatei(en) und 0 Datei(en)" in runner.invoke(args=["exports", "purge"]).output
    assert list(storage.keys("exports/")) == []


def test_purge_leaves_objects_alone_while_a_job_is_building(app, db, runner):
    from portal.storage import for_app

    storage = for_app(app)
    storage.put("exports/gleich-fertig.bin", [b"PK"])  # stored, its row not yet committed
    db.add(ExportJob(kind="probe", state="running"))
    db.commit()
    assert "0 abgelaufene Exportdatei(en) und 0 Datei(en)" in runner.invoke(args=["exports", "purge"]).output
    assert list(storage.keys("exports/")) == ["exports/gleich-fertig.bin"]


def test_with_the_queue_a_long_waiting_job_still_counts_as_building(app, db, runner):
    """A queued job may wait longer than JOB_STALE_MINUTES before a worker runs it; without the queue
    such a job died with its thread and no longer holds the orphans back."""
    from datetime import timedelta

    from portal.db import utcnow
    from portal.storage import for_app

    storage = for_app(app)
    storage.put("exports/gleich-fertig.bin", [b"PK"])
    db.add(ExportJob(kind="probe", state="running", created_at=utcnow() - timedelta(hours=2)))
    db.commit()
    app.config["JOB_QUEUE"] = True
    assert "0 abgelaufene Exportdatei(en) und 0 Datei(en)" in runner.invoke(args=["exports", "purge"]).output
    assert list(storage.keys("exports/")) == ["exports/gleich-fertig.bin"]
    app.config["JOB_QUEUE"] = False
    assert "0 abgelaufene Exportdatei(en) und 1 Datei(en)" in runner.invoke(args=["exports", "purge"]).output
    assert list(storage.keys("exports/")) == []
