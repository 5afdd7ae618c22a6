"""The CMS platforms a portal may run on, by the name a registry entry gives (platform = "…")."""

from __future__ import annotations

from spiders.platforms.generic import GenericSpider
from spiders.platforms.hanweb import HanwebSpider
from spiders.platforms.lonsun import LonsunSpider
from spiders.platforms.trs import TrsSpider
from spiders.platforms.vsb import VsbSpider

PLATFORMS: dict[str, type] = {
    "hanweb": HanwebSpider,
    "lonsun": LonsunSpider,
    "trs": TrsSpider,
    "vsb": VsbSpider,
    "generic": GenericSpider,  # any other CMS: lists read by link text and pager links
}
