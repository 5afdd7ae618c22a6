"""Items a spider yields. Spiders find and fetch; they never parse statistics."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Attachment:
    """A file linked from a report page (.doc/.pdf/...), fetched by the spider."""

    url: str
    name: str | None = None  # from the link text, a filename= parameter or Content-Disposition
    media_type: str | None = None
    body: bytes | None = None  # None when the download failed (see error)
    status: int | None = None
    error: str | None = None
    sha256: str | None = None  # set by the archive pipeline
    storage_path: str | None = None


@dataclass
class ReportPage:
    """One annual report as fetched: its page (or file) plus its attachments.

    The body fields name the publishing body as the portal knows it; the parse pipeline may
    refine them from the report itself (a department's report on a district portal).
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
