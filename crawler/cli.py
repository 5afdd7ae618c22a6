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
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")

DEMO_DATABASE_URL = "sqlite:///data/demo.db"
DEMO_ARCHIVE_DIR = "data/demo-archive"


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args) or 0
    except UsageError as exc:
        print(f"govreports: {exc}", file=sys.stderr)
        return 2


class UsageError(Exception):
    """Bad input from the user: printed as one line, exit status 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="govreports", description="Government information-disclosure annual reports crawler"
    )
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
    p.add_argument("--port", type=int, default=8001, help="default 8001")
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
        type=int,
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
    return parser


# -- db ---------------------------------------------------------------------------------------


def database_url(args: argparse.Namespace) -> str:
    from crawler import settings

    return getattr(args, "database_url", None) or settings.GOVREPORTS_DATABASE_URL


def cmd_db(args: argparse.Namespace) -> int:
    from crawler.storage import db

    url = database_url(args)
    if args.action == "upgrade":
        db.ensure_schema(url) if not args.revision else db.upgrade(url, args.revision)
    elif args.action == "downgrade":
        if not args.revision:
            raise UsageError("db downgrade needs a revision (e.g. base)")
        db.downgrade(url, args.revision)
    print(
        f"{_safe_url(url)}: revision {db.current_revision(db.make_engine(url)) or 'none'} "
        f"(head {db.head_revision(url)})"
    )
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


def _process(settings_overrides: dict[str, object]):
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    for key, value in settings_overrides.items():
        settings.set(key, value, priority="cmdline")
    return CrawlerProcess(settings)


def cmd_crawl(args: argparse.Namespace) -> int:
    overrides: dict[str, object] = dict(_pairs(args.settings, "-s"))
    if args.database_url:
        overrides["GOVREPORTS_DATABASE_URL"] = args.database_url
    if args.job_dir:
        overrides["GOVREPORTS_JOB_DIR"] = args.job_dir
    process = _process(overrides)
    names = process.spider_loader.list()
    if args.all == bool(args.spider):
        raise UsageError("name one spider or use --all (spiders: " + ", ".join(names) + ")")
    if args.spider and args.spider not in names:
        raise UsageError(f"no spider {args.spider!r} (spiders: {', '.join(names)})")
    if args.all and args.base_url:
        raise UsageError("--base-url names one portal's mirror: use it with one spider")
    spider_args = _pairs(args.spider_args, "-a")
    if args.refresh:
        spider_args["refresh"] = "1"
    if args.base_url:
        spider_args["base_url"] = args.base_url
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
    from crawler.analysis.export import ExportError, Filters, export, summary
    from crawler.storage.db import make_engine

    engine = make_engine(database_url(args))
    try:
        written = export(
            engine, Path(args.out), args.format, Filters(args.spider, args.year, args.metric), bom=args.bom
        )
    except ExportError as exc:
        raise UsageError(str(exc)) from exc
    finally:
        engine.dispose()
    print(summary(written, args.format))
    return 0


# -- serve, plot, coverage --------------------------------------------------------------------


def cmd_serve(args: argparse.Namespace) -> int:
    from crawler.analysis.serve import ServeError, serve

    try:
        serve(database_url(args), host=args.host, port=args.port)
    except ServeError as exc:
        raise UsageError(str(exc)) from exc
    return 0


def cmd_plot(args: argparse.Namespace) -> int:
    from crawler.analysis.plots import PlotError, draw_metric, metric_series

    out = _out_file(args.out or f"{args.metric}.png", (".png",))
    try:
        data = metric_series(
            database_url(args),
            args.metric,
            spider=args.spider,
            bodies=args.body,
            scope=args.scope,
            applicant=args.applicant,
        )
        draw_metric(data, out)
    except PlotError as exc:
        raise UsageError(str(exc)) from exc
    print(f"{out}: {args.metric} for {len(data.series)} bodies (data in {out.with_suffix('.json')})")
    return 0


def cmd_coverage(args: argparse.Namespace) -> int:
    from crawler.analysis.plots import PlotError, coverage_matrix, draw_coverage

    out = _out_file(args.out, (".png", ".html"))
    try:
        draw_coverage(coverage_matrix(database_url(args), spider=args.spider), out)
    except PlotError as exc:
        raise UsageError(str(exc)) from exc
    print(f"{out}: report coverage")
    return 0


def _out_file(name: str, suffixes: tuple[str, ...]) -> Path:
    out = Path(name)
    if out.suffix.lower() not in suffixes:
        raise UsageError(f"--out must end in {' or '.join(suffixes)}, got {name}")
    out.parent.mkdir(parents=True, exist_ok=True)
    return out


# -- reparse ----------------------------------------------------------------------------------


def cmd_reparse(args: argparse.Namespace) -> int:
    from sqlalchemy.orm import Session

    from crawler import settings
    from crawler.analysis.reparse import reparse
    from crawler.storage.archive import Archive
    from crawler.storage.db import ensure_schema
    from crawler.storage.objectstore import ArchiveConfigError, ObjectStoreArchive, is_object_store

    archive: Archive | ObjectStoreArchive
    if args.archive_url and args.archive_dir:
        raise UsageError("give --archive-dir or --archive-url, not both")
    location = args.archive_url or (None if args.archive_dir else settings.GOVREPORTS_ARCHIVE_URL)
    if location:
        if not is_object_store(location):
            raise UsageError(f"--archive-url must look like s3://bucket/prefix, got {location!r}")
        try:
            archive = ObjectStoreArchive(location)
            archive.check()
        except ArchiveConfigError as exc:
            raise UsageError(str(exc)) from exc
        where = location
    else:
        archive_dir = Path(args.archive_dir or settings.GOVREPORTS_ARCHIVE_DIR)
        if not archive_dir.is_dir():
            raise UsageError(f"no archive at {archive_dir} (see --archive-dir)")
        archive, where = Archive(archive_dir), str(archive_dir)
    url = database_url(args)
    engine = ensure_schema(url)
    with Session(engine) as session:
        workers = args.workers if args.workers is not None else settings.GOVREPORTS_PARSE_WORKERS
        counts = reparse(
            session,
            archive,
            args.spider,
            workers=int(workers) if workers not in (None, "") else None,
            timeout=settings.GOVREPORTS_PARSE_TIMEOUT or None,
            limits=settings.parse_limits(),
        )
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


# -- portals, discover -------------------------------------------------------------------------


def cmd_portals(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from crawler.registry import RegistryError, load_registry
    from crawler.storage.db import make_engine
    from crawler.storage.portals import portal_status

    try:
        portals = load_registry()
    except RegistryError as exc:
        raise UsageError(str(exc)) from exc
    url = database_url(args)
    status = {}
    if _database_exists(url):  # listing the registry must not create a database
        engine = make_engine(url)
        try:
            status = portal_status(engine)
        except SQLAlchemyError:
            pass  # not migrated yet: every portal is "never crawled"
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
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return True
    return Path(parsed.database).exists()


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
