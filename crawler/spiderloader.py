"""Scrapy's spider loader, plus one spider per portal registry entry (crawler/registry.py).

Spider classes in SPIDER_MODULES (a test's own portal, the faults mirror's spider) are found as
before; a registry entry whose name one of them also uses is an error. A bad registry is one line
on stderr and exit status 2, for `scrapy list`, `scrapy crawl` and `govreports` alike."""

from __future__ import annotations

import sys
from typing import Any

from scrapy.spiderloader import SpiderLoader

from crawler.registry import RegistryError, load_registry, spider_class_for


class RegistrySpiderLoader(SpiderLoader):
    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        try:
            portals = load_registry()
        except RegistryError as exc:
            print(f"govreports: {exc}", file=sys.stderr)
            raise SystemExit(2) from None
        for name, portal in portals.items():
            if name in self._spiders:
                module = self._spiders[name].__module__
                print(
                    f"govreports: {portal.source}: portal {name!r}: key 'name': also a spider class in {module}",
                    file=sys.stderr,
                )
                raise SystemExit(2)
            self._spiders[name] = spider_class_for(portal)
