"""The base of every portal spider: base-URL override, mirror localisation, report requests,
attachment downloads. Platform bases (spiders/platforms/) add list pages and pagination; a portal
spider (spiders/<name>.py) is then a few lines of configuration."""

from __future__ import annotations

import json
import os
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urljoin, urlsplit

import scrapy
from parsel import Selector  # what response.css() yields (scrapy.Selector derives from it)
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response, TextResponse

from crawler.items import FAILURE_KIND, FAILURE_REASON, REPORT_META, Attachment, ReportPage
from crawler.middlewares.columns import COLUMN
from crawler.parsing.classify import is_annual_report_title, is_cut_report_title
from crawler.parsing.mediatypes import media_type_for_name
from crawler.parsing.text import clean_text, label_key
from crawler.urls import canonicalize, origin, rebase
from spiders.discovery import NOT_COLUMN, REPORT_COLUMN, Detection, is_organ_name, link_kind
from spiders.lists import GenericLists

DISCOVERY_STAT = "govreports/discovery"  # the run's discovery record as JSON (-> crawl_runs.stats)
HINT, REMEMBERED, DISCOVERED = "hint", "remembered", "discovered"
DISCOVERY_PRIORITY = {"column": 30, "organ_column": 25, "more": 25, "year": 20, "organs": 10, "organ": 5}

ATTACHMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".ofd", ".zip", ".rar")
# Download endpoints whose URLs carry no extension (docs/portals.md §1.7).
ATTACHMENT_ENDPOINTS = re.compile(
    r"(downfile\.jsp|download\.jsp|DownloadAttachUrl|/group\d+/M00/|/__local/|virtual_attach_file)",
    re.I,
)

# A body's own name followed by one of these is still the body (临沂经济技术开发区管委会).
OWN_BODY_WORDS = ("", "管委会", "管理委员会", "人民政府", "政府")
OWN_SUFFIX = re.compile(r"(人民政府|政府|管理委员会|管委会)$")
GOVERNMENT = re.compile(r"(人民政府|政府)$")
OFFICE = re.compile(r"(办公室|办)$")
# labels of the publisher on a report page, most specific first
PUBLISHER_LABELS = ("发布机构", "发布单位", "信息来源", "资料来源", "来源")
TOWN = re.compile(r"(镇|乡|街道|街道办事处|苏木)(人民政府|政府)?$")
PLACE_CHARS = "省市县区旗"
TOWN_WORD = re.compile(r"(镇|乡|街道|苏木|嘎查|社区)")
PLACE_PART = re.compile(rf"[^{PLACE_CHARS}]*[{PLACE_CHARS}]|[^{PLACE_CHARS}]+$")
_YEAR_IN_TITLE = re.compile(r"(?:19|20)\d{2}\s*年")
# A home page that is only a way in (a script setting location, a frameset, one iframe) sends
# the browser on; Scrapy follows <meta http-equiv=refresh> itself.
_JS_LOCATION = re.compile(
    r"""(?:\b(?:window|self|top|parent|document)\.)?\blocation(?:\.href)?\s*=\s*["']([^"']+)["']"""
    r"""|\blocation\.(?:replace|assign)\(\s*["']([^"']+)["']"""
)
FORWARDING_LINKS = 5  # a page with this many links or more is a page of its own, not a way in
# class/id words of a box holding an article's attachments outside its body
_APPENDIX_BOX = re.compile(r"(?<![a-z])(fj|fujian|xgfj|attach\w*|appendix\w*|enclosure|annex)(?![a-z])", re.I)

# Content-Types that say "a download" without saying what: the file name tells instead.
GENERIC_TYPES = {"application/octet-stream", "application/x-download", "application/force-download"}


@dataclass
class Column:
    """A list of reports the crawl reads: how it was found and what it gave."""

    url: str  # canonical (as on the real portal): remembered across runs and mirror ports
    origin: str  # hint | remembered | discovered
    status: int | None = None  # the HTTP status of its first page; None: no answer (yet)
    reports: int = 0  # report requests its pages yielded (held ones included)
    samples: list[str] = field(default_factory=list)  # a few of the report titles it lists
    # asked only once the lists are done (Hanweb's xxgk module: one request per year), so judged
    # then by the platform, not with the lists (GovReportSpider.on_idle)
    module: bool = False

    @property
    def failed(self) -> bool:
        return self.status is None or self.status >= 400

    def as_dict(self) -> dict[str, Any]:
        out = {"url": self.url, "origin": self.origin, "status": self.status, "reports": self.reports}
        return out | ({"module": True} if self.module else {})


@dataclass
class Discovery:
    """What a crawl knows about where the portal's reports are, recorded per run."""

    columns: dict[str, Column] = field(default_factory=dict)
    started: bool = False  # discovery from the home page was run
    reason: str | None = None  # why it was run
    requests: int = 0  # pages fetched to find the columns (not the columns' own pages)
    searched: int = 0  # of those, pages of the search itself (an organ list's organs not counted)
    pages: list[tuple[str, str]] = field(default_factory=list)  # (url, html) seen, for detection
    detection: Detection | None = None
    platform: str | None = None  # the platform the crawl ran with
    asked: set[str] = field(default_factory=set)  # discovery URLs asked for


