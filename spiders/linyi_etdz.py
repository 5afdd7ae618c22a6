"""临沂经济技术开发区 (now 临沂沂河新区), www.leda.gov.cn on 博达 VSB (docs/portals.md §6)."""

from __future__ import annotations

from spiders.platforms.vsb import VsbSpider


class LinyiEtdzSpider(VsbSpider):
    name = "linyi_etdz"
    home_url = "http://www.leda.gov.cn"
    # Links name the host without www; both serve the same site.
    host_aliases = {"leda.gov.cn": "www.leda.gov.cn"}
    body_name = "临沂经济技术开发区管理委员会"
    body_level = "zone"
    parent_body = "临沂市人民政府"
    # 公开年报 (the zone's own reports) and 部门年报. Unverified slugs (docs/portals.md §6.6): find the real
    # ones in the 公开目录 tree of a detail page and change them here.
    list_slugs = ("xxgk/gknb", "xxgk/bmnb")
    # The body's names in titles, old and new; department reports read 临沂沂河新区{部门}20XX年….
    title_names = ("临沂经济技术开发区", "临沂沂河新区", "经开区", "沂河新区")
