"""Serve a generated benchmark mirror with crawler/mirror/server.py in a process of its own, so the
crawl under measurement has the other core. Prints the base URL, then serves until killed.

    python -m bench.serve bench/out/site-1x
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import ThreadingHTTPServer
from pathlib import Path

from crawler.mirror.server import Mirror

REPO = Path(__file__).resolve().parent.parent


@contextmanager
def served(site: Path) -> Iterator[str]:
    """Start `python -m bench.serve site` and yield its base URL; stop it afterwards."""
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.serve", str(site)], cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    assert server.stdout is not None  # stdout=PIPE
    try:
        yield server.stdout.readline().strip()
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    # socketserver listens with a backlog of 5: the crawl's bursts of connections overflow it, and
    # Linux then leaves a connection unanswered for a minute (SYN-ACK retries), not the server's speed
    ThreadingHTTPServer.request_queue_size = 1024
    mirror = Mirror(sys.argv[1]).start()
    print(mirror.base_url, flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
    mirror.stop()


if __name__ == "__main__":
    main()
