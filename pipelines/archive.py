"""Keep every downloaded body in the content-addressed raw archive. The run records where
(stat `govreports/archive`, kept in crawl_runs.stats): `govreports reparse` finds it there."""

from __future__ import annotations

from pathlib import Path

from scrapy.crawler import Crawler

from crawler.items import ReportPage
from crawler.storage.objectstore import ArchiveConfigError, RawArchive, archive_location, is_object_store, open_archive


class ArchivePipeline:
    def __init__(self, archive: RawArchive) -> None:
        self.archive = archive

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
        return cls(archive)

    def process_item(self, item: ReportPage) -> ReportPage:
        item.sha256, item.storage_path = self.archive.put(item.body)
        for attachment in item.attachments:
            if attachment.body is not None:
                attachment.sha256, attachment.storage_path = self.archive.put(attachment.body)
        return item
