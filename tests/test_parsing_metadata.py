"""Report metadata (crawler.parsing.metadata) on the seeds and on hand-written fixtures.

Expected values are typed from the seed texts, docs/portals.md, or the synthetic fixtures in
tests/fixtures/html/.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from crawler.parsing.html import decode_html, html_to_text
from crawler.parsing.metadata import (
    agency_from_title,
    extract_metadata,
    parse_chinese_date,
    parse_meta_date,
)
from tests.conftest import seed_text

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "html"
CONTAINERS = "#zoom, .j-fontContent, .TRS_Editor, .trs_editor_view, .wzcon, .v_news_content"


# --- seeds ------------------------------------------------------------------------------------


def test_seed_000_dongying():
    md = extract_metadata(seed_text("000"))
    assert md.title == "东营市人民政府2019年政府信息公开工作年度报告"
    assert md.year == 2019
    assert (md.published_at, md.published_precision) == (date(2020, 2, 27), "day")
    assert md.agency == "东营市人民政府"
    # `信息来源:` and `来源:` are printed with nothing after them
    assert md.source is None


def test_seed_001_huaibei():
    md = extract_metadata(seed_text("001"))
    assert md.title == "淮北市人民政府2018年度政府信息公开年度报告"
    assert md.year == 2018
    assert (md.published_at, md.published_precision) == (date(2019, 2, 15), "day")
    assert md.source == "淮北市人民政府办公室"
    assert md.agency == "淮北市人民政府"


def test_seed_002_zhucheng_source_comes_from_author_when_source_is_a_template_code():
    md = extract_metadata(seed_text("002"))
    assert md.title == "诸城市人民政府2017年政府信息公开工作年度报告"
    assert md.year == 2017
    assert (md.published_at, md.published_precision) == (date(2018, 3, 29), "day")
    assert md.source == "诸城市人民政府办公室"
    assert md.agency == "诸城市人民政府"


def test_seed_003_dongsheng_has_no_title_and_takes_the_year_from_the_statistics_period():
    md = extract_metadata(seed_text("003"))
    assert md.title is None
    assert md.year == 2017
    assert md.published_at is None and md.published_precision is None
    assert md.agency is None


def test_seed_004_linyi_month_precision_signature_in_chinese_numerals():
    md = extract_metadata(seed_text("004"))
    assert md.title == "临沂经济技术开发区 2019 年政府信息公开工作年度报告"
    assert md.year == 2019
    assert (md.published_at, md.published_precision) == (date(2020, 1, 1), "month")
    assert md.agency == "临沂经济技术开发区"


def test_seed_000_signature_date_when_the_header_is_missing():
    lines = seed_text("000").splitlines()
    without_header = "\n".join(line for line in lines if "发布日期" not in line and "来源:" not in line)
    md = extract_metadata(without_header)
    assert (md.published_at, md.published_precision) == (date(2020, 2, 27), "day")


# --- HTML pages -------------------------------------------------------------------------------


def test_hanweb_page_meta_tags_and_header():
    html = (FIXTURES / "hanweb_article.html").read_text("utf-8")
    body = html_to_text(html, skip_tables=True, container=CONTAINERS)
    md = extract_metadata(body, html=html, url="http://www.dongying.gov.cn/art/2020/2/27/art_164458_841.html")
    assert md.title == "东营市人民政府2019年政府信息公开工作年度报告"
    assert md.year == 2019
    assert (md.published_at, md.published_precision) == (date(2020, 2, 27), "day")
    assert md.source == "东营市人民政府办公室"  # meta ContentSource; the header's 信息来源 is empty
    assert md.agency == "东营市人民政府"


def test_gbk_page_header_read_from_the_html_when_the_text_is_the_article_only():
    page = decode_html((FIXTURES / "gbk_wrong_header.html").read_bytes(), header_charset="utf-8")
    body = html_to_text(page.text, skip_tables=True, container=CONTAINERS)
    assert "时间" not in body  # the header line is outside the article container
    md = extract_metadata(body, html=page.text)
    assert md.title == "诸城市人民政府2017年政府信息公开工作年度报告"
    assert (md.published_at, md.published_precision) == (date(2018, 3, 29), "day")
    assert md.source == "诸城市人民政府办公室"


def test_layout_table_page_source_and_date_from_the_header():
    html = (FIXTURES / "layout_table.html").read_text("utf-8")
    md = extract_metadata(html_to_text(html, skip_tables=True), html=html)
    assert md.title == "东胜区人民政府2017年政府信息公开年度报告"
    assert md.year == 2017
    assert (md.published_at, md.published_precision) == (date(2018, 3, 26), "day")
    assert md.source == "东胜区人民政府办公室"
    assert md.agency == "东胜区人民政府"


def test_republished_page_header_date_wins_over_meta_pubdate_and_title_keeps_its_year():
    html = (
        '<html><head><meta name="PubDate" content="2022-05-09 10:00">'
        "<title>东胜区人民政府2017年政府信息公开年度报告</title></head><body>"
        "<div>资料来源:东胜区人民政府办公室 发布日期:2018-03-26 11:07</div>"
        '<div class="TRS_Editor"><p>正文</p></div></body></html>'
    )
    md = extract_metadata("正文", html=html, url="http://ds.gov.cn/gk/zfxxgknb/qzf/202205/t20220509_3210628.html")
    assert md.year == 2017
    assert (md.published_at, md.published_precision) == (date(2018, 3, 26), "day")


def test_meta_pubdate_is_used_when_there_is_no_header_line():
    html = (
        '<html><head><meta name="pubdate" content="2019-02-15 23:45">'
        '<meta name="ArticleTitle" content="淮北市人民政府2018年度政府信息公开年度报告">'
        "</head><body><p>正文</p></body></html>"
    )
    md = extract_metadata("正文", html=html)
    assert md.title == "淮北市人民政府2018年度政府信息公开年度报告"
    assert (md.published_at, md.published_precision) == (date(2019, 2, 15), "day")


def test_header_lines_of_the_other_portals():
    vsb = "发布机构: 临沂经济技术开发区财政金融局 发布日期: 2024-01-26\n发布时间:2024-01-26 点击次数: 【文字大小:"
    assert extract_metadata(vsb).published_at == date(2024, 1, 26)
    module = "东营市人民政府2020年政府信息公开工作年度报告\n发布时间:2021-03-10"
    assert extract_metadata(module).published_at == date(2021, 3, 10)
    full_width = "信息来源：淮北市人民政府办公室　发布时间：２０１９－０２－１５ ２３：４５"
    md = extract_metadata(full_width)
    assert md.published_at == date(2019, 2, 15)
    assert md.source == "淮北市人民政府办公室"


def test_labels_glued_without_spaces_are_split():
    md = extract_metadata("浏览次数:信息来源:淮北市人民政府办公室发布时间:2019-02-15 23:45字号:")
    assert md.source == "淮北市人民政府办公室"
    assert md.published_at == date(2019, 2, 15)


def test_empty_source_label_gives_none():
    assert extract_metadata("信息来源: 发布时间:2019-02-15 23:45").source is None


# --- title choice -----------------------------------------------------------------------------


def test_list_title_when_the_page_names_no_report():
    html = "<html><head><title>中国·东营</title></head><body><p>正文</p></body></html>"
    md = extract_metadata("正文", html=html, list_title="东营市人民政府2019年政府信息公开工作年度报告")
    assert md.title == "东营市人民政府2019年政府信息公开工作年度报告"
    assert md.year == 2019


def test_a_graphic_version_keeps_its_own_title_even_when_its_text_names_the_report():
    html = "<html><head><title>图解:东营市人民政府2019年政府信息公开工作年度报告</title></head></html>"
    text = "东营市人民政府2019年政府信息公开工作年度报告\n一图读懂"
    md = extract_metadata(text, html=html)
    assert md.title == "图解:东营市人民政府2019年政府信息公开工作年度报告"
    assert md.agency is None


def test_h1_report_title_beats_a_site_name_title():
    html = (
        "<html><head><title>东营市人民政府</title></head><body>"
        "<h1>东营市财政局 2019 年政府信息公开工作年度报告</h1></body></html>"
    )
    md = extract_metadata("", html=html)
    assert md.title == "东营市财政局 2019 年政府信息公开工作年度报告"
    assert md.agency == "东营市财政局"


def test_text_title_skips_navigation_and_sentences():
    text = (
        "首页 信息公开指南 信息公开目录 信息公开年度报告\n"
        "如对本年度报告有疑问,请与2019年政府信息公开办公室联系。\n"
        "东营市财政局2019年政府信息公开工作年度报告\n"
    )
    assert extract_metadata(text).title == "东营市财政局2019年政府信息公开工作年度报告"


# --- year ---------------------------------------------------------------------------------------


def test_year_is_never_taken_from_the_url_or_the_publish_date():
    md = extract_metadata(
        "发布日期:2020-02-27\n本报告编制说明。",
        url="http://www.dongying.gov.cn/art/2020/2/27/art_164458_841.html",
        list_title="东营市人民政府政府信息公开工作年度报告",
    )
    assert md.year is None
    assert md.published_at == date(2020, 2, 27)


def test_year_from_the_statistics_period_when_the_title_has_none():
    text = "本报告中所列数据统计期限自2017年1月1日至2017年12月31日。"
    assert extract_metadata(text, list_title="东胜区政府信息公开年度报告").year == 2017


def test_damaged_dates_are_not_repaired():
    # 〔2016〕-style loss in the period sentence: no year can be read, none is guessed
    assert extract_metadata("本报告所列数据统计期限为20191月1日至20191231日。").year is None
    assert extract_metadata("", list_title="东营市202020年政府信息公开工作年度报告").year is None


def test_title_year_in_chinese_numerals():
    md = extract_metadata("", list_title="临沂经济技术开发区二〇一九年政府信息公开工作年度报告")
    assert md.year == 2019
    assert md.agency == "临沂经济技术开发区"


# --- agency -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "agency"),
    [
        ("东营市人民政府2019年政府信息公开工作年度报告", "东营市人民政府"),
        ("临沂经济技术开发区 2019 年政府信息公开工作年度报告", "临沂经济技术开发区"),
        ("淮北市人民政府2018年度政府信息公开年度报告", "淮北市人民政府"),
        (
            "淮北市人民政府办公室(外事办公室)2022年政府信息公开工作年度报告",
            "淮北市人民政府办公室(外事办公室)",
        ),
        ("2019年东营市财政局政府信息公开工作年度报告", "东营市财政局"),
        ("2019年度东营市人民政府政府信息公开工作年度报告", "东营市人民政府"),
        ("2019年东营市人民政府信息公开工作年度报告", "东营市人民政府"),
        ("东营市民政局关于2019年政府信息公开工作年度报告", "东营市民政局"),
        ("政府信息公开工作年度报告", None),
        ("一图读懂临沂经济技术开发区2022年政府信息公开工作年度报告", None),
        ("关于做好2023年度政府信息公开工作年度报告编制发布工作的通知", None),
        (None, None),
    ],
)
def test_agency_from_title(title, agency):
    assert agency_from_title(title) == agency


# --- parse_chinese_date -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020年2月27日", (date(2020, 2, 27), "day")),
        ("二〇二〇年一月", (date(2020, 1, 1), "month")),
        ("二〇二〇年一月二十三日", (date(2020, 1, 23), "day")),
        ("二〇一九年十二月三十一日", (date(2019, 12, 31), "day")),
        ("二○二○年十月", (date(2020, 10, 1), "month")),  # ○ U+25CB for 〇
        ("2020年1月", (date(2020, 1, 1), "month")),
        ("2019 年 12 月", (date(2019, 12, 1), "month")),
        ("2020年", (date(2020, 1, 1), "year")),
        ("２０２０年２月２７日", (date(2020, 2, 27), "day")),
        ("2019-02-15 23:45", (date(2019, 2, 15), "day")),
        ("2020-02-27T16:05:00+08:00", (date(2020, 2, 27), "day")),
        ("2020/2/27", (date(2020, 2, 27), "day")),
        ("  2020-02-27  ", (date(2020, 2, 27), "day")),
    ],
)
def test_parse_chinese_date(text, expected):
    assert parse_chinese_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "20201月1日",
        "2020年2月30日",
        "2020年十十月",
        "发布日期:2020-02-27",
        "浏览次数",
        "",
        "1066年1月",
    ],
)
def test_parse_chinese_date_rejects_non_dates(text):
    assert parse_chinese_date(text) is None


def test_signature_with_day_in_chinese_numerals_and_one_before_the_report_year_ignored():
    text = (
        "临沂经济技术开发区2019年政府信息公开工作年度报告\n正文\n"
        "临沂经济技术开发区管理委员会办公室\n二〇二〇年一月二十三日"
    )
    md = extract_metadata(text)
    assert (md.published_at, md.published_precision) == (date(2020, 1, 23), "day")
    stale = "东营市人民政府2019年政府信息公开工作年度报告\n正文\n2018年12月"
    assert extract_metadata(stale).published_at is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2020-02-27 10:30:00", (date(2020, 2, 27), "day")),  # the regex forms still come first
        ("Thu, 27 Feb 2020 10:30:00 +0800", (date(2020, 2, 27), "day")),  # RFC 2822, via dateutil
        ("20200227", (date(2020, 2, 27), "day")),
        ("Feb 2020", (date(2020, 2, 1), "month")),  # no day in the text: none invented
        ("10:30", None),  # no year: not a publish date
        ("", None),
        ("not a date", None),
    ],
)
def test_meta_pubdate_forms(value, expected):
    assert parse_meta_date(value) == expected
