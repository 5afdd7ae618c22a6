"""The raw archive in an S3-compatible object store (crawler/storage/objectstore.py), against a
real S3 server on 127.0.0.1 (moto's standalone server, tests/s3.py): same keys and same bytes as
the directory archive, a crawl writing to it with GOVREPORTS_ARCHIVE_URL, `govreports reparse`
and the dead letters reading from it."""

from __future__ import annotations

import gzip

import pytest
from sqlalchemy import create_engine, delete, select
from sqlalchemy.orm import Session

from crawler import cli
from crawler.mirror.server import Mirror
from crawler.storage.archive import Archive
from crawler.storage.models import Document, Report, ReportMetric
from crawler.storage.objectstore import ArchiveConfigError, ObjectStoreArchive, archive_location, open_archive
from tests.conftest import SITES
from tests.crawl import run_crawl
from tests.rows import stored_rows

BODY = "淮北市人民政府2019年政府信息公开工作年度报告".encode() * 50
T2019 = "淮北市人民政府2019年政府信息公开工作年度报告【合成测试数据】"


@pytest.fixture
def s3_env(s3_server, monkeypatch):
    for key, value in s3_server.env().items():
        monkeypatch.setenv(key, value)
    return s3_server


def test_bodies_go_under_the_prefix_with_the_keys_and_bytes_of_the_directory_archive(s3_env, tmp_path):
    bucket = s3_env.bucket()
    store = ObjectStoreArchive(f"s3://{bucket}/nightly/raw")
    sha, rel = store.put(BODY)
    assert store.put(BODY) == (sha, rel)  # stored once
    on_disk = Archive(tmp_path)
    assert on_disk.put(BODY) == (sha, rel)  # the same path as documents.storage_path
    assert s3_env.keys(bucket) == [f"nightly/raw/{rel}"]
    stored = s3_env.client().get_object(Bucket=bucket, Key=f"nightly/raw/{rel}")["Body"].read()
    assert gzip.decompress(stored) == BODY
    assert store.get(sha) == BODY
    assert store.has(sha)
    assert not store.has("0" * 64)
    with pytest.raises(FileNotFoundError):
        store.get("0" * 64)


def test_a_corrupt_object_is_refused(s3_env):
    bucket = s3_env.bucket()
    store = ObjectStoreArchive(f"s3://{bucket}")
    sha, rel = store.put(b"original")
    s3_env.client().put_object(Bucket=bucket, Key=rel, Body=gzip.compress(b"tampered"))
    with pytest.raises(ValueError, match="corrupt"):
        store.get(sha)


def test_a_missing_bucket_and_a_bad_url_are_one_line_errors(s3_env):
    with pytest.raises(ArchiveConfigError, match="bucket 'no-such-bucket' not usable"):
        ObjectStoreArchive("s3://no-such-bucket/x").check()
    with pytest.raises(ArchiveConfigError, match="not an s3://bucket/prefix URL"):
        ObjectStoreArchive("s3:///prefix-only")


def test_the_url_wins_over_the_directory():
    assert archive_location({"GOVREPORTS_ARCHIVE_DIR": "data/a", "GOVREPORTS_ARCHIVE_URL": "s3://b/p"}) == "s3://b/p"
    assert archive_location({"GOVREPORTS_ARCHIVE_DIR": "data/a", "GOVREPORTS_ARCHIVE_URL": ""}) == "data/a"
    assert isinstance(open_archive("data/a"), Archive)


@pytest.mark.e2e
def test_a_crawl_archives_into_the_bucket_and_reparse_reads_it_back(s3_server, tmp_path, capsys, monkeypatch):
    """huaibei (tests/sites/huaibei/README.md): five reports, the 2020 one with a PDF attachment."""
    bucket = s3_server.bucket()
    url = f"s3://{bucket}/raw"
    with Mirror(SITES / "huaibei") as mirror:
        in_bucket = run_crawl(
            "huaibei", mirror.base_url, tmp_path / "s3", env={"GOVREPORTS_ARCHIVE_URL": url, **s3_server.env()}
        )
        on_disk = run_crawl("huaibei", mirror.base_url, tmp_path / "disk")
    assert in_bucket.returncode == 0, in_bucket.log[-3000:]
    assert on_disk.returncode == 0, on_disk.log[-3000:]
    assert not (tmp_path / "s3" / "archive").exists()  # the URL replaced the directory
    assert stored_rows(in_bucket.database_url) == stored_rows(on_disk.database_url)  # storage paths included
    engine = create_engine(in_bucket.database_url)
    with Session(engine) as s:
        paths = sorted(set(s.scalars(select(Document.storage_path).where(Document.storage_path.is_not(None)))))
    assert len(paths) == 6  # five pages and the 2020 PDF
    assert s3_server.keys(bucket) == [f"raw/{p}" for p in paths]

    rows = stored_rows(in_bucket.database_url)
    with Session(engine) as s, s.begin():
        report = s.scalar(select(Report).where(Report.title == T2019))
        deleted = s.execute(delete(ReportMetric).where(ReportMetric.report_id == report.id)).rowcount
    engine.dispose()
    assert deleted >= 2
    for key, value in s3_server.env().items():
        monkeypatch.setenv(key, value)
    status = cli.main(["reparse", "--database-url", in_bucket.database_url, "--archive-url", url])
    out = capsys.readouterr().out
    assert status == 0, out
    assert f"reparsed 5 reports in {in_bucket.database_url} from the archive {url}" in out
    assert "archive entry missing: 0 reports" in out
    assert stored_rows(in_bucket.database_url) == rows


def test_reparse_names_a_bucket_it_cannot_use(s3_env, tmp_path, capsys):
    status = cli.main(["reparse", "--database-url", f"sqlite:///{tmp_path}/x.db", "--archive-url", "s3://nope/raw"])
    assert status == 2
    assert "bucket 'nope' not usable" in capsys.readouterr().err


def test_a_dead_letter_refers_to_the_bucket_and_is_replayed_from_it(s3_env, tmp_path):
    """The letter names the object store it was written against; the next run rebuilds the page
    from the bucket (the seed-derived 2019 page states 1019 条 and 19 件)."""
    from datetime import datetime

    from crawler.items import read_page
    from crawler.storage import db
    from crawler.storage.deadletter import DeadLetters
    from crawler.storage.models import CrawlRun
    from tests.test_deadletter import page_2019

    url = f"s3://{s3_env.bucket()}/raw"
    item = read_page(page_2019(ObjectStoreArchive(url)))
    database_url = f"sqlite:///{tmp_path}/govreports.db"
    letters = DeadLetters(tmp_path / "dl", database_url, url)
    path = letters.keep("huaibei", None, [(item, {})], [], [], "OperationalError: connection refused")
    assert f'"archive_dir": "{url}"' in path.read_text("utf-8")
    engine = db.ensure_schema(database_url)
    sessions = db.session_factory(engine)
    with sessions.begin() as s:
        run = CrawlRun(spider="huaibei", started_at=datetime(2024, 5, 1), outcome="running")
        s.add(run)
        s.flush()
        run_id = run.id
    # a worker on another machine, whose own directory setting differs: the letter's URL is used
    done = DeadLetters(tmp_path / "dl", database_url, tmp_path / "elsewhere").replay(sessions, "huaibei", run_id)
    assert (done.files, done.items, done.kept) == (1, 1, [])
    with Session(engine) as s:
        values = {m.metric_code: m.value for m in s.scalars(select(ReportMetric))}
    engine.dispose()
    assert (values["proactive.total"], values["apps.new"]) == (1019, 19)
