"""A new portal on the Hanweb platform is a few lines of configuration: 微山县 (synthetic mirror
tests/sites/hanweb_example, see its README) defined here, crawled end to end into a database."""

from __future__ import annotations

import pytest

from spiders.platforms.hanweb import HanwebSpider
from tests.crawl import run_crawl


class WeishanSpider(HanwebSpider):
    name = "hanweb_example"
    home_url = "http://www.weishan.gov.cn"
    body_name = "微山县人民政府"
    body_level = "county"
    region_code = "370826"
    column_ids = ("31001", "31002")
    xxgk_areas = ("weishanxian",)


SYN = "(合成测试数据)"


@pytest.mark.e2e
def test_new_hanweb_portal_crawls_end_to_end(mirror_for, tmp_path):
    mirror = mirror_for("hanweb_example")
    # The spider lives in this test module: let `scrapy crawl` find it there too.
    result = run_crawl("hanweb_example", mirror.base_url, tmp_path, settings={"SPIDER_MODULES": f"spiders,{__name__}"})
    assert result.returncode == 0, result.log[-3000:]
    reports = result.reports()
    assert [(r["body"], r["year"], r["title"], r["published_at"], len(r["attachments"])) for r in reports] == [
        ("微山县人民政府", 2020, f"微山县人民政府2020年政府信息公开工作年度报告{SYN}", "2021-01-29", 1),
        ("微山县人民政府", 2021, f"微山县人民政府2021年政府信息公开工作年度报告{SYN}", "2022-01-26", 0),
        ("微山县人民政府", 2022, f"微山县人民政府2022年政府信息公开工作年度报告{SYN}", "2023-01-18", 0),
        ("微山县人民政府", 2023, f"微山县人民政府2023年政府信息公开工作年度报告{SYN}", "2024-01-25", 0),
    ]
    assert [r["canonical_url"] for r in reports][1:3] == [
        "http://www.weishan.gov.cn/module/xxgk/xxgkAnnualReport.jsp?area=weishanxian&fbtime=2021",
        "http://www.weishan.gov.cn/art/2023/1/18/art_31001_5001.html",  # listed in both columns
    ]
    asked = [f"{m} {p}" for m, p in mirror.requests]
    # the page's own proxy path; POST refused, so GET from the page <nextgroup> names, until page 3
    assert [a for a in asked if "dataproxy" in a] == [
        "POST /module/jpage/dataproxy.jsp?startrecord=3&endrecord=4&perpage=2",
        "GET /module/jpage/dataproxy.jsp?page=2&appid=1&webid=3&path=%2F&columnid=31002&unitid=7001"
        "&webname=%E5%BE%AE%E5%B1%B1%E5%8E%BF%E4%BA%BA%E6%B0%91%E6%94%BF%E5%BA%9C&permissiontype=0",
        "GET /module/jpage/dataproxy.jsp?page=3&appid=1&webid=3&path=%2F&columnid=31002&unitid=7001"
        "&webname=%E5%BE%AE%E5%B1%B1%E5%8E%BF%E4%BA%BA%E6%B0%91%E6%94%BF%E5%BA%9C&permissiontype=0",
    ]
    for never in ("art_31002_5001", "art_31001_5002", "art_31002_6000", "art_31002_3990"):
        assert not [a for a in asked if never in a]
