from __future__ import annotations

import pytest

from crawler.extensions.runrecord import exit_reason


@pytest.mark.parametrize(
    ("stats", "expected"),
    [
        ({"govreports/outcome": "ok", "finish_reason": "finished"}, None),
        ({"govreports/outcome": "empty", "govreports/exit_reason": "found no report at all"}, "found no report at all"),
        ({"govreports/outcome": "failed", "govreports/exit_reason": "failure rate 43%"}, "failure rate 43%"),
        ({"finish_reason": "finished"}, None),  # pipelines disabled: nothing judged, it finished
        ({"finish_reason": "shutdown"}, "crawl ended with shutdown"),
    ],
)
def test_exit_reason(stats, expected):
    assert exit_reason(stats) == expected
