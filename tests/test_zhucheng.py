"""zhucheng (xxgk.zhucheng.gov.cn, TRS-style paths behind 安全狗 WebShield): department channels,
the 0-based createPageHTML pager, GBK pages with wrong or missing charset headers, bodies from the
channel, the title or 作者, the challenge passed in one cookie session.

Expected values are typed from the mirror (tests/sites/zhucheng/, see its README) and seed 002."""

from __future__ import annotations

import asyncio
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy.http import Request

from crawler.items import ReportPage
from crawler.middlewares.charset import PageEncoding
from crawler.mirror.server import Mirror, MirrorRequest
from crawler.registry import spider_class
from spiders.platforms.trs import Pager, body_from_title, parse_pager
from tests.conftest import SITES, fake_response, seed_text
from tests.crawl import REPO, run_crawl
from tests.seednumbers import values

ZhuchengSpider = spider_class("zhucheng")

SITE = SITES / "zhucheng"
REAL = "http://xxgk.zhucheng.gov.cn"
NB = REAL + "/XXGK/XXGKNB"
OWN = "诸城市人民政府"
SEED_PATH = "/XXGK/XXGKNB/SZFBGS/201803/t20180329_2755541.htm"


@pytest.fixture(scope="module")
def site():
    """The mirror, not challenging: fixture tests read what it serves (bytes and headers)."""
    with Mirror(SITE) as mirror:
        mirror.state["webshield"] = "off"
        yield mirror


def served(site: Mirror, path: str, raw: bool = False):
    """The mirror's answer to `path`, as a Scrapy response at the real portal's URL, read in the
    encoding every spider gets (crawler/middlewares/charset.py) unless `raw`."""
    answer = site.respond(MirrorRequest("GET", path, "", {}, {}, {}))
    assert answer.status == 200, path
    response = fake_response(REAL + path, answer.body, headers=answer.headers)
    assert response.request is not None  # fake_response attaches one
    return response if raw else PageEncoding().process_response(response.request, response)


def run(spider, callback, response, **kwargs) -> tuple[list[Request], list[Request]]:
    """(report requests, list requests) a list callback yields."""
    out = list(callback(response, **kwargs))
    return [r for r in out if r.callback == spider.parse_report], [r for r in out if r.callback == spider.parse_list]


def listing(request: Request) -> dict:
    return request.cb_kwargs["listing"]


# -- pager ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("script", "pager", "pages"),
    [
        ('createPageHTML(2, 0, "index", "htm");', Pager(2, 0, "index", "htm"), ["index.htm", "index_1.htm"]),
        (
            'createPageHTML(3,2,"index","html");',
            Pager(3, 2, "index", "html"),
            ["index.html", "index_1.html", "index_2.html"],
        ),
        (
            "var countPage = 2;//共多少页\nvar currentPage = 1;\n"
            'createPageHTML(countPage, currentPage, "index", "htm");',
            Pager(2, 1, "index", "htm"),
            ["index.htm", "index_1.htm"],
        ),
        # the 1-based variant: an element id first, numbering index, index_2 … index_N
        (
            "createPageHTML('paging', 3, 1, 'index', 'html', 25);",
            Pager(3, 1, "index", "html", one_based=True),
            ["index.html", "index_2.html", "index_3.html"],
        ),
        (
            "var countPage = 3;\nvar currentPage = 0;",
            Pager(3, 0, "index", "html"),
            ["index.html", "index_1.html", "index_2.html"],
        ),
        ('createPageHTML(1, 0, "index", "html");', Pager(1, 0, "index", "html"), ["index.html"]),
    ],
)
def test_pager_forms(script, pager, pages):
    assert parse_pager(script) == pager
    assert pager.pages() == pages


def test_a_bare_count_page_keeps_the_extension_of_the_page():
    assert parse_pager("var countPage = 2;", default_ext="htm").pages() == ["index.htm", "index_1.htm"]


def test_the_pager_function_definition_is_not_a_pager_call():
    definition = "function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt) { var i = 0; }"
    assert parse_pager(definition) is None
    assert parse_pager(definition + '\ncreatePageHTML(2, 0, "index", "htm");') == Pager(2, 0, "index", "htm")


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("诸城市财政局2017年政府信息公开工作年度报告", "诸城市财政局"),
        ("东胜区民政局2015年度政府信息公开年度报告", "东胜区民政局"),
        ("2018年政府信息公开工作年度报告", None),
        ("政府信息公开工作年度报告", None),
    ],
)
def test_body_from_title(title, body):
    assert body_from_title(title) == body


# -- lists ------------------------------------------------------------------------------------


