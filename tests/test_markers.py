"""The e2e/postgres markers of tests/conftest.py: which tests `make test-fast` leaves out, and the
guard that fails an unmarked test starting a mirror or a crawl."""

from __future__ import annotations

import sys

import pytest

from crawler.mirror.server import Mirror
from tests.conftest import SITES, _starts_a_crawl


@pytest.mark.parametrize(
    ("argv", "crawls"),
    [
        ([sys.executable, "-m", "scrapy", "crawl", "huaibei", "-a", "base_url=http://127.0.0.1:9"], True),
        ([sys.executable, "-m", "scrapy", "list"], False),
        (["/venv/bin/scrapy", "crawl", "dongying"], True),
        ([sys.executable, "-m", "crawler.cli", "crawl", "--all"], True),
        ([sys.executable, "-m", "crawler.cli", "demo", "--database-url", "sqlite://"], True),
        ([sys.executable, "-m", "crawler.cli", "portals"], False),
        (["govreports", "--help"], False),
        ("govreports serve data/x.db", True),
        (["antiword", "-m", "UTF-8.txt", "a.doc"], False),
    ],
)
def test_crawl_commands_are_told_from_other_subprocesses(argv, crawls):
    assert _starts_a_crawl(argv) is crawls


def test_an_unmarked_test_that_starts_a_mirror_fails():
    mirror = Mirror(SITES / "huaibei")
    try:
        with pytest.raises(pytest.fail.Exception, match="starts a mirror server: mark it @pytest.mark.e2e"):
            mirror.start()
    finally:
        mirror._server.server_close()


def test_an_unmarked_test_that_runs_a_crawl_fails():
    import subprocess

    with pytest.raises(pytest.fail.Exception, match=r"runs a crawl .*: mark it @pytest.mark.e2e"):
        subprocess.run([sys.executable, "-m", "scrapy", "crawl", "huaibei"], timeout=5)


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_the_postgresql_variant_of_a_test_is_marked_postgres(request, kind):
    assert (request.node.get_closest_marker("postgres") is not None) is (kind == "postgresql")
    assert request.node.get_closest_marker("e2e") is None


def test_a_test_using_the_mirror_fixture_is_marked_e2e(request, mirror_for):
    assert request.node.get_closest_marker("e2e") is not None
