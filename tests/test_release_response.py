"""A response reaches the engine without its decoded text, and a report's response lets go of
its parsel tree and decoded text once the spider hands over the item
(crawler/middlewares/memory.py): the item waits for the parse workers and the storage batch while
Scrapy keeps the response, and hundreds of waiting trees were half of a large crawl's memory
(bench/RESULTS.md (d))."""

from __future__ import annotations

import json

import pytest

from crawler import settings as project
from tests.crawl import run_crawl


@pytest.mark.e2e
def test_a_stored_reports_response_holds_no_tree_and_no_text(mirror_for, tmp_path) -> None:
    probe = tmp_path / "probe.json"
    extensions = {**project.EXTENSIONS, "tests.responseprobe.ResponseProbe": 900}
    result = run_crawl(
        "huaibei",
        mirror_for("huaibei").base_url,
        tmp_path,
        settings={"EXTENSIONS": json.dumps(extensions), "RESPONSE_PROBE": str(probe)},
    )
    assert result.returncode == 0, result.log[-3000:]
    probed = json.loads(probe.read_text())
    held = probed["items"]
    # tests/test_huaibei.py: the mirror's five reports, each read by the spider with response.css
    assert len(held) == 5 == len(result.reports())
    assert all(tree is False and text is False for tree, text in held.values()), held
    # and no response waited for its callback with its text decoded (Scrapy's meta-refresh check
    # decodes every HTML page on the way in)
    assert probed["arrived_decoded"] == []
