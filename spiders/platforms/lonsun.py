"""安徽 Lonsun 集约化平台 (EX8): the 信息公开 module of Anhui portals (docs/portals.md §3).

An organ's list is a column page
    {xxgk_path}/public/column/{organId}?type={t}&catId={cat}&action=list&pageIndex=N   (1-based)
whose rows come from a "label" that can also be asked for directly as an HTML fragment
    /site/label/8888?IsAjax=1&dataType=html&labelName=publicInfoList&siteId=…&pageIndex=N&file=…
with the ids and the template `file` copied from the column page's script. Reports are pages
{xxgk_path}/public/{organId}/{contentId}.html; attachments are FastDFS /group{n}/M00/… files.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit, urlunsplit

import scrapy
from parsel import Selector
from scrapy.http import Response

from crawler.parsing.text import clean_text
from spiders.base import GovReportSpider

# Links of list rows that lead to an article (static and dynamic forms).
ARTICLE_LINK = re.compile(r"/public/\d+/\d+\.s?html?\b|/public/content/\d+|/content/article/\d+")
DATE = re.compile(r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}")
# The label call in the column page's script, as an object literal or as a query string.
LABEL_NAME = "publicInfoList"
COLUMN_PATH = re.compile(r"^((?:/[\w.-]+)*?)/public/column/(\d+)")
LABEL_PATH = re.compile(r"((?:/[\w.-]+)*/site/label/\d+)")
# organId, type and catId come from the list itself: a script may also say `type: "get"`.
LABEL_KEYS = ("siteId", "catIds", "pageSize", "isDate", "dateFormat", "file")
# Tree nodes that may hold reports ("政府信息公开年报", "年度报告").
REPORT_NODE = re.compile(r"年报|年度报告")


class LonsunSpider(GovReportSpider):
    platform_name = "lonsun"
    options = {
        "xxgk_path": "str",
        "organ_id": "str",
        "report_lists": "list",
        "title_bodies": "rows",
        "label_path": "str",
        "page_size": "int",
    }
    xxgk_path = ""  # where the 信息公开 module lives on the host, e.g. "/zwgk"
    organ_id = ""
    # Lists that may hold the organ's reports, as "type" or "type:catId": type 3 = 公开年报, type 4
    # with a catId = a 主动公开 catalogue node. Which one a site uses is unverified, so several may
    # be given (`-a lists=3,4:123`); tree nodes named 年报 on a column page are added as found.
    report_lists: tuple[str, ...] = ("3",)
    # (regex on the title, body_name, body_level) for reports of another body listed in the
    # organ's list, e.g. an office's own report beside the government's.
    title_bodies: tuple[tuple[str, str, str], ...] = ()
    label_path = "/site/label/8888"
    page_size = 15
    max_pages = 200
    content_selectors = ("div.j-fontContent", ".wzcon", "#zoom", "body")

    def __init__(self, *args: Any, lists: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # "3,4:6543" -> (("3", ""), ("4", "6543"))
        self.nodes: tuple[tuple[str, str], ...] = tuple(
            (kind, cat) for kind, _, cat in (part.strip().partition(":") for part in (lists or "").split(",") if part)
        ) or tuple((kind, cat) for kind, _, cat in (part.partition(":") for part in self.report_lists))
        self._lists_seen: set[tuple[str, ...]] = set(self.nodes)
        self.reports_listed: set[str] = set()

    # -- lists ------------------------------------------------------------------------------

    async def hinted_requests(self) -> AsyncIterator[Any]:
        if not self.organ_id:
            return  # no organ to ask for: discovery finds the organs' lists
        for node in self.nodes:
            yield self.list_request(node, 1)

    def column_url(self, node: tuple[str, str], page: int, organ: str | None = None, prefix: str | None = None) -> str:
        kind, cat = node
        params = {"type": kind, **({"catId": cat} if cat else {}), "action": "list", "pageIndex": page}
        path = self.xxgk_path if prefix is None else prefix
        return self.site_url(f"{path}/public/column/{organ or self.organ_id}?{urlencode(params)}")

    def list_request(
        self,
        node: tuple[str, str],
        page: int,
        referer: str | None = None,
        organ: str | None = None,
        prefix: str | None = None,
    ) -> scrapy.Request:
        return scrapy.Request(
            self.column_url(node, page, organ, prefix),
            callback=self.parse_column,
            headers={"Referer": referer} if referer else {},
            cb_kwargs={"node": node, "page": page, **({"organ": organ, "prefix": prefix} if organ else {})},
        )

    def column_page(self, response: Response) -> Iterator[Any]:
        """A column found by discovery: organ, type and catId from its URL
        ({prefix}/public/column/{organId}?type=…&catId=…)."""
        found = COLUMN_PATH.search(urlsplit(response.url).path)
        if not found:
            yield from self.discover_lists(response, any_organ=True)
            yield from self.list_page(response, self.list_rows(response), ("", ""), 1, None, response.url)
            return
        query = parse_qs(urlsplit(response.url).query)
        node = (query.get("type", [""])[0], query.get("catId", [""])[0])
        page = int(query.get("pageIndex", ["1"])[0] or 1) if query.get("pageIndex", ["1"])[0].isdigit() else 1
        yield from self.parse_column(response, node, page, organ=found.group(2), prefix=found.group(1))

    def label_url(self, label: dict[str, str], page: int) -> str:
        params = {
            "IsAjax": "1",
            "dataType": "html",
            "labelName": LABEL_NAME,
            **{k: v for k, v in label.items() if k != "path"},
            "pageIndex": str(page),
            "action": "list",
        }
        return self.site_url(f"{label['path']}?{urlencode(params)}")

    def label_request(self, label: dict[str, str], node: tuple[str, str], page: int, referer: str) -> scrapy.Request:
        return scrapy.Request(
            self.label_url(label, page),
            callback=self.parse_fragment,
            headers={"Referer": referer},  # the column page, as the browser sends it
            cb_kwargs={"node": node, "page": page, "label": label, "column": referer},
        )

    def parse_column(
        self,
        response: Response,
        node: tuple[str, str],
        page: int,
        organ: str | None = None,
        prefix: str | None = None,
    ) -> Iterator[Any]:
        yield from self.discover_lists(response, organ=organ, prefix=prefix)
        label = self.label_params(response, node, organ)
        rows = self.list_rows(response)
        if not rows and label:
            # the rows are loaded by the page's script: ask the label for them
            yield self.label_request(label, node, page, response.url)
            return
        yield from self.list_page(response, rows, node, page, label, response.url, organ, prefix)

    def parse_fragment(
        self, response: Response, node: tuple[str, str], page: int, label: dict[str, str], column: str
    ) -> Iterator[Any]:
        yield from self.list_page(response, self.list_rows(response), node, page, label, column, label.get("organId"))

    def list_page(
        self,
        response: Response,
        rows: list[tuple[str, str, str | None]],
        node: tuple[str, str],
        page: int,
        label: dict[str, str] | None,
        column: str,
        organ: str | None = None,
        prefix: str | None = None,
    ) -> Iterator[Any]:
        for url, title, date in rows:
            if not self.is_report_title(title):
                self.logger.debug("not a report: %s (%s)", title, url)
                continue
            if self.canonical_url(url) in self.reports_listed:
                continue  # listed in two columns, or under two hosts
            self.reports_listed.add(self.canonical_url(url))
            body = self.body_for_title(title)
            if body is None:
                self.logger.info("skipped %s: another body's report", title)
                continue
            yield self.report_request(url, list_title=title, list_date=date, referer=response.url, **body)
        count = self.page_count(response)
        # stop on an empty page, at the pager's last page, or when there is no pager at all
        if rows and count and page < min(count, self.max_pages):
            if label:
                yield self.label_request(label, node, page + 1, column)
            elif node[0]:
                yield self.list_request(node, page + 1, referer=response.url, organ=organ, prefix=prefix)

    def list_rows(self, response: Response) -> list[tuple[str, str, str | None]]:
        """(url, title, date) of each article row, in either fragment shape:
        `div.xxgk_navli > ul > li.mc > a[title]` + `li.rq`, or `a[title]` + `span.date`."""
        out = []
        # other templates: table rows, dd or plain divs around the link
        rows: list[Selector] = (
            response.css("div.xxgk_navli") or response.xpath("//li[a]") or response.xpath("//tr[.//a] | //dd[a]")
        )
        if not rows:
            rows = [a.xpath("..")[0] for a in response.css("a[href]") if ARTICLE_LINK.search(a.attrib["href"])]
        seen: set[str] = set()
        for row in rows:
            anchor = next((a for a in row.css("a[href]") if ARTICLE_LINK.search(a.attrib["href"])), None)
            if anchor is None or anchor.attrib["href"] in seen:
                continue
            seen.add(anchor.attrib["href"])
            title = clean_text(anchor.attrib.get("title") or " ".join(anchor.css("::text").getall()))
            date_text = " ".join(row.css(".rq ::text, .date ::text").getall())
            date = DATE.search(date_text) or DATE.search(" ".join(row.css("::text").getall()))
            out.append((self.link(anchor.attrib["href"], response.url), title, date.group(0) if date else None))
        return out

    def page_count(self, response: Response) -> int | None:
        """From `Ls.pagination(…, {currPage: c, pageCount: N})`, else the `div#page_public_info` pager."""
        found = re.search(r"pageCount\s*:\s*['\"]?(\d+)", response.text)
        if found:
            return int(found.group(1))
        pager = response.css("#page_public_info") or response.css("[id*=page], [class*=page]")
        if not pager:
            return None
        pages = [int(p) for p in pager.css("a::attr(paged)").getall() if p.strip().isdigit()]
        pages += [int(p) for p in re.findall(r"共\s*(\d+)\s*页", " ".join(pager.css("::text").getall()))]
        return max(pages) if pages else None

    def label_params(
        self, response: Response, node: tuple[str, str], organ: str | None = None
    ) -> dict[str, str] | None:
        """The label call of the list, with ids and template copied from the page's script."""
        script = " ".join(s for s in response.xpath("//script/text()").getall() if LABEL_NAME in s)
        if not script:
            return None
        label: dict[str, str] = {"path": self.label_path, "organId": organ or self.organ_id, "type": node[0]}
        if node[1]:
            label["catId"] = node[1]
        path = LABEL_PATH.search(script)
        if path:
            label["path"] = path.group(1)
        for key in LABEL_KEYS:
            found = re.search(rf"""['"]?\b{key}['"]?\s*[:=]\s*['"]?([^'"&,;\s}}]*)""", script)
            if found and found.group(1):
                label[key] = unquote(found.group(1))
        label.setdefault("siteId", response.css('meta[name="SiteId"]::attr(content)').get(""))
        label.setdefault("pageSize", str(self.page_size))
        if not (label["siteId"] and label.get("file")):
            self.logger.warning("label call without siteId or file on %s", response.url)
            return None
        return label

    def discover_lists(
        self, response: Response, organ: str | None = None, prefix: str | None = None, any_organ: bool = False
    ) -> Iterator[scrapy.Request]:
        """Tree nodes of this organ (any organ: `any_organ`) named 年报 (type 3, or a 主动公开
        node with a catId)."""
        organ = organ or self.organ_id
        selector = 'a[href*="/public/column/"]' if any_organ or not organ else f'a[href*="/public/column/{organ}?"]'
        for anchor in response.css(selector):
            text = clean_text(" ".join(anchor.css("::text").getall()) or anchor.attrib.get("title", ""))
            if not REPORT_NODE.search(text):
                continue
            url = self.site_url(anchor.attrib["href"], response.url)
            found = COLUMN_PATH.search(urlsplit(url).path)
            if not found:
                continue
            query = parse_qs(urlsplit(url).query)
            node = (query.get("type", [""])[0], query.get("catId", [""])[0])
            key = (found.group(2), *node) if found.group(2) != self.organ_id else node
            if node[0] and key not in self._lists_seen:
                self._lists_seen.add(key)
                if found.group(2) == self.organ_id and found.group(1) == self.xxgk_path:
                    yield self.list_request(node, 1, referer=response.url)
                else:
                    yield self.list_request(node, 1, referer=response.url, organ=found.group(2), prefix=found.group(1))

    # -- reports ----------------------------------------------------------------------------

    def link(self, href: str, base: str) -> str:
        """site_url, plus: links to the home host take its scheme (fragments on an https site
        mix http:// and https:// links to the same page)."""
        url = self.site_url(href, base)
        parts, home = urlsplit(url), urlsplit(self.home_url)
        if parts.hostname == home.hostname and parts.scheme != home.scheme:
            url = urlunsplit((home.scheme, *parts[1:]))
        return url

    def body_for_title(self, title: str | None) -> dict[str, str] | None:
        """title_bodies first (a body the title spells otherwise), then the title's own body."""
        for pattern, name, level in self.title_bodies:
            if re.search(pattern, title or ""):
                return {"body_name": name, "body_level": level, "parent_body": self.body_name}
        return super().body_for_title(title)
