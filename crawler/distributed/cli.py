"""The subcommands `worker`, `enqueue` and `status` (registered by crawler/cli.py). Argument
parsing only: procrastinate and psycopg are imported when one of them runs."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any


def add_parsers(sub: Any, usage_error: type[Exception]) -> None:
    def run(command):  # noqa: ANN001, ANN202
        def func(args: argparse.Namespace) -> int:
            from crawler.distributed.app import DistributedError

            try:
                return command(args)
            except DistributedError as exc:
                raise usage_error(str(exc)) from exc

        return func

    p = sub.add_parser("worker", help="run queued portal crawls (distributed crawl, PostgreSQL)")
    p.add_argument("--concurrency", type=int, default=1, help="portal crawls at once (default 1)")
    p.add_argument("--name", help="worker name in logs (default host:pid)")
    p.add_argument("--job-root", help="job directories, one per portal (default $GOVREPORTS_JOB_ROOT or data/jobs)")
    p.add_argument("--database-url", help="default $GOVREPORTS_DATABASE_URL (PostgreSQL)")
    p.set_defaults(func=run(cmd_worker))

    p = sub.add_parser("enqueue", help="queue portal crawls for the workers (not one already queued or running)")
    p.add_argument("portals", nargs="*", metavar="NAME", help="portals (spider names)")
    p.add_argument("--all", action="store_true", help="every portal of the registry")
    p.add_argument("--base-url-map", metavar="FILE", help="TOML or JSON table name = base URL: crawl these mirrors")
    p.add_argument("--database-url", help="default $GOVREPORTS_DATABASE_URL (PostgreSQL)")
    p.set_defaults(func=run(cmd_enqueue))

    p = sub.add_parser("status", help="queued / running / last outcome per portal, and the workers")
    p.add_argument("--database-url", help="default $GOVREPORTS_DATABASE_URL (PostgreSQL)")
    p.set_defaults(func=run(cmd_status))


def _settings(args: argparse.Namespace) -> Any:
    from crawler.distributed.app import Settings

    return Settings.from_env(args.database_url, getattr(args, "job_root", None))


def cmd_worker(args: argparse.Namespace) -> int:
    from crawler.distributed.app import DistributedError
    from crawler.distributed.worker import run

    if args.concurrency < 1:
        raise DistributedError("--concurrency must be at least 1")
    return run(_settings(args), args.concurrency, args.name)


def cmd_enqueue(args: argparse.Namespace) -> int:
    from crawler.distributed.enqueue import choose, enqueue, read_base_url_map

    settings = _settings(args)
    base_urls = read_base_url_map(args.base_url_map) if args.base_url_map else {}
    portals = choose(args.portals, args.all, base_urls)
    done = asyncio.run(enqueue(settings, portals, base_urls))
    for name in done.queued:
        print(f"{name}: queued" + (f" (mirror {base_urls[name]})" if name in base_urls else ""))
    for name, why in done.skipped.items():
        print(f"{name}: not queued ({why})")
    print(f"{len(done.queued)} portals queued, {len(done.skipped)} already queued or running")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from crawler.distributed.enqueue import registry_portals
    from crawler.distributed.status import collect, format_status

    portals, workers = collect(_settings(args))
    print(format_status(portals, workers, registry_portals()))
    return 0
