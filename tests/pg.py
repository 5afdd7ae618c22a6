"""A throwaway PostgreSQL server for the storage tests.

Uses GOVREPORTS_TEST_PG_URL when set (an empty database the tests may fill); otherwise starts a
private cluster with the machine's initdb/pg_ctl on 127.0.0.1 in a temporary folder and stops it
at the end. Without PostgreSQL binaries the PostgreSQL variants are skipped — except under CI,
where a missing server is an error (`make test` installs one there)."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text


def _pg_bin(tool: str) -> str | None:
    found = shutil.which(tool)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{tool}"))
    return candidates[-1] if candidates else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """A private cluster; `database()` creates a fresh empty database and returns its URL."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="govreports-pg-"))
        self.port = _free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            shutil.chown(self.dir, "postgres", "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        data = self.dir / "data"
        self._run(_pg_bin("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C")
        self._run(
            _pg_bin("pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(self.dir / "log"),
            "-w",
            "start",
            "-o",
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off",
        )
        self.admin_url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *cmd: str | None) -> None:
        subprocess.run([*self.as_user, *[c for c in cmd if c]], check=True, capture_output=True, timeout=120)

    def database(self) -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        self._run(_pg_bin("pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)


class ExternalPostgres:
    def __init__(self, url: str) -> None:
        self.url = url

    def database(self) -> str:
        engine = create_engine(self.url)
        with engine.begin() as conn:  # an empty database each time: drop what earlier tests made
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
        return self.url

    def stop(self) -> None:
        pass


def start_postgres() -> PostgresServer | ExternalPostgres | None:
    if os.environ.get("GOVREPORTS_TEST_PG_URL"):
        return ExternalPostgres(os.environ["GOVREPORTS_TEST_PG_URL"])
    if _pg_bin("initdb") and _pg_bin("pg_ctl"):
        return PostgresServer()
    if os.environ.get("CI"):
        pytest.fail("CI needs PostgreSQL for the storage tests: no initdb found (make system-deps installs it)")
    return None
