"""End-to-end crawl helper for tests: a real `scrapy crawl` through the real engine and
pipelines, in a subprocess (Twisted's reactor cannot restart inside one test process), into a
temporary SQLite database; then plain reads of what was stored."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from crawler.storage.models import (
    Body,
    CrawlFailure,
    CrawlRun,
    Document,
    Report,
    ReportMetric,
    ReportVersion,
    ValidationFinding,
)

REPO = Path(__file__).resolve().parent.parent
CRAWL_TIMEOUT = 180  # seconds; a mirror crawl takes a few


@dataclass
class CrawlResult:
    returncode: int
    log: str
    database_url: str

    def _session(self) -> Session:
        return Session(create_engine(self.database_url))

    def reports(self) -> list[dict]:
        """Every stored report, sorted by (body, year, title)."""
        with self._session() as s:
            rows = s.scalars(select(Report).join(Body).order_by(Body.name, Report.report_year, Report.title)).all()
            return [
                {
                    "body": r.body.name,
                    "body_level": r.body.level,
                    "parent": r.body.parent.name if r.body.parent else None,
                    "year": r.report_year,
                    "title": r.title,
                    "published_at": r.published_at.isoformat() if r.published_at else None,
                    "published_precision": r.published_precision,
                    "url": r.url,
                    "canonical_url": r.canonical_url,
                    "template": r.template,
                    "source": r.source,
                    "attachments": sorted((d.name or d.url) for d in r.documents if d.role == "attachment"),
                }
                for r in rows
            ]

    def metrics(self, title: str) -> dict[tuple, object]:
        """(code, scope, applicant) -> value of one report's statistics ('' dims as None)."""
        with self._session() as s:
            rows = s.execute(
                select(ReportMetric.metric_code, ReportMetric.scope, ReportMetric.applicant, ReportMetric.value)
                .join(Report)
                .where(Report.title == title)
            ).all()
            return {(c, sc or None, ap or None): v for c, sc, ap, v in rows if c is not None}

    def findings(self, title: str) -> list[tuple[str, str]]:
        with self._session() as s:
            return [
                (r.rule, r.detail)
                for r in s.execute(
                    select(ValidationFinding.rule, ValidationFinding.detail).join(Report).where(Report.title == title)
                ).all()
            ]

    def counts(self) -> dict[str, int]:
        with self._session() as s:
            return {
                m.__tablename__: s.scalar(select(func.count()).select_from(m)) or 0
                for m in (
                    Body,
                    Report,
                    ReportVersion,
                    Document,
                    ReportMetric,
                    ValidationFinding,
                    CrawlRun,
                    CrawlFailure,
                )
            }

    def runs(self) -> list[CrawlRun]:
        with self._session() as s:
            return list(s.scalars(select(CrawlRun).order_by(CrawlRun.id)))

    def failures(self) -> list[tuple[str, str | None, str]]:
        with self._session() as s:
            return [(f.kind, f.url, f.reason) for f in s.scalars(select(CrawlFailure).order_by(CrawlFailure.id))]


def run_crawl(
    spider: str,
    base_url: str,
    tmp_path: Path,
    *,
    settings: dict[str, str] | None = None,
    args: dict[str, str] | None = None,
    env: dict[str, str] | None = None,
    prefix: list[str] | None = None,
) -> CrawlResult:
    """`scrapy crawl SPIDER -a base_url=…` into tmp_path/govreports.db; call twice with the same
    tmp_path to re-crawl into the same database. `env`: GOVREPORTS_* variables for this crawl
    (the test's own environment never leaks in). `prefix`: a command the crawl runs under
    (tests/fulldisk.py: a full filesystem)."""
    database_url = f"sqlite:///{tmp_path}/govreports.db"
    options = {
        "GOVREPORTS_DATABASE_URL": database_url,
        "GOVREPORTS_ARCHIVE_DIR": str(tmp_path / "archive"),
        "GOVREPORTS_DEADLETTER_DIR": str(tmp_path / "deadletter"),  # never the checkout's data/
        "DOWNLOAD_DELAY": "0",
        "AUTOTHROTTLE_ENABLED": "0",
        "LOG_LEVEL": "INFO",
        **(settings or {}),
    }
    cmd = [*(prefix or []), sys.executable, "-m", "scrapy", "crawl", spider, "-a", f"base_url={base_url}"]
    for key, value in (args or {}).items():
        cmd += ["-a", f"{key}={value}"]
    for key, value in options.items():
        cmd += ["-s", f"{key}={value}"]
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("GOVREPORTS_")}, **(env or {})}
    done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=CRAWL_TIMEOUT)
    return CrawlResult(done.returncode, done.stdout + done.stderr, database_url)
