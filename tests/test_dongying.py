"""The dongying spider on its Hanweb mirror (tests/sites/dongying, see its README): parsing of
column pages, dataproxy pages, the xxgk module and report pages from the mirror's files; the
spider's own requests against the running mirror; a real crawl into a database."""

from __future__ import annotations

import asyncio
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import scrapy
from scrapy.http import Request
from scrapy.responsetypes import responsetypes
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.items import ReportPage
from crawler.mirror.server import Mirror
from crawler.registry import spider_class
from spiders.platforms.hanweb import HanwebSpider, JpageList, Record, js_object
from tests.conftest import SITES, fake_response
from tests.crawl import run_crawl

DongyingSpider: type[HanwebSpider] = spider_class("dongying")

ROOT = SITES / "dongying" / "root"
BASE = "http://127.0.0.1:8999"  # a mirror address: links to www.dongying.gov.cn are rewritten to it
COLUMN = f"{BASE}/col/col164458/index.html"
PROXY = f"{BASE}/module/web/jpage/dataproxy.jsp"
WEBNAME = "%E4%B8%9C%E8%90%A5%E5%B8%82%E4%BA%BA%E6%B0%91%E6%94%BF%E5%BA%9C"  # 东营市人民政府
SEED_TITLE = "东营市人民政府2019年政府信息公开工作年度报告"
T2018 = "东营市人民政府2018年政府信息公开工作年度报告(合成测试数据)"
T2020 = "东营市人民政府2020年政府信息公开工作年度报告(合成测试数据)"
T2021 = "东营市人民政府2021年政府信息公开工作年度报告(合成测试数据)"
XML = {"Content-Type": "text/xml; charset=utf-8"}


def spider() -> HanwebSpider:
    return DongyingSpider(base_url=BASE)


def page(path: str, url: str | None = None, headers: dict | None = None, replace: tuple[str, str] | None = None):
    body = (ROOT / path).read_bytes()
    if replace:
        body = body.replace(replace[0].encode(), replace[1].encode())
    return fake_response(url or f"{BASE}/{path}", body, headers=headers)


def column_list(s: HanwebSpider) -> JpageList:
    (jlist,) = s.jpage_lists(page("col/col164458/index.html", COLUMN), "164458")
    return jlist


def requests_of(results: Iterable[Any]) -> list[Request]:
    return [r for r in results if isinstance(r, Request)]


def report_urls(results: Iterable[Any]) -> list[str]:
    return [r.url for r in requests_of(results) if getattr(r.callback, "__name__", None) == "parse_report"]


def list_requests(results: Iterable[Any]) -> list[Request]:
    return [r for r in requests_of(results) if getattr(r.callback, "__name__", None) == "parse_dataproxy"]


# -- column page --------------------------------------------------------------------------------


def test_column_page_gives_its_own_jpage_list_with_full_titles_and_dates():
    s = spider()
    jlists = s.jpage_lists(page("col/col164458/index.html", COLUMN), "164458")
    assert len(jlists) == 1  # the side list of column 90054 is not ours
    (jlist,) = jlists
    assert jlist.unit_id == "4468466"
    assert jlist.params == {
        "col": "1",
        "appid": "1",
        "webid": "1",
        "path": "/",
        "columnid": "164458",
        "sourceContentType": "1",
        "unitid": "4468466",
        "webname": "东营市人民政府",
        "permissiontype": "0",
    }
    assert (jlist.per_page, jlist.total_record, jlist.total_pages) == (3, 9, 3)
    assert jlist.proxy_url == PROXY
    assert jlist.nextgroup == (
        f"{PROXY}?page=1&appid=1&webid=1&path=/&columnid=164458&unitid=4468466&webname={WEBNAME}&permissiontype=0"
    )
    assert jlist.records == [
        # absolute link to the portal: rewritten onto the mirror
        Record(f"{BASE}/art/2022/1/28/art_164458_10290001.html", T2021, "2022-01-28"),
        Record(
            f"{BASE}/art/2022/1/10/art_164458_10280001.html",
            "东营市人民政府办公室关于做好2021年度政府信息公开工作年度报告编制和发布工作的通知",
            "2022-01-10",
        ),
        Record(
            f"{BASE}/art/2020/3/31/art_90054_9302490.html",
            "图解:东营市人民政府2019年政府信息公开工作年度报告",
            "2020-03-31",
        ),
    ]


