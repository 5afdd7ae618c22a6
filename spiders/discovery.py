"""Finding a portal's annual-report columns from its home page, and telling its CMS platform.

Pure functions over link texts, URLs and page text (no Scrapy requests): the spiders' discovery
(GovReportSpider in spiders/base.py) and `govreports discover` use them.

Navigation is followed by link text, the way a person would: from the home page to the
政府信息公开 area (政府信息公开, 信息公开, 政务公开, 公开目录, 法定主动公开内容 …), there to the report
columns (政府信息公开年报, 信息公开年度报告, 年度报告, 年报, 部门年报 …), and from a column to its
sub-columns (县政府年报, 乡镇（街道）年报, year channels such as 2023年度, 更多>> links) and from an
organ list (部门信息公开, 信息公开单位) to each organ's own area.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from crawler.parsing.classify import is_annual_report_title
from crawler.parsing.text import label_key

# Link texts of report columns: 政府信息公开年报, 信息公开年度报告, 部门年报, 乡镇（街道）年报 …
REPORT_COLUMN = re.compile(r"(年报|年度报告)")
# …but not pages about reports, nor other kinds of yearly reports (统计年报, 决算 …)
NOT_COLUMN = re.compile(
    r"(图解|解读|图读|一图|H5|音频|视频|通知|公告|关于|更正|发布会|统计年报|统计年鉴|决算|预算|审计|年检|工作报告|发展报告|公报|(19|20)\d{2}年)"
)
# Detail pages of the platforms: a link to one is a report or an article, never a column.
ARTICLE_URL = re.compile(
    r"(/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+|/info/\d+/\d+\.htm|/t\d{8}_\d+\.s?html?|/public/\d+/\d+\.html|/content/article/\d+)",
    re.I,
)
# The 政府信息公开 area and its catalogue.
XXGK_NAV = re.compile(
    r"(政府信息公开|信息公开|政务公开|公开目录|主动公开|法定主动公开|信息公开平台|政府公开|公开专栏|法定公开)"
)
# Lists of organs, each with its own 信息公开 area.
ORGAN_LIST = re.compile(
    r"(部门信息公开|信息公开单位|单位信息公开|乡镇信息公开|街道信息公开|部门公开|部门及乡镇|公开单位)"
)
ORGAN_NAME = re.compile(r"(局|委|委员会|办|办公室|院|中心|镇|乡|街道|政府|管委会|所|站|队|会|处|馆|部|社|区|公司)$")
YEAR_CHANNEL = re.compile(r"^(19|20)\d{2}\s*年度?$|^(19|20)\d{2}$")
MORE = re.compile(r"^(更多|more|MORE|More|查看更多|>>|》》|更多>>|更多>|更多》|更多\+|\+更多)")


def link_kind(text: str, url: str = "") -> str | None:
    """What a link leads to, by its text: "column" (report column), "organs" (an organ list),
    "nav" (the 信息公开 area), "year" (a year channel), "more" (更多>>), or None. A link to a
    detail page (`url` shaped like one) leads to no list."""
    if url and ARTICLE_URL.search(url):
        return None
    key = label_key(text or "")
    if not key or len(key) > 30:
        return None
    if is_annual_report_title(key):
        return None  # a report itself, read by the list parsers
    if REPORT_COLUMN.search(key) and not NOT_COLUMN.search(key):
        return "column"
    if ORGAN_LIST.search(key):
        return "organs"
    if XXGK_NAV.search(key) and len(key) <= 16 and "指南" not in key and "制度" not in key:
        return "nav"
    if YEAR_CHANNEL.match(key):
        return "year"
    if MORE.match(key):
        return "more"
    return None


def is_organ_name(text: str) -> bool:
    key = label_key(text or "")
    return 2 <= len(key) <= 25 and bool(ORGAN_NAME.search(key)) and not link_kind(key)


# -- platform fingerprints ------------------------------------------------------------------------

# (platform, weight, pattern, what it is): found in the raw HTML of a page (scripts included).
FINGERPRINTS: tuple[tuple[str, int, re.Pattern[str], str], ...] = (
    ("hanweb", 3, re.compile(r"/col/col\d+/index\.html?"), "column URL /col/col{id}/index.html"),
    (
        "hanweb",
        3,
        re.compile(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html?"),
        "article URL /art/Y/M/D/art_{col}_{id}",
    ),
    ("hanweb", 4, re.compile(r"<datastore>|\.jpage\(|dataproxy\.jsp"), "jpage datastore / dataproxy.jsp"),
    ("hanweb", 2, re.compile(r"/module/(?:web/)?jpage/|/module/xxgk/|/script/0/|jcms", re.I), "Hanweb module path"),
    ("hanweb", 2, re.compile(r"大汉网络|hanweb", re.I), "footer/script names Hanweb"),
    ("lonsun", 4, re.compile(r"/site/label/\d+"), "label endpoint /site/label/{id}"),
    ("lonsun", 3, re.compile(r"/public/column/\d+\?"), "xxgk column /public/column/{organId}?…"),
    ("lonsun", 2, re.compile(r"/public/\d+/\d+\.html"), "xxgk article /public/{organId}/{id}.html"),
    ("lonsun", 3, re.compile(r"\bLs\.(?:pagination|ajax|url|site)|lonsun|龙讯", re.I), "Lonsun script (Ls.*)"),
    ("lonsun", 2, re.compile(r"/group\d+/M00/"), "FastDFS attachment path"),
    ("trs", 4, re.compile(r"createPageHTML\s*\("), "createPageHTML pager"),
    ("trs", 3, re.compile(r"/t\d{8}_\d+\.s?html?"), "document URL t{YYYYMMDD}_{id}.html"),
    ("trs", 2, re.compile(r"TRS_Editor|trs_editor|拓尔思|TRS\s*WCM", re.I), "TRS editor / footer"),
    ("trs", 1, re.compile(r"\bcountPage\b"), "countPage pager variable"),
    ("vsb", 4, re.compile(r"showVsbpdfIframe|_sitegray|\.vsb\b|vsbscreen", re.I), "VSB script"),
    ("vsb", 3, re.compile(r"\binfo/\d+/\d+\.htm\b"), "article URL /info/{treeId}/{id}.htm"),
    ("vsb", 3, re.compile(r"/system/resource/|_newscontent_fromname|wbtreeid|wbnewsid"), "VSB system path / form"),
    ("vsb", 2, re.compile(r"博达|Visual\s*SiteBuilder", re.I), "footer names 博达 VSB"),
)
DETECT_THRESHOLD = 3  # below it no base is trusted: the generic crawler reads the lists


@dataclass
class Detection:
    platform: str  # hanweb | lonsun | trs | vsb | generic
    scores: dict[str, int] = field(default_factory=dict)
    evidence: list[str] = field(default_factory=list)  # "hanweb: jpage datastore (…/col/col31/index.html)"

    def as_dict(self) -> dict:
        return {"platform": self.platform, "scores": self.scores, "evidence": self.evidence}


def fingerprints(text: str) -> list[tuple[str, int, str]]:
    """(platform, weight, what) of every fingerprint the page's HTML shows."""
    return [(platform, weight, what) for platform, weight, pattern, what in FINGERPRINTS if pattern.search(text)]


def detect(pages: list[tuple[str, str]]) -> Detection:
    """The platform a set of (url, html) pages shows most strongly; "generic" when none reaches
    DETECT_THRESHOLD. Each fingerprint counts once, however many pages show it."""
    scores: dict[str, int] = {}
    evidence: list[str] = []
    seen: set[str] = set()
    for url, text in pages:
        for platform, weight, what in fingerprints(text):
            if what in seen:
                continue
            seen.add(what)
            scores[platform] = scores.get(platform, 0) + weight
            evidence.append(f"{platform}: {what} ({url})")
    best = max(scores, key=lambda p: scores[p], default=None)
    if best is None or scores[best] < DETECT_THRESHOLD:
        found = ", ".join(f"{p} {n}" for p, n in sorted(scores.items())) or "none found"
        why = f"generic: no platform's fingerprints reach {DETECT_THRESHOLD} ({found}; {len(pages)} pages)"
        return Detection("generic", scores, [why, *evidence])
    return Detection(best, scores, [e for e in evidence if e.startswith(best + ":")])
