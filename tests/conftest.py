"""Shared test fixtures: seeds, mirrors, fixture responses; the e2e/postgres markers."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from scrapy.http import HtmlResponse, Request, TextResponse, XmlResponse

from crawler.mirror.server import Mirror

# Tests are offline: Scrapy's cookie middleware uses tldextract, which would fetch the Public
# Suffix List from the internet; an empty URL list makes it use its bundled snapshot. Subprocess
# crawls (tests/crawl.py) inherit this environment.
os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""
# Nothing but the mirrors on 127.0.0.1 is ever reached: every HTTP client of the tests and of their
# subprocesses (Scrapy's HttpProxyMiddleware, urllib, botocore) sends any other host to a closed
# port, so a test that would fetch a real portal (a missing base_url) fails instead of going online.
for _scheme in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
    os.environ[_scheme] = "http://127.0.0.1:9"
os.environ["no_proxy"] = os.environ["NO_PROXY"] = "127.0.0.1,localhost"

TESTS = Path(__file__).resolve().parent
SEEDS = TESTS / "seeds"
SITES = TESTS / "sites"


# -- markers ------------------------------------------------------------------------------------
# `e2e`: the test starts a crawl, a mirror server or another server (pyproject.toml); `postgres`:
# it needs the PostgreSQL server. `make test-fast` runs neither. Tests that use the fixtures below
# are marked here; a test that starts a mirror or a crawl without the mark fails (_e2e_guard).
E2E_FIXTURES = {"mirror_for", "demo_database_url", "s3_server"}
POSTGRES_FIXTURES = {"postgres"}
# a subprocess running one of these is a crawl (or a server): scrapy itself, or the CLI's commands
CRAWL_COMMANDS = {"crawl", "demo", "discover", "serve", "worker"}


def pytest_itemcollected(item: pytest.Item) -> None:
    """Marks by fixture, as each test is collected (before -m selects)."""
    fixtures = set(getattr(item, "fixturenames", ()))
    params = getattr(getattr(item, "callspec", None), "params", {})
    if fixtures & E2E_FIXTURES:
        item.add_marker(pytest.mark.e2e)
    if fixtures & POSTGRES_FIXTURES or "postgresql" in params.values():
        item.add_marker(pytest.mark.postgres)


def _starts_a_crawl(args: Any) -> bool:
    """Whether a subprocess's command line is `scrapy crawl …` or a crawling CLI command."""
    argv = [str(a) for a in args] if isinstance(args, list | tuple) else str(args).split()
    for i, arg in enumerate(argv):
        name = Path(arg).name
        if name in ("scrapy", "govreports") or arg == "crawler.cli":
            command = next((a for a in argv[i + 1 :] if not a.startswith("-")), None)
            return command == "crawl" if name == "scrapy" else command in CRAWL_COMMANDS
    return False


@pytest.fixture(autouse=True)
def _e2e_guard(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail a test that starts a mirror or a crawl subprocess without the e2e marker, so that
    `make test-fast` stays fast as tests are added."""
    if request.node.get_closest_marker("e2e"):
        return
    where = request.node.nodeid

    def no_mirror(self: Mirror) -> Mirror:
        pytest.fail(f"{where} starts a mirror server: mark it @pytest.mark.e2e", pytrace=False)

    class GuardedPopen(subprocess.Popen):
        def __init__(self, args: Any, *rest: Any, **kwargs: Any) -> None:
            if _starts_a_crawl(args):
                pytest.fail(f"{where} runs a crawl ({args!r}): mark it @pytest.mark.e2e", pytrace=False)
            super().__init__(args, *rest, **kwargs)

    monkeypatch.setattr(Mirror, "start", no_mirror)
    monkeypatch.setattr(subprocess, "Popen", GuardedPopen)


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