def test_column_page_asks_for_the_report_and_posts_for_page_two_with_referer():
    results = list(spider().parse_column(page("col/col164458/index.html", COLUMN), column_id="164458"))
    (report,) = [r for r in results if r.callback.__name__ == "parse_report"]
    assert report.url == f"{BASE}/art/2022/1/28/art_164458_10290001.html"
    assert report.headers["Referer"] == COLUMN.encode()
    assert report.cb_kwargs["listing"]["list_title"] == T2021
    assert report.cb_kwargs["listing"]["list_date"] == "2022-01-28"
    (more,) = list_requests(results)
    assert more.method == "POST"
    assert more.url == f"{PROXY}?startrecord=4&endrecord=6&perpage=3"
    assert more.headers["Referer"] == COLUMN.encode()
    form = dict(parse_qsl(more.body.decode()))
    assert form["columnid"] == "164458" and form["unitid"] == "4468466" and form["webid"] == "1"
    assert form["webname"] == "东营市人民政府"  # UTF-8 URL-encoded in the body
    assert f"webname={WEBNAME}".encode() in more.body


def test_column_page_in_unsketched_markup_still_gives_its_records():
    # the datastore script not directly inside the unit's div (the real markup is a pattern)
    body = page("col/col164458/index.html").body.replace(
        b'<div id="4468466"><script', b'<div id="4468466"><div><script'
    )
    body = body.replace(b'<div id="4468470"><script', b'<div id="4468470"><div><script')
    (jlist,) = spider().jpage_lists(fake_response(COLUMN, body), "164458")
    assert jlist.unit_id == "4468466" and jlist.params["unitid"] == "4468466"
    assert [r.title for r in jlist.records][:3] == [
        T2021,
        "东营市人民政府办公室关于做好2021年度政府信息公开工作年度报告编制和发布工作的通知",
        "图解:东营市人民政府2019年政府信息公开工作年度报告",
    ]


def test_js_object_reads_flat_pairs_and_stops_at_the_closing_brace():
    text = "var param_1 = {a:1, b:'x,y', c:\"z\"}; var other = {a:2};"
    assert js_object(text, r"var\s+param_1\s*=\s*\{") == {"a": "1", "b": "x,y", "c": "z"}
    assert js_object(text, r"var\s+param_9\s*=\s*\{") == {}


# -- dataproxy pages ------------------------------------------------------------------------------


def parse_list_page(s, path, page_no, *, method="POST", previous=None, replace=None):
    response = page(path, f"{PROXY}?startrecord={(page_no - 1) * 3 + 1}", XML, replace)
    return list(s.parse_dataproxy(response, column_list(s), page_no, method, False, previous))


def test_page_two_gives_the_seed_report_and_asks_for_page_three():
    s = spider()
    results = parse_list_page(s, "_lists/164458_p2.xml", 2)
    assert report_urls(results) == [f"{BASE}/art/2020/2/27/art_164458_841.html"]  # H5 and 公告 skipped
    (more,) = list_requests(results)
    assert (more.method, more.url) == ("POST", f"{PROXY}?startrecord=7&endrecord=9&perpage=3")
    assert more.headers["Referer"] == COLUMN.encode()


def test_last_page_without_nextgroup_stops_and_the_same_article_under_another_column_is_dropped():
    s = spider()
    results = parse_list_page(s, "_lists/164458_p3.xml", 3)
    # art_170062_7018 is art_164458_7018 again; the 通知 is not a report
    assert report_urls(results) == [f"{BASE}/art/2019/3/29/art_164458_7018.html"]
    assert list_requests(results) == []


