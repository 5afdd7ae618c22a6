"""huaibei spider on the Lonsun platform base: list rows in both fragment shapes, the label call
copied from the column page, pagination and its stop, detail pages (attachments, the office's own
report kept apart by body), a spider run against the mirror, and the end-to-end crawl.

Expected values are typed from seed 001 and from tests/sites/huaibei (see its README)."""

from __future__ import annotations

import asyncio
import urllib.parse
import urllib.request
from collections import deque
from urllib.parse import parse_qs, urlsplit

import pytest
import scrapy
from scrapy.http import HtmlResponse, Response

from crawler.items import ReportPage
from crawler.registry import spider_class
from spiders.platforms.lonsun import LonsunSpider
from tests.conftest import SITES, fake_response, seed_text
from tests.crawl import run_crawl

HuaibeiSpider: type[LonsunSpider] = spider_class("huaibei")

BASE = "http://127.0.0.1:8731"  # a mirror base for fixture responses (no server)
ROOT = SITES / "huaibei" / "root"
PDF = "/group1/M00/02/5E/CgAAZWAUx9qAFbRqAAAH5nT3a1s839.pdf"
COLUMN_3 = f"{BASE}/zwgk/public/column/15?type=3&action=list&pageIndex=1"
COLUMN_NODE = f"{BASE}/zwgk/public/column/15?type=4&catId=99000001&action=list&pageIndex=1"

T2020 = "淮北市人民政府2020年政府信息公开工作年度报告【合成测试数据】"
T2019 = "淮北市人民政府2019年政府信息公开工作年度报告【合成测试数据】"
T2019_OFFICE = "淮北市人民政府办公室(外事办公室)2019年政府信息公开工作年度报告【合成测试数据】"
T2019_GRAPHIC = "图解:淮北市人民政府2019年政府信息公开工作年度报告【合成测试数据】"
T2018 = "淮北市人民政府2018年度政府信息公开年度报告"
T2018_LOOKALIKE = "淮北市2018年度市级公共服务和中介服务运行结果【合成测试数据】"
T2017 = "淮北市人民政府2017年度政府信息公开年度报告【合成测试数据】"
OFFICE = "淮北市人民政府办公室(外事办公室)"


def spider(**kwargs) -> LonsunSpider:
    return HuaibeiSpider(base_url=BASE, **kwargs)


def mirror_file(rel: str) -> bytes:
    return (ROOT / rel).read_bytes().replace(b"{{BASE_URL}}", BASE.encode())


def response(url: str, rel: str, **kw) -> Response:
    return fake_response(url, mirror_file(rel), headers={"Content-Type": "text/html; charset=utf-8"}, **kw)


def requests_of(results) -> list[scrapy.Request]:
    return [r for r in results if isinstance(r, scrapy.Request)]


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


# -- list rows ----------------------------------------------------------------------------


def test_rows_of_xxgk_navli_shape():
    rows = spider().list_rows(response(COLUMN_3, "lists/column_15_type3_p1.html"))
    assert rows == [
        (f"{BASE}/zwgk/public/15/99000111.html", T2020, "2021-01-29"),
        (f"{BASE}/zwgk/public/15/99000161.html", T2019_GRAPHIC, "2020-01-21"),
        (f"{BASE}/zwgk/public/15/99000121.html", T2019, "2020-01-20"),
        (f"{BASE}/zwgk/public/15/99000131.html", T2019_OFFICE, "2020-01-18"),
    ]


def test_rows_of_title_and_span_date_shape_with_http_links_to_the_portal():
    url = f"{BASE}/site/label/8888?labelName=publicInfoList&type=4&catId=99000001&pageIndex=1"
    rows = spider().list_rows(response(url, "lists/label_15_node_99000001_p1.html"))
    # the fragment links http://www.huaibei.gov.cn/…: the portal's own host, put onto the mirror
    assert rows == [
        (f"{BASE}/zwgk/public/15/10359541.html", T2018, "2019-02-15"),
        (f"{BASE}/zwgk/public/15/99000141.html", T2017, "2018-03-08"),
    ]


def test_links_to_the_home_host_take_its_https_scheme_and_host_families_are_the_portal():
    real = HuaibeiSpider()  # no base_url: the real portal
    assert (
        real.link("http://www.huaibei.gov.cn/zwgk/public/15/1.html", real.home_url)
        == "https://www.huaibei.gov.cn/zwgk/public/15/1.html"
    )
    assert (
        real.link("http://gxq.huaibei.gov.cn/zwgk/public/121/2.html", real.home_url)
        == "http://gxq.huaibei.gov.cn/zwgk/public/121/2.html"
    )
    on_mirror = spider()
    assert on_mirror.site_url("http://gxq.huaibei.gov.cn/zwgk/public/121/2.html") == f"{BASE}/zwgk/public/121/2.html"
    assert on_mirror.site_url("https://www.hbdj.gov.cn/zwgk/public/35/3.html") == f"{BASE}/zwgk/public/35/3.html"
    assert on_mirror.site_url("https://www.ah.gov.cn/public/1681/4.html") == "https://www.ah.gov.cn/public/1681/4.html"
    assert (
        on_mirror.canonical_url(f"{BASE}/zwgk/public/15/10359541.html")
        == "https://www.huaibei.gov.cn/zwgk/public/15/10359541.html"
    )


