"""The raw archive in an S3-compatible object store, for workers on many machines sharing one
archive: `GOVREPORTS_ARCHIVE_URL=s3://bucket/prefix`. Same interface and same keys as the
directory archive (crawler/storage/archive.py): `<prefix>/ab/cd/<sha256>.gz`, gzip of the body,
so the `documents.storage_path` a crawl stores is the same whichever archive it wrote to, and a
directory archive copied into a bucket (`aws s3 sync data/archive s3://bucket/prefix`) is read
as it is.

The endpoint and credentials come from the usual AWS variables, read by boto3 itself
(AWS_ENDPOINT_URL for MinIO, Ceph, Aliyun OSS, Tencent COS or a local server; AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION, or a profile). boto3 is the optional extra
`govreports[s3]`. An object PUT is atomic (readers see the whole object or none), so there is no
temporary-file step; entries are content-addressed, so two workers writing the same body write
the same bytes.
"""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from crawler.storage.archive import Archive


class RawArchive(Protocol):
    """What the crawl, the dead letters and `govreports reparse` need of a raw archive."""

    def put(self, data: bytes) -> tuple[str, str]: ...
    def get(self, sha256: str) -> bytes: ...
    def has(self, sha256: str) -> bool: ...


class ArchiveConfigError(Exception):
    """The archive cannot be used as configured (one line: what and how to fix it)."""


def archive_location(settings: Any) -> str:
    """GOVREPORTS_ARCHIVE_URL when set, else GOVREPORTS_ARCHIVE_DIR (a Scrapy Settings or a dict)."""
    return settings.get("GOVREPORTS_ARCHIVE_URL") or settings.get("GOVREPORTS_ARCHIVE_DIR") or "data/archive"


def is_object_store(location: str | Path) -> bool:
    return str(location).startswith("s3://")


def open_archive(location: str | Path) -> Archive | ObjectStoreArchive:
    """The archive at `location`: an s3:// URL or a directory."""
    if is_object_store(location):
        return ObjectStoreArchive(str(location))
    return Archive(location)


class ObjectStoreArchive:
    def __init__(self, url: str, client: Any = None) -> None:
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.netloc:
            raise ArchiveConfigError(f"not an s3://bucket/prefix URL: {url!r}")
        self.url = url.rstrip("/")
        self.bucket = parts.netloc
        self.prefix = parts.path.strip("/")
        self.client = client if client is not None else _client()

    def __repr__(self) -> str:
        return f"ObjectStoreArchive({self.url!r})"

    digest = staticmethod(Archive.digest)

    def relpath(self, sha256: str) -> str:
        return f"{sha256[:2]}/{sha256[2:4]}/{sha256}.gz"

    def key(self, sha256: str) -> str:
        rel = self.relpath(sha256)
        return f"{self.prefix}/{rel}" if self.prefix else rel

    def check(self) -> None:
        """Raise ArchiveConfigError unless the bucket answers (before a crawl writes to it)."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "?")
            raise ArchiveConfigError(
                f"archive {self.url}: bucket {self.bucket!r} not usable ({code}); create it or fix "
                "GOVREPORTS_ARCHIVE_URL / AWS_ENDPOINT_URL"
            ) from None
        except BotoCoreError as exc:
            raise ArchiveConfigError(f"archive {self.url}: {exc} (AWS_ENDPOINT_URL, AWS_* credentials)") from None

    def put(self, data: bytes) -> tuple[str, str]:
        """Store `data` once; returns (sha256, path relative to the archive root)."""
        sha = self.digest(data)
        if not self.has(sha):
            self.client.put_object(
                Bucket=self.bucket,
                Key=self.key(sha),
                Body=gzip.compress(data, mtime=0),
                ContentType="application/gzip",
            )
        return sha, self.relpath(sha)

    def get(self, sha256: str) -> bytes:
        """The body; FileNotFoundError when the entry is missing (as the directory archive)."""
        from botocore.exceptions import ClientError

        try:
            stored = self.client.get_object(Bucket=self.bucket, Key=self.key(sha256))["Body"].read()
        except ClientError as exc:
            if _missing(exc):
                raise FileNotFoundError(f"{self.url}/{self.relpath(sha256)}") from None
            raise
        data = gzip.decompress(stored)
        if self.digest(data) != sha256:
            raise ValueError(f"archive entry {sha256} is corrupt")
        return data

    def has(self, sha256: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key(sha256))
        except ClientError as exc:
            if _missing(exc):
                return False
            raise
        return True


def _missing(exc: Any) -> bool:
    error = exc.response.get("Error", {})
    return (
        str(error.get("Code")) in ("404", "NoSuchKey", "NotFound")
        or exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404
    )


def _client() -> Any:
    try:
        import boto3
        from botocore.config import Config
    except ImportError:
        raise ArchiveConfigError("an s3:// archive needs boto3: pip install 'govreports[s3]'") from None
    # a few retries with backoff on throttling and 5xx; boto3 reads endpoint and credentials from AWS_*
    return boto3.client("s3", config=Config(retries={"max_attempts": 5, "mode": "standard"}))
