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
