"""`make bench`: every benchmark figure, measured in one run on this machine, into bench/RESULTS.md.

    python -m bench.run [--bodies 12] [--years 16] [--scale 10] [--repeats 3] [--large-repeats 3] [--profile]

1. Generates the synthetic mirrors (bench/generate.py) into bench/out/: 1× = BODIES bodies ×
   YEARS reports, and SCALE× the bodies for the memory figure.
2. Serves the 1× mirror (bench/serve.py, its own process) and runs, after one warm-up crawl that
   records its requests: REPEATS × [full crawl into a fresh SQLite database, bare Scrapy
   baseline on the recorded requests, re-crawl of the unchanged mirror into the same database],
   interleaved so every pair sees the same machine. Each crawl is its own process (bench/crawl.py):
   wall seconds, CPU seconds and peak RSS come from the OS (wait4).
3. LARGE_REPEATS full crawls of the SCALE× mirror: their peak RSS against the 1× crawls'.
4. Parse throughput (bench/parse.py) and database write rate (bench/dbwrite.py), each in its own
   process. --profile also writes a cProfile of one 1× crawl to bench/out/profile.txt.
Figures are medians; every sample is kept in bench/out/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import pstats
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from bench.generate import generate
from bench.serve import served

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
OUT = BENCH / "out"
BEGIN, END = "<!-- figures:begin (written by make bench) -->", "<!-- figures:end -->"


PAGE_MIB = os.sysconf("SC_PAGE_SIZE") / 2**20
SAMPLE_EVERY = 0.05  # seconds between samples of the process tree's memory


def tree_rss_mib(root: int) -> tuple[float, int]:
    """Resident memory of a process and all its descendants (the parse workers), in MiB, and the
    number of processes. Pages shared between them (libraries) count once per process: an upper
    bound of what the tree holds."""
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(f"/proc/{entry.name}/stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in tree:
                tree.add(pid)
                frontier.append(pid)
    total = 0.0
    for pid in tree:
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_MIB
        except (OSError, IndexError, ValueError):
            pass  # gone between the scan and the read
    return total, len(tree)


class TreeMemory(threading.Thread):
    """Samples the process tree's resident memory until stopped: the peak, and the most processes."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_mib, self.processes = pid, 0.0, 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(SAMPLE_EVERY):
            rss, processes = tree_rss_mib(self.pid)
            self.peak_mib, self.processes = max(self.peak_mib, rss), max(self.processes, processes)


