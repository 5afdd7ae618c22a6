"""Progress of a long crawl: one line per spider every LOGSTATS_INTERVAL seconds (default 60), in
place of Scrapy's LogStats, whose "Crawled N pages" lines do not say which spider they are about
when `govreports crawl --all` runs every portal in one process:

    dongying: found 7 lists, 12 reports, 5 attachments; 9 reports scraped (8 stored), 1 rejected,
    0 held; 48 responses (12/min), 3 retries, 2 failures; 5 queued, 2 downloading

found: distinct URLs asked for so far by role (a request with the spider's `parse_report`
callback is a report, one marked as an attachment download an attachment, any other a list, pager
or module page); stored: written by the storage pipeline (in batches); held: report pages not
fetched because the database holds them (incremental crawls); failures: requests recorded as
failed (crawler/middlewares/failures.py). The end-of-crawl summary comes from the run record
(runrecord.py).
"""

from __future__ import annotations

import logging
from collections.abc import Sized
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.asyncio import create_looping_call

from crawler.items import FAILURE_KIND

logger = logging.getLogger(__name__)

ROLES = ("lists", "reports", "attachments")


def role(request: Request) -> str:
    if request.meta.get(FAILURE_KIND) == "attachment":
        return "attachments"
    if getattr(request.callback, "__name__", "") == "parse_report":
        return "reports"
    return "lists"


class Progress:
    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.found: dict[str, set[str]] = {r: set() for r in ROLES}
        self.responses_before = 0
        self.task: Any = None
        crawler.signals.connect(self.request_scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        interval = crawler.settings.getfloat("LOGSTATS_INTERVAL")
        if not interval:
            raise NotConfigured
        return cls(crawler, interval)

    def request_scheduled(self, request: Request, spider: Any) -> None:
        if request.callback is not NO_CALLBACK:  # robots.txt is no page of the portal
            self.found[role(request)].add(request.url)

    def spider_opened(self, spider: Any) -> None:
        self.task = create_looping_call(self.log)
        self.task.start(self.interval, now=False)  # nothing to say at second 0

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()

    def log(self) -> None:
        logger.info("%s", self.line())

    def line(self) -> str:
        stats = self.crawler.stats
        value = stats.get_value
        responses = value("response_received_count", 0)
        rate = (responses - self.responses_before) * 60 / self.interval
        self.responses_before = responses
        stored = sum(value(f"govreports/reports_{n}", 0) for n in ("new", "changed", "unchanged"))
        failures = sum(
            n
            for key, n in stats.get_stats().items()
            if key.startswith("govreports/failures/") and key != "govreports/failures/rejected_item"
        )
        engine = self.crawler.engine
        scheduler = engine._slot.scheduler if engine._slot else None  # noqa: SLF001 (no public count)
        queued = len(scheduler) if isinstance(scheduler, Sized) else 0  # Scrapy's Scheduler has a length
        spider = self.crawler.spider
        return (
            f"{spider.name if spider else '?'}: found {len(self.found['lists'])} lists, "
            f"{len(self.found['reports'])} reports, {len(self.found['attachments'])} attachments; "
            f"{value('item_scraped_count', 0)} reports scraped ({stored} stored), "
            f"{value('item_dropped_count', 0)} rejected, {value('govreports/reports_skipped', 0)} held; "
            f"{responses} responses ({rate:.0f}/min), {value('retry/count', 0)} retries, {failures} failures; "
            f"{queued} queued, {len(engine.downloader.active)} downloading"
        )
