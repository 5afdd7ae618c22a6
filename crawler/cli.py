"""`govreports`: the command line.

govreports db upgrade|downgrade REV|current   manage the schema (Alembic)
govreports crawl SPIDER [--base-url URL]      crawl one portal (same as `scrapy crawl`)
govreports crawl --all                        crawl every portal in one process
govreports crawl … --job-dir D [--refresh]    scheduled crawls: a killed one resumes; refresh re-fetches all
govreports reparse [--spider S] [--archive-url s3://B/P] [--workers N]  rebuild statistics from the raw archive
govreports demo                               crawl the local mirrors into data/demo.db
govreports parse FILE [--url URL]             parse one saved page/text/PDF/DOCX to JSON
govreports export [--format csv|parquet|jsonl] [--spider S] [--year Y] [--metric CODE] [--out DIR] [--bom]
                                              tidy files of the analysts' views, with a data dictionary
govreports serve [--port P] [--host H]           the (SQLite) database in Datasette, with canned queries
govreports plot METRIC [--body NAME] [--out F]   a metric over years per body as a PNG line chart
govreports coverage [--out F.png|F.html]         bodies × years: reports parsed, found or missing
govreports portals                               the portal registry, each portal's last crawl and report count
govreports discover URL [--base-url URL]         platform, report columns and a ready registry entry for a portal
govreports worker [--concurrency N]              run queued portal crawls (crawler/distributed/, PostgreSQL)
govreports enqueue NAME… | --all [--base-url-map FILE]  queue portal crawls; govreports status: the queue

Errors are one line on stderr: exit 2 for bad input, 1 for a failure (crawler/errors.py);
--debug (or GOVREPORTS_DEBUG=1) prints the traceback too.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from collections import defaultdict
from pathlib import Path
from typing import NoReturn

from crawler.errors import CommandError, UsageError, missing_extra, one_line, require

os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")

DEMO_DATABASE_URL = "sqlite:///data/demo.db"
DEMO_ARCHIVE_DIR = "data/demo-archive"


def main(argv: list[str] | None = None) -> int:
    """Run one command. Whatever goes wrong is one line on stderr: exit status 2 for bad input
    (UsageError, argparse), 1 for a failure (CommandError, a missing extra, a database or disk
    error, anything unexpected); --debug or GOVREPORTS_DEBUG=1 prints the traceback as well."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    debug = getattr(args, "debug", False) or os.environ.get("GOVREPORTS_DEBUG", "") not in ("", "0")
    try:
        return args.func(args) or 0
    except KeyboardInterrupt:
        print("govreports: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the one place that turns errors into a line and a status
        if debug:
            traceback.print_exc()
        message, status = explain(exc)
        print(f"govreports: {message}", file=sys.stderr)
        return status


def explain(exc: Exception) -> tuple[str, int]:
    """The one line and exit status of an error a command raised."""
    from sqlalchemy.exc import SQLAlchemyError

    from crawler.storage.db import StorageError

    if isinstance(exc, CommandError):
        return one_line(exc), exc.exit_status
    if isinstance(exc, StorageError):
        return one_line(exc), 1
    if isinstance(exc, ModuleNotFoundError) and (missing := missing_extra(exc)):
        return str(missing), missing.exit_status
    if isinstance(exc, SQLAlchemyError) or type(exc).__module__.startswith("psycopg"):  # procrastinate's psycopg too
        reason = str(getattr(exc, "orig", None) or exc).strip()
        return f"database error: {one_line(reason.splitlines()[0] if reason else type(exc).__name__)}", 1
    if isinstance(exc, OSError) and exc.strerror:
        return one_line(f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror), 1
    return (
        f"unexpected {type(exc).__name__}: {one_line(exc, 300)} "
        "(rerun with --debug or GOVREPORTS_DEBUG=1 for the traceback)",
        1,
    )


class ArgumentParser(argparse.ArgumentParser):
    """argparse with its errors on one line (exit status 2), like every other usage error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {one_line(message)} (see {self.prog} --help)\n")


def port_number(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port {port} is not between 1 and 65535")
    return port


def count(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {number}")
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = ArgumentParser(prog="govreports", description="Government information-disclosure annual reports crawler")
    sub = parser.add_subparsers(metavar="COMMAND")
    p = sub.add_parser("db", help="create, migrate or inspect the database schema")
    p.add_argument("action", choices=["upgrade", "downgrade", "current"])
    p.add_argument("revision", nargs="?", help="target revision (upgrade: default head; downgrade: required)")
    p.add_argument("--database-url", help="default: $GOVREPORTS_DATABASE_URL or sqlite:///data/govreports.db")
    p.set_defaults(func=cmd_db)

    p = sub.add_parser("crawl", help="crawl one portal, or all with --all")
    p.add_argument("spider", nargs="?", help="spider name (see `scrapy list`)")
    p.add_argument("--all", action="store_true", help="crawl every spider in one process")
    p.add_argument("--base-url", help="crawl a mirror at this URL instead of the real portal (one spider only)")
    p.add_argument("-a", dest="spider_args", action="append", default=[], metavar="NAME=VALUE", help="spider argument")
    p.add_argument("-s", dest="settings", action="append", default=[], metavar="NAME=VALUE", help="Scrapy setting")
    p.add_argument("--database-url")
    p.add_argument(
        "--job-dir", help="job directory (dead letters, run marker): a killed crawl restarted with it resumes"
    )
    p.add_argument("--refresh", action="store_true", help="fetch every report page again, even those held unchanged")
    p.set_defaults(func=cmd_crawl)

    p = sub.add_parser("demo", help="serve the local mirrors, crawl them all offline, print a summary")
    p.add_argument("--database-url", default=DEMO_DATABASE_URL, help=f"default {DEMO_DATABASE_URL}")
    p.add_argument("--archive-dir", default=DEMO_ARCHIVE_DIR)
    p.add_argument("--sites", help="folder of mirrors (default: tests/sites of this checkout)")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("export", help="write reports, metric values and findings as tidy files with a data dictionary")
    p.add_argument(
        "--format",
        choices=["csv", "parquet", "jsonl"],
        default="csv",
        help="default csv (parquet needs the [export] extra)",
    )
    p.add_argument("--spider", help="only reports crawled by this spider")
    p.add_argument("--year", type=int, help="only reports of this report year")
    p.add_argument("--metric", metavar="CODE", help="only this metric code (and the reports and findings that have it)")
    p.add_argument("--out", default="data/export", metavar="DIR", help="output folder (default data/export)")
    p.add_argument(
        "--bom", action="store_true", help="CSV with a UTF-8 BOM, so spreadsheet programs read the Chinese right"
    )
    p.add_argument("--database-url")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("serve", help="open the (SQLite) database in Datasette, with labels and canned queries")
    p.add_argument("--port", type=port_number, default=8001, help="default 8001")
    p.add_argument("--host", default="127.0.0.1", help="default 127.0.0.1 (this machine only)")
    p.add_argument("--database-url")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("plot", help="PNG line chart of a metric over years, one line per body")
    p.add_argument("metric", metavar="METRIC", help="metric code, e.g. review.total")
    p.add_argument("--spider", help="only reports crawled by this spider")
    p.add_argument("--body", action="append", metavar="NAME", help="only this body (repeat for several)")
    p.add_argument(
        "--scope", choices=["self", "region"], help="本级 or 本行政区域 (legacy tables); default region, else self"
    )
    p.add_argument("--applicant", default="total", help="applicant column of 2019+ tables (default total)")
    p.add_argument("--out", metavar="FILE.png", help="default METRIC.png; the data drawn goes to FILE.json")
    p.add_argument("--database-url")
    p.set_defaults(func=cmd_plot)

    p = sub.add_parser("coverage", help="heat map of bodies × years: reports parsed, found or missing")
    p.add_argument("--spider", help="only this spider's reports")
    p.add_argument(
        "--out",
        default="coverage.png",
        metavar="FILE.png|FILE.html",
        help="default coverage.png (PNG data also to FILE.json)",
    )
    p.add_argument("--database-url")
    p.set_defaults(func=cmd_coverage)

    p = sub.add_parser(
        "reparse", help="rebuild metrics and findings of stored reports from the raw archive (no network)"
    )
    p.add_argument("--spider", help="only this spider's reports")
    p.add_argument("--database-url")
    p.add_argument("--archive-dir", help="default: $GOVREPORTS_ARCHIVE_DIR or data/archive")
    p.add_argument(
        "--archive-url", metavar="s3://BUCKET/PREFIX", help="an object-store archive (default: $GOVREPORTS_ARCHIVE_URL)"
    )
    p.add_argument(
        "--workers",
        type=count,
        help="parse worker processes (default: $GOVREPORTS_PARSE_WORKERS, else one per core; 0: in this process)",
    )
    p.set_defaults(func=cmd_reparse)

    p = sub.add_parser("portals", help="the portal registry with each portal's last crawl outcome and report count")
    p.add_argument("--database-url")
    p.set_defaults(func=cmd_portals)

    p = sub.add_parser("discover", help="detect a portal's platform and report columns; print its registry entry")
    p.add_argument("url", metavar="URL", help="the portal's home page, e.g. http://www.weishan.gov.cn")
    p.add_argument("--base-url", help="crawl a mirror of the portal at this URL instead")
    p.add_argument("--name", help="spider name for the entry (default: from the host)")
    p.add_argument("--body", help="the body's name (default: from the home page's title)")
    p.add_argument("--level", choices=["province", "city", "county", "district", "department", "zone"])
    p.set_defaults(func=cmd_discover)

    p = sub.add_parser("parse", help="parse one saved page, text file, PDF or DOCX and print JSON")
    p.add_argument("file")
    p.add_argument("--url", help="the URL the file was fetched from")
    p.set_defaults(func=cmd_parse)

    from crawler.distributed.cli import add_parsers  # worker, enqueue, status (no procrastinate import here)

    add_parsers(sub, UsageError)
    for command in (parser, *sub.choices.values()):  # before or after the command's name
        command.add_argument(
            "--debug",
            action="store_true",
            default=argparse.SUPPRESS,
            help="print the traceback of an error too (also GOVREPORTS_DEBUG=1)",
        )
    return parser


# -- db ---------------------------------------------------------------------------------------


def database_url(args: argparse.Namespace) -> str:
    """--database-url, else $GOVREPORTS_DATABASE_URL; UsageError for what is not a database URL."""
    from crawler import settings

    url = getattr(args, "database_url", None) or settings.GOVREPORTS_DATABASE_URL
    return check_database_url(url, "--database-url" if getattr(args, "database_url", None) else None)


def check_database_url(url: str, where: str | None = None) -> str:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    where = where or "GOVREPORTS_DATABASE_URL"
    try:
        make_url(url).get_dialect()
    except (ArgumentError, NoSuchModuleError, ValueError):
        raise UsageError(
            f"{where}: not a database URL: {url!r} (e.g. sqlite:///data/govreports.db, "
            "postgresql+psycopg://user@host/govreports)"
        ) from None
    return url


def check_spider_filter(url: str, spider: str | None) -> None:
    """UsageError for a --spider that is neither a portal of the registry nor in the database."""
    if spider is None:
        return
    from crawler.analysis.export import known_spiders
    from crawler.storage.db import open_database

    engine = open_database(url)
    try:
        spiders = known_spiders(engine)
    finally:
        engine.dispose()
    if spider not in spiders:
        raise UsageError(f"unknown spider {spider!r} (spiders: {', '.join(sorted(spiders))})")


def cmd_db(args: argparse.Namespace) -> int:
    from alembic.util import CommandError as AlembicCommandError
    from sqlalchemy.exc import DBAPIError

    from crawler.storage import db

    url = database_url(args)
    if args.action == "downgrade" and not args.revision:
        raise UsageError("db downgrade needs a revision (e.g. base)")
    known = db.known_revisions(url)
    relative = any(sign in (args.revision or "") for sign in "+-")  # -1, +2, 0003+1
    if args.revision and args.revision not in known | {"head", "heads", "base"} and not relative:
        raise UsageError(f"no revision {args.revision!r} (revisions: base, {', '.join(sorted(known))}, head)")
    if args.action != "upgrade":
        db.require_database(url)  # only `db upgrade` creates a database
    try:
        if args.revision and db.database_exists(url):
            db.open_database(url, migrate=False, older_ok=True).dispose()  # refuses a newer database
        if args.action == "upgrade":
            db.ensure_schema(url).dispose() if not args.revision else db.upgrade(url, args.revision)
        elif args.action == "downgrade":
            db.downgrade(url, args.revision)
        engine = db.make_engine(url)
        try:
            current = db.current_revision(engine)
        finally:
            engine.dispose()
    except AlembicCommandError as exc:
        raise UsageError(f"db {args.action} {args.revision}: {exc}") from None
    except DBAPIError as exc:
        raise db.unavailable(url, exc) from None
    head = db.head_revision(url)
    if current is not None and current not in known:
        raise db.SchemaError(db.newer_message(url, current, head))
    print(f"{_safe_url(url)}: revision {current or 'none'} (head {head})")
    return 0


# -- crawl ------------------------------------------------------------------------------------


def _pairs(values: list[str], what: str) -> dict[str, str]:
    out = {}
    for value in values:
        name, sep, val = value.partition("=")
        if not sep or not name:
            raise UsageError(f"{what} must look like NAME=VALUE, got {value!r}")
        out[name] = val
    return out


def _settings(settings_overrides: dict[str, object]):
    from scrapy.utils.project import get_project_settings

    from crawler.settings import parse_limits

    settings = get_project_settings()
    defaults = settings.copy()
    for key, value in settings_overrides.items():
        settings.set(key, value, priority="cmdline")
    try:
        parse_limits(settings)  # a bad -s GOVREPORTS_MAX_* is one line before anything runs
    except SystemExit as exc:
        raise UsageError(str(exc)) from None
    check_setting_values(settings_overrides, defaults)
    return settings


def check_setting_values(values: dict[str, object], defaults) -> None:  # noqa: ANN001 - Scrapy Settings
    """UsageError for an `-s NAME=VALUE` Scrapy could not read as its default's type (a number,
    a boolean), found before the crawl starts instead of as a traceback inside it."""
    for name, value in values.items():
        default = defaults.get(name)
        if not isinstance(value, str) or value == "" or default is None:
            continue
        if isinstance(default, bool):
            ok = value in {"0", "1", "True", "true", "False", "false"}
            kind = "0/1 or true/false"
        elif isinstance(default, int | float):
            try:
                float(value)
                ok = True
            except ValueError:
                ok = False
            kind = "a number"
        else:
            continue
        if not ok:
            raise UsageError(f"-s {name}={value}: must be {kind}")


def _process(settings_overrides: dict[str, object] | None = None, settings=None):
    from scrapy.crawler import CrawlerProcess

    return CrawlerProcess(settings if settings is not None else _settings(settings_overrides or {}))


def spider_names(settings) -> list[str]:
    """The project's spiders, read before a CrawlerProcess starts logging."""
    from scrapy.spiderloader import get_spider_loader

    return get_spider_loader(settings).list()


