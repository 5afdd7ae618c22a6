"""A full filesystem for one crawl: a small tmpfs mounted over a folder in a mount namespace of the
crawl's own (`unshare --user --map-root-user --mount`), so a write there fails with a real ENOSPC
("No space left on device", SQLite's "database or disk is full"), and nothing is left mounted
when the crawl ends. Needs user and mount namespaces (root, or unprivileged user namespaces);
without them the test is skipped — except under CI, where that is an error."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

TMPFS_SIZE = 256 * 1024  # bytes: small enough to fill at once


def _unshare() -> list[str]:
    unshare = shutil.which("unshare")
    cmd = [unshare or "unshare", "--user", "--map-root-user", "--mount"]
    probe = subprocess.run([*cmd, "true"], capture_output=True, text=True) if unshare else None
    if probe is None or probe.returncode != 0:
        why = "unshare is not installed" if probe is None else probe.stderr.strip()
        if os.environ.get("CI"):
            pytest.fail(f"no mount namespace for the full-disk tests under CI: {why}")
        pytest.skip(f"no mount namespace for a full tmpfs: {why}")
    return cmd


def full_disk(folder: Path, *, room: int = 0, fill_from: Path | None = None) -> list[str]:
    """A command prefix: `folder` is a tmpfs of TMPFS_SIZE bytes holding a copy of `fill_from`
    (a file) if given, then filled with zeros until only `room` bytes are left (0: full)."""
    folder.mkdir(parents=True, exist_ok=True)
    at = shlex.quote(str(folder))
    steps = ["set -e", f"mount -t tmpfs -o size={TMPFS_SIZE} tmpfs {at}"]
    if fill_from is not None:
        steps.append(f"cp {shlex.quote(str(fill_from))} {at}/")
    # fill it up (cat stops at ENOSPC), then give `room` bytes back
    steps += [f"cat /dev/zero > {at}/filler 2>/dev/null || true", f"truncate -s -{room} {at}/filler", 'exec "$@"']
    return [*_unshare(), "sh", "-c", "; ".join(steps), "sh"]
