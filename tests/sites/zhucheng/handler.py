"""诸城's 安全狗 WebShield challenge, as this mirror plays it (docs/portals.md §1.6, §4.5). The page shape follows
the WAF's public pattern (a tiny gb2312 page whose script sets `self.location` to the same URL
plus `WebShieldSessionVerify=<token>` after a timeout); the cookie name and token format are made up.

Tests steer it through `mirror.state`:
  "webshield":    "first" (default) — a client's first request is challenged, then its session passes;
                  "every" — every path is challenged once per session;
                  "never"  — verification never succeeds (the crawler must give up, not loop);
                  "off".
  "after_verify": "redirect" (default) — a valid token is answered by a 302 to the original URL;
                  "serve" — the page itself is served at the verification URL.
  "log":          filled here: (path, cookie session or None, "challenge" | "verified" | "pass").
"""

from __future__ import annotations

import secrets
import string
import threading
from urllib.parse import parse_qsl, urlencode

from crawler.mirror.server import MirrorResponse

COOKIE = "wsSessionId"
PARAM = "WebShieldSessionVerify"
LOCK = threading.Lock()  # the mirror serves requests on several threads
CHALLENGE = (
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312" />'
    '<meta http-equiv="pragma" content="no-cache" /><meta http-equiv="cache-control" content="no-store" />'
    '<script>function JumpSelf(){{ self.location="{target}";}}</script>'
    '<script>setTimeout("JumpSelf()",700);</script></head>'
    "<body><noscript>请开启浏览器的JavaScript后访问本站</noscript></body></html>"
)


def handle(request, mirror):
    state = mirror.state
    mode = state.get("webshield", "first")
    if mode == "off":
        return None
    with LOCK:
        sessions = state.setdefault("sessions", {})
        log = state.setdefault("log", [])
        sid = request.cookies.get(COOKIE)
        session = sessions.get(sid)
        token = request.params.get(PARAM)
        if token is not None and session is not None and token in session["tokens"] and mode != "never":
            session["tokens"].discard(token)
            session["verified"] = True
            session["passed"].add(request.path)
            log.append((request.path, sid, "verified"))
            if state.get("after_verify", "redirect") == "redirect":
                return MirrorResponse(302, {"Location": _without_token(request), "Content-Type": "text/html"}, b"")
            return None  # serve the page at the verification URL
        if token is None and session is not None and session["verified"] and (
            mode == "first" or request.path in session["passed"]
        ):
            log.append((request.path, sid, "pass"))
            return None
        headers = {"Content-Type": "text/html", "Cache-Control": "no-cache"}
        if session is None:
            sid = secrets.token_hex(8)
            session = sessions[sid] = {"tokens": set(), "verified": False, "passed": set()}
            headers["Set-Cookie"] = f"{COOKIE}={sid}; path=/"
        new_token = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(20))
        session["tokens"].add(new_token)
        log.append((request.path, request.cookies.get(COOKIE), "challenge"))
        query = _without_token(request).partition("?")[2]
        target = f"{request.path}?{query + '&' if query else ''}{PARAM}={new_token}"
        return MirrorResponse(200, headers, CHALLENGE.format(target=target).encode("gb2312"))


def _without_token(request) -> str:
    query = [(k, v) for k, v in parse_qsl(request.query, keep_blank_values=True) if k != PARAM]
    return request.path + (f"?{urlencode(query)}" if query else "")
