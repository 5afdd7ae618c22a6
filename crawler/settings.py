"""Scrapy settings for govreports. Every value marked (env) can be set by environment variable;
any of them can also be set per run with `scrapy crawl NAME -s KEY=VALUE`."""

from __future__ import annotations

import os
from typing import Any

from crawler.parsing.limits import DEFAULT as _LIMITS
from crawler.parsing.limits import HTML_DEPTH_CEILING, SETTING, Limits


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


def _number(name: str, value: Any, kind: type, low: float, high: float | None = None) -> Any:
    """`value` (from the environment or -s) as an int or float in [low, high]; SystemExit with one
    line naming the setting otherwise."""
    try:
        number = kind(str(value).strip())
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise SystemExit(f"{name} must be {what}, got {value!r}") from None
    if number < low or (high is not None and number > high):
        bounds = f"from {low:g} to {high:g}" if high is not None else f"at least {low:g}"
        raise SystemExit(f"{name} must be {bounds}, got {value!r}")
    return number


# the bounds of one document: field of crawler.parsing.limits.Limits -> (type, lowest, highest)
_LIMIT_RANGES: dict[str, tuple[type, float, float | None]] = {
    "max_decompressed_bytes": (int, 1, None),
    "max_pdf_pages": (int, 1, None),
    "max_pdf_seconds": (float, 0.001, None),
    "max_table_cells": (int, 1, None),
    "max_html_depth": (int, 2, HTML_DEPTH_CEILING),
}


def _limit(field: str) -> Any:
    kind, low, high = _LIMIT_RANGES[field]
    return _number(SETTING[field], _env(SETTING[field], str(getattr(_LIMITS, field))), kind, low, high)


def parse_limits(settings: Any = None) -> Limits:
    """The Limits of one document from the GOVREPORTS_MAX_* settings: a Scrapy Settings object
    (a run's -s values), else this module's values (from the environment). SystemExit with one
    line naming the setting for a value that is not a number in range."""
    values = {}
    for name, (kind, low, high) in _LIMIT_RANGES.items():
        setting = SETTING[name]
        value = settings.get(setting) if settings is not None else None
        if value in (None, ""):
            value = globals()[setting]
        values[name] = _number(setting, value, kind, low, high)
    return Limits(**values)


BOT_NAME = "govreports"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"
# One spider per entry of the portal registry (crawler/data/portals.toml, $GOVREPORTS_PORTALS).
SPIDER_LOADER_CLASS = "crawler.spiderloader.RegistrySpiderLoader"
COMMANDS_MODULE = "crawler.commands"  # `scrapy crawl` exits non-zero on a failed or empty crawl

# Where results go (env). SQLite by default; any SQLAlchemy URL works (postgresql+psycopg://…).
GOVREPORTS_DATABASE_URL = _env("GOVREPORTS_DATABASE_URL", "sqlite:///data/govreports.db")
# Raw archive of every downloaded body, content-addressed by sha256 and gzip-compressed (env).
GOVREPORTS_ARCHIVE_DIR = _env("GOVREPORTS_ARCHIVE_DIR", "data/archive")
# The same archive in an S3-compatible object store, shared by workers on many machines: s3://bucket/prefix;
# set, it replaces the directory (env; endpoint and credentials from AWS_*; crawler/storage/objectstore.py).
GOVREPORTS_ARCHIVE_URL = _env("GOVREPORTS_ARCHIVE_URL", "")
# A scheduled crawl's job directory: its dead letters and run marker (crawler/middlewares/incremental.py) (env).
GOVREPORTS_JOB_DIR = _env("GOVREPORTS_JOB_DIR", "")
# Batches the database refused, re-applied by the next run; <job dir>/deadletter when one is set (env).
GOVREPORTS_DEADLETTER_DIR = _env("GOVREPORTS_DEADLETTER_DIR", "data/deadletter")
# The name dead letters give their database instead of its URL: one database reached by different
# URLs (workers on several machines) is one; `govreports worker` sets it for its crawls (env).
GOVREPORTS_DATABASE_ID = _env("GOVREPORTS_DATABASE_ID", "")
# Rows are written in batches, each inside one transaction.
GOVREPORTS_BATCH_SIZE = int(_env("GOVREPORTS_BATCH_SIZE", "20"))
# A crawl whose share of failed requests passes this ends with a non-zero exit status (env).
GOVREPORTS_MAX_FAILURE_RATE = float(_env("GOVREPORTS_MAX_FAILURE_RATE", "0.3"))
# A crawl_runs row still `running` is closed as `killed` by the next crawl when its process is gone
# (same host), or when it started more than this many hours ago (any host) (env).
GOVREPORTS_KILLED_RUN_HOURS = float(_env("GOVREPORTS_KILLED_RUN_HOURS", "48"))

