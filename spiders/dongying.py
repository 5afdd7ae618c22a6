"""东营市人民政府, www.dongying.gov.cn on 大汉 Hanweb JCMS with the xxgk module (docs/portals.md §2)."""

from __future__ import annotations

from spiders.platforms.hanweb import HanwebSpider


class DongyingSpider(HanwebSpider):
    name = "dongying"
    home_url = "http://www.dongying.gov.cn"
    site_hosts = (".dongying.gov.cn",)  # departments publish on sub-hosts
    body_name = "东营市人民政府"
    body_level = "city"
    region_code = "370500"
    # 政府信息公开年报, from the seed URL /art/2020/2/27/art_164458_841.html (its jpage list unverified).
    column_ids = ("164458",)
    # The module's page for the 市政府 (seen: ?area=dongyingshi&fbtime=2020&showType=2).
    xxgk_areas = ("dongyingshi",)
    xxgk_params = {"showType": "2"}
