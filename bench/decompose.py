"""Where figure (a) goes: the 1× crawl with the item pipelines added one at a time, against the
bare baseline, so the ratio full ÷ bare splits into what the spiders and middlewares cost, what
the parse pool adds, the archive, and the storage. Each crawl a process of its own, rounds
interleaved, medians; writes its table between the decompose markers of bench/RESULTS.md.

    python -m bench.decompose [--rounds 3]     (after make bench: uses bench/out/site-1x)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bench.generate import generate
from bench.run import OUT, REPO, crawl
from bench.serve import served

BEGIN, END = "<!-- decompose:begin (written by python -m bench.decompose) -->", "<!-- decompose:end -->"
PARSE = {"pipelines.parse.ParsePipeline": 200}
ARCHIVE = {"pipelines.archive.ArchivePipeline": 100}
STAGES: tuple[tuple[str, dict[str, int] | None], ...] = (  # (label, ITEM_PIPELINES): each adds one pipeline
    ("spiders and middlewares, no item pipeline", {}),
    ("+ parse (the worker pool)", PARSE),
    ("+ archive (sha256, gzip, file)", ARCHIVE | PARSE),
    ("+ storage: the full crawl", None),  # the project's own ITEM_PIPELINES
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    site = OUT / "site-1x"
    if not (site / "manifest.json").exists():
        generate(site, 12, 16)
    engine: dict[str, list[float]] = {label: [] for label, _ in STAGES}
    cpu: dict[str, list[float]] = {label: [] for label, _ in STAGES}
    bare_engine: list[float] = []
    bare_cpu: list[float] = []
    load = os.getloadavg()[0]
    with served(site) as url, tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        urls = work / "urls.json"
        crawl("full", work / "record", "--base-url", url, "--record", str(urls))
        for round_ in range(args.rounds):
            print(f"round {round_ + 1}/{args.rounds}", flush=True)
            bare = crawl("bare", work / f"bare{round_}", "--urls", str(urls))
            bare_engine.append(bare["seconds"])
            bare_cpu.append(bare["cpu_s"])
            for number, (label, pipelines) in enumerate(STAGES):
                extra = ["--set", f"ITEM_PIPELINES={json.dumps(pipelines)}"] if pipelines is not None else []
                result = crawl("full", work / f"s{number}r{round_}", "--base-url", url, *extra)
                engine[label].append(result["seconds"])
                cpu[label].append(result["cpu_s"])
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
    b_engine, b_cpu = statistics.median(bare_engine), statistics.median(bare_cpu)
    lines = [
        BEGIN,
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit.stdout.strip()}, load {load:.2f}; "
        f"the 1× mirror (192 reports), medians of {args.rounds} interleaved rounds.",
        "",
        "| crawl | engine s | ÷ bare | CPU s (with workers) | ÷ bare |",
        "|---|---:|---:|---:|---:|",
        f"| bare Scrapy, same requests | {b_engine:.2f} | 1.0× | {b_cpu:.2f} | 1.0× |",
    ]
    for label, _ in STAGES:
        e, c = statistics.median(engine[label]), statistics.median(cpu[label])
        lines.append(f"| {label} | {e:.2f} | {e / b_engine:.1f}× | {c:.2f} | {c / b_cpu:.1f}× |")
    lines.append(END)
    block = "\n".join(lines)
    print(block)
    results = REPO / "bench" / "RESULTS.md"
    text = results.read_text("utf-8")
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + block + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    results.write_text(text, "utf-8")


if __name__ == "__main__":
    main()
