"""The types every side of a crawl shares: the items a spider yields (ReportPage, Attachment),
the parsed item the storage writes (ParsedItem, made by `read_page`), a recorded Failure and the
request-meta keys spiders, middlewares and extensions pass to each other.

This module may import crawler.parsing and crawler.urls only (no Scrapy, no database), so that
spiders, pipelines, middlewares and storage can all import it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from crawler.parsing.html import charset_from_content_type
from crawler.parsing.limits import DEFAULT, Limits
from crawler.parsing.model import Finding, ParsedReport
from crawler.parsing.report import SourceDocument, parse_documents
from crawler.parsing.text import clean_text
from crawler.urls import origin

# request.meta keys
REPORT_META = "govreports_report"  # a report page: {"canonical_url", "list_date"} (incremental crawls)
CONDITIONAL = "govreports_conditional"  # this request carries validators (If-None-Match …)
FAILURE_KIND = "govreports_failure_kind"  # the kind a failure of this request is recorded as
FAILURE_REASON = "govreports_failure_reason"  # set to the reason once a failure is recorded


@dataclass
class Attachment:
    """A file linked from a report page (.doc/.pdf/...), fetched by the spider."""

    url: str
    name: str | None = None  # from the link text, a filename= parameter or Content-Disposition
    media_type: str | None = None
    body: bytes | None = None  # None when the download failed (see error)
    size: int | None = None  # len(body), kept when the storage pipeline lets the bytes go
    status: int | None = None
    error: str | None = None
    sha256: str | None = None  # set by the archive pipeline
    storage_path: str | None = None


@dataclass
class ReportPage:
    """One annual report as fetched: its page (or file) plus its attachments.

    The body fields name the publishing body, and the spider alone sets them: the portal's own
    body, or a department's or town's when the title names one before its year
    (spiders/base.py `body_for_title`), a department channel does, or the page's 作者 line does
    (TRS `body_from_author`). Parsing does not change
    them: crawler/storage/store.py writes them as given. `metadata.agency`, read from the title by
    crawler/parsing/metadata.py, only tells the prose reader (crawler/parsing/prose.py) which body
    a sentence's numbers belong to, and is shown by `govreports parse`.
    """

    spider: str
    url: str  # as fetched
    canonical_url: str  # stable across mirror ports and www./anti-bot variants
    body: bytes
    media_type: str = "text/html"
    encoding: str | None = None  # the encoding the page was decoded with, if known
    headers: dict[str, str] = field(default_factory=dict)  # Content-Type, ETag, Last-Modified …
    list_title: str | None = None  # title as shown in the list (often the full title)
    list_date: str | None = None  # date shown in the list
    body_name: str | None = None  # default body for the column the report was listed in
    body_level: str | None = None  # province | city | county | district | department | zone
    region_code: str | None = None
    parent_body: str | None = None
    attachments: list[Attachment] = field(default_factory=list)
    related_links: list[tuple[str, str]] = field(default_factory=list)  # (text, url): 图解, H5 …
    sha256: str | None = None  # set by the archive pipeline
    storage_path: str | None = None
    size: int | None = None  # len(body), kept when the storage pipeline lets the bytes go


def body_size(part: ReportPage | Attachment) -> int | None:
    """The bytes' length, also once they were let go (`release_bodies`); None: no bytes (a
    download that failed)."""
    if part.size is not None:
        return part.size
    return len(part.body) if part.body is not None else None


def release_bodies(page: ReportPage) -> None:
    """Let the page's and attachments' bytes go, their lengths kept: once archived and parsed
    they are only the size of a row (a dead letter reads them back from the archive). The
    storage pipeline does this for the reports waiting for their batch."""
    page.size, page.body = body_size(page), b""
    for a in page.attachments:
        if a.body is not None:
            a.size, a.body = body_size(a), b""


@dataclass
class ParsedItem:
    """What the storage pipeline writes: the fetched page and what was read from it."""

    page: ReportPage
    parsed: ParsedReport
    title: str
    year: int
    content_hash: str


@dataclass
class Failure:
    """One permanent failure of a crawl run, written to crawl_failures."""

    url: str | None
    kind: str  # rejected_item | download | http_status | attachment | blocked | …
    reason: str
    at: datetime = field(default_factory=lambda: datetime.now(UTC).replace(tzinfo=None))


# The longest title a report is stored under: it is part of the report's natural key, whose
# index a PostgreSQL B-tree holds only up to ~2,700 bytes (500 CJK characters are 1,500 in UTF-8).
# A longer title is cut, a finding says so, and the whole title stays in the archived page.
TITLE_MAX = 500
TITLE_CUT = "title_cut"  # the finding's rule


class Rejected(ValueError):
    """A fetched page is not a report the database may hold; the message says why."""


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
    """The checks an item must pass to become a report; Rejected says why it did not."""
    title = clean_text(parsed.metadata.title or page.list_title or "")
    if not title:
        raise Rejected(f"no title on {page.url}")
    if not parsed.is_report:
        raise Rejected(f"not an annual report: {title!r} ({page.url})")
    if parsed.metadata.year is None:
        raise Rejected(f"no report year in title or statistics period: {title!r} ({page.url})")
    if not page.body_name:
        raise Rejected(f"spider {page.spider} gave no body for {page.url}")
    if len(title) > TITLE_MAX:
        parsed.findings.append(
            Finding(
                rule=TITLE_CUT,
                severity="warning",
                detail=f"title of {len(title)} characters stored cut to its first {TITLE_MAX}; "
                "the whole title is in the archived page",
            )
        )
        title = title[:TITLE_MAX]
    return ParsedItem(page=page, parsed=parsed, title=title, year=parsed.metadata.year, content_hash=content_hash(page))


def read_page(page: ReportPage, limits: Limits = DEFAULT) -> ParsedItem:
    """ReportPage -> ParsedItem: the one way a fetched page is parsed and checked, shared by the
    parse pipeline and the dead-letter replay (Rejected when it is no report). `limits`: the
    bounds on each of its documents (crawler/settings.py parse_limits)."""
    parsed = parse_documents(source_documents(page), url=page.url, list_title=page.list_title, limits=limits)
    return validate(page, parsed)


def read_page_detached(page: ReportPage, limits: Limits = DEFAULT) -> ParsedItem:
    """`read_page` in a parse worker (crawler/parsepool.py): what it read, without the page's
    bytes, which the crawl process holds already (`attach` puts its page back)."""
    item = read_page(page, limits)
    item.page = replace(page, body=b"", attachments=[])
    # nor the report's text: the crawl stores none (pickling it back was ~60 KB a report)
    item.parsed = replace(item.parsed, text="")
    return item


def attach(item: ParsedItem, page: ReportPage) -> ParsedItem:
    item.page = page
    return item
