"""`scrapy crawl NAME`, exiting non-zero when the crawl's outcome is not ok: it stored no report,
found none where the database holds some, failed too many requests, or did not finish. The run
record (crawler/extensions/runrecord.py) judges the outcome and says why; scheduled runs see it in
the exit status."""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from crawler.extensions.runrecord import exit_reason


class Command(ScrapyCrawlCommand):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("name exactly one spider (govreports crawl --all runs them all)")
        assert self.crawler_process
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
            return
        reason = exit_reason(crawler.stats.get_stats())
        if reason:
            print(f"{args[0]}: {reason}", file=sys.stderr)
            self.exitcode = 1
