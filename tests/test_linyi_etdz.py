"""linyi_etdz (www.leda.gov.cn, 博达 VSB): lists numbered backwards, the content.jsp login wall,
the PDF embedded by showVsbpdfIframe, download.jsp names from Content-Disposition.

Expected values are typed from the mirror (tests/sites/linyi_etdz/, see its README) and seed 004."""

from __future__ import annotations

import asyncio
import logging
import pickle
import subprocess
import sys

import pytest
from scrapy.http import Request, Response

from crawler.items import ReportPage
from crawler.mirror.server import Mirror
from crawler.registry import spider_class
from spiders.platforms.vsb import VsbSpider
from tests.conftest import SITES, fake_response
from tests.crawl import REPO, run_crawl

LinyiEtdzSpider: type[VsbSpider] = spider_class("linyi_etdz")

SITE = SITES / "linyi_etdz"
BASE = "http://127.0.0.1:8000"  # fixture responses pretend to come from a mirror here
SEED_PDF = "/__local/9/8A/E1/98AE1C2B3D4F5A6B7C8D9E0F1A2B3C4D_5E6F7A8B.pdf"
OWN = "临沂经济技术开发区管理委员会"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def page(relpath: str, body: bytes | None = None):
    """A mirror file (or given HTML) as the response to BASE/relpath."""
    body = (SITE / "root" / relpath).read_bytes() if body is None else body
    return fake_response(f"{BASE}/{relpath}", body, headers={"Content-Type": "text/html; charset=utf-8"})


def crawl_lists(spider: VsbSpider, slug: str, *relpaths: str) -> tuple[list[Request], list[str]]:
    """(report requests, list page URLs) from the given pages of one list, in order."""
    reports: list[Request] = []
    pages: list[Request] = []
    for relpath in relpaths:
        for request in spider.parse_list(page(relpath), slug=slug):
            (reports if request.callback == spider.parse_report else pages).append(request)
    return reports, [r.url for r in pages]


def listing(request: Request) -> dict:
    return request.cb_kwargs["listing"]


# -- lists ------------------------------------------------------------------------------------


def test_start_asks_for_both_list_slugs():
    async def collect(spider):
        return [r.url async for r in spider.start()]

    urls = asyncio.run(collect(LinyiEtdzSpider(base_url=BASE)))
    assert urls == [f"{BASE}/xxgk/gknb.htm", f"{BASE}/xxgk/bmnb.htm"]


def test_list_pages_give_the_reports_with_list_title_and_date():
    spider = LinyiEtdzSpider(base_url=BASE)
    reports, _ = crawl_lists(spider, "xxgk/gknb", "xxgk/gknb.htm", "xxgk/gknb/2.htm", "xxgk/gknb/1.htm")
    assert [(r.url, listing(r)["list_title"], listing(r)["list_date"]) for r in reports] == [
        (f"{BASE}/info/2820/107640.htm", "临沂沂河新区2023年政府信息公开工作年度报告", "2024-01-19"),
        # an absolute link to leda.gov.cn (no www) is moved onto the mirror
        (f"{BASE}/info/2820/98765.htm", "临沂经济技术开发区2022年政府信息公开工作年度报告", "2023-01-18"),
        (f"{BASE}/info/2820/90123.htm", "临沂经济技术开发区2021年政府信息公开工作年度报告", "2022-01-25"),
        (f"{BASE}/info/2820/81234.htm", "临沂经济技术开发区2020年政府信息公开工作年度报告", "2021-01-28"),
        (f"{BASE}/info/2820/72001.htm", "临沂经济技术开发区2019年政府信息公开工作年度报告", "2020-01-21"),
        (f"{BASE}/info/2820/63001.htm", "临沂经济技术开发区2018年政府信息公开工作年度报告", "2019-01-30"),
    ]
    # the zone's own reports under either name; 通知, 一图读懂 and 临沂市人民政府's report are skipped
    assert all("body_name" not in listing(r) for r in reports)
    assert reports[2].headers["Referer"] == f"{BASE}/xxgk/gknb/2.htm".encode()


def test_on_the_real_portal_links_to_the_host_without_www_are_followed():
    spider = LinyiEtdzSpider()  # base URL http://www.leda.gov.cn
    html = (SITE / "root/xxgk/gknb.htm").read_bytes()
    response = fake_response("http://www.leda.gov.cn/xxgk/gknb.htm", html, headers={"Content-Type": "text/html"})
    urls = [r.url for r in spider.parse_list(response, slug="xxgk/gknb") if r.callback == spider.parse_report]
    assert urls == ["http://www.leda.gov.cn/info/2820/107640.htm", "http://leda.gov.cn/info/2820/98765.htm"]
    assert spider.canonical_url(urls[1]) == "http://www.leda.gov.cn/info/2820/98765.htm"


