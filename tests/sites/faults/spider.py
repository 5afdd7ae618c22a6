"""The spider of the faults mirror: a synthetic TRS-style portal (see README.md). It lives here,
beside its mirror, and not in spiders/: crawls name it with `-s SPIDER_MODULES=spiders,tests.sites.faults.spider`."""

from __future__ import annotations

import re

from spiders.platforms.trs import TrsSpider


class FaultsSpider(TrsSpider):
    name = "faults"
    home_url = "http://www.hecheng.example"  # reserved domain: never a real portal
    body_name = "合成县人民政府"
    body_level = "county"
    start_paths = ("/gk/nb/",)
    list_path = re.compile(r"/gk/nb/(?:index(?:_\d+)?\.html)?$")
