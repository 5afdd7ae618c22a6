"""Keep every downloaded body in the content-addressed raw archive."""

from __future__ import annotations

from scrapy.crawler import Crawler

from crawler.items import ReportPage
from crawler.storage.archive import Archive


class ArchivePipeline:
    def __init__(self, archive: Archive) -> None:
        self.archive = archive

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        return cls(Archive(crawler.settings.get("GOVREPORTS_ARCHIVE_DIR")))

    def process_item(self, item: ReportPage) -> ReportPage:
        item.sha256, item.storage_path = self.archive.put(item.body)
        for attachment in item.attachments:
            if attachment.body is not None:
                attachment.sha256, attachment.storage_path = self.archive.put(attachment.body)
        return item
