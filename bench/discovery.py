"""What discovery costs: per portal mirror, the requests a first crawl spends on finding its report
columns, all requests of that crawl, and the requests of a re-crawl of the unchanged portal
(remembered columns: list pages only). Prints a markdown table for bench/RESULTS.md.

    python -m bench.discovery [--registry tests/sites/unknown_portals.toml]

Portals: the five seeds (their mirrors, hints as in crawler/data/portals.toml), the linyi_etdz
mirror with its lists moved (tests/test_discovery.py) crawled from its failing hints, the two
unknown-CMS fixtures of tests/test_generic_portal.py, and every portal of the given registry whose
mirror is tests/sites/<name>/ (entries with name, home_url, body, level only: discovery from the
home page and platform detection)."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from crawler.mirror.server import Mirror
from crawler.storage.models import CrawlRun

REPO = Path(__file__).resolve().parent.parent
SITES = REPO / "tests" / "sites"


def crawl(name: str, base_url: str, workdir: Path, registry: Path | None) -> tuple[int, dict]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVREPORTS_")}
    env["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""
    if registry:
        env["GOVREPORTS_PORTALS"] = str(registry)
    url = f"sqlite:///{workdir}/govreports.db"
    settings = {
        "GOVREPORTS_DATABASE_URL": url,
        "GOVREPORTS_ARCHIVE_DIR": str(workdir / "archive"),
        "GOVREPORTS_DEADLETTER_DIR": str(workdir / "deadletter"),
        "DOWNLOAD_DELAY": "0",
        "AUTOTHROTTLE_ENABLED": "0",
        "LOG_LEVEL": "WARNING",
    }
    cmd = [sys.executable, "-m", "scrapy", "crawl", name, "-a", f"base_url={base_url}"]
    for key, value in settings.items():
        cmd += ["-s", f"{key}={value}"]
    done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    engine = create_engine(url)
    with Session(engine) as session:
        run = session.scalars(select(CrawlRun).where(CrawlRun.spider == name).order_by(CrawlRun.id.desc())).first()
        stats = dict(run.stats or {}) if run else {}
        stats["reports"] = (run.reports_new + run.reports_changed + run.reports_unchanged) if run else 0
    engine.dispose()
    return done.returncode, stats


def measure(name: str, site: Path, registry: Path | None) -> dict:
    with tempfile.TemporaryDirectory() as tmp, Mirror(site) as mirror:
        work = Path(tmp)
        rc1, first = crawl(name, mirror.base_url, work, registry)
        rc2, second = crawl(name, mirror.base_url, work, registry)
    record = json.loads(first.get("govreports/discovery") or "{}")
    detected = (record.get("detected") or {}).get("platform")
    return {
        "portal": name,
        "platform": record.get("platform") or "?",
        "detected": "yes" if detected else "no (given)",
        "discovery": int(first.get("govreports/discovery_requests", 0)),
        "first": int(first.get("downloader/request_count", 0)),
        "reports": first["reports"],
        "recrawl": int(second.get("downloader/request_count", 0)),
        "recrawl_discovery": int(second.get("govreports/discovery_requests", 0)),
        "ok": rc1 == 0 and rc2 == 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--registry", type=Path, default=SITES / "unknown_portals.toml")
    args = parser.parse_args()
    rows = [measure(n, SITES / n, None) for n in ("dongying", "huaibei", "zhucheng", "dongsheng", "linyi_etdz")]
    with tempfile.TemporaryDirectory() as tmp:
        sys.path.insert(0, str(REPO))
        from tests.test_discovery import moved_linyi_site

        moved = moved_linyi_site(Path(tmp))
        row = measure("linyi_etdz", moved, None)
        rows.append({**row, "portal": "linyi_etdz (lists moved)"})
        from tests.test_generic_portal import asp_site, json_site, registry

        for name, build, body, level in (
            ("pingyuan", asp_site, "平原县人民政府", "county"),
            ("changqing", json_site, "济南市长清区人民政府", "district"),
        ):
            site = build(Path(tmp))
            entry = registry(Path(tmp), name, f"http://www.{name}.example", body, level)
            rows.append({**measure(name, site, entry), "portal": f"{name} (tests/test_generic_portal.py)"})
    if args.registry.exists():
        for entry in tomllib.loads(args.registry.read_text("utf-8")).get("portal", []):
            if (SITES / entry["name"] / "root").is_dir():
                rows.append(measure(entry["name"], SITES / entry["name"], args.registry))
    print(
        "| portal | platform | detected | discovery requests | requests, first crawl | reports | requests, re-crawl | "
        "discovery requests, re-crawl | exit 0 |"
    )
    print("|---|---|---|---:|---:|---:|---:|---:|---|")
    for r in rows:
        print(
            f"| {r['portal']} | {r['platform']} | {r['detected']} | {r['discovery']} | {r['first']} | {r['reports']} "
            f"| {r['recrawl']} | {r['recrawl_discovery']} | {'yes' if r['ok'] else 'no'} |"
        )


if __name__ == "__main__":
    main()