def check_spider(name: str, names: list[str]) -> None:
    if name not in names:
        raise UsageError(f"no spider {name!r} (spiders: {', '.join(names)})")


def check_base_url(value: str, flag: str = "--base-url") -> None:
    """A mirror's URL: http(s), a host, a valid port."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(value)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        ok = False
    if not ok:
        raise UsageError(f"{flag} must be an http(s) URL with a host, such as http://127.0.0.1:8001, got {value!r}")


def check_job_dir(value: str | None) -> None:
    if value and Path(value).exists() and not Path(value).is_dir():
        raise UsageError(f"--job-dir {value}: not a folder")


def check_crawl_database(url: str) -> None:
    """Before a crawl: migrate the database (a crawl creates it), refusing one this govreports
    cannot use (newer, or half-migrated with data) with one line. An unreachable database is
    not refused: the crawl keeps its batches as dead letters for the next run."""
    from sqlalchemy.exc import SQLAlchemyError

    from crawler.storage.db import ensure_schema

    try:
        engine = ensure_schema(url)
    except (SQLAlchemyError, OSError):
        return  # the storage pipeline records "database unreachable at open" and keeps dead letters
    engine.dispose()


def cmd_crawl(args: argparse.Namespace) -> int:
    overrides: dict[str, object] = dict(_pairs(args.settings, "-s"))
    if args.database_url:
        overrides["GOVREPORTS_DATABASE_URL"] = args.database_url
    if args.job_dir:
        check_job_dir(args.job_dir)
        overrides["GOVREPORTS_JOB_DIR"] = args.job_dir
    spider_args = _pairs(args.spider_args, "-a")
    if args.refresh:
        spider_args["refresh"] = "1"
    if args.base_url:
        spider_args["base_url"] = args.base_url
    if "base_url" in spider_args:
        check_base_url(spider_args["base_url"], "--base-url" if args.base_url else "-a base_url")
    settings = _settings(overrides)
    names = spider_names(settings)
    if args.all == bool(args.spider):
        raise UsageError("name one spider or use --all (spiders: " + ", ".join(names) + ")")
    if args.spider:
        check_spider(args.spider, names)
    if args.all and args.base_url:
        raise UsageError("--base-url names one portal's mirror: use it with one spider")
    url = check_database_url(settings.get("GOVREPORTS_DATABASE_URL"), "--database-url" if args.database_url else None)
    check_crawl_database(url)
    process = _process(settings=settings)
    crawlers = []
    for name in names if args.all else [args.spider]:
        crawler = process.create_crawler(name)
        crawlers.append(crawler)
        process.crawl(crawler, **spider_args)
    process.start()
    return _exit_status(crawlers)


def _exit_status(crawlers: list) -> int:
    """Non-zero when any crawl's outcome is not ok (crawler.extensions.runrecord.exit_reason)."""
    from crawler.extensions.runrecord import exit_reason

    status = 0
    for crawler in crawlers:
        reason = exit_reason(crawler.stats.get_stats())
        if reason:
            print(f"{crawler.spider.name if crawler.spider else '?'}: {reason}", file=sys.stderr)
            status = 1
    return status


