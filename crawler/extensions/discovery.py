"""Discovered report columns remembered between runs. Spiders never touch the database: at
spider open this extension reads the spider's last discovery record from crawl_runs (written there
with the run's stats, spiders/base.py DISCOVERY_STAT) and hands it to the spider, which reads the
columns that listed reports (and, for a portal without a platform, the platform detected) instead
of discovering them again. A remembered column that fails or lists nothing sends the spider back
to discovery."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from scrapy import signals
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)


def load_record(database_url: str, spider: str) -> dict[str, Any] | None:
    """The spider's last discovery record that found reports, or None (also when the database
    does not exist yet or cannot be read: then the spider discovers)."""
    from crawler.storage.db import make_engine
    from crawler.storage.portals import remembered_discovery

    parsed = make_url(database_url)
    if (
        parsed.get_backend_name() == "sqlite"
        and parsed.database not in (None, "", ":memory:")
        and not Path(parsed.database).exists()
    ):
        return None  # reading must not create the database
    engine = make_engine(database_url)
    try:
        return remembered_discovery(engine, spider)
    except SQLAlchemyError as exc:
        log.warning("%s: cannot read the remembered report columns (%s): discovering them", spider, exc)
        return None
    finally:
        engine.dispose()


class DiscoveryMemory:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)

    @classmethod
    def from_crawler(cls, crawler: Any) -> DiscoveryMemory:
        return cls(crawler)

    def spider_opened(self, spider: Any) -> None:
        if not hasattr(spider, "remembered"):
            return  # not a portal spider
        url = self.crawler.settings.get("GOVREPORTS_DATABASE_URL")
        record = load_record(url, spider.name) if url else None
        if getattr(spider, "refresh", None) in ("1", "true", "yes"):
            record = None  # a refresh crawl also finds the columns again
        if hasattr(spider, "remember"):
            spider.remember(record)
        else:
            spider.remembered = record