def test_links_to_other_portals_are_not_followed():
    html = '<html><body><ul><li><a href="http://www.linyi.gov.cn/info/1042/1.htm">临沂经济技术开发区2019年政府信息公开工作年度报告</a></li></ul></body></html>'
    spider = LinyiEtdzSpider(base_url=BASE)
    assert list(spider.parse_list(page("xxgk/gknb.htm", html.encode()), slug="xxgk/gknb")) == []


def test_pagination_runs_backwards_from_the_first_page():
    spider = LinyiEtdzSpider(base_url=BASE)
    # 共9条 1/3: user page 2 is /xxgk/gknb/2.htm, user page 3 (the last) is /xxgk/gknb/1.htm
    assert crawl_lists(spider, "xxgk/gknb", "xxgk/gknb.htm")[1] == [
        f"{BASE}/xxgk/gknb/2.htm",
        f"{BASE}/xxgk/gknb/1.htm",
    ]
    # a later page names the same pages again (Scrapy's duplicate filter drops them) and never page 3.htm
    assert crawl_lists(spider, "xxgk/gknb", "xxgk/gknb/2.htm")[1] == [
        f"{BASE}/xxgk/gknb/2.htm",
        f"{BASE}/xxgk/gknb/1.htm",
    ]
    # 共3条 1/1: no other page
    assert crawl_lists(spider, "xxgk/bmnb", "xxgk/bmnb.htm")[1] == []


def test_pager_text_alone_gives_every_page_numbered_from_the_end():
    html = "<html><body><ul></ul><table><tr><td>共1234条&nbsp;&nbsp;1/83&nbsp;</td></tr></table></body></html>"
    spider = LinyiEtdzSpider(base_url=BASE)
    urls = spider.page_urls(page("xwzx/zwyw.htm", html.encode()), "xwzx/zwyw")
    assert len(urls) == 82
    assert urls[0] == f"{BASE}/xwzx/zwyw/82.htm"  # user page 2
    assert urls[-1] == f"{BASE}/xwzx/zwyw/1.htm"  # user page 83, the last


def test_pager_links_are_followed_when_the_pager_text_differs():
    html = (
        '<html><body><div class="pb_sys_common"><a href="zwyw/12.htm">下页</a> '
        '<a href="zwyw/1.htm">尾页</a></div></body></html>'
    )
    urls = LinyiEtdzSpider(base_url=BASE).page_urls(page("xwzx/zwyw.htm", html.encode()), "xwzx/zwyw")
    assert urls == [f"{BASE}/xwzx/zwyw/12.htm", f"{BASE}/xwzx/zwyw/1.htm"]


def test_department_list_keeps_department_bodies_and_skips_the_login_wall(caplog):
    spider = LinyiEtdzSpider(base_url=BASE)
    with caplog.at_level(logging.INFO):
        reports, _ = crawl_lists(spider, "xxgk/bmnb", "xxgk/bmnb.htm")
    assert [(r.url, listing(r)["body_name"], listing(r)["body_level"], listing(r)["parent_body"]) for r in reports] == [
        (f"{BASE}/info/2821/107655.htm", "临沂沂河新区财政金融局", "department", OWN),
        (f"{BASE}/info/2821/98801.htm", "经开区行政审批服务局", "department", OWN),
    ]
    assert "临沂沂河新区应急管理局2023年政府信息公开工作年度报告: behind the content.jsp login wall" in caplog.text


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("临沂经济技术开发区 2019 年政府信息公开工作年度报告", {}),  # as the seed PDF spells it
        ("临沂沂河新区2023年政府信息公开工作年度报告", {}),
        ("临沂经济技术开发区管委会2019年政府信息公开工作年度报告", {}),
        ("2019年政府信息公开工作年度报告", {}),
        (
            "临沂沂河新区财政金融局2023年政府信息公开工作年度报告",
            {"body_name": "临沂沂河新区财政金融局", "body_level": "department", "parent_body": OWN},
        ),
        ("临沂市人民政府2019年政府信息公开工作年度报告", None),
    ],
)
def test_report_body_from_title(title, body):
    assert LinyiEtdzSpider(base_url=BASE).report_body(title) == body


# -- detail pages -----------------------------------------------------------------------------


def follow(request: Request, body: bytes, headers: dict) -> list:
    """Answer an attachment request with the given bytes, as the engine would."""
    response = Response(request.url, body=body, headers=headers, request=request)
    assert request.callback is not None
    return list(request.callback(response, **request.cb_kwargs))