def run(args: list[str]) -> dict:
    """A benchmark step in its own process: its JSON line plus wall s and CPU s from wait4 (the
    process and every child it waited for: the parse workers), the peak RSS of that process alone
    (wait4) and of the process with its workers (`tree_peak_rss_mib`, sampled every 50 ms)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVREPORTS_")}
    env["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""  # offline: the bundled Public Suffix List
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", *args], cwd=REPO, env=env, stdout=out, stderr=err, text=True)
        memory = TreeMemory(proc.pid)
        memory.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        memory.done.set()
        memory.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0), err.seek(0)
        stdout, stderr = out.read(), err.read()
    if proc.returncode != 0 or not stdout.strip():
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}):\n{stderr[-3000:]}")
    result = json.loads(stdout.strip().splitlines()[-1])
    result.update(
        wall_s=wall,
        cpu_s=usage.ru_utime + usage.ru_stime,
        peak_rss_mib=usage.ru_maxrss / 1024,
        tree_peak_rss_mib=max(memory.peak_mib, usage.ru_maxrss / 1024),
        processes=memory.processes,
    )
    return result


def crawl(mode: str, workdir: Path, *extra: str) -> dict:
    return run(["bench.crawl", mode, "--workdir", str(workdir), *extra])


def stat(result: dict, key: str) -> int:
    """A crawl stat summed over its spiders."""
    return sum(s.get(key) or 0 for s in result["spiders"].values())


def requests(result: dict) -> int:
    return stat(result, "downloader/request_count")


def reports(result: dict) -> int:
    return stat(result, "govreports/reports_new")


def peaks(runs: list[dict], key: str = "peak_rss_mib") -> str:
    return ", ".join(f"{r[key]:.0f}" for r in runs)


def _ratios(values: list[float]) -> str:
    return ", ".join(f"{v:.2f}×" for v in values)


def median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def machine() -> dict:
    cpu = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
    mem = re.search(r"MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text())
    pg = shutil.which("postgres") or next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"))), None)
    pg_version = (
        subprocess.run([str(pg), "--version"], capture_output=True, text=True).stdout.strip() if pg else "not installed"
    )
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    return {
        "cpu": cpu.group(1).strip() if cpu else platform.processor(),
        "cores": os.cpu_count(),
        "memory_gib": round(int(mem.group(1)) / 1024 / 1024, 1) if mem else None,
        "os": platform.platform(),
        "python": platform.python_version(),
        "scrapy": metadata.version("scrapy"),
        "lxml": metadata.version("lxml"),
        "sqlalchemy": metadata.version("sqlalchemy"),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": pg_version,
        "commit": commit + (" + uncommitted changes" if dirty else ""),
    }


def bench(args: argparse.Namespace) -> dict:
    OUT.mkdir(exist_ok=True)
    results: dict = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "load_before": os.getloadavg(),
    }
    small = generate(OUT / "site-1x", args.bodies, args.years)
    large = generate(OUT / f"site-{args.scale}x", args.bodies * args.scale, args.years)
    results["sites"] = {
        k: {x: v[x] for x in ("reports", "attachments", "files", "bytes", "templates")}
        for k, v in (("1x", small), (f"{args.scale}x", large))
    }
    runs = OUT / "runs"
    shutil.rmtree(runs, ignore_errors=True)
    # both mirrors served at once, so every round crawls 1× and SCALE× on the same machine state
    with served(OUT / "site-1x") as url, served(OUT / f"site-{args.scale}x") as large_url:
        print(f"1× mirror at {url}: warm-up crawl", flush=True)
        warm = crawl("full", runs / "warmup", "--base-url", url, "--record", str(runs / "requests.json"))
        samples: dict[str, list[dict]] = {"full": [], "bare": [], "recrawl": []}
        results["large"] = []
        for n in range(args.repeats):
            large_too = n < args.large_repeats
            print(
                f"round {n + 1}/{args.repeats}: full, bare, re-crawl" + (f", {args.scale}× full" if large_too else ""),
                flush=True,
            )
            samples["full"].append(crawl("full", runs / f"full{n}", "--base-url", url))
            samples["bare"].append(crawl("bare", runs / f"bare{n}", "--urls", str(runs / "requests.json")))
            samples["recrawl"].append(crawl("full", runs / f"full{n}", "--base-url", url))
            if large_too:
                results["large"].append(crawl("full", runs / f"large{n}", "--base-url", large_url))
        if args.profile:
            print("profiled crawl", flush=True)
            crawl("full", runs / "profiled", "--base-url", url, "--profile", str(OUT / "crawl.prof"))
            write_profile(OUT / "crawl.prof", OUT / "profile.txt")
    results["warmup"] = warm
    results["samples"] = samples
    print("parse throughput", flush=True)
    results["parse"] = run(["bench.parse", str(OUT / "site-1x"), "--profile", str(OUT / "parse.prof")])
    results["parse"]["stages"] = parse_stages(OUT / "parse.prof", results["parse"]["pages"])
    print("database write rate", flush=True)
    results["dbwrite"] = run(["bench.dbwrite", str(OUT / "site-1x")])
    results["load_after"] = os.getloadavg()
    results["incremental"] = incremental_present()
    (OUT / "results.json").write_text(json.dumps(results, indent=1, default=str))
    return results


def incremental_present() -> bool:
    """Whether this checkout's crawl skips unchanged reports (crawler/middlewares/incremental.py in settings)."""
    settings = (REPO / "crawler" / "settings.py").read_text()
    return (
        REPO / "crawler" / "middlewares" / "incremental.py"
    ).exists() and "crawler.middlewares.incremental" in settings