# Politeness: government servers are small and slow (env).
GOVREPORTS_CONTACT_URL = _env("GOVREPORTS_CONTACT_URL", "https://github.com/govreports/govreports")
USER_AGENT = _env("GOVREPORTS_USER_AGENT", f"govreports/0.1 (+{GOVREPORTS_CONTACT_URL})")
ROBOTSTXT_OBEY = _env("GOVREPORTS_ROBOTSTXT_OBEY", "1") not in ("0", "false", "no")
DOWNLOAD_DELAY = float(_env("GOVREPORTS_DOWNLOAD_DELAY", "1.0"))
AUTOTHROTTLE_ENABLED = _env("GOVREPORTS_AUTOTHROTTLE", "1") not in ("0", "false", "no")
AUTOTHROTTLE_START_DELAY = DOWNLOAD_DELAY
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_TIMEOUT = int(_env("GOVREPORTS_DOWNLOAD_TIMEOUT", "60"))
# Report attachments can be large scans; refuse anything bigger than this (bytes).
DOWNLOAD_MAXSIZE = int(_env("GOVREPORTS_DOWNLOAD_MAXSIZE", str(40 * 1024 * 1024)))
DOWNLOAD_WARNSIZE = 10 * 1024 * 1024
# Transient errors (5xx, timeouts, resets, truncated bodies) are retried RETRY_TIMES times, waiting
# GOVREPORTS_RETRY_BACKOFF · 2^(n-1) seconds (at most …_MAX) before retry n (env; crawler/middlewares/failures.py).
RETRY_TIMES = int(_env("GOVREPORTS_RETRY_TIMES", "3"))
GOVREPORTS_RETRY_BACKOFF = float(_env("GOVREPORTS_RETRY_BACKOFF", "2.0"))
GOVREPORTS_RETRY_BACKOFF_MAX = 60.0
COOKIES_ENABLED = True
# WebShield challenges are followed, 瑞数/加速乐 reported as blocked (crawler/middlewares/antibot.py).
DOWNLOADER_MIDDLEWARES = {
    # only the portal's own hosts, redirect targets included; a refused request is an `offsite`
    # failure (crawler/middlewares/offsite.py). Before robots.txt (100): no other host is asked anything.
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "crawler.middlewares.offsite.PortalHostsOnly": 50,
    "crawler.middlewares.antibot.AntiBotMiddleware": 650,
    # closest to the engine: a response waits for its callback without its decoded text (memory.py)
    "crawler.middlewares.memory.ReleaseDecodedText": 10,
    # retries with backoff; every request that still fails recorded once (crawler/middlewares/failures.py)
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.failures.BackoffRetryMiddleware": 550,
    "crawler.middlewares.failures.FailureRecorder": 540,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "crawler.middlewares.failures.RecordingRedirectMiddleware": 600,
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "crawler.middlewares.failures.RecordingHttpCompressionMiddleware": 590,  # a gzip bomb is a failure
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.middlewares.failures.RecordingMetaRefreshMiddleware": 580,
    # every HTML page read in the encoding it is written in (a GBK page behind a utf-8 header;
    # crawler/middlewares/charset.py), after decompression (590), before anything reads its text
    "crawler.middlewares.charset.PageEncoding": 585,
    # incremental crawls: skip report pages the database holds unchanged (crawler/middlewares/incremental.py)
    "crawler.middlewares.incremental.IncrementalMiddleware": 840,
}

