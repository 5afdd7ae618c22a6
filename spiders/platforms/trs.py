"""TRS-style static publishing (TRS WCM and the county CMSs copying its layout; docs/portals.md §4, §5).

- A channel is a directory serving `index.html` (or `index.htm`). Its other pages are written by a
  script, never linked: `createPageHTML(N, C, "index", "html")` numbers them from 0 (index.html,
  index_1.html … index_{N-1}.html); the variant `createPageHTML('paging', N, C, 'index', 'html',
  total)` — told apart by its first argument, a string — numbers them from 1 (index.html,
  index_2.html … index_N.html). N and C may be variables (`var countPage = N`).
- Items link relatively (`./YYYYMM/tYYYYMMDD_id.html`): resolved against the page URL, a
  directory ending in `/` or `…/index.html`. An item may link a file (`./P0….pdf`) directly; the
  base spider then keeps the file itself as the report (it branches on Content-Type).
- Article bodies sit in `div.TRS_Editor` or `.trs_editor_view`; attachments are relative
  `./P0….pdf|doc` inside them.
- Older county sites serve GBK pages with a wrong or no charset header: every page of every
  spider is read in the encoding crawler.parsing.html.decode_html finds
  (crawler/middlewares/charset.py), not only TRS ones.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import Response, TextResponse

from crawler.parsing.text import clean_text
from spiders.base import GovReportSpider, body_from_title, is_attachment_link
from spiders.discovery import link_kind

__all__ = ["Pager", "TrsSpider", "body_from_title", "parse_pager"]

DOCUMENT_PATH = re.compile(r"/t\d{8}_\d+\.s?html?$", re.I)
LIST_DATE = re.compile(r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}日?")
_PAGER_CALL = re.compile(r"createPageHTML\s*\(([^()]*)\)")
_JS_INT_VAR = re.compile(r"\bvar\s+(\w+)\s*=\s*(\d+)")
_INDEX_TAIL = re.compile(r"/index\.s?html?$", re.I)
_PAGE_NAME = re.compile(r"/index(?:_\d+)?\.s?html?$", re.I)
AUTHOR = re.compile(r"作\s*者\s*[:：]\s*(\S+)")


@dataclass(frozen=True)
class Pager:
    """A channel's pager as its script describes it."""

    count: int
    current: int
    name: str = "index"
    ext: str = "html"
    one_based: bool = False

    def pages(self) -> list[str]:
        """File names of every page of the channel, first page first."""
        first = 2 if self.one_based else 1
        return [f"{self.name}.{self.ext}"] + [
            f"{self.name}_{k}.{self.ext}" for k in range(first, first + self.count - 1)
        ]


def parse_pager(script: str, default_ext: str = "html") -> Pager | None:
    """The pager of a TRS list page from its script text, or None when it has none."""
    variables = {name: int(value) for name, value in _JS_INT_VAR.findall(script)}

    def number(arg: str) -> int | None:
        return int(arg) if arg.isdigit() else variables.get(arg)

    for call in _PAGER_CALL.finditer(script):
        args = [a.strip() for a in call.group(1).split(",")]
        one_based = len(args) >= 5 and args[0][:1] in ("'", '"')
        if one_based:
            args = args[1:]  # the element id: this variant numbers pages from 1
        if len(args) < 4:
            continue
        count, current = number(args[0]), number(args[1])
        if count is None or current is None:
            continue  # the function's own definition, or arguments we cannot resolve
        return Pager(count, current, args[2].strip("'\""), args[3].strip("'\""), one_based)
    if "countPage" in variables:  # no call we could read: the classic TRS defaults
        return Pager(variables["countPage"], variables.get("currentPage", 0), "index", default_ext)
    return None


