"""Dead letters (crawler/storage/deadletter.py, pipelines/storage.py): a batch the database refuses is kept
in a file and re-applied at the start of the next run; no item is lost, and the rows end equal to
a clean crawl's. On SQLite and PostgreSQL.

Faults are real database faults, no monkeypatching of the code under test: a trigger that refuses
the documents of one report (a failed batch write), and a database that cannot be opened during
the first run (a directory where the SQLite file should be; a PostgreSQL database not created yet).
Fixture: the huaibei mirror (tests/sites/huaibei/README.md), five reports, the 2020 one
(page 99000111) with a PDF."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from crawler.items import Attachment, Failure, ReportPage, read_page
from crawler.mirror.server import Mirror
from crawler.storage import db
from crawler.storage.archive import Archive
from crawler.storage.deadletter import DeadLetters, page_from_json, page_to_json
from crawler.storage.models import CrawlFailure, CrawlRun, Report, ReportMetric
from tests.conftest import SITES
from tests.crawl import run_crawl
from tests.rows import stored_rows
from tests.test_incremental import HUAIBEI_LISTS, requests_since

T2019 = "淮北市人民政府2019年政府信息公开工作年度报告【合成测试数据】"
PAGE_2019 = SITES / "huaibei" / "root" / "zwgk/public/15/99000121.html"
REAL = "https://www.huaibei.gov.cn/zwgk/public/15/99000121.html"


def page_2019(archive: Archive, attachments: list[Attachment] | None = None) -> ReportPage:
    body = PAGE_2019.read_bytes()
    page = ReportPage(
        spider="huaibei",
        url="http://127.0.0.1:1/zwgk/public/15/99000121.html",
        canonical_url=REAL,
        body=body,
        headers={"Content-Type": "text/html; charset=utf-8"},
        list_title=T2019,
        list_date="2020-01-20",
        body_name="淮北市人民政府",
        body_level="city",
        region_code="340600",
        attachments=attachments or [],
        related_links=[("图解", "http://x/t.html")],
    )
    page.sha256, page.storage_path = archive.put(body)
    return page


# -- the letter format ------------------------------------------------------------------------


def test_a_page_goes_to_json_without_bodies_and_comes_back_from_the_archive(tmp_path):
    archive = Archive(tmp_path / "archive")
    pdf = Attachment(url="http://x/a.pdf", name="a.pdf", media_type="application/pdf", body=b"%PDF-1.4 x", status=200)
    pdf.sha256, pdf.storage_path = archive.put(pdf.body)
    failed = Attachment(url="http://x/b.doc", name="b.doc", status=404, error="HttpError: 404")
    page = page_2019(archive, [pdf, failed])
    data = page_to_json(page)
    assert "body" not in data and all("body" not in a for a in data["attachments"])
    assert page_from_json(data, archive) == page


def test_letters_are_found_by_spider_and_database(tmp_path):
    archive = Archive(tmp_path / "archive")
    item = read_page(page_2019(archive))
    letters = DeadLetters(tmp_path / "dl", "sqlite:///a.db", tmp_path / "archive")
    path = letters.keep("huaibei", None, [(item, {})], [], [], "boom")
    assert letters.pending("huaibei") == [path]
    assert letters.pending("dongying") == []
    assert DeadLetters(tmp_path / "dl", "sqlite:///b.db", tmp_path / "archive").pending("huaibei") == []


def test_replay_writes_the_batch_and_its_failures_then_deletes_the_letter(database_url, tmp_path):
    archive = Archive(tmp_path / "archive")
    item = read_page(page_2019(archive))
    letters = DeadLetters(tmp_path / "dl", database_url, tmp_path / "archive")
    at = datetime(2024, 5, 1, 12, 0)
    letters.keep(
        "huaibei",
        None,
        [(item, {})],
        [Failure("http://x/b.doc", "attachment", "HttpError: 404", at)],
        [],
        "OperationalError: database is locked",
    )
    engine = db.ensure_schema(database_url)
    sessions = db.session_factory(engine)
    with sessions.begin() as s:
        run = CrawlRun(spider="huaibei", started_at=at, outcome="running")
        s.add(run)
        s.flush()
        run_id = run.id
    done = letters.replay(sessions, "huaibei", run_id)
    assert (done.files, done.items, done.counts.new, done.kept) == (1, 1, 1, [])
    assert letters.pending("huaibei") == []
    with Session(engine) as s:
        report = s.scalar(select(Report))
        values = {m.metric_code: m.value for m in s.scalars(select(ReportMetric))}
        failure = s.scalar(select(CrawlFailure))
        assert (report.title, report.canonical_url, report.list_date) == (T2019, REAL, "2020-01-20")
        assert (values["proactive.total"], values["apps.new"]) == (1019, 19)  # the page's 1019 条, 19 件
        assert (failure.run_id, failure.kind, failure.url) == (run_id, "attachment", "http://x/b.doc")
    engine.dispose()


def test_a_letter_whose_body_left_the_archive_is_kept_and_named(database_url, tmp_path):
    archive = Archive(tmp_path / "archive")
    page = page_2019(archive)
    item = read_page(page)
    letters = DeadLetters(tmp_path / "dl", database_url, tmp_path / "archive")
    path = letters.keep("huaibei", None, [(item, {})], [], [], "boom")
    (tmp_path / "archive" / page.storage_path).unlink()
    engine = db.ensure_schema(database_url)
    done = letters.replay(db.session_factory(engine), "huaibei", 1)
    assert (done.files, done.items) == (0, 0)
    assert len(done.kept) == 1 and str(path) in done.kept[0] and "FileNotFoundError" in done.kept[0]
    assert letters.pending("huaibei") == [path]
    with Session(engine) as s:
        assert s.scalar(select(Report)) is None
    engine.dispose()


# -- end to end ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mirror():
    with Mirror(SITES / "huaibei") as m:
        yield m


@pytest.fixture(scope="module")
def clean(mirror, tmp_path_factory):
    """The rows of an uninterrupted crawl of the same mirror (same URLs)."""
    result = run_crawl("huaibei", mirror.base_url, tmp_path_factory.mktemp("clean"))
    assert result.returncode == 0, result.log[-3000:]
    return stored_rows(result.database_url)


def database(kind: str, request, tmp_path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path}/db/govreports.db"
    server = request.getfixturevalue("postgres")
    if server is None:
        pytest.skip("no PostgreSQL server on this machine")
    return server.database()


REFUSE = {  # refuse the documents of the 2020 report (page 99000111): its batch fails at commit
    "sqlite": [
        "CREATE TRIGGER refuse BEFORE INSERT ON documents WHEN NEW.url LIKE '%99000111%' "
        "BEGIN SELECT RAISE(ABORT, 'injected fault'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'injected fault'; END $$",
        "CREATE TRIGGER refuse BEFORE INSERT ON documents FOR EACH ROW "
        "WHEN (NEW.url LIKE '%99000111%') EXECUTE FUNCTION refuse()",
    ],
}
ALLOW = {"sqlite": ["DROP TRIGGER refuse"], "postgresql": ["DROP TRIGGER refuse ON documents"]}


def execute(url: str, statements: list[str]) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    engine.dispose()


def crawl(mirror: Mirror, tmp_path: Path, url: str):
    settings = {
        "GOVREPORTS_DATABASE_URL": url,
        "GOVREPORTS_DEADLETTER_DIR": str(tmp_path / "deadletter"),
        "GOVREPORTS_BATCH_SIZE": "1",
    }  # one report per batch
    return run_crawl("huaibei", mirror.base_url, tmp_path, settings=settings)


def failures(url: str) -> list[tuple[int, str, str]]:
    engine = create_engine(url)
    with Session(engine) as s:
        found = [(f.run_id, f.kind, f.reason) for f in s.scalars(select(CrawlFailure).order_by(CrawlFailure.id))]
    engine.dispose()
    return found


def runs(url: str) -> list[tuple[int, dict | None]]:
    engine = create_engine(url)
    with Session(engine) as s:
        found = [(r.id, r.summary) for r in s.scalars(select(CrawlRun).order_by(CrawlRun.id))]
    engine.dispose()
    return found


@pytest.mark.e2e
@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_refused_batch_is_kept_and_the_next_run_applies_it(kind, mirror, clean, request, tmp_path):
    url = database(kind, request, tmp_path)
    db.ensure_schema(url).dispose()
    execute(url, REFUSE[kind])
    first = crawl(mirror, tmp_path, url)
    assert first.returncode == 1  # the run says so: a batch waits in a dead letter
    assert "1 reports kept as dead letters" in first.log
    (letter,) = (tmp_path / "deadletter").glob("huaibei-*.json")
    rows = stored_rows(url)
    stored = {r[2] for r in rows["documents"]}  # titles of the reports stored with their documents
    assert len(stored) == 4 and not [d for d in rows["documents"] if "99000111" in d[4]]
    ((run1, summary),) = runs(url)  # the run row says why it failed, its failure is recorded at once
    assert summary["failures_by_kind"] == {"database": 1}
    assert [(r, k, "injected fault" in why) for r, k, why in failures(url)] == [(run1, "database", True)]

    execute(url, ALLOW[kind])
    start = len(mirror.requests)
    second = crawl(mirror, tmp_path, url)
    assert second.returncode == 0, second.log[-3000:]
    assert not letter.exists()
    assert stored_rows(url) == clean
    assert requests_since(mirror, start) == HUAIBEI_LISTS  # the re-applied report is held: not fetched
    assert runs(url)[-1][1]["dead_letters"] == {"kept": 0, "replayed": 1}
    assert [(r, k, "injected fault" in why) for r, k, why in failures(url)] == [(run1, "database", True)]


def unopenable(kind: str, request, tmp_path) -> tuple[str, Callable[[], None]]:
    """A database URL that cannot be opened now, and what makes it openable."""
    if kind == "sqlite":
        path = tmp_path / "db" / "govreports.db"
        path.mkdir(parents=True)  # a directory where the database file should be
        return f"sqlite:///{path}", path.rmdir
    from tests.pg import PostgresServer

    server = request.getfixturevalue("postgres")
    if not isinstance(server, PostgresServer):
        pytest.skip("needs a private PostgreSQL server (tests/pg.py) to create a database later")
    name = f"t_{uuid.uuid4().hex[:12]}"

    def create() -> None:
        execute_autocommit(server.admin_url, f'CREATE DATABASE "{name}"')

    return make_url(server.admin_url).set(database=name).render_as_string(hide_password=False), create


def execute_autocommit(url: str, statement: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(statement))
    engine.dispose()


@pytest.mark.e2e
@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_crawl_without_its_database_keeps_everything_for_the_next_run(kind, mirror, clean, request, tmp_path):
    url, make_openable = unopenable(kind, request, tmp_path)
    first = crawl(mirror, tmp_path, url)
    assert first.returncode == 1
    assert "database unreachable at open" in first.log
    letters = sorted((tmp_path / "deadletter").glob("huaibei-*.json"))
    assert letters  # one per batch

    make_openable()
    start = len(mirror.requests)
    second = crawl(mirror, tmp_path, url)
    assert second.returncode == 0, second.log[-3000:]
    assert not any(p.exists() for p in letters)
    assert stored_rows(url) == clean
    assert requests_since(mirror, start) == HUAIBEI_LISTS
    # the first run could not record itself: its failures belong to the run that wrote them
    ((run_id, summary),) = runs(url)
    recorded = failures(url)
    assert recorded and {(r, k) for r, k, _ in recorded} == {(run_id, "database")}
    assert any("database unreachable at open" in reason for _, _, reason in recorded)
    assert summary["dead_letters"] == {"kept": 0, "replayed": 5}