def test_start_asks_for_the_xxgk_home_and_the_report_section():
    spider = ZhuchengSpider(base_url="http://127.0.0.1:8000")

    async def collect():
        return [r.url async for r in spider.start()]

    assert asyncio.run(collect()) == ["http://127.0.0.1:8000/", "http://127.0.0.1:8000/XXGK/XXGKNB/"]


def test_home_navigation_leads_to_the_report_section(site):
    spider = ZhuchengSpider()
    reports, lists = run(spider, spider.parse_list, served(site, "/"))
    assert reports == []
    assert [r.url for r in lists] == [NB + "/"]


def test_section_hub_gives_every_department_channel_in_any_case_and_form(site):
    spider = ZhuchengSpider()
    reports, lists = run(spider, spider.parse_list, served(site, "/XXGK/XXGKNB/index.htm"))
    assert reports == []
    # ./SZFBGS/, /…/CZJ/index.htm and an absolute link to the lower-case …/jyj/index.html
    assert [r.url for r in lists] == [NB + "/SZFBGS/", NB + "/CZJ/index.htm", NB + "/jyj/index.html"]


def test_department_list_without_charset_header_gives_reports_and_the_next_page(site):
    spider = ZhuchengSpider()
    response = served(site, "/XXGK/XXGKNB/SZFBGS/index.htm")
    assert response.headers["Content-Type"] == b"text/html"
    reports, lists = run(spider, spider.parse_list, response)
    assert [(r.url, listing(r)["list_title"], listing(r)["list_date"]) for r in reports] == [
        (NB + "/SZFBGS/201901/t20190131_2890012.htm", "诸城市人民政府2018年政府信息公开工作年度报告", "2019-01-31"),
        # the link text is cut short (…年度...): the title attribute is the title
        (NB + "/SZFBGS/201803/t20180329_2755541.htm", "诸城市人民政府2017年政府信息公开工作年度报告", "2018-03-29"),
    ]
    # the 市政府办公室 channel publishes the city government's reports: the spider's own body
    assert all(listing(r).get("body_name") is None for r in reports)
    assert all(r.headers["Referer"] == (NB + "/SZFBGS/index.htm").encode() for r in reports)
    # the 通知 about compiling the report is not asked for; the navigation leads to the section
    # hub (asked for once per crawl); createPageHTML(2, 0, …) gives index_1.htm
    assert [r.url for r in lists] == [NB + "/", NB + "/SZFBGS/index_1.htm"]


def test_second_page_served_as_utf8_is_read_as_gbk(site):
    spider = ZhuchengSpider()
    raw = served(site, "/XXGK/XXGKNB/SZFBGS/index_1.htm", raw=True)
    assert raw.headers["Content-Type"] == b"text/html; charset=utf-8"
    assert "诸城" not in raw.text  # what Scrapy alone would read
    response = served(site, "/XXGK/XXGKNB/SZFBGS/index_1.htm")  # what every spider gets
    assert response.encoding == "gb18030"
    reports, lists = run(spider, spider.parse_list, response)
    # the 图解 version is not a report
    assert [(r.url, listing(r)["list_title"]) for r in reports] == [
        (NB + "/SZFBGS/201703/t20170328_2650034.htm", "诸城市人民政府2016年政府信息公开工作年度报告"),
    ]
    assert [r.url for r in lists] == [NB + "/", NB + "/SZFBGS/index.htm"]  # index_1.htm is this page


def test_a_list_page_is_asked_for_once_whatever_its_form():
    spider = ZhuchengSpider()
    first = list(spider.follow_list(NB + "/SZFBGS"))
    assert [r.url for r in first] == [NB + "/SZFBGS/"]  # a directory keeps relative links inside it
    assert list(spider.follow_list(NB + "/SZFBGS/index.htm")) == []
    assert list(spider.follow_list(NB + "/SZFBGS/index.html")) == []
    assert list(spider.follow_list(REAL + "/xxgk/xxgknb/szfbgs/")) == []


def test_department_channels_give_department_bodies(site):
    spider = ZhuchengSpider()
    czj, _ = run(spider, spider.parse_list, served(site, "/XXGK/XXGKNB/CZJ/index.htm"))
    jyj, _ = run(spider, spider.parse_list, served(site, "/XXGK/XXGKNB/jyj/index.html"))
    assert [(r.url, listing(r)) for r in czj] == [
        (
            NB + "/CZJ/201803/t20180320_2750056.htm",
            {
                "list_title": "诸城市财政局2017年政府信息公开工作年度报告",
                "list_date": "2018-03-20",
                "body_name": "诸城市财政局",
                "body_level": "department",
                "parent_body": OWN,
            },
        ),
    ]  # not the 部门决算 item
    # the title names no body: left to 作者 on the page
    assert [(r.url, listing(r)["body_name"], listing(r)["body_level"]) for r in jyj] == [
        (NB + "/jyj/201901/t20190125_2880078.html", None, "department"),
    ]


