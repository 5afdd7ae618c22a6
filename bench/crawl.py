"""One benchmark crawl, in this process, of a mirror served by bench/serve.py:

    full   the four portal spiders (project settings, pipelines, SQLite) in one CrawlerProcess,
           as `govreports crawl --all` runs them; --record FILE keeps every request they sent
    bare   the baseline: one bare Scrapy spider per portal, Scrapy's default settings, sending
           exactly the requests a full crawl recorded and doing nothing with the responses

Both run with the same throttling-off settings and the project's CONCURRENT_ITEMS. Prints one JSON
line: seconds, per-spider stats.

    python -m bench.crawl full --base-url http://127.0.0.1:PORT --workdir DIR [--record FILE]
    python -m bench.crawl bare --urls FILE --workdir DIR
"""

from __future__ import annotations

import argparse
import base64
import cProfile
import json
import os
import time
from pathlib import Path
from typing import Any

import scrapy
from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings

from bench.generate import SPIDERS

# Throttling off, high concurrency: the mirror is on loopback (both modes).
FAST = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 32,
    "ROBOTSTXT_OBEY": False,
    "TELNETCONSOLE_ENABLED": False,
    "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "INFO"),
}


class RequestLog:
    """Extension: every request a spider got a response to, in order, for the bare baseline to
    replay (a retried request counts once, as in the crawl's results)."""

    def __init__(self, crawler: Any, path: str) -> None:
        self.crawler, self.path = crawler, path
        self.requests: list[dict[str, str]] = []
        crawler.signals.connect(self.received, signal=signals.response_received)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> RequestLog:
        return cls(crawler, crawler.settings.get("BENCH_RECORD"))

    def received(self, response: Any, request: scrapy.Request, spider: scrapy.Spider) -> None:
        self.requests.append(
            {
                "method": request.method,
                "url": request.url,
                "body": base64.b64encode(request.body).decode() if request.body else "",
                "content_type": (request.headers.get("Content-Type") or b"").decode("latin-1"),
            }
        )

    def closed(self, spider: scrapy.Spider) -> None:
        path = Path(self.path)
        recorded = json.loads(path.read_text()) if path.exists() else {}
        recorded[spider.name] = self.requests
        path.write_text(json.dumps(recorded))


class BareSpider(scrapy.Spider):
    """Sends the given requests, ignores the responses."""

    name = "bare"

    def __init__(self, *args: Any, requests: list[dict], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.recorded = requests

    async def start(self):
        for r in self.recorded:
            headers = {"Content-Type": r["content_type"]} if r["content_type"] else {}
            yield scrapy.Request(
                r["url"],
                method=r["method"],
                body=base64.b64decode(r["body"]),
                headers=headers,
                callback=self.ignore,
                errback=self.ignore,
                dont_filter=True,
            )

    def ignore(self, _: Any) -> None:
        return None


def crawl(args: argparse.Namespace) -> dict:
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")  # offline: bundled suffix list
    if args.mode == "full":
        os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
        settings = get_project_settings()
        settings.setdict(
            {
                "GOVREPORTS_DATABASE_URL": args.database or f"sqlite:///{workdir}/govreports.db",
                "GOVREPORTS_ARCHIVE_DIR": str(workdir / "archive"),
            },
            priority="cmdline",
        )
        if args.record:
            settings.set("BENCH_RECORD", args.record, priority="cmdline")
            settings.set(
                "EXTENSIONS", {**settings.getdict("EXTENSIONS"), "bench.crawl.RequestLog": 0}, priority="cmdline"
            )
    else:
        settings = Settings()
        # the one engine setting of the project's that is no throttling: Scrapy's per-response
        # cost of handing a callback's outputs on, which the bare crawl pays as the full one does
        os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
        settings.set("CONCURRENT_ITEMS", get_project_settings().getint("CONCURRENT_ITEMS"), priority="cmdline")
    settings.setdict({**FAST, "LOG_FILE": str(workdir / f"{args.mode}.log")}, priority="cmdline")
    for pair in args.set:  # KEY=VALUE, VALUE as JSON when it parses (dicts, numbers)
        key, _, value = pair.partition("=")
        try:
            settings.set(key, json.loads(value), priority="cmdline")
        except ValueError:
            settings.set(key, value, priority="cmdline")
    process = CrawlerProcess(settings)
    crawlers = []
    if args.mode == "full":
        for name in SPIDERS.values():
            crawlers.append(process.create_crawler(name))
            process.crawl(crawlers[-1], base_url=args.base_url)
    else:
        for name, requests in json.loads(Path(args.urls).read_text()).items():
            crawlers.append(process.create_crawler(BareSpider))
            process.crawl(crawlers[-1], name=name, requests=requests)
    profile: str | None = args.profile
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    process.start()
    if profiler and profile:
        profiler.disable()
        profiler.dump_stats(profile)
    seconds = time.perf_counter() - started
    # the spider's own name: the bare spiders share one class, each named after its portal
    stats = {(c.spider.name if c.spider is not None else c.spidercls.name): c.stats.get_stats() for c in crawlers}
    keep = (
        "downloader/request_count",
        "downloader/response_count",
        "item_scraped_count",
        "item_dropped_count",
        "govreports/reports_new",
        "govreports/reports_changed",
        "govreports/reports_unchanged",
        "govreports/reports_skipped",
        "govreports/metrics_parsed",
        "retry/count",
        "finish_reason",
        "log_count/ERROR",
    )
    return {
        "mode": args.mode,
        "seconds": seconds,
        "spiders": {name: {k: s.get(k) for k in keep if k in s} for name, s in stats.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=("full", "bare"))
    parser.add_argument("--base-url")
    parser.add_argument("--urls", help="bare: the requests a full crawl recorded")
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--database", help="full: SQLAlchemy URL (default: SQLite in workdir)")
    parser.add_argument("--record", help="full: write the requests sent to this file")
    parser.add_argument("--profile", help="write a cProfile of the crawl to this file")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="a Scrapy setting")
    print(json.dumps(crawl(parser.parse_args()), default=str))


if __name__ == "__main__":
    main()
