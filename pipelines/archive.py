"""Keep every downloaded body in the content-addressed raw archive."""

from __future__ import annotations

from scrapy.crawler import Crawler

from crawler.items import ReportPage
from crawler.storage.objectstore import ArchiveConfigError, RawArchive, archive_location, open_archive


class ArchivePipeline:
    def __init__(self, archive: RawArchive) -> None:
        self.archive = archive

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        archive = open_archive(archive_location(crawler.settings))  # a directory or s3://bucket/prefix
        check = getattr(archive, "check", None)
        if check is not None:
            try:
                check()  # a bucket that does not answer stops the crawl before it fetches anything
            except ArchiveConfigError as exc:
                raise RuntimeError(str(exc)) from None
        return cls(archive)

    def process_item(self, item: ReportPage) -> ReportPage:
        item.sha256, item.storage_path = self.archive.put(item.body)
        for attachment in item.attachments:
            if attachment.body is not None:
                attachment.sha256, attachment.storage_path = self.archive.put(attachment.body)
        return item