# -- detail pages -----------------------------------------------------------------------------


def test_seed_page_served_as_utf8_with_gb2312_meta_is_decoded_as_gbk(site):
    spider = ZhuchengSpider()
    response = served(site, SEED_PATH)
    assert response.headers["Content-Type"] == b"text/html; charset=utf-8"
    (page,) = spider.parse_report(
        response, {"list_title": "诸城市人民政府2017年政府信息公开工作年度报告", "list_date": "2018-03-29"}
    )
    assert isinstance(page, ReportPage)
    assert (page.url, page.canonical_url, page.encoding) == (REAL + SEED_PATH, REAL + SEED_PATH, "gb18030")
    assert (page.body_name, page.body_level, page.region_code, page.parent_body) == (
        OWN,
        "county",
        "370782",
        "潍坊市人民政府",
    )
    assert page.attachments == []
    text = page.body.decode(page.encoding)
    seed = seed_text("002").split("\n")
    assert seed[3] in text  # 作者: 诸城市人民政府办公室 来源: SRC-122 时间: 2018-03-29
    assert "27519" in text and "(注:各子栏目数总数要等于总栏目数量)" in text


def test_department_report_without_a_body_in_its_title_takes_the_author(site):
    spider = ZhuchengSpider()
    response = served(site, "/XXGK/XXGKNB/jyj/201901/t20190125_2880078.html")
    assert response.headers["Content-Type"] == b"text/html; charset=ISO-8859-1"
    listing_ = {
        "list_title": "2018年政府信息公开工作年度报告",
        "body_name": None,
        "body_level": "department",
        "parent_body": OWN,
    }
    (page,) = spider.parse_report(response, listing_)
    assert (page.body_name, page.body_level, page.parent_body, page.encoding) == (
        "诸城市教育局",
        "department",
        OWN,
        "gb18030",
    )


# -- the spider against the mirror ------------------------------------------------------------


# Scrapy's CookiesMiddleware asks tldextract whether a cookie domain is public, and tldextract
# would first download the Public Suffix List: an empty URL list keeps it on its bundled snapshot.
OFFLINE = {"TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": ""}


def crawl_items(spider: str, mirror: Mirror, tmp_path: Path, *settings: str) -> tuple[list[dict], str]:
    """`scrapy crawl SPIDER` against a running mirror without pipelines: (items, log)."""
    out = tmp_path / "items.pickle"
    cmd = [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        spider,
        "-a",
        f"base_url={mirror.base_url}",
        "-s",
        "ITEM_PIPELINES={}",
        "-s",
        "DOWNLOAD_DELAY=0",
        "-s",
        "AUTOTHROTTLE_ENABLED=0",
        "-O",
        str(out),
    ]
    for setting in settings:
        cmd += ["-s", setting]
    env = {**os.environ, **OFFLINE}
    done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    items = []
    if out.exists():
        with out.open("rb") as f:
            while True:
                try:
                    items.append(pickle.load(f))
                except EOFError:
                    break
    return items, done.stderr


EXPECTED_ITEMS = {
    # (canonical path, list title, body, level, encoding)
    ("/XXGK/XXGKNB/SZFBGS/201901/t20190131_2890012.htm", "诸城市人民政府2018年政府信息公开工作年度报告", OWN, "county"),
    (SEED_PATH, "诸城市人民政府2017年政府信息公开工作年度报告", OWN, "county"),
    ("/XXGK/XXGKNB/SZFBGS/201703/t20170328_2650034.htm", "诸城市人民政府2016年政府信息公开工作年度报告", OWN, "county"),
    (
        "/XXGK/XXGKNB/CZJ/201803/t20180320_2750056.htm",
        "诸城市财政局2017年政府信息公开工作年度报告",
        "诸城市财政局",
        "department",
    ),
    ("/XXGK/XXGKNB/jyj/201901/t20190125_2880078.html", "2018年政府信息公开工作年度报告", "诸城市教育局", "department"),
}
DISTRACTORS = {
    "/XXGK/XXGKNB/SZFBGS/201801/t20180105_2740021.htm",  # 通知
    "/XXGK/XXGKNB/SZFBGS/201704/t20170405_2660045.htm",  # 图解
    "/XXGK/XXGKNB/CZJ/201709/t20170915_2600067.htm",  # 部门决算
}


def summary(items: list[dict]) -> set[tuple]:
    return {(i["canonical_url"].removeprefix(REAL), i["list_title"], i["body_name"], i["body_level"]) for i in items}


