"""The storage interface against a local directory and a real S3 server (SeaweedFS): stream in and
out, checksums, 0600 files, nothing left behind by a failed write, German messages when the
storage is full or cannot be reached."""
from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from portal.storage import FULL, UNAVAILABLE, StorageFull, StorageUnavailable, from_url, sha256_of
from portal.storage.local import LocalStorage
from portal.storage.s3 import S3Storage

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(params=["local", "s3"])
def backend(request, tmp_path):
    if request.param == "local":
        return LocalStorage(tmp_path / "files")
    settings = request.getfixturevalue("s3_settings")
    return from_url(settings["STORAGE_URL"], base=tmp_path, endpoint_url=settings["S3_ENDPOINT_URL"])


def test_put_streams_in_and_open_streams_out_with_size_and_checksum(backend):
    chunks = [os.urandom(70_000) for _ in range(5)]
    whole = b"".join(chunks)
    stored = backend.put("certificates/abc.pdf", iter(chunks))
    assert (stored.size, stored.sha256) == (len(whole), hashlib.sha256(whole).hexdigest())
    assert backend.size("certificates/abc.pdf") == len(whole)
    assert sha256_of(backend, "certificates/abc.pdf") == (len(whole), stored.sha256)
    backend.put("minutes/x.docx", [b"PK"])
    assert sorted(backend.keys()) == ["certificates/abc.pdf", "minutes/x.docx"]
    assert list(backend.keys("minutes/")) == ["minutes/x.docx"]
    with backend.local_path("certificates/abc.pdf") as path:
        assert path.read_bytes() == whole
    backend.delete("certificates/abc.pdf")
    backend.delete("certificates/abc.pdf")  # gone already: no error
    with pytest.raises(FileNotFoundError):
        backend.open("certificates/abc.pdf")
    assert list(backend.keys()) == ["minutes/x.docx"]
    backend.check()


def test_a_check_that_fails_while_streaming_leaves_no_object(backend):
    def chunks():
        yield b"%PDF-" + b"x" * 100_000
        raise ValueError("zu groß")

    with pytest.raises(ValueError, match="zu groß"):
        backend.put("certificates/half.pdf", chunks())
    assert list(backend.keys()) == []
    with pytest.raises(FileNotFoundError):
        backend.size("certificates/half.pdf")


@pytest.mark.parametrize("key", ["../x", "/etc/passwd", "a/../b", ".hidden", "a\\b", ""])
def test_keys_cannot_leave_the_storage(tmp_path, key):
    with pytest.raises(FileNotFoundError):
        LocalStorage(tmp_path).put(key, [b"x"])


def test_local_files_are_0600_and_folders_0700(tmp_path):
    storage = LocalStorage(tmp_path / "files")
    storage.put("certificates/a.pdf", [b"%PDF-1.4"])
    assert stat.S_IMODE((tmp_path / "files" / "certificates" / "a.pdf").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "files" / "certificates").stat().st_mode) == 0o700
    assert [p.name for p in (tmp_path / "files" / "certificates").iterdir()] == ["a.pdf"]  # no temporary left


FILL = """
import resource, signal, sys
from pathlib import Path
from portal.storage.local import LocalStorage
from portal.storage import StorageError
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024, resource.RLIM_INFINITY))
storage = LocalStorage(Path(sys.argv[1]))
try:
    storage.put("certificates/big.pdf", [b"x" * 65536] * 8)
except StorageError as exc:
    print(type(exc).__name__)
    print(exc)
"""


def test_a_full_disk_says_speicher_voll_and_leaves_nothing(tmp_path):
    """The kernel refuses the write (file size limit: EFBIG, like ENOSPC or a quota's EDQUOT)."""
    done = subprocess.run([sys.executable, "-c", FILL, str(tmp_path / "files")], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    kind, message = done.stdout.splitlines()
    assert kind == "StorageFull" and message == FULL and message.startswith("Speicher voll:")
    assert list((tmp_path / "files" / "certificates").iterdir()) == []


def test_s3_with_wrong_keys_or_no_server_says_speicher_nicht_erreichbar(s3_settings, s3_server, monkeypatch, tmp_path):
    bucket = s3_settings["STORAGE_URL"][len("s3://"):].split("/")[0]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "unbekannt")
    wrong = S3Storage(bucket, "p", endpoint_url=s3_server.endpoint_url)
    with pytest.raises(StorageUnavailable) as refused:
        wrong.put("certificates/a.pdf", [b"%PDF-"])
    assert str(refused.value) == UNAVAILABLE and str(refused.value).startswith("Speicher nicht erreichbar:")
    assert "InvalidAccessKeyId" in refused.value.detail
    from tests.support.pgcluster import free_port

    nobody = S3Storage(bucket, "p", endpoint_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(StorageUnavailable):
        nobody.check()
    assert not isinstance(refused.value, StorageFull)


def test_storage_url_is_checked_at_start(tmp_path):
    from portal import create_app
    from portal.config import ConfigError

    base = {"TESTING": True, "SECRET_KEY": "x" * 32, "LDAP_URL": "demo",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}"}
    for url, words in [("ftp://host/x", "wird nicht unterstützt"), ("s3://A_B/x", "kein gültiger Bucket-Name"),
                       ("file:", "fehlt der Ordner")]:
        with pytest.raises(ConfigError, match=words):
            create_app({**base, "STORAGE_URL": url})
    with pytest.raises(ConfigError, match="S3_ENDPOINT_URL"):
        create_app({**base, "STORAGE_URL": "s3://portal/x", "S3_ENDPOINT_URL": "s3.example:8333"})
    app = create_app({**base, "STORAGE_URL": "file:instance/files"})
    from portal.storage import for_app

    assert for_app(app).root == Path(app.instance_path).parent / "instance" / "files"
