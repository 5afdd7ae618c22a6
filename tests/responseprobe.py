"""Test extension (tests/test_release_response.py): for every item scraped, whether its
response still held the parsel tree and the decoded text once the item was through the pipelines,
and for every response, whether it reached the engine with its text decoded.
Writes {"items": {url: [tree held, text held]}, "arrived_decoded": [url, …]} to the file named
by the RESPONSE_PROBE setting."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scrapy import signals


class ResponseProbe:
    def __init__(self, crawler: Any) -> None:
        self.path = Path(crawler.settings.get("RESPONSE_PROBE"))
        self.seen: dict[str, list[bool]] = {}
        self.decoded: list[str] = []
        crawler.signals.connect(self.scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.received, signal=signals.response_received)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> ResponseProbe:
        return cls(crawler)

    def scraped(self, item: Any, response: Any, spider: Any) -> None:
        self.seen[response.url] = [
            getattr(response, "_cached_selector", None) is not None,
            getattr(response, "_cached_ubody", None) is not None,
        ]

    def received(self, response: Any, request: Any, spider: Any) -> None:
        if getattr(response, "_cached_ubody", None) is not None:
            self.decoded.append(response.url)

    def closed(self, spider: Any) -> None:
        self.path.write_text(json.dumps({"items": self.seen, "arrived_decoded": self.decoded}))
