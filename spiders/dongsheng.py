"""鄂尔多斯市东胜区人民政府 — www.ds.gov.cn = ds.gov.cn (TRS-style static publishing; docs/portals.md §5).

Reports: the district's under `/gk/zfxxgknb/qzf/`, its departments' under
`/gk/zfxxgknb/qzbm/{dept}/` (zfbgs, fzhggj, mzj, …), each `…/{YYYYMM}/t{YYYYMMDD}_{id}.html`.
Old reports were republished in 2022 (t20220509_…): the report year is in the title and the publish
date in the page header (`发布日期:2018-03-26 11:07`); the URL date is neither — both are left to
the parse pipeline. The list pages and their pager are unverified: the section hub and both
channel roots are all entry points.
"""

from __future__ import annotations

import re
from typing import Any

from spiders.platforms.trs import TrsSpider, body_from_title

DEPARTMENT = re.compile(r"/gk/zfxxgknb/qzbm/([^/]+)/", re.I)
FULL_PREFIX = "鄂尔多斯市东胜区"
# Department codes seen in report URLs (docs/portals.md §5.1), for titles that name no body.
DEPARTMENTS = {
    "zfbgs": "人民政府办公室",
    "fzhggj": "发展和改革委员会",
    "mzj": "民政局",
    "zfhcxjsj": "住房和城乡建设局",
    "gyzcjdglwyh": "国有资产监督管理委员会",
    "dsqxzsphzwfwj": "行政审批和政务服务局",
}


class DongshengSpider(TrsSpider):
    name = "dongsheng"
    home_url = "http://www.ds.gov.cn"
    host_aliases = {"ds.gov.cn": "www.ds.gov.cn"}
    body_name = "鄂尔多斯市东胜区人民政府"
    body_level = "district"
    region_code = "150602"
    parent_body = "鄂尔多斯市人民政府"
    start_paths = ("/gk/zfxxgknb/", "/gk/zfxxgknb/qzf/", "/gk/zfxxgknb/qzbm/")
    list_path = re.compile(r"/gk/zfxxgknb/(?:qzf/|qzbm/(?:[^/]+/)?)?(?:index(?:_\d+)?\.s?html?)?$", re.I)
    nav_texts = ("政府信息公开年报", "政府部门公开年报")

    def report_body(self, url: str, title: str) -> dict[str, Any]:
        dept = DEPARTMENT.search(url)
        if dept is None:
            return {}  # qzf: the district government's own reports
        name = body_from_title(title)
        if name is None and dept.group(1).lower() in DEPARTMENTS:
            name = DEPARTMENTS[dept.group(1).lower()]
        return {"body_name": full_name(name), "body_level": "department", "parent_body": self.body_name}


def full_name(name: str | None) -> str | None:
    """Department names in the district body's form: 东胜区民政局 → 鄂尔多斯市东胜区民政局."""
    if not name or name.startswith(FULL_PREFIX):
        return name
    return FULL_PREFIX + name.removeprefix("东胜区")
