"""Test-only hooks for parse workers (GOVREPORTS_PARSE_WORKER_HOOK, crawler/parsepool.py): make the
worker that reads a given report crash or hang, as a PDF that segfaults a C extension or loops
forever would. The report is named by a part of its URL in the worker's environment."""

from __future__ import annotations

import os
import signal
import time
from typing import Any

CRASH_ON = "GOVREPORTS_TEST_PARSE_CRASH_ON"
HANG_ON = "GOVREPORTS_TEST_PARSE_HANG_ON"


def crash_or_hang(target: str, args: tuple, kwargs: dict[str, Any]) -> None:
    url = str(getattr(args[0], "url", args[0])) if args else ""
    crash, hang = os.environ.get(CRASH_ON), os.environ.get(HANG_ON)
    if crash and crash in url:
        os.kill(os.getpid(), signal.SIGSEGV)
    if hang and hang in url:
        time.sleep(3600)
