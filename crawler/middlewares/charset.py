"""Every HTML page read in the encoding it is written in, whatever its header says (downloader
middleware, for every spider).

Older county sites serve GBK pages with `Content-Type: text/html; charset=utf-8` (or ISO-8859-1,
or no charset) and `<meta charset=gbk>` inside. Scrapy believes the header, so the spider would
read titles, link texts and dates as mojibake: a report listed by its title is then dropped as
"not a report", with nothing recorded. Here the body is decoded once by
crawler.parsing.html.decode_html, the parser's own rule (a BOM; the header charset unless it
fails to decode or is a Latin-1 default while <meta> names another; then UTF-8, then GB18030),
and a response whose encoding differs is handed on re-labelled with the encoding that decodes it.

Registered at 585: on the downloader side of MetaRefreshMiddleware (580) and FailureRecorder
(540), which read the page's text, and on the engine side of HttpCompressionMiddleware (590),
so it sees the decompressed body. The bytes are not changed: the raw archive keeps them as served.
"""

from __future__ import annotations

import codecs
import logging

from scrapy import Request
from scrapy.http import HtmlResponse, Response

from crawler.parsing.html import charset_from_content_type, decode_html

logger = logging.getLogger(__name__)


class PageEncoding:
    def process_response(self, request: Request, response: Response) -> Response:
        return redecoded(response)


def redecoded(response: Response) -> Response:
    """`response` labelled with the encoding decode_html finds (itself when Scrapy's is right)."""
    if not isinstance(response, HtmlResponse) or not response.body:
        return response
    content_type = (response.headers.get("Content-Type") or b"").decode("latin-1")
    page = decode_html(response.body, charset_from_content_type(content_type))
    if codecs.lookup(page.encoding).name == codecs.lookup(response.encoding).name:
        return response
    for finding in page.findings:
        logger.info("%s: %s", response.url, finding.detail)
    logger.debug("%s: read as %s, not %s", response.url, page.encoding, response.encoding)
    return response.replace(encoding=page.encoding)
