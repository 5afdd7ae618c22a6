"""Normalise a fetched report: metadata, statistics, 勾稽 checks — all in crawler.parsing, through
crawler.items.read_page, run in a pool of parse worker processes (crawler/parsepool.py) so the
reactor thread keeps downloading while reports are read.

Bad items (not an annual report, no title, no report year) are dropped with a reason, and so is
an item whose parse crashed its worker or ran past GOVREPORTS_PARSE_TIMEOUT; the storage
pipeline records every drop against the crawl run.

Settings: GOVREPORTS_PARSE_WORKERS (worker processes, default one per core; 0 parses in the crawl
process itself), GOVREPORTS_PARSE_TIMEOUT (seconds one report may take), GOVREPORTS_PARSE_IN_FLIGHT
(reports handed to the pool at once, per spider; while they are, Scrapy's scraper slot fills and
the engine stops downloading, so memory stays flat), GOVREPORTS_PARSE_WORKER_HOOK (tests only);
the bounds on one document, GOVREPORTS_MAX_* (crawler/settings.py parse_limits), go with every
report to the worker."""

from __future__ import annotations

import logging
from concurrent.futures import Future
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred, DeferredSemaphore

from crawler.items import ParsedItem, Rejected, ReportPage, attach, read_page
from crawler.parsepool import ParsePool, WorkerCrashed, WorkerTimeout, default_workers
from crawler.settings import parse_limits

log = logging.getLogger(__name__)

READ_PAGE = "crawler.items:read_page_detached"


class SharedPool:
    """One pool per process, whatever the number of spiders crawling in it (`crawl --all`):
    opened by the first spider, closed when the last one closes."""

    pool: ParsePool | None = None
    users = 0

    @classmethod
    def acquire(cls, workers: int, timeout: float | None, hook: str | None) -> ParsePool:
        if cls.pool is None:
            cls.pool = ParsePool(workers, timeout, hook)
            limit = f"{timeout:g} s a report" if timeout else "no time limit"
            log.info("parsing in %d worker processes (%s)", workers, limit)
        cls.users += 1
        return cls.pool

    @classmethod
    def release(cls) -> None:
        cls.users -= 1
        if cls.users <= 0 and cls.pool is not None:
            pool, cls.pool, cls.users = cls.pool, None, 0
            pool.close()


class ParsePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        workers = settings.get("GOVREPORTS_PARSE_WORKERS")
        self.workers = default_workers() if workers in (None, "") else int(workers)
        self.timeout = settings.getfloat("GOVREPORTS_PARSE_TIMEOUT", 300.0) or None
        self.hook = settings.get("GOVREPORTS_PARSE_WORKER_HOOK") or None
        self.in_flight = settings.getint("GOVREPORTS_PARSE_IN_FLIGHT", 0) or 2 * max(1, self.workers)
        self.limits = parse_limits(settings)
        self.slots = DeferredSemaphore(self.in_flight)
        self.pool: ParsePool | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ParsePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        if self.workers > 0:
            self.pool = SharedPool.acquire(self.workers, self.timeout, self.hook)

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool = None
            SharedPool.release()

    async def process_item(self, item: ReportPage) -> ParsedItem:
        if self.pool is None:
            return self._counted(self._read_here(item))
        await maybe_deferred_to_future(self.slots.acquire())
        try:
            return self._counted(await maybe_deferred_to_future(self._read_in_pool(item)))
        finally:
            self.slots.release()

    def _read_here(self, item: ReportPage) -> ParsedItem:
        try:
            return read_page(item, self.limits)
        except Rejected as exc:
            raise DropItem(str(exc)) from exc
        except Exception as exc:  # a parser bug must not kill the crawl; the drop is recorded
            log.exception("parser failed on %s", item.url)
            raise DropItem(f"parser error on {item.url}: {type(exc).__name__}: {exc}") from exc

    def _read_in_pool(self, item: ReportPage) -> Deferred[ParsedItem]:
        from twisted.internet import reactor

        assert self.pool is not None
        done: Deferred[ParsedItem] = Deferred()

        def settle(future: Future) -> None:  # on the reactor thread
            try:
                done.callback(attach(future.result(), item))
            except Rejected as exc:
                done.errback(DropItem(str(exc)))
            except (WorkerCrashed, WorkerTimeout) as exc:
                kind = "crashed" if isinstance(exc, WorkerCrashed) else "timeouts"
                self.crawler.stats.inc_value(f"govreports/parse_worker_{kind}")
                log.error("parse worker failed on %s: %s", item.url, exc)
                done.errback(DropItem(f"parser worker failed on {item.url}: {exc}"))
            except Exception as exc:  # a parser bug must not kill the crawl; the drop is recorded
                log.error("parser failed on %s: %s: %s\n%s", item.url, type(exc).__name__, exc, _notes(exc))
                done.errback(DropItem(f"parser error on {item.url}: {type(exc).__name__}: {exc}"))

        future = self.pool.submit(READ_PAGE, item, self.limits)
        future.add_done_callback(lambda f: reactor.callFromThread(settle, f))
        return done

    def _counted(self, result: ParsedItem) -> ParsedItem:
        self.crawler.stats.inc_value("govreports/metrics_parsed", len(result.parsed.metrics))
        return result


def _notes(exc: BaseException) -> str:
    notes: Any = getattr(exc, "__notes__", ())
    return "\n".join(notes)
