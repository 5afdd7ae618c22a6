"""Reading report lists as a person reads them, on any CMS (the generic platform, and the
fallback of every platform for a list its own reader does not see):

- Rows: every link on the list page whose text (or title=) is a report title, in li, table rows
  or divs alike; the date shown beside it in the same row.
- Pagination: links whose text says 下一页/下页/尾页/末页/>/», numbered pager links, and hrefs shaped
  `?page=N`, `index_N.html`, `list_N.htm` … — all pages of the same list, followed until none is new
  (bounded by max_list_pages).
- A list the page's script loads as JSON: URLs in the script that end in .json or name an API are
  asked for (by POST with the call's data object as the form when the call posts: `type: "post"`,
  `$.post`, `axios.post`); the answer's array of objects with a title and a link holds the rows,
  and its page count (totalPage, pageCount, total/pageSize, else total over the first page's rows)
  the other pages, asked for with the URL's or the form's page parameter (page, pageNo, pageIndex,
  pageNum, curPage, p).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import scrapy
from parsel import Selector
from scrapy.http import Response, TextResponse

from crawler.parsing.text import clean_text

NEXT_TEXT = re.compile(r"^(下一页|下页|后页|尾页|末页|最后一页|>|>>|»|›|next|last)$", re.I)
PAGE_NUMBER = re.compile(r"^\[?\d{1,4}\]?$")
PAGED_HREF = re.compile(
    r"([?&](page|pageNo|pageIndex|pageNum|curPage|currentPage|p|pn)=\d+)|(/(index|list|default)_\d+\.\w+$)",
    re.I,
)
LIST_DATE = re.compile(r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}日?")
# URLs in a script that may answer with the list as JSON
SCRIPT_URL = re.compile(
    r"""["']((?:https?://|/|\./|\.\./)?[\w./-]*?(?:\.json|/api/|api\.|\.ashx|\.do\b|\.action\b|getList|list\.jsp)[^"'\s]*)["']""",
    re.I,
)
JSON_TITLE_KEYS = ("title", "name", "docTitle", "doctitle", "bt", "Title", "subject", "articleTitle", "text")
JSON_URL_KEYS = ("url", "link", "href", "path", "docUrl", "docurl", "linkUrl", "Url", "articleUrl", "pageUrl")
JSON_DATE_KEYS = (
    "date",
    "publishDate",
    "pubDate",
    "pubdate",
    "publishTime",
    "time",
    "createDate",
    "docreltime",
    "releaseDate",
    "fbrq",
)
JSON_PAGES_KEYS = (
    "totalPage",
    "totalPages",
    "pageCount",
    "pages",
    "total_page",
    "pageTotal",
    "totalpage",
    "page_count",
)
JSON_TOTAL_KEYS = ("total", "totalCount", "totalRecord", "count", "recordCount", "totalrecord", "total_count")
JSON_SIZE_KEYS = ("pageSize", "page_size", "perPage", "per_page", "size", "limit", "rows")
PAGE_PARAMS = ("page", "pageNo", "pageIndex", "pageNum", "curPage", "currentPage", "p", "pn")
# the call around a script URL asks by POST ($.ajax({type: "post"}), $.post, axios.post, fetch's method)
POST_CALL = re.compile(r"""(?:type|method)\s*:\s*["']post["']|\$\.post\s*\(|axios\.post\s*\(""", re.I)
# the call's data object: `data: {…}`, or the object after the URL ($.post(url, {…}))
CALL_DATA = re.compile(r"""^(?:[^{}]*?\bdata\s*:\s*|\s*,\s*)\{([^{}]*)\}""", re.S)
JS_PAIR = re.compile(r"""["']?(\w+)["']?\s*:\s*(?:"([^"]*)"|'([^']*)'|(-?\d+)\b|([\w.]+))""")


class GenericLists:
    """List reading for any CMS (mixed into every spider: GovReportSpider falls back to it for a
    column whose page shows report links its platform's reader does not see)."""

    max_list_pages = 200  # per list: a pager that never ends must not run away
    max_json_endpoints = 3  # per page

    if TYPE_CHECKING:  # provided by the spider this is mixed into (spiders/base.py GovReportSpider)

        @property
        def logger(self) -> logging.LoggerAdapter: ...
        def is_report_title(self, title: str | None) -> bool: ...
        def site_url(self, url: str, base: str | None = None) -> str: ...
        def is_site_url(self, url: str) -> bool: ...
        def canonical_url(self, url: str) -> str: ...
        def listed_reports(self) -> set[str]: ...
        def body_for_title(self, title: str | None) -> dict[str, str] | None: ...
        def report_request(
            self,
            url: str,
            *,
            list_title: str | None = None,
            list_date: str | None = None,
            referer: str | None = None,
            **body: Any,
        ) -> scrapy.Request: ...

    def generic_state(self) -> tuple[dict[str, int], set[str]]:
        """(list root URL -> pages of its list asked for, canonical URLs of reports listed)."""
        state = self.__dict__.setdefault("_generic_lists", ({}, set()))
        return state

    def generic_list_request(self, url: str, referer: str | None = None, root: str | None = None) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_generic_list,
            errback=self.generic_list_failed,
            headers={"Referer": referer} if referer else {},
            cb_kwargs={"root": root or url},
        )

    def generic_list_failed(self, failure: Any) -> None:
        self.logger.warning("list page %s failed (%s)", failure.request.url, failure.value)

    # -- list pages ---------------------------------------------------------------------------

    def parse_generic_list(self, response: Response, root: str | None = None) -> Iterator[Any]:
        if not isinstance(response, TextResponse):
            return
        root = root or response.url
        yield from self.generic_rows(response)
        yield from self.generic_pages(response, root)
        yield from self.generic_json_endpoints(response, root)

    def generic_rows(self, response: TextResponse) -> Iterator[scrapy.Request]:
        for anchor in response.css("a[href]"):
            href = anchor.attrib["href"].strip()
            if not href or href.startswith(("javascript:", "mailto:", "#")):
                continue
            title = clean_text(anchor.attrib.get("title") or " ".join(anchor.css("::text").getall()))
            if not self.is_report_title(title):
                continue
            url = self.site_url(href, response.url)
            if not self.is_site_url(url):
                continue
            yield from self.generic_report_row(url, title, row_date(anchor), response.url)

    def generic_report_row(self, url: str, title: str, date: str | None, list_url: str) -> Iterator[scrapy.Request]:
        key = self.canonical_url(url)
        seen = self.generic_state()[1]
        if key in seen or key in self.listed_reports():
            return
        seen.add(key)
        body = self.body_for_title(title)
        if body is None:
            self.logger.info("skipped %s: another body's report", title)
            return
        yield self.report_request(url, list_title=title, list_date=date, referer=list_url, **body)

    def generic_pages(self, response: TextResponse, root: str) -> Iterator[scrapy.Request]:
        """The list's other pages its pager links to."""
        for anchor in response.css("a[href]"):
            href = anchor.attrib["href"].strip()
            if not href or href.startswith(("javascript:", "mailto:", "#")):
                continue
            text = clean_text(" ".join(anchor.css("::text").getall()))
            url = self.site_url(href, response.url)
            if not self.is_site_url(url) or url.split("#")[0] == response.url:
                continue
            if NEXT_TEXT.match(text) or (PAGE_NUMBER.match(text) and same_list(url, response.url)):
                pass
            elif not (PAGED_HREF.search(url) and same_list(url, response.url)):
                continue
            pages = self.generic_state()[0]
            asked = pages.get(root, 0)
            if asked >= self.max_list_pages:
                continue
            pages[root] = asked + 1
            yield self.generic_list_request(url, referer=response.url, root=root)

    # -- JSON lists ---------------------------------------------------------------------------

    def generic_json_endpoints(self, response: TextResponse, root: str) -> Iterator[scrapy.Request]:
        scripts = "\n".join(response.xpath("//script/text()").getall())
        found = 0
        for match in SCRIPT_URL.finditer(scripts):
            if found >= self.max_json_endpoints:
                break
            value = match.group(1)
            if value.endswith(("=", "?", "&")):
                value += "1"  # '…?page=' + n: the first page
            url = self.site_url(value, response.url)
            if not self.is_site_url(url) or re.search(r"\.(js|css|png|jpg|gif)(\?|$)", urlsplit(url).path, re.I):
                continue
            found += 1
            # a POST call sends its data object as the form (its page field the first page)
            call = scripts[max(0, match.start() - 150) : match.end() + 300]
            form = call_data(scripts[match.end() : match.end() + 400]) if POST_CALL.search(call) else None
            yield self.generic_json_request(url, response.url, root, 1, form)

    def generic_json_request(
        self, url: str, referer: str, root: str, page: int, form: dict[str, str] | None = None
    ) -> scrapy.Request:
        common: dict[str, Any] = {
            "callback": self.parse_generic_json,
            "errback": self.generic_list_failed,
            "headers": {
                "Referer": referer,
                "Accept": "application/json, text/javascript, */*",
                "X-Requested-With": "XMLHttpRequest",
            },
            "cb_kwargs": {"referer": referer, "root": root, "page": page, "form": form},
        }
        if form is not None:
            return scrapy.FormRequest(url, formdata=form, **common)
        return scrapy.Request(url, **common)

    def parse_generic_json(
        self, response: Response, referer: str, root: str, page: int, form: dict[str, str] | None = None
    ) -> Iterator[Any]:
        try:
            data = json.loads(response.text if isinstance(response, TextResponse) else response.body)
        except (ValueError, UnicodeDecodeError):
            self.logger.info("not JSON: %s", response.url)
            return
        rows = json_rows(data)
        for item in rows:
            title = clean_text(str(first(item, JSON_TITLE_KEYS) or ""))
            link = first(item, JSON_URL_KEYS)
            if not link or not self.is_report_title(title):
                continue
            url = self.site_url(str(link), referer)
            if self.is_site_url(url):
                date = first(item, JSON_DATE_KEYS)
                found = LIST_DATE.search(str(date)) if date else None
                yield from self.generic_report_row(url, title, found.group(0) if found else None, referer)
        pages = json_page_count(data)
        total = json_total(data)
        if pages is None and total and rows and total > len(rows):
            pages = -(-total // len(rows))  # {"total": N, "rows": […]}: the first page's rows are a page
        if page == 1 and pages and pages > 1:
            for n in range(2, min(pages, self.max_list_pages) + 1):
                if form is not None:
                    yield self.generic_json_request(response.url, referer, root, n, form_with_page(form, n))
                elif nxt := with_page(response.url, n):
                    yield self.generic_json_request(nxt, referer, root, n)


def row_date(anchor: Selector) -> str | None:
    row = anchor.xpath("ancestor::*[self::li or self::tr or self::dd or self::p or self::div][1]")
    text = clean_text(" ".join((row or anchor).xpath(".//text()").getall()))
    match = LIST_DATE.search(text)
    return match.group(0) if match else None


def same_list(url: str, other: str) -> bool:
    """Two pages of one list: the same directory, or the same path with another query."""
    a, b = urlsplit(url), urlsplit(other)
    return a.netloc == b.netloc and (a.path == b.path or a.path.rsplit("/", 1)[0] == b.path.rsplit("/", 1)[0])


def first(item: dict, keys: tuple[str, ...]) -> Any:
    lower = {k.lower(): v for k, v in item.items()}
    for key in keys:
        if key.lower() in lower and lower[key.lower()] not in (None, ""):
            return lower[key.lower()]
    return None


def json_rows(data: Any) -> list[dict]:
    """The largest array of objects holding a title and a link, anywhere in the answer."""
    best: list[dict] = []

    def walk(node: Any, depth: int) -> None:
        nonlocal best
        if depth > 6:
            return
        if isinstance(node, list):
            rows = [x for x in node if isinstance(x, dict) and first(x, JSON_TITLE_KEYS) and first(x, JSON_URL_KEYS)]
            if len(rows) > len(best):
                best = rows
            for x in node:
                walk(x, depth + 1)
        elif isinstance(node, dict):
            for value in node.values():
                walk(value, depth + 1)

    walk(data, 0)
    return best


def call_data(after_url: str) -> dict[str, str]:
    """The literal fields of the data object a script call sends with a URL (the text after the
    URL): `{channelId: 90, pageNo: 1}`. A page field given by a variable (pageNo: n) is the first page."""
    match = CALL_DATA.search(after_url)
    if not match:
        return {}
    fields: dict[str, str] = {}
    pages = {p.lower() for p in PAGE_PARAMS}
    for key, double, single, number, _name in JS_PAIR.findall(match.group(1)):
        if double or single or number:
            fields[key] = double or single or number
        elif key.lower() in pages:
            fields[key] = "1"
    return fields


def form_with_page(form: dict[str, str], page: int) -> dict[str, str]:
    pages = {p.lower() for p in PAGE_PARAMS}
    key = next((k for k in form if k.lower() in pages), "page")
    return {**form, key: str(page)}


def json_total(data: Any) -> int | None:
    """The record count a JSON list answer names (total, totalCount …), anywhere near its top."""

    def find(node: Any, depth: int) -> int | None:
        if not isinstance(node, dict) or depth > 3:
            return None
        value = first(node, JSON_TOTAL_KEYS)
        if isinstance(value, int | str) and str(value).isdigit():
            return int(value)
        for child in node.values():
            found = find(child, depth + 1)
            if found is not None:
                return found
        return None

    return find(data, 0)


def json_page_count(data: Any) -> int | None:
    def ints(node: Any, keys: tuple[str, ...], depth: int = 0) -> int | None:
        if not isinstance(node, dict) or depth > 3:
            return None
        value = first(node, keys)
        if isinstance(value, int | str) and str(value).isdigit():
            return int(value)
        for child in node.values():
            found = ints(child, keys, depth + 1)
            if found is not None:
                return found
        return None

    pages = ints(data, JSON_PAGES_KEYS)
    if pages:
        return pages
    total, size = ints(data, JSON_TOTAL_KEYS), ints(data, JSON_SIZE_KEYS)
    if total and size:
        return -(-total // size)
    return None


def with_page(url: str, page: int) -> str | None:
    """The URL asking for another page: its page parameter changed, or a number in its file name."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    for i, (key, _) in enumerate(query):
        if key in PAGE_PARAMS or key.lower() in {p.lower() for p in PAGE_PARAMS}:
            query[i] = (key, str(page))
            return urlunsplit(parts._replace(query=urlencode(query)))
    numbered = re.search(r"(\d+)(\.\w+)$", parts.path)
    if numbered:
        return urlunsplit(parts._replace(path=parts.path[: numbered.start(1)] + str(page) + numbered.group(2)))
    return urlunsplit(parts._replace(query=urlencode([*query, ("page", str(page))])))
