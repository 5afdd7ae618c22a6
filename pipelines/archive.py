"""Keep every downloaded body in the content-addressed raw archive. The run records where
(stat `govreports/archive`, kept in crawl_runs.stats): `govreports reparse` finds it there.

A body the archive cannot take (the disk is full, the directory is not writable, the bucket
refuses it) drops its report with a failure of kind `archive`: a report is stored only with its
bytes archived (reparse reads them back), and a report not stored is fetched again by the next
crawl. The storage pipeline fails the run when any report was dropped so. Temporary files that
killed crawls left in a directory archive are removed when a crawl opens it."""

from __future__ import annotations

import logging
from pathlib import Path

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.extensions.runrecord import record_failure
from crawler.items import ReportPage
from crawler.storage.objectstore import ArchiveConfigError, RawArchive, archive_location, is_object_store, open_archive

log = logging.getLogger(__name__)

ARCHIVE_FAILURE = "archive"  # the failure kind


class NotArchived(DropItem):
    """A report dropped because its bytes could not be archived; recorded already."""

    failure_kind = ARCHIVE_FAILURE


class ArchivePipeline:
    def __init__(self, archive: RawArchive, crawler: Crawler | None = None) -> None:
        self.archive = archive
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        location = archive_location(crawler.settings)
        archive = open_archive(location)  # a directory or s3://bucket/prefix
        check = getattr(archive, "check", None)
        if check is not None:
            try:
                check()  # a bucket that does not answer stops the crawl before it fetches anything
            except ArchiveConfigError as exc:
                raise RuntimeError(str(exc)) from None
        recorded = location if is_object_store(location) else str(Path(location).resolve())
        crawler.stats.set_value("govreports/archive", recorded)
        clean = getattr(archive, "clean_leftovers", None)
        if clean is not None:
            removed = clean()
            if removed:
                log.info("removed %d temporary files unfinished writes left in the archive", removed)
        return cls(archive, crawler)

    def process_item(self, item: ReportPage) -> ReportPage:
        try:
            item.sha256, item.storage_path = self.archive.put(item.body)
            for attachment in item.attachments:
                if attachment.body is not None:
                    attachment.sha256, attachment.storage_path = self.archive.put(attachment.body)
        except Exception as exc:  # noqa: BLE001 - ENOSPC, EACCES, EROFS, a bucket's refusal (botocore's errors)
            self.refuse(item, exc)
        return item

    def refuse(self, item: ReportPage, exc: BaseException) -> None:
        reason = f"report not stored, the raw archive could not keep it: {type(exc).__name__}: {exc}"
        if self.crawler is not None:
            record_failure(self.crawler, item.url, ARCHIVE_FAILURE, reason)
        raise NotArchived(reason) from exc
