"""大汉 Hanweb JCMS portals (docs/portals.md §2).

- A column page `/col/col{columnId}/index.html` holds its first records inside
  `<div id="{unitId}"><script type="text/xml"><datastore>…`, one `<record><![CDATA[<li>…</li>]]>`
  each: HTML parsers see the script as text, so records are cut out by regular expression and
  parsed one by one. The link's `title=` holds the full title (the link text is truncated).
- The same page names the list parameters (`var param_{unitId} = {columnid, unitid, webid,
  webname, …}`) and the pager (`$('#{unitId}').jpage({totalRecord, perPage, proxyUrl, …})`).
  Further pages come from `dataproxy.jsp` as XML: POST `?startrecord=S&endrecord=E&perpage=P`
  with the param_ fields as a form (what the browser does; the default here), or GET
  `?page=N&…` (older sites; used when the POST fails).
- The xxgk module answers `xxgkAnnualReport.jsp?area={area}&fbtime={year}` with one report per
  body and year; what it answers for a year without a report is unverified (404, an empty page or
  a page without a report title are all tolerated).
- Articles `/art/{Y}/{M}/{D}/art_{columnId}_{articleId}.html`; one article can be listed in several
  columns under different `art_{columnId}_` prefixes.
"""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit

import scrapy
from scrapy.http import Response, TextResponse

from crawler.items import REPORT_META
from crawler.middlewares.columns import COLUMN
from crawler.parsing.classify import is_annual_report_title
from crawler.parsing.text import clean_text, label_key
from spiders.base import DISCOVERED, HINT, REMEMBERED, Column, GovReportSpider
from spiders.discovery import link_kind

DATASTORE = re.compile(
    r"<div\b[^>]*\bid\s*=\s*[\"']?([\w-]+)[\"']?[^>]*>\s*<script\b[^>]*text/xml[^>]*>(.*?)</script>",
    re.S | re.I,
)
RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[[^\]]*?href\s*=\s*[\"']([^\"']+)", re.S)
TOTALPAGE = re.compile(r"<totalpage>\s*(\d+)", re.I)
JPAGE_CALL = re.compile(r"\$\(\s*['\"]#([\w-]+)['\"]\s*\)\s*\.jpage\(")
JS_PAIR = re.compile(r"(\w+)\s*:\s*(?:'([^']*)'|\"([^\"]*)\"|([^,\s}]+))")
LIST_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
COLUMN_URL = re.compile(r"/col/col(\d+)/")
ARTICLE = re.compile(r"/art_(\d+)_(\d+)\.html?$")
YEAR = re.compile(r"(?:19|20)\d{2}")
DEFAULT_PROXY = "/module/web/jpage/dataproxy.jsp"
XXGK_MODULE = "/module/xxgk/xxgkAnnualReport.jsp"
MAX_PER_PAGE = 100  # docs/portals.md §2.2: keep perpage ≤ 100
MAX_PAGES = 500  # a guard against a server that never says "last page"


@dataclass
class Record:
    url: str  # absolute (on a mirror: rewritten to it)
    title: str  # the full title from title=, else the link text
    date: str | None


