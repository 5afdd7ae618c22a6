"""Any CMS none of the bases knows: its lists read generically (spiders/lists.py), found by
discovery from the home page or named by the `list_urls` option."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from scrapy.http import Response

from spiders.base import GovReportSpider


class GenericSpider(GovReportSpider):
    platform_name = "generic"
    static_lists = True
    options = {"list_urls": "list"}
    # List pages to read first (paths or URLs); discovery finds them when absent.
    list_urls: tuple[str, ...] = ()

    async def hinted_requests(self) -> AsyncIterator[Any]:
        for url in self.list_urls:
            yield self.generic_list_request(self.site_url(url))

    def column_page(self, response: Response) -> Iterator[Any]:
        yield from self.parse_generic_list(response, root=response.url)

    def parse_list(self, response: Response, root: str | None = None) -> Iterator[Any]:
        yield from self.parse_generic_list(response, root)
