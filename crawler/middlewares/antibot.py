"""Anti-bot layers in front of some portals (docs/portals.md §1.6).

- 安全狗 WebShield (诸城): the first answer is a tiny gb2312 page whose script, after a timeout,
  sends the browser to the same URL plus `WebShieldSessionVerify=<token>`. It is passed without a
  JS engine: read the URL with a regular expression and ask for it in the same cookie jar; if the
  site then redirects, ask for the original request again. Checked on every response, bounded.
- 瑞数 Botgate (HTTP 412, sometimes 202 with its script) and 加速乐 (HTTP 521): they need a browser.
  They are reported as blocked — an error in the log, a stat in the crawl run — never a silent
  "0 items". This middleware sees every status before HttpErrorMiddleware (a spider middleware)
  would drop the response at INFO level, so spiders need no handle_httpstatus_list for them.

Registered between RedirectMiddleware (600) and CookiesMiddleware (700): cookies set by a
challenge page are in the jar before the follow-up request leaves, and a redirect answering the
verification is seen here before RedirectMiddleware turns it into a GET.
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import urljoin

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response

from crawler.extensions.runrecord import record_failure
from crawler.urls import strip_params

logger = logging.getLogger(__name__)

WEBSHIELD_PARAMS = {"webshieldsessionverify", "webshielddrsessionverify"}
# The challenge page is a few hundred bytes; a real page that merely mentions WebShield is not.
CHALLENGE_MAX_BYTES = 4096
_WEBSHIELD_TARGET = re.compile(rb"""location(?:\.href)?\s*=\s*["']([^"']*WebShield\w*Verify=[^"']*)["']""", re.I)
# meta keys carried by follow-up requests
ATTEMPTS = "webshield_attempts"
ORIGINAL = "webshield_original"  # (url, method, body) of the request first challenged
VERIFYING = "webshield_verifying"  # this request asks for the verification URL


class WebShieldFailed(IgnoreRequest):
    """The WebShield challenge was not passed within the allowed attempts."""


class Blocked(IgnoreRequest):
    """An anti-bot layer this crawler cannot pass without a browser."""


def webshield_target(response: Response) -> str | None:
    """The verification URL a WebShield challenge page sends the browser to, or None."""
    body = response.body
    if len(body) > CHALLENGE_MAX_BYTES or b"WebShield" not in body:
        return None
    match = _WEBSHIELD_TARGET.search(body)
    return urljoin(response.url, match.group(1).decode("latin-1").strip()) if match else None


def blocked_layer(response: Response) -> str | None:
    """The name of a browser-only anti-bot layer answering `response`, or None."""
    if response.status == 412:
        return "瑞数 Botgate (HTTP 412)"
    if response.status == 202 and b"$_ts" in response.body[: CHALLENGE_MAX_BYTES * 4]:
        return "瑞数 Botgate (HTTP 202)"  # 202 alone is a normal answer: only with 瑞数's script
    if response.status == 521:
        return "加速乐 (HTTP 521)"
    return None


def strip_webshield(url: str) -> str:
    return strip_params(url, WEBSHIELD_PARAMS)


class AntiBotMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.max_attempts = crawler.settings.getint("WEBSHIELD_MAX_ATTEMPTS", 3)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AntiBotMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Request | Response:
        layer = blocked_layer(response)
        if layer:
            self._blocked(request, layer)
        target = webshield_target(response)
        if target is not None:
            return self._follow(request, target)
        if request.meta.get(VERIFYING) and 300 <= response.status < 400:
            return self._retry_original(request)  # verified; the site wants the original request
        if request.meta.get(ATTEMPTS) and strip_webshield(response.url) != response.url:
            # the page itself was served at the verification URL: the token is session noise
            return response.replace(url=strip_webshield(response.url))
        return response

    def _follow(self, request: Request, target: str) -> Request:
        attempts = request.meta.get(ATTEMPTS, 0) + 1
        original = request.meta.get(ORIGINAL) or (request.url, request.method, request.body)
        stats = self.crawler.stats
        if attempts > self.max_attempts:
            stats.inc_value("antibot/webshield/failed")
            logger.error(
                "WebShield challenge for %s not passed after %d attempts: giving up on this page",
                original[0],
                self.max_attempts,
            )
            reason = f"WebShield challenge not passed after {self.max_attempts} attempts"
            record_failure(self.crawler, original[0], "blocked", reason)
            raise WebShieldFailed(reason)
        stats.inc_value("antibot/webshield/challenges")
        logger.debug("WebShield challenge for %s (attempt %d): following %s", original[0], attempts, target)
        # A browser follows `self.location` with a GET; CookiesMiddleware keeps the same jar.
        return request.replace(
            url=target,
            method="GET",
            body=b"",
            dont_filter=True,  # the scheduler has already seen the original URL
            meta={**request.meta, ATTEMPTS: attempts, ORIGINAL: original, VERIFYING: True},
        )

    def _retry_original(self, request: Request) -> Request:
        url, method, body = request.meta[ORIGINAL]
        meta = {k: v for k, v in request.meta.items() if k != VERIFYING}
        return request.replace(url=url, method=method, body=body, dont_filter=True, meta=meta)

    def _blocked(self, request: Request, layer: str) -> None:
        self.crawler.stats.inc_value("antibot/blocked")
        self.crawler.stats.inc_value(f"antibot/blocked/{layer.split()[0]}")
        logger.error("blocked by %s at %s: this layer needs a browser; the crawl is incomplete", layer, request.url)
        record_failure(self.crawler, request.url, "blocked", f"blocked by {layer}")
        raise Blocked(f"blocked by {layer}")

    def spider_closed(self, spider: Any, reason: str) -> None:
        stats = self.crawler.stats
        blocked = stats.get_value("antibot/blocked", 0)
        failed = stats.get_value("antibot/webshield/failed", 0)
        if blocked or failed:
            logger.error(
                "%d request(s) blocked by anti-bot layers and %d WebShield challenge(s) not passed: "
                "the results of this crawl are incomplete, not empty",
                blocked,
                failed,
            )
