"""`govreports plot` and `govreports coverage`: PNG charts (and an HTML coverage table) read
from the analysts' views, with Chinese labels in a CJK font.

Each chart has a data function (`metric_series`, `coverage_matrix`) returning exactly what is
drawn, and a drawing function that also writes that data beside the PNG as JSON (FILE.json), so
tests and analysts check numbers, not pixels. Drawing needs the optional extra `[plot]`
(matplotlib) and a CJK font (e.g. Debian's fonts-wqy-zenhei or fonts-noto-cjk)."""

from __future__ import annotations

import html
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text

from crawler.errors import CommandError, UsageError, require
from crawler.parsing.metrics import load_metrics
from crawler.storage.db import open_database

# Preferred CJK families (simplified Chinese first); any other installed font that covers
# CJK_SAMPLE is taken when none of these is there.
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Noto Serif CJK SC",
    "AR PL UMing CN",
    "Droid Sans Fallback",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Heiti SC",
)
CJK_SAMPLE = "政府信息公开年度报告复议诉讼缺失"
NOT_A_FONT = ("Last Resort",)  # placeholder glyphs for every code point: tofu by design

STATUSES = ("missing", "found", "parsed")  # coverage cell values, in colour order
STATUS_LABELS = {"missing": "缺失 missing", "found": "有报告无统计 found", "parsed": "已解析 parsed"}
STATUS_COLOURS = {"missing": "#eeeeee", "found": "#f4b942", "parsed": "#2a9d8f"}


class PlotError(UsageError):
    """Why a chart cannot be drawn from what was asked: one line, exit status 2."""


# -- data ---------------------------------------------------------------------------------------


@dataclass
class MetricSeries:
    code: str
    label_zh: str
    unit: str | None
    series: dict[str, dict[int, float]]  # body -> year -> value

    def to_json(self) -> dict:
        return {
            "metric": self.code,
            "label_zh": self.label_zh,
            "unit": self.unit,
            "series": {body: {str(y): v for y, v in years.items()} for body, years in self.series.items()},
        }


def metric_series(
    url: str,
    code: str,
    *,
    spider: str | None = None,
    bodies: list[str] | None = None,
    scope: str | None = None,
    applicant: str = "total",
) -> MetricSeries:
    """One value per body and year of metric `code` (from the metric_values view).

    scope self|region takes that scope, or the value of a report that has no scope split (2019+
    forms, prose); without it, region before self before none, as report_summary picks.
    applicant (default total) likewise, falling back to metrics without an applicant column.
    Two reports of one body in one year: the one stored last wins."""
    definition = load_metrics().get(code)
    if definition is None or definition.is_heading:
        raise PlotError(f"no metric {code!r} in the metric dictionary (crawler/data/metrics.csv)")
    scope_rank = {scope: 0, None: 1} if scope else {"region": 0, "self": 1, None: 2}
    applicant_rank = {applicant: 0, None: 1}
    sql = (
        "SELECT body, year, scope, applicant, value, report_id FROM metric_values "
        "WHERE code = :code AND value IS NOT NULL AND (:spider IS NULL OR spider = :spider)"
    )
    engine = open_database(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text(sql), {"code": code, "spider": spider}).all()
    finally:
        engine.dispose()
    best: dict[tuple[str, int], tuple] = {}
    for body, year, row_scope, row_applicant, value, report_id in rows:
        if bodies and body not in bodies:
            continue
        if row_scope not in scope_rank or row_applicant not in applicant_rank:
            continue
        rank = (scope_rank[row_scope], applicant_rank[row_applicant], -report_id)
        if (body, year) not in best or rank < best[(body, year)][0]:
            best[(body, year)] = (rank, float(value))
    series: dict[str, dict[int, float]] = defaultdict(dict)
    for (body, year), (_rank, value) in sorted(best.items()):
        series[body][year] = value
    return MetricSeries(code, " / ".join(definition.labels), definition.unit, dict(series))


