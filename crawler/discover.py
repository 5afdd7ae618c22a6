"""`govreports discover URL`: what the crawl would find on a portal, and its registry entry.

Runs the detecting spider (spiders/platforms/detect.py) against the portal with discovery forced
and report pages counted but not fetched, then prints the platform detected with its evidence, each
report column with how many reports it lists and a few titles, the requests discovery cost, and a
ready [[portal]] entry."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from crawler.registry import LEVELS, Portal, spider_class_for

TITLE_NOISE = re.compile(r"(门户网站|官方网站|政府网站|网站首页|首页|欢迎您|欢迎访问|门户)")
TITLE_SPLIT = re.compile(r"[-_|｜—–·\s]+")


@dataclass
class DiscoverResult:
    portal: Portal
    platform: str
    evidence: list[str]
    columns: list[dict[str, Any]]
    requests: int
    pages: int
    hints: dict[str, Any] = field(default_factory=dict)

    def entry(self) -> Portal:
        from dataclasses import replace

        return replace(self.portal, platform=self.platform, hints=self.hints)


def guess_body(html: str) -> str | None:
    """The body's name from the home page's <title>: 东营市人民政府门户网站 → 东营市人民政府."""
    found = re.search(r"<title[^>]*>(.*?)</title>", html, re.S | re.I)
    if not found:
        return None
    parts = [TITLE_NOISE.sub("", p).strip() for p in TITLE_SPLIT.split(found.group(1))]
    parts = [p for p in parts if p]
    named = [p for p in parts if re.search(r"(人民政府|政府|管理委员会|管委会|局|委员会)$", p)]
    candidates = named or parts
    return candidates[0] if candidates else None


def guess_level(body: str) -> str:
    if re.search(r"(开发区|新区|高新区|园区|管委会|管理委员会)", body):
        return "zone"
    if re.search(r"省人民政府$|省政府$", body):
        return "province"
    if re.search(r"区人民政府$|区政府$", body):
        return "district"
    if re.search(r"(县|旗)人民政府$|(县|旗)政府$", body) or re.search(r"^[^市]+市人民政府$", body) and "州" in body:
        return "county"
    if re.search(r"市人民政府$|市政府$", body):
        return "city"
    return "department"


def guess_name(url: str) -> str:
    host = (urlsplit(url).hostname or "portal").lower()
    parts = [p for p in host.split(".") if p not in ("www", "gov", "cn", "com", "net", "org", "xxgk", "zwgk")]
    return re.sub(r"[^a-z0-9_]", "_", (parts[0] if parts else "portal"))[:50] or "portal"


def discover(
    url: str, *, base_url: str | None = None, name: str | None = None, body: str | None = None, level: str | None = None
) -> DiscoverResult:
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    from spiders.base import GovReportSpider

    portal = Portal(
        name or guess_name(url), url.rstrip("/"), body or "?", level if level in LEVELS else "county", source="discover"
    )
    cls = spider_class_for(portal)
    settings = get_project_settings()
    overrides = {
        "ITEM_PIPELINES": {},
        "EXTENSIONS": {**settings.getdict("EXTENSIONS"), "crawler.extensions.discovery.DiscoveryMemory": None},
        "DOWNLOADER_MIDDLEWARES": {
            **settings.getdict("DOWNLOADER_MIDDLEWARES"),
            "crawler.middlewares.columns.ReportsNotFetched": 100,
            "crawler.middlewares.incremental.IncrementalMiddleware": None,
        },
        "LOG_LEVEL": settings.get("LOG_LEVEL") if settings.get("LOG_LEVEL") != "INFO" else "WARNING",
    }
    for key, value in overrides.items():
        settings.set(key, value, priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(cls)

    def home_names_the_body(response: Any, request: Any, spider: Any) -> None:
        # without --body, the body the home page names decides whose reports count, as the
        # crawl of the entry printed will (its titles' other governments are left out)
        if spider.body_name == "?" and request.cb_kwargs.get("kind") == "home" and hasattr(response, "text"):
            spider.body_name = guess_body(response.text) or "?"

    crawler.signals.connect(home_names_the_body, signal=signals.response_received)
    process.crawl(crawler, **({"base_url": base_url} if base_url else {}))
    process.start()
    spider = crawler.spider
    assert isinstance(spider, GovReportSpider)  # spider_class_for's classes all derive from it
    state = spider.discovery
    detection = state.detection
    platform = state.platform or (detection.platform if detection else "generic")
    home_html = state.pages[0][1] if state.pages else ""
    guessed = body or (spider.body_name if spider.body_name != "?" else guess_body(home_html)) or "?"
    portal = Portal(portal.name, portal.home_url, guessed, level or guess_level(guessed), source="discover")
    columns = [
        {**c.as_dict(), "samples": list(c.samples)}
        for c in state.columns.values()
        if c.reports or c.origin != "discovered" or not c.failed
    ]
    return DiscoverResult(
        portal=portal,
        platform=platform,
        evidence=detection.evidence if detection else [],
        columns=columns,
        requests=state.requests,
        pages=int(crawler.stats.get_value("downloader/response_count", 0)),
        hints=hints_for(platform, [c["url"] for c in columns if c["reports"]]),
    )


def hints_for(platform: str, columns: list[str]) -> dict[str, Any]:
    """Platform options naming the columns found, for the entry (hints: discovery runs without them)."""
    paths = [urlsplit(u).path + (f"?{urlsplit(u).query}" if urlsplit(u).query else "") for u in columns]
    if platform == "hanweb":
        ids = [m.group(1) for p in paths if (m := re.search(r"/col/col(\d+)/", p))]
        from spiders.platforms.hanweb import xxgk_area

        areas = [area for p in paths if (area := xxgk_area(p))]
        return ({"column_ids": ids} if ids else {}) | ({"xxgk_areas": areas} if areas else {})
    if platform == "vsb":
        slugs = [re.sub(r"\.s?html?$", "", p.split("?")[0].strip("/")) for p in paths if p.endswith(".htm")]
        return {"list_slugs": slugs} if slugs else {}
    if platform == "trs":
        return {"start_paths": paths} if paths else {}
    if platform == "generic":
        return {"list_urls": paths} if paths else {}
    return {}


def format_result(result: DiscoverResult) -> str:
    lines = [f"platform: {result.platform}"]
    lines += [f"  evidence: {e}" for e in result.evidence[:8]] or ["  evidence: none (generic lists)"]
    found = [c for c in result.columns if c["reports"]]
    lines.append(f"report columns: {len(found)} listing reports")
    for column in result.columns:
        state = "failed" if column["status"] is None or column["status"] >= 400 else f"{column['reports']} reports"
        lines.append(f"  {column['url']}  ({column['origin']}): {state}")
        lines += [f"      {title}" for title in column["samples"]]
    total = sum(c["reports"] for c in result.columns)
    lines.append(f"reports listed: {total} (duplicates across columns counted once per column)")
    lines.append(f"discovery requests: {result.requests}; responses in all: {result.pages}")
    lines.append("")
    lines.append("# registry entry (check body and level):")
    lines.append(result.entry().toml())
    return "\n".join(lines)
