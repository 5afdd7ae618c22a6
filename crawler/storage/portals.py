"""What the database says about each portal: its last crawl run and the reports it holds
(`govreports portals`), and the report columns its last crawls found (remembered between runs:
crawler/extensions/discovery.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from crawler.storage.models import CrawlRun, Report

DISCOVERY_STAT = "govreports/discovery"  # JSON of the spider's discovery record, kept in crawl_runs.stats


@dataclass
class PortalStatus:
    outcome: str | None  # ok | empty | failed | running; None: never crawled
    finished_at: datetime | None
    exit_reason: str | None
    reports: int  # reports the database holds from this spider
    platform: str | None  # as the last run detected or was told


def portal_status(engine: Engine) -> dict[str, PortalStatus]:
    """Per spider name: its last crawl run's outcome and its report count."""
    with Session(engine) as session:
        counts = dict(session.execute(select(Report.spider, func.count()).group_by(Report.spider)).all())
        last_ids = select(func.max(CrawlRun.id)).group_by(CrawlRun.spider)
        runs = session.scalars(select(CrawlRun).where(CrawlRun.id.in_(last_ids))).all()
        out = {
            run.spider: PortalStatus(
                run.outcome, run.finished_at, run.exit_reason, counts.get(run.spider, 0), _platform(run)
            )
            for run in runs
        }
        for spider, n in counts.items():
            out.setdefault(spider, PortalStatus(None, None, None, n, None))
        return out


def discovery_record(run: CrawlRun) -> dict[str, Any] | None:
    raw = (run.stats or {}).get(DISCOVERY_STAT)
    if not raw:
        return None
    try:
        record = json.loads(raw)
    except (TypeError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def _platform(run: CrawlRun) -> str | None:
    record = discovery_record(run)
    return record.get("platform") if record else None


def remembered_discovery(engine: Engine, spider: str) -> dict[str, Any] | None:
    """The discovery record of the spider's last finished run that found reports in its columns:
    the platform it detected and the columns that listed reports."""
    with Session(engine) as session:
        runs = session.scalars(
            select(CrawlRun)
            .where(CrawlRun.spider == spider, CrawlRun.finished_at.is_not(None))
            .order_by(CrawlRun.id.desc())
            .limit(10)
        ).all()
        for run in runs:
            record = discovery_record(run)
            if record and any(c.get("reports") for c in record.get("columns", [])):
                return record
    return None
