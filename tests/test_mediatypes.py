from __future__ import annotations

import pytest

from crawler.parsing.mediatypes import media_type_for_name


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("东营市人民政府2019年政府信息公开工作年度报告(最终版).pdf", "application/pdf"),
        ("report.DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("/art/2020/2/27/art_164458_841.html", "text/html"),
        ("seed.txt", "text/plain"),
        ("/module/download/downfile.jsp", None),
        ("/gk/zfxxgknb.qzf/index", None),  # a dot in a folder is no extension
        ("", None),
    ],
)
def test_media_type_for_name(name, expected):
    assert media_type_for_name(name) == expected
