"""博达 VSB (Visual SiteBuilder) portals (docs/portals.md §6).

- Lists are static pages: the first is `/{slug}.htm`, later ones `/{slug}/{k}.htm` numbered from the
  end (user page P is `/{slug}/{pages - P + 1}.htm`; `/{slug}/1.htm` is the last page), with a pager
  text `共{records}条 {current}/{pages}`. Item hrefs are relative (`info/2821/1.htm`, `../info/…`).
- New items may first be listed as `content.jsp?urltype=news.NewsContentUrl&…` behind a login wall.
- Detail pages `/info/{treeId}/{newsId}.htm`: body `#vsb_content .v_news_content` inside
  `form[name=_newscontent_fromname]`; the attachment list follows the body inside the form.
- A PDF may be embedded only by a script call `showVsbpdfIframe("/__local/….pdf", …)`, which writes
  a pdf.js iframe at run time: no selector sees it, so it is found by regular expression.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import unquote, urlsplit

import scrapy
from parsel import Selector
from scrapy.http import Response

from crawler.parsing.text import clean_text
from crawler.urls import origin
from spiders.base import GovReportSpider, is_attachment_link

PAGER = re.compile(r"共\s*(\d+)\s*条\s*(\d+)\s*/\s*(\d+)")
DETAIL_PATH = re.compile(r"/info/\d+/\d+\.htm$")
LOGIN_WALL = re.compile(r"content\.jsp\?\S*urltype=news\.NewsContentUrl", re.I)
LIST_DATE = re.compile(r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?")
EMBEDDED_PDF = (
    re.compile(r"showVsbpdfIframe\(\s*[\"']([^\"']+)[\"']"),
    re.compile(r"viewer\.html\?file=([^\"'&\s<>]+)"),  # URL-encoded path of the PDF
    re.compile(r"(/__local/[^\"'\s<>()]+?\.pdf)", re.I),
)


class VsbSpider(GovReportSpider):
    platform_name = "vsb"
    static_lists = True
    options = {"list_slugs": "list"}
    # List pages to crawl, without `.htm`: ("xxgk/gknb",) → /xxgk/gknb.htm, /xxgk/gknb/{k}.htm.
    list_slugs: tuple[str, ...] = ()
    # The form holds the body and, after it, the attachment list (附件【…】已下载N次).
    content_selectors = (
        "form[name=_newscontent_fromname]",
        "#vsb_content",
        ".v_news_content",
        "body",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reports_listed: set[str] = set()

    async def hinted_requests(self) -> AsyncIterator[scrapy.Request]:
        for slug in self.list_slugs:
            yield self.list_request(self.site_url(f"/{slug}.htm"), slug)

    def column_page(self, response: Response) -> Iterator[Any]:
        """A column found by discovery: its slug is its path without `.htm`."""
        slug = re.sub(r"\.s?html?$", "", urlsplit(response.url).path.strip("/"))
        yield from self.parse_list(response, slug)

    def list_request(self, url: str, slug: str, referer: str | None = None) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_list,
            errback=self.list_failed,
            headers={"Referer": referer} if referer else {},
            cb_kwargs={"slug": slug},
        )

    def list_failed(self, failure: Any) -> None:
        # The slugs are configuration that was never checked on every portal: say so loudly.
        self.logger.warning("list page %s failed (%s): check list_slugs", failure.request.url, failure.value)

    def parse_list(self, response: Response, slug: str) -> Iterator[scrapy.Request]:
        yield from self.list_items(response)
        for url in self.page_urls(response, slug):
            yield self.list_request(url, slug, referer=response.url)

    # -- lists ------------------------------------------------------------------------------

    def page_urls(self, response: Response, slug: str) -> list[str]:
        """The other pages of a list. From the pager text: user page P (2…pages) is
        /{slug}/{pages - P + 1}.htm. Pager links to /{slug}/{k}.htm (下页, 尾页) are added in case
        a portal's pager text differs; Scrapy's duplicate filter drops pages already asked for."""
        urls: list[str] = []
        text = clean_text(" ".join(response.xpath("//body//text()[not(ancestor::script)]").getall()))
        match = PAGER.search(text)
        if match:
            pages = int(match[3])
            urls = [self.site_url(f"/{slug}/{pages - p + 1}.htm") for p in range(2, pages + 1)]
        page_path = re.compile(rf"/{re.escape(slug)}/\d+\.htm$")
        for href in response.css("a::attr(href)").getall():
            url = self.site_url(href, response.url)
            if page_path.search(urlsplit(url).path) and url not in urls:
                urls.append(url)
        return urls

    def list_items(self, response: Response) -> Iterator[scrapy.Request]:
        for anchor in response.css("a[href]"):
            href = anchor.attrib["href"].strip()
            # Link texts are often cut short (…); the title attribute holds the full title.
            title = clean_text(anchor.attrib.get("title") or " ".join(anchor.css("::text").getall()))
            if not self.is_report_title(title):
                continue
            if LOGIN_WALL.search(href):
                # Not yet published as a static page; the next crawl will find /info/… instead.
                self.logger.info("skipped %s: behind the content.jsp login wall (%s)", title, href)
                continue
            url = self.site_url(href, response.url)
            if origin(url) != origin(self.base_url) and not self.is_site_host(urlsplit(url).hostname or ""):
                continue  # another portal's page (leda.gov.cn and www.leda.gov.cn are one site)
            if not (DETAIL_PATH.search(urlsplit(url).path) or is_attachment_link(href, title)):
                continue  # navigation such as 政府信息公开年报 → a list page
            if self.canonical_url(url) in self.reports_listed:
                continue  # listed in two columns, or under both hosts
            self.reports_listed.add(self.canonical_url(url))
            body = self.report_body(title)
            if body is None:
                self.logger.info("skipped %s: another body's report", title)
                continue
            yield self.report_request(url, list_title=title, list_date=row_date(anchor), referer=response.url, **body)

    def report_body(self, title: str) -> dict[str, str] | None:
        """Body fields for report_request (GovReportSpider.body_for_title)."""
        return self.body_for_title(title)

    # -- detail pages -----------------------------------------------------------------------

    def attachment_links(self, response: Response) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """The base's anchors, preceded by PDFs embedded by script: such a PDF is the report's main
        document, so it comes first (named by its link text when it is also linked)."""
        attachments, related = super().attachment_links(response)
        names = dict(attachments)
        embedded = [(url, names.get(url, name)) for url, name in self.embedded_pdfs(response)]
        urls = {url for url, _ in embedded}
        return embedded + [(url, name) for url, name in attachments if url not in urls], related

    def embedded_pdfs(self, response: Response) -> list[tuple[str, str]]:
        """(url, file name) of PDFs shown by showVsbpdfIframe(…) or a pdf.js viewer.html?file=…,
        found in the raw HTML of the content (scripts included)."""
        html = self.content(response).get()
        found: list[tuple[str, str]] = []
        for pattern in EMBEDDED_PDF:
            for value in pattern.findall(html):
                path = unquote(value.replace("&amp;", "&"))
                url = self.site_url(path, response.url)
                if url not in {u for u, _ in found}:
                    found.append((url, urlsplit(url).path.rsplit("/", 1)[-1]))
        return found


def row_date(anchor: Selector) -> str | None:
    """The date shown next to a list link: in the same <li> or table row."""
    row = anchor.xpath("ancestor::*[self::li or self::tr][1]")
    text = clean_text(" ".join((row or anchor).xpath(".//text()").getall()))
    match = LIST_DATE.search(text)
    return match[0] if match else None