# The stages of parse_documents, as the profile of bench/parse.py names them.
STAGES = (
    ("parse_documents", "`parse_documents`, total"),
    ("parse_html", "one lxml tree of the page (`html.parse_html`)"),
    ("tree_to_text", "article text (`html.tree_to_text`)"),
    ("tables_from_tree", "tables (`tables.tables_from_tree`)"),
    ("extract_metadata", "metadata (`metadata.extract_metadata`)"),
    ("leading_lines", "… of which the page's header lines (`html.leading_lines`)"),
    ("read_statistics", "statistics (`statistics.read_statistics`)"),
    ("headline_metrics", "prose headline numbers (`prose.headline_metrics`)"),
    ("check_rules", "勾稽 rules (`rules.check_rules`)"),
)


def parse_stages(prof: Path, pages: int) -> dict[str, float]:
    """Profiled milliseconds per report of each stage of parse_documents (cumulative time: the
    profiler's own cost included, so larger than unprofiled time; compare stages with each other)."""
    stats = pstats.Stats(str(prof)).stats  # type: ignore[attr-defined]
    wanted = {name for name, _ in STAGES}
    found: dict[str, float] = {}
    for (path, _, name), (_, _, _, cumulative, _) in stats.items():
        if name in wanted and "crawler/parsing" in path:
            found[name] = found.get(name, 0.0) + 1000 * cumulative / pages
    return found


def write_profile(prof: Path, out: Path) -> None:
    with out.open("w") as fh:
        stats = pstats.Stats(str(prof), stream=fh)
        stats.sort_stats("cumulative").print_stats(60)
        stats.sort_stats("tottime").print_stats(40)


# ---------------------------------------------------------------------------------------------
# RESULTS.md


