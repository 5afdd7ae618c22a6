"""Bad input to the commands (issue 14, "bad input to the commands"): every case is the real
command in a subprocess, answering with one line on stderr, exit status 2 (usage) or 1
(failure), no traceback, and nothing created that was not there before."""

from __future__ import annotations

import os
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from crawler.storage import db
from crawler.storage.models import CrawlRun
from crawler.storage.store import utcnow

REPO = Path(__file__).resolve().parent.parent
MISSING = "(run `govreports crawl …` first or check --database-url / GOVREPORTS_DATABASE_URL)"
FUTURE = "0099_from_the_future"


def closed_port() -> int:
    """A port on 127.0.0.1 nothing listens on (the OS chose it, then it was closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(cwd: Path, *args: str, block: str | None = None, preexec=None, env: dict | None = None):
    """`govreports ARGS` (or `scrapy ARGS` when args[0] == "scrapy") in a fresh interpreter in
    cwd, without the GOVREPORTS_* of the environment. block: a module whose import fails as
    when its optional extra is not installed."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("GOVREPORTS_", "AWS_"))}
    environ["PYTHONPATH"] = str(REPO)
    environ.update(env or {})
    if args[0] == "scrapy":
        command = [sys.executable, "-m", "scrapy.cmdline", *args[1:]]
        environ["SCRAPY_SETTINGS_MODULE"] = "crawler.settings"
    elif block:
        code = f"import sys; sys.modules[{block!r}] = None; from crawler.cli import main; sys.exit(main(sys.argv[1:]))"
        command = [sys.executable, "-c", code, *args]
    else:
        command = [sys.executable, "-m", "crawler.cli", *args]
    return subprocess.run(
        command, cwd=cwd, env=environ, capture_output=True, text=True, timeout=120, preexec_fn=preexec
    )


SERVING = ("crawl", "serve", "scrapy", "worker")  # commands that would crawl or serve (conftest's e2e guard)


def param(*values: object):  # noqa: ANN201 - a pytest ParameterSet
    """A test case named by its command line (the first tuple of values); a crawling or serving
    command's case is marked e2e, though bad input stops it before any crawl (conftest.py)."""
    args = next(v for v in values if isinstance(v, tuple))
    marks = [pytest.mark.e2e] if args[0] in SERVING else []
    return pytest.param(*values, marks=marks, id=" ".join(args))


def files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def assert_one_line(done, status: int, expected: str) -> str:
    """Exit status, exactly one line on stderr containing `expected`, no traceback."""
    lines = done.stderr.strip().splitlines()
    assert done.returncode == status, done.stderr[-2000:]
    assert "Traceback" not in done.stdout + done.stderr
    assert len(lines) == 1, done.stderr[-2000:]
    assert expected in lines[0], lines[0]
    return lines[0]


# -- usage errors: exit 2 ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    """An empty database at this version's schema (no report)."""
    path = tmp_path_factory.mktemp("migrated") / "govreports.db"
    db.ensure_schema(f"sqlite:///{path}").dispose()
    return path


