"""A portal whose registry entry names no platform: the crawl tells it from the pages.

The spider starts as this class, on the platform its last run detected (remembered,
crawler/extensions/discovery.py), else from the home page: discovery fetches it and the pages
on the way to the first report column, and before that column is read the platform is settled
from their fingerprints (spiders/discovery.py). The spider then becomes an instance of that
platform's spider class for this portal; "generic" when no base's fingerprints are strong enough.
The detection, with its evidence, is part of the run's discovery record (crawl_runs.stats).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from scrapy.http import Response

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

    def before_column_page(self, response: Response) -> None:
        detection = detect(self.discovery.pages)
        self.discovery.detection = detection
        self.logger.info(
            "%s: detected platform %s (%s)", self.name, detection.platform, "; ".join(detection.evidence[:5]) or "-"
        )
        self.become(detection.platform)

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
