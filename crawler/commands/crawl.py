"""`scrapy crawl NAME`, exiting non-zero when the crawl's outcome is not ok: it stored no report,
found none where the database holds some, failed too many requests, or did not finish. The run
record (crawler/extensions/runrecord.py) judges the outcome and says why; scheduled runs see it in
the exit status.

Bad input is refused before the crawl as `govreports crawl` refuses it, with one line (after
Scrapy's start-up log) and no traceback: an unknown spider or a bad `-a base_url` exit 2, a
database this govreports cannot use (newer than it) exit 1."""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from crawler.errors import CommandError
from crawler.extensions.runrecord import exit_reason


class Command(ScrapyCrawlCommand):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        from scrapy.utils.project import get_project_settings

        from crawler.cli import (
            check_base_url,
            check_crawl_database,
            check_database_url,
            check_setting_values,
            check_spider,
        )
        from crawler.storage.db import StorageError

        if len(args) != 1:
            raise UsageError("name exactly one spider (govreports crawl --all runs them all)")
        assert self.crawler_process
        try:
            check_setting_values(dict(pair.partition("=")[::2] for pair in opts.set), get_project_settings())
            check_spider(args[0], self.crawler_process.spider_loader.list())
            if "base_url" in opts.spargs:
                check_base_url(opts.spargs["base_url"], "-a base_url")
            check_crawl_database(check_database_url(self.crawler_process.settings.get("GOVREPORTS_DATABASE_URL")))
        except (CommandError, StorageError) as exc:
            print(f"govreports: {exc}", file=sys.stderr)
            self.exitcode = exc.exit_status if isinstance(exc, CommandError) else 1
            return
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