@dataclass
class Coverage:
    bodies: list[str]
    years: list[int]
    cells: dict[tuple[str, int], str]  # (body, year) -> found | parsed; every other cell is missing

    def status(self, body: str, year: int) -> str:
        return self.cells.get((body, year), "missing")

    def to_json(self) -> dict:
        return {
            "years": self.years,
            "bodies": {b: {str(y): self.status(b, y) for y in self.years} for b in self.bodies},
        }


def coverage_matrix(url: str, *, spider: str | None = None) -> Coverage:
    """Bodies × years (from the first to the last report year stored): parsed when a report of
    that year has statistics, found when it has none, missing when there is no report."""
    sql = (
        "SELECT body, year, MAX(metrics) FROM report_summary "
        "WHERE :spider IS NULL OR spider = :spider GROUP BY body, year"
    )
    engine = open_database(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text(sql), {"spider": spider}).all()
    finally:
        engine.dispose()
    if not rows:
        raise PlotError("no reports in the database" + (f" from spider {spider}" if spider else ""))
    cells = {(body, year): "parsed" if metrics else "found" for body, year, metrics in rows}
    first, last = min(y for _, y, _ in rows), max(y for _, y, _ in rows)
    return Coverage(sorted({b for b, _, _ in rows}), list(range(first, last + 1)), cells)


# -- drawing ------------------------------------------------------------------------------------


def cjk_rc() -> dict:
    """matplotlib settings that draw text in an installed CJK font, at a weight the font has
    (WenQuanYi Zen Hei exists only at 500: asking for 400 would warn on every text)."""
    font = cjk_font()
    weights = ("font.weight", "axes.titleweight", "axes.labelweight", "figure.titleweight")
    return {"font.family": [font.name], "axes.unicode_minus": False} | dict.fromkeys(weights, font.weight)


def cjk_font():  # -> matplotlib.font_manager.FontEntry
    """An installed font that draws Chinese (found with matplotlib's font_manager), or
    PlotError saying what to install."""
    require("matplotlib", "drawing a chart")
    from matplotlib import font_manager

    found = _cjk_font_in(font_manager.fontManager.ttflist)
    if found is None:  # installed after matplotlib cached its font list: look at the files again
        known = {f.fname for f in font_manager.fontManager.ttflist}
        for path in font_manager.findSystemFonts():
            if path not in known:
                try:
                    font_manager.fontManager.addfont(path)
                except Exception:  # a font file matplotlib cannot read
                    continue
        found = _cjk_font_in(font_manager.fontManager.ttflist)
    if found is None:
        raise CommandError(
            "no CJK font for the Chinese labels: install one, e.g. "
            "`apt-get install fonts-wqy-zenhei` (or fonts-noto-cjk), then try again"
        )
    return found


def _cjk_font_in(fonts: list):  # -> FontEntry | None
    by_name = {f.name: f for f in fonts}
    for family in CJK_FAMILIES:
        if family in by_name:
            return by_name[family]
    for font in sorted(fonts, key=lambda f: f.name):
        if not font.name.startswith(NOT_A_FONT) and covers(font.fname, CJK_SAMPLE):
            return font
    return None


def covers(font_file: str, text_: str) -> bool:
    """Whether the font has a glyph for every character of text_ (spaces aside)."""
    from matplotlib.ft2font import FT2Font

    try:
        charmap = FT2Font(font_file).get_charmap()
    except Exception:
        return False
    return all(ord(ch) in charmap for ch in text_ if not ch.isspace())


