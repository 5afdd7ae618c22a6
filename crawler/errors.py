"""The errors a command answers with one line on stderr (crawler/cli.py `main`).

CommandError: the command cannot do what was asked (an unreachable database, one newer than
this govreports, a missing optional extra, a disk error): exit status 1.
UsageError: bad input (a flag's value, an unknown name, an --out that cannot be written): exit 2.

Plain Python, no Scrapy or SQLAlchemy: storage, analysis and the commands all raise these."""

from __future__ import annotations

import importlib
from types import ModuleType

# optional dependency (top-level module) -> the extra of pyproject.toml that installs it
EXTRAS = {
    "matplotlib": "plot",
    "datasette": "serve",
    "uvicorn": "serve",
    "boto3": "s3",
    "botocore": "s3",
    "psycopg": "pg",
    "psycopg2": "pg",
    "pyarrow": "export",
    "procrastinate": "distributed",
}


class CommandError(Exception):
    """One line for the user, exit status 1."""

    exit_status = 1


class UsageError(CommandError):
    """Bad input from the user: one line, exit status 2."""

    exit_status = 2


class MissingExtra(CommandError):
    """An optional dependency is not installed: names the `pip install` that brings it."""

    def __init__(self, module: str, needed_for: str | None = None) -> None:
        self.module = module
        self.extra = EXTRAS.get(module.partition(".")[0], "")
        install = (
            f"pip install 'govreports[{self.extra}]' (or '.[{self.extra}]' in a checkout)"
            if self.extra
            else f"pip install {module}"
        )
        what = f"{needed_for} needs {module}" if needed_for else f"{module} is needed"
        super().__init__(f"{what}, which is not installed: {install}")


def require(module: str, needed_for: str | None = None) -> ModuleType:
    """Import an optional dependency, or MissingExtra naming the extra to install."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        missing = missing_extra(exc, needed_for)
        if missing is None:
            raise
        raise missing from None


def missing_extra(exc: ModuleNotFoundError, needed_for: str | None = None) -> MissingExtra | None:
    """The MissingExtra behind an import error of an optional dependency, else None."""
    top = (exc.name or "").partition(".")[0]
    return MissingExtra(top, needed_for) if top in EXTRAS else None


def one_line(text: object, limit: int = 500) -> str:
    """A message on one line: whitespace runs (newlines too) become one space."""
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