# -- demo -------------------------------------------------------------------------------------


def cmd_demo(args: argparse.Namespace) -> int:
    from crawler.mirror.server import Mirror, sites_dir

    # the demo is offline by design: tldextract (Scrapy's cookies) uses its bundled suffix list
    os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
    check_database_url(args.database_url, "--database-url")
    sites = Path(args.sites) if args.sites else sites_dir()
    if not sites.is_dir():
        raise UsageError(f"no mirrors at {sites}: run the demo from a source checkout or pass --sites")
    process = _process(
        {
            "GOVREPORTS_DATABASE_URL": args.database_url,
            "GOVREPORTS_ARCHIVE_DIR": args.archive_dir,
            "GOVREPORTS_ARCHIVE_URL": "",  # the demo keeps its own archive, whatever the environment says
            "DOWNLOAD_DELAY": 0,
            "AUTOTHROTTLE_ENABLED": False,
            "LOG_LEVEL": "WARNING",
        }
    )
    names = [n for n in process.spider_loader.list() if (sites / n / "root").is_dir()]
    if not names:
        raise UsageError(f"no spider has a mirror under {sites}")
    mirrors = [Mirror(sites / n).start() for n in names]
    crawlers = []
    try:
        for name, mirror in zip(names, mirrors, strict=True):
            print(f"{name}: mirror at {mirror.base_url}")
            crawler = process.create_crawler(name)
            crawlers.append(crawler)
            process.crawl(crawler, base_url=mirror.base_url)
        process.start()
    finally:
        for mirror in mirrors:
            mirror.stop()
    print()
    print(summary_table(args.database_url))
    print(
        f"raw archive: {args.archive_dir} (recorded in the database: "
        f"`govreports reparse --database-url {args.database_url}` finds it)"
    )
    return _exit_status(crawlers)