class GovReportSpider(scrapy.Spider, GenericLists):
    """Configuration every portal spider sets (from its registry entry, crawler/registry.py),
    and what every portal spider does: the platform's hinted lists first, then the report columns
    remembered from earlier runs, and discovery from the home page when they fail or are empty."""

    # Options a registry entry may set for a portal on any platform (kinds: crawler/registry.py).
    options: dict[str, str] = {
        "site_hosts": "list",
        "host_aliases": "table",
        "portal_delay": "float",
        "content_selectors": "list",
        "title_names": "list",
        "discovery_depth": "int",
        "discovery_pages": "int",
    }
    platform_name = ""  # the registry's name of the platform (set on each platform base)
    # Lists are in the page's HTML (not loaded by script): a column page without report links
    # is a list of sub-lists, e.g. 部门年报 linking each department's own 年报 list.
    static_lists = False
    # Discovery bounds: link depth from the home page to a report column, pages fetched in all.
    discovery_depth = 4
    discovery_pages = 100  # the search's pages; an organ list's organs are bounded by organ_limit
    organ_limit = 80  # organs followed from one organ list (or one column's organ boxes)

    home_url: str = ""  # the real portal root, e.g. "http://www.dongying.gov.cn"
    # Hosts of this portal: absolute links to them are followed (on a mirror: rewritten to it).
    # An entry with a leading dot (".huaibei.gov.cn") stands for that domain and all its sub-hosts.
    site_hosts: tuple[str, ...] = ()
    # Host aliases folded in canonical URLs, e.g. {"ds.gov.cn": "www.ds.gov.cn"}.
    host_aliases: dict[str, str] = {}
    body_name: str = ""  # the portal's own body, e.g. 东营市人民政府
    body_level: str = ""  # province | city | county | district | department | zone
    region_code: str | None = None  # 行政区划代码 where one exists
    parent_body: str | None = None
    # CSS selectors of the article body, most specific first; attachments are taken from it only.
    content_selectors: tuple[str, ...] = ("#zoom", ".j-fontContent", ".TRS_Editor", "body")
    # Politeness: seconds between requests to this portal (AutoThrottle never goes below it);
    # None keeps DOWNLOAD_DELAY. See update_settings for what overrides it.
    portal_delay: float | None = None
    # Names the portal's body goes by in titles besides body_name (临沂沂河新区 for 临沂经济技术开发区…):
    # text between such a name and the year names one of its departments.
    title_names: tuple[str, ...] = ()

    @classmethod
    def update_settings(cls, settings: Any) -> None:
        """DOWNLOAD_DELAY of this spider, most specific first: `-s DOWNLOAD_DELAY=…` (command
        line), $GOVREPORTS_DOWNLOAD_DELAY_<NAME>, $GOVREPORTS_DOWNLOAD_DELAY (crawler/settings.py),
        the class's portal_delay, the project default. Set at "spider" priority: above the project
        settings, below the command line."""
        super().update_settings(settings)
        name = (getattr(cls, "name", None) or "").upper()
        delay: str | float | None = os.environ.get(f"GOVREPORTS_DOWNLOAD_DELAY_{name}")
        if delay is None and "GOVREPORTS_DOWNLOAD_DELAY" not in os.environ:
            delay = cls.portal_delay
        if delay is not None:
            settings.set("DOWNLOAD_DELAY", float(delay), priority="spider")

    def __init__(self, *args: Any, base_url: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.home_url:
            raise ValueError(f"{type(self).__name__} sets no home_url")
        self.base_url = (base_url or self.home_url).rstrip("/")
        if not urlsplit(self.base_url).scheme:
            raise ValueError(f"base_url must be an absolute URL such as http://127.0.0.1:8001, got {base_url!r}")
        home = urlsplit(self.home_url).hostname or ""
        if home.startswith("www.") and not self.host_aliases:
            # x.gov.cn serves what www.x.gov.cn does on nearly every portal: one canonical URL
            self.host_aliases = {home.removeprefix("www."): home}
        if not hasattr(self, "discovery"):  # kept when a detecting spider becomes its platform
            self.discovery = Discovery(platform=self.platform_name or None)
            # the discovery record of an earlier run (crawler/extensions/discovery.py), or None
            self.remembered: dict[str, Any] | None = None

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> GovReportSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._idle, signal=signals.spider_idle)
        return spider

    # -- where the lists are: hints, memory, discovery -------------------------------------------

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """The columns remembered from the last run, then the platform's hinted lists (those the
        last run found failed or empty are left out); discovery from the home page when there
        are neither (or, later, when they fail: on_idle)."""
        last = {c["url"]: c for c in (self.remembered or {}).get("columns", [])}
        for url, column in last.items():
            if column.get("reports"):
                self.logger.info("%s: remembered report column %s", self.name, url)
                for request in self.resume_column(url, column):
                    yield request
        async for request in self.hinted_requests():
            key = self.canonical_url(request.url)
            if key in last:
                if not last[key].get("reports"):
                    self.logger.info("%s: hinted list %s skipped: empty or failed in the last run", self.name, key)
                continue
            self.add_column(request, HINT)
            yield request
        if not self.discovery.columns:
            for request in self.start_discovery("no hinted or remembered report column"):
                yield request

    def resume_column(self, url: str, column: dict[str, Any]) -> Iterator[scrapy.Request]:
        """The requests for a column the last run found reports in (a platform may keep one
        without a request: Hanweb's xxgk module areas are asked once the lists are done)."""
        yield self.column_request(self.site_url(url), REMEMBERED)

    async def hinted_requests(self) -> AsyncIterator[scrapy.Request]:
        """The platform's requests for the lists its options name (column ids, slugs …)."""
        return
        yield

    def add_column(self, request: scrapy.Request, origin_: str) -> str:
        key = self.canonical_url(request.url)
        self.discovery.columns.setdefault(key, Column(key, origin_))
        request.meta[COLUMN] = key
        return key

    def column_request(self, url: str, origin_: str, referer: str | None = None) -> scrapy.Request:
        """A request for a column found earlier (remembered or discovered), read by the platform."""
        request = scrapy.Request(
            url,
            callback=self.parse_column_page,
            errback=self.column_page_failed,
            headers={"Referer": referer} if referer else {},
        )
        self.add_column(request, origin_)
        return request

    def parse_column_page(self, response: Response) -> Iterator[Any]:
        yield from self.read_column(response)

    def read_column(self, response: Response) -> Iterator[Any]:
        """The platform reads the column page; when it sees no report where the page shows report
        links (another template than the base knows), the page is read as a generic list."""
        reports = 0
        for out in self.column_page(response):
            reports += isinstance(out, scrapy.Request) and REPORT_META in out.meta
            yield out
        if not reports and self.platform_name != "generic" and isinstance(response, TextResponse):
            if self.has_report_links(response):
                self.logger.info(
                    "%s: reading %s as a generic list (%s sees no report)", self.name, response.url, self.platform_name
                )
                yield from self.parse_generic_list(response, root=response.url)

    def column_page_failed(self, failure: Any) -> None:
        self.logger.warning("report column %s failed (%s)", failure.request.url, failure.value)

    def column_page(self, response: Response) -> Iterator[Any]:
        """Read one page of a report column (its first) as the platform reads its lists."""
        return iter(())

    def column_answered(self, key: str, status: int) -> None:
        # a column answers once for its first page, a module once per year: the best answer counts
        column = self.discovery.columns.get(key)
        if column is not None and (column.status is None or (column.failed and status < 400)):
            column.status = status

    def column_listed_report(self, key: str, title: str | None = None) -> None:
        column = self.discovery.columns.get(key)
        if column is not None:
            column.reports += 1
            if title and len(column.samples) < 3:
                column.samples.append(title)

    def _idle(self) -> None:
        if self.on_idle():
            raise DontCloseSpider

    def remember(self, record: dict[str, Any] | None) -> None:
        """The last run's discovery record (crawler/extensions/discovery.py), before the crawl starts."""
        self.remembered = record

    def on_idle(self) -> bool:
        """Called when the crawl runs out of requests; True when it scheduled more. Here: when a
        hinted or remembered list failed or listed no report, discover the columns."""
        self.record_discovery()
        if self.discovery.started:
            return False
        known = [c for c in self.discovery.columns.values() if c.origin != DISCOVERED and not c.module]
        failed = [c for c in known if c.failed]
        if failed:
            why = "; ".join(f"{c.origin} list {c.url} failed" for c in failed)
        elif known and not any(c.reports for c in known):
            # lists may overlap (a section hub and its channels): together they must list reports
            why = "; ".join(f"{c.origin} list {c.url} is empty" for c in known)
        else:
            return False
        return self.discover_now(why)

    def discover_now(self, why: str) -> bool:
        """Start discovery while the crawl runs (from on_idle); True when it scheduled a request."""
        requests = list(self.start_discovery(why))
        for request in requests:
            self.crawler.engine.crawl(request)
        return bool(requests)

    def start_discovery(self, why: str) -> Iterator[scrapy.Request]:
        self.discovery.started, self.discovery.reason = True, why
        self.logger.warning("%s: %s: discovering the report columns from %s", self.name, why, self.home_url)
        yield from self.discovery_request(self.site_url(self.home_url), 0, "home")
        if self.on_mirror and urlsplit(self.home_url).path.strip("/"):
            yield from self.discovery_request(self.base_url + "/", 0, "home")

    def discovery_request(
        self, url: str, depth: int, kind: str, referer: str | None = None
    ) -> Iterator[scrapy.Request]:
        key = self.canonical_url(url).split("#")[0]
        if key in self.discovery.asked or key in self.discovery.columns:
            return
        # the organs of an organ list (and their report columns) are bounded by organ_limit per
        # list, not by the search's page budget: a county has 40-80 departments
        organ = kind in ("organ", "organ_column")
        if not organ and self.discovery.searched >= self.discovery_pages:
            self.logger.info("discovery stops at %d pages: not following %s", self.discovery_pages, url)
            return
        self.discovery.asked.add(key)
        self.discovery.requests += 1
        self.discovery.searched += not organ
        self.crawler.stats.inc_value("govreports/discovery_requests") if getattr(self, "crawler", None) else None
        yield scrapy.Request(
            url,
            callback=self.parse_discovered,
            errback=self.discovery_failed,
            headers={"Referer": referer} if referer else {},
            cb_kwargs={"depth": depth, "kind": kind},
            # report columns before the catalogue pages that may lead to more of them
            priority=DISCOVERY_PRIORITY.get(kind, 0),
            # a page that is not there is a dead end of the search, not a failure of the crawl
            meta={"handle_httpstatus_list": [404, 410]},
            dont_filter=kind == "home",
        )

    def discovery_failed(self, failure: Any) -> None:
        self.logger.info("discovery: %s failed (%s)", failure.request.url, failure.value)

    def parse_discovered(self, response: Response, depth: int, kind: str) -> Iterator[Any]:
        """A page met while looking for report columns: a column is handed to the platform, and
        links on the way to (more) columns are followed within the bounds."""
        if response.status >= 400:
            self.logger.info("discovery: %s answered %d", response.url, response.status)
            return
        if not isinstance(response, TextResponse):
            return
        self.discovery.pages.append((response.url, response.text))
        if kind == "home":
            for target in forwarded_to(response):
                url = self.site_url(target, response.url)
                if self.is_site_url(url):
                    self.logger.info("discovery: the home page %s sends the browser on to %s", response.url, url)
                    yield from self.discovery_request(url, depth, "home", response.url)
        if kind == "organ" and self.has_report_links(response):
            kind = "organ_column"  # an organ's page that lists its reports itself
        if kind in ("column", "year", "more", "organ_column"):
            key = self.canonical_url(response.url)
            self.discovery.columns.setdefault(key, Column(key, DISCOVERED, response.status))
            response.meta[COLUMN] = key
            self.logger.info("%s: discovered report column %s", self.name, response.url)
            self.before_column_page(response)
            yield from self.read_column(response)
        if depth >= self.discovery_depth + (2 if kind not in ("home", "nav") else 0):
            return
        yield from self.follow_discovery_links(response, depth, kind)

    def before_column_page(self, response: Response) -> None:
        """Hook: the detecting spider settles its platform before the first column is read."""

    def follow_discovery_links(self, response: TextResponse, depth: int, kind: str) -> Iterator[scrapy.Request]:
        in_column = kind in ("column", "year", "more", "organ_column")
        # a static column page listing no report: its organ-named links are the organs' own lists
        sublists = in_column and self.static_lists and not self.has_report_links(response)
        organs = 0
        for anchor in response.css("a[href]"):
            href = anchor.attrib["href"].strip()
            if not href or href.startswith(("javascript:", "mailto:", "#")):
                continue
            url = self.site_url(href, response.url)
            if not self.is_site_url(url) or is_attachment_link(href):
                continue
            text = clean_text(anchor_text(anchor))
            found = link_kind(text, url)
            if found == "more" and not more_is_about_reports(anchor):
                found = self.more_in_column(more_heading(anchor) or "") if in_column else None
                if found == "organ_column":
                    found = found if organs < self.organ_limit else None
                    organs += found is not None
            if found in ("year",) and not in_column:
                found = None  # a year channel counts inside a report column only
            if found == "nav" and in_column:
                found = None  # from a column: its sub-columns only, not back to the catalogue
            if found is None and (kind == "organs" or sublists) and is_organ_name(text) and organs < self.organ_limit:
                organs += 1
                found = "organ_column" if sublists else "organ"
            if found is None:
                continue
            next_kind = found
            if kind == "organ" and found == "column":
                next_kind = "organ_column"
            yield from self.discovery_request(url, depth + 1, next_kind, response.url)

    @staticmethod
    def more_in_column(heading: str) -> str | None:
        """What a 更多>> in a report column leads to when its box's heading names no report column:
        the box of a year (2023年度: that year's list) or of an organ (部门年报 as one box per
        department, its latest reports and 更多>>: that organ's own list)."""
        if link_kind(heading) == "year":
            return "year"
        return "organ_column" if is_organ_name(heading) else None

    def has_report_links(self, response: TextResponse) -> bool:
        return any(
            self.is_report_title(clean_text(a.attrib.get("title") or " ".join(a.css("::text").getall())))
            for a in response.css("a[href]")
        )

    def is_site_url(self, url: str) -> bool:
        host = urlsplit(url).hostname or ""
        return urlsplit(url).scheme in ("http", "https") and (
            host == urlsplit(self.base_url).hostname or self.is_site_host(host)
        )

    def record_discovery(self) -> dict[str, Any]:
        """The run's discovery record, kept as a stat (the run record writes the stats to
        crawl_runs; the next run remembers its columns from there)."""
        detection = self.discovery.detection
        record = {
            "platform": self.discovery.platform or self.platform_name or None,
            "detected": detection.as_dict() if detection else None,
            "discovery": {"ran": self.discovery.started, "reason": self.discovery.reason},
            "discovery_requests": self.discovery.requests,
            "columns": [c.as_dict() for c in self.discovery.columns.values()],
        }
        if getattr(self, "crawler", None) is not None:
            self.crawler.stats.set_value(DISCOVERY_STAT, json.dumps(record, ensure_ascii=False))
            self.crawler.stats.set_value("govreports/discovery_requests", self.discovery.requests)
        return record

    def closed(self, reason: str) -> None:
        self.record_discovery()

    # -- URLs -----------------------------------------------------------------------------

    @property
    def on_mirror(self) -> bool:
        return origin(self.base_url) != origin(self.home_url)

    def site_url(self, url: str, base: str | None = None) -> str:
        """Resolve `url` (absolute, root-relative or relative to `base`) and, when crawling a
        mirror, point links to the portal's own hosts at the mirror instead."""
        absolute = urljoin(base or self.base_url + "/", url.strip())
        if self.on_mirror:
            parts = urlsplit(absolute)
            if self.is_site_host(parts.hostname or ""):
                absolute = self.base_url + absolute[len(f"{parts.scheme}://{parts.netloc}") :]
        return absolute

    def all_hosts(self) -> set[str]:
        home = urlsplit(self.home_url).hostname or ""
        twin = home.removeprefix("www.") if home.startswith("www.") else f"www.{home}"
        hosts = {home, twin, site_domain(home)} | set(self.site_hosts)  # www.x.gov.cn and x.gov.cn: one site
        return hosts | set(self.host_aliases) | set(self.host_aliases.values())

    def is_site_host(self, host: str) -> bool:
        hosts = self.all_hosts()
        return host in hosts or any(h.startswith(".") and (host == h[1:] or host.endswith(h)) for h in hosts)

    def canonical_url(self, url: str) -> str:
        """The URL as it is on the real portal, canonicalised: stable across mirror ports."""
        return canonicalize(rebase(url, self.base_url, origin(self.home_url)), self.host_aliases)

    # -- reports ----------------------------------------------------------------------------

    def is_report_title(self, title: str | None) -> bool:
        """A list title of a report: a report title, or one cut short (…) that starts like one
        (is_cut_report_title: the page is fetched, and its own title decides)."""
        return is_annual_report_title(title) or is_cut_report_title(title)

    # -- whose report -------------------------------------------------------------------------

    def body_for_title(self, title: str | None) -> dict[str, str] | None:
        """Body fields for report_request from a report's title: {} for the portal's own body,
        a department's or town's fields (the portal's body as parent) for a title naming one,
        None for a title naming another government (a city's report on a district's list)."""
        if not title:
            return {}
        key = label_key(title)
        if self.title_names:
            names = "|".join(sorted(map(re.escape, self.title_names), key=len, reverse=True))
            match = re.match(rf"({names})(.*?)\d{{4}}年", key)
            if match:
                return {} if match[2] in OWN_BODY_WORDS else self.sub_body(match[1] + match[2])
        return self.body_for_name(body_from_title(title))

    def body_for_name(self, name: str | None) -> dict[str, str] | None:
        """As body_for_title, for a body name read off a title or a page."""
        if not name:
            return {}
        full = self.full_body_name(name)
        if full in self.own_names():
            return {}
        if GOVERNMENT.search(full) and not TOWN.search(full):
            return None  # another place's government, listed beside the portal's own reports
        return self.sub_body(full)

    def sub_body(self, name: str) -> dict[str, str]:
        return {"body_name": name, "body_level": "department", "parent_body": self.body_name}

    def locality(self) -> str:
        """The place of the portal's body: 鄂尔多斯市东胜区人民政府 → 鄂尔多斯市东胜区."""
        return OWN_SUFFIX.sub("", self.body_name)

    def own_names(self) -> set[str]:
        place = self.locality()
        names = {self.body_name, place, *self.title_names}
        return names | {n + word for n in (place, *self.title_names) for word in OWN_BODY_WORDS if word}

    def full_body_name(self, name: str) -> str:
        """A department name as the portal's body writes it: 东胜区民政局 and 民政局 →
        鄂尔多斯市东胜区民政局, 市财政局 → 诸城市财政局 (on 诸城市's portal)."""
        place = self.locality()
        if not place or name.startswith(place) or any(name.startswith(n) for n in self.title_names):
            return name
        parts = PLACE_PART.findall(place)
        for i in range(1, len(parts)):  # 东胜区民政局: the place's tail, without its head
            if name.startswith("".join(parts[i:])):
                return "".join(parts[:i]) + name
        if name[0] in PLACE_CHARS and place.endswith(name[0]):
            return place[:-1] + name  # 市财政局 on 诸城市's portal
        if not any(ch in PLACE_CHARS for ch in name) and not TOWN_WORD.search(name):
            return place + name  # 民政局: no place at all (a town, 王集镇人民政府, names its own)
        return name

    def report_request(
        self,
        url: str,
        *,
        list_title: str | None = None,
        list_date: str | None = None,
        referer: str | None = None,
        **body: Any,
    ) -> scrapy.Request:
        """A request for a report page; `body` may override body_name/body_level/region_code/
        parent_body for reports of a department or sub-unit."""
        headers = {"Referer": referer} if referer else {}
        self.listed_reports().add(self.canonical_url(url))
        return scrapy.Request(
            url,
            callback=self.parse_report,
            headers=headers,
            cb_kwargs={"listing": {"list_title": list_title, "list_date": list_date, **body}},
            # crawler/middlewares/incremental.py skips it when the database holds this report as listed
            meta={REPORT_META: {"canonical_url": self.canonical_url(url), "list_date": list_date}},
        )

    def listed_reports(self) -> set[str]:
        """Canonical URLs of every report asked for so far, whichever list named it."""
        return self.__dict__.setdefault("_listed_reports", set())

    def report_held(self, request: scrapy.Request) -> None:
        """Called for a report request skipped because the database holds the report (not
        fetched, so parse_report never sees it): a spider deduping by what it parsed hooks in here."""

    def parse_report(self, response: Response, listing: dict[str, Any]) -> Iterator[Any]:
        media_type = _media_type(response)
        listing = self.body_from_page(response, listing)
        page = ReportPage(
            spider=self.name,
            url=response.url,
            canonical_url=self.canonical_url(response.url),
            body=response.body,
            media_type=media_type,
            encoding=getattr(response, "encoding", None) if media_type.startswith("text/") else None,
            headers=_headers(response),
            list_title=listing.get("list_title"),
            list_date=listing.get("list_date"),
            body_name=listing.get("body_name") or self.body_name,
            body_level=listing.get("body_level") or self.body_level,
            region_code=listing.get("region_code", self.region_code),
            parent_body=listing.get("parent_body", self.parent_body),
        )
        links: list[tuple[str, str]] = []
        if media_type.startswith("text/html") or media_type.endswith("xml"):
            links, page.related_links = self.attachment_links(response)
        yield from self.fetch_attachments(page, links)

    def body_from_page(self, response: Response, listing: dict[str, Any]) -> dict[str, Any]:
        """A list title cut short (…) or missing tells no body: the page's own title does. A title
        naming no body at all (2023年政府信息公开工作年度报告, on a department's own list) is its
        publisher's report: the page's 发布机构 / 信息来源 (page_publisher), the portal's own when
        that is the portal's body or its office."""
        list_title = (listing.get("list_title") or "").strip()
        if self.is_report_title(list_title) and not list_title.endswith(("…", "...", "..")):
            title: str | None = list_title
        else:
            title = page_report_title(response, is_annual_report_title)
            if not title or "body_name" in listing:
                return listing
            body = self.body_for_title(title) or {}
            listing = {**listing, **body, "list_title": listing.get("list_title") or title}
        if "body_name" in listing or body_from_title(title) is not None:
            return listing
        publisher = page_publisher(response)
        if publisher:
            body = self.publisher_body(publisher)
            if body:
                self.logger.info("%s names no body: %s, its publisher (%s)", title, body["body_name"], response.url)
                listing = {**listing, **body}
        return listing

    def publisher_body(self, name: str) -> dict[str, str]:
        """Body fields for a report whose page names `name` as its publisher: {} for the portal's
        body and its office (县政府办公室 publishes the county's own report), {} for another
        government too (a copy of its report stays the portal's own)."""
        full = self.full_body_name(name)
        if OFFICE.sub("", full) in self.own_names() or OFFICE.sub("", name) in {"", "政府", "人民政府"}:
            return {}
        return self.body_for_name(name) or {}

    # -- attachments ------------------------------------------------------------------------

    def content(self, response: Response) -> Selector:
        for css in self.content_selectors:
            found = response.css(css)
            if found:
                return found[0]
        return response.css("html")[0]

    def attachment_links(self, response: Response) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """(attachments, related links) of a report page, as (url, name) and (text, url).

        Anchors inside the article body, files it shows (iframe, embed, object) and its appendix
        below it (appendix_links); a text "附件1" without a link is not one."""
        attachments: list[tuple[str, str]] = []
        related: list[tuple[str, str]] = []
        seen: set[str] = set()
        content = self.content(response)
        # a document shown in the page (an iframe, embed or object, often a pdf.js viewer naming
        # it by file=): the report itself, first
        for src in content.css("iframe::attr(src), embed::attr(src), object::attr(data)").getall():
            for href in (src.strip(), *viewer_files(src)):
                url = self.site_url(href, response.url)
                if href and is_attachment_link(href) and url not in seen:
                    seen.add(url)
                    attachments.append((url, attachment_name(href, "")))
        anchors = content.css("a[href]")
        for anchor in anchors:
            href = anchor.attrib["href"].strip()
            if not href or href.startswith(("javascript:", "mailto:", "#")):
                continue
            text = " ".join(t.strip() for t in anchor.css("::text").getall() if t.strip())
            shown = next((f for f in viewer_files(href) if is_attachment_link(f)), None)
            href = shown or href  # a link to a viewer of the file: the file
            url = self.site_url(href, response.url)
            if is_attachment_link(href, text):
                if url not in seen:
                    seen.add(url)
                    attachments.append((url, attachment_name(href, text)))
            elif text:
                related.append((text, url))
        for href, text in self.appendix_links(response, {a.root for a in anchors}):
            url = self.site_url(href, response.url)
            if url not in seen:
                seen.add(url)
                attachments.append((url, attachment_name(href, text)))
        return attachments, related

    @staticmethod
    def appendix_links(response: Response, inside: set[Any]) -> list[tuple[str, str]]:
        """(href, text) of file links outside the article body that belong to the article: in a
        box named for attachments (class or id fj, fujian, attach, appendix, xgfj …) or after a
        附件 label (TRS and other CMSs render a report's appendix below the body). A sidebar's
        or footer's files (公开指南.pdf) are neither. `inside`: the body's anchor elements (kept
        alive by the caller, so lxml hands out the same element objects again)."""
        found = []
        root = response.css("html")[0].root  # lxml directly: a page has hundreds of links, few of them files
        for anchor in root.iter("a"):
            href = (anchor.get("href") or "").strip()
            if anchor in inside or not href or href.startswith(("javascript:", "mailto:", "#")):
                continue
            # the file test first (most of a page's links are pages, x.html): the box only then
            if not is_attachment_link(href):
                last = urlsplit(href).path.rsplit("/", 1)[-1]
                if "." in last and "?" not in href:
                    continue  # a page's own extension: its text cannot make it a file here
            text = " ".join(" ".join(anchor.itertext()).split())
            if not is_attachment_link(href, text):
                continue
            named = [a for a in anchor.iterancestors() if a.get("class") is not None or a.get("id") is not None][:3]
            boxes = " ".join(f"{a.get('class', '')} {a.get('id', '')}" for a in named)
            parent, before = anchor.getparent(), anchor.getprevious()
            label = (before.tail or "") if before is not None else (parent.text or "") if parent is not None else ""
            if _APPENDIX_BOX.search(boxes) or "附件" in label:
                found.append((href, text))
        return found

    def fetch_attachments(self, page: ReportPage, links: list[tuple[str, str]]) -> Iterator[Any]:
        """Download the attachments one after another, then yield the page with all of them."""
        if not links:
            yield page
            return
        (url, name), rest = links[0], links[1:]
        yield scrapy.Request(
            url,
            callback=self._on_attachment,
            errback=self._on_attachment_failure,
            headers={"Referer": page.url},
            dont_filter=True,  # the same file may be linked from two reports
            cb_kwargs={"page": page, "name": name, "rest": rest},
            meta={FAILURE_KIND: "attachment"},  # a failure is recorded as an attachment's
        )

    def _on_attachment(self, response: Response, page: ReportPage, name: str, rest: list) -> Iterator[Any]:
        page.attachments.append(
            Attachment(
                url=response.url,
                name=_disposition_name(response) or name,
                media_type=_media_type(response, name),
                body=response.body,
                status=response.status,
            )
        )
        yield from self.fetch_attachments(page, rest)

    def _on_attachment_failure(self, failure: Any) -> Iterator[Any]:
        request = failure.request
        kw = request.cb_kwargs
        response = getattr(failure.value, "response", None)
        # recorded as a crawl failure already (crawler/middlewares/failures.py): the same reason, not again
        error = request.meta.get(FAILURE_REASON) or f"{type(failure.value).__name__}: {failure.getErrorMessage()}"
        kw["page"].attachments.append(
            Attachment(
                url=request.url,
                name=kw["name"],
                status=getattr(response, "status", None),
                error=error,
            )
        )
        yield from self.fetch_attachments(kw["page"], kw["rest"])


