"""Dead letters: batches the database refused (unreachable at open, a failed transaction), kept
as files and re-applied by the next run of the same spider against the same database.

One JSON file per batch, `<dir>/<spider>-<UTC time>-<pid>-<n>.json`, written atomically. It holds
what is needed to write the batch again, and no bodies: the archive pipeline has already stored
every raw body by sha256, so an item is its ReportPage fields with each body replaced by its
sha256. Replaying rebuilds the page from the archive and parses it with the crawl's own functions
(crawler.items.read_page) — a dead letter stays small and readable, survives code changes that would break
a pickle, and is re-applied with the current parser, as `govreports reparse` would. The failures
recorded with the batch and the skipped reports to mark seen travel with it.

The directory is GOVREPORTS_DEADLETTER_DIR (default data/deadletter), or <job dir>/deadletter when
GOVREPORTS_JOB_DIR is set. A letter names its database (its URL, password hidden, or
GOVREPORTS_DATABASE_ID when set) and is replayed only into that one: the demo's letters never end up
in the main database, and a worker that reached the database through another URL than the next one
(crawler/distributed/tasks.py names it by the PostgreSQL cluster and database) still hands its
letters over.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import logging
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from crawler.items import Attachment, Failure, Rejected, ReportPage, read_page
from crawler.parsing.limits import DEFAULT, Limits
from crawler.storage.models import CrawlFailure, CrawlRun
from crawler.storage.objectstore import RawArchive, archive_location, is_object_store, open_archive
from crawler.storage.store import ReportWriter, WriteCounts, utcnow

log = logging.getLogger(__name__)

FORMAT = 1
_sequence = itertools.count(1)


def deadletter_dir(settings: Any) -> Path:
    job = settings.get("GOVREPORTS_JOB_DIR")
    return Path(job) / "deadletter" if job else Path(settings.get("GOVREPORTS_DEADLETTER_DIR") or "data/deadletter")


def database_name(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


# -- items as JSON ------------------------------------------------------------------------------


def page_to_json(page: ReportPage) -> dict[str, Any]:
    """The page's fields, bodies as their archive sha256 (set by the archive pipeline)."""
    if page.sha256 is None:
        raise ValueError(f"{page.url} is not archived: a dead letter refers to bodies by sha256")
    out = {f.name: getattr(page, f.name) for f in dataclasses.fields(page) if f.name not in ("body", "attachments")}
    out["attachments"] = [{k: v for k, v in dataclasses.asdict(a).items() if k != "body"} for a in page.attachments]
    return out


def page_from_json(data: dict[str, Any], archive: RawArchive) -> ReportPage:
    """The page again, bodies read from the archive (a missing entry raises FileNotFoundError,
    a corrupt one ValueError)."""
    fields = dict(data)
    attachments = [
        Attachment(**a, body=archive.get(a["sha256"]) if a.get("sha256") else None) for a in fields.pop("attachments")
    ]
    fields["related_links"] = [tuple(link) for link in fields.get("related_links", [])]
    return ReportPage(**fields, body=archive.get(fields["sha256"]), attachments=attachments)


# -- the letters --------------------------------------------------------------------------------


@dataclass
class Replayed:
    """What replaying the dead letters of one spider did."""

    files: int = 0
    items: int = 0
    counts: WriteCounts = field(default_factory=WriteCounts)
    kept: list[str] = field(default_factory=list)  # "file: why" of letters left for a later run


