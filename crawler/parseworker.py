"""A parse worker process of crawler/parsepool.py: `python -m crawler.parseworker PARENT_PID`.

Reads tasks (`module:function`, args, kwargs) from stdin and writes each outcome to stdout, one
pickle each, until stdin closes. Imports nothing but the functions it is asked to run (the
parsing code), never Scrapy or Twisted."""

from __future__ import annotations

import ctypes
import importlib
import os
import pickle
import signal
import sys
import traceback
from collections.abc import Callable
from typing import Any

from crawler.parsepool import RemoteError, receive, send

PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """SIGKILL from the kernel when the parent dies (Linux); elsewhere the closed pipe ends us."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(0)


_functions: dict[str, Callable[..., Any]] = {}


def resolve(target: str) -> Callable[..., Any]:
    if target not in _functions:
        module, _, name = target.partition(":")
        _functions[target] = getattr(importlib.import_module(module), name)
    return _functions[target]


def main() -> None:
    # the crawl decides when to stop: Ctrl-C and SIGTERM reach the whole process group, and a
    # graceful stop still needs the workers for the reports in flight
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    die_with_parent(int(sys.argv[1]))
    tasks, results = sys.stdin.buffer, os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a print() in parsing code goes to stderr, not into the results pipe
    setup = receive(tasks)
    sys.path[:0] = [p for p in setup["sys_path"] if p not in sys.path]
    hook = resolve(setup["hook"]) if setup["hook"] else None
    while True:
        try:
            target, args, kwargs = receive(tasks)
        except EOFError:
            return
        try:
            if hook is not None:
                hook(target, args, kwargs)
            outcome: tuple[str, Any] = ("ok", resolve(target)(*args, **kwargs))
        except Exception as exc:  # noqa: BLE001 - the caller's future gets it
            exc.add_note("in parse worker " + str(os.getpid()) + ":\n" + traceback.format_exc().rstrip())
            outcome = ("error", exc)
        try:
            send(results, outcome)
        except (TypeError, AttributeError, RecursionError, pickle.PicklingError) as exc:
            error = outcome[1] if outcome[0] == "error" else exc
            send(results, ("error", RemoteError(f"{type(error).__name__}: {error}")))


if __name__ == "__main__":
    main()