# -- label call and pagination ------------------------------------------------------------


def test_label_call_is_copied_from_the_column_script():
    s = spider()
    label = s.label_params(response(COLUMN_3, "lists/column_15_type3_p1.html"), ("3", ""))
    assert label == {
        "path": "/site/label/8888",
        "organId": "15",
        "type": "3",
        "siteId": "9900001",
        "pageSize": "15",
        "isDate": "true",
        "dateFormat": "yyyy-MM-dd",
        "file": "/xxgk/publicInfoList_newest2020",
    }
    # the $.ajax form: its `type: "get"` is the HTTP method, not the list type
    label = s.label_params(response(COLUMN_NODE, "lists/column_15_node_99000001.html"), ("4", "99000001"))
    assert (label["type"], label["catId"], label["file"], label["siteId"]) == (
        "4",
        "99000001",
        "/zwgk/publicInfoList_doc2020",
        "9900001",
    )


def test_page_count_from_ls_pagination_or_the_pager():
    s = spider()
    assert s.page_count(response(COLUMN_3, "lists/column_15_type3_p1.html")) == 2  # Ls.pagination({pageCount: 2})
    assert s.page_count(response(f"{BASE}/p1", "lists/label_15_type3_p1.html")) == 2  # a[paged="2"]
    assert s.page_count(response(f"{BASE}/p2", "lists/label_15_type3_p2.html")) == 2  # 共2页 (尾页 no longer a link)
    assert s.page_count(response(f"{BASE}/n1", "lists/label_15_node_99000001_p1.html")) == 1
    assert (
        s.page_count(
            fake_response(
                f"{BASE}/x", b"<ul class='doc_list'><li><a href='/zwgk/public/15/1.html' title='t'>t</a></li></ul>"
            )
        )
        is None
    )


def test_first_column_page_requests_reports_the_report_node_and_the_next_label_page():
    s = spider()
    requests = requests_of(s.parse_column(response(COLUMN_3, "lists/column_15_type3_p1.html"), node=("3", ""), page=1))
    reports = [r for r in requests if r.callback == s.parse_report]
    assert [r.url for r in reports] == [
        f"{BASE}/zwgk/public/15/99000111.html",
        f"{BASE}/zwgk/public/15/99000121.html",
        f"{BASE}/zwgk/public/15/99000131.html",
    ]  # not the 图解 page
    listing = {r.url.rsplit("/", 1)[1]: r.cb_kwargs["listing"] for r in reports}
    assert listing["99000121.html"] == {"list_title": T2019, "list_date": "2020-01-20"}
    assert listing["99000131.html"] == {
        "list_title": T2019_OFFICE,
        "list_date": "2020-01-18",
        "body_name": OFFICE,
        "body_level": "department",
        "parent_body": "淮北市人民政府",
    }
    assert reports[0].headers["Referer"] == COLUMN_3.encode()

    (node,) = [r for r in requests if r.callback == s.parse_column]  # 年报 node of the tree
    assert node.url == COLUMN_NODE
    assert node.cb_kwargs == {"node": ("4", "99000001"), "page": 1}

    (label,) = [r for r in requests if r.callback == s.parse_fragment]
    assert urlsplit(label.url).path == "/site/label/8888"
    assert query(label.url) == {
        "IsAjax": "1",
        "dataType": "html",
        "labelName": "publicInfoList",
        "organId": "15",
        "type": "3",
        "siteId": "9900001",
        "pageSize": "15",
        "isDate": "true",
        "dateFormat": "yyyy-MM-dd",
        "file": "/xxgk/publicInfoList_newest2020",
        "pageIndex": "2",
        "action": "list",
    }
    assert label.headers["Referer"] == COLUMN_3.encode()


def test_last_label_page_stops_and_skips_the_look_alike():
    s = spider()
    label = s.label_params(response(COLUMN_3, "lists/column_15_type3_p1.html"), ("3", ""))
    url = s.label_url(label, 2)
    page = response(url, "lists/label_15_type3_p2.html")
    assert [title for _, title, _ in s.list_rows(page)] == [T2018, T2018_LOOKALIKE]  # listed side by side
    results = list(s.parse_fragment(page, node=("3", ""), page=2, label=label, column=COLUMN_3))
    assert [r.url for r in results] == [f"{BASE}/zwgk/public/15/10359541.html"]
    assert results[0].cb_kwargs["listing"] == {"list_title": T2018, "list_date": "2019-02-15"}


