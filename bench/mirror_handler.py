"""Request mechanics of the benchmark mirror (copied into it as handler.py by bench/generate.py).

The Hanweb dataproxy and xxgk module and the Lonsun column and label pages answer query
parameters: they are mapped onto pre-generated files. Every other file is served as a static web
server does, with validators (nginx-style ETag, Last-Modified from the file's mtime) and a 304 for
a conditional request that matches them."""

import os
from email.utils import formatdate, parsedate_to_datetime

from crawler.mirror.server import DEFAULT_TYPES, MirrorResponse

XML = {"Content-Type": "text/xml; charset=utf-8"}
HTML = {"Content-Type": "text/html; charset=utf-8"}
EMPTY = b'<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n<recordset>\n</recordset>\n</datastore>\n'
NOT_FOUND = MirrorResponse(404, HTML, b"<html><body>404 Not Found</body></html>")


def handle(request, mirror):
    params = request.params
    if request.path == "/module/web/jpage/dataproxy.jsp":
        return MirrorResponse(200, XML, mirror.read(f"_dataproxy/{params.get('startrecord')}.xml") or EMPTY)
    if request.path == "/module/xxgk/xxgkAnnualReport.jsp":
        return MirrorResponse(200, HTML, mirror.read("_xxgk/no_report.html"))
    if request.path == "/zwgk/public/column/15" and params.get("type") == "3":
        body = mirror.read(f"_lonsun/column_{params.get('pageIndex', '1')}.html")
        return MirrorResponse(200, HTML, body) if body else NOT_FOUND
    if request.path == "/site/label/8888" and params.get("type") == "3":
        body = mirror.read(f"_lonsun/label_{params.get('pageIndex', '1')}.html")
        return MirrorResponse(200, HTML, body) if body else NOT_FOUND
    return static(request, mirror)


def static(request, mirror):
    relpath = request.path + ("index.html" if request.path.endswith("/") else "")
    path = mirror.root / relpath.lstrip("/")
    if path.is_dir():
        relpath, path = relpath + "/index.html", path / "index.html"
    try:
        info = os.stat(path)
    except OSError:
        return NOT_FOUND
    etag = f'"{int(info.st_mtime):x}-{info.st_size:x}"'
    modified = formatdate(int(info.st_mtime), usegmt=True)
    headers = {"ETag": etag, "Last-Modified": modified}
    if unchanged(request.headers, etag, int(info.st_mtime)):
        return MirrorResponse(304, headers, b"")
    body = mirror.read(relpath)
    if body is None:
        return NOT_FOUND
    suffix = path.suffix.lower()
    return MirrorResponse(200, {"Content-Type": DEFAULT_TYPES.get(suffix, "application/octet-stream"), **headers}, body)


def unchanged(headers, etag, mtime):
    sent = {k.lower(): v for k, v in headers.items()}
    if "if-none-match" in sent:
        return etag in {t.strip() for t in sent["if-none-match"].split(",")}
    try:
        return parsedate_to_datetime(sent["if-modified-since"]).timestamp() >= mtime
    except (KeyError, TypeError, ValueError):
        return False
