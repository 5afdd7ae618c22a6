"""A pool of parse worker processes: CPU-heavy parsing (HTML trees, statistics, PDF/DOCX/DOC
extraction) runs outside the process that submits it, so a crawl's reactor thread keeps
downloading while reports are read, and `govreports reparse` uses every core.

Each worker is a fresh interpreter (`python -m crawler.parseworker`, not a fork of the crawl: a
fork of a process with Twisted's reactor thread and the pool's threads running is unsafe) that
imports only the function it is asked to run, e.g. `crawler.items:read_page_detached`. One thread
per worker hands it one task at a time over pipes, so every outcome belongs to one task:

- the function's result, or the exception it raised (re-raised by the future, its remote
  traceback in the exception's notes);
- `WorkerCrashed` when the worker process died on the task (a segfault in a C extension, the
  kernel's OOM killer, os._exit): a new worker takes the next task;
- `WorkerTimeout` when the task ran longer than `timeout` seconds: the worker is killed and
  replaced.

Workers die with the submitting process: each asks the kernel for SIGKILL when its parent dies
(PR_SET_PDEATHSIG) and exits when its task pipe closes; they ignore SIGINT and SIGTERM, so a
graceful stop of the crawl (Ctrl-C, SIGTERM) still finishes the reports in flight. No Scrapy or
Twisted here: callers adapt the futures (pipelines/parse.py, crawler/analysis/reparse.py).
"""

from __future__ import annotations

import logging
import os
import pickle
import queue
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from concurrent.futures import Future
from typing import Any

log = logging.getLogger(__name__)

HEADER = struct.Struct("!Q")  # every message: its length, then a pickle
STOP_WAIT = 5.0  # seconds a worker gets to exit after its pipe closes before it is killed


class WorkerCrashed(RuntimeError):
    """The worker process died while running the task."""


class WorkerTimeout(TimeoutError):
    """The task ran past the pool's timeout; its worker was killed."""


class RemoteError(RuntimeError):
    """An exception raised in a worker that could not be sent back as itself."""


def default_workers() -> int:
    """One worker per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def send(stream: Any, message: Any) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(HEADER.pack(len(data)) + data)
    stream.flush()


def receive(stream: Any) -> Any:
    """The next message, or EOFError when the other side closed its end."""
    header = _read_exactly(stream, HEADER.size)
    return pickle.loads(_read_exactly(stream, HEADER.unpack(header)[0]))


def _read_exactly(stream: Any, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = stream.read(left)
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


class _Worker:
    """One worker process, started when first needed and again after it crashed or hung."""

    def __init__(self, pool: ParsePool, number: int) -> None:
        self.pool, self.number = pool, number
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            [sys.executable, "-m", "crawler.parseworker", str(os.getpid())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,  # unbuffered: select() on the pipe sees every byte not read yet
        )
        assert process.stdin is not None
        send(process.stdin, {"sys_path": sys.path, "hook": self.pool.hook})
        self.pool.started += 1
        self.process = process
        return process

    def run(self, target: str, args: tuple, kwargs: dict) -> Any:
        process = self.process if self.process is not None and self.process.poll() is None else self.start()
        assert process.stdin is not None and process.stdout is not None
        try:
            send(process.stdin, (target, args, kwargs))
        except OSError:  # it died before reading the task
            raise self._crashed(process) from None
        if self.pool.timeout is not None and not _readable(process.stdout, self.pool.timeout):
            self.stop(kill=True)
            raise WorkerTimeout(f"parse took longer than {self.pool.timeout:g} s: worker killed")
        try:
            outcome, value = receive(process.stdout)
        except (EOFError, OSError):
            raise self._crashed(process) from None
        if outcome == "ok":
            return value
        raise value

    def _crashed(self, process: subprocess.Popen[bytes]) -> WorkerCrashed:
        self.stop()
        return WorkerCrashed(f"parse worker died ({_exit_reason(process.returncode)})")

    def stop(self, kill: bool = False) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        if process.stdin is not None:
            try:
                process.stdin.close()  # the worker's loop ends on EOF
            except OSError:
                pass
        if kill:
            process.kill()
        try:
            process.wait(timeout=STOP_WAIT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def _readable(stream: Any, timeout: float) -> bool:
    """Whether the worker answered (or died) within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        try:
            ready, _, _ = select.select([stream], [], [], left)
        except InterruptedError:
            continue
        return bool(ready)


def _exit_reason(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"


class ParsePool:
    """`workers` worker processes running `module:function` targets; `submit` returns a
    concurrent.futures.Future. `timeout`: seconds one task may run (None: no limit). `hook`: a
    `module:function` each worker calls with (target, args, kwargs) before running a task — for
    tests that make a worker crash or hang on a given document."""

    def __init__(self, workers: int | None = None, timeout: float | None = None, hook: str | None = None) -> None:
        self.size = workers or default_workers()
        self.timeout = timeout
        self.hook = hook
        self.started = 0  # worker processes started so far (crashed and hung ones are replaced)
        self.tasks: queue.SimpleQueue[tuple[Future, str, tuple, dict] | None] = queue.SimpleQueue()
        self.workers = [_Worker(self, n) for n in range(self.size)]
        self.threads = [
            threading.Thread(target=self._serve, args=(w,), name=f"parse-worker-{w.number}", daemon=True)
            for w in self.workers
        ]
        self.closed = False
        for thread in self.threads:
            thread.start()

    def submit(self, target: str, *args: Any, **kwargs: Any) -> Future:
        if self.closed:
            raise RuntimeError("the parse pool is closed")
        future: Future = Future()
        self.tasks.put((future, target, args, kwargs))
        return future

    def pids(self) -> list[int]:
        return [w.process.pid for w in self.workers if w.process is not None]

    def _serve(self, worker: _Worker) -> None:
        # The worker's process is started from this thread, which lives as long as the pool:
        # PR_SET_PDEATHSIG fires when the thread that forked the worker ends.
        try:
            while (task := self.tasks.get()) is not None:
                future, target, args, kwargs = task
                if not future.set_running_or_notify_cancel():
                    continue
                try:
                    future.set_result(worker.run(target, args, kwargs))
                except BaseException as exc:  # noqa: BLE001 - every outcome goes to the task's future
                    future.set_exception(exc)
        finally:
            worker.stop()

    def close(self) -> None:
        """Stop every worker once the tasks already submitted are done."""
        if self.closed:
            return
        self.closed = True
        for _ in self.threads:
            self.tasks.put(None)
        for thread in self.threads:
            thread.join()

    def __enter__(self) -> ParsePool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