def test_empty_recordset_stops():
    assert parse_list_page(spider(), "_lists/empty.xml", 4) == []


def test_page_beyond_totalpage_is_not_asked_for_even_with_a_nextgroup():
    results = parse_list_page(spider(), "_lists/164458_p2.xml", 2, replace=("<totalpage>3<", "<totalpage>2<"))
    assert len(report_urls(results)) == 1
    assert list_requests(results) == []


def test_missing_nextgroup_stops_before_totalpage():
    results = parse_list_page(spider(), "_lists/164458_p2.xml", 2, replace=("<nextgroup>", "<!-- -->"))
    assert len(report_urls(results)) == 1
    assert list_requests(results) == []


def test_a_page_repeating_the_previous_one_stops():
    s = spider()
    previous = [
        f"{BASE}/art/2020/3/20/art_164458_9301001.html",
        f"{BASE}/art/2020/2/27/art_164458_841.html",
        f"{BASE}/art/2020/2/26/art_164458_820.html",
    ]
    assert list_requests(parse_list_page(s, "_lists/164458_p2.xml", 2, previous=previous)) == []


@pytest.mark.parametrize("layout", ["empty datastore", "no datastore"])
def test_a_column_page_that_ships_no_record_asks_the_proxy_from_the_first_record(layout):
    """Some Hanweb columns render every record through the proxy: the page holds an empty
    datastore, or none at all beside its param_ and its jpage(…) call (totalRecord 9, perPage 3)."""
    html = (ROOT / "col/col164458/index.html").read_text("utf-8")
    start = html.index('<div id="4468466">')
    end = html.index("</div>", start) + len("</div>")
    shell = '<div id="4468466"><script type="text/xml"><datastore></datastore></script></div>'
    html = html[:start] + (shell if layout == "empty datastore" else "") + html[end:]
    s = spider()
    response = fake_response(COLUMN, html.encode())
    results = list(s.parse_column(response, "164458"))
    assert report_urls(results) == []
    (first,) = list_requests(results)
    assert (first.method, first.url) == ("POST", f"{PROXY}?startrecord=1&endrecord=3&perpage=3")
    # the proxy's first page gives the records the column page did not show, and asks for the next
    answer = page("_lists/164458_p2.xml", first.url, XML)
    jlist = first.cb_kwargs["jlist"]
    more = list(s.parse_dataproxy(answer, jlist, 1, "POST", True, None))
    assert report_urls(more) and list_requests(more)


def test_get_form_keeps_the_nextgroup_parameters_and_counts_pages():
    s = spider()
    jlist = column_list(s)
    assert s.first_dataproxy_page(jlist, "GET") == 1  # where <nextgroup> points; POST starts at 2
    assert s.first_dataproxy_page(jlist, "POST") == 2
    response = page("_lists/164458_p2.xml", f"{PROXY}?page=2", XML)
    (more,) = list_requests(s.parse_dataproxy(response, jlist, 2, "GET", False, None))
    assert more.method == "GET"
    assert dict(parse_qsl(urlsplit(more.url).query)) == {
        "page": "3",
        "appid": "1",
        "webid": "1",
        "path": "/",
        "columnid": "164458",
        "unitid": "4468466",
        "webname": "东营市人民政府",
        "permissiontype": "0",
    }
    assert more.headers["Referer"] == COLUMN.encode()


def test_a_failing_first_post_falls_back_to_get_once():
    s = spider()
    jlist = column_list(s)
    first = s.dataproxy_request(jlist, 2, "POST", fallback=True)
    not_found = fake_response(first.url, b"<html>404</html>")
    failure = Failure(HttpError(not_found, "404"))
    failure.request = first
    (retry,) = list(s.dataproxy_failed(failure))
    assert retry.method == "GET" and dict(parse_qsl(urlsplit(retry.url).query))["page"] == "1"
    # an HTML page instead of a datastore counts as a failure too
    (retry,) = list(s.parse_dataproxy(not_found, jlist, 2, "POST", True, None))
    assert retry.method == "GET"
    # a later page failing ends the list
    failure.request = s.dataproxy_request(jlist, 3, "POST")
    assert list(s.dataproxy_failed(failure)) == []


