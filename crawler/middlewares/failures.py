"""Crawling the real web: transient errors are retried with exponential backoff, and every
request that still fails is recorded once as a crawl failure (crawler.extensions.runrecord).

Where a permanent failure surfaces in Scrapy 2.19, and who records it:

- an HTTP error status, a timeout, a reset connection, a DNS error, a truncated body (data loss),
  a body over DOWNLOAD_MAXSIZE: FailureRecorder, a downloader middleware just on the engine side
  of BackoffRetryMiddleware, so it sees only what retries could not mend. A status the request
  or spider says it handles (`handle_httpstatus_list`, HTTPERROR_ALLOWED_CODES) is an answer, not
  a failure; IgnoreRequest (offsite, robots.txt) is a decision, not a failure;
- an HTML error page sent with status 200 (a "soft 404"): FailureRecorder too, which then drops
  the response, so an error page is never stored as a report nor overwrites one;
- a body that decompresses past DOWNLOAD_MAXSIZE (a gzip bomb): HttpCompressionMiddleware raises
  IgnoreRequest inside its own process_response, so RecordingHttpCompressionMiddleware records it;
- a redirect loop: RedirectMiddleware raises IgnoreRequest inside its own process_response, which
  no other middleware sees, so the recording subclasses below replace Scrapy's; a loop back to a
  URL already crawled is dropped by the dupefilter instead and recorded from `request_dropped`.

Spider errbacks (e.g. spiders/base.py `_on_attachment_failure`) and HttpErrorMiddleware see the
same failures afterwards: they must not record them again. The kind is "http_status" or
"download", or the request's FAILURE_KIND meta ("attachment" for attachment downloads); the
reason is also left in the request's FAILURE_REASON meta for errbacks to show.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.http.request import NO_CALLBACK
from scrapy.settings import BaseSettings
from scrapy.utils.asyncio import sleep
from scrapy.utils.response import response_status_message

from crawler.extensions.runrecord import record_failure
from crawler.items import FAILURE_KIND, FAILURE_REASON

logger = logging.getLogger(__name__)


# Error pages sent with status 200 are small and say so in their title or first heading.
ERROR_PAGE_MAX_BYTES = 64 * 1024
ERROR_PAGE_TITLE = re.compile(
    r"页面不存在|页面未找到|找不到|不存在或已|已被删除|系统繁忙|系统提示|系统错误|出错了|访问出错|服务器错误"
    r"|网站维护|维护中|访问受限|禁止访问|拦截|(?<!\d)(400|403|404|500|502|503)(?!\d)|not found|error",
    re.I,
)


def backoff_delay(retry: int, base: float, cap: float) -> float:
    """Seconds to wait before retry number `retry` (1, 2, …): base, 2·base, 4·base …, at most cap."""
    return min(base * 2 ** (retry - 1), cap)


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's RetryMiddleware (RETRY_TIMES, RETRY_HTTP_CODES, RETRY_EXCEPTIONS), waiting before
    each retry: a struggling government server gets time to recover instead of a burst.

    The wait is an asyncio sleep inside the middleware: it holds neither the reactor nor the
    portal's download slot, so other requests go on meanwhile."""

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.base = settings.getfloat("GOVREPORTS_RETRY_BACKOFF", 2.0)
        self.cap = settings.getfloat("GOVREPORTS_RETRY_BACKOFF_MAX", 60.0)

    # Scrapy 2.19 awaits coroutine middleware methods and passes no spider; its own annotations
    # still describe the synchronous form with a spider argument.
    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        return await self._after_backoff(super().process_response(request, response))

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception
    ) -> Request | Response | None:
        return await self._after_backoff(super().process_exception(request, exception))

    async def _after_backoff(self, result: Any) -> Any:
        if isinstance(result, Request):  # a retry: Scrapy has counted it in meta["retry_times"]
            retry = result.meta["retry_times"]
            delay = backoff_delay(retry, self.base, self.cap)
            logger.info("retry %d of %s in %g s", retry, result.url, delay)
            await sleep(delay)
        return result


