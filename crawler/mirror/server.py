"""A local mirror of a portal, served on 127.0.0.1 for tests and `govreports demo`.

A mirror is a folder `tests/sites/<spider>/`:

    root/          files served as-is at the host root (raw bytes: GBK pages stay GBK)
    routes.json    optional list of routes, first match wins:
                   {"path": "/module/web/jpage/dataproxy.jsp",   fnmatch pattern on the path
                    "params": {"page": "2"},                      subset of query + form fields
                    "method": "POST",                             optional, default any
                    "file": "lists/page2.xml",                    file under root/ (default: the path)
                    "status": 200, "headers": {"Content-Type": "text/xml; charset=utf-8"}}
                   A route without "file" only sets headers/status for the static file at the path.
                   A response with ETag/Last-Modified answers a matching conditional request with 304.
    handler.py     optional `handle(request, mirror) -> MirrorResponse | None` for mechanics no
                   route can express (a WAF challenge with cookies); None falls through to routes.
    faults.json    optional faults of the real web, see below; `Mirror(site, faults=…)` adds more.
    README.md      what the fixture reproduces and which reports are synthetic.

Fault mode. `faults` maps fnmatch patterns on the path to a list of steps; each request to a
matching path takes the next step (counted per path), a step with "times": N serves N requests,
one without "times" every request from then on; when the steps are used up the path is served
normally. The first matching pattern wins; patterns given to the constructor come first.

    {"/gk/nb/index_1.html": [{"status": 503, "times": 2}],     503 twice, then the page
     "/gk/nb/*.pdf": [{"fault": "huge", "size": 52428800}]}      every request

    {"status": N}                      an error page with that status
    {"fault": "timeout", "seconds": S} hold the connection S seconds (default 5), then close it
                                       without an answer: set the crawl's DOWNLOAD_TIMEOUT below S
    {"fault": "reset"}                 close the connection at once without an answer (TCP RST)
    {"fault": "truncate"}              the full Content-Length, half of the body, then close
    {"fault": "redirect_loop"}         302 to the same path with a new ?loop=N every time
    {"fault": "redirect", "to": PATH}  302 to PATH (to the path itself: a loop a dupefilter sees);
                                       an absolute URL is sent as it is (another host)
    {"fault": "huge", "size": BYTES}   a generated body of that size, streamed, never stored;
                                       "content_length": false sends it without the header
    {"fault": "corrupt"}               the first half of the file, with a matching Content-Length
    {"fault": "gzip_bomb", "size": N}  the page followed by zeros up to N bytes, gzip-compressed
                                       (Content-Encoding: gzip): ~1/1000 of N on the wire
    {"fault": "error_page"}            an HTML error page (页面不存在) with status 200
    {"fault": "rewrite", "old": S, "new": T}   the page with every S replaced by T (text, UTF-8;
                                       e.g. a link pointed at another host); "old"/"new" may be
                                       left out, "headers" adds or replaces response headers,
                                       "encoding" re-encodes the page (UTF-8 files) in that charset
A wrong charset header needs no fault: a route's "headers" sets any Content-Type.

Served bodies have `{{BASE_URL}}` replaced by the mirror's own base URL, so fixtures can carry
absolute links as the real portal does.
"""

from __future__ import annotations

import fnmatch
import importlib.util
import json
import mimetypes
import socket
import struct
import sys
import threading
import zlib
from collections import Counter
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from urllib.parse import parse_qsl, unquote, urlsplit

PLACEHOLDER = b"{{BASE_URL}}"
DEFAULT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".xml": "text/xml; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@dataclass
class MirrorRequest:
    method: str
    path: str
    query: str
    params: dict[str, str]  # query and form fields, first value of each
    headers: dict[str, str]
    cookies: dict[str, str]
    body: bytes = b""


@dataclass
class MirrorResponse:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    # A transport fault the server acts out instead of a clean answer ("timeout", "reset",
    # "truncate", "huge") with its step's parameters.
    fault: dict | None = None


# What many CMSs answer for a missing page, with status 200 (a "soft 404").
ERROR_PAGE = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>系统提示</title></head>'
    '<body><div class="error"><h1>对不起，您访问的页面不存在！</h1>'
    '<p>页面可能已被删除或移动。<a href="/">返回首页</a></p></div></body></html>'
).encode()
TRANSPORT_FAULTS = ("timeout", "reset", "truncate", "huge")