def site_domain(host: str) -> str:
    """The domain of a portal's sub-hosts, with a leading dot: www.weishan.gov.cn → .weishan.gov.cn
    (departments often publish on bm.weishan.gov.cn); an IP address stands for itself."""
    labels = host.split(".")
    if not host or host.replace(".", "").isdigit() or len(labels) < 2:
        return host
    keep = 3 if len(labels) >= 3 and labels[-2] in ("gov", "com", "net", "org", "edu") and len(labels[-1]) == 2 else 2
    return "." + ".".join(labels[-keep:])


def forwarded_to(response: TextResponse) -> list[str]:
    """Where a page that is only a way in sends the browser (`location.href = …` in a script,
    <frame>/<iframe> sources); nothing for a page with links of its own."""
    if len(response.css("a[href]")) >= FORWARDING_LINKS:
        return []
    targets = response.css("frame::attr(src), iframe::attr(src)").getall()
    for script in response.css("script:not([src])::text").getall():
        targets += [m.group(1) or m.group(2) for m in _JS_LOCATION.finditer(script)]
    return [t.strip() for t in targets if t.strip() and not t.strip().startswith(("javascript:", "#", "about:"))]


def page_report_title(response: Response, is_report_title: Any) -> str | None:
    """The report title a page shows: its ArticleTitle meta, else a heading that reads as one."""
    if not isinstance(response, TextResponse):
        return None
    candidates = [response.css('meta[name="ArticleTitle"]::attr(content)').get()]
    for css in ("h1", "h2", "h3", "[class*=title]", "title"):
        candidates += [" ".join(el.css("::text").getall()) for el in response.css(css)[:5]]
    for candidate in candidates:
        title = clean_text(candidate or "")
        if title and len(title) <= 120 and is_report_title(title):
            return title
    return None


