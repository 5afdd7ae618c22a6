"""`govreports serve`: a SQLite database in Datasette, with the metric dictionary as labels and
the analysts' canned queries (crawler/analysis/datasette/metadata.yaml).

Datasette is the optional extra `[serve]`. It reads SQLite files only: for a PostgreSQL database,
`govreports export` writes the same views as files."""

from __future__ import annotations

import socket
from importlib import resources
from pathlib import Path

from sqlalchemy.engine import make_url

from crawler.errors import CommandError, UsageError, require


class ServeError(UsageError):
    """Why the database cannot be served (not SQLite): one line, exit status 2."""


def sqlite_path(url: str) -> Path:
    """The SQLite file behind `url`; a clear error for any other database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        raise ServeError(
            f"Datasette needs a SQLite database, not {parsed.get_backend_name()}: "
            "`govreports export` writes the analysts' views as CSV/Parquet files instead"
        )
    if parsed.database in (None, "", ":memory:"):
        raise ServeError(f"{url} names no database file")
    from crawler.storage.db import require_database

    require_database(url)  # never created by serving it
    return Path(parsed.database)


def check_listen(host: str, port: int) -> None:
    """CommandError when nothing can listen at host:port (taken, or not an address here)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise UsageError(f"--host {host}: {exc.strerror}") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            raise CommandError(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def metadata(database_name: str) -> dict:
    """Datasette metadata for one database: descriptions, the metric dictionary as the label of
    metric codes, canned queries; report_summary's headline columns described from the views."""
    import yaml

    from crawler.parsing.rules import RULE_IDS
    from crawler.storage.views import HEADLINE_COLUMNS

    text = resources.files("crawler.analysis.datasette").joinpath("metadata.yaml").read_text("utf-8")
    meta = yaml.safe_load(text)
    database = meta.pop("database")
    summary_columns = database["tables"]["report_summary"].setdefault("columns", {})
    for column, (_sql, meaning) in HEADLINE_COLUMNS.items():
        summary_columns.setdefault(column, meaning)
    # the 勾稽 rule ids come from the rules themselves, never from a naming convention
    failures = database["queries"]["consistency_failures"]
    failures["sql"] = failures["sql"].replace(":rule_ids", ", ".join(f"'{r}'" for r in RULE_IDS))
    meta["databases"] = {database_name: database}
    return meta


def serve(url: str, *, host: str, port: int) -> None:
    """Run Datasette on the database until interrupted."""
    path = sqlite_path(url)
    require("datasette", "govreports serve")
    uvicorn = require("uvicorn", "govreports serve")
    from datasette.app import Datasette

    from crawler.storage.db import open_database

    open_database(url, migrate=True).dispose()  # the views and the metric dictionary the metadata describes
    check_listen(host, port)
    app = Datasette([str(path)], metadata=metadata(path.stem)).app()
    print(f"serving {path} at http://{host}:{port}/{path.stem}", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")
