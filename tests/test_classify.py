from __future__ import annotations

import pytest

from crawler.parsing.classify import is_annual_report_title, is_cut_report_title


@pytest.mark.parametrize(
    "title",
    [
        "东营市人民政府2019年政府信息公开工作年度报告",
        "淮北市人民政府2018年度政府信息公开年度报告",
        "临沂经济技术开发区 2019 年政府信息公开工作年度报告",
        "淮北经济开发区2017年度信息公开工作年报报告",
        "东胜区2017年政府信息公开年度报告",
        "某某县人民政府二〇一九年政府信息公开工作年度报告",
        "东营市人民政府2019年政府信息公开工作年度报告(最终版)",
    ],
)
def test_annual_report_titles(title):
    assert is_annual_report_title(title)


@pytest.mark.parametrize(
    "title",
    [
        None,
        "",
        "政府信息公开年报",  # a column name: no year
        "图解:东营市人民政府2019年政府信息公开工作年度报告",
        "东营市人民政府2019年政府信息公开工作年度报告解读",
        "关于做好2019年政府信息公开工作年度报告编制工作的通知",
        "淮北市2019年公共服务和中介服务运行结果",
        "东营市2019年国民经济和社会发展统计公报",
        "关于东营市人民政府2019年政府信息公开工作年度报告的更正说明",
        "东营市人民政府2019年政府信息公开工作年度报告部分数据的更正",
        "东营市人民政府2019年政府信息公开工作年度报告新闻发布会",
    ],
)
def test_not_annual_report_titles(title):
    assert not is_annual_report_title(title)


@pytest.mark.parametrize(
    ("title", "cut"),
    [
        ("固镇县发展和改革委员会2023年政府信息公开工作…", True),  # a list row without title=
        ("汶上县人民政府2022年政府信息公开...", True),
        ("固镇县人民政府2023年政府信息公开工作年度报告", False),  # not cut: a title as it is
        ("图解固镇县2023年政府信息公开工作年度…", False),  # the visible part says what it is
        ("关于报送2021年度政府信息公开工作年度报告的通…", False),
        ("固镇县人民政府2023年政府信息…", False),  # not even 信息公开 visible
        ("固镇县政府工作报告…", False),
    ],
)
def test_cut_report_titles(title, cut):
    assert is_cut_report_title(title) is cut
    assert not is_annual_report_title(title) or not cut  # a cut title is never a report title itself