def page_publisher(response: Response) -> str | None:
    """The body a page names as its publisher: 发布机构, else 信息来源 / 资料来源 / 来源 / 发布单位 in
    its header lines or metadata table, else the ContentSource meta tag; only a body's name (an
    unfilled template code such as SRC-122 is none)."""
    if not isinstance(response, TextResponse):
        return None
    texts = [clean_text(t) for t in response.xpath("//body//text()[not(ancestor::script)]").getall()[:400]]
    text = " ".join(t for t in texts if t)
    for label in PUBLISHER_LABELS:
        for match in re.finditer(rf"{label}\s*[:：]\s*([\u4e00-\u9fff（）()]{{2,30}})", text):
            if is_organ_name(match[1]):
                return match[1]
    meta = clean_text(response.css('meta[name="ContentSource"]::attr(content)').get() or "")
    return meta if meta and is_organ_name(meta) else None


def more_is_about_reports(anchor: Selector) -> bool:
    """A 更多>> link belongs to the box around it: it leads to a report column when that box's
    heading (the nearest enclosing element with text of its own beside the link) names one."""
    heading = more_heading(anchor)
    return bool(heading and REPORT_COLUMN.search(heading) and not NOT_COLUMN.search(heading))


def anchor_text(anchor: Selector) -> str:
    """A link's text; for a link that is only an image (更多 as more.gif), its alt or title."""
    text = " ".join(anchor.css("::text").getall()).strip()
    return text or anchor.attrib.get("title", "") or " ".join(anchor.css("img::attr(alt), img::attr(title)").getall())


