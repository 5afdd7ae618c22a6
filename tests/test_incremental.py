"""Incremental crawls (crawler/middlewares/incremental.py): list pages every time, report pages only when
they may have changed; conditional requests; refresh; the run marker of a job directory.

Expected values are typed from tests/sites/huaibei and tests/sites/dongying (their READMEs and
pages): huaibei lists five reports (one with a PDF) on a column page, a label page 2 and a
主动公开 node with its label page; dongying lists three reports in a column (+2 dataproxy pages)
and a fourth only in its xxgk module."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from crawler.middlewares.incremental import CONDITIONAL_FETCH, FETCH, SKIP, RunMarker, decide
from crawler.mirror.server import Mirror, MirrorRequest, MirrorResponse, not_modified
from crawler.storage.models import Report, ReportVersion
from crawler.storage.store import HeldReport
from tests.conftest import SITES
from tests.crawl import run_crawl
from tests.rows import stored_rows

PUBLIC = "/zwgk/public/15/"
HUAIBEI_REPORTS = [f"{PUBLIC}{n}.html" for n in ("10359541", "99000111", "99000121", "99000131", "99000141")]
HUAIBEI_PDF = "/group1/M00/02/5E/CgAAZWAUx9qAFbRqAAAH5nT3a1s839.pdf"  # attachment of 99000111 (2020)
T2019 = "淮北市人民政府2019年政府信息公开工作年度报告【合成测试数据】"  # page 99000121
SEEN = datetime(2024, 1, 1)


def held(list_date="2020-01-20", etag=None, last_modified=None, complete=True, last_seen=SEEN) -> HeldReport:
    return HeldReport(list_date, etag, last_modified, last_seen, complete)


# -- the decision -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stored", "list_date", "options", "expected"),
    [
        (None, "2020-01-20", {}, FETCH),  # not held
        (held(complete=False), "2020-01-20", {}, FETCH),  # an attachment failed last time
        (held(), "2020-01-20", {}, SKIP),  # same list date, no validators
        (held(), None, {}, SKIP),  # a list without dates says nothing new
        (held(), "2020-02-03", {}, FETCH),  # the list shows another date
        (held(list_date=None), "2020-01-20", {}, FETCH),  # a date where there was none
        (held(etag='"r1"'), "2020-01-20", {}, CONDITIONAL_FETCH),
        (held(last_modified="Mon, 20 Jan 2020 08:30:00 GMT"), "2020-01-20", {}, CONDITIONAL_FETCH),
        (held(etag='"r1"'), "2020-02-03", {}, FETCH),  # list date wins over validators
        (held(), "2020-01-20", {"refresh": True}, FETCH),
        # a resumed refresh: stored since the refresh started -> done; before -> fetch
        (
            held(last_seen=datetime(2024, 5, 2)),
            "2020-01-20",
            {"refresh": True, "refreshed_since": datetime(2024, 5, 1)},
            SKIP,
        ),
        (
            held(last_seen=datetime(2024, 4, 30)),
            "2020-01-20",
            {"refresh": True, "refreshed_since": datetime(2024, 5, 1)},
            FETCH,
        ),
    ],
)
def test_decide(stored, list_date, options, expected):
    assert decide(stored, list_date, **options) == expected


def test_the_held_index_has_stored_reports_only_and_knows_incomplete_ones(database_url):
    """A bare report row (content_hash '', left by a failed batch on SQLite) is not held; a report
    whose attachment failed is held but incomplete."""
    from crawler.storage import db
    from crawler.storage.models import Body, Document
    from crawler.storage.store import held_reports

    engine = db.ensure_schema(database_url)
    with Session(engine) as s, s.begin():
        body = Body(name="淮北市人民政府")
        s.add(body)
        s.flush()
        for n, content in ((1, "ab12"), (2, ""), (3, "cd34")):
            s.add(
                Report(
                    id=n,
                    body_id=body.id,
                    report_year=2019 + n,
                    title=f"r{n}",
                    url=f"http://m/{n}",
                    canonical_url=f"https://p/{n}",
                    content_hash=content,
                    list_date="2020-01-20",
                    spider="huaibei",
                    first_seen=SEEN,
                    last_seen=SEEN,
                )
            )
        s.flush()
        s.add_all(
            [
                Document(
                    report_id=1,
                    role="page",
                    url="http://m/1",
                    canonical_url="https://p/1",
                    sha256="e1",
                    etag='"r1"',
                    last_modified=None,
                    fetched_at=SEEN,
                ),
                Document(
                    report_id=3,
                    role="page",
                    url="http://m/3",
                    canonical_url="https://p/3",
                    sha256="e3",
                    fetched_at=SEEN,
                ),
                Document(
                    report_id=3,
                    role="attachment",
                    url="http://m/3.pdf",
                    canonical_url="https://p/3.pdf",
                    sha256=None,
                    note="download failed",
                    fetched_at=SEEN,
                ),
            ]
        )
    with Session(engine) as s:
        assert held_reports(s, "huaibei") == {
            "https://p/1": held(etag='"r1"'),
            "https://p/3": held(complete=False),
        }
        assert held_reports(s, "dongying") == {}
    engine.dispose()


# -- the mirror's conditional answers -------------------------------------------------------------


def mirror_request(**headers: str) -> MirrorRequest:
    return MirrorRequest("GET", "/a.html", "", {}, headers, {})


def test_mirror_answers_304_only_when_validators_match():
    page = MirrorResponse(
        200, {"Content-Type": "text/html", "ETag": '"r1"', "Last-Modified": "Mon, 20 Jan 2020 08:30:00 GMT"}, b"page"
    )
    assert not_modified(mirror_request(), page) is page  # not conditional
    answer = not_modified(mirror_request(**{"If-None-Match": '"r1"'}), page)
    assert (answer.status, answer.body, answer.headers) == (
        304,
        b"",
        {"ETag": '"r1"', "Last-Modified": "Mon, 20 Jan 2020 08:30:00 GMT"},
    )
    assert not_modified(mirror_request(**{"If-None-Match": '"r0", "r1"'}), page).status == 304  # one of a list
    assert not_modified(mirror_request(**{"If-None-Match": '"r0"'}), page).status == 200
    # If-Modified-Since: not modified since a later or equal date; If-None-Match wins when both are sent
    assert not_modified(mirror_request(**{"If-Modified-Since": "Tue, 21 Jan 2020 00:00:00 GMT"}), page).status == 304
    assert not_modified(mirror_request(**{"If-Modified-Since": "Sun, 19 Jan 2020 00:00:00 GMT"}), page).status == 200
    both = {"If-None-Match": '"r0"', "If-Modified-Since": "Tue, 21 Jan 2020 00:00:00 GMT"}
    assert not_modified(mirror_request(**both), page).status == 200
    assert (
        not_modified(mirror_request(**{"If-None-Match": '"r1"'}), MirrorResponse(404, {"ETag": '"r1"'})).status == 404
    )


# -- the run marker ------------------------------------------------------------------------------


def test_run_marker_keeps_an_interrupted_refresh_until_it_finishes(tmp_path):
    marker = RunMarker(tmp_path / "job", "huaibei")
    first, resumed = marker.start(refresh=True)
    assert (resumed, first["refresh"]) == (False, True)
    again, resumed = marker.start(refresh=False)  # restarted without -a refresh=1: still the refresh
    assert (resumed, again["refresh"], again["started_at"]) == (True, True, first["started_at"])
    marker.finish()
    assert not marker.path.exists()
    plain, _ = marker.start(refresh=False)
    fresh, resumed = marker.start(refresh=True)  # a refresh after an interrupted plain crawl starts afresh
    assert (resumed, fresh["refresh"]) == (False, True)
    assert fresh["started_at"] >= plain["started_at"]


# -- end to end ----------------------------------------------------------------------------------


def site_copy(tmp_path, spider: str):
    """A copy of a mirror folder the test may edit (served files are read on every request)."""
    site = tmp_path / "site"
    shutil.copytree(SITES / spider, site)
    return site


def edit(path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new), "utf-8")


def requests_since(mirror: Mirror, start: int) -> list[tuple[str, str | None, str | None, str | None]]:
    """(path, type, catId, pageIndex) of the requests since `start`, sorted."""
    out = []
    for _, url in mirror.requests[start:]:
        parts = urlsplit(url)
        q = {k: v[0] for k, v in parse_qs(parts.query).items()}
        out.append((parts.path, q.get("type"), q.get("catId"), q.get("pageIndex")))
    return sorted(out, key=str)


HUAIBEI_LISTS = sorted(
    [
        ("/robots.txt", None, None, None),
        ("/zwgk/public/column/15", "3", None, "1"),  # column page with the page-1 rows
        ("/site/label/8888", "3", None, "2"),  # label page 2
        ("/zwgk/public/column/15", "4", "99000001", "1"),  # the 主动公开 node found in the tree
        ("/site/label/8888", "4", "99000001", "1"),  # its label page
    ],
    key=str,
)


def last_seen(database_url: str) -> dict[str, datetime]:
    with Session(create_engine(database_url)) as s:
        return {r.canonical_url: r.last_seen for r in s.scalars(select(Report))}


@pytest.mark.e2e
def test_an_unchanged_recrawl_fetches_the_lists_only(tmp_path):
    with Mirror(SITES / "huaibei") as mirror:
        first = run_crawl("huaibei", mirror.base_url, tmp_path)
        assert first.returncode == 0, first.log[-3000:]
        rows, seen = stored_rows(first.database_url), last_seen(first.database_url)
        start = len(mirror.requests)
        again = run_crawl("huaibei", mirror.base_url, tmp_path)
    assert again.returncode == 0, again.log[-3000:]
    assert requests_since(mirror, start) == HUAIBEI_LISTS
    run = again.runs()[-1]
    assert (run.outcome, run.reports_new, run.reports_changed, run.reports_unchanged) == ("ok", 0, 0, 5)
    assert run.summary["reports_skipped"] == 5
    assert stored_rows(again.database_url) == rows
    # skipped reports are still seen: last_seen moves on for all five
    assert all(t > seen[url] for url, t in last_seen(again.database_url).items())


@pytest.mark.e2e
def test_a_hanweb_recrawl_skips_the_column_reports_and_still_drops_their_xxgk_copies(tmp_path):
    """dongying: the xxgk module repeats the 2019 and 2021 column reports; skipped in the column,
    they must still keep the module's copies out (else: a 'changed' report built from the module page)."""
    with Mirror(SITES / "dongying") as mirror:
        first = run_crawl("dongying", mirror.base_url, tmp_path)
        assert first.returncode == 0, first.log[-3000:]
        rows = stored_rows(first.database_url)
        start = len(mirror.requests)
        again = run_crawl("dongying", mirror.base_url, tmp_path)
    assert again.returncode == 0, again.log[-3000:]
    paths = [p for _, p in mirror.requests[start:]]
    assert not [p for p in paths if p.startswith(("/art/", "/attach/", "/_files/", "/module/download/"))]
    run = again.runs()[-1]
    # three column reports skipped; 2020 is only in the module: fetched again, unchanged
    assert (run.reports_new, run.reports_changed, run.reports_unchanged, run.summary["reports_skipped"]) == (0, 0, 4, 3)
    assert stored_rows(again.database_url) == rows


