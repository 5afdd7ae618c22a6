"""Shared test fixtures: seeds, mirrors, fixture responses."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, Request, TextResponse, XmlResponse

from crawler.mirror.server import Mirror

# Tests are offline: Scrapy's cookie middleware uses tldextract, which would fetch the Public
# Suffix List from the internet; an empty URL list makes it use its bundled snapshot. Subprocess
# crawls (tests/crawl.py) inherit this environment.
os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""

TESTS = Path(__file__).resolve().parent
SEEDS = TESTS / "seeds"
SITES = TESTS / "sites"


def seed_text(prefix: str) -> str:
    """A seed report's text by its number prefix, e.g. seed_text("002")."""
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text("utf-8")


def fake_response(url: str, body: bytes, *, headers: dict | None = None, meta: dict | None = None) -> TextResponse:
    """A Scrapy response built from fixture bytes, for spider parsing tests without a server."""
    request = Request(url, meta=meta or {})
    headers = headers or {}
    ctype = headers.get("Content-Type", "text/html")
    cls = XmlResponse if "xml" in ctype else HtmlResponse
    return cls(url=url, body=body, headers=headers, request=request)


@pytest.fixture
def mirror_for() -> Iterator:
    """Start the mirror of a spider: `base_url = mirror_for("dongying").base_url`."""
    started: list[Mirror] = []

    def start(spider: str) -> Mirror:
        mirror = Mirror(SITES / spider).start()
        started.append(mirror)
        return mirror

    yield start
    for mirror in started:
        mirror.stop()


@pytest.fixture(scope="session")
def postgres():
    """A PostgreSQL server for the session (see tests/pg.py), or None when unavailable."""
    from tests.pg import start_postgres

    server = start_postgres()
    yield server
    if server is not None:
        server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """An empty database of each kind: storage tests run against SQLite and PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/govreports.db"
    server = request.getfixturevalue("postgres")
    if server is None:
        pytest.skip("no PostgreSQL server on this machine (install postgresql or set GOVREPORTS_TEST_PG_URL)")
    return server.database()


@pytest.fixture(scope="session")
def demo_database_url(tmp_path_factory) -> str:
    """The `govreports demo` database (every mirror crawled), built once per session in a
    subprocess and shared read-only by the tests that query it."""
    import subprocess
    import sys

    folder = tmp_path_factory.mktemp("demo")
    url = f"sqlite:///{folder}/demo.db"
    cmd = [sys.executable, "-m", "crawler.cli", "demo", "--database-url", url, "--archive-dir", str(folder / "archive")]
    done = subprocess.run(cmd, cwd=folder, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        pytest.fail(f"govreports demo failed:\n{(done.stdout + done.stderr)[-3000:]}")
    return url


@pytest.fixture(scope="session")
def s3_server():
    """A local S3-compatible server for the session (see tests/s3.py); skips without moto."""
    from tests.s3 import start_s3

    server = start_s3()
    if server is None:
        pytest.skip("no moto[server] installed (pip install -e '.[dev]')")
    yield server
    server.stop()
