"""dongsheng (www.ds.gov.cn = ds.gov.cn, TRS-style static publishing): district and department
channels, the 1-based createPageHTML pager, links to both hosts fetched once, department bodies
from titles, a relative ./P0….pdf attachment, a list item linking a PDF directly, republished
reports keeping their header date.

Expected values are typed from the mirror (tests/sites/dongsheng/, see its README) and seed 003."""

from __future__ import annotations

import asyncio

import pytest
from scrapy.http import Request, Response

from crawler.items import ReportPage
from crawler.mirror.server import Mirror, MirrorRequest
from crawler.registry import spider_class
from spiders.platforms.trs import TrsSpider
from tests.conftest import SITES, fake_response
from tests.crawl import run_crawl
from tests.seednumbers import values
from tests.test_zhucheng import crawl_items

DongshengSpider: type[TrsSpider] = spider_class("dongsheng")


def full_name(name):
    return DongshengSpider().full_body_name(name) if name else None


SITE = SITES / "dongsheng"
REAL = "http://www.ds.gov.cn"
DISTRICT = "鄂尔多斯市东胜区人民政府"
SEED_PATH = "/gk/zfxxgknb/qzf/202205/t20220509_3210628.html"
SEED_TITLE = "东胜区2017年政府信息公开年度报告"  # assumed (see the mirror's README)
FGW = "鄂尔多斯市东胜区发展和改革委员会2024年政府信息公开工作年度报告"
FGW_PDF = "/gk/zfxxgknb/qzbm/fzhggj/202501/P020250116384512768903.pdf"
MZJ_PDF = "/gk/zfxxgknb/qzbm/mzj/202201/P020220124395870126545.pdf"


@pytest.fixture(scope="module")
def site():
    with Mirror(SITE) as mirror:
        yield mirror


def served(site: Mirror, path: str) -> Response:
    answer = site.respond(MirrorRequest("GET", path, "", {}, {}, {}))
    assert answer.status == 200, path
    return fake_response(site.base_url + path, answer.body, headers=answer.headers)


def spider_for(site: Mirror) -> TrsSpider:
    return DongshengSpider(base_url=site.base_url)


def run(spider, response) -> tuple[list[Request], list[str]]:
    """(report requests, list page paths) parse_list yields."""
    out = list(spider.parse_list(response))
    reports = [r for r in out if r.callback == spider.parse_report]
    return reports, [r.url.removeprefix(spider.base_url) for r in out if r.callback == spider.parse_list]


def listing(request: Request) -> dict:
    return request.cb_kwargs["listing"]


# -- lists ------------------------------------------------------------------------------------


def test_start_asks_for_the_section_hub_and_both_channel_roots():
    spider = DongshengSpider(base_url="http://127.0.0.1:8000")

    async def collect():
        return [r.url async for r in spider.start()]

    assert asyncio.run(collect()) == [
        "http://127.0.0.1:8000/gk/zfxxgknb/",
        "http://127.0.0.1:8000/gk/zfxxgknb/qzf/",
        "http://127.0.0.1:8000/gk/zfxxgknb/qzbm/",
    ]


def test_hubs_lead_to_channels_under_either_host(site):
    spider = spider_for(site)
    _, hub = run(spider, served(site, "/gk/zfxxgknb/index.html"))
    _, departments = run(spider, served(site, "/gk/zfxxgknb/qzbm/index.html"))
    # ./qzf/ and the absolute http://www.ds.gov.cn/gk/zfxxgknb/qzbm/, both on the mirror
    assert hub == ["/gk/zfxxgknb/qzf/", "/gk/zfxxgknb/qzbm/"]
    # {{BASE_URL}}/…/zfbgs/, ./fzhggj/index.html, http://ds.gov.cn/…/mzj/
    assert departments == ["/gk/zfxxgknb/qzbm/zfbgs/", "/gk/zfxxgknb/qzbm/fzhggj/index.html", "/gk/zfxxgknb/qzbm/mzj/"]


def test_district_channel_first_page_with_the_one_based_pager(site):
    spider = spider_for(site)
    reports, lists = run(spider, served(site, "/gk/zfxxgknb/qzf/index.html"))
    assert [(r.url.removeprefix(site.base_url), listing(r)) for r in reports] == [
        (
            "/gk/zfxxgknb/qzf/202502/t20250207_3762462.html",
            {"list_title": "东胜区2024年政府信息公开工作年度报告", "list_date": "2025-02-07"},
        ),
        (
            "/gk/zfxxgknb/qzf/202205/t20220509_3210630.html",
            {"list_title": "东胜区2019年政府信息公开年度报告", "list_date": "2022-05-09"},
        ),
    ]  # the 解读 is not asked for; the district's reports carry the spider's own body
    # createPageHTML('paging', 2, 1, 'index', 'html', 5): page 2 is index_2.html, there is no index_1
    assert "/gk/zfxxgknb/qzf/index_2.html" in lists
    assert not any("index_1" in path for path in lists)


