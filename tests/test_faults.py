"""Crawling the real web: each fault the fault mirror can act out (crawler/mirror/server.py), crawled by
a real `scrapy crawl` against the synthetic faults portal (tests/sites/faults/README.md).

A clean crawl of that portal is 9 requests (robots.txt, 2 list pages, 4 report pages, 2 PDFs) and
stores 4 reports, 2019–2022. Every test is bounded: DOWNLOAD_TIMEOUT 1 s, RETRY_TIMES ≤ 2, a
0.05 s backoff base, 3 redirects at most, held connections released when the mirror stops.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from scrapy import Request
from scrapy.exceptions import CannotResolveHostError, IgnoreRequest
from scrapy.http import HtmlResponse
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.test import get_crawler
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from crawler.extensions.progress import Progress
from crawler.extensions.runrecord import failure_recorded
from crawler.items import TITLE_MAX, Failure
from crawler.middlewares.failures import (
    FAILURE_KIND,
    FailureRecorder,
    backoff_delay,
    error_page_title,
)
from crawler.mirror.server import ERROR_PAGE, Mirror
from crawler.storage import db
from crawler.storage.models import Body, Document, Report, ValidationFinding
from tests.conftest import SITES
from tests.crawl import REPO, CrawlResult, run_crawl
from tests.fulldisk import full_disk
from tests.sites.faults.spider import FaultsSpider

SITE = SITES / "faults"
SPIDER_MODULES = "spiders,tests.sites.faults.spider"
FAST = {
    "SPIDER_MODULES": SPIDER_MODULES,
    "DOWNLOAD_TIMEOUT": "1",
    "RETRY_TIMES": "2",
    "GOVREPORTS_RETRY_BACKOFF": "0.05",
    "REDIRECT_MAX_TIMES": "3",
}

LIST_1, LIST_2 = "/gk/nb/", "/gk/nb/index_1.html"
R2019 = "/gk/nb/202001/t20200115_1001.html"
R2020 = "/gk/nb/202101/t20210120_1002.html"
R2021 = "/gk/nb/202201/t20220118_1003.html"  # GBK, served as utf-8
R2022 = "/gk/nb/202301/t20230116_1004.html"
PDF_2020 = "/gk/nb/202101/P020210120_1002.pdf"
PDF_2022 = "/gk/nb/202301/P020230116_1004.pdf"
ALL_YEARS = [2019, 2020, 2021, 2022]


def title(year: int) -> str:
    return f"合成县人民政府{year}年政府信息公开工作年度报告(合成测试数据)"


def crawl(mirror: Mirror, tmp_path, **settings: str) -> CrawlResult:
    return run_crawl("faults", mirror.base_url, tmp_path, settings={**FAST, **settings})


def years(result: CrawlResult) -> list[int]:
    return [r["year"] for r in result.reports()]


def asked(mirror: Mirror, path: str) -> int:
    return sum(1 for _, p in mirror.requests if p.partition("?")[0] == path)


def attachment_of(result: CrawlResult, year: int) -> dict:
    """The one attachment document of a report: how it was stored."""
    with Session(create_engine(result.database_url)) as s:
        doc = s.scalars(
            select(Document).join(Report).where(Report.report_year == year, Document.role == "attachment")
        ).one()
        return {"fetched": doc.sha256 is not None, "extracted": doc.extracted, "note": doc.note}


def findings_of(result: CrawlResult, year: int) -> list[tuple[str, str]]:
    with Session(create_engine(result.database_url)) as s:
        return [
            (r.rule, r.detail)
            for r in s.execute(
                select(ValidationFinding.rule, ValidationFinding.detail).join(Report).where(Report.report_year == year)
            )
        ]


# -- transient and permanent HTTP errors -----------------------------------------------------------


@pytest.mark.e2e
def test_a_503_twice_is_retried_with_exponential_backoff_and_the_report_stored(tmp_path):
    with Mirror(SITE, faults={R2019: [{"status": 503, "times": 2}]}) as mirror:
        result = crawl(mirror, tmp_path)
        url = mirror.base_url + R2019
        assert asked(mirror, R2019) == 3
    assert result.returncode == 0, result.log[-3000:]
    assert years(result) == ALL_YEARS
    assert result.failures() == []
    # backoff base 0.05 s: 0.05 before the first retry, 0.1 before the second
    assert f"retry 1 of {url} in 0.05 s" in result.log
    assert f"retry 2 of {url} in 0.1 s" in result.log


@pytest.mark.e2e
def test_a_500_outlasting_the_retries_is_recorded_and_the_next_crawl_fetches_the_report(tmp_path):
    with Mirror(SITE, faults={R2019: [{"status": 500, "times": 3}]}) as mirror:
        url = mirror.base_url + R2019
        first = crawl(mirror, tmp_path)
        assert asked(mirror, R2019) == 3  # the request and RETRY_TIMES = 2 retries
        assert first.returncode == 0, first.log[-3000:]
        assert years(first) == [2020, 2021, 2022]  # the failed page is not stored …
        assert first.failures() == [("http_status", url, "HTTP 500 Internal Server Error (after 2 retries)")]
        run = first.runs()[0]
        # the clean crawl's 9 requests (its 2 retries are not requests of their own); 1 failed
        assert (run.outcome, run.failures_count, run.failure_rate) == ("ok", 1, round(1 / 9, 4))

        second = crawl(mirror, tmp_path)  # same database; the fault is used up
        assert asked(mirror, R2019) == 4
    assert second.returncode == 0, second.log[-3000:]
    assert years(second) == ALL_YEARS  # … so the next crawl asks for it again and stores it
    assert second.runs()[1].failures_count == 0


@pytest.mark.e2e
def test_a_404_start_list_page_is_recorded_and_the_empty_crawl_exits_non_zero(tmp_path):
    with Mirror(SITE, faults={LIST_1: [{"status": 404}]}) as mirror:
        result = crawl(mirror, tmp_path)
        url = mirror.base_url + LIST_1
        assert asked(mirror, LIST_1) == 1  # a 404 is not retried
    assert result.returncode == 1
    assert years(result) == []
    assert result.failures() == [("http_status", url, "HTTP 404 Not Found")]
    run = result.runs()[0]
    assert (run.outcome, run.exit_reason) == ("empty", "found no report at all (an empty crawl is an error)")
    assert "faults: found no report at all" in result.log


@pytest.mark.e2e
def test_failures_above_the_threshold_fail_the_run_with_the_reports_kept(tmp_path):
    faults = {LIST_2: [{"status": 404}], R2019: [{"status": 404}], PDF_2020: [{"status": 404}]}
    with Mirror(SITE, faults=faults) as mirror:
        result = crawl(mirror, tmp_path)
        base = mirror.base_url
    assert result.returncode == 1
    assert years(result) == [2020, 2021]
    assert sorted(result.failures()) == [
        ("attachment", base + PDF_2020, "HTTP 404 Not Found"),
        ("http_status", base + R2019, "HTTP 404 Not Found"),
        ("http_status", base + LIST_2, "HTTP 404 Not Found"),
    ]
    run = result.runs()[0]
    # 7 requests: robots.txt, both lists, 2019 (404), 2020 and its PDF (404), 2021; 3 failed
    assert (run.outcome, run.failures_count, run.failure_rate) == ("failed", 3, round(3 / 7, 4))
    assert run.exit_reason == "failure rate 43% above the threshold 30% (GOVREPORTS_MAX_FAILURE_RATE)"
    assert "faults: failure rate 43% above the threshold 30%" in result.log  # stderr of `scrapy crawl`
    assert attachment_of(result, 2020) == {"fetched": False, "extracted": False, "note": "HTTP 404 Not Found"}


# -- transport faults ----------------------------------------------------------------------------


@pytest.mark.e2e
def test_a_report_page_that_times_out_is_retried_then_recorded_and_not_stored(tmp_path):
    with Mirror(SITE, faults={R2019: [{"fault": "timeout", "seconds": 3}]}) as mirror:
        result = crawl(mirror, tmp_path, RETRY_TIMES="1")
        url = mirror.base_url + R2019
        assert asked(mirror, R2019) == 2
    assert result.returncode == 0, result.log[-3000:]
    assert years(result) == [2020, 2021, 2022]
    [(kind, failed_url, reason)] = result.failures()
    assert (kind, failed_url) == ("download", url)
    assert reason.startswith("DownloadTimeoutError: ") and reason.endswith("(after 1 retry)")


@pytest.mark.e2e
def test_a_list_page_whose_connection_is_reset_is_recorded_and_its_reports_missed(tmp_path):
    with Mirror(SITE, faults={LIST_2: [{"fault": "reset"}]}) as mirror:
        result = crawl(mirror, tmp_path, RETRY_TIMES="1")
        url = mirror.base_url + LIST_2
        assert asked(mirror, LIST_2) == 2
    assert result.returncode == 0, result.log[-3000:]
    assert years(result) == [2019, 2020, 2021]  # 2022 is listed on page 2 only
    [(kind, failed_url, reason)] = result.failures()
    assert (kind, failed_url) == ("download", url)
    # Scrapy wraps Twisted's "response never received" as DownloadFailedError
    assert reason.startswith("DownloadFailedError: ") and reason.endswith("(after 1 retry)")


@pytest.mark.e2e
def test_a_truncated_attachment_is_recorded_and_the_report_stored_with_it_not_fetched(tmp_path):
    with Mirror(SITE, faults={PDF_2022: [{"fault": "truncate"}]}) as mirror:
        result = crawl(mirror, tmp_path, RETRY_TIMES="1")
        url = mirror.base_url + PDF_2022
        assert asked(mirror, PDF_2022) == 2
    assert result.returncode == 0, result.log[-3000:]
    assert years(result) == ALL_YEARS
    [(kind, failed_url, reason)] = result.failures()
    assert (kind, failed_url) == ("attachment", url)
    assert reason.startswith("ResponseDataLossError: ") and reason.endswith("(after 1 retry)")
    assert attachment_of(result, 2022) == {"fetched": False, "extracted": False, "note": reason}


@pytest.mark.e2e
def test_an_attachment_in_a_redirect_loop_is_given_up_after_redirect_max_times(tmp_path):
    with Mirror(SITE, faults={PDF_2020: [{"fault": "redirect_loop"}]}) as mirror:
        result = crawl(mirror, tmp_path)
        url = mirror.base_url + PDF_2020
        assert asked(mirror, PDF_2020) == 4  # the link and 3 redirects followed (REDIRECT_MAX_TIMES)
    assert result.returncode == 0, result.log[-3000:]
    assert years(result) == ALL_YEARS
    reason = f"redirect loop: max redirections reached, 3 redirects followed from {url} to {url}?loop=3"
    assert result.failures() == [("attachment", url, reason)]
    assert attachment_of(result, 2020) == {"fetched": False, "extracted": False, "note": reason}


@pytest.mark.e2e
def test_a_page_redirecting_to_itself_is_recorded_as_a_loop_not_dropped_silently(tmp_path):
    # the redirect is a URL the dupefilter has seen: Scrapy drops it without a word
    with Mirror(SITE, faults={R2019: [{"fault": "redirect", "to": R2019}]}) as mirror:
        result = crawl(mirror, tmp_path)
        url = mirror.base_url + R2019
        assert asked(mirror, R2019) == 1
    assert result.returncode == 0, result.log[-3000:]
    assert years(result) == [2020, 2021, 2022]
    assert result.failures() == [("download", url, f"redirect loop: {url} -> {url}")]


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("fault", "settings", "sizes"),
    [
        # 50 MB announced by Content-Length, over the default DOWNLOAD_MAXSIZE of 40 MiB: refused unread
        ({"fault": "huge", "size": 50_000_000}, {}, ("50000000 bytes", "max size (41943040)")),
        # the same body without Content-Length: cut off once more than 1 MiB has arrived
        (
            {"fault": "huge", "size": 50_000_000, "content_length": False},
            {"DOWNLOAD_MAXSIZE": "1048576"},
            ("max size (1048576)",),
        ),
    ],
    ids=["content-length", "streamed"],
)
def test_a_50_mb_attachment_is_refused_recorded_and_the_report_stored_without_it(tmp_path, fault, settings, sizes):
    with Mirror(SITE, faults={PDF_2022: [fault]}) as mirror:
        result = crawl(mirror, tmp_path, **settings)
        url = mirror.base_url + PDF_2022
        assert asked(mirror, PDF_2022) == 1  # a size limit is no transient error: not retried
    assert result.returncode == 0, result.log[-3000:]
    assert years(result) == ALL_YEARS
    [(kind, failed_url, reason)] = result.failures()
    assert (kind, failed_url) == ("attachment", url)
    assert reason.startswith("DownloadCancelledError: ")
    assert all(size in reason for size in sizes)
    assert attachment_of(result, 2022) == {"fetched": False, "extracted": False, "note": reason}


@pytest.mark.e2e
def test_a_gzip_bomb_on_a_report_page_is_stopped_and_recorded_not_dropped_silently(tmp_path):
    # 20 MB of zeros behind the page, 20 KB on the wire; decompression stops past DOWNLOAD_MAXSIZE
    with Mirror(SITE, faults={R2019: [{"fault": "gzip_bomb", "size": 20_000_000}]}) as mirror:
        result = crawl(mirror, tmp_path, DOWNLOAD_MAXSIZE="1048576")
        url = mirror.base_url + R2019
        assert asked(mirror, R2019) == 1  # a bomb is no transient error: not retried
    assert result.returncode == 0, result.log[-3000:]
    assert years(result) == [2020, 2021, 2022]
    [(kind, failed_url, reason)] = result.failures()
    assert (kind, failed_url) == ("download", url)
    assert reason.startswith("decompression bomb: ") and reason.endswith(
        "past the download max size (1048576); stopped"
    )
    run = result.runs()[0]
    assert (run.failures_count, run.summary["failures_by_kind"]) == (1, {"download": 1})


# -- content faults ------------------------------------------------------------------------------


@pytest.mark.e2e
def test_a_corrupt_pdf_is_stored_as_not_extracted_with_a_finding_not_a_crawl_failure(tmp_path):
    with Mirror(SITE, faults={PDF_2020: [{"fault": "corrupt"}]}) as mirror:
        result = crawl(mirror, tmp_path)
    assert result.returncode == 0, result.log[-3000:]
    assert years(result) == ALL_YEARS
    assert result.failures() == []  # it downloaded whole: the bytes are archived as they came
    note = "truncated PDF (no %%EOF at the end)"  # the first half of a PDF lacks its trailer
    assert attachment_of(result, 2020) == {"fetched": True, "extracted": False, "note": note}
    assert findings_of(result, 2020) == [("document_not_extracted", f"{title(2020)}.pdf: {note}")]


@pytest.mark.e2e
def test_an_html_error_page_with_status_200_is_recorded_never_stored_as_the_report(tmp_path):
    with Mirror(SITE, faults={R2019: [{"fault": "error_page", "times": 1}]}) as mirror:
        url = mirror.base_url + R2019
        first = crawl(mirror, tmp_path)
        assert first.returncode == 0, first.log[-3000:]
        # The list names it a 2019 report, so the parser would keep the list title and store the
        # error page as that report: it is dropped as a failed request instead.
        assert years(first) == [2020, 2021, 2022]
        assert first.failures() == [("http_status", url, "error page served with HTTP 200: 系统提示")]

        second = crawl(mirror, tmp_path)  # the page is back
    assert years(second) == ALL_YEARS


@pytest.mark.e2e
def test_an_attachment_answered_by_an_html_error_page_is_not_fetched(tmp_path):
    with Mirror(SITE, faults={PDF_2022: [{"fault": "error_page"}]}) as mirror:
        result = crawl(mirror, tmp_path)
        url = mirror.base_url + PDF_2022
    assert years(result) == ALL_YEARS
    reason = "error page served with HTTP 200: 系统提示"
    assert result.failures() == [("attachment", url, reason)]
    assert attachment_of(result, 2022) == {"fetched": False, "extracted": False, "note": reason}


@pytest.mark.e2e
def test_a_gbk_page_with_a_wrong_charset_header_is_read_right(tmp_path):
    # routes.json serves the GBK page with "text/html; charset=utf-8"
    with Mirror(SITE) as mirror:
        result = crawl(mirror, tmp_path)
    [report] = [r for r in result.reports() if r["year"] == 2021]
    assert (report["title"], report["source"], report["published_at"]) == (
        title(2021),
        "合成县人民政府办公室",
        "2022-01-18",
    )
    assert result.failures() == []


# -- other hosts ---------------------------------------------------------------------------------


@pytest.mark.e2e
def test_a_redirect_to_another_host_is_refused_and_recorded_and_that_host_never_asked(tmp_path):
    with Mirror(SITE) as other:  # another server: same files, another port of 127.0.0.1
        elsewhere = other.base_url + R2019
        with Mirror(SITE, faults={R2019: [{"fault": "redirect", "to": elsewhere}]}) as mirror:
            result = crawl(mirror, tmp_path)
            url = mirror.base_url + R2019
            assert asked(mirror, R2019) == 1
        assert other.requests == []  # not the page, not its robots.txt
    assert result.returncode == 0, result.log[-3000:]
    assert years(result) == [2020, 2021, 2022]  # the other host's page is no report of this portal
    host = elsewhere.split("/")[2]
    reason = f"off-site redirect refused: {url} redirected to {host}, not a host of the portal"
    assert result.failures() == [("offsite", elsewhere, reason)]


@pytest.mark.e2e
def test_an_attachment_on_another_host_is_refused_and_the_report_stored_without_it(tmp_path):
    with Mirror(SITE) as other:
        elsewhere = other.base_url + PDF_2022
        link = {"fault": "rewrite", "old": 'href="./P020230116_1004.pdf"', "new": f'href="{elsewhere}"'}
        with Mirror(SITE, faults={R2022: [link]}) as mirror:
            result = crawl(mirror, tmp_path)
            assert asked(mirror, PDF_2022) == 0
        assert other.requests == []
    assert result.returncode == 0, result.log[-3000:]
    assert years(result) == ALL_YEARS
    reason = f"off-site request refused: {elsewhere.split('/')[2]} is not a host of the portal"
    assert result.failures() == [("offsite", elsewhere, reason)]
    assert attachment_of(result, 2022) == {"fetched": False, "extracted": False, "note": reason}


@pytest.mark.e2e
def test_a_list_record_on_another_host_is_refused_by_the_hanweb_spider(tmp_path):
    # dongying's column page and dataproxy page 1 name the 2021 report by an absolute URL: pointed
    # at another server (same host 127.0.0.1, another port), it is refused, not fetched
    dongying = SITES / "dongying"
    with Mirror(dongying) as other:
        real = "http://www.dongying.gov.cn/art/2022/1/28/art_164458_10290001.html"
        elsewhere = other.base_url + "/art/2022/1/28/art_164458_10290001.html"
        step = [{"fault": "rewrite", "old": real, "new": elsewhere}]
        faults = {"/col/col164458/index.html": step, "/module/web/jpage/dataproxy.jsp": step}
        with Mirror(dongying, faults=faults) as mirror:
            result = run_crawl("dongying", mirror.base_url, tmp_path)
        assert other.requests == []
    assert result.returncode == 0, result.log[-3000:]
    reason = f"off-site request refused: {elsewhere.split('/')[2]} is not a host of the portal"
    assert result.failures() == [("offsite", elsewhere, reason)]
    # the xxgk module still lists the 2021 report on the portal itself
    assert [r["year"] for r in result.reports()] == [2018, 2019, 2020, 2021]
    assert all(r["url"].startswith(mirror.base_url) for r in result.reports())


# -- values the database cannot hold ------------------------------------------------------------

LONG_TITLE = title(2022) + "附" * 3400  # 10 KB of UTF-8
LONG_NAME = title(2020) + "附" * 362 + ".pdf"  # 400 characters
LONG_ETAG = '"' + "e" * 300 + '"'  # documents.etag is VARCHAR(200)
LONG_BODY = "合成县" + "测" * 250 + "局"  # over the 200 characters the PostgreSQL variant's CHECK allows


def hostile_values() -> dict[str, list[dict]]:
    """A 10 KB title (2022), an attachment name of 400 characters with a NUL in it (2020), an ETag
    of 302 characters (2021), and a department of a 252-character name (2019, named by its list
    title)."""
    disposition = "attachment; filename*=UTF-8''" + quote(LONG_NAME.replace("附", "附\x00", 1))
    listed_2019 = f'title="{title(2019)}"'
    return {
        R2022: [
            {
                "fault": "rewrite",
                "old": f"<h1>{title(2022)}</h1>",
                "new": f"<h1>{LONG_TITLE}</h1>",
            }
        ],
        PDF_2020: [{"fault": "rewrite", "headers": {"Content-Disposition": disposition}}],
        R2021: [{"fault": "rewrite", "headers": {"ETag": LONG_ETAG}}],
        LIST_1: [{"fault": "rewrite", "old": listed_2019, "new": f'title="{LONG_BODY}2019年政府信息公开工作年度报告"'}],
    }


@pytest.mark.e2e
def test_values_the_database_cannot_hold_never_poison_the_batch(database_url, tmp_path):
    postgres = database_url.startswith("postgresql")
    if postgres:
        # since migration 0006 no column refuses a long body name, so a rule of the database's
        # own (a DBA's CHECK) stands in for a value it cannot hold: the row refused, not the batch
        engine = db.ensure_schema(database_url)
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE bodies ADD CONSTRAINT body_name_fits CHECK (length(name) <= 200)"))
        engine.dispose()
    with Mirror(SITE, faults=hostile_values()) as mirror:
        # one batch for the whole crawl: every report shares the transaction of the refused one
        done = crawl(mirror, tmp_path, GOVREPORTS_DATABASE_URL=database_url, GOVREPORTS_BATCH_SIZE="10")
        result = CrawlResult(done.returncode, done.log, database_url)
        url_2019 = mirror.base_url + R2019
    assert result.returncode == 0, result.log[-3000:]
    with Session(create_engine(database_url)) as s:
        stored = {r.report_year: r for r in s.scalars(select(Report))}
        # the 10 KB title: cut to TITLE_MAX characters, a finding says so (the page is archived whole)
        assert stored[2022].title == LONG_TITLE[:TITLE_MAX]
        assert (
            "title_cut",
            f"title of {len(LONG_TITLE)} characters stored cut to its first {TITLE_MAX}; "
            "the whole title is in the archived page",
        ) in findings_of(result, 2022)
        # the 400-character name kept whole, its NUL stripped
        [name] = s.scalars(
            select(Document.name).join(Report).where(Report.report_year == 2020, Document.role == "attachment")
        )
        assert name == LONG_NAME
        bodies = {b.name for b in s.scalars(select(Body))}
        # an ETag too long for its column is no validator: the page is stored without it
        [etag] = s.scalars(
            select(Document.etag).join(Report).where(Report.report_year == 2021, Document.role == "page")
        )
        assert etag is None
    if postgres:  # the CHECK: that report alone is refused, recorded with its URL; the rest stored
        assert sorted(stored) == [2020, 2021, 2022]
        [(kind, url, reason)] = result.failures()
        assert (kind, url) == ("refused_report", url_2019)
        assert reason.startswith(
            "report not stored, the database refused it: IntegrityError: (psycopg.errors.CheckViolation)"
        )
        assert LONG_BODY not in bodies
        run = result.runs()[0]
        assert (run.outcome, run.reports_new, run.summary["refused_reports"]) == ("ok", 3, 1)
        assert "1 refused by the database" in result.log
    else:  # SQLite holds any length: all four stored
        assert sorted(stored) == ALL_YEARS
        assert result.failures() == []
        assert LONG_BODY in bodies
    assert not list((tmp_path / "deadletter").glob("**/*.json"))  # nothing left for a next run to retry


# -- full disks, leftovers -------------------------------------------------------------------------


@pytest.mark.e2e
def test_an_archive_on_a_full_disk_drops_no_report_silently_and_the_next_crawl_stores_them(tmp_path):
    archive = tmp_path / "archive"
    with Mirror(SITE) as mirror:
        base = mirror.base_url
        full = run_crawl("faults", base, tmp_path, settings=FAST, prefix=full_disk(archive))
        assert full.returncode == 1, full.log[-3000:]
        assert years(full) == []
        again = crawl(mirror, tmp_path)  # the same archive folder, on a disk with room
    failures = full.failures()
    assert sorted(url for _, url, _ in failures) == [base + p for p in (R2019, R2020, R2021, R2022)]
    for kind, _, reason in failures:
        assert kind == "archive"
        assert reason == (
            "report not stored, the raw archive could not keep it: OSError: [Errno 28] No space left on device"
        )
    run = full.runs()[0]
    assert (run.outcome, run.reports_new, run.items_rejected) == ("failed", 0, 0)
    assert run.exit_reason.startswith("4 reports not stored: the raw archive could not keep them")
    assert "faults: 4 reports not stored" in full.log
    assert again.returncode == 0, again.log[-3000:]
    assert years(again) == ALL_YEARS
    assert not list(archive.glob("**/*.tmp"))


def letters(tmp_path) -> list[dict]:
    return [json.loads(p.read_text("utf-8")) for p in sorted((tmp_path / "deadletter").glob("*.json"))]


@pytest.mark.e2e
@pytest.mark.parametrize("room", [0, 24 * 1024], ids=["full-at-open", "full-mid-crawl"])
def test_a_database_on_a_full_disk_keeps_every_report_as_a_dead_letter_for_the_next_run(tmp_path, room):
    made = tmp_path / "made" / "govreports.db"
    db.ensure_schema(f"sqlite:///{made}").dispose()
    folder = tmp_path / "db"
    url = f"sqlite:///{folder / 'govreports.db'}"
    settings = {**FAST, "GOVREPORTS_DATABASE_URL": url, "GOVREPORTS_BATCH_SIZE": "1"}
    reports = [R2019, R2020, R2021, R2022]
    with Mirror(SITE) as mirror:
        prefix = full_disk(folder, room=room, fill_from=made)
        full = run_crawl("faults", mirror.base_url, tmp_path, settings=settings, prefix=prefix)
        # what reached the database on the full disk went with its mount: the dead letters hold every report
        assert full.returncode == 1, full.log[-3000:]
        kept = sorted(item["page"]["url"] for letter in letters(tmp_path) for item in letter["items"])
        assert kept == [mirror.base_url + p for p in reports]
        assert all("database or disk is full" in letter["error"] for letter in letters(tmp_path))
        assert "4 reports kept as dead letters" in full.log and "dead letters: 4 reports kept" in full.log

        shutil.copy(made, folder / "govreports.db")  # the disk has room again
        start = len(mirror.requests)
        done = run_crawl("faults", mirror.base_url, tmp_path, settings=settings)
        again = CrawlResult(done.returncode, done.log, url)
        fetched = [p for _, p in mirror.requests[start:]]
    assert again.returncode == 0, again.log[-3000:]
    assert years(again) == ALL_YEARS
    assert not set(reports) & set(fetched)  # re-applied from the dead letters, not fetched again
    assert letters(tmp_path) == []
    assert again.runs()[-1].summary["dead_letters"] == {"kept": 0, "replayed": 4}


@pytest.mark.e2e
def test_temporary_files_killed_writes_left_in_the_archive_are_removed(tmp_path):
    entry = tmp_path / "archive" / ".writing"  # where writes go before their rename (storage/archive.py)
    entry.mkdir(parents=True)
    old, fresh = entry / "tmpk1ll3d.tmp", entry / "tmpwr1t1ng.tmp"
    old.write_bytes(b"\x1f\x8b half a gzip")
    fresh.write_bytes(b"\x1f\x8b another crawl writing now")
    two_hours_ago = time.time() - 2 * 3600
    os.utime(old, (two_hours_ago, two_hours_ago))
    with Mirror(SITE) as mirror:
        result = crawl(mirror, tmp_path)
    assert result.returncode == 0, result.log[-3000:]
    assert not old.exists()
    assert fresh.exists()  # younger than an hour: maybe another crawl's write in progress
    assert "removed 1 temporary files unfinished writes left in the archive" in result.log


# -- progress and the scheduled command -------------------------------------------------------------


@pytest.mark.e2e
def test_progress_lines_name_the_spider_and_replace_logstats(tmp_path):
    # a 1 s timeout keeps the crawl running for several 0.2 s progress intervals
    with Mirror(SITE, faults={R2019: [{"fault": "timeout", "seconds": 3}]}) as mirror:
        result = crawl(mirror, tmp_path, RETRY_TIMES="0", LOGSTATS_INTERVAL="0.2")
    lines = re.findall(r"\[crawler\.extensions\.progress\] INFO: (.*)", result.log)
    assert lines, result.log[-3000:]
    pattern = (
        r"faults: found \d+ lists, \d+ reports, \d+ attachments; \d+ reports scraped \(\d+ stored\), "
        r"\d+ rejected, \d+ held; \d+ responses \(\d+/min\), \d+ retries, \d+ failures; \d+ queued, \d+ downloading"
    )
    assert all(re.fullmatch(pattern, line) for line in lines), lines
    assert "Crawled " not in result.log  # Scrapy's LogStats lines, which name no spider


def govreports_crawl(mirror: Mirror, tmp_path, *settings: str) -> subprocess.CompletedProcess:
    """The command a scheduler runs, against the mirror."""
    tmp_path.mkdir()
    cmd = [
        sys.executable,
        "-m",
        "crawler.cli",
        "crawl",
        "faults",
        "--base-url",
        mirror.base_url,
        "--database-url",
        f"sqlite:///{tmp_path}/govreports.db",
        "-s",
        f"SPIDER_MODULES={SPIDER_MODULES}",
        "-s",
        "DOWNLOAD_DELAY=0",
        "-s",
        "AUTOTHROTTLE_ENABLED=0",
        "-s",
        f"GOVREPORTS_ARCHIVE_DIR={tmp_path}/archive",
    ]
    for setting in settings:
        cmd += ["-s", setting]
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=120)


@pytest.mark.e2e
def test_the_scheduled_command_exits_0_when_ok_and_1_with_the_reason_when_not(tmp_path):
    with Mirror(SITE) as mirror:
        ok = govreports_crawl(mirror, tmp_path / "ok")
    assert ok.returncode == 0, ok.stderr[-3000:]
    with Mirror(
        SITE, faults={LIST_2: [{"status": 404}], R2019: [{"status": 404}], PDF_2020: [{"status": 404}]}
    ) as mirror:
        failed = govreports_crawl(mirror, tmp_path / "failed")
    assert failed.returncode == 1
    assert "faults: failure rate 43% above the threshold 30% (GOVREPORTS_MAX_FAILURE_RATE)" in failed.stderr


@pytest.mark.e2e
def test_error_answers_a_spider_expects_are_no_failures(mirror_for, tmp_path):
    # hanweb_example: the xxgk module answers 404 for years without a report, and the older
    # dataproxy path refuses the POST with 404 before the spider falls back to GET (its README)
    mirror = mirror_for("hanweb_example")
    result = run_crawl(
        "hanweb_example", mirror.base_url, tmp_path, settings={"SPIDER_MODULES": "spiders,tests.test_hanweb_new_portal"}
    )
    assert result.returncode == 0, result.log[-3000:]
    assert len(result.reports()) == 4
    assert result.failures() == []
    assert "downloader/response_status_count/404" in result.log


# -- the pieces, without a crawl ---------------------------------------------------------------


def test_backoff_doubles_from_its_base_up_to_its_cap():
    assert [backoff_delay(n, 2.0, 60.0) for n in (1, 2, 3, 4, 5, 6)] == [2.0, 4.0, 8.0, 16.0, 32.0, 60.0]
    assert backoff_delay(2, 0.05, 60.0) == 0.1


def html_response(body: bytes, content_type: bytes = b"text/html; charset=utf-8") -> HtmlResponse:
    return HtmlResponse("http://h/a.html", body=body, headers={"Content-Type": content_type})


def test_error_pages_are_told_by_their_title_or_first_heading():
    assert error_page_title(html_response(ERROR_PAGE)) == "系统提示"
    heading_only = "<html><head><title>合成县人民政府</title></head><body><h1>404 Not Found</h1></body></html>"
    assert error_page_title(html_response(heading_only.encode())) == "404 Not Found"
    report = (SITE / "root" / R2019[1:]).read_bytes()
    assert error_page_title(html_response(report)) is None
    big = b"<html><head><title>404</title></head><body>" + b"<p>x</p>" * 20000 + b"</body></html>"
    assert error_page_title(html_response(big)) is None  # error pages are small
    assert error_page_title(html_response(b"<a><title>error</title></a>", b"text/xml")) is None


def test_a_progress_line_counts_what_was_found_and_what_became_of_it():
    crawler = get_crawler(FaultsSpider)
    crawler.spider = FaultsSpider(base_url="http://127.0.0.1:1")
    crawler._engine = SimpleNamespace(
        _slot=SimpleNamespace(scheduler=[1, 2, 3]), downloader=SimpleNamespace(active={1, 2})
    )
    progress = Progress(crawler, interval=60.0)
    spider = crawler.spider
    for url, callback, meta in [
        ("http://h/robots.txt", NO_CALLBACK, {}),  # not a page of the portal
        ("http://h/gk/nb/", spider.parse_list, {}),
        ("http://h/gk/nb/index_1.html", spider.parse_list, {}),
        ("http://h/r1.html", spider.parse_report, {}),
        ("http://h/r2.html", spider.parse_report, {}),
        ("http://h/r2.html", spider.parse_report, {}),  # asked twice, found once
        ("http://h/r3.html", spider.parse_report, {}),
        ("http://h/r1.pdf", spider._on_attachment, {FAILURE_KIND: "attachment"}),
    ]:
        progress.request_scheduled(Request(url, callback=callback, meta=meta), spider)
    for key, value in {
        "response_received_count": 12,
        "item_scraped_count": 3,
        "item_dropped_count": 1,
        "govreports/reports_new": 2,
        "govreports/reports_skipped": 4,
        "retry/count": 5,
        "govreports/failures/http_status": 2,
        "govreports/failures/rejected_item": 1,
    }.items():
        crawler.stats.set_value(key, value)
    assert progress.line() == (
        "faults: found 2 lists, 3 reports, 1 attachments; 3 reports scraped (2 stored), 1 rejected, 4 held; "
        "12 responses (12/min), 5 retries, 2 failures; 3 queued, 2 downloading"
    )
    assert "(0/min)" in progress.line()  # the rate is per interval


SENT: dict[int, list[Failure]] = {}  # id of a recorder() middleware -> the failures it sent


def recorder() -> FailureRecorder:
    """The middleware, with the failures it sends to the run record (signal failure_recorded)
    collected in SENT."""
    crawler = get_crawler(FaultsSpider)
    crawler.spider = FaultsSpider(base_url="http://127.0.0.1:1")
    mw = FailureRecorder.from_crawler(crawler)
    sent = SENT.setdefault(id(mw), [])
    crawler.signals.connect(lambda failure: sent.append(failure), signal=failure_recorded, weak=False)
    return mw


def recorded(mw: FailureRecorder) -> list[tuple[str, str | None, str]]:
    return [(f.kind, f.url, f.reason) for f in SENT[id(mw)]]


def test_a_dns_failure_after_the_retries_is_recorded_as_a_download_failure():
    mw = recorder()
    request = Request("http://portal.invalid/gk/nb/", meta={"retry_times": 3})
    assert mw.process_exception(request, CannotResolveHostError("portal.invalid")) is None  # on to the errback
    assert recorded(mw) == [("download", request.url, "CannotResolveHostError: portal.invalid (after 3 retries)")]


def test_answers_and_decisions_are_no_failures():
    mw = recorder()
    url = "http://h/gk/nb/"
    mw.process_exception(Request(url), IgnoreRequest("Forbidden by robots.txt"))
    mw.process_response(
        Request(url + "robots.txt", callback=NO_CALLBACK), html_response(b"", b"text/plain").replace(status=404)
    )
    mw.process_response(Request(url, meta={"handle_httpstatus_list": [404]}), html_response(b"").replace(status=404))
    mw.process_response(Request(url), html_response(b"").replace(status=304))  # a conditional request's answer
    assert recorded(mw) == []
    mw.process_response(Request(url, meta={"handle_httpstatus_list": [404]}), html_response(b"").replace(status=500))
    assert recorded(mw) == [("http_status", url, "HTTP 500 Internal Server Error")]
