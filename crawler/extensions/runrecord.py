"""Failures of a crawl run, collected from any component (pipelines, middlewares, spiders) and
written to crawl_failures by the storage pipeline with its next batch."""

from __future__ import annotations

import logging
from typing import Any

from crawler.items import Failure

log = logging.getLogger(__name__)


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


def exit_reason(stats: dict[str, Any]) -> str | None:
    """Why a crawl must exit non-zero, or None. The storage pipeline judges the outcome (empty,
    failed …) and says why; a crawl that nothing judged (pipelines disabled) fails only when it
    did not finish."""
    outcome = stats.get("govreports/outcome")
    if outcome == "ok":
        return None
    if outcome is None:
        finish = stats.get("finish_reason")
        return None if finish == "finished" else f"crawl ended with {finish}"
    return stats.get("govreports/exit_reason") or f"crawl {outcome}"