class FailureRecorder:
    """Records each request that failed for good (see the module docstring)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.allow_all = settings.getbool("HTTPERROR_ALLOW_ALL")
        self.allowed = {int(c) for c in settings.getlist("HTTPERROR_ALLOWED_CODES")}
        self.maxsize = settings.getint("DOWNLOAD_MAXSIZE")
        crawler.signals.connect(self.request_dropped, signal=signals.request_dropped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FailureRecorder:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if request.callback is NO_CALLBACK or self.handles_errors(request, response.status):
            return response  # robots.txt, or a callback that reads error answers itself
        if response.status == 304:
            return response  # Not Modified answers a conditional request: no failure
        if not 200 <= response.status < 300:
            record(
                self.crawler,
                request,
                "http_status",
                with_retries(request, f"HTTP {response_status_message(response.status)}"),
            )
            return response  # HttpErrorMiddleware drops it (or hands it to the errback)
        title = error_page_title(response)
        if title is not None:
            record(self.crawler, request, "http_status", f"error page served with HTTP 200: {title}")
            raise IgnoreRequest(f"error page served with HTTP 200: {title}")
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        if request.callback is NO_CALLBACK or isinstance(exception, IgnoreRequest):
            return
        reason = describe(exception)
        if isinstance(exception, DownloadCancelledError) and not str(exception):
            # a body that outgrew the limit while streaming: Scrapy says so in its log only
            limit = request.meta.get("download_maxsize", self.maxsize)
            reason = f"DownloadCancelledError: received more bytes than download max size ({limit})"
        record(self.crawler, request, "download", with_retries(request, reason))

    def request_dropped(self, request: Request, spider: Any) -> None:
        """A redirect back to a URL of its own chain, dropped by the dupefilter: a loop."""
        chain = request.meta.get("redirect_urls") or []
        if request.url in chain:
            reason = f"redirect loop: {' -> '.join([*chain, request.url])}"
            record(self.crawler, request, "download", reason, url=chain[0])

    def handles_errors(self, request: Request, status: int) -> bool:
        """Whether the request's callback gets this status (HttpErrorMiddleware's rule)."""
        meta = request.meta
        if meta.get("handle_httpstatus_all"):
            return True
        if "handle_httpstatus_list" in meta:
            return status in meta["handle_httpstatus_list"]
        spider_list = getattr(self.crawler.spider, "handle_httpstatus_list", None)
        return self.allow_all or status in (spider_list if spider_list is not None else self.allowed)


class _RecordsGivingUp:
    """Records the IgnoreRequest a redirect middleware raises when it gives up (a loop)."""

    crawler: Crawler

    def process_response(self, request: Request, response: Response) -> Request | Response:
        try:
            return super().process_response(request, response)  # type: ignore[misc]
        except IgnoreRequest as exc:
            chain = [*request.meta.get("redirect_urls", []), request.url]
            reason = f"redirect loop: {exc}, {len(chain) - 1} redirects followed from {chain[0]} to {chain[-1]}"
            record(self.crawler, request, "download", reason, url=chain[0])  # the URL the crawl asked for
            raise


# (type: ignore[misc]: Scrapy's annotations keep the deprecated spider argument that 2.19 no longer passes)
class RecordingRedirectMiddleware(_RecordsGivingUp, RedirectMiddleware):  # type: ignore[misc]
    pass


class RecordingHttpCompressionMiddleware(HttpCompressionMiddleware):
    """Scrapy's decompression, which stops a body that decompresses past DOWNLOAD_MAXSIZE (a gzip
    bomb) by raising IgnoreRequest inside its own process_response: no other middleware sees
    that, and a request without an errback then vanishes without a word. Recorded here, as a
    download failure of the request (an attachment's under its own kind)."""

    crawler: Crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RecordingHttpCompressionMiddleware:
        mw = super().from_crawler(crawler)
        mw.crawler = crawler
        return mw

    # (type: ignore[override]: Scrapy's annotations keep the spider argument that 2.19 no longer passes)
    def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        try:
            return super().process_response(request, response)
        except IgnoreRequest as exc:
            cause = exc.__cause__
            if cause is None or not hasattr(cause, "decompressed_size"):
                raise
            limit = request.meta.get("download_maxsize", self._max_size)
            reason = (
                f"decompression bomb: {len(response.body)} bytes compressed, more than {cause.decompressed_size} "
                f"bytes decompressed, past the download max size ({limit}); stopped"
            )
            record(self.crawler, request, "download", reason)
            raise IgnoreRequest(reason) from cause


class RecordingMetaRefreshMiddleware(_RecordsGivingUp, MetaRefreshMiddleware):  # type: ignore[misc]
    pass


def record(crawler: Crawler, request: Request, kind: str, reason: str, url: str | None = None) -> None:
    """record_failure under the request's own kind if it has one; errbacks find the reason in meta."""
    request.meta[FAILURE_REASON] = reason
    record_failure(crawler, url or request.url, request.meta.get(FAILURE_KIND, kind), reason)


def with_retries(request: Request, reason: str) -> str:
    retries = request.meta.get("retry_times", 0)
    return f"{reason} (after {retries} {'retry' if retries == 1 else 'retries'})" if retries else reason


def describe(exception: Exception) -> str:
    """ExceptionName: message, with the Twisted reasons Scrapy wraps spelled out."""
    reasons = getattr(exception.__cause__, "reasons", None)
    if reasons:  # DownloadFailedError from a ResponseFailed: a list of Twisted failures
        message = "; ".join(f"{type(r.value).__name__}: {r.value}" for r in reasons)
    else:
        message = str(exception) or type(exception).__doc__ or ""
    return f"{type(exception).__name__}: {message.strip()}"


def error_page_title(response: Response) -> str | None:
    """The title of a small HTML page that says it is an error page, else None."""
    if not isinstance(response, TextResponse) or len(response.body) > ERROR_PAGE_MAX_BYTES:
        return None
    if b"html" not in (response.headers.get("Content-Type", b"text/html") or b"").lower():
        return None
    # the <title> and the first <h1> only: a report's own headings may hold any number
    for css in ("title", "h1"):
        text = " ".join(t.strip() for t in response.css(f"{css}:first-of-type ::text").getall() if t.strip())
        if text and len(text) <= 60 and ERROR_PAGE_TITLE.search(text):
            return text
    return None
