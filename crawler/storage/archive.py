"""The raw archive: every downloaded body, content-addressed by sha256 and gzip-compressed,
so reports can be re-parsed later without crawling again."""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
import time
from pathlib import Path

# A temporary file of put() older than this is a leftover of a process killed while writing it
# (a crash, SIGKILL, the machine going down): clean_leftovers removes it. Younger ones may be
# another crawl's writing into the same archive at this moment.
LEFTOVER_AGE = 3600.0  # seconds
# Where put() writes before renaming into place: inside the root (one filesystem, so the rename is
# atomic), in one directory, so that finding leftovers reads one directory, not all 65,536 of the
# entries' (3 s for 30,000 entries with a cold cache here; far more on a shared network mount).
TMP_DIR = ".writing"


class Archive:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    @staticmethod
    def digest(data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()

    def relpath(self, sha256: str) -> str:
        return f"{sha256[:2]}/{sha256[2:4]}/{sha256}.gz"

    def put(self, data: bytes) -> tuple[str, str]:
        """Store `data` once; returns (sha256, path relative to the archive root)."""
        sha = self.digest(data)
        rel = self.relpath(sha)
        target = self.root / rel
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            (self.root / TMP_DIR).mkdir(exist_ok=True)
            # write to a temporary file and rename: a crash never leaves a truncated archive entry
            fd, tmp = tempfile.mkstemp(dir=self.root / TMP_DIR, suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as fh, gzip.GzipFile(fileobj=fh, mode="wb", mtime=0) as gz:
                    gz.write(data)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        return sha, rel

    def get(self, sha256: str) -> bytes:
        data = gzip.decompress((self.root / self.relpath(sha256)).read_bytes())
        if self.digest(data) != sha256:
            raise ValueError(f"archive entry {sha256} is corrupt")
        return data

    def has(self, sha256: str) -> bool:
        return (self.root / self.relpath(sha256)).exists()

    def clean_leftovers(self, max_age: float = LEFTOVER_AGE) -> int:
        """Remove the temporary files of writes that never finished (older than `max_age`
        seconds); returns how many. Entries themselves are only ever renamed into place whole.
        (Archives written before TMP_DIR kept them beside the entries: `find ARCHIVE -name
        '*.tmp' -mmin +60 -delete` removes those once.)"""
        removed = 0
        cutoff = time.time() - max_age
        for tmp in (self.root / TMP_DIR).glob("*.tmp"):
            try:
                if tmp.stat().st_mtime < cutoff:
                    tmp.unlink()
                    removed += 1
            except FileNotFoundError:
                continue  # another crawl cleaned it meanwhile
        return removed