# Parsing runs in worker processes (crawler/parsepool.py, pipelines/parse.py) (env): their number
# (empty: one per core; 0: parse in the crawl process), the seconds one report may take before
# its worker is killed and the report recorded as failed, and the reports handed to the workers
# at once per spider (0: two per worker).
GOVREPORTS_PARSE_WORKERS = _env("GOVREPORTS_PARSE_WORKERS", "")
GOVREPORTS_PARSE_TIMEOUT = float(_env("GOVREPORTS_PARSE_TIMEOUT", "300"))
GOVREPORTS_PARSE_IN_FLIGHT = int(_env("GOVREPORTS_PARSE_IN_FLIGHT", "0"))
# Responses whose items are still in the pipelines, per spider, before the engine stops taking new
# requests (Scrapy's default 5 MB let ~70 report pages per spider wait on the parse workers).
SCRAPER_SLOT_MAX_ACTIVE_SIZE = 1_000_000
# Outputs of one callback processed at once: a report page yields one item, a list page requests
# only. Scrapy starts this many asyncio tasks for every response whatever it yields (default 100:
# 24,000 tasks for 240 responses, ~8% of a bench crawl's reactor thread).
CONCURRENT_ITEMS = 4

# Bounds on one document (env; crawler/parsing/limits.py, docs/operations.md "Bounds on one document"):
# bytes a DOCX/XLSX's zip members decompress to, PDF pages, seconds of reading one PDF, table
# cells after rowspan/colspan expansion, HTML nesting depth. A document past one is stored, marked
# not extracted with the bound named in its note, and a `bound_exceeded` finding is written.
GOVREPORTS_MAX_DECOMPRESSED_BYTES = _limit("max_decompressed_bytes")  # 100 MiB
GOVREPORTS_MAX_PDF_PAGES = _limit("max_pdf_pages")  # 500
GOVREPORTS_MAX_PDF_SECONDS = _limit("max_pdf_seconds")  # 120
GOVREPORTS_MAX_TABLE_CELLS = _limit("max_table_cells")  # 200000
GOVREPORTS_MAX_HTML_DEPTH = _limit("max_html_depth")  # 256, at most 600

# spiders find and fetch; pipelines archive, parse (metadata, statistics, 勾稽 checks) and store.
ITEM_PIPELINES = {
    "pipelines.archive.ArchivePipeline": 100,
    "pipelines.parse.ParsePipeline": 200,
    "pipelines.storage.StoragePipeline": 900,
}

# Progress: one line per spider every LOGSTATS_INTERVAL seconds, instead of LogStats (crawler/extensions/progress.py).
EXTENSIONS = {
    "scrapy.extensions.logstats.LogStats": None,
    "crawler.extensions.progress.Progress": 500,
    # report columns found by earlier runs handed to the spider (crawler/extensions/discovery.py)
    "crawler.extensions.discovery.DiscoveryMemory": 510,
    # the crawl_runs row: failures, summary, outcome; killed runs closed (crawler/extensions/runrecord.py)
    "crawler.extensions.runrecord.RunRecord": 520,
}
# Which report column each request serves and how many reports each lists: a hinted or
# remembered column that fails or lists none makes the spider discover (crawler/middlewares/columns.py).
SPIDER_MIDDLEWARES = {
    "crawler.middlewares.columns.ColumnTracker": 40,
    # a response's parsel tree and decoded text dropped once its item is handed over (crawler/middlewares/memory.py)
    "crawler.middlewares.memory.ReleaseParsedResponse": 10,
}

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = _env("GOVREPORTS_LOG_LEVEL", "INFO")