def test_relative_items_resolve_the_same_against_the_directory_and_its_index_page(site):
    body = served(site, "/gk/zfxxgknb/qzf/index.html").body
    urls = []
    for path in ("/gk/zfxxgknb/qzf/", "/gk/zfxxgknb/qzf/index.html"):
        spider = spider_for(site)
        reports, _ = run(spider, fake_response(site.base_url + path, body))
        urls.append([r.url.removeprefix(site.base_url) for r in reports])
    assert (
        urls[0]
        == urls[1]
        == ["/gk/zfxxgknb/qzf/202502/t20250207_3762462.html", "/gk/zfxxgknb/qzf/202205/t20220509_3210630.html"]
    )


def test_district_channel_second_page(site):
    spider = spider_for(site)
    spider.seen.add(spider.list_key(site.base_url + "/gk/zfxxgknb/qzf/"))  # page 1 was crawled
    reports, lists = run(spider, served(site, "/gk/zfxxgknb/qzf/index_2.html"))
    assert [
        (r.url.removeprefix(site.base_url), listing(r)["list_title"], listing(r)["list_date"]) for r in reports
    ] == [
        ("/gk/zfxxgknb/qzf/202205/t20220509_3210629.html", "东胜区2018年政府信息公开年度报告", "2022-05-09"),
        (SEED_PATH, SEED_TITLE, "2022-05-09"),
    ]
    assert "/gk/zfxxgknb/qzf/index.html" not in lists and "/gk/zfxxgknb/qzf/index_2.html" not in lists


def test_a_report_linked_under_the_other_host_is_asked_for_once(site):
    spider = spider_for(site)
    first, _ = run(spider, served(site, "/gk/zfxxgknb/qzf/index_2.html"))
    again, _ = run(spider, served(site, "/gk/zfxxgknb/qzbm/zfbgs/index.html"))
    assert site.base_url + SEED_PATH in [r.url for r in first]
    # zfbgs links it as http://ds.gov.cn/…: only the office's own report is new
    assert [(r.url.removeprefix(site.base_url), listing(r)) for r in again] == [
        (
            "/gk/zfxxgknb/qzbm/zfbgs/202001/t20200120_3001234.html",
            {
                "list_title": "东胜区人民政府办公室2019年政府信息公开工作年度报告",
                "list_date": "2020-01-20",
                "body_name": "鄂尔多斯市东胜区人民政府办公室",
                "body_level": "department",
                "parent_body": DISTRICT,
            },
        ),
    ]


def test_on_the_real_portal_both_hosts_fold_to_one_canonical_report():
    spider = DongshengSpider()
    row = '<li><a href="{}" title="东胜区2017年政府信息公开年度报告">东胜区2017年…</a><span>2022-05-09</span></li>'
    relative = fake_response(
        REAL + "/gk/zfxxgknb/qzf/index_2.html", row.format("./202205/t20220509_3210628.html").encode()
    )
    absolute = fake_response(REAL + "/gk/zfxxgknb/qzbm/zfbgs/", row.format("http://ds.gov.cn" + SEED_PATH).encode())
    first, _ = run(spider, relative)
    again, _ = run(spider, absolute)
    assert [r.url for r in first] == [REAL + SEED_PATH]
    assert again == []
    assert spider.canonical_url("http://ds.gov.cn" + SEED_PATH) == REAL + SEED_PATH


def test_department_channels_give_department_bodies_and_a_direct_pdf(site):
    spider = spider_for(site)
    fgw, _ = run(spider, served(site, "/gk/zfxxgknb/qzbm/fzhggj/index.html"))
    mzj, _ = run(spider, served(site, "/gk/zfxxgknb/qzbm/mzj/index.html"))
    department = {"body_level": "department", "parent_body": DISTRICT}
    assert [(r.url.removeprefix(site.base_url), listing(r)) for r in fgw] == [
        (
            "/gk/zfxxgknb/qzbm/fzhggj/202501/t20250116_3758546.html",
            {
                "list_title": FGW,
                "list_date": "2025-01-16",
                "body_name": "鄂尔多斯市东胜区发展和改革委员会",
                **department,
            },
        ),
    ]  # not the 部门预算公开
    assert [(r.url.removeprefix(site.base_url), listing(r)) for r in mzj] == [
        (
            "/gk/zfxxgknb/qzbm/mzj/202205/t20220509_3210702.html",
            {
                "list_title": "东胜区民政局2015年度政府信息公开年度报告",
                "list_date": "2022-05-09",
                "body_name": "鄂尔多斯市东胜区民政局",
                **department,
            },
        ),
        (
            MZJ_PDF,
            {
                "list_title": "东胜区民政局2021年政府信息公开工作年度报告",
                "list_date": "2022-01-24",
                "body_name": "鄂尔多斯市东胜区民政局",
                **department,
            },
        ),
    ]