USAGE = [
    (("serve", "--port", "99999"), "govreports serve: argument --port: port 99999 is not between 1 and 65535"),
    (("serve", "--port", "http"), "argument --port: not a port number: 'http'"),
    (
        ("crawl", "dongying", "--base-url", "not-a-url"),
        "govreports: --base-url must be an http(s) URL with a host, such as http://127.0.0.1:8001, got 'not-a-url'",
    ),
    (("crawl", "dongying", "--base-url", "http://127.0.0.1:99999"), "got 'http://127.0.0.1:99999'"),
    (("crawl", "dongying", "-a", "base_url=ftp://x"), "govreports: -a base_url must be an http(s) URL"),
    (("crawl", "dongyin"), "govreports: no spider 'dongyin' (spiders: dongying, "),
    (("crawl", "dongying", "-s", "DOWNLOAD_DELAY"), "govreports: -s must look like NAME=VALUE, got 'DOWNLOAD_DELAY'"),
    (("crawl", "dongying", "--job-dir", "FILE"), "govreports: --job-dir FILE: not a folder"),
    (("crawl", "dongying", "-s", "DOWNLOAD_DELAY=abc"), "govreports: -s DOWNLOAD_DELAY=abc: must be a number"),
    (
        ("crawl", "--all", "-s", "COOKIES_ENABLED=maybe"),
        "govreports: -s COOKIES_ENABLED=maybe: must be 0/1 or true/false",
    ),
    (
        ("scrapy", "crawl", "dongying", "-s", "CONCURRENT_REQUESTS=x", "-s", "LOG_LEVEL=ERROR"),
        "CONCURRENT_REQUESTS=x: must be a number",
    ),
    (("scrapy", "crawl", "dongyin", "-s", "LOG_LEVEL=ERROR"), "govreports: no spider 'dongyin'"),
    (
        ("scrapy", "crawl", "dongying", "-a", "base_url=not-a-url", "-s", "LOG_LEVEL=ERROR"),
        "govreports: -a base_url must be an http(s) URL with a host",
    ),
    (("plot", "review.total", "--out", "review.svg"), "govreports: --out must end in .png, got review.svg"),
    (("plot", "review.total", "--out", "FILE/review.png"), "govreports: --out FILE/review.png: FILE is not a folder"),
    (("coverage", "--out", "FILE/deeper/c.html"), "govreports: --out FILE/deeper/c.html: FILE is not a folder"),
    (("export", "--out", "FILE"), "govreports: --out FILE: not a folder"),
    (("export", "--out", "/proc/govreports/x"), "govreports: --out /proc/govreports/x: cannot create /proc/govreports"),
    (("export", "--format", "xlsx"), "govreports export: argument --format: invalid choice: 'xlsx'"),
    (("export", "--year", "twenty"), "govreports export: argument --year: invalid int value: 'twenty'"),
    (("plot", "review.totl"), "govreports: no metric 'review.totl' in the metric dictionary"),
    (
        ("plot", "review.total", "--spider", "dongyin"),
        "govreports: unknown spider 'dongyin' (spiders: dongsheng, dongying",
    ),
    (("coverage", "--spider", "dongyin"), "govreports: unknown spider 'dongyin' (spiders: dongsheng, dongying"),
    (("reparse", "--spider", "dongyin", "--archive-dir", "."), "govreports: unknown spider 'dongyin' (spiders: "),
    (("reparse", "--workers", "-1"), "govreports reparse: argument --workers: must be 0 or more, got -1"),
    (("reparse", "--archive-url", "http://bucket/raw"), "--archive-url must look like s3://bucket/prefix"),
    (("reparse", "--archive-dir", "nowhere"), "govreports: no archive at nowhere (see --archive-dir)"),
    (("db", "upgrade", "0042"), "govreports: no revision '0042' (revisions: base, 0001"),
    (("db", "downgrade"), "govreports: db downgrade needs a revision (e.g. base)"),
    (("parse", "nofile.html"), "govreports: no such file: nofile.html"),
    (("plot",), "govreports plot: the following arguments are required: METRIC"),
    (("nosuch",), "govreports: argument COMMAND: invalid choice: 'nosuch'"),
]


@pytest.mark.parametrize(("args", "message"), [param(*row) for row in USAGE])
def test_bad_input_is_one_line_and_exit_2(tmp_path, migrated, args, message):
    (tmp_path / "FILE").write_text("not a folder")
    url = f"sqlite:///{shutil.copy(migrated, tmp_path / 'govreports.db')}"
    before = files(tmp_path)
    uses_database = args[0] in ("crawl", "plot", "coverage", "export", "reparse", "db", "serve")
    more = ("--database-url", url) if uses_database else ()
    if args[0] == "scrapy":
        more = ("-s", f"GOVREPORTS_DATABASE_URL={url}")
    done = run(tmp_path, *args, *more)
    assert_one_line(done, 2, message)
    assert files(tmp_path) == before


BAD_URLS = [
    ("db", "current"),
    ("export",),
    ("crawl", "dongying"),
    ("scrapy", "crawl", "dongying", "-s", "LOG_LEVEL=ERROR"),
]


@pytest.mark.parametrize("args", [param(args) for args in BAD_URLS])
def test_a_database_url_that_is_not_one_is_exit_2(tmp_path, args):
    if args[0] == "scrapy":
        done = run(tmp_path, *args, "-s", "GOVREPORTS_DATABASE_URL=govreports.db")
        expected = "govreports: GOVREPORTS_DATABASE_URL: not a database URL: 'govreports.db'"
    else:
        done = run(tmp_path, *args, "--database-url", "govreports.db")
        expected = "govreports: --database-url: not a database URL: 'govreports.db' (e.g. sqlite:///"
    assert_one_line(done, 2, expected)
    assert files(tmp_path) == set()


def test_a_file_that_is_not_a_database_is_exit_1(tmp_path):
    (tmp_path / "notes.db").write_text("not a database\n" * 100)
    done = run(tmp_path, "export", "--database-url", "sqlite:///notes.db", "--out", "export")
    assert_one_line(done, 1, "govreports: cannot open the database sqlite:///notes.db: file is not a database")
    assert files(tmp_path) == {"notes.db"}


