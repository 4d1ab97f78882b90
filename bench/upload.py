"""Benchmark: a 5 MB certificate upload vs streaming the same bytes to the same storage.

The real endpoint is ``POST /trainings/nachweis/neu`` ("Nachweis einreichen") as a signed-in
employee: CSRF check, form validation, the PDF (written by the form parser into the storage folder)
checked and renamed to its key, the duplicate check, the training row, the workflow step and the
audit entry, the commit, the redirect. The baseline
is a trivial handler in a bare Flask app that streams the uploaded file of the same request
(the same multipart bytes) into the same storage object interface (``Storage.put``, local
directory) and answers 204 — nothing else. Both run in one process through the WSGI test
client, alternately (which one goes first alternates too), so each pair sees the same machine
load; on SQLite and on PostgreSQL.

Ratio = median of the per-pair ratios endpoint/trivial; target <= 1.3.

    python -m bench.upload            # writes bench/results/upload.md
"""
from __future__ import annotations

import re
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench import on_both_databases, ratio_report
from sqlalchemy import insert, text

import portal.models  # noqa: F401 - registers every table
from portal.db import Base, make_engine, utcnow
from portal.models.people import User

SIZE = 5 * 1024 * 1024
REPEAT = 25
TARGET = 1.3
PATH = "/trainings/nachweis/neu"
RESULTS = Path(__file__).resolve().parent / "results" / "upload.md"


def pdf_bytes(size: int = SIZE) -> bytes:
    """A PDF-shaped file of `size` bytes (header, filler, end marker) as the upload check wants it."""
    head, tail = b"%PDF-1.7\n", b"\n%%EOF\n"
    rnd = secrets.token_bytes(1024)
    body = (rnd * (size // len(rnd) + 1))[: size - len(head) - len(tail)]
    return head + body + tail


def multipart(n: int, csrf: str, data: bytes) -> tuple[bytes, str]:
    """One form submit as a browser sends it: the fields and the file, as raw bytes."""
    from werkzeug.test import encode_multipart

    boundary = f"----bench{uuid.uuid4().hex}"
    fields = {"csrf_token": csrf, "title": f"Schulung {n:04d}", "provider": "Anbieter", "completed_on": "14.03.2025",
              "hours": "8", "contents": "interkulturell", "format": "praesenz", "internal": "intern",
              "submission_key": uuid.uuid4().hex}
    from io import BytesIO

    from werkzeug.datastructures import FileStorage, MultiDict

    values = MultiDict(fields)
    values.add("file", FileStorage(BytesIO(data), filename="nachweis.pdf", content_type="application/pdf"))
    _, body = encode_multipart(values, boundary)
    return body, f"multipart/form-data; boundary={boundary}"


def setup(url: str) -> None:
    engine = make_engine(url)
    try:
        Base.metadata.create_all(engine)
        with engine.begin() as conn:
            conn.execute(insert(User), [{"id": 1, "external_id": "bench", "dn": "uid=bench", "username": "bench",
                                         "display_name": "Bench, Beschäftigte", "personnel_number": "B000001",
                                         "created_at": utcnow()}])
    finally:
        engine.dispose()


def apps(url: str, upload_dir: Path):  # noqa: ANN201
    """(portal app, its signed-in test client, trivial app's client, the storage)."""
    from flask import Flask, request

    from bench.queue import client_for
    from portal import storage

    app, client = client_for(url, UPLOAD_DIR=str(upload_dir))
    store = storage.for_app(app)

    trivial = Flask("trivial")

    @trivial.post("/")
    def put():  # noqa: ANN202
        upload = request.files["file"]
        store.put(f"certificates/{uuid.uuid4().hex}.pdf", storage.read_chunks(upload.stream))
        return "", 204

    return app, client, trivial.test_client(), store


def measure(url: str, _scale: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench-upload-files-") as upload_dir:
        return _measure(url, Path(upload_dir))


def _measure(url: str, upload_dir: Path) -> dict[str, float]:
    setup(url)
    app, client, trivial, store = apps(url, upload_dir)
    try:
        form = client.get(PATH).get_data(as_text=True)
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form) or re.search(
            r'name="csrf_token"[^>]*value="([^"]+)"', form)
        assert csrf, form[:500]
        data = pdf_bytes()
        times_real, times_trivial = [], []
        for n in range(REPEAT + 1):  # the first pair warms up
            body, content_type = multipart(n, csrf.group(1), data)
            real = plain = 0.0
            for first in (("real", "trivial") if n % 2 else ("trivial", "real")):  # who goes first alternates
                start = time.perf_counter()
                if first == "real":
                    answer = client.post(PATH, data=body, content_type=content_type)
                    real = time.perf_counter() - start
                    assert answer.status_code == 302 and "/trainings/nachweis/" in answer.location, (
                        answer.status_code, answer.get_data(as_text=True)[:800])
                else:
                    answer = trivial.post("/", data=body, content_type=content_type)
                    plain = time.perf_counter() - start
                    assert answer.status_code == 204
            if n:
                times_real.append(real)
                times_trivial.append(plain)
        with app.extensions["portal.db"].engine.connect() as conn:
            stored = conn.execute(text("SELECT COUNT(*), MIN(file_size), MAX(file_size) FROM trainings")).one()
        assert tuple(stored) == (REPEAT + 1, SIZE, SIZE), stored
        keys = list(store.keys("certificates/"))
        assert len(keys) == 2 * (REPEAT + 1) and all(store.size(k) == SIZE for k in keys), len(keys)
    finally:
        app.extensions["portal.db"].dispose()
    ratios = sorted(a / b for a, b in zip(times_real, times_trivial, strict=True))
    q1, _, q3 = statistics.quantiles(ratios, n=4)
    return {"real": statistics.median(times_real), "trivial": statistics.median(times_trivial),
            "ratio": statistics.median(ratios), "q1": q1, "q3": q3}


def main() -> int:
    results = {name: r for (name, _scale), r in on_both_databases(measure, ["5 MB"], "bench-upload-").items()}
    lines = [
        "# Benchmark: 5 MB certificate upload",
        "",
        f"`POST {PATH}` (signed-in employee, a {SIZE // (1024 * 1024)} MB PDF with the form fields: CSRF, form check, "
        "the PDF checked for size, type and end marker, training row, duplicate check, workflow step, audit entry, "
        "commit) vs a trivial handler in a bare Flask app that streams the file of the same request bytes into the "
        "same storage (`Storage.put`, local directory, fsync) and answers 204. The endpoint has the form parser "
        "write the file into the storage folder and renames it there after the checks (one write, no checksum "
        "pass); the trivial handler takes the file as Flask hands it over (a temporary file) and `Storage.put` "
        "copies it, computing its SHA-256. Both through the WSGI test client in one "
        f"process, alternately, which one goes first alternating too; {REPEAT} pairs after one warm-up. "
        "Ratio = median of the per-pair ratios endpoint/trivial; the quartiles show how much the machine's load moved it.",
        "",
    ]
    return ratio_report(lines, results, ("real", "endpoint"), ("trivial", "trivial"), TARGET, RESULTS)


if __name__ == "__main__":
    sys.exit(main())