def summary_table(url: str) -> str:
    """Bodies × years: how many reports, plus metric and finding counts per body."""
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from crawler.storage.db import make_engine
    from crawler.storage.models import Body, Report, ReportMetric, ValidationFinding

    engine = make_engine(url)
    with Session(engine) as session:
        rows = session.execute(
            select(Body.name, Report.report_year, func.count(Report.id))
            .join(Report)
            .group_by(Body.name, Report.report_year)
        ).all()
        metric_counts = dict(
            session.execute(
                select(Body.name, func.count(ReportMetric.id))
                .join(Report, Report.body_id == Body.id)
                .join(ReportMetric)
                .group_by(Body.name)
            ).all()
        )
        finding_counts = dict(
            session.execute(
                select(Body.name, func.count(ValidationFinding.id))
                .join(Report, Report.body_id == Body.id)
                .join(ValidationFinding)
                .group_by(Body.name)
            ).all()
        )
    engine.dispose()
    if not rows:
        return "no reports in the database"
    grid: dict[str, dict[int, int]] = defaultdict(dict)
    for body, year, n in rows:
        grid[body][year] = n
    years = sorted({year for _, year, _ in rows})
    width = max(_width(b) for b in grid) + 2
    header = _pad("body", width) + "".join(f"{y:>6}" for y in years) + f"{'reports':>9}{'metrics':>9}{'findings':>10}"
    lines = [header, "-" * _width(header)]
    for body in sorted(grid):
        cells = "".join(f"{grid[body].get(y, ''):>6}" for y in years)
        lines.append(
            _pad(body, width)
            + cells
            + f"{sum(grid[body].values()):>9}{metric_counts.get(body, 0):>9}{finding_counts.get(body, 0):>10}"
        )
    total = sum(n for _, _, n in rows)
    lines.append("-" * _width(header))
    lines.append(
        f"{len(grid)} bodies, {total} reports, {sum(metric_counts.values())} metrics, "
        f"{sum(finding_counts.values())} findings in {_safe_url(url)}"
    )
    return "\n".join(lines)


