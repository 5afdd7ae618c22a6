"""crawler.middlewares.antibot: the 安全狗 WebShield challenge is followed in the same cookie session and
bounded; 瑞数 and 加速乐 answers are reported as blocked (docs/portals.md §1.6)."""

from __future__ import annotations

import logging

import pytest
from scrapy import Spider
from scrapy.http import HtmlResponse, Request, Response
from scrapy.utils.test import get_crawler

from crawler.middlewares.antibot import (
    AntiBotMiddleware,
    Blocked,
    WebShieldFailed,
    webshield_target,
)

URL = "http://xxgk.zhucheng.gov.cn/XXGK/XXGKNB/SZFBGS/index.htm"
# The challenge page as the WAF sends it (gb2312, a few hundred bytes).
CHALLENGE = (
    b'<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312" />'
    b"<script>function JumpSelf(){ "
    b'self.location="/XXGK/XXGKNB/SZFBGS/index.htm?WebShieldSessionVerify=Ab12Cd34Ef56Gh78Ij90";}</script>'
    b'<script>setTimeout("JumpSelf()",700);</script></head><body></body></html>'
)
VERIFY_URL = URL + "?WebShieldSessionVerify=Ab12Cd34Ef56Gh78Ij90"


@pytest.fixture
def mw():
    crawler = get_crawler(Spider, {"WEBSHIELD_MAX_ATTEMPTS": 3})
    return AntiBotMiddleware.from_crawler(crawler)


def html(url: str, body: bytes, status: int = 200, request: Request | None = None) -> HtmlResponse:
    return HtmlResponse(url, status=status, body=body, headers={"Content-Type": "text/html"}, request=request)


def test_challenge_is_followed_with_a_get_that_keeps_the_cookie_jar_and_skips_the_dupefilter(mw):
    request = Request(URL, meta={"cookiejar": "s1"}, cb_kwargs={"x": 1})
    follow = mw.process_response(request, html(URL, CHALLENGE, request=request))
    assert isinstance(follow, Request)
    assert follow.url == VERIFY_URL
    assert (follow.method, follow.dont_filter, follow.meta["cookiejar"], follow.cb_kwargs) == (
        "GET",
        True,
        "s1",
        {"x": 1},
    )
    assert mw.crawler.stats.get_value("antibot/webshield/challenges") == 1


def test_challenge_location_with_a_query_and_window_location_href():
    body = b'<script>window.location.href = "/list.jsp?a=1&WebShieldSessionVerify=tok";</script>WebShield'
    assert webshield_target(html("http://h/list.jsp?a=1", body)) == "http://h/list.jsp?a=1&WebShieldSessionVerify=tok"


def test_a_big_page_that_mentions_webshield_is_not_a_challenge(mw):
    body = b"<html><body>" + b'<p>WebShield self.location="/?WebShieldSessionVerify=x"</p>' * 200 + b"</body></html>"
    response = html(URL, body)
    assert webshield_target(response) is None
    assert mw.process_response(Request(URL), response) is response


def test_verification_answered_by_a_redirect_retries_the_original_request(mw):
    original = Request(URL, method="POST", body=b"page=2")
    follow = mw.process_response(original, html(URL, CHALLENGE, request=original))
    redirect = Response(VERIFY_URL, status=302, headers={"Location": URL}, request=follow)
    retry = mw.process_response(follow, redirect)
    assert isinstance(retry, Request)
    assert (retry.url, retry.method, retry.body, retry.dont_filter) == (URL, "POST", b"page=2", True)


def test_page_served_at_the_verification_url_loses_the_token(mw):
    follow = mw.process_response(Request(URL), html(URL, CHALLENGE))
    page = html(VERIFY_URL, b"<html><body>" + b"<p>list</p>" * 500 + b"</body></html>", request=follow)
    out = mw.process_response(follow, page)
    assert out.url == URL
    assert out.body == page.body


def test_a_challenge_that_never_passes_is_given_up_after_the_allowed_attempts(mw, caplog):
    request = Request(URL)
    with caplog.at_level(logging.ERROR):
        for _ in range(3):
            request = mw.process_response(request, html(request.url, CHALLENGE))
            assert isinstance(request, Request)
        with pytest.raises(WebShieldFailed):
            mw.process_response(request, html(request.url, CHALLENGE))
    assert mw.crawler.stats.get_value("antibot/webshield/failed") == 1
    assert f"WebShield challenge for {URL} not passed after 3 attempts" in caplog.text


@pytest.mark.parametrize(
    ("status", "body", "layer"),
    [
        (412, b"<html><script>$_ts=window['$_ts'];</script></html>", "瑞数 Botgate (HTTP 412)"),
        (202, b"<html><meta content='x' r='m'><script>$_ts=window['$_ts'];</script></html>", "瑞数 Botgate (HTTP 202)"),
        (521, b"<script>document.cookie=('__jsl_clearance_s=1')</script>", "加速乐 (HTTP 521)"),
    ],
)
def test_browser_only_layers_are_reported_as_blocked(mw, caplog, status, body, layer):
    with caplog.at_level(logging.ERROR), pytest.raises(Blocked):
        mw.process_response(Request(URL), html(URL, body, status=status))
    assert f"blocked by {layer} at {URL}" in caplog.text
    assert mw.crawler.stats.get_value("antibot/blocked") == 1
    mw.spider_closed(None, "finished")
    assert "the results of this crawl are incomplete, not empty" in caplog.text


def test_an_ordinary_202_passes(mw):
    response = html(URL, b"<html><body>accepted</body></html>", status=202)
    assert mw.process_response(Request(URL), response) is response
