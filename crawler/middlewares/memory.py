"""Spider middleware: a response's parsed tree and decoded text are let go once its callback hands
over an item.

A spider reads a report page with `response.css` (its parsel tree, ~0.5 MB for a 70 KB page of
Word-pasted markup, and the page decoded to text, cached on the response); the item it yields
then waits for the parse workers and the storage batch, and Scrapy keeps the response alive until
the item is through every pipeline. When downloads outrun parsing (throttling off, or a portal
that answers faster than its reports are read), hundreds of responses wait like this, each with
its tree: in a crawl of 1,920 reports those trees were half the process's peak memory. The
item holds what the pipelines need (the body bytes); the tree and the text are caches Scrapy
rebuilds if anything asks for them again.

A downloader middleware (ReleaseDecodedText) does the same for every response on its way to
the engine: Scrapy's MetaRefreshMiddleware reads `response.text` of every HTML page, so each
response waiting in the scraper's queue for its callback held its page decoded (~110 KB for a
70 KB page of Chinese text, twice the bytes) besides the bytes; the callback decodes it again,
in well under a millisecond.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from scrapy import Request
from scrapy.http import Response, TextResponse


def release(response: Response | None) -> None:
    """Drop the caches `response.css`/`response.text` filled (they are rebuilt on demand)."""
    if isinstance(response, TextResponse):
        response._cached_selector = None
        response._cached_ubody = None


class ReleaseParsedResponse:
    """Registered closest to the engine (order 10), so every other middleware has seen the item."""

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        for item in result:
            if not isinstance(item, Request):
                release(response)
            yield item

    async def process_spider_output_async(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for item in result:
            if not isinstance(item, Request):
                release(response)
            yield item


class ReleaseDecodedText:
    """Downloader middleware at order 10: its process_response runs last, after every other
    middleware has read what it needed (meta refresh, failure titles, the charset check)."""

    def process_response(self, request: Request, response: Response) -> Response:
        release(response)
        return response