def _width(text: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


# -- export -----------------------------------------------------------------------------------


def cmd_export(args: argparse.Namespace) -> int:
    from crawler.analysis.export import Filters, export, summary
    from crawler.storage.db import open_database

    out = Path(args.out)
    check_out(out, folder=True)
    engine = open_database(database_url(args))
    try:
        written = export(engine, out, args.format, Filters(args.spider, args.year, args.metric), bom=args.bom)
    except OSError as exc:
        if exc.filename and Path(exc.filename) in (out, *out.parents):  # creating the folder failed
            raise UsageError(f"--out {out}: cannot create {exc.filename}: {exc.strerror}") from None
        raise
    finally:
        engine.dispose()
    print(summary(written, args.format))
    return 0


# -- serve, plot, coverage --------------------------------------------------------------------


def cmd_serve(args: argparse.Namespace) -> int:
    from crawler.analysis.serve import serve

    serve(database_url(args), host=args.host, port=args.port)
    return 0


def cmd_plot(args: argparse.Namespace) -> int:
    from crawler.analysis.plots import draw_metric, metric_series

    out = _out_file(args.out or f"{args.metric}.png", (".png",))
    require("matplotlib", "govreports plot")
    url = database_url(args)
    check_spider_filter(url, args.spider)
    data = metric_series(
        url,
        args.metric,
        spider=args.spider,
        bodies=args.body,
        scope=args.scope,
        applicant=args.applicant,
    )
    make_parent(out)
    draw_metric(data, out)
    print(f"{out}: {args.metric} for {len(data.series)} bodies (data in {out.with_suffix('.json')})")
    return 0


def cmd_coverage(args: argparse.Namespace) -> int:
    from crawler.analysis.plots import coverage_matrix, draw_coverage

    out = _out_file(args.out, (".png", ".html"))
    if out.suffix.lower() == ".png":
        require("matplotlib", "govreports coverage (or --out FILE.html)")
    url = database_url(args)
    check_spider_filter(url, args.spider)
    data = coverage_matrix(url, spider=args.spider)
    make_parent(out)
    draw_coverage(data, out)
    print(f"{out}: report coverage")
    return 0


def _out_file(name: str, suffixes: tuple[str, ...]) -> Path:
    out = Path(name)
    if out.suffix.lower() not in suffixes:
        raise UsageError(f"--out must end in {' or '.join(suffixes)}, got {name}")
    check_out(out, folder=False)
    return out


def check_out(out: Path, *, folder: bool) -> None:
    """UsageError when `out` (a file, or with `folder` a folder) cannot be written, found
    without creating anything: it is created only once the command has its data."""
    if out.exists() and out.is_dir() != folder:
        raise UsageError(f"--out {out}: {'not a folder' if folder else 'is a folder'}")
    ancestor = out.parent if not folder or not out.exists() else out
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise UsageError(f"--out {out}: {ancestor} is not a folder")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise UsageError(f"--out {out}: cannot write in {ancestor}")


def make_parent(out: Path) -> None:
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--out {out}: cannot create {out.parent}: {exc.strerror}") from None


# -- reparse ----------------------------------------------------------------------------------


def cmd_reparse(args: argparse.Namespace) -> int:
    """The archive: --archive-url / --archive-dir, else the one the database's latest crawl
    recorded (crawl_runs.stats, pipelines/archive.py) while it is still there, else
    $GOVREPORTS_ARCHIVE_URL / $GOVREPORTS_ARCHIVE_DIR / data/archive."""
    from sqlalchemy.orm import Session

    from crawler import settings
    from crawler.analysis.reparse import recorded_archive, reparse
    from crawler.storage.db import open_database

    if args.archive_url and args.archive_dir:
        raise UsageError("give --archive-dir or --archive-url, not both")
    if args.archive_url and not _is_object_store(args.archive_url):
        raise UsageError(f"--archive-url must look like s3://bucket/prefix, got {args.archive_url!r}")
    given = args.archive_url or args.archive_dir
    if given:
        archive, where = _open_archive(given, "see --archive-dir" if args.archive_dir else "see --archive-url")
    url = database_url(args)
    engine = open_database(url, migrate=True)
    try:
        check_spider_filter(url, args.spider)
        with Session(engine) as session:
            if not given:
                recorded = recorded_archive(session, args.spider)
                if recorded and (_is_object_store(recorded) or Path(recorded).is_dir()):
                    archive, where = _open_archive(recorded, "recorded by the database's last crawl")
                else:
                    default = settings.GOVREPORTS_ARCHIVE_URL or settings.GOVREPORTS_ARCHIVE_DIR
                    gone = f"; the database's last crawl kept it in {recorded}, which is gone" if recorded else ""
                    archive, where = _open_archive(default, f"pass --archive-dir or --archive-url{gone}")
            workers = args.workers if args.workers is not None else settings.GOVREPORTS_PARSE_WORKERS
            counts = reparse(
                session,
                archive,
                args.spider,
                workers=int(workers) if workers not in (None, "") else None,
                timeout=settings.GOVREPORTS_PARSE_TIMEOUT or None,
                limits=settings.parse_limits(),
            )
    finally:
        engine.dispose()
    which = f" of {args.spider}" if args.spider else ""
    print(f"reparsed {counts.reports} reports{which} in {_safe_url(url)} from the archive {where}")
    print(f"  metrics: {counts.metrics_before} before, {counts.metrics_after} after")
    print(f"  findings: {counts.findings_before} before, {counts.findings_after} after")
    print(f"  archive entry missing: {len(counts.missing)} reports (their rows are left as they were)")
    for line in counts.missing:
        print(f"    {line}")
    if counts.failed:
        print(f"  parser error: {len(counts.failed)} reports (their rows are left as they were)")
        for line in counts.failed:
            print(f"    {line}")
    return 1 if counts.missing or counts.failed else 0


def _is_object_store(location: str) -> bool:
    from crawler.storage.objectstore import is_object_store

    return is_object_store(location)


def _open_archive(location: str, hint: str):
    """The archive at a folder or s3:// URL and how to show it; UsageError naming `hint` when
    it is not there."""
    from crawler.storage.archive import Archive
    from crawler.storage.objectstore import ArchiveConfigError, ObjectStoreArchive

    if _is_object_store(location):
        require("boto3", "an s3:// archive")
        try:
            archive = ObjectStoreArchive(location)
            archive.check()
        except ArchiveConfigError as exc:
            raise UsageError(f"{exc} ({hint})") from exc
        return archive, location
    if not Path(location).is_dir():
        raise UsageError(f"no archive at {location} ({hint})")
    return Archive(Path(location)), location


# -- portals, discover -------------------------------------------------------------------------


def cmd_portals(args: argparse.Namespace) -> int:
    from crawler.registry import RegistryError, load_registry
    from crawler.storage.db import open_database
    from crawler.storage.portals import portal_status

    try:
        portals = load_registry()
    except RegistryError as exc:
        raise UsageError(str(exc)) from exc
    url = database_url(args)
    status = {}
    # a fresh installation lists its registry before any crawl; a database named by
    # --database-url or GOVREPORTS_DATABASE_URL must be there (it is never created)
    named = bool(getattr(args, "database_url", None) or os.environ.get("GOVREPORTS_DATABASE_URL"))
    if named or _database_exists(url):
        engine = open_database(url)
        try:
            status = portal_status(engine)
        finally:
            engine.dispose()
    rows = [("portal", "body", "level", "platform", "last crawl", "reports", "registry")]
    for name, portal in portals.items():
        st = status.get(name)
        platform = portal.platform or (f"{st.platform} (detected)" if st and st.platform else "detect")
        last = "never crawled"
        if st and st.outcome:
            when = st.finished_at.strftime("%Y-%m-%d %H:%M") if st.finished_at else "not finished"
            last = f"{st.outcome} {when}" + (f" ({st.exit_reason})" if st.exit_reason else "")
        rows.append((name, portal.body, portal.level, platform, last, str(st.reports if st else 0), portal.source))
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        print("  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=False)) + "  " + row[-1])
    print(f"{len(portals)} portals; database {_safe_url(url)}")
    return 0


def cmd_discover(args: argparse.Namespace) -> int:
    from urllib.parse import urlsplit

    from crawler.discover import discover, format_result

    for value in (args.url, args.base_url):
        if value and (urlsplit(value).scheme not in ("http", "https") or not urlsplit(value).hostname):
            raise UsageError(f"not an http(s) URL with a host: {value!r}")
    result = discover(args.url, base_url=args.base_url, name=args.name, body=args.body, level=args.level)
    print(format_result(result))
    return 0 if any(c["reports"] for c in result.columns) else 1


def _database_exists(url: str) -> bool:
    from crawler.storage.db import database_exists

    return database_exists(url)


# -- parse ------------------------------------------------------------------------------------


def cmd_parse(args: argparse.Namespace) -> int:
    from crawler import settings
    from crawler.parsing.report import parse_file

    path = Path(args.file)
    if not path.is_file():
        raise UsageError(f"no such file: {path}")
    parsed = parse_file(path, url=args.url, limits=settings.parse_limits())
    json.dump(parsed.to_json(), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