@pytest.mark.e2e
def test_serve_on_a_port_in_use_is_exit_1(tmp_path, migrated):
    url = f"sqlite:///{shutil.copy(migrated, tmp_path / 'govreports.db')}"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run(tmp_path, "serve", "--database-url", url, "--port", str(port))
    assert_one_line(done, 1, f"govreports: cannot listen on 127.0.0.1:{port}: Address already in use")


# -- a missing SQLite file is never created ------------------------------------------------------------

READERS = [
    ("reparse",),
    ("reparse", "--archive-dir", "."),
    ("plot", "review.total", "--out", "charts/review.png"),
    ("coverage", "--out", "charts/coverage.html"),
    ("export", "--out", "export"),
    ("serve",),
    ("db", "current"),
    ("db", "downgrade", "base"),
    ("portals",),
]


@pytest.mark.parametrize("args", [param(args) for args in READERS])
def test_a_mistyped_sqlite_path_is_never_created(tmp_path, args):
    done = run(tmp_path, *args, "--database-url", "sqlite:///typo/govreprots.db")
    assert_one_line(done, 1, f"govreports: no database at typo/govreprots.db {MISSING}")
    assert files(tmp_path) == set()  # neither the file, nor its folder, nor the --out


def test_the_database_of_the_environment_must_be_there_too(tmp_path):
    done = run(tmp_path, "portals", env={"GOVREPORTS_DATABASE_URL": "sqlite:///typo.db"})
    assert_one_line(done, 1, f"govreports: no database at typo.db {MISSING}")
    assert files(tmp_path) == set()


def test_portals_lists_the_registry_before_the_first_crawl(tmp_path):
    """The default database not created yet: the registry, every portal never crawled."""
    done = run(tmp_path, "portals")
    assert done.returncode == 0, done.stderr
    assert "dongying" in done.stdout and "never crawled" in done.stdout
    assert files(tmp_path) == set()


# -- an unreachable PostgreSQL ------------------------------------------------------------------------

OPEN = "cannot open the database {url}: connection failed"
SERVER_READERS = [
    (("db", "current"), OPEN),
    (("db", "upgrade"), OPEN),
    (("reparse", "--archive-dir", "."), OPEN),
    (("plot", "review.total"), OPEN),
    (("coverage", "--out", "c.html"), OPEN),
    (("export", "--out", "export"), OPEN),
    (("portals",), OPEN),
    (("status",), "database error: connection failed"),  # the distributed crawl's queue (psycopg)
    (("enqueue", "dongying"), "database error: connection failed"),
]


@pytest.mark.parametrize(("args", "message"), [param(*row) for row in SERVER_READERS])
def test_an_unreachable_postgresql_is_one_line_and_exit_1(tmp_path, args, message):
    url = f"postgresql+psycopg://govreports@127.0.0.1:{closed_port()}/govreports"
    done = run(tmp_path, *args, "--database-url", url)
    line = assert_one_line(done, 1, "govreports: " + message.format(url=url))
    assert "Connection refused" in line
    assert files(tmp_path) == set()


# -- a database newer than this govreports --------------------------------------------------------------


@pytest.fixture
def newer(tmp_path, migrated) -> str:
    """A copy of a migrated database stamped with a revision this code does not know, as a later
    govreports would have left it."""
    path = shutil.copy(migrated, tmp_path / "govreports.db")
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = ?", (FUTURE,))
    return f"sqlite:///{path}"


NEWER_READERS = [
    ("db", "current"),
    ("db", "upgrade"),
    ("db", "downgrade", "0003"),
    ("crawl", "dongying", "--base-url", "http://127.0.0.1:9"),
    ("reparse", "--archive-dir", "."),
    ("plot", "review.total"),
    ("coverage", "--out", "c.html"),
    ("export", "--out", "export"),
    ("serve",),
    ("portals",),
    ("scrapy", "crawl", "dongying", "-a", "base_url=http://127.0.0.1:9", "-s", "LOG_LEVEL=ERROR"),
]


@pytest.mark.parametrize("args", [param(args) for args in NEWER_READERS])
def test_a_database_of_a_newer_revision_is_refused(tmp_path, newer, args):
    before = files(tmp_path)
    if args[0] == "scrapy":
        done = run(tmp_path, *args, "-s", f"GOVREPORTS_DATABASE_URL={newer}")
    else:
        done = run(tmp_path, *args, "--database-url", newer)
    assert_one_line(
        done,
        1,
        f"govreports: database {newer} is at revision {FUTURE}, newer than this govreports knows "
        f"(head {db.head_revision(newer)}): upgrade govreports to use it",
    )
    assert files(tmp_path) == before  # no archive, job or dead-letter folder either
    with sqlite3.connect(newer.removeprefix("sqlite:///")) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(FUTURE,)]


