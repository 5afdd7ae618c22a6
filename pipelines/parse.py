"""Normalise a fetched report: metadata, statistics, 勾稽 checks — all in crawler.parsing, through
crawler.items.read_page.

Bad items (not an annual report, no title, no report year) are dropped with a reason; the
storage pipeline records every drop against the crawl run."""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.items import ParsedItem, Rejected, ReportPage, read_page

log = logging.getLogger(__name__)


class ParsePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ParsePipeline:
        return cls(crawler)

    def process_item(self, item: ReportPage) -> ParsedItem:
        try:
            result = read_page(item)
        except Rejected as exc:
            raise DropItem(str(exc)) from exc
        except Exception as exc:  # a parser bug must not kill the crawl; the drop is recorded
            log.exception("parser failed on %s", item.url)
            raise DropItem(f"parser error on {item.url}: {type(exc).__name__}: {exc}") from exc
        self.crawler.stats.inc_value("govreports/metrics_parsed", len(result.parsed.metrics))
        return result