def metric(values: list[dict], code: str) -> str:
    (found,) = [m["value"] for m in values if m["code"] == code]
    return found


@pytest.mark.e2e
def test_a_report_edited_on_the_portal_gets_a_new_version(tmp_path):
    """The 2019 city report is edited (two numbers) and the lists show a new date for it."""
    site = site_copy(tmp_path, "huaibei")
    with Mirror(site) as mirror:
        first = run_crawl("huaibei", mirror.base_url, tmp_path)
        assert first.returncode == 0, first.log[-3000:]
        before = stored_rows(first.database_url)
        page = site / "root" / "zwgk/public/15/99000121.html"
        edit(page, "本年主动公开政府信息1019条", "本年主动公开政府信息1020条")
        edit(page, "本年收到政府信息公开申请19件", "本年收到政府信息公开申请21件")
        for name in ("column_15_type3_p1.html", "label_15_type3_p1.html"):
            edit(site / "root" / "lists" / name, '<li class="rq">2020-01-20</li>', '<li class="rq">2020-02-03</li>')
        start = len(mirror.requests)
        again = run_crawl("huaibei", mirror.base_url, tmp_path)
    assert again.returncode == 0, again.log[-3000:]
    fetched = [p for _, p in mirror.requests[start:] if p.startswith(PUBLIC) or p == HUAIBEI_PDF]
    assert fetched == [f"{PUBLIC}99000121.html"]
    run = again.runs()[-1]
    assert (run.reports_new, run.reports_changed, run.reports_unchanged) == (0, 1, 5 - 1)
    with Session(create_engine(again.database_url)) as s:
        report = s.scalar(select(Report).where(Report.title == T2019))
        (old,) = s.scalars(select(ReportVersion)).all()
        assert (report.version, report.list_date, old.report_id, old.version) == (2, "2020-02-03", report.id, 1)
        assert (metric(old.metrics, "proactive.total"), metric(old.metrics, "apps.new")) == ("1019", "19")
    now = again.metrics(T2019)
    assert (now[("proactive.total", None, None)], now[("apps.new", None, "total")]) == (Decimal(1020), Decimal(21))
    after = stored_rows(again.database_url)
    for table in ("reports", "documents", "report_metrics"):  # the other four reports: untouched
        assert [r for r in after[table] if r[2] != T2019] == [r for r in before[table] if r[2] != T2019]