def more_heading(anchor: Selector) -> str | None:
    """The heading of the box a 更多>> link belongs to: the first text of the nearest enclosing
    element that has text beside the link."""
    for box in reversed(anchor.xpath("ancestor::*[position() <= 4]")):  # nearest first
        texts = [label_key(t) for t in box.xpath(".//text()[not(ancestor::script)]").getall()]
        texts = [t for t in texts if t and link_kind(t) != "more"]
        if texts:
            return texts[0][:40]
    return None


def body_from_title(title: str | None) -> str | None:
    """The body a report title names before its year: 东胜区民政局2015年度… → 东胜区民政局."""
    if not title:
        return None
    match = _YEAR_IN_TITLE.search(title)
    if not match:
        return None
    name = clean_text(title[: match.start()]).strip(" :：,，、-—")
    return name or None


def viewer_files(src: str) -> list[str]:
    """The documents a viewer URL names (pdf.js `viewer.html?file=/x.pdf`, `?file=http%3A…`)."""
    if "?" not in src:
        return []
    return [f.strip() for f in parse_qs(urlsplit(src).query).get("file", []) if f.strip()]


def is_attachment_link(href: str, text: str = "") -> bool:
    path = unquote(urlsplit(href).path).lower()
    if path.endswith(ATTACHMENT_EXTENSIONS) or ATTACHMENT_ENDPOINTS.search(href):
        return True
    query = parse_qs(urlsplit(href).query)
    names = [*query.get("filename", []), text]
    return any(n.strip().lower().endswith(ATTACHMENT_EXTENSIONS) for n in names if n)