class TrsSpider(GovReportSpider):
    platform_name = "trs"
    static_lists = True
    options = {
        "start_paths": "list",
        "list_path": "regex",
        "nav_texts": "list",
        "department_path": "regex",
        "department_names": "table",
        "own_departments": "list",
        "body_from_author": "bool",
    }
    # Where the crawl starts: the report section's entry pages (paths on the portal).
    start_paths: tuple[str, ...] = ("/",)
    # Paths of list pages to follow: the section hub, channel directories and their index pages.
    list_path: re.Pattern[str] = re.compile(r"(?!)")
    # Link texts of navigation entries leading to the report section, e.g. 信息公开年度报告.
    nav_texts: tuple[str, ...] = ()
    # Department channels in report URLs (group 1: the channel code, e.g. /gk/zfxxgknb/qzbm/([^/]+)/):
    # a report under one is a department's, named by its title, else by department_names[code].
    # Reports outside such channels, or in an own_departments channel, are the portal body's own.
    department_path: re.Pattern[str] | None = None
    department_names: dict[str, str] = {}
    own_departments: tuple[str, ...] = ()
    # A department report whose title names no body takes the page header's 作者 (诸城).
    body_from_author = False
    content_selectors = (".TRS_Editor", ".trs_editor_view", "body")
    max_pages_per_channel = 200  # a broken pager must not run away

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Lists and reports already asked for, by key: one report linked from two channels or
        # under both hosts of the portal (ds.gov.cn = www.ds.gov.cn) is fetched once.
        self.seen: set[str] = set()
        # Directories of report columns found by discovery: their sub-channels and pages are lists too.
        self.list_dirs: set[str] = set()

    async def hinted_requests(self) -> AsyncIterator[scrapy.Request]:
        if "start_paths" not in getattr(self, "hinted_options", {"start_paths"}):
            return  # the default "/" is the home page: discovery's start, not a hint
        for path in self.start_paths:
            for request in self.follow_list(self.site_url(path)):
                yield request

    def column_page(self, response: Response) -> Iterator[Any]:
        """A column found by discovery: its directory's channels and pages are lists."""
        directory = self.list_key(response.url)
        self.list_dirs.add(directory if directory.endswith("/") else directory.rsplit("/", 1)[0] + "/")
        yield from self.parse_list(response)

    def is_list_url(self, url: str, text: str) -> bool:
        path = urlsplit(url).path
        if self.list_path.search(path) or text in self.nav_texts:
            return True
        if link_kind(text) in ("column", "year"):
            return True  # a sub-column: 部门年报, 2023年度
        key = self.list_key(url)
        in_dir = any(key.startswith(d) and key != d for d in self.list_dirs)
        return in_dir and (key.endswith("/") or bool(_PAGE_NAME.search(path)))

    # -- hooks for portal spiders ---------------------------------------------------------

    def report_body(self, url: str, title: str) -> dict[str, Any] | None:
        """body_name/body_level/parent_body of a listed report: {} for the portal's own body,
        None for another government's report."""
        if self.department_path is None:
            return self.body_for_title(title)
        dept = self.department_path.search(url)
        if dept is None or dept.group(1).lower() in {d.lower() for d in self.own_departments}:
            return {}  # the portal's own channel
        name = body_from_title(title)
        if name is None:
            name = {k.lower(): v for k, v in self.department_names.items()}.get(dept.group(1).lower())
        # no name: the page names it (body_from_author)
        full = self.full_body_name(name) if name else None
        return {"body_name": full, "body_level": "department", "parent_body": self.body_name}

    # -- lists --------------------------------------------------------------------------

    def follow_list(self, url: str, referer: str | None = None) -> Iterator[scrapy.Request]:
        url = _with_directory_slash(url)  # …/SZFBGS → …/SZFBGS/ so relative links stay inside
        key = self.list_key(url)
        if key in self.seen:
            return
        self.seen.add(key)
        yield scrapy.Request(
            url,
            callback=self.parse_list,
            errback=self.list_failed,
            headers={"Referer": referer} if referer else {},
        )

    def list_key(self, url: str) -> str:
        # tolerate case and index.htm / index.html: they name the same channel page
        return _INDEX_TAIL.sub("/", self.canonical_url(url)).lower()

    def list_failed(self, failure: Any) -> None:
        # List paths are partly unverified configuration: say so loudly, keep crawling the rest.
        self.logger.warning("list page %s failed (%s)", failure.request.url, failure.value)

    def parse_list(self, response: Response) -> Iterator[scrapy.Request]:
        self.seen.add(self.list_key(response.url))  # reached by a redirect or a pager: not again
        if not isinstance(response, TextResponse):
            self.logger.warning("list page %s is not HTML (%s)", response.url, response.headers.get("Content-Type"))
            return
        for anchor in response.css("a[href]"):
            href = anchor.attrib["href"].strip()
            if not href or href.startswith(("javascript:", "mailto:", "#")):
                continue
            url = self.site_url(href, response.url)
            if not self.is_own(url):
                continue
            text = clean_text(" ".join(anchor.css("::text").getall()))
            path = urlsplit(url).path
            if DOCUMENT_PATH.search(path) or is_attachment_link(href, text):
                yield from self.list_item(anchor, url, text, response.url)
            elif self.is_list_url(url, text):
                yield from self.follow_list(url, response.url)
        yield from self.other_pages(response)

    def list_item(self, anchor: Any, url: str, text: str, list_url: str) -> Iterator[scrapy.Request]:
        title = clean_text(anchor.attrib.get("title", "")) or text  # link texts may be cut short
        if not self.is_report_title(title):
            return
        key = self.canonical_url(url)
        if key in self.seen:
            return
        self.seen.add(key)
        body = self.report_body(url, title)
        if body is None:
            self.logger.info("skipped %s: another body's report", title)
            return
        yield self.report_request(url, list_title=title, list_date=self.item_date(anchor), referer=list_url, **body)

    def item_date(self, anchor: Any) -> str | None:
        """The date shown next to a list item (in its li or table row)."""
        row = anchor.xpath("ancestor::*[self::li or self::tr or self::dd or self::p][1]")
        texts = (row or anchor.xpath("..")).xpath(".//text()").getall()
        match = LIST_DATE.search(" ".join(texts))
        return match.group(0) if match else None

    def other_pages(self, response: TextResponse) -> Iterator[scrapy.Request]:
        scripts = "\n".join(response.xpath("//script/text()").getall())
        # a bare `var countPage` names no extension: keep the one this page uses
        ext = "htm" if urlsplit(response.url).path.lower().endswith(".htm") else "html"
        pager = parse_pager(scripts, ext)
        if pager is None:
            return
        for name in pager.pages()[: self.max_pages_per_channel]:
            yield from self.follow_list(urljoin(response.url, name), response.url)

    def is_own(self, url: str) -> bool:
        host = urlsplit(url).hostname or ""
        return url.startswith(self.base_url + "/") or host in self.all_hosts()

    # -- reports ------------------------------------------------------------------------

    def parse_report(self, response: Response, listing: dict[str, Any]) -> Iterator[Any]:
        if self.body_from_author and listing.get("body_level") == "department" and not listing.get("body_name"):
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


def _with_directory_slash(url: str) -> str:
    parts = urlsplit(url)
    last = parts.path.rsplit("/", 1)[-1]
    if parts.path and last and "." not in last and not parts.query:
        return url.replace(parts.path, parts.path + "/", 1)
    return url