def test_seed_pdf_embedded_by_showVsbpdfIframe_becomes_the_first_attachment():
    spider = LinyiEtdzSpider(base_url=BASE)
    (request,) = spider.parse_report(
        page("info/2820/72001.htm"), {"list_title": "临沂经济技术开发区2019年政府信息公开工作年度报告"}
    )
    assert request.url == BASE + SEED_PDF
    assert request.headers["Referer"] == f"{BASE}/info/2820/72001.htm".encode()
    pdf = (SITE / "root" / SEED_PDF.lstrip("/")).read_bytes()
    (item,) = follow(request, pdf, {"Content-Type": "application/pdf"})
    assert isinstance(item, ReportPage)
    assert item.canonical_url == "http://www.leda.gov.cn/info/2820/72001.htm"
    assert (item.body_name, item.body_level, item.parent_body) == (OWN, "zone", "临沂市人民政府")
    assert [(a.name, a.media_type, a.body) for a in item.attachments] == [
        ("98AE1C2B3D4F5A6B7C8D9E0F1A2B3C4D_5E6F7A8B.pdf", "application/pdf", pdf)
    ]


def test_viewer_and_bare_local_pdfs_are_found_and_come_before_other_attachments():
    html = """<html><body><form name="_newscontent_fromname"><div id="vsb_content"><div class="v_news_content">
    <iframe src="/system/resource/pdfjs/viewer.html?file=%2F__local%2F1%2F2A%2F3B%2FAAA.pdf"></iframe>
    <script>var pdf = '/__local/4/5C/6D/BBB.pdf';</script>
    </div></div>
    <ul><li>附件【<a
      href="/system/_content/download.jsp?urltype=news.DownloadAttachUrl&amp;owner=1&amp;wbfileid=2">年报.docx</a>】</li>
    <li>附件【<a href="/__local/4/5C/6D/BBB.pdf">年报全文.pdf</a>】</li></ul></form>
    <div class="sidebar"><a href="/__local/7/8E/9F/CCC.pdf">其他.pdf</a></div></body></html>"""
    attachments, _ = LinyiEtdzSpider(base_url=BASE).attachment_links(page("info/1/2.htm", html.encode()))
    assert attachments == [
        (f"{BASE}/__local/1/2A/3B/AAA.pdf", "AAA.pdf"),
        (f"{BASE}/__local/4/5C/6D/BBB.pdf", "年报全文.pdf"),  # also linked: named by its link text
        (f"{BASE}/system/_content/download.jsp?urltype=news.DownloadAttachUrl&owner=1&wbfileid=2", "年报.docx"),
    ]


@pytest.mark.parametrize(
    ("relpath", "wbfileid", "link_text", "disposition"),
    [
        (
            "info/2820/98765.htm",
            "4500001",
            "点击下载",
            b"attachment; filename*=UTF-8''"
            b"%E4%B8%B4%E6%B2%82%E7%BB%8F%E6%B5%8E%E6%8A%80%E6%9C%AF%E5%BC%80%E5%8F%91%E5%8C%BA2022"
            b"%E5%B9%B4%E6%94%BF%E5%BA%9C%E4%BF%A1%E6%81%AF%E5%85%AC%E5%BC%80%E5%B7%A5%E4%BD%9C%E5%B9%B4%E5%BA%A6%E6"
            b"%8A%A5%E5%91%8A.docx",
        ),
        (
            "info/2820/90123.htm",
            "4500002",
            "附件1",
            b'attachment; filename="' + "临沂经济技术开发区2021年政府信息公开工作年度报告.docx".encode("gbk") + b'"',
        ),
    ],
)
def test_download_jsp_attachment_named_by_content_disposition(relpath, wbfileid, link_text, disposition):
    (request,) = LinyiEtdzSpider(base_url=BASE).parse_report(page(relpath), {})
    assert (
        request.url
        == f"{BASE}/system/_content/download.jsp?urltype=news.DownloadAttachUrl&owner=1591034987&wbfileid={wbfileid}"
    )
    assert request.cb_kwargs["name"] == link_text
    (item,) = follow(
        request, b"PK\x03\x04", {"Content-Type": "application/octet-stream", "Content-Disposition": disposition}
    )
    year = "2022" if wbfileid == "4500001" else "2021"
    assert [(a.name, a.media_type) for a in item.attachments] == [
        (f"临沂经济技术开发区{year}年政府信息公开工作年度报告.docx", DOCX)
    ]


# -- the spider against the mirror -------------------------------------------------------------