def test_column_page_without_rows_asks_the_label_for_them():
    s = spider()
    s._lists_seen.add(("4", "99000001"))  # found on the type=3 page before
    (request,) = s.parse_column(
        response(COLUMN_NODE, "lists/column_15_node_99000001.html"), node=("4", "99000001"), page=1
    )
    assert request.callback == s.parse_fragment
    assert query(request.url)["pageIndex"] == "1"
    assert query(request.url)["catId"] == "99000001"
    assert request.cb_kwargs["column"] == COLUMN_NODE


def test_column_page_without_label_script_pages_through_column_pages():
    page = """<html><body><ul class="doc_list">
      <li><a href="/zwgk/public/15/11.html"
        title="淮北市人民政府2021年政府信息公开工作年度报告">…</a><span class="date">2022-01-20</span></li>
    </ul>
    <div id="page_public_info"><span class="current">1</span><a paged="2">2</a><a paged="3">尾页</a></div>
    </body></html>""".encode()
    s = spider()
    results = list(s.parse_column(fake_response(COLUMN_3, page), node=("3", ""), page=1))
    assert [r.url for r in results] == [
        f"{BASE}/zwgk/public/15/11.html",
        f"{BASE}/zwgk/public/column/15?type=3&action=list&pageIndex=2",
    ]
    # on the last page: its rows, no next page (a fresh spider: one spider lists a report once)
    last = list(spider().parse_column(fake_response(COLUMN_3, page), node=("3", ""), page=3))
    assert [r.url for r in last] == [f"{BASE}/zwgk/public/15/11.html"]
    assert list(s.parse_column(fake_response(COLUMN_3, page), node=("3", ""), page=3)) == []


def test_lists_argument_overrides_the_organ_lists():
    assert spider(lists="3,4:99000001").nodes == (("3", ""), ("4", "99000001"))


# -- detail pages -------------------------------------------------------------------------


def test_mirror_seed_page_carries_the_seed_text():
    lines = [line for line in seed_text("001").splitlines() if line.strip()]
    page = response(f"{BASE}/zwgk/public/15/10359541.html", "zwgk/public/15/10359541.html")
    assert page.css("h1::text").get() == lines[0]
    assert " ".join(" ".join(page.css(".newsinfo ::text").getall()).split()) == lines[1]
    assert page.css("div.j-fontContent > p::text").getall() == lines[2:-1]
    assert page.css(".ewm p::text").get() == lines[-1] == "扫描二维码随身看资讯"


def test_report_page_fetches_the_fastdfs_pdf_in_the_body_only():
    s = spider()
    url = f"{BASE}/zwgk/public/15/99000111.html"
    (request,) = s.parse_report(
        response(url, "zwgk/public/15/99000111.html"), {"list_title": T2020, "list_date": "2021-01-29"}
    )
    assert request.url == BASE + PDF  # not 政府信息公开申请表.doc, which is outside div.wzcon
    pdf = Response(
        BASE + PDF,
        body=(ROOT / PDF.lstrip("/")).read_bytes(),
        headers={"Content-Type": "application/pdf"},
        request=request,
    )
    (page,) = request.callback(pdf, **request.cb_kwargs)
    assert isinstance(page, ReportPage)
    assert (page.body_name, page.body_level, page.parent_body, page.region_code) == (
        "淮北市人民政府",
        "city",
        None,
        "340600",
    )
    assert [(a.url, a.name, a.media_type) for a in page.attachments] == [
        (BASE + PDF, f"{T2020}.pdf", "application/pdf")
    ]
    assert page.attachments[0].body.startswith(b"%PDF-")
    assert page.canonical_url == "https://www.huaibei.gov.cn/zwgk/public/15/99000111.html"


def test_office_report_is_kept_apart_by_body():
    s = spider()
    (request,) = requests_of(
        r
        for r in s.parse_column(response(COLUMN_3, "lists/column_15_type3_p1.html"), node=("3", ""), page=1)
        if r.url.endswith("/99000131.html")
    )
    (page,) = request.callback(response(request.url, "zwgk/public/15/99000131.html"), **request.cb_kwargs)
    assert (page.body_name, page.body_level, page.parent_body, page.region_code) == (
        OFFICE,
        "department",
        "淮北市人民政府",
        "340600",
    )
    assert (page.list_title, page.list_date, page.attachments) == (T2019_OFFICE, "2020-01-18", [])