def draw_metric(data: MetricSeries, out: Path) -> Path:
    """A line chart of the series (one line per body, gaps where a year has no value) to out
    (PNG), and its data to out.json."""
    if not data.series:
        raise PlotError(f"no values of {data.code} for the chosen bodies")
    matplotlib = require("matplotlib", "govreports plot")
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    years = list(range(min(min(s) for s in data.series.values()), max(max(s) for s in data.series.values()) + 1))
    with matplotlib.rc_context(cjk_rc()):
        fig = Figure(figsize=(9, 5.5), layout="constrained")
        ax = fig.add_subplot()
        for body, values in data.series.items():
            ax.plot(years, [values.get(y, float("nan")) for y in years], marker="o", label=body)
        ax.set_title(f"{data.label_zh}\n{data.code}", fontsize=11)
        ax.set_xlabel("年度 year")
        ax.set_ylabel(data.unit or "")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=9)
        fig.savefig(out, dpi=120)
    _write_json(out, data.to_json())
    return out


def draw_coverage(data: Coverage, out: Path) -> Path:
    """The coverage heat map to out: a PNG (with out.json) or, for .html, a coloured table."""
    if out.suffix.lower() == ".html":
        out.write_text(coverage_html(data), "utf-8")
        return out
    matplotlib = require("matplotlib", "govreports coverage (or --out FILE.html)")
    from matplotlib.colors import ListedColormap
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    matrix = [[STATUSES.index(data.status(b, y)) for y in data.years] for b in data.bodies]
    with matplotlib.rc_context(cjk_rc()):
        fig = Figure(figsize=(2.5 + 0.55 * len(data.years), 1.6 + 0.38 * len(data.bodies)), layout="constrained")
        ax = fig.add_subplot()
        ax.imshow(
            matrix,
            cmap=ListedColormap([STATUS_COLOURS[s] for s in STATUSES]),
            vmin=0,
            vmax=len(STATUSES) - 1,
            aspect="auto",
        )
        ax.set_xticks(range(len(data.years)), [str(y) for y in data.years], rotation=90)
        ax.set_yticks(range(len(data.bodies)), data.bodies)
        ax.set_xticks([x - 0.5 for x in range(1, len(data.years))], minor=True)
        ax.set_yticks([y - 0.5 for y in range(1, len(data.bodies))], minor=True)
        ax.grid(which="minor", color="white", linewidth=1.5)
        ax.tick_params(which="minor", length=0)
        ax.set_title("年度报告覆盖 report coverage")
        fig.legend(
            handles=[Patch(color=STATUS_COLOURS[s], label=STATUS_LABELS[s]) for s in reversed(STATUSES)],
            loc="outside lower center",
            ncols=len(STATUSES),
        )
        fig.savefig(out, dpi=120)
    _write_json(out, data.to_json())
    return out


def coverage_html(data: Coverage) -> str:
    """A self-contained HTML table; each cell carries its status as class and title."""
    head = "".join(f"<th>{y}</th>" for y in data.years)
    rows = []
    for body in data.bodies:
        cells = "".join(
            f'<td class="{s}" title="{html.escape(body)} {y}: {s}"></td>'
            for y in data.years
            for s in [data.status(body, y)]
        )
        rows.append(f"<tr><th>{html.escape(body)}</th>{cells}</tr>")
    styles = "".join(f"td.{s},i.{s}{{background:{c}}}" for s, c in STATUS_COLOURS.items())
    legend = " ".join(f'<i class="{s}"></i>{STATUS_LABELS[s]}' for s in reversed(STATUSES))
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>年度报告覆盖 report coverage</title>'
        "<style>table{border-collapse:collapse}td{width:2.2em;height:1.4em;border:2px solid #fff}"
        "th{font-weight:normal;text-align:right;padding-right:.5em}"
        f"i{{display:inline-block;width:1em;height:1em;margin:0 .3em}}{styles}</style></head>"
        f"<body><h1>年度报告覆盖 report coverage</h1><p>{legend}</p>"
        f"<table><tr><th></th>{head}</tr>{''.join(rows)}</table></body></html>\n"
    )


def _write_json(out: Path, data: dict) -> None:
    out.with_suffix(".json").write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", "utf-8")
