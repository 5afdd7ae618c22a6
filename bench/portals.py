"""What one portal's crawl costs, as a worker of the distributed crawl runs it (crawler/distributed/tasks.py):
one `python -m crawler.cli crawl NAME --base-url URL --job-dir D` process (with its parse worker)
per portal, into PostgreSQL, first crawl then re-crawl of the unchanged portal (the nightly case).
Per portal: wall s, CPU s (wait4: the crawl and the parse worker it reaped), peak RSS of the
process tree (sampled), requests (crawl_runs: retries not counted), reports; then the database
(PostgreSQL relation sizes of the crawl's tables) and raw archive bytes per report. Rewrites its
block of bench/RESULTS.md.

    python -m bench.portals            (about a minute; needs PostgreSQL's binaries, tests/pg.py)
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from bench.run import TreeMemory
from crawler.mirror.server import Mirror
from crawler.storage.models import CrawlRun

REPO = Path(__file__).resolve().parent.parent
SITES = REPO / "tests" / "sites"
RESULTS = REPO / "bench" / "RESULTS.md"
PORTALS = ["dongying", "huaibei", "zhucheng", "dongsheng", "linyi_etdz"]
BEGIN, END = "<!-- portals:begin (written by python -m bench.portals) -->", "<!-- portals:end -->"
TABLES = ["bodies", "reports", "report_versions", "documents", "report_metrics", "validation_findings"]


def crawl(name: str, base_url: str, work: Path, url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVREPORTS_")}
    env.update(
        TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS="",
        GOVREPORTS_ARCHIVE_DIR=str(work / "archive"),
        GOVREPORTS_DOWNLOAD_DELAY="0",
        GOVREPORTS_AUTOTHROTTLE="0",
        GOVREPORTS_PARSE_WORKERS="1",
        GOVREPORTS_LOG_LEVEL="WARNING",
    )
    cmd = [sys.executable, "-m", "crawler.cli", "crawl", name, "--base-url", base_url]
    cmd += ["--job-dir", str(work / "jobs" / name), "--database-url", url]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    memory = TreeMemory(proc.pid)
    memory.start()
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    memory.done.set()
    memory.join()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{name}: crawl failed:\n{err.decode(errors='replace')[-3000:]}")
    engine = create_engine(url)
    with Session(engine) as s:
        run = s.scalars(select(CrawlRun).where(CrawlRun.spider == name).order_by(CrawlRun.id.desc())).first()
        assert run is not None and run.summary is not None
        summary = run.summary
    engine.dispose()
    r = summary["reports"]
    return {
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "rss_mib": max(memory.peak_mib, usage.ru_maxrss / 1024),
        "requests": summary["requests"],
        "reports": r["new"] + r["changed"] + r["unchanged"],
        "new": r["new"],
    }


def sizes(url: str) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as conn:
        out = {t: conn.execute(text(f"SELECT pg_total_relation_size('{t}')")).scalar_one() for t in TABLES}
        out["database"] = conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
        out["report_rows"] = conn.execute(text("SELECT count(*) FROM reports")).scalar_one()
        out["metric_rows"] = conn.execute(text("SELECT count(*) FROM report_metrics")).scalar_one()
        out["documents"] = conn.execute(text("SELECT count(*) FROM documents")).scalar_one()
    engine.dispose()
    return out


def measure() -> dict:
    from tests.pg import PostgresServer

    pg = PostgresServer()
    try:
        url = pg.database()
        with tempfile.TemporaryDirectory(prefix="govreports-bench-portals-") as tmp:
            work = Path(tmp)
            rows = []
            for name in PORTALS:
                with Mirror(SITES / name) as mirror:
                    first = crawl(name, mirror.base_url, work, url)
                    again = crawl(name, mirror.base_url, work, url)
                rows.append({"portal": name, "first": first, "again": again})
            archive = sum(p.stat().st_size for p in (work / "archive").rglob("*") if p.is_file())
            db = sizes(url)
        # an empty database's size: the crawl's schema and metric dictionary before any report
        empty_url = pg.database()
        from crawler.storage.db import ensure_schema

        ensure_schema(empty_url).dispose()
        empty = sizes(empty_url)["database"]
    finally:
        pg.stop()
    return {"rows": rows, "archive_bytes": archive, "db": db, "empty_db": empty, "at": datetime.now(UTC)}


def median(values: list[float]) -> float:
    values = sorted(values)
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def block(m: dict) -> str:
    rows, db = m["rows"], m["db"]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout
    load = os.getloadavg()[0]
    lines = [
        BEGIN,
        "## Per portal: one crawl process, as a worker runs it (`python -m bench.portals`)",
        "",
        f"Measured {m['at']:%Y-%m-%d %H:%M} UTC, commit {commit.strip()}, {os.cpu_count()} cores "
        f"({platform.processor() or platform.machine()}), load {load:.2f}; throttling off (the mirrors answer "
        "at once), one parse worker, PostgreSQL (tests/pg.py). CPU s: the crawl process and its parse worker "
        "(wait4); RSS: the process tree's peak (sampled every 50 ms). A re-crawl is the nightly case: the "
        "portal unchanged, lists read, no report fetched again.",
        "",
        "| portal | reports | requests, first | wall s | CPU s | peak RSS MiB | requests, re-crawl | wall s | CPU s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        f, a = r["first"], r["again"]
        lines.append(
            f"| {r['portal']} | {f['reports']} | {f['requests']} | {f['wall_s']:.1f} | {f['cpu_s']:.1f} | "
            f"{f['rss_mib']:.0f} | {a['requests']} | {a['wall_s']:.1f} | {a['cpu_s']:.1f} |"
        )
    reports = sum(r["first"]["reports"] for r in rows)
    first_cpu = sum(r["first"]["cpu_s"] for r in rows)
    again_cpu = [r["again"]["cpu_s"] for r in rows]
    first_req = sum(r["first"]["requests"] for r in rows)
    again_req = [r["again"]["requests"] for r in rows]
    fixed = median(again_cpu)
    per_report = (first_cpu - sum(again_cpu)) / reports
    data = db["database"] - m["empty_db"]
    crawl_tables = sum(db[t] for t in TABLES)
    lines += [
        "",
        "| figure | value |",
        "|---|---|",
        f"| CPU of one portal's crawl process, nothing new (median re-crawl) | **{fixed:.1f} s** "
        "(interpreter, imports, schema check, robots.txt, lists) |",
        f"| CPU per new report, above that | **{per_report * 1000:.0f} ms** "
        f"((first − re-crawl CPU) ÷ {reports} reports) |",
        f"| requests per portal, re-crawl (median) | **{median(again_req):.0f}** "
        f"(range {min(again_req)}–{max(again_req)}) |",
        f"| requests per new report, first crawl | **{first_req / reports:.1f}** "
        f"({first_req} ÷ {reports}; lists included) |",
        f"| peak RSS of a crawl process tree | **{max(r['first']['rss_mib'] for r in rows):.0f} MiB** "
        "(largest portal) |",
        f"| database per report (PostgreSQL) | **{crawl_tables / db['report_rows'] / 1024:.0f} KiB** in the crawl's "
        f"tables with indexes ({db['report_rows']} reports, {db['metric_rows']} metric rows, "
        f"{db['documents']} documents: each table and index takes whole 8 KiB pages, an upper bound at this size); "
        f"database growth {data / db['report_rows'] / 1024:.0f} KiB a report over an empty migrated one |",
        f"| raw archive per report | **{m['archive_bytes'] / reports / 1024:.0f} KiB** gzip (the mirrors' pages "
        f"and attachments, {m['archive_bytes'] / 2**20:.1f} MiB for {reports} reports) |",
        END,
    ]
    return "\n".join(lines)


def write(text_block: str, path: Path = RESULTS) -> None:
    content = path.read_text("utf-8")
    if BEGIN in content and END in content:
        head, rest = content.split(BEGIN, 1)
        content = head + text_block + rest.split(END, 1)[1]
    else:
        marker = "## Not done"
        content = (
            content.replace(marker, text_block + "\n\n" + marker)
            if marker in content
            else content + "\n" + text_block + "\n"
        )
    path.write_text(content, "utf-8")


def main() -> None:
    result = block(measure())
    write(result)
    print(result)
    print(json.dumps({"written": str(RESULTS)}))


if __name__ == "__main__":
    main()