def test_department_title_without_a_body_falls_back_to_the_channel_code():
    spider = DongshengSpider()
    assert spider.report_body(
        REAL + "/gk/zfxxgknb/qzbm/mzj/202301/t20230120_1.html", "2022年政府信息公开工作年度报告"
    ) == {
        "body_name": "鄂尔多斯市东胜区民政局",
        "body_level": "department",
        "parent_body": DISTRICT,
    }
    assert spider.report_body(REAL + SEED_PATH, SEED_TITLE) == {}


@pytest.mark.parametrize(
    ("name", "full"),
    [
        ("东胜区民政局", "鄂尔多斯市东胜区民政局"),
        ("鄂尔多斯市东胜区发展和改革委员会", "鄂尔多斯市东胜区发展和改革委员会"),
        ("民政局", "鄂尔多斯市东胜区民政局"),
        (None, None),
    ],
)
def test_full_department_name(name, full):
    assert full_name(name) == full


# -- detail pages -----------------------------------------------------------------------------


def test_seed_page_is_the_district_report_at_its_canonical_url(site):
    spider = spider_for(site)
    (page,) = spider.parse_report(served(site, SEED_PATH), {"list_title": SEED_TITLE, "list_date": "2022-05-09"})
    assert isinstance(page, ReportPage)
    assert (page.canonical_url, page.list_date, page.encoding) == (REAL + SEED_PATH, "2022-05-09", "utf-8")
    assert (page.body_name, page.body_level, page.region_code, page.parent_body) == (
        DISTRICT,
        "district",
        "150602",
        "鄂尔多斯市人民政府",
    )
    text = page.body.decode("utf-8")
    assert "资料来源:东胜区人民政府办公室" in text and "发布日期:2018-03-26 11:07" in text
    assert "〔2017〕88号" in text and "<td><p>19102</p></td>" in text
    assert page.attachments == []


def test_relative_pdf_attachment_in_trs_editor_view(site):
    spider = spider_for(site)
    path = "/gk/zfxxgknb/qzbm/fzhggj/202501/t20250116_3758546.html"
    (request,) = spider.parse_report(
        served(site, path),
        {
            "list_title": FGW,
            "body_name": "鄂尔多斯市东胜区发展和改革委员会",
            "body_level": "department",
            "parent_body": DISTRICT,
        },
    )
    assert request.url == site.base_url + FGW_PDF  # ./P0….pdf against the article's directory
    assert request.headers["Referer"] == (site.base_url + path).encode()
    pdf = (SITE / "root" / FGW_PDF.lstrip("/")).read_bytes()
    (page,) = request.callback(
        Response(request.url, body=pdf, headers={"Content-Type": "application/pdf"}, request=request),
        **request.cb_kwargs,
    )
    assert [(a.name, a.media_type, a.body[:5]) for a in page.attachments] == [
        (FGW + ".pdf", "application/pdf", b"%PDF-")
    ]
    assert page.body_name == "鄂尔多斯市东胜区发展和改革委员会"


def test_a_listed_pdf_is_itself_the_report(site):
    spider = spider_for(site)
    pdf = (SITE / "root" / MZJ_PDF.lstrip("/")).read_bytes()
    response = Response(site.base_url + MZJ_PDF, body=pdf, headers={"Content-Type": "application/pdf"})
    (page,) = spider.parse_report(
        response,
        {
            "list_title": "东胜区民政局2021年政府信息公开工作年度报告",
            "body_name": "鄂尔多斯市东胜区民政局",
            "body_level": "department",
        },
    )
    assert (page.media_type, page.encoding, page.attachments, page.canonical_url) == (
        "application/pdf",
        None,
        [],
        REAL + MZJ_PDF,
    )


# -- the spider against the mirror ------------------------------------------------------------


DISTRACTORS = {
    "/gk/zfxxgknb/qzf/202502/t20250210_3763015.html",  # 解读
    "/gk/zfxxgknb/qzbm/fzhggj/202502/t20250214_3765120.html",  # 部门预算公开
}