def attachment_name(href: str, text: str) -> str:
    """The file name: the link text when it names a file, else filename=, else the path."""
    if text.strip().lower().endswith(ATTACHMENT_EXTENSIONS):
        return text.strip()
    query = parse_qs(urlsplit(href).query)
    if query.get("filename"):
        return query["filename"][0]
    tail = unquote(urlsplit(href).path.rsplit("/", 1)[-1])
    return text.strip() or tail


def _media_type(response: Response, link_name: str | None = None) -> str:
    """Content-Type; when it is a generic download type, the type the file name gives: from
    Content-Disposition or the URL path, then a filename= parameter (downfile.jsp?filename=….pdf),
    then the name the link gave (`link_name`)."""
    ctype = (response.headers.get("Content-Type") or b"").decode("latin-1").split(";")[0].strip().lower()
    if ctype and ctype not in GENERIC_TYPES:
        return ctype
    names = [
        _disposition_name(response) or urlsplit(response.url).path,
        *parse_qs(urlsplit(response.url).query).get("filename", []),
        link_name or "",
    ]
    for name in names:
        if found := media_type_for_name(name):
            return found
    return ctype or "application/octet-stream"


def _disposition_name(response: Response) -> str | None:
    """File name from Content-Disposition: RFC 5987 filename*=UTF-8''…, or a raw UTF-8/GBK name."""
    raw = response.headers.get("Content-Disposition")
    if not raw:
        return None
    match = re.search(rb"filename\*\s*=\s*([\w-]+)''([^;]+)", raw, re.I)
    if match:
        return unquote(match.group(2).decode("latin-1").strip(), encoding=match.group(1).decode())
    match = re.search(rb'filename\s*=\s*"?([^";]+)"?', raw, re.I)
    if not match:
        return None
    value = match.group(1).strip()
    for encoding in ("utf-8", "gb18030"):
        try:
            return unquote(value.decode(encoding), encoding=encoding)
        except UnicodeDecodeError:
            continue
    return value.decode("latin-1")


def _headers(response: Response) -> dict[str, str]:
    keep = ("Content-Type", "Content-Disposition", "ETag", "Last-Modified", "Content-Length")
    out = {}
    for key in keep:
        value = response.headers.get(key)
        if value is not None:
            out[key] = value.decode("latin-1")
    return out
