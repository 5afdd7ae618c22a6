"""A portal whose registry entry names no platform: the crawl tells it from the pages.

The spider starts as this class, on the platform its last run detected (remembered,
crawler/extensions/discovery.py), else from the home page: discovery fetches it and the pages
on the way to the first report column, and before that column is read the platform is settled
from their fingerprints (spiders/discovery.py). The spider then becomes an instance of that
platform's spider class for this portal; "generic" when no base's fingerprints are strong enough.
A column page that settles nothing — no platform's fingerprints are strong enough and it lists no
report itself (a parent of sub-columns, a list its script loads) — is held back: the next column
page decides, with more pages seen, and the held pages are then read by the platform found; when
the crawl runs out of requests first, they are read as generic lists.
The detection, with its evidence, is part of the run's discovery record (crawl_runs.stats).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

from scrapy import Request
from scrapy.http import Response, TextResponse

from crawler.items import REPORT_META
from crawler.middlewares.columns import COLUMN
from spiders.base import GovReportSpider
from spiders.discovery import Detection, detect


class DetectingSpider(GovReportSpider):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._init_args = (args, kwargs)

    def remember(self, record: dict[str, Any] | None) -> None:
        """Called with the last run's discovery record before the crawl starts."""
        self.remembered = record
        platform = (record or {}).get("platform")
        if platform:
            self.logger.info("%s: platform %s, as detected by the last run", self.name, platform)
            self.discovery.detection = Detection(platform, evidence=["remembered from the last run"])
            self.become(platform)

    # while the platform is open, a column page listing no report is a list of sub-lists
    static_lists = True

    def read_column(self, response: Response) -> Iterator[Any]:
        """Settle the platform before the first column page is read (see the module's doc)."""
        held = self.__dict__.setdefault("_held_columns", [])
        pages = [*self.discovery.pages]
        if isinstance(response, TextResponse) and (response.url, response.text) not in pages:
            pages.append((response.url, response.text))
        detection = detect(pages)
        listless = isinstance(response, TextResponse) and not self.has_report_links(response)
        if detection.platform == "generic" and listless:
            self.logger.info(
                "%s: platform not settled at %s (%s): read later", self.name, response.url, detection.evidence[0]
            )
            held.append(response)
            return
        self.settle(detection)
        self.__dict__.pop("_held_columns", None)
        yield from self.read_column(response)  # the platform's, now
        read_held(self, held)

    def settle(self, detection: Detection) -> None:
        self.discovery.detection = detection
        self.logger.info(
            "%s: detected platform %s (%s)", self.name, detection.platform, "; ".join(detection.evidence[:5]) or "-"
        )
        self.become(detection.platform)

    def on_idle(self) -> bool:
        """Column pages held back and nothing left to decide by: read them on what the pages show."""
        held = self.__dict__.pop("_held_columns", [])
        if not held:
            return super().on_idle()
        self.settle(detect(self.discovery.pages))
        read_held(self, held)
        return True

    def become(self, platform: str) -> None:
        """Turn into this portal's spider on `platform`, keeping the crawl's state."""
        from crawler.registry import Portal, spider_class_for

        portal = getattr(self, "portal", None) or Portal(
            self.name, self.home_url, self.body_name, self.body_level, self.region_code, self.parent_body
        )
        cls = spider_class_for(dataclasses.replace(portal, platform=platform))
        state = self.__dict__.copy()
        self.__class__ = cls
        args, kwargs = self._init_args
        # the platform's own state (seen sets …); a class swapped at run time is beyond mypy
        cls.__init__(self, *args, **kwargs)  # type: ignore[misc]
        for key in ("discovery", "remembered", "crawler", "settings", "_init_args"):
            if key in state:
                self.__dict__[key] = state[key]
        self.discovery.platform = platform


def read_held(spider: GovReportSpider, held: list[Response]) -> None:
    """Read column pages held back, on the platform now settled; what they yield is scheduled
    here, counted for their own column as the column tracker would (crawler/middlewares/columns.py)."""
    for response in held:
        key = response.meta.get(COLUMN)
        for out in spider.read_column(response):
            if not isinstance(out, Request):
                continue
            if key and REPORT_META in out.meta:
                spider.column_listed_report(key, (out.cb_kwargs.get("listing") or {}).get("list_title"))
            elif key:
                out.meta.setdefault(COLUMN, key)
            spider.crawler.engine.crawl(out)