class DeadLetters:
    def __init__(
        self,
        directory: str | Path,
        database_url: str,
        archive_dir: str | Path,
        database_id: str | None = None,
        limits: Limits = DEFAULT,
    ) -> None:
        self.directory = Path(directory)
        self.limits = limits  # the bounds a replayed letter's documents are parsed within, as in the crawl
        self.database = database_id or database_name(database_url)
        # a directory, or an s3:// URL (crawler/storage/objectstore.py)
        self.archive_dir = str(archive_dir) if is_object_store(archive_dir) else str(Path(archive_dir).resolve())

    @classmethod
    def from_settings(cls, settings: Any, limits: Limits = DEFAULT) -> DeadLetters:
        return cls(
            deadletter_dir(settings),
            settings.get("GOVREPORTS_DATABASE_URL"),
            archive_location(settings),
            settings.get("GOVREPORTS_DATABASE_ID") or None,
            limits,
        )

    def keep(
        self,
        spider: str,
        run_id: int | None,
        items: list[tuple[Any, dict[str, str]]],
        failures: list[Failure],
        seen: list[str],
        error: str,
    ) -> Path:
        """Write one refused batch: (ParsedItem, attachment canonical URLs) pairs, the failures
        recorded with it and the canonical URLs of skipped reports to mark seen."""
        letter = {
            "format": FORMAT,
            "spider": spider,
            "database": self.database,
            "archive_dir": self.archive_dir,
            "run_id": run_id,
            "at": utcnow().isoformat(),
            "error": error,
            "items": [{"page": page_to_json(item.page), "canonical": canonical} for item, canonical in items],
            "failures": [{"url": f.url, "kind": f.kind, "reason": f.reason, "at": f.at.isoformat()} for f in failures],
            "seen": seen,
        }
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{spider}-{utcnow():%Y%m%dT%H%M%S%f}-{os.getpid()}-{next(_sequence):04d}.json"
        target = self.directory / name
        tmp = target.with_suffix(".tmp")
        tmp.write_text(json.dumps(letter, ensure_ascii=False, indent=1), "utf-8")
        os.replace(tmp, target)  # a kill never leaves half a letter
        return target

    def pending(self, spider: str) -> list[Path]:
        """This spider's letters for this database, oldest first."""
        if not self.directory.is_dir():
            return []
        found = []
        for path in sorted(self.directory.glob(f"{spider}-*.json")):
            letter = json.loads(path.read_text("utf-8"))
            if letter.get("spider") == spider and letter.get("database") == self.database:
                found.append(path)
        return found

    def replay(self, sessions: sessionmaker[Session], spider: str, run_id: int) -> Replayed:
        """Re-apply every pending letter, each in one transaction, in the order they were written;
        a letter is deleted once its transaction committed. A database error stops the replay
        (it propagates; the rest stays for the next run); a letter that cannot be re-applied
        otherwise (bodies missing from the archive) is kept and named in `kept`."""
        done = Replayed()
        for path in self.pending(spider):
            try:
                written, counts = self._apply(path, sessions, spider, run_id)
            except SQLAlchemyError:
                raise  # the database again: the rest waits for the next run
            except Exception as exc:  # noqa: BLE001 - a body missing from the archive, a bug: keep it
                done.kept.append(f"{path}: {type(exc).__name__}: {exc}")
                continue
            path.unlink()
            done.files += 1
            done.items += written
            done.counts.add(counts)
            log.info("%s: re-applied dead letter %s (%d reports)", spider, path.name, written)
        return done

    def _apply(self, path: Path, sessions: sessionmaker[Session], spider: str, run_id: int) -> tuple[int, WriteCounts]:
        """Write one letter in one transaction."""
        letter = json.loads(path.read_text("utf-8"))
        items, rejected = self._rebuild(letter)
        at = datetime.fromisoformat(letter["at"])
        with sessions.begin() as session:
            writer = ReportWriter(session)
            # a report the database refuses now is recorded alone; the rest of the letter is written
            counts, refused = writer.write_each(items, at)
            rejected += [
                {
                    "url": r.item.page.url,
                    "kind": "refused_report",
                    "reason": f"report not stored, the database refused it: {type(r.error).__name__}: "
                    f"{str(r.error).splitlines()[0] if str(r.error) else ''}",
                    "at": letter["at"],
                }
                for r in refused
            ]
            writer.mark_seen(spider, letter["seen"], at)
            # failures belong to the run that recorded them, if the database has it
            owner = letter["run_id"] if letter["run_id"] and session.get(CrawlRun, letter["run_id"]) else run_id
            for f in [*letter["failures"], *rejected]:
                session.add(
                    CrawlFailure(
                        run_id=owner,
                        url=f["url"],
                        kind=f["kind"],
                        reason=f["reason"],
                        at=datetime.fromisoformat(f["at"]),
                    )
                )
        return len(items) - len(refused), counts

    def _rebuild(self, letter: dict[str, Any]) -> tuple[list[tuple[Any, dict[str, str]]], list[dict[str, str]]]:
        kept_in = letter.get("archive_dir") or self.archive_dir
        if not is_object_store(kept_in) and not Path(kept_in).is_dir():
            kept_in = self.archive_dir  # the archive may have moved
        archive = open_archive(kept_in)
        items, rejected = [], []
        for entry in letter["items"]:
            page = page_from_json(entry["page"], archive)
            try:
                items.append((read_page(page, self.limits), entry["canonical"]))
            except Rejected as exc:  # the parser changed since and rejects it now: say so
                rejected.append({"url": page.url, "kind": "rejected_item", "reason": str(exc), "at": letter["at"]})
        return items, rejected
