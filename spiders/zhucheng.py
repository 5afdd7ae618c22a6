"""诸城市人民政府 — xxgk.zhucheng.gov.cn (金三利 CMS with TRS-style static paths behind 安全狗
WebShield; docs/portals.md §4). The WebShield challenge is passed by crawler.middlewares.antibot.

Reports: `/XXGK/XXGKNB/{DEPT}/{YYYYMM}/t{YYYYMMDD}_{id}.htm`, one channel per department under
the 信息公开年度报告 section `/XXGK/XXGKNB/`. Unverified, so tolerated both ways: how the section
is reached (the xxgk home's navigation, or the section path directly), `index.htm` or
`index.html`, upper- or lower-case paths (neighbouring 安丘 uses lower case and `.html`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from scrapy.http import Response

from spiders.platforms.trs import TrsSpider, body_from_title

DEPARTMENT = re.compile(r"/XXGKNB/([^/]+)/", re.I)
AUTHOR = re.compile(r"作\s*者\s*[:：]\s*(\S+)")


class ZhuchengSpider(TrsSpider):
    name = "zhucheng"
    home_url = "http://xxgk.zhucheng.gov.cn"
    site_hosts = ("xxgk.zhucheng.gov.cn", "www.zhucheng.gov.cn", "zhucheng.gov.cn")
    body_name = "诸城市人民政府"
    body_level = "county"
    region_code = "370782"
    parent_body = "潍坊市人民政府"
    start_paths = ("/", "/XXGK/XXGKNB/")
    list_path = re.compile(r"/XXGK/XXGKNB/(?:[^/]+/)?(?:index(?:_\d+)?\.s?html?)?$", re.I)
    nav_texts = ("信息公开年度报告",)
    # behind a WAF that challenges eager clients: slower than the project default
    portal_delay = 3.0

    def report_body(self, url: str, title: str) -> dict[str, Any]:
        dept = DEPARTMENT.search(url)
        if dept is None or dept.group(1).upper() == "SZFBGS":
            return {}  # the 市政府办公室 channel publishes the city government's own reports
        name = body_from_title(title)
        if name and name.startswith("市"):
            name = "诸城" + name  # 市财政局 → 诸城市财政局
        return {"body_name": name, "body_level": "department", "parent_body": self.body_name}

    def parse_report(self, response: Response, listing: dict[str, Any]) -> Iterator[Any]:
        response = self.redecoded(response)
        if listing.get("body_level") == "department" and not listing.get("body_name"):
            # the title names no body: the header's 作者 is the department that published it
            author = author_of(response)
            if author:
                listing = {**listing, "body_name": author}
            else:
                self.logger.warning("no body in the title nor 作者 on %s", response.url)
        yield from super().parse_report(response, listing)


def author_of(response: Response) -> str | None:
    """The 作者 of the page header line `作者: 诸城市人民政府办公室 来源: SRC-122 时间: 2018-03-29`."""
    if not hasattr(response, "text"):
        return None
    for text in response.xpath("//body//text()").getall():
        match = AUTHOR.search(text)
        if match:
            return match.group(1)
    return None
