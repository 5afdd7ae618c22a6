"""Failures of a crawl run, collected from any component (pipelines, middlewares, spiders) and
written to crawl_failures by the storage pipeline with its next batch."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

log = logging.getLogger(__name__)


@dataclass
class Failure:
    url: str | None
    kind: str  # rejected_item | download | http_status | attachment | blocked | …
    reason: str
    at: datetime = field(default_factory=lambda: datetime.now(UTC).replace(tzinfo=None))


def pending_failures(crawler: Any) -> list[Failure]:
    """The failures recorded and not yet written (kept on the crawler object: one list per crawl)."""
    return crawler.__dict__.setdefault("_govreports_failures", [])


def record_failure(crawler: Any, url: str | None, kind: str, reason: str) -> None:
    crawler.stats.inc_value(f"govreports/failures/{kind}")
    log.warning("%s failure %s: %s", kind, url, reason)
    pending_failures(crawler).append(Failure(url, kind, reason))


def take_failures(crawler: Any) -> list[Failure]:
    failures = pending_failures(crawler)
    taken = list(failures)
    failures.clear()
    return taken