def test_records_on_other_sites_are_not_followed():
    s = DongyingSpider()  # the real portal: requests are only built here, nothing is fetched
    records = [
        Record(
            "http://m.sd.gov.cn/art/2017/4/8/art_97636_9226468.html",
            "东营市人民政府2016年政府信息公开工作年度报告",
            "2017-04-08",
        ),
        Record(
            "http://sydxrhfzbgs.dongying.gov.cn/art/2022/1/17/art_92222_10282718.html",
            "东营市某部门2021年政府信息公开工作年度报告",
            "2022-01-17",
        ),
    ]
    # the provincial copy stays out; a dongying.gov.cn sub-host is the portal's
    assert [r.url for r in s.report_requests(records, COLUMN)] == [records[1].url]


# -- xxgk module --------------------------------------------------------------------------------


def test_xxgk_module_is_asked_for_every_year_with_the_seen_parameters():
    urls = [r.url for r in spider().xxgk_requests()]
    assert f"{BASE}/module/xxgk/xxgkAnnualReport.jsp?area=dongyingshi&fbtime=2020&showType=2" in urls
    years = [int(dict(parse_qsl(urlsplit(u).query))["fbtime"]) for u in urls]
    assert min(years) == 2008 and set(range(2008, 2022)) <= set(years)


def xxgk(s, name, year):
    url = f"{BASE}/module/xxgk/xxgkAnnualReport.jsp?area=dongyingshi&fbtime={year}&showType=2"
    return list(s.parse_xxgk(page(f"_xxgk/{name}", url), area="dongyingshi", year=year))


def test_xxgk_page_of_a_report_not_in_the_column_becomes_a_report():
    (item,) = xxgk(spider(), "dongyingshi_2020.html", 2020)
    assert isinstance(item, ReportPage)
    assert item.list_title == T2020
    assert (
        item.canonical_url
        == "http://www.dongying.gov.cn/module/xxgk/xxgkAnnualReport.jsp?area=dongyingshi&fbtime=2020&showType=2"
    )
    assert item.body_name == "东营市人民政府" and item.attachments == []


def test_xxgk_page_of_a_report_already_found_in_the_column_is_dropped():
    s = spider()
    list(s.parse_report(page("art/2020/2/27/art_164458_841.html"), {"list_title": SEED_TITLE}))
    assert xxgk(s, "dongyingshi_2019.html", 2019) == []


def test_xxgk_years_without_a_report_give_nothing():
    s = spider()
    assert xxgk(s, "empty.html", 2018) == []
    assert xxgk(s, "no_report.html", 2017) == []  # titled 政府信息公开年报: no year, not a report


# -- report pages ---------------------------------------------------------------------------------


def test_seed_page_attachments_and_related_links():
    s = spider()
    attachments, related = s.attachment_links(page("art/2020/2/27/art_164458_841.html"))
    assert attachments == [
        (
            f"{BASE}/attach/0/9f3c2a7b41d04c7e8a1b6d2e5f0c3a91.doc",
            "东营市人民政府2019年政府信息公开工作年度报告(最终版).doc",
        ),
        (
            f"{BASE}/module/download/downfile.jsp?classid=0&filename=2002271630453821.pdf",
            "东营市人民政府2019年政府信息公开工作年度报告(最终版).pdf",
        ),
    ]
    assert related == [
        ("https://www.yunzhan365.com/33421620.html", "https://www.yunzhan365.com/33421620.html"),
        ("/art/2020/3/31/art_90054_9302490.html?xxgkhide=1", f"{BASE}/art/2020/3/31/art_90054_9302490.html?xxgkhide=1"),
        ("H5解读|东营市人民政府2019年政府信息公开工作年度报告", f"{BASE}/art/2020/3/20/art_164458_9301001.html"),
    ]


