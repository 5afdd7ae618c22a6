"""淮北市人民政府 — www.huaibei.gov.cn, 信息公开 module under /zwgk (Lonsun; docs/portals.md §3)."""

from __future__ import annotations

from spiders.platforms.lonsun import LonsunSpider


class HuaibeiSpider(LonsunSpider):
    name = "huaibei"
    home_url = "https://www.huaibei.gov.cn"
    # list links are absolute and reach the department and district hosts of both families
    site_hosts = (".huaibei.gov.cn", ".hbdj.gov.cn")
    body_name = "淮北市人民政府"
    body_level = "city"
    region_code = "340600"
    xxgk_path = "/zwgk"
    organ_id = "15"  # 市政府办公室: publishes the city-wide report and its own
    title_bodies = ((r"^淮北市人民政府办公室", "淮北市人民政府办公室(外事办公室)", "department"),)
