"""Incremental and resumable crawls: list pages are read every time, report pages (and their
attachments) only when they may have changed.

Spiders stay database-free: spiders/base.py tags every report-page request with REPORT_META
(canonical URL, the date the list shows). At spider open, IncrementalMiddleware loads what the
database holds for the spider (crawler.storage.store.held_reports) and decides each tagged request
(`decide`):

    not held, or held with a failed attachment          fetch
    -a refresh=1                                        fetch (everything)
    the list shows another date than the stored one     fetch
    the stored page had ETag / Last-Modified            conditional request; 304 -> skipped
    otherwise                                           skipped, no request at all
                                                        (a probe, a page that is its own list: fetched)

A skipped report counts as unchanged (stat govreports/reports_skipped, read by the run record's
summary) and is marked still seen: the middleware sends the signal `held_report_seen` with its
canonical URL, and the storage pipeline's next batch sets reports.last_seen.

Resuming: the database is the crawl's state. Every stored report was committed with its batch, so
a crawl killed at any moment (SIGTERM or SIGKILL) and started again re-reads the lists, skips what
it stored and fetches the rest. Scrapy's JOBDIR is deliberately not used: after SIGKILL its queue
is unusable and its dupefilter has already marked in-flight requests as seen (they would never be
fetched), and it does not keep the spiders' own dedupe sets (Hanweb's report titles), so a resumed
crawl could store other rows. The job directory (GOVREPORTS_JOB_DIR, `govreports crawl
--job-dir`) holds the dead letters (crawler/storage/deadletter.py) and one run marker per spider: an
interrupted refresh crawl resumed with the same job directory stays a refresh and skips the reports
it already stored since it started.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from crawler.items import CONDITIONAL, REPORT_META
from crawler.storage.store import HeldReport, held_reports, utcnow

log = logging.getLogger(__name__)


FETCH, CONDITIONAL_FETCH, SKIP = "fetch", "conditional", "skip"


class ReportHeld(IgnoreRequest):
    """The database already holds this report as the portal shows it: not fetched again."""


def decide(
    held: HeldReport | None, list_date: str | None, *, refresh: bool = False, refreshed_since: datetime | None = None
) -> str:
    """FETCH, CONDITIONAL_FETCH or SKIP for a report page the list shows with `list_date`."""
    if held is None or not held.complete:
        return FETCH
    if refresh:  # a resumed refresh skips what it stored before it was interrupted
        return SKIP if refreshed_since is not None and held.last_seen >= refreshed_since else FETCH
    if list_date is not None and list_date != held.list_date:  # a list without dates is no evidence
        return FETCH
    if held.etag or held.last_modified:
        return CONDITIONAL_FETCH
    return SKIP


def is_true(value: Any) -> bool:
    return str(value or "").strip().lower() in ("1", "true", "yes", "on")


# Custom signal (crawler.signals.send_catch_log): a report skipped as held, still listed by the
# portal; canonical_url: its canonical URL (the storage pipeline marks it seen).
held_report_seen = object()


class RunMarker:
    """<job dir>/<spider>.run.json, written when a crawl starts and removed when it finishes.
    Found at the start of a crawl, it says the previous crawl was interrupted."""

    def __init__(self, job_dir: str | Path, spider: str) -> None:
        self.path = Path(job_dir) / f"{spider}.run.json"

    def read(self) -> dict | None:
        try:
            return json.loads(self.path.read_text("utf-8"))
        except FileNotFoundError:
            return None
        except ValueError:  # torn by a kill while writing: as if absent
            return None

    def start(self, refresh: bool) -> tuple[dict, bool]:
        """The marker of this run and whether it resumes an interrupted one (whose start and
        refresh mode it keeps, so a refresh stays a refresh across restarts)."""
        previous = self.read()
        if previous is not None and refresh and not previous.get("refresh"):
            previous = None  # a refresh after an interrupted plain crawl starts afresh
        marker = previous or {"started_at": utcnow().isoformat(), "refresh": refresh}
        marker["pid"] = os.getpid()  # the process running it now (to find or stop it)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(marker), "utf-8")
        os.replace(tmp, self.path)  # never a half-written marker
        return marker, previous is not None

    def finish(self) -> None:
        self.path.unlink(missing_ok=True)


def load_held(database_url: str, spider: str) -> dict[str, HeldReport]:
    """The held index, or {} when the database cannot be read (then everything is fetched)."""
    from sqlalchemy.engine import make_url

    from crawler.storage.db import make_engine

    parsed = make_url(database_url)
    if (
        parsed.get_backend_name() == "sqlite"
        and parsed.database not in (None, "", ":memory:")
        and not Path(parsed.database).exists()
    ):
        return {}  # nothing held yet; reading must not create the database (the storage does that)
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            return held_reports(session, spider)
    except SQLAlchemyError as exc:
        log.warning("%s: cannot read the reports held (%s): fetching every report", spider, exc)
        return {}
    finally:
        engine.dispose()


class IncrementalMiddleware:
    """Registered at 840, just before DownloaderStats (850): a skipped request is never counted as
    a request, and a 304 is counted as a response but no other middleware sees it."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.held: dict[str, HeldReport] = {}
        self.refresh = False
        self.refreshed_since: datetime | None = None
        self.marker: RunMarker | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalMiddleware:
        return cls(crawler)

    def spider_opened(self, spider: Any) -> None:
        settings = self.crawler.settings
        self.refresh = is_true(getattr(spider, "refresh", None))
        if settings.get("GOVREPORTS_JOB_DIR"):
            self.marker = RunMarker(settings.get("GOVREPORTS_JOB_DIR"), spider.name)
            marker, resumed = self.marker.start(self.refresh)
            self.refresh = marker["refresh"]
            if resumed:
                log.info(
                    "%s: resuming the crawl started at %s%s",
                    spider.name,
                    marker["started_at"],
                    " (refresh)" if self.refresh else "",
                )
                if self.refresh:
                    self.refreshed_since = datetime.fromisoformat(marker["started_at"])
        # pipelines open before spider_opened: dead letters replayed at open are in this index
        self.held = load_held(settings.get("GOVREPORTS_DATABASE_URL"), spider.name)
        log.info(
            "%s: %d reports held%s", spider.name, len(self.held), "; refresh: fetching them all" if self.refresh else ""
        )

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.marker is not None and reason == "finished":
            self.marker.finish()

    def process_request(self, request: Request) -> None:
        report = request.meta.get(REPORT_META)
        if report is None:
            return None
        held = self.held.get(report["canonical_url"])
        action = decide(held, report.get("list_date"), refresh=self.refresh, refreshed_since=self.refreshed_since)
        if action == SKIP and report.get("probe"):
            # a page that is its own list (a year of Hanweb's xxgk module): only its answer says
            # it is still there, so it is asked (conditionally where the page had validators)
            action = FETCH
        if action == SKIP:
            self.skipped(request, "held")
        if action == CONDITIONAL_FETCH:
            assert held is not None
            if held.etag:
                request.headers["If-None-Match"] = held.etag
            if held.last_modified:
                request.headers["If-Modified-Since"] = held.last_modified
            request.meta[CONDITIONAL] = True
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status == 304 and request.meta.get(CONDITIONAL):
            self.crawler.stats.inc_value("govreports/reports_not_modified")
            self.skipped(request, "304 Not Modified")
        return response

    def skipped(self, request: Request, why: str) -> None:
        self.crawler.stats.inc_value("govreports/reports_skipped")
        self.crawler.signals.send_catch_log(held_report_seen, canonical_url=request.meta[REPORT_META]["canonical_url"])
        hook = getattr(self.crawler.spider, "report_held", None)
        if hook is not None:  # e.g. Hanweb remembers the title to drop the xxgk module's copy
            hook(request)
        raise ReportHeld(f"{why}: {request.url}")
