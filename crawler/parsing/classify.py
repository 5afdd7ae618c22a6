"""Which titles are annual reports (docs/portals.md §1.2)."""

from __future__ import annotations

import re

from crawler.parsing.text import label_key

_REPORT = re.compile(r"(年度报告|年报)")
# A report names its year (2019年, 2019年度, 二〇一九年); a column named 政府信息公开年报 does not.
_YEAR = re.compile(r"((19|20)\d{2}|[〇零一二三四五六七八九]{4})年")
# Pages that only relate to a report: graphic/explained/H5/audio versions, notices about reports.
_RELATED = re.compile(
    r"(图解|解读|H5|音频|视频|一图读懂|一图看懂|通知|公告|关于.*(编制|报送|发布)|评议|目录"
    r"|更正说明|更正声明|的更正|数据更正|勘误|发布会|新闻发布|答记者问)"
)


def is_annual_report_title(title: str | None) -> bool:
    """True for titles such as 东营市人民政府2019年政府信息公开工作年度报告 or
    …2017年度信息公开工作年报报告; False for 图解/解读 versions, notices, corrections
    (更正说明, 部分数据的更正), press conferences (发布会) and look-alikes."""
    if not title:
        return False
    key = label_key(title)
    if "信息公开" not in key or not _REPORT.search(key) or not _YEAR.search(key):
        return False
    return not _RELATED.search(key)


_CUT = re.compile(r"(\.{2,}|…+|。{2,})$")


def is_cut_report_title(title: str | None) -> bool:
    """True for a list title cut short (…, ...) whose visible part reads as the start of a report
    title — a year and 信息公开, nothing marking a related page — such as 平原县人民政府2023年政府信息公开工…
    on a list without title= attributes: only its page can tell (the page's own title decides)."""
    if not title:
        return False
    key = label_key(title)
    cut = _CUT.search(key)
    if not cut:
        return False
    visible = key[: cut.start()]
    return "信息公开" in visible and bool(_YEAR.search(visible)) and not _RELATED.search(visible)
