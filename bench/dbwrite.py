"""Database write rate: parsed reports written through the storage pipeline (batches, one
transaction each, as a crawl writes them) into a fresh SQLite file and a fresh PostgreSQL
database (a throwaway server from tests/pg.py). Reports are parsed once, before the clock starts;
the clock covers process_item … close_spider. Figure: metric rows per second (median of repeats).

    python -m bench.dbwrite bench/out/site-1x [--reports 200] [--repeats 3] [--profile FILE]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from scrapy.utils.project import get_project_settings
from scrapy.utils.reactor import install_reactor
from scrapy.utils.test import get_crawler

from bench.parse import sample_pages
from crawler.items import ReportPage, validate
from crawler.parsing.report import SourceDocument, parse_documents
from crawler.registry import spider_class
from pipelines.storage import StoragePipeline

DongshengSpider = spider_class("dongsheng")


def parsed_items(site: Path, limit: int) -> list:
    items = []
    for n, (path, body) in enumerate(sample_pages(site, limit)):
        url = f"http://www.ds.gov.cn{path}"
        page = ReportPage(
            spider="dongsheng",
            url=url,
            canonical_url=url,
            body=body,
            headers={"Content-Type": "text/html; charset=utf-8"},
            body_name=f"鄂尔多斯市东胜区第{n % 40}单位",
            body_level="department",
            parent_body="鄂尔多斯市东胜区人民政府",
            sha256=f"{n:064x}",
            storage_path="-",
        )
        parsed = parse_documents([SourceDocument(url, body, "text/html", "page", "utf-8")], url=url)
        items.append(validate(page, parsed))
    return items


def write_once(items: list, database_url: str, workdir: Path, profile: str | None = None) -> dict:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    settings = get_project_settings().copy_to_dict()
    settings.update(
        {
            "GOVREPORTS_DATABASE_URL": database_url,
            "GOVREPORTS_ARCHIVE_DIR": str(workdir / "archive"),
            "GOVREPORTS_DEADLETTER_DIR": str(workdir / "deadletter"),
            "LOG_LEVEL": "WARNING",
        }
    )
    crawler = get_crawler(DongshengSpider, settings)
    crawler.spider = crawler._create_spider(base_url="http://www.ds.gov.cn")
    pipeline = StoragePipeline.from_crawler(crawler)
    pipeline.open_spider()  # migrations: not timed
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    for item in items:
        pipeline.process_item(item)
    pipeline.close_spider()
    if profiler and profile:
        profiler.disable()
        profiler.dump_stats(profile)
    seconds = time.perf_counter() - started
    if pipeline.engine is not None:
        pipeline.engine.dispose()
    rows = sum(len(i.parsed.metrics) for i in items)
    return {
        "seconds": seconds,
        "metric_rows": rows,
        "rows_per_s": rows / seconds,
        "reports_per_s": len(items) / seconds,
    }


def measure(
    site: Path, reports: int = 200, repeats: int = 3, postgres: bool = True, profile: str | None = None
) -> dict:
    install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")  # a crawler wants one
    items = parsed_items(site, reports)
    backends = {"sqlite": lambda d: f"sqlite:///{d}/bench.db"}
    server = None
    if postgres:
        from tests.pg import start_postgres  # the test suite's throwaway server

        server = start_postgres()
        if server is not None:
            backends["postgresql"] = lambda d: server.database()
    out: dict = {"reports": len(items), "batch_size": None}
    try:
        write_once(items[:20], backends["sqlite"](tempfile.mkdtemp()), Path(tempfile.mkdtemp()))  # warm-up
        for name, url_for in backends.items():
            runs = []
            for n in range(repeats):
                with tempfile.TemporaryDirectory() as tmp:
                    prof = f"{profile}.{name}" if profile and n == 0 else None
                    runs.append(write_once(items, url_for(tmp), Path(tmp), prof))
            out[name] = {
                "rows_per_s": statistics.median(r["rows_per_s"] for r in runs),
                "reports_per_s": statistics.median(r["reports_per_s"] for r in runs),
                "metric_rows": runs[0]["metric_rows"],
                "seconds": [r["seconds"] for r in runs],
            }
    finally:
        if server is not None:
            server.stop()
    out["batch_size"] = get_project_settings().getint("GOVREPORTS_BATCH_SIZE")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", type=Path)
    parser.add_argument("--reports", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--profile")
    args = parser.parse_args()
    print(json.dumps(measure(args.site, args.reports, args.repeats, not args.no_postgres, args.profile)))


if __name__ == "__main__":
    main()