@pytest.mark.e2e
def test_spider_crawls_the_mirror(tmp_path):
    with Mirror(SITE) as mirror:
        items, log = crawl_items("dongsheng", mirror, tmp_path)
        asked = [path for _, path in mirror.requests]
    got = {
        (
            i["canonical_url"].removeprefix(REAL),
            i["list_title"],
            i["body_name"],
            i["body_level"],
            i["media_type"],
            tuple((a.name, a.status) for a in i["attachments"]),
        )
        for i in items
    }
    html, pdf = "text/html", "application/pdf"
    district, dept = (DISTRICT, "district"), "department"
    assert got == {
        ("/gk/zfxxgknb/qzf/202502/t20250207_3762462.html", "东胜区2024年政府信息公开工作年度报告", *district, html, ()),
        ("/gk/zfxxgknb/qzf/202205/t20220509_3210630.html", "东胜区2019年政府信息公开年度报告", *district, html, ()),
        ("/gk/zfxxgknb/qzf/202205/t20220509_3210629.html", "东胜区2018年政府信息公开年度报告", *district, html, ()),
        (SEED_PATH, SEED_TITLE, *district, html, ()),
        (
            "/gk/zfxxgknb/qzbm/zfbgs/202001/t20200120_3001234.html",
            "东胜区人民政府办公室2019年政府信息公开工作年度报告",
            "鄂尔多斯市东胜区人民政府办公室",
            dept,
            html,
            (),
        ),
        (
            "/gk/zfxxgknb/qzbm/fzhggj/202501/t20250116_3758546.html",
            FGW,
            "鄂尔多斯市东胜区发展和改革委员会",
            dept,
            html,
            ((FGW + ".pdf", 200),),
        ),
        (
            "/gk/zfxxgknb/qzbm/mzj/202205/t20220509_3210702.html",
            "东胜区民政局2015年度政府信息公开年度报告",
            "鄂尔多斯市东胜区民政局",
            dept,
            html,
            (),
        ),
        (MZJ_PDF, "东胜区民政局2021年政府信息公开工作年度报告", "鄂尔多斯市东胜区民政局", dept, pdf, ()),
    }
    assert len(items) == 8
    assert asked.count(SEED_PATH) == 1  # linked under both hosts, fetched once
    assert {"/gk/zfxxgknb/qzf/index_2.html", "/gk/zfxxgknb/qzbm/mzj/"} <= set(asked)
    assert not set(asked) & DISTRACTORS
    assert "ERROR" not in log


# -- end to end: crawl, pipelines, database ---------------------------------------------------


@pytest.mark.e2e
def test_crawl_stores_the_reports_with_header_dates_not_url_dates(tmp_path):
    with Mirror(SITE) as mirror:
        result = run_crawl("dongsheng", mirror.base_url, tmp_path)
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
    district = (DISTRICT, "district", "鄂尔多斯市人民政府")
    qzf, qzbm = REAL + "/gk/zfxxgknb/qzf/", REAL + "/gk/zfxxgknb/qzbm/"
    assert got == {
        # republished on 2022-05-09 (URL t20220509): the year from the title, the date from the header
        SEED_TITLE: (*district, 2017, "2018-03-26", REAL + SEED_PATH, []),
        "东胜区2018年政府信息公开年度报告": (*district, 2018, "2019-03-06", qzf + "202205/t20220509_3210629.html", []),
        "东胜区2019年政府信息公开年度报告": (*district, 2019, "2020-03-27", qzf + "202205/t20220509_3210630.html", []),
        "东胜区2024年政府信息公开工作年度报告": (
            *district,
            2024,
            "2025-02-07",
            qzf + "202502/t20250207_3762462.html",
            [],
        ),
        "东胜区人民政府办公室2019年政府信息公开工作年度报告": (
            "鄂尔多斯市东胜区人民政府办公室",
            "department",
            DISTRICT,
            2019,
            "2020-01-20",
            qzbm + "zfbgs/202001/t20200120_3001234.html",
            [],
        ),
        FGW: (
            "鄂尔多斯市东胜区发展和改革委员会",
            "department",
            DISTRICT,
            2024,
            "2025-01-16",
            qzbm + "fzhggj/202501/t20250116_3758546.html",
            [FGW + ".pdf"],
        ),
        "东胜区民政局2015年度政府信息公开年度报告": (
            "鄂尔多斯市东胜区民政局",
            "department",
            DISTRICT,
            2015,
            "2016-03-30",
            qzbm + "mzj/202205/t20220509_3210702.html",
            [],
        ),
        # the PDF linked from the list is the report; it carries no date
        "东胜区民政局2021年政府信息公开工作年度报告": (
            "鄂尔多斯市东胜区民政局",
            "department",
            DISTRICT,
            2021,
            None,
            REAL + MZJ_PDF,
            [],
        ),
    }
    assert result.failures() == []
    # every number of the seed's 公开类别 table (seed 003)
    metrics = result.metrics(SEED_TITLE)
    table = {(code, None, None): v for code, v in values("003", "table").items()}
    assert {key: metrics.get(key) for key in table} == table
