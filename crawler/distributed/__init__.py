"""Portal crawls distributed over many workers, on procrastinate (jobs in the crawl's PostgreSQL).

The unit of work is one portal's crawl (docs/operations.md, "Crawling on many machines"):

- app.py      the procrastinate App, its settings (environment) and its schema (in the
              PostgreSQL schema `procrastinate`, beside the crawl's Alembic tables);
- tasks.py    the tasks: `crawl_portal` runs `govreports crawl NAME --job-dir ROOT/NAME` in a
              child process (Twisted's reactor is not restartable), under the portal's lock;
              `nightly` (a periodic task) queues every portal;
- worker.py   `govreports worker`: the procrastinate worker, the recovery of jobs whose worker
              stopped sending heartbeats, reconnection after the database was lost;
- enqueue.py  `govreports enqueue`: queue portal crawls, never one already queued or running;
- status.py   `govreports status`: queued / running / last outcome per portal, per worker;
- cli.py      the three subcommands' arguments (no procrastinate import until one runs).

Nothing here is imported by a single-machine crawl (`scrapy crawl NAME`, `govreports demo`).
"""