class Mirror:
    """Serve one portal mirror folder on 127.0.0.1. Use as a context manager or start()/stop()."""

    def __init__(
        self, site_dir: str | Path, port: int = 0, host: str = "127.0.0.1", faults: dict[str, list[dict]] | None = None
    ) -> None:
        self.site_dir = Path(site_dir)
        self.root = self.site_dir / "root"
        if not self.root.is_dir():
            raise FileNotFoundError(f"mirror has no root/ folder: {self.site_dir}")
        routes_file = self.site_dir / "routes.json"
        self.routes: list[dict] = json.loads(routes_file.read_text("utf-8")) if routes_file.exists() else []
        faults_file = self.site_dir / "faults.json"
        self.faults: dict[str, list[dict]] = {
            **(faults or {}),
            **(json.loads(faults_file.read_text("utf-8")) if faults_file.exists() else {}),
        }
        self.handler = _load_handler(self.site_dir / "handler.py")
        self.requests: list[tuple[str, str]] = []  # (method, path?query) in arrival order
        self.received: list[MirrorRequest] = []  # the same requests with their headers
        self.state: dict = {}  # for handler.py (issued tokens, counters)
        self._lock = threading.Lock()
        self._fault_counts: Counter[str] = Counter()  # requests per path that matched a fault pattern
        self.stopping = threading.Event()  # ends held connections when the mirror stops
        self._server = _Server((host, port), _make_handler(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host.decode() if isinstance(host, bytes | bytearray) else host}:{port}"

    def start(self) -> Mirror:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=f"mirror-{self.site_dir.name}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Mirror:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- serving ----------------------------------------------------------------------------

    def read(self, relpath: str) -> bytes | None:
        """A file under root/ with the placeholder filled in, or None."""
        target = (self.root / relpath.lstrip("/")).resolve()
        if self.root.resolve() not in target.parents and target != self.root.resolve():
            return None  # no escaping the mirror
        if target.is_dir():
            for index in ("index.html", "index.htm"):
                if (target / index).is_file():
                    target = target / index
                    break
        if not target.is_file():
            return None
        return target.read_bytes().replace(PLACEHOLDER, self.base_url.encode())

    def respond(self, request: MirrorRequest) -> MirrorResponse:
        with self._lock:
            self.requests.append((request.method, request.path + (f"?{request.query}" if request.query else "")))
            self.received.append(request)
        step = self.fault_step(request.path)
        if step is not None:
            return self._fault_response(request, step)
        return self._serve_site(request)

    def fault_step(self, path: str) -> dict | None:
        """The fault step this request to `path` takes, or None (served normally)."""
        pattern = next((p for p in self.faults if fnmatch.fnmatchcase(path, p)), None)
        if pattern is None:
            return None
        with self._lock:
            self._fault_counts[path] += 1
            n = self._fault_counts[path]  # 1 for the first request to this path
        for step in self.faults[pattern]:
            if "times" not in step:
                return step
            if n <= step["times"]:
                return step
            n -= step["times"]
        return None

    def _fault_response(self, request: MirrorRequest, step: dict) -> MirrorResponse:
        fault = step.get("fault")
        html = {"Content-Type": "text/html; charset=utf-8"}
        if "status" in step:
            status = int(step["status"])
            return MirrorResponse(status, html, f"<html><body><h1>{status} error</h1></body></html>".encode())
        if fault == "error_page":
            return MirrorResponse(200, html, ERROR_PAGE)
        if fault == "redirect_loop":
            n = int(request.params.get("loop", "0")) + 1
            return MirrorResponse(302, {"Location": f"{self.base_url}{request.path}?loop={n}"})
        if fault == "redirect":
            to = step["to"]
            return MirrorResponse(302, {"Location": to if "://" in to else self.base_url + to})
        clean = self._serve_site(request)
        if fault == "rewrite":
            body = clean.body
            if "old" in step:
                body = body.replace(step["old"].encode(), step["new"].encode())
            if "encoding" in step:
                # a character the charset lacks becomes a character reference (&#160;), as editors write it
                body = body.decode("utf-8").encode(step["encoding"], "xmlcharrefreplace")
            return MirrorResponse(clean.status, {**clean.headers, **step.get("headers", {})}, body)
        if fault == "gzip_bomb":
            return MirrorResponse(
                clean.status,
                {**clean.headers, "Content-Encoding": "gzip"},
                gzip_bomb(clean.body, int(step["size"])),
            )
        if fault == "corrupt":
            return MirrorResponse(clean.status, clean.headers, clean.body[: len(clean.body) // 2])
        if fault in TRANSPORT_FAULTS:
            return MirrorResponse(clean.status, clean.headers, clean.body, fault=step)
        raise ValueError(f"unknown fault step {step!r}")

    def _serve_site(self, request: MirrorRequest) -> MirrorResponse:
        if self.handler is not None:
            handled = self.handler.handle(request, self)
            if handled is not None:
                return handled
        overrides: dict = {}
        for route in self.routes:
            if not fnmatch.fnmatchcase(request.path, route["path"]):
                continue
            if route.get("method", request.method).upper() != request.method:
                continue
            if any(request.params.get(k) != str(v) for k, v in route.get("params", {}).items()):
                continue
            if "file" in route:
                return self._file_response(route["file"], route.get("status", 200), route.get("headers", {}))
            overrides = route
            break
        return self._file_response(request.path, overrides.get("status", 200), overrides.get("headers", {}))

    def _file_response(self, relpath: str, status: int, headers: dict[str, str]) -> MirrorResponse:
        body = self.read(unquote(relpath))
        if body is None:
            return MirrorResponse(
                404, {"Content-Type": "text/html; charset=utf-8"}, b"<html><body>404 Not Found</body></html>"
            )
        out = {"Content-Type": _guess_type(relpath)}
        out.update(headers)
        return MirrorResponse(status, out, body)


def gzip_bomb(head: bytes, size: int) -> bytes:
    """gzip of `head` and zeros up to `size` bytes, compressed a MiB at a time."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: a gzip header and trailer
    out = [packer.compress(head)]
    zeros = bytes(1 << 20)
    left = max(0, size - len(head))
    while left:
        piece = zeros[: min(left, len(zeros))]
        out.append(packer.compress(piece))
        left -= len(piece)
    out.append(packer.flush())
    return b"".join(out)


def not_modified(request: MirrorRequest, response: MirrorResponse) -> MirrorResponse:
    """A 304 for a conditional request whose validators match what a route's headers send
    (ETag / Last-Modified in routes.json): If-None-Match wins over If-Modified-Since (RFC 9110)."""
    if response.status != 200:
        return response
    sent = {k.lower(): v for k, v in request.headers.items()}
    ours = {k.lower(): v for k, v in response.headers.items()}
    if "if-none-match" in sent:
        tags = {t.strip() for t in sent["if-none-match"].split(",")}
        match = "etag" in ours and ("*" in tags or ours["etag"] in tags)
    else:
        match = "last-modified" in ours and _not_after(ours["last-modified"], sent.get("if-modified-since"))
    if not match:
        return response
    keep = {k: v for k, v in response.headers.items() if k.lower() in ("etag", "last-modified")}
    return MirrorResponse(304, keep, b"")


def _not_after(last_modified: str, since: str | None) -> bool:
    if since is None:
        return False
    try:
        return parsedate_to_datetime(last_modified) <= parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return last_modified == since


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: socket.socket | tuple[bytes, socket.socket], client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a client hanging up is no error
            super().handle_error(request, client_address)


def _guess_type(path: str) -> str:
    suffix = Path(urlsplit(path).path).suffix.lower()
    if not suffix and path.endswith("/"):
        suffix = ".html"
    return DEFAULT_TYPES.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"


def _load_handler(path: Path) -> ModuleType | None:
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location(f"mirror_handler_{path.parent.name}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _make_handler(mirror: Mirror) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "govreports-mirror"

        def _serve(self, method: str) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            params = dict(parse_qsl(parts.query, keep_blank_values=True))
            if body and "form-urlencoded" in (self.headers.get("Content-Type") or ""):
                for k, v in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
                    params.setdefault(k, v)
            cookie = SimpleCookie(self.headers.get("Cookie") or "")
            request = MirrorRequest(
                method=method,
                path=unquote(parts.path) or "/",
                query=parts.query,
                params=params,
                headers={k: v for k, v in self.headers.items()},
                cookies={k: m.value for k, m in cookie.items()},
                body=body,
            )
            response = mirror.respond(request)
            if response.fault is not None:
                self._act_out(response)
                return
            response = not_modified(request, response)
            self.send_response(response.status)
            for key, value in response.headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if method != "HEAD":
                self.wfile.write(response.body)

        def _act_out(self, response: MirrorResponse) -> None:
            """Fail the way real servers do; a client hanging up midway ends it quietly."""
            step = response.fault or {}
            self.close_connection = True
            try:
                if step["fault"] == "timeout":
                    mirror.stopping.wait(float(step.get("seconds", 5)))  # bounded, cut short by stop()
                elif step["fault"] == "reset":
                    # linger 0: closing the socket sends RST, as a crashed server or a middlebox does
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                elif step["fault"] == "truncate":
                    self._head(response, len(response.body))
                    self.wfile.write(response.body[: len(response.body) // 2])
                elif step["fault"] == "huge":
                    self._stream(response, int(step["size"]), step.get("content_length", True))
                self.wfile.flush()
            except OSError:
                pass  # the crawler gave up on us (timeout, maxsize): that is the point

        def _head(self, response: MirrorResponse, length: int | None) -> None:
            self.send_response(response.status)
            for key, value in response.headers.items():
                self.send_header(key, value)
            if length is not None:
                self.send_header("Content-Length", str(length))
            self.end_headers()

        def _stream(self, response: MirrorResponse, size: int, content_length: bool) -> None:
            """`size` bytes: the file's first KiB, then filler, generated chunk by chunk."""
            self._head(response, size if content_length else None)
            chunk = (response.body[:1024] or b"%PDF-1.4\n").ljust(64 * 1024, b"0")
            sent = 0
            while sent < size and not mirror.stopping.is_set():
                piece = chunk[: size - sent]
                self.wfile.write(piece)
                sent += len(piece)

        def do_GET(self) -> None:  # noqa: N802 (http.server naming)
            self._serve("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._serve("POST")

        def do_HEAD(self) -> None:  # noqa: N802
            self._serve("HEAD")

        def log_message(self, format: str, *args: object) -> None:  # quiet: tests read mirror.requests
            pass

    return Handler


def sites_dir() -> Path:
    """tests/sites of the source checkout this package runs from."""
    return Path(__file__).resolve().parents[2] / "tests" / "sites"