@pytest.mark.e2e
def test_spider_crawls_the_mirror(tmp_path):
    """`scrapy crawl linyi_etdz` without pipelines: what the spider yields, and what it asked for."""
    out = tmp_path / "items.pickle"
    with Mirror(SITE) as mirror:
        cmd = [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            "linyi_etdz",
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
        done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=180)
        requested = {path for _, path in mirror.requests}
    assert done.returncode == 0, done.stderr[-3000:]
    items = []
    with out.open("rb") as f:
        while True:
            try:
                items.append(pickle.load(f))
            except EOFError:
                break
    got = {
        (
            i["canonical_url"].removeprefix("http://www.leda.gov.cn"),
            i["body_name"],
            i["body_level"],
            tuple((a.name, a.status) for a in i["attachments"]),
        )
        for i in items
    }
    assert got == {
        ("/info/2820/107640.htm", OWN, "zone", (("临沂沂河新区2023年政府信息公开工作年度报告.docx", 200),)),
        ("/info/2820/98765.htm", OWN, "zone", (("临沂经济技术开发区2022年政府信息公开工作年度报告.docx", 200),)),
        ("/info/2820/90123.htm", OWN, "zone", (("临沂经济技术开发区2021年政府信息公开工作年度报告.docx", 200),)),
        ("/info/2820/81234.htm", OWN, "zone", ()),
        ("/info/2820/72001.htm", OWN, "zone", (("98AE1C2B3D4F5A6B7C8D9E0F1A2B3C4D_5E6F7A8B.pdf", 200),)),
        ("/info/2820/63001.htm", OWN, "zone", ()),
        ("/info/2821/107655.htm", "临沂沂河新区财政金融局", "department", ()),
        ("/info/2821/98801.htm", "经开区行政审批服务局", "department", ()),
    }
    # every list page, backwards; no distractor page and no content.jsp was ever fetched
    assert {"/xxgk/gknb.htm", "/xxgk/gknb/2.htm", "/xxgk/gknb/1.htm", "/xxgk/bmnb.htm"} <= requested
    assert not requested & {"/info/2820/107101.htm", "/info/2820/98766.htm", "/info/2820/72010.htm"}
    assert not any(path.startswith("/content.jsp") for path in requested)


# -- end to end: crawl, pipelines, database -------------------------------------------------------


@pytest.mark.e2e
def test_crawl_stores_the_reports_and_reads_the_seed_pdf(tmp_path):
    with Mirror(SITE) as mirror:
        result = run_crawl("linyi_etdz", mirror.base_url, tmp_path)
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
    zone = (OWN, "zone", "临沂市人民政府")
    info = "http://www.leda.gov.cn/info/"
    assert got == {
        "临沂沂河新区2023年政府信息公开工作年度报告": (
            *zone,
            2023,
            "2024-01-19",
            info + "2820/107640.htm",
            ["临沂沂河新区2023年政府信息公开工作年度报告.docx"],
        ),
        "临沂经济技术开发区2022年政府信息公开工作年度报告": (
            *zone,
            2022,
            "2023-01-18",
            info + "2820/98765.htm",
            ["临沂经济技术开发区2022年政府信息公开工作年度报告.docx"],
        ),
        "临沂经济技术开发区2021年政府信息公开工作年度报告": (
            *zone,
            2021,
            "2022-01-25",
            info + "2820/90123.htm",
            ["临沂经济技术开发区2021年政府信息公开工作年度报告.docx"],
        ),
        "临沂经济技术开发区2020年政府信息公开工作年度报告": (*zone, 2020, "2021-01-28", info + "2820/81234.htm", []),
        "临沂经济技术开发区2019年政府信息公开工作年度报告": (
            *zone,
            2019,
            "2020-01-21",
            info + "2820/72001.htm",
            ["98AE1C2B3D4F5A6B7C8D9E0F1A2B3C4D_5E6F7A8B.pdf"],
        ),
        "临沂经济技术开发区2018年政府信息公开工作年度报告": (*zone, 2018, "2019-01-30", info + "2820/63001.htm", []),
        "临沂沂河新区财政金融局2023年政府信息公开工作年度报告": (
            "临沂沂河新区财政金融局",
            "department",
            OWN,
            2023,
            "2024-01-26",
            info + "2821/107655.htm",
            [],
        ),
        "经开区行政审批服务局2022年政府信息公开工作年度报告": (
            "经开区行政审批服务局",
            "department",
            OWN,
            2022,
            "2023-01-20",
            info + "2821/98801.htm",
            [],
        ),
    }
    # the 通知, 一图读懂, 临沂市人民政府's report and the content.jsp item were never fetched, so never dropped
    assert result.failures() == []
    # the 2019 page is an empty shell: its headline numbers came out of the seed PDF (seed 004 text)
    values = {
        code: value
        for (code, _scope, _applicant), value in result.metrics(
            "临沂经济技术开发区2019年政府信息公开工作年度报告"
        ).items()
    }
    assert (values["apps.new"], values["review.total"], values["litigation.total"]) == (9, 7, 8)