def test_downfile_pdf_served_as_octet_stream_is_typed_by_its_filename():
    s = spider()
    item = ReportPage(spider="dongying", url="u", canonical_url="u", body=b"")
    url = f"{BASE}/module/download/downfile.jsp?classid=0&filename=2002271630453821.pdf"
    response = fake_response(
        url, (ROOT / "_files/2002271630453821.pdf").read_bytes(), headers={"Content-Type": "application/octet-stream"}
    )
    (done,) = list(s._on_attachment(response, item, "东营市人民政府2019年政府信息公开工作年度报告(最终版).pdf", []))
    assert done.attachments[0].media_type == "application/pdf"
    assert done.attachments[0].body.startswith(b"%PDF")


def test_an_illustrated_page_behind_a_report_like_list_title_is_not_a_report():
    response = page("art/2020/3/31/art_90054_9302490.html")
    assert list(spider().parse_report(response, {"list_title": SEED_TITLE})) == []


# -- the spider's requests against the running mirror --------------------------------------------


def drive(s, on_idle: Callable[[], Iterable[Request]]) -> list[ReportPage]:
    """Send the spider's requests to the mirror with urllib, one by one, and feed the answers to
    its callbacks (non-2xx to the errback, as Scrapy does); `on_idle` gives the requests Scrapy's
    spider_idle signal would add. No engine: this checks the requests as the spider builds them."""

    async def first() -> list[Request]:
        return [r async for r in s.start()]

    queue, seen, idle_done = asyncio.run(first()), set(), False
    items: list[ReportPage] = []
    while queue or not idle_done:
        if not queue:
            queue, idle_done = list(on_idle()), True
            continue
        request = queue.pop(0)
        key = (request.method, request.url, request.body)
        if key in seen and not request.dont_filter:
            continue
        seen.add(key)
        assert urllib.parse.urlsplit(request.url).hostname == "127.0.0.1", f"left the mirror: {request.url}"
        raw = urllib.request.Request(
            request.url,
            data=request.body or None,
            method=request.method,
            headers={k.decode(): v[0].decode() for k, v in request.headers.items()},
        )
        try:
            with urllib.request.urlopen(raw) as answer:
                status, headers, body = answer.status, dict(answer.headers), answer.read()
        except urllib.error.HTTPError as error:
            status, headers, body = error.code, dict(error.headers), error.read()
        cls = responsetypes.from_args(headers=headers, url=request.url, body=body)
        response = cls(url=request.url, status=status, headers=headers, body=body, request=request)
        if status >= 400:
            if not request.errback:
                continue
            failure = Failure(HttpError(response, "status"))
            failure.request = request  # type: ignore[attr-defined]  # as Scrapy hands it to errbacks
            out = request.errback(failure) or []
        else:
            assert request.callback is not None
            out = request.callback(response, **request.cb_kwargs) or []
        for result in out:
            (queue if isinstance(result, scrapy.Request) else items).append(result)
    return items


def test_spider_requests_against_the_running_mirror(mirror_for):
    mirror = mirror_for("dongying")
    s = DongyingSpider(base_url=mirror.base_url)
    items = drive(s, s.xxgk_requests)
    assert sorted(i.list_title for i in items) == [T2018, SEED_TITLE, T2020, T2021]
    by_title = {i.list_title: i for i in items}
    assert [a.name for a in by_title[SEED_TITLE].attachments] == [
        "东营市人民政府2019年政府信息公开工作年度报告(最终版).doc",
        "东营市人民政府2019年政府信息公开工作年度报告(最终版).pdf",
    ]
    assert [a.media_type for a in by_title[SEED_TITLE].attachments] == ["application/msword", "application/pdf"]
    assert len(by_title[T2021].attachments) == 1 and by_title[T2018].attachments == []
    asked = [f"{m} {p}" for m, p in mirror.requests]
    # the handler answers an empty list without the column page as Referer: both pages came through
    assert "POST /module/web/jpage/dataproxy.jsp?startrecord=4&endrecord=6&perpage=3" in asked
    assert "POST /module/web/jpage/dataproxy.jsp?startrecord=7&endrecord=9&perpage=3" in asked
    assert not [p for p in asked if "startrecord=10" in p or "columnid=90054" in p]
    never = (
        "art_170062_7018",
        "art_164458_10280001",
        "art_90054_9302490",
        "art_164458_9301001",
        "art_164458_820",
        "art_164458_6901",
    )
    assert not [p for p in asked if any(n in p for n in never)]


