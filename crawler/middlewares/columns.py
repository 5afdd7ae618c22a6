"""Spider middleware: which report column each request serves, and how many reports each lists.

A column's first request carries meta COLUMN (spiders/base.py); every request yielded while
reading one of its responses (its next pages, a label fragment, a dataproxy page) inherits it,
and each report request yielded counts as a report the column lists. The spider learns the status
of each column's first page: a hinted or remembered column that failed or listed nothing sends
the spider to discover the columns from the home page (GovReportSpider.on_idle)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from crawler.items import REPORT_META

# request meta: the report column (its key in the spider's Discovery.columns) a request serves
COLUMN = "govreports_column"


class ColumnTracker:
    """Registered before HttpErrorMiddleware (50): a column answering 404 is seen too."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> ColumnTracker:
        return cls(crawler)

    def process_spider_input(self, response: Response) -> None:
        key = response.meta.get(COLUMN)
        hook = getattr(self.crawler.spider, "column_answered", None)
        if key and hook is not None:
            hook(key, response.status)

    def _tag(self, response: Response | None, item: Any) -> Any:
        if isinstance(item, Request) and response is not None:
            key = response.meta.get(COLUMN)
            if key:
                if REPORT_META in item.meta:
                    hook = getattr(self.crawler.spider, "column_listed_report", None)
                    if hook is not None:
                        hook(key, (item.cb_kwargs.get("listing") or {}).get("list_title"))
                elif COLUMN not in item.meta:
                    item.meta[COLUMN] = key
        return item

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        for item in result:
            yield self._tag(response, item)

    async def process_spider_output_async(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for item in result:
            yield self._tag(response, item)


class ReportsNotFetched:
    """Downloader middleware of `govreports discover`: report pages are counted, not fetched
    (a probe, a page that is its own list such as a year of Hanweb's xxgk module, is fetched)."""

    def process_request(self, request: Request) -> None:
        if REPORT_META in request.meta and not request.meta[REPORT_META].get("probe"):
            raise IgnoreRequest(f"discover: not fetching the report {request.url}")
