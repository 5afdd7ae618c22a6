"""`govreports enqueue NAME… | --all [--base-url-map FILE]`: queue portal crawls.

A portal already queued is not queued again (procrastinate's `queueing_lock` = its name: the
database refuses a second waiting job), nor one running (a job of that portal in `doing`: looked
up first). The job's `lock` is the host the crawl starts from (`host:` + host[:port] of the
mirror's URL, else of the portal's home_url): procrastinate runs one job of a lock at a time, so
one portal is never crawled by two workers at once, and neither are two portals that share a host
(the portals of one 集约化 platform under one host name): each host has one download slot in the
whole fleet. The map file names a mirror per portal, `name = "http://host:port"` (TOML) or
`{"name": "http://host:port"}` (JSON); a crawl of a mapped portal is `govreports crawl NAME
--base-url URL`.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.distributed.app import DistributedError


@dataclass
class Queued:
    queued: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # portal -> why

    def counts(self) -> tuple[int, int]:
        return len(self.queued), len(self.skipped)


def job_lock(portal: str, base_url: str | None, home_urls: dict[str, str]) -> str:
    """The procrastinate lock of a portal's crawl: its host, or its name when it has no URL."""
    url = base_url or home_urls.get(portal)
    host = urlsplit(url).netloc.lower() if url else ""
    return f"host:{host}" if host else f"portal:{portal}"


def home_urls() -> dict[str, str]:
    from crawler.registry import load_registry

    return {name: portal.home_url for name, portal in load_registry().items()}


def registry_portals() -> list[str]:
    from crawler.registry import load_registry

    return list(load_registry())


def known_spiders() -> list[str]:
    from scrapy.utils.project import get_project_settings

    from crawler.spiderloader import RegistrySpiderLoader

    return RegistrySpiderLoader(get_project_settings()).list()


def read_base_url_map(path: str | Path) -> dict[str, str]:
    """name -> base URL from a TOML or JSON file; DistributedError names what is wrong."""
    path = Path(path)
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise DistributedError(f"--base-url-map {path}: {exc.strerror}") from None
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise DistributedError(f"--base-url-map {path}: not valid {path.suffix.lstrip('.') or 'TOML'}: {exc}") from None
    if not isinstance(data, dict):
        raise DistributedError(f"--base-url-map {path}: expected a table of name = base URL")
    for name, url in data.items():
        parts = urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
            raise DistributedError(f"--base-url-map {path}: {name}: not an http(s) URL with a host: {url!r}")
    return {name: url.rstrip("/") for name, url in data.items()}


def choose(names: list[str], all_portals: bool, base_urls: dict[str, str]) -> list[str]:
    """The portals to queue, checked against the spiders this checkout knows."""
    if all_portals == bool(names):
        raise DistributedError("name portals or use --all")
    known = known_spiders()
    chosen = registry_portals() if all_portals else list(dict.fromkeys(names))
    unknown = [n for n in [*chosen, *base_urls] if n not in known]
    if unknown:
        raise DistributedError(f"no spider {', '.join(sorted(set(unknown)))} (spiders: {', '.join(known)})")
    return chosen


async def enqueue_async(app: Any, portals: list[str], base_urls: dict[str, str]) -> Queued:
    from procrastinate.exceptions import AlreadyEnqueued

    from crawler.distributed.tasks import CRAWL_TASK

    done = Queued()
    homes = home_urls()
    for portal in portals:
        running = await app.job_manager.list_jobs_async(task=CRAWL_TASK, queueing_lock=portal, status="doing")
        if list(running):
            done.skipped[portal] = "running"
            continue
        kwargs: dict[str, Any] = {"portal": portal}
        if portal in base_urls:
            kwargs["base_url"] = base_urls[portal]
        lock = job_lock(portal, base_urls.get(portal), homes)
        try:
            await app.configure_task(CRAWL_TASK, lock=lock, queueing_lock=portal).defer_async(**kwargs)
        except AlreadyEnqueued:
            done.skipped[portal] = "already queued"
            continue
        done.queued.append(portal)
    return done


async def enqueue(settings: Any, portals: list[str], base_urls: dict[str, str]) -> Queued:
    from crawler.distributed.app import ensure_queue_schema, make_app

    ensure_queue_schema(settings)
    app = make_app(settings, pool_size=2)
    async with app.open_async():
        return await enqueue_async(app, portals, base_urls)