# -- a missing optional extra -------------------------------------------------------------------------------

EXTRAS = [
    ("matplotlib", ("plot", "review.total"), "govreports plot needs matplotlib", "plot"),
    ("matplotlib", ("coverage",), "govreports coverage (or --out FILE.html) needs matplotlib", "plot"),
    ("datasette", ("serve",), "govreports serve needs datasette", "serve"),
    ("boto3", ("reparse", "--archive-url", "s3://bucket/raw"), "an s3:// archive needs boto3", "s3"),
    ("psycopg", ("db", "current", "--database-url", "postgresql+psycopg://u@127.0.0.1:9/g"), "psycopg", "pg"),
    ("pyarrow", ("export", "--format", "parquet"), "--format parquet needs pyarrow", "export"),
    (
        "procrastinate",
        ("enqueue", "dongying", "--database-url", "postgresql+psycopg://u@127.0.0.1:9/g"),
        "procrastinate is needed",
        "distributed",
    ),
]


@pytest.mark.parametrize(("module", "args", "message", "extra"), [param(*row) for row in EXTRAS])
def test_a_missing_extra_names_the_pip_install(tmp_path, migrated, module, args, message, extra):
    url = f"sqlite:///{shutil.copy(migrated, tmp_path / 'govreports.db')}"
    before = files(tmp_path)
    more = () if "--database-url" in args else ("--database-url", url)
    done = run(tmp_path, *args, *more, block=module)
    line = assert_one_line(done, 1, message)
    assert f"which is not installed: pip install 'govreports[{extra}]'" in line
    assert files(tmp_path) == before


# -- disk errors and the unexpected -------------------------------------------------------------------------


def small_files_only() -> None:
    """In the child: files may not grow past 4 KB (write fails with EFBIG, as on a full disk)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an ignored signal stays ignored across exec
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))


def test_a_disk_error_is_one_line_and_exit_1(tmp_path, migrated):
    url = f"sqlite:///{shutil.copy(migrated, tmp_path / 'govreports.db')}"
    done = run(tmp_path, "export", "--database-url", url, "--out", "export", preexec=small_files_only)
    assert_one_line(done, 1, "govreports: File too large")


UNEXPECTED = "import sys, crawler.cli as c; c.cmd_portals = lambda a: {}['boom']; sys.exit(c.main(sys.argv[1:]))"


@pytest.mark.parametrize("debug", [False, True])
def test_an_unexpected_error_is_one_line_with_the_way_to_its_traceback(tmp_path, debug):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVREPORTS_")}
    env["PYTHONPATH"] = str(REPO)
    if debug:
        env["GOVREPORTS_DEBUG"] = "1"
    done = subprocess.run(
        [sys.executable, "-c", UNEXPECTED, "portals"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    last = done.stderr.strip().splitlines()[-1]
    assert done.returncode == 1
    assert last == (
        "govreports: unexpected KeyError: 'boom' (rerun with --debug or GOVREPORTS_DEBUG=1 for the traceback)"
    )
    assert ("Traceback" in done.stderr) == debug
    if not debug:
        assert done.stderr.strip() == last


# -- reparse finds the archive its database's crawls recorded -------------------------------------------------


def test_reparse_of_the_demo_database_finds_the_demo_archive(demo_database_url, tmp_path):
    """A copy of the demo database, elsewhere, without --archive-dir: its crawl runs recorded
    where the demo kept the archive (an absolute folder)."""
    demo = Path(demo_database_url.removeprefix("sqlite:///"))
    copy = shutil.copy(demo, tmp_path / "demo.db")
    done = run(tmp_path, "reparse", "--database-url", f"sqlite:///{copy}", "--workers", "0")
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"from the archive {demo.parent / 'archive'}\n" in done.stdout
    assert "archive entry missing: 0 reports" in done.stdout


def test_reparse_says_which_flag_when_the_recorded_archive_is_gone(tmp_path, migrated):
    url = f"sqlite:///{shutil.copy(migrated, tmp_path / 'govreports.db')}"
    with Session(db.make_engine(url)) as session, session.begin():
        run_row = CrawlRun(spider="dongying", started_at=utcnow(), outcome="ok")
        run_row.stats = {"govreports/archive": str(tmp_path / "moved-away")}
        session.add(run_row)
    done = run(tmp_path, "reparse", "--database-url", url)
    assert_one_line(
        done,
        2,
        "govreports: no archive at data/archive (pass --archive-dir or --archive-url; the database's last "
        f"crawl kept it in {tmp_path / 'moved-away'}, which is gone)",
    )