# -- a real crawl into a database ----------------------------------------------------------------


@pytest.mark.e2e
def test_crawl_stores_the_four_reports_and_a_second_crawl_adds_no_rows(mirror_for, tmp_path):
    mirror = mirror_for("dongying")
    result = run_crawl("dongying", mirror.base_url, tmp_path)
    assert result.returncode == 0, result.log[-3000:]
    reports = result.reports()
    assert [(r["year"], r["title"], r["published_at"], len(r["attachments"])) for r in reports] == [
        (2018, T2018, "2019-03-29", 0),
        (2019, SEED_TITLE, "2020-02-27", 2),
        (2020, T2020, "2021-03-10", 0),
        (2021, T2021, "2022-01-28", 1),
    ]
    assert {r["body"] for r in reports} == {"东营市人民政府"}
    assert [r["canonical_url"] for r in reports] == [
        "http://www.dongying.gov.cn/art/2019/3/29/art_164458_7018.html",
        "http://www.dongying.gov.cn/art/2020/2/27/art_164458_841.html",
        "http://www.dongying.gov.cn/module/xxgk/xxgkAnnualReport.jsp?area=dongyingshi&fbtime=2020&showType=2",
        "http://www.dongying.gov.cn/art/2022/1/28/art_164458_10290001.html",
    ]
    assert [r["template"] for r in reports] == ["legacy", "gov2019", "gov2019", "gov2021"]
    # neither the referenced copy (art_170062_7018) nor the notices, 图解 or H5 pages were fetched
    asked = " ".join(p for _, p in mirror.requests)
    for never in ("art_170062_7018", "art_164458_10280001", "art_90054_9302490", "art_164458_820"):
        assert never not in asked
    first = result.counts()
    again = run_crawl("dongying", mirror.base_url, tmp_path)
    assert again.returncode == 0, again.log[-3000:]
    second = again.counts()
    assert second.pop("crawl_runs") == first.pop("crawl_runs") + 1
    assert second == first


@pytest.mark.e2e
def test_a_gbk_page_behind_a_utf8_header_is_read_as_gbk(tmp_path):
    # the seed report page re-encoded in GBK, its <meta> saying gbk, the header still charset=utf-8
    gbk = {
        "fault": "rewrite",
        "old": 'content="text/html; charset=utf-8"',
        "new": 'content="text/html; charset=gbk"',
        "encoding": "gbk",
    }
    with Mirror(SITES / "dongying") as mirror:
        clean = run_crawl("dongying", mirror.base_url, tmp_path / "clean")
    with Mirror(SITES / "dongying", faults={"/art/2020/2/27/art_164458_841.html": [gbk]}) as mirror:
        result = run_crawl("dongying", mirror.base_url, tmp_path / "gbk")
        assert ("GET", "/art/2020/2/27/art_164458_841.html") in mirror.requests
    assert result.returncode == 0, result.log[-3000:]
    assert result.failures() == []
    without_urls = [{k: v for k, v in r.items() if k not in ("url",)} for r in result.reports()]
    assert without_urls == [{k: v for k, v in r.items() if k not in ("url",)} for r in clean.reports()]
    assert SEED_TITLE in {r["title"] for r in result.reports()}
    assert result.metrics(SEED_TITLE) == clean.metrics(SEED_TITLE) != {}
