"""Parse throughput, in this process (one core): report pages of a generated mirror normalised by
crawler.parsing.report.parse_documents — what the parse pipeline runs per report — against lxml
parsing the same pages and doing nothing else. CPU seconds (time.process_time), warm-up first,
median of repeats. Prints one JSON line.

    python -m bench.parse bench/out/site-1x [--repeats 3] [--profile FILE]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import statistics
import time
from pathlib import Path

from lxml import html as lxml_html

from crawler.parsing.report import SourceDocument, parse_documents


def sample_pages(site: Path, limit: int) -> list[tuple[str, bytes]]:
    manifest = json.loads((site / "manifest.json").read_text())
    return [(path, (site / "root" / path.lstrip("/")).read_bytes()) for path in manifest["sample"][:limit]]


def ours(pages: list[tuple[str, bytes]]) -> int:
    metrics = 0
    for url, body in pages:
        parsed = parse_documents([SourceDocument(url, body, "text/html", "page", "utf-8")], url=url)
        metrics += len(parsed.metrics)
    return metrics


def lxml_alone(pages: list[tuple[str, bytes]]) -> int:
    return sum(len(lxml_html.document_fromstring(body)) for _, body in pages)


def cpu_seconds(fn, pages) -> float:
    started = time.process_time()
    fn(pages)
    return time.process_time() - started


def measure(site: Path, limit: int = 200, repeats: int = 3, profile: str | None = None) -> dict:
    pages = sample_pages(site, limit)
    ours(pages[:20]), lxml_alone(pages[:20])  # warm-up: imports, caches, metric dictionary
    runs: dict[str, list[float]] = {"ours": [], "lxml": []}
    for _ in range(repeats):  # interleaved, so both see the same machine
        runs["ours"].append(cpu_seconds(ours, pages))
        runs["lxml"].append(cpu_seconds(lxml_alone, pages))
    if profile:
        cProfile.runctx("ours(pages)", globals(), {"ours": ours, "pages": pages}, profile)
    ours_s, lxml_s = statistics.median(runs["ours"]), statistics.median(runs["lxml"])
    return {
        "pages": len(pages),
        "bytes": sum(len(b) for _, b in pages),
        "ours_cpu_s": runs["ours"],
        "lxml_cpu_s": runs["lxml"],
        "ours_per_s": len(pages) / ours_s,
        "lxml_per_s": len(pages) / lxml_s,
        "ms_per_report": 1000 * ours_s / len(pages),
        "ratio": ours_s / lxml_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", type=Path)
    parser.add_argument("--limit", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--profile")
    args = parser.parse_args()
    print(json.dumps(measure(args.site, args.limit, args.repeats, args.profile)))


if __name__ == "__main__":
    main()
