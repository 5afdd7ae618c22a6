"""Only the portal's own hosts are ever requested (downloader middleware).

Spiders pick links by what they look like (a report title, an attachment's extension), and a
portal's pages link, redirect and embed other sites freely: a report page redirecting to another
host, an attachment on someone else's server, a list record pointing at another government's
site. None of those may be fetched, stored as the portal's report or counted as its attachment.

Every request of the crawl passes `process_request` here, before robots.txt is asked
(RobotsTxtMiddleware, 100) and whatever `dont_filter` says: the requests spiders yield, the
attachment downloads, and the requests RedirectMiddleware and MetaRefreshMiddleware make from a
Location header or a meta refresh, which the engine schedules as new requests. A request to
another host is refused with IgnoreRequest before any connection is made, and recorded as a
failure of kind `offsite` with the refused URL (and, for a redirect, the URL that redirected);
the request's errback still runs, so an attachment refused this way is stored as not fetched
with that reason and its report is kept.

The portal's hosts (spiders/base.py `is_site_host`): its home host with and without `www.`, the
registry entry's `site_hosts` (a leading dot: the domain and its sub-hosts) and `host_aliases`.
When the crawl runs against a mirror (`base_url` other than the portal's own), the mirror's host
*and port* alone: links to the portal's hosts are rewritten to it (`site_url`), and another
server on 127.0.0.1 is another host.

Scrapy's own OffsiteMiddleware (allowed_domains, no ports, filtered silently at scheduling, so an
errback never runs) is replaced by this one.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest

from crawler.extensions.runrecord import record_failure
from crawler.items import FAILURE_REASON

logger = logging.getLogger(__name__)

OFFSITE = "offsite"  # the failure kind


class OffsiteRefused(IgnoreRequest):
    """A request to a host that is not the portal's."""


class PortalHostsOnly:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PortalHostsOnly:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        spider = self.crawler.spider
        if spider is None or getattr(spider, "base_url", None) is None:
            return  # not a portal spider (tests' own spiders): nothing to hold it to
        if is_portal_url(spider, request.url):
            return
        chain = request.meta.get("redirect_urls") or []
        host = urlsplit(request.url).netloc or request.url
        if chain:
            reason = f"off-site redirect refused: {chain[-1]} redirected to {host}, not a host of the portal"
        else:
            reason = f"off-site request refused: {host} is not a host of the portal"
        self.crawler.stats.inc_value("govreports/offsite_refused")
        request.meta[FAILURE_REASON] = reason  # an attachment's errback notes it
        record_failure(self.crawler, request.url, OFFSITE, reason)
        raise OffsiteRefused(reason)


def is_portal_url(spider: Any, url: str) -> bool:
    """Whether `url` is on one of the portal's hosts (see the module docstring)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return False  # file:, ftp:, data: … are no pages of a portal
    base = urlsplit(spider.base_url)
    if _netloc(parts) == _netloc(base):
        return True
    if getattr(spider, "on_mirror", False):
        return False  # a mirror crawl talks to the mirror only
    host = parts.hostname or ""
    return host == base.hostname or spider.is_site_host(host)


def _netloc(parts: Any) -> tuple[str, int | None]:
    default = {"http": 80, "https": 443}.get(parts.scheme)
    try:
        port = parts.port or default
    except ValueError:
        port = None
    return (parts.hostname or "", port)