@pytest.mark.e2e
def test_pages_with_an_etag_are_asked_conditionally_and_a_304_skips_them(tmp_path):
    site = site_copy(tmp_path, "huaibei")
    routes = json.loads((site / "routes.json").read_text("utf-8"))
    (site / "routes.json").write_text(
        json.dumps(routes + [{"path": f"{PUBLIC}*", "headers": {"ETag": '"r1"'}}]), "utf-8"
    )
    with Mirror(site) as mirror:
        first = run_crawl("huaibei", mirror.base_url, tmp_path)
        assert first.returncode == 0, first.log[-3000:]
        start = len(mirror.requests)
        again = run_crawl("huaibei", mirror.base_url, tmp_path)
        assert again.returncode == 0, again.log[-3000:]
        second = [p for _, p in mirror.requests[start:]]
        # then the 2019 report is edited and its ETag changes: only it comes back with a 200
        edit(site / "root" / "zwgk/public/15/99000121.html", "本年主动公开政府信息1019条", "本年主动公开政府信息1020条")
        mirror.routes.insert(0, {"path": f"{PUBLIC}99000121.html", "headers": {"ETag": '"r2"'}})
        third = run_crawl("huaibei", mirror.base_url, tmp_path)
    assert third.returncode == 0, third.log[-3000:]
    assert sorted(p for p in second if p.startswith(PUBLIC) or p == HUAIBEI_PDF) == HUAIBEI_REPORTS  # no PDF
    _, run2, run3 = third.runs()
    assert run2.stats["downloader/response_status_count/304"] == 5
    assert run2.stats["govreports/reports_not_modified"] == 5
    assert (run2.outcome, run2.reports_unchanged, run2.summary["reports_skipped"]) == ("ok", 5, 5)
    assert run3.stats["downloader/response_status_count/304"] == 4
    assert (run3.reports_changed, run3.reports_unchanged, run3.summary["reports_skipped"]) == (1, 4, 4)
    assert third.metrics(T2019)[("proactive.total", None, None)] == Decimal(1020)


@pytest.mark.e2e
def test_refresh_fetches_every_report_again(tmp_path):
    with Mirror(SITES / "huaibei") as mirror:
        first = run_crawl("huaibei", mirror.base_url, tmp_path)
        assert first.returncode == 0, first.log[-3000:]
        rows = stored_rows(first.database_url)
        start = len(mirror.requests)
        again = run_crawl("huaibei", mirror.base_url, tmp_path, args={"refresh": "1"})
    assert again.returncode == 0, again.log[-3000:]
    assert requests_since(mirror, start) == sorted(
        HUAIBEI_LISTS + [(p, None, None, None) for p in [*HUAIBEI_REPORTS, HUAIBEI_PDF]], key=str
    )
    run = again.runs()[-1]
    assert (run.reports_new, run.reports_changed, run.reports_unchanged, run.summary["reports_skipped"]) == (0, 0, 5, 0)
    assert stored_rows(again.database_url) == rows


def test_reading_the_held_index_never_creates_a_database(tmp_path):
    from crawler.middlewares.incremental import load_held

    missing = tmp_path / "sub" / "govreports.db"
    assert load_held(f"sqlite:///{missing}", "dongying") == {}
    assert not missing.exists() and not missing.parent.exists()
