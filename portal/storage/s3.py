"""Stored files in an S3-compatible object store (AWS S3, SeaweedFS, MinIO, Ceph) through boto3.

Credentials come the standard AWS way (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, a profile or
an instance role); `S3_ENDPOINT_URL` names a server other than AWS. An upload is spooled to an
unnamed temporary file (0600, gone when closed) while it is checked, then sent with its length:
memory stays bounded and a check that fails sends nothing.
"""
from __future__ import annotations

import base64
import hashlib
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from portal.storage.base import (
    CHUNK_SIZE,
    Digest,
    StorageFull,
    StorageUnavailable,
    StoredObject,
    check_key,
    read_chunks,
)

FULL_CODES = {"EntityTooLarge", "QuotaExceeded", "XMinioStorageFull", "InsufficientStorage", "507"}
MISSING_CODES = {"NoSuchKey", "404", "NotFound"}


class S3Storage:
    def __init__(self, bucket: str, prefix: str = "", endpoint_url: str | None = None) -> None:
        import boto3.session  # noqa: PLC0415 - boto3 loads only where S3 is configured
        from botocore.config import Config  # noqa: PLC0415 - boto3 loads only where S3 is configured

        self.bucket, self.prefix = bucket, prefix
        self.url = f"s3://{bucket}/{prefix}".rstrip("/")
        # a session of its own: credentials are read now, not cached from an earlier client
        self.client = boto3.session.Session().client(
            "s3", endpoint_url=endpoint_url,
            config=Config(connect_timeout=5, read_timeout=60, retries={"max_attempts": 3, "mode": "standard"},
                          request_checksum_calculation="when_required",
                          response_checksum_validation="when_required",
                          # the body is not hashed a second time for the signature (a 1 MB buffer);
                          # Content-MD5 lets the server verify what arrived
                          s3={"addressing_style": "path", "payload_signing_enabled": False}),
        )

    def _key(self, key: str) -> str:
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def _error(self, exc: Exception, key: str = "") -> Exception:
        from botocore.exceptions import ClientError  # noqa: PLC0415 - boto3 loads only where S3 is configured

        if isinstance(exc, ClientError):
            code = str(exc.response.get("Error", {}).get("Code", ""))
            status = str(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", ""))
            if code in MISSING_CODES or (status == "404" and code != "NoSuchBucket"):
                return FileNotFoundError(key)
            if code in FULL_CODES or status == "507":
                return StorageFull(f"{code}: {exc}")
        return StorageUnavailable(f"{type(exc).__name__}: {exc}")

    def _call(self, method: str, key: str = "", **kwargs: Any) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415 - boto3 loads only where S3 is configured

        try:
            return getattr(self.client, method)(**kwargs)
        except (BotoCoreError, ClientError) as exc:
            raise self._error(exc, key) from exc

    def put(self, key: str, chunks: Iterable[bytes]) -> StoredObject:
        digest, md5 = Digest(chunks), hashlib.md5(usedforsecurity=False)
        with tempfile.TemporaryFile() as spool:
            try:
                for chunk in digest:
                    md5.update(chunk)
                    spool.write(chunk)
                spool.seek(0)
            except OSError as exc:
                raise StorageFull(f"spool: {exc}") from exc
            self._call("put_object", key, Bucket=self.bucket, Key=self._key(key), Body=spool,
                       ContentLength=digest.size, ContentMD5=base64.b64encode(md5.digest()).decode(),
                       Metadata={"sha256": digest.sha256})
        return StoredObject(key, digest.size, digest.sha256)

    def open(self, key: str) -> BinaryIO:
        return self._call("get_object", key, Bucket=self.bucket, Key=self._key(key))["Body"]

    def size(self, key: str) -> int:
        return int(self._call("head_object", key, Bucket=self.bucket, Key=self._key(key))["ContentLength"])

    def delete(self, key: str) -> None:
        self._call("delete_object", key, Bucket=self.bucket, Key=self._key(key))

    def keys(self, prefix: str = "") -> Iterator[str]:
        from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415 - boto3 loads only where S3 is configured

        base = f"{self.prefix}/" if self.prefix else ""
        try:
            for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket,
                                                                               Prefix=base + prefix):
                for item in page.get("Contents", []):
                    yield item["Key"][len(base):]
        except (BotoCoreError, ClientError) as exc:
            raise self._error(exc) from exc

    @contextmanager
    def local_path(self, key: str) -> Iterator[Path]:
        with tempfile.NamedTemporaryFile(prefix="portal-", suffix=Path(key).suffix) as tmp:
            with self.open(key) as body:
                for chunk in read_chunks(body, CHUNK_SIZE):
                    tmp.write(chunk)
            tmp.flush()
            yield Path(tmp.name)

    def check(self) -> None:
        self._call("head_bucket", Bucket=self.bucket)