@pytest.mark.e2e
@pytest.mark.parametrize("after_verify", ["redirect", "serve"])
def test_spider_passes_the_first_request_challenge_in_one_cookie_session(tmp_path, after_verify):
    with Mirror(SITE) as mirror:
        mirror.state["after_verify"] = after_verify
        items, log = crawl_items("zhucheng", mirror, tmp_path)
        requested = {path.partition("?")[0] for _, path in mirror.requests}
        events = list(mirror.state["log"])
    assert summary(items) == EXPECTED_ITEMS
    assert all(i["encoding"] == "gb18030" for i in items)
    # stored URLs never carry the session token, whatever URL served the page
    assert not any("WebShield" in i["url"] or "WebShield" in i["canonical_url"] for i in items)
    assert not requested & DISTRACTORS
    # one challenge (the client's first request), passed with the cookie it set; then one session
    challenges = [e for e in events if e[2] == "challenge"]
    assert len(challenges) == 1 and challenges[0][1] is None
    sessions = {sid for _, sid, what in events if what != "challenge"}
    assert len(sessions) == 1 and None not in sessions
    assert "ERROR" not in log
    assert "publicsuffix" not in log  # nothing left the machine


@pytest.mark.e2e
def test_spider_passes_a_challenge_on_every_page(tmp_path):
    with Mirror(SITE) as mirror:
        mirror.state["webshield"] = "every"
        items, log = crawl_items("zhucheng", mirror, tmp_path)
        events = list(mirror.state["log"])
    assert summary(items) == EXPECTED_ITEMS
    challenged = {path for path, _, what in events if what == "challenge"}
    verified = {path for path, _, what in events if what == "verified"}
    assert {SEED_PATH, "/XXGK/XXGKNB/SZFBGS/index_1.htm"} <= challenged
    assert challenged == verified  # every challenge was passed
    assert "ERROR" not in log


@pytest.mark.e2e
def test_a_challenge_that_never_passes_ends_in_logged_failures_not_a_loop(tmp_path):
    with Mirror(SITE) as mirror:
        mirror.state["webshield"] = "never"
        items, log = crawl_items("zhucheng", mirror, tmp_path, "WEBSHIELD_MAX_ATTEMPTS=2")
        asked = len(mirror.requests)
    assert items == []
    # robots.txt and the two start pages, each asked for once and then twice more with a token
    assert asked == 3 * 3
    assert "not passed after 2 attempts" in log
    assert "the results of this crawl are incomplete, not empty" in log


# -- end to end: crawl, pipelines, database ---------------------------------------------------


@pytest.mark.e2e
def test_crawl_stores_the_reports_and_decodes_the_seed_page(tmp_path, monkeypatch):
    monkeypatch.setenv("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")  # run_crawl passes the environment on
    with Mirror(SITE) as mirror:
        result = run_crawl("zhucheng", mirror.base_url, tmp_path)
        requested = {path.partition("?")[0] for _, path in mirror.requests}
    assert result.returncode == 0, result.log[-3000:]
    got = {
        r["title"]: (
            r["body"],
            r["body_level"],
            r["parent"],
            r["year"],
            r["published_at"],
            r["canonical_url"],
            r["attachments"],
        )
        for r in result.reports()
    }
    city = (OWN, "county", "潍坊市人民政府")
    assert got == {
        "诸城市人民政府2018年政府信息公开工作年度报告": (
            *city,
            2018,
            "2019-01-31",
            NB + "/SZFBGS/201901/t20190131_2890012.htm",
            [],
        ),
        "诸城市人民政府2017年政府信息公开工作年度报告": (*city, 2017, "2018-03-29", REAL + SEED_PATH, []),
        "诸城市人民政府2016年政府信息公开工作年度报告": (
            *city,
            2016,
            "2017-03-28",
            NB + "/SZFBGS/201703/t20170328_2650034.htm",
            [],
        ),
        "诸城市财政局2017年政府信息公开工作年度报告": (
            "诸城市财政局",
            "department",
            OWN,
            2017,
            "2018-03-20",
            NB + "/CZJ/201803/t20180320_2750056.htm",
            [],
        ),
        "2018年政府信息公开工作年度报告": (
            "诸城市教育局",
            "department",
            OWN,
            2018,
            "2019-01-25",
            NB + "/jyj/201901/t20190125_2880078.html",
            [],
        ),
    }
    assert not requested & DISTRACTORS
    assert result.failures() == []
    # the seed's GBK page came out readable: every number of its two 统计表 (seed 002)
    metrics = result.metrics("诸城市人民政府2017年政府信息公开工作年度报告")
    for scope in ("self", "region"):
        table = {(code, scope, None): v for code, v in values("002", scope).items()}
        assert {key: metrics.get(key) for key in table} == table
