"""Normalise a fetched report: metadata, statistics, 勾稽 checks — all in crawler.parsing.

Bad items (not an annual report, no title, no report year) are dropped with a reason; the
storage pipeline records every drop against the crawl run."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.items import ReportPage
from crawler.parsing.html import charset_from_content_type
from crawler.parsing.model import ParsedReport
from crawler.parsing.report import SourceDocument, parse_documents
from crawler.parsing.text import clean_text
from crawler.urls import origin

log = logging.getLogger(__name__)


@dataclass
class ParsedItem:
    """What the storage pipeline writes: the fetched page and what was read from it."""

    page: ReportPage
    parsed: ParsedReport
    title: str
    year: int
    content_hash: str


def source_documents(page: ReportPage) -> list[SourceDocument]:
    charset = charset_from_content_type(page.headers.get("Content-Type"))
    docs = [SourceDocument(page.url, page.body, page.media_type, "page", charset)]
    docs += [
        SourceDocument(a.name or a.url, a.body, a.media_type, "attachment")
        for a in page.attachments
        if a.body is not None
    ]
    return docs


def content_hash(page: ReportPage) -> str:
    """Changes when the page or any attachment changes — and only then: the hash is taken of the
    content as on the real portal, so crawling a mirror on another port is not an edit."""
    crawled, real = origin(page.url).encode(), origin(page.canonical_url).encode()

    def as_on_portal(data: bytes) -> bytes:
        return data.replace(crawled, real) if crawled != real else data

    digest = hashlib.sha256(hashlib.sha256(as_on_portal(page.body)).digest())
    for a in sorted(page.attachments, key=lambda a: as_on_portal(a.url.encode())):
        digest.update(as_on_portal(a.url.encode()))
        digest.update(hashlib.sha256(a.body or b"").digest())
    return digest.hexdigest()


def validate(page: ReportPage, parsed: ParsedReport) -> ParsedItem:
    """The checks an item must pass to become a report; DropItem says why it did not."""
    title = clean_text(parsed.metadata.title or page.list_title or "")
    if not title:
        raise DropItem(f"no title on {page.url}")
    if not parsed.is_report:
        raise DropItem(f"not an annual report: {title!r} ({page.url})")
    if parsed.metadata.year is None:
        raise DropItem(f"no report year in title or statistics period: {title!r} ({page.url})")
    if not page.body_name:
        raise DropItem(f"spider {page.spider} gave no body for {page.url}")
    return ParsedItem(page=page, parsed=parsed, title=title, year=parsed.metadata.year, content_hash=content_hash(page))


class ParsePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ParsePipeline:
        return cls(crawler)

    def process_item(self, item: ReportPage) -> ParsedItem:
        try:
            parsed = parse_documents(source_documents(item), url=item.url, list_title=item.list_title)
        except Exception as exc:  # a parser bug must not kill the crawl; the drop is recorded
            log.exception("parser failed on %s", item.url)
            raise DropItem(f"parser error on {item.url}: {type(exc).__name__}: {exc}") from exc
        result = validate(item, parsed)
        self.crawler.stats.inc_value("govreports/metrics_parsed", len(parsed.metrics))
        return result