# -- against the mirror -------------------------------------------------------------------


def drive(spider: LonsunSpider) -> list[ReportPage]:
    """Run a spider's requests one by one against a live mirror, without Scrapy's engine:
    callbacks, cb_kwargs, Referer and URL de-duplication as the engine does them."""

    async def start() -> list:
        return [r async for r in spider.start()]

    queue, seen = deque(asyncio.run(start())), set()
    items: list[ReportPage] = []
    while queue:
        request = queue.popleft()
        if not request.dont_filter and request.url in seen:
            continue
        seen.add(request.url)
        assert urllib.parse.urlsplit(request.url).hostname == "127.0.0.1", f"left the mirror: {request.url}"
        headers = {k.decode(): v[0].decode() for k, v in request.headers.items()}
        with urllib.request.urlopen(urllib.request.Request(request.url, headers=headers), timeout=10) as got:
            ctype = got.headers.get("Content-Type", "")
            cls = HtmlResponse if "html" in ctype else Response
            result = cls(request.url, body=got.read(), headers={"Content-Type": ctype}, request=request)
        for out in request.callback(result, **request.cb_kwargs) or ():
            (queue.append if isinstance(out, scrapy.Request) else items.append)(out)
    return items


def test_spider_against_the_mirror(mirror_for):
    mirror = mirror_for("huaibei")
    items = drive(HuaibeiSpider(base_url=mirror.base_url))
    got = sorted(
        (p.canonical_url, p.list_title, p.list_date, p.body_name, p.body_level, [a.name for a in p.attachments])
        for p in items
    )
    real = "https://www.huaibei.gov.cn/zwgk/public/15"
    assert got == [
        (f"{real}/10359541.html", T2018, "2019-02-15", "淮北市人民政府", "city", []),
        (f"{real}/99000111.html", T2020, "2021-01-29", "淮北市人民政府", "city", [f"{T2020}.pdf"]),
        (f"{real}/99000121.html", T2019, "2020-01-20", "淮北市人民政府", "city", []),
        (f"{real}/99000131.html", T2019_OFFICE, "2020-01-18", OFFICE, "department", []),
        (f"{real}/99000141.html", T2017, "2018-03-08", "淮北市人民政府", "city", []),
    ]
    paths = [path for _, path in mirror.requests]
    assert not [p for p in paths if "99000151" in p or "99000161" in p]  # look-alike and 图解: never fetched
    assert not [p for p in paths if p.endswith(".doc")]
    assert not [p for p in paths if "pageIndex=3" in p]  # stopped at pageCount
    labels = [query(p) for p in paths if p.startswith("/site/label/8888")]
    assert [(q["type"], q.get("catId"), q["pageIndex"], q["file"]) for q in labels] == [
        ("3", None, "2", "/xxgk/publicInfoList_newest2020"),
        ("4", "99000001", "1", "/zwgk/publicInfoList_doc2020"),
    ]


@pytest.mark.e2e
def test_end_to_end_crawl_stores_five_reports_and_a_second_crawl_adds_no_rows(mirror_for, tmp_path):
    mirror = mirror_for("huaibei")
    result = run_crawl("huaibei", mirror.base_url, tmp_path)
    assert result.returncode == 0, result.log[-3000:]
    real = "https://www.huaibei.gov.cn/zwgk/public/15"
    got = [
        (
            r["body"],
            r["body_level"],
            r["parent"],
            r["year"],
            r["title"],
            r["published_at"],
            r["canonical_url"],
            r["attachments"],
        )
        for r in result.reports()
    ]
    assert got == [
        ("淮北市人民政府", "city", None, 2017, T2017, "2018-03-08", f"{real}/99000141.html", []),
        ("淮北市人民政府", "city", None, 2018, T2018, "2019-02-15", f"{real}/10359541.html", []),
        ("淮北市人民政府", "city", None, 2019, T2019, "2020-01-20", f"{real}/99000121.html", []),
        ("淮北市人民政府", "city", None, 2020, T2020, "2021-01-29", f"{real}/99000111.html", [f"{T2020}.pdf"]),
        (OFFICE, "department", "淮北市人民政府", 2019, T2019_OFFICE, "2020-01-18", f"{real}/99000131.html", []),
    ]
    # the look-alike and the 图解 page were never fetched, so nothing was dropped either
    assert not [p for _, p in mirror.requests if "99000151" in p or "99000161" in p]
    assert result.failures() == []
    first = result.counts()
    again = run_crawl("huaibei", mirror.base_url, tmp_path)
    assert again.returncode == 0, again.log[-3000:]
    second = again.counts()
    assert second.pop("crawl_runs") == first.pop("crawl_runs") + 1
    assert second == first