@dataclass
class JpageList:
    """One jpage list of a column page: its records and what is needed to ask for more."""

    column_url: str
    unit_id: str
    params: dict[str, str]  # var param_{unitId}: columnid, unitid, webid, webname, …
    proxy_url: str  # absolute dataproxy.jsp URL the page names
    per_page: int
    total_record: int | None
    nextgroup: str | None  # the GET URL in the page's <nextgroup>, if any
    records: list[Record] = field(default_factory=list)

    @property
    def total_pages(self) -> int | None:
        return -(-self.total_record // self.per_page) if self.total_record is not None else None


class HanwebSpider(GovReportSpider):
    platform_name = "hanweb"
    options = {
        "column_ids": "list",
        "xxgk_areas": "list",
        "xxgk_first_year": "int",
        "xxgk_params": "table",
        "dataproxy_method": "str",
    }
    # Columns whose lists hold annual reports: "164458" → /col/col164458/index.html.
    column_ids: tuple[str, ...] = ()
    # xxgk module `area` codes (a pinyin name or a 统一社会信用代码), enumerated over years.
    xxgk_areas: tuple[str, ...] = ()
    xxgk_first_year = 2008  # the first reports are for 2008 (the 条例 took effect that May)
    xxgk_params: dict[str, str] = {}  # extra query parameters, e.g. {"showType": "2"}
    dataproxy_method = "POST"  # "POST" (browser form) or "GET"; the other is tried if it fails

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.seen_articles: set[tuple[str, str]] = set()  # (article id, title key)
        self.report_titles: set[str] = set()  # title keys of reports found in columns
        self.xxgk_scheduled = False

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for area in self.xxgk_areas:  # hinted areas: asked once the lists are done (on_idle)
            self.add_xxgk_area(area, HINT)
        async for request in super().start():
            yield request

    async def hinted_requests(self) -> AsyncIterator[scrapy.Request]:
        for column_id in self.column_ids:
            url = self.site_url(f"/col/col{column_id}/index.html")
            yield scrapy.Request(
                url, callback=self.parse_column, errback=self.column_failed, cb_kwargs={"column_id": column_id}
            )

    def resume_column(self, url: str, column: dict[str, Any]) -> Iterator[scrapy.Request]:
        """An xxgk area the last run found reports in is enumerated again once the lists are done
        (its years are the module's list: nothing to ask now); other columns as usual."""
        area = xxgk_area(url)
        if area is None:
            yield from super().resume_column(url, column)
            return
        self.logger.info("%s: remembered xxgk module area %s", self.name, area)
        self.add_xxgk_area(area, REMEMBERED)

    def add_xxgk_area(self, area: str, origin_: str) -> str:
        """The module's annual reports of one `area`, a column of the crawl's discovery record
        (remembered between runs like a list); its key."""
        if area not in self.xxgk_areas:
            self.xxgk_areas = (*self.xxgk_areas, area)
            self.xxgk_scheduled = False
        key = self.xxgk_column(area)
        self.discovery.columns.setdefault(key, Column(key, origin_, module=True))
        return key

    def xxgk_column(self, area: str) -> str:
        return self.canonical_url(self.site_url(f"{XXGK_MODULE}?{urlencode({'area': area})}"))

    def column_page(self, response: Response) -> Iterator[Any]:
        """A column found by discovery: its id from the URL, else from the page's param_. A link
        to the xxgk module's annual-report page names an area: its years are enumerated."""
        area = xxgk_area(response.url)
        if area is not None:
            # one year's page of an area: the area is the column (the year's URL is not one)
            self.discovery.columns.pop(response.meta.get(COLUMN) or "", None)
            key = self.add_xxgk_area(area, DISCOVERED)
            response.meta[COLUMN] = key
            self.column_answered(key, response.status)
            year = parse_qs(urlsplit(response.url).query).get("fbtime", [""])[0]
            if year.isdigit():
                # read now (asking for it again when the years are enumerated is a duplicate
                # request, dropped)
                yield from self.parse_xxgk(response, area, int(year))
            return
        found = COLUMN_URL.search(response.url)
        column_id = (
            found.group(1) if found else js_object(response.text, r"var\s+param_\w+\s*=\s*\{").get("columnid", "")
        )
        yield from self.xxgk_links(response)
        yield from self.parse_column(response, column_id)

    def xxgk_links(self, response: Response) -> Iterator[Any]:
        """Links to the xxgk module's annual-report page name an `area` to enumerate."""
        for href in response.css('a[href*="xxgkAnnualReport.jsp"]::attr(href)').getall():
            area = xxgk_area(href)
            if area:
                self.add_xxgk_area(area, DISCOVERED)
        return iter(())

    def column_failed(self, failure: Any) -> None:
        # column_ids are configuration that may be wrong or out of date: say so loudly.
        self.logger.warning("column page %s failed (%s): check column_ids", failure.request.url, failure.value)

    def on_idle(self) -> bool:
        """The xxgk module is asked only once the columns are done (discovery included), so a
        report found in both is kept as its article page (meta tags, attachments) and the module
        page is dropped. A hinted or remembered area that then answered no report sends the
        crawl to discovery, as a failed list does."""
        if super().on_idle():
            return True
        if not self.xxgk_scheduled and self.xxgk_areas:
            self.xxgk_scheduled = True
            for request in self.xxgk_requests():
                self.crawler.engine.crawl(request)
            return True
        if self.discovery.started:
            return False
        known = [c for c in self.discovery.columns.values() if c.module and c.origin != DISCOVERED]
        empty = [c for c in known if c.failed or not c.reports]
        if not empty:
            return False
        return self.discover_now("; ".join(f"{c.origin} xxgk module area {c.url} answered no report" for c in empty))

    # -- column lists -----------------------------------------------------------------------

    def parse_column(self, response: Response, column_id: str) -> Iterator[scrapy.Request]:
        jlists = self.jpage_lists(response, column_id)
        if not jlists:
            self.logger.warning("no jpage list of column %s on %s", column_id, response.url)
        for jlist in jlists:
            yield from self.report_requests(jlist.records, jlist.column_url)
            first = self.first_dataproxy_page(jlist, self.dataproxy_method)
            if first is not None:
                yield self.dataproxy_request(jlist, first, self.dataproxy_method, fallback=True)

    def jpage_lists(self, response: Response, column_id: str) -> list[JpageList]:
        """The jpage lists of a column page; when it has several (a side list of another column),
        those whose param_ names another columnid are left out: that columnid with this page's
        unitid would ask for the wrong list."""
        text = response.text
        units = DATASTORE.findall(text)
        if not units and RECORD.search(text):
            # Markup other than sketched: every record of the page, named by its first param_.
            named = re.search(r"var\s+param_(\w+)", text)
            units = [(named.group(1) if named else "", text)]
        # a pager whose page ships no datastore at all (every record comes from the proxy)
        known = {unit for unit, _ in units}
        units += [(unit, "") for unit in JPAGE_CALL.findall(text) if unit not in known and f"param_{unit}" in text]
        found = []
        for unit_id, store in units:
            params = js_object(text, rf"var\s+param_{re.escape(unit_id)}\s*=\s*\{{")
            if params.get("columnid", column_id) != column_id:
                continue
            jpage = js_object(text, rf"['\"]#{re.escape(unit_id)}['\"]\s*\)\s*\.jpage\(\s*\{{")
            nextgroup = self.nextgroup_url(store, response.url)
            # The proxy path the page names (older sites: /module/jpage/dataproxy.jsp).
            proxy = jpage.get("proxyUrl") or (urlsplit(nextgroup).path if nextgroup else DEFAULT_PROXY)
            found.append(
                JpageList(
                    column_url=response.url,
                    unit_id=unit_id,
                    params=params,
                    proxy_url=self.site_url(proxy, response.url).split("?")[0],
                    per_page=min(int(jpage.get("perPage") or 15), MAX_PER_PAGE),
                    total_record=int(jpage["totalRecord"]) if jpage.get("totalRecord", "").isdigit() else None,
                    nextgroup=nextgroup,
                    records=self.records(store, response.url),
                )
            )
        return found

    def records(self, xml_text: str, base: str) -> list[Record]:
        """Each CDATA record parsed as its own HTML fragment."""
        out = []
        for fragment in RECORD.findall(xml_text):
            anchor = scrapy.Selector(text=fragment).css("a[href]")
            if not anchor:
                continue
            title = anchor[0].attrib.get("title") or "".join(anchor[0].css("::text").getall())
            when = LIST_DATE.search(re.sub(r"<[^>]+>", " ", fragment))
            out.append(
                Record(
                    url=self.site_url(anchor[0].attrib["href"], base),
                    title=clean_text(title),
                    date=when.group(0) if when else None,
                )
            )
        return out

    def nextgroup_url(self, xml_text: str, base: str) -> str | None:
        """The link inside <nextgroup>; the last group of a list has none."""
        match = NEXTGROUP.search(xml_text)
        return self.site_url(html.unescape(match.group(1)), base) if match else None

    def report_requests(self, records: list[Record], column_url: str) -> Iterator[scrapy.Request]:
        for record in records:
            if not self.is_report_title(record.title):
                if COLUMN_URL.search(record.url) and link_kind(record.title, record.url) in ("column", "year"):
                    # a parent column listing its sub-columns (部门年报, 2023年度) as records
                    yield from self.discovery_request(record.url, 1, "column", column_url)
                continue  # 图解, H5, notices about compiling reports …
            if not self.is_own_url(record.url):
                self.logger.info("not following %s (%s): another site", record.url, record.title)
                continue
            article = ARTICLE.search(urlsplit(record.url).path)
            key = (article.group(2) if article else record.url, label_key(record.title))
            if key in self.seen_articles:
                continue  # the same article listed under another column's art_{col}_ prefix
            self.seen_articles.add(key)
            body = self.body_for_title(record.title)
            if body is None:
                self.logger.info("skipped %s: another body's report", record.title)
                continue
            yield self.report_request(
                record.url, list_title=record.title, list_date=record.date, referer=column_url, **body
            )

    def is_own_url(self, url: str) -> bool:
        host = urlsplit(url).hostname or ""
        return host == urlsplit(self.base_url).hostname or self.is_site_host(host)

    # -- dataproxy pagination -----------------------------------------------------------------

    def first_dataproxy_page(self, jlist: JpageList, method: str) -> int | None:
        """The page after those the column page holds, or None when it holds them all. A GET
        starts at the page its <nextgroup> link names: how that link numbers pages is unverified,
        and re-reading a page costs one request where skipping one would lose records."""
        shown = len(jlist.records)
        more = jlist.total_record > shown if jlist.total_record is not None else jlist.nextgroup is not None
        if not shown:
            # a page that ships none of its records (an empty datastore, or none): all from the proxy
            return 1 if more else None
        if not more:
            return None
        if method == "GET" and jlist.nextgroup:
            page = parse_qs(urlsplit(jlist.nextgroup).query).get("page", [""])[0]
            if page.isdigit():
                return max(int(page), 1)
        return shown // jlist.per_page + 1

    def dataproxy_request(
        self, jlist: JpageList, page: int, method: str, *, fallback: bool = False, previous: list[str] | None = None
    ) -> scrapy.Request:
        """One page of the list. `fallback`: on failure, try the other method (first page only)."""
        common: dict[str, Any] = {
            # Always the column page as Referer: some list endpoints answer an empty list without it.
            "headers": {"Referer": jlist.column_url},
            "callback": self.parse_dataproxy,
            "errback": self.dataproxy_failed,
            "cb_kwargs": {"jlist": jlist, "page": page, "method": method, "fallback": fallback, "previous": previous},
            # a site taking the other method only may refuse this one with 404/405: an answer that
            # switches the method (parse_dataproxy), not a crawl failure
            "meta": {"handle_httpstatus_list": [404, 405]} if fallback else {},
        }
        if method == "POST":
            first = (page - 1) * jlist.per_page + 1
            query = {"startrecord": first, "endrecord": first + jlist.per_page - 1, "perpage": jlist.per_page}
            return scrapy.FormRequest(f"{jlist.proxy_url}?{urlencode(query)}", formdata=jlist.params, **common)
        fields = dict(jlist.params)
        if jlist.nextgroup:  # the page's own GET link: keep its parameters, change the page
            fields = dict(parse_qsl(urlsplit(jlist.nextgroup).query, keep_blank_values=True))
        return scrapy.Request(f"{jlist.proxy_url}?{urlencode(fields | {'page': page})}", **common)

    def parse_dataproxy(
        self, response: Response, jlist: JpageList, page: int, method: str, fallback: bool, previous: list[str] | None
    ) -> Iterator[scrapy.Request]:
        text = response.text if isinstance(response, TextResponse) else ""
        if "<datastore" not in text:
            yield from self.switch_method(jlist, method, fallback, f"no datastore in {response.url}")
            return
        records = self.records(text, jlist.column_url)
        yield from self.report_requests(records, jlist.column_url)
        urls = [r.url for r in records]
        total = TOTALPAGE.search(text)
        total_pages = int(total.group(1)) if total else jlist.total_pages
        if (
            not records
            or self.nextgroup_url(text, jlist.column_url) is None
            or (total_pages is not None and page + 1 > total_pages)
            or urls == previous  # the server ignores the page asked for
            or page >= MAX_PAGES
        ):
            return
        yield self.dataproxy_request(jlist, page + 1, method, previous=urls)

    def dataproxy_failed(self, failure: Any) -> Iterator[scrapy.Request]:
        kw = failure.request.cb_kwargs
        yield from self.switch_method(kw["jlist"], kw["method"], kw["fallback"], repr(failure.value))

    def switch_method(self, jlist: JpageList, method: str, fallback: bool, why: str) -> Iterator[scrapy.Request]:
        """A dataproxy request failed: on the first page try the other form once, else stop."""
        if not fallback:
            self.logger.warning("dataproxy list of %s stops: %s", jlist.column_url, why)
            return
        other = "GET" if method == "POST" else "POST"
        self.logger.info("dataproxy %s failed (%s); trying %s", method, why, other)
        first = self.first_dataproxy_page(jlist, other)
        if first is not None:
            yield self.dataproxy_request(jlist, first, other)

    # -- reports ------------------------------------------------------------------------------

    def parse_report(self, response: Response, listing: dict[str, Any]) -> Iterator[Any]:
        title = article_title(response)
        if title and not self.is_report_title(title):
            # e.g. an 图解 page behind a report-like list title
            self.logger.info("not a report: %s (%s)", response.url, title)
            return
        self.report_titles.update(label_key(t) for t in (title, listing.get("list_title")) if t)
        yield from super().parse_report(response, listing)

    def report_held(self, request: scrapy.Request) -> None:
        area = request.cb_kwargs.get("area")
        if area is not None:  # one year of an xxgk area the database holds: the area lists it
            key = self.xxgk_column(area)
            self.column_answered(key, 304)
            self.column_listed_report(key)
            return
        # not fetched (the database holds it): its list title still keeps the xxgk module's copy out
        title = request.cb_kwargs["listing"].get("list_title")
        if title:
            self.report_titles.add(label_key(title))

    # -- xxgk annual-report module --------------------------------------------------------------

    def xxgk_requests(self) -> Iterator[scrapy.Request]:
        for area in self.xxgk_areas:
            key = self.xxgk_column(area)
            for year in range(date.today().year - 1, self.xxgk_first_year - 1, -1):
                query = urlencode({"area": area, "fbtime": year, **self.xxgk_params})
                url = self.site_url(f"{XXGK_MODULE}?{query}")
                yield scrapy.Request(
                    url,
                    callback=self.parse_xxgk,
                    cb_kwargs={"area": area, "year": year},
                    meta={
                        "handle_httpstatus_list": [404],  # a year without a report: not a failure
                        COLUMN: key,
                        # a year the database holds is asked conditionally or not at all
                        # (crawler/middlewares/incremental.py); `probe`: the module's list and
                        # report in one, so `govreports discover` asks for it
                        REPORT_META: {"canonical_url": self.canonical_url(url), "list_date": None, "probe": True},
                    },
                )

    def parse_xxgk(self, response: Response, area: str, year: int) -> Iterator[Any]:
        title = page_title(response, is_annual_report_title)
        if not title:
            self.logger.debug("xxgk %s %s: no report (%d bytes)", area, year, len(response.body))
            return
        self.column_listed_report(self.xxgk_column(area), title)
        if label_key(title) in self.report_titles:
            return  # the same report, already taken from a column
        body = self.body_for_title(title)  # an organ's area (its 统一社会信用代码) gives the organ's reports
        if body is None:
            self.logger.info("skipped %s: another body's report (%s)", title, response.url)
            return
        self.report_titles.add(label_key(title))
        yield from super().parse_report(response, {"list_title": title, "list_date": None, **body})


def xxgk_area(url: str) -> str | None:
    """The `area` of a link to the xxgk module's annual-report page; None for other URLs."""
    if "xxgkAnnualReport.jsp" not in url:
        return None
    return parse_qs(urlsplit(url).query).get("area", [""])[0] or None


def js_object(text: str, opening: str) -> dict[str, str]:
    """The `key: value` pairs (quoted strings, numbers, names) of the JavaScript object literal
    that `opening`, a regex ending at its `{`, starts."""
    match = re.search(opening, text)
    if not match:
        return {}
    body, depth = text[match.end() : match.end() + 4000], 0
    for i, ch in enumerate(body):
        depth += 1 if ch == "{" else -1 if ch == "}" else 0
        if depth < 0:  # the object's closing brace
            body = body[:i]
            break
    out: dict[str, str] = {}
    for key, single, double, bare in JS_PAIR.findall(body):
        out.setdefault(key, single or double or bare)
    return out


def article_title(response: Response) -> str | None:
    if not isinstance(response, TextResponse):
        return None
    title = response.css('meta[name="ArticleTitle"]::attr(content)').get()
    return clean_text(title) if title and title.strip() else None


def page_title(response: Response, is_report_title: Callable[[str], bool]) -> str | None:
    """The report title of a module page: the ArticleTitle meta, else the first heading-like
    element or <title> that reads as a report title of some year."""
    if not isinstance(response, TextResponse) or not response.body.strip():
        return None
    candidates = [article_title(response)]
    for css in ("h1", "h2", "h3", "[class*=title]", "[class*=bt]", "title"):
        candidates += [clean_text(" ".join(el.css("::text").getall())) for el in response.css(css)]
    # A title without a year ("政府信息公开年报") names the module, not a report.
    return next((c for c in candidates if c and len(c) <= 100 and YEAR.search(c) and is_report_title(c)), None)