def figures(r: dict) -> str:
    m, s = r["machine"], r["samples"]
    full, bare, recrawl, large = s["full"], s["bare"], s["recrawl"], r["large"]
    small_site, scale = r["sites"]["1x"], next(k for k in r["sites"] if k != "1x")
    n_reports = reports(full[0])
    parse, db = r["parse"], r["dbwrite"]
    wall_ratio = median(full, "wall_s") / median(bare, "wall_s")
    crawl_ratio = median(full, "seconds") / median(bare, "seconds")
    cpu_ratio = median(full, "cpu_s") / median(bare, "cpu_s")
    tree = "tree_peak_rss_mib"
    rss_growth = median(large, tree) / median(full, tree) - 1
    # round by round: each SCALE× crawl against the 1× crawl of its own round
    per_round = [big[tree] / small[tree] - 1 for big, small in zip(large, full, strict=False)]
    pairs = {k: [f[k] / b[k] for f, b in zip(full, bare, strict=True)] for k in ("wall_s", "seconds")}
    pending = (
        ""
        if r["incremental"]
        else " — **pending: the incremental feature is not in this checkout; this is a plain re-crawl**"
    )

    def row(name: str, runs: list[dict]) -> str:
        return (
            f"| {name} | {median(runs, 'wall_s'):.1f} | {median(runs, 'seconds'):.1f} | {median(runs, 'cpu_s'):.1f} | "
            f"{median(runs, 'peak_rss_mib'):.0f} | {median(runs, tree):.0f} ({max(x['processes'] for x in runs)}) | "
            f"{statistics.median(requests(x) for x in runs)} |"
        )

    lines = [
        BEGIN,
        f"Measured {r['date']} on {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB; {m['os']}.",
        f"Python {m['python']}, Scrapy {m['scrapy']}, lxml {m['lxml']}, SQLAlchemy {m['sqlalchemy']}, "
        f"SQLite {m['sqlite']}, {m['postgresql']}. Code: commit {m['commit']}.",
        f"Load average before/after: {r['load_before'][0]:.2f} / {r['load_after'][0]:.2f} (the machine is shared: "
        "compare ratios from the same run, not absolute seconds across runs).",
        "",
        f"Mirror 1×: {small_site['reports']} reports ({small_site['templates']}), {small_site['attachments']} PDF "
        f"attachments, {small_site['files']} files, {small_site['bytes'] / 2**20:.0f} MiB; {scale}: "
        f"{r['sites'][scale]['reports']} reports. Medians of {len(full)} interleaved rounds after one warm-up crawl.",
        "",
        "| 1× crawl | wall s (process) | crawl s (engine) | CPU s (with workers) | peak RSS MiB, one process |"
        " peak RSS MiB, process tree (processes) | requests |",
        "|---|---|---|---|---|---|---|",
        row("full crawl into SQLite", full),
        row("bare Scrapy, same requests", bare),
        row("re-crawl, unchanged mirror", recrawl),
        "",
        "| figure | value | target |",
        "|---|---|---|",
        f"| (a) full crawl ÷ bare Scrapy, wall (process / engine) | **{wall_ratio:.1f}×** / {crawl_ratio:.1f}× "
        f"(CPU {cpu_ratio:.1f}×); round by round {_ratios(pairs['wall_s'])} / {_ratios(pairs['seconds'])}; "
        f"{n_reports / median(full, 'seconds'):.1f} reports/s | ≤ 1.5× (target 1.25×) |",
        f"| (b) parse throughput, one core | **{parse['ours_per_s']:.1f} reports/s** "
        f"({parse['ms_per_report']:.1f} ms each) "
        f"vs lxml alone {parse['lxml_per_s']:.0f} pages/s: **{parse['ratio']:.1f}×** lxml's time "
        f"(repeats {_ratios([o / x for o, x in zip(parse['ours_cpu_s'], parse['lxml_cpu_s'], strict=True)])}) | ≤ 8× |",
        "| (c) re-crawl of the unchanged mirror ÷ first crawl | requests "
        f"{statistics.median(requests(x) for x in recrawl)} / {statistics.median(requests(x) for x in full)}, "
        f"time **{median(recrawl, 'wall_s') / median(full, 'wall_s'):.2f}×** "
        f"(engine {median(recrawl, 'seconds') / median(full, 'seconds'):.2f}×); reports parsed again "
        f"{sum(stat(recrawl[0], 'govreports/reports_' + k) for k in ('new', 'changed', 'unchanged'))}, "
        f"skipped {stat(recrawl[0], 'govreports/reports_skipped')}{pending} | — |",
        f"| (d) peak RSS of the process tree (crawl + parse workers), {scale} ÷ 1× | {median(large, tree):.0f} / "
        f"{median(full, tree):.0f} MiB: **{rss_growth:+.0%}**; round by round "
        f"{', '.join(f'{g:+.0%}' for g in per_round)} ({reports(large[0])} vs {n_reports} reports; tree samples "
        f"{peaks(large, tree)} / {peaks(full, tree)}; one process {peaks(large)} / {peaks(full)}) "
        "| < +10% in every round |",
        f"| (e) database writes, metric rows/s | SQLite **{db['sqlite']['rows_per_s']:,.0f}**"
        + (
            f", PostgreSQL **{db['postgresql']['rows_per_s']:,.0f}**"
            if "postgresql" in db
            else ", PostgreSQL: not installed"
        )
        + (
            f" ({db['reports']} reports × ~{db['sqlite']['metric_rows'] // db['reports']} rows, "
            f"batches of {db['batch_size']}) | — |"
        ),
    ]
    stages = parse.get("stages") or {}
    if stages:
        lines += [
            "",
            f"Profile of bench/parse.py ({parse['pages']} report pages under cProfile, cumulative ms per report; the"
            " profiler's own cost makes them larger than the unprofiled time above):",
            "",
            "| stage | ms per report (profiled) |",
            "|---|---|",
            *(f"| {label} | {stages[name]:.2f} |" for name, label in STAGES if name in stages),
        ]
    lines.append(END)
    return "\n".join(lines)


def write_results(r: dict, path: Path) -> None:
    text = path.read_text() if path.exists() else f"# Benchmarks\n\n{BEGIN}\n{END}\n"
    before, _, rest = text.partition(BEGIN)
    _, _, after = rest.partition(END)
    path.write_text(before + figures(r) + after)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bodies", type=int, default=12)
    parser.add_argument("--years", type=int, default=16)
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--large-repeats", type=int, default=3, help="rounds that also crawl the SCALE× mirror")
    parser.add_argument("--profile", action="store_true", help="also profile one 1× crawl (bench/out/profile.txt)")
    parser.add_argument("--results", type=Path, default=BENCH / "RESULTS.md")
    parser.add_argument("--rewrite", type=Path, help="only rewrite RESULTS.md from this results.json")
    args = parser.parse_args()
    r = json.loads(args.rewrite.read_text()) if args.rewrite else bench(args)
    write_results(r, args.results)
    print(figures(r))


if __name__ == "__main__":
    main()
