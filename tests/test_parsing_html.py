"""Decoding HTML bytes and extracting text (crawler.parsing.html).

Fixtures under tests/fixtures/html/ are synthetic pages written by hand (each says so in a comment).
"""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from crawler.parsing.html import (
    charset_from_content_type,
    decode_html,
    decode_text,
    find_content,
    html_to_text,
    leading_lines,
    meta_charset,
    normalize_charset,
    parse_html,
    tree_to_text,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "html"


CONTAINERS = (
    "#zoom, .j-fontContent, .TRS_Editor, .trs_editor_view, .wzcon, #vsb_content .v_news_content, .v_news_content"
)


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def fixture_html(name: str) -> str:
    return (FIXTURES / name).read_text("utf-8")


# --- decode_html ------------------------------------------------------------------------------


def test_gbk_page_with_wrong_utf8_header_is_decoded_by_its_meta_declaration():
    page = decode_html(fixture_bytes("gbk_wrong_header.html"), header_charset="utf-8")
    assert page.encoding == "gb18030"
    assert "诸城市人民政府2017年政府信息公开工作年度报告" in page.text
    # 堃 is in GBK but not in GB2312: the gb2312 label is decoded as gb18030
    assert "联系人王堃" in page.text
    assert "〔2016〕75号" in page.text
    assert page.findings == []


def test_latin1_header_default_loses_to_the_meta_declaration():
    page = decode_html(fixture_bytes("gbk_wrong_header.html"), header_charset="ISO-8859-1")
    assert page.encoding == "gb18030"
    assert "作者: 诸城市人民政府办公室" in page.text


def test_header_charset_wins_when_it_decodes_cleanly():
    body = '<meta charset="gbk"><p>东营市</p>'.encode()
    page = decode_html(body, header_charset="UTF-8")
    assert page.encoding == "utf-8"
    assert "<p>东营市</p>" in page.text


def test_utf8_meta_beats_a_gbk_header_that_would_decode_utf8_bytes_as_mojibake():
    body = '<meta charset="utf-8"><p>中文</p>'.encode()
    page = decode_html(body, header_charset="gbk")
    assert page.encoding == "utf-8"
    assert "<p>中文</p>" in page.text


def test_gbk_header_without_meta():
    body = "<p>淮北市人民政府</p>".encode("gbk")
    page = decode_html(body, header_charset="GB2312")
    assert page.encoding == "gb18030"
    assert page.text == "<p>淮北市人民政府</p>"


def test_no_declaration_tries_utf8_then_gb18030():
    assert decode_html("<p>东胜区</p>".encode()).encoding == "utf-8"
    page = decode_html("<p>东胜区</p>".encode("gbk"))
    assert page.encoding == "gb18030"
    assert page.text == "<p>东胜区</p>"


def test_bom_wins_over_declarations():
    body = codecs.BOM_UTF8 + '<meta charset="gbk"><p>临沂</p>'.encode()
    page = decode_html(body, header_charset="gbk")
    assert page.encoding == "utf-8"
    assert page.text == '<meta charset="gbk"><p>临沂</p>'


def test_declaration_that_fails_is_overruled_with_an_info_finding():
    body = '<meta charset="utf-8"><p>东营</p>'.encode("gbk")
    page = decode_html(body)
    assert page.encoding == "gb18030"
    assert "<p>东营</p>" in page.text
    assert [(f.rule, f.severity) for f in page.findings] == [("encoding", "info")]


def test_undecodable_bytes_give_a_warning_with_the_count_and_encoding():
    # 中 in UTF-8, then a stray 0xFF byte that no candidate can decode
    body = b'<meta charset="utf-8"><p>\xe4\xb8\xad\xff</p>'
    page = decode_html(body)
    assert page.encoding == "utf-8"
    assert page.text == '<meta charset="utf-8"><p>中\ufffd</p>'
    assert len(page.findings) == 1
    finding = page.findings[0]
    assert (finding.rule, finding.severity) == ("encoding", "warning")
    assert "1 replacement" in finding.detail and "utf-8" in finding.detail


def test_meta_charset_reads_both_declaration_forms():
    assert meta_charset(b'<head><meta charset="GBK"></head>') == "GBK"
    http_equiv = b'<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />'
    assert meta_charset(http_equiv) == "gb2312"
    # a declaration after </head> is body content, not a declaration
    assert meta_charset(b'<head></head><body><meta charset="gbk">') is None


def test_normalize_charset():
    assert normalize_charset("GB2312") == "gb18030"
    assert normalize_charset("x-gbk") == "gb18030"
    assert normalize_charset("UTF8") == "utf-8"
    assert normalize_charset("no-such-charset") is None
    assert normalize_charset(None) is None


# --- decode_text ------------------------------------------------------------------------------


def test_decode_text_utf8_and_gb18030():
    assert decode_text("统计期限自2019年1月1日".encode()) == "统计期限自2019年1月1日"
    assert decode_text("统计期限自2019年1月1日".encode("gbk")) == "统计期限自2019年1月1日"
    assert decode_text(codecs.BOM_UTF8 + "年报".encode()) == "年报"


# --- html_to_text: separators -----------------------------------------------------------------


def test_text_inside_inline_elements_is_kept_in_place():
    text = html_to_text(fixture_html("inline_separators.html"), container=CONTAINERS)
    lines = text.split("\n")
    assert lines[0] == (
        "按照《淮北市人民政府办公室关于印发政务公开工作要点的通知》(淮政办秘〔2016〕75号)要求,落实“五公开”要求。"
    )
    assert lines[1] == "依申请公开办理答复率分别为10.57%、13.74%、4.5%。"
    # bold number and a comment inside running text: no space inserted, comment text dropped
    assert lines[2] == "全市主动公开政府信息112304条,较上年增长。"
    # a line break in the HTML source between Chinese characters is not a space
    assert lines[3] == "本报告由市政府办公室编制。"
    # <br> and <li> end lines
    assert lines[4:8] == ["联系电话:", "0561-3023456", "一是高位推进", "二是建章立制"]


def test_adjacent_links_and_images_are_kept_apart():
    text = html_to_text(fixture_html("inline_separators.html"))
    lines = text.split("\n")
    assert lines[0] == "政务公开 信息公开目录"
    assert lines[-1] == "微信 微博 扫描二维码随身看资讯"
    # the image's alt text is not page text
    assert "二维码\n" not in text and "微博 二维码" not in text


def test_source_line_break_between_non_cjk_characters_is_a_space():
    assert html_to_text("<p>10.57%\n13.74%</p>") == "10.57% 13.74%"
    assert html_to_text("<p>联系电话\n  0561</p>") == "联系电话0561"


def test_scripts_styles_comments_and_hidden_elements_are_dropped_but_their_tails_kept():
    html = (
        "<style>p{}</style><p>统计<script>var a = 1;</script>期限<!-- x -->自</p>"
        '<div style="display: none">隐藏</div><div hidden>也隐藏</div><p>止</p>'
    )
    assert html_to_text(html) == "统计期限自\n止"


def test_table_cells_end_lines():
    html = "<table><tr><th>信息内容</th><th>本年新制作数量</th></tr><tr><td>规章</td><td>3</td></tr></table>"
    assert html_to_text(html) == "信息内容\n本年新制作数量\n规章\n3"


def test_nfkc_is_not_applied():
    assert html_to_text("<p>发布日期：２０２０</p>") == "发布日期：２０２０"


def test_empty_or_declaration_only_input():
    assert html_to_text("") == ""
    assert html_to_text('<?xml version="1.0" encoding="utf-8"?><p>年报</p>') == "年报"


# --- html_to_text: container and tables -------------------------------------------------------


def test_whole_hanweb_page_keeps_header_lines_and_drops_script_text():
    text = html_to_text(fixture_html("hanweb_article.html"))
    lines = text.split("\n")
    assert lines[:5] == [
        "首页 公开",
        "首页 > 公开 > 政府信息公开目录 > 政府信息公开年报",
        "东营市人民政府2019年政府信息公开工作年度报告",
        "发布日期:2020-02-27 浏览次数: 信息来源:",
        "2020-02-27 来源:",
    ]
    assert "不应出现在正文里" not in text
    assert "document.write" not in text
    assert "隐藏的统计代码" not in text


def test_container_and_skip_tables_give_the_article_prose_only():
    text = html_to_text(fixture_html("hanweb_article.html"), skip_tables=True, container=CONTAINERS)
    assert text == "\n".join(
        [
            "本报告所列数据的统计期限自2019年1月1日起至2019年12月31日止。",
            "一、总体情况",
            "2019年,东营市人民政府深入贯彻《条例》和《办法》,按照国务院、省政府统一部署,全面落实各项工作要求。",
            "五、存在的主要问题及改进情况",
            "2020年2月27日",
        ]
    )


def test_container_keeps_tables_unless_asked():
    text = html_to_text(fixture_html("hanweb_article.html"), container="#zoom")
    assert "规章\n3\n3\n59" in text
    assert "发布日期" not in text


def test_unmatched_container_falls_back_to_the_whole_body():
    text = html_to_text(fixture_html("hanweb_article.html"), container=".no-such-container")
    assert text.startswith("首页 公开\n")
    assert text.endswith("东营市人民政府2019年政府信息公开工作年度报告(最终版).doc")


def test_container_selectors_are_tried_in_the_order_given():
    html = '<div class="wzcon">外层<div id="zoom">内层</div></div>'
    assert html_to_text(html, container="#zoom, .wzcon") == "内层"
    assert html_to_text(html, container=".wzcon, #zoom") == "外层\n内层"


def test_layout_table_around_the_article_is_not_dropped():
    text = html_to_text(fixture_html("layout_table.html"), skip_tables=True, container=CONTAINERS)
    assert text == "\n".join(
        [
            "首页",
            "政务公开",
            "资料来源:东胜区人民政府办公室 发布日期:2018-03-26 11:07",
            "根据《中华人民共和国政府信息公开条例》有关规定,按照上级有关要求,编制本报告。"
            "报告中所列数据统计期限为2017年1月1日至12月31日。",
            "八、存在问题及努力方向",
        ]
    )


def test_wrapper_table_inside_the_container_is_kept_with_its_prose():
    html = (
        '<div id="zoom"><table><tr><td>'
        "<p>本报告由市政府办公室编制,统计期限自2019年1月1日起至2019年12月31日止,全文包括概述等部分。</p>"
        "<table><tr><td>规章</td><td>3</td></tr></table>"
        "<p>附表</p></td></tr></table></div>"
    )
    assert html_to_text(html, skip_tables=True, container="#zoom") == (
        "本报告由市政府办公室编制,统计期限自2019年1月1日起至2019年12月31日止,全文包括概述等部分。\n附表"
    )


# --- find_content -----------------------------------------------------------------------------


def test_find_content_returns_the_inner_html_of_the_container():
    inner = find_content(fixture_html("inline_separators.html"), CONTAINERS)
    assert inner is not None
    assert inner.lstrip().startswith('<p class="MsoNormal">')
    assert "j-fontContent" not in inner
    assert "/zwgk/public/column/15" not in inner  # the navigation is outside the container
    assert html_to_text(inner).split("\n")[1] == "依申请公开办理答复率分别为10.57%、13.74%、4.5%。"


def test_find_content_escapes_leading_text_and_returns_none_without_a_match():
    assert find_content('<div id="zoom">a &lt; b<p>c</p></div>', "#zoom") == "a &lt; b<p>c</p>"
    assert find_content("<div>no container</div>", "#zoom") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("text/html; charset=GBK", "GBK"),
        ('text/html; charset="gb2312"', "gb2312"),
        ("text/html;charset=utf-8", "utf-8"),
        ("text/html", None),
        (None, None),
    ],
)
def test_charset_from_content_type(value, expected):
    assert charset_from_content_type(value) == expected


# --- one tree per page: leading_lines, tree_to_text ----------------------------------------------

HEADER_PAGE = (
    "<html><head><title>年报</title></head><body>"
    "<div class=nav><a>首页</a><a>政务公开</a></div>"
    "<div class=info><span>信息来源：东营市人民政府办公室</span><span>发布日期：２０２０-０２-２７</span></div>"
    "<div id=zoom><p>" + "根据《中华人民共和国政府信息公开条例》要求，" * 5 + "</p>"
    "<p>二、主动公开政府信息情况</p></div></body></html>"
)


def test_leading_lines_are_the_header_above_the_first_prose_line() -> None:
    root = parse_html(HEADER_PAGE)
    # NFKC applied (full-width digits), the prose line (110 characters) and all after it not read
    assert leading_lines(root, 100) == ["首页 政务公开", "信息来源:东营市人民政府办公室发布日期:2020-02-27"]
    assert leading_lines(root, 200)[-1] == "二、主动公开政府信息情况"  # no line that long: the whole page


def test_leading_lines_stop_once_the_caller_has_enough() -> None:
    # a long page of short lines: without `enough` every line is read
    page = HEADER_PAGE.replace("<div id=zoom>", "".join(f"<div>栏目{n}</div>" for n in range(2000)) + "<div id=zoom>")
    root = parse_html(page)
    everything = leading_lines(root, 200)
    assert len(everything) == 2 + 2000 + 2

    def enough(lines: list[str]) -> bool:
        return any("发布日期" in line for line in lines)

    lines = leading_lines(root, 200, enough)
    assert 2 <= len(lines) < 2000 and lines == everything[: len(lines)]  # a prefix, stopped early


def test_one_tree_serves_every_reader() -> None:
    root = parse_html(HEADER_PAGE)
    assert tree_to_text(root, container="#zoom") == html_to_text(HEADER_PAGE, container="#zoom")
    assert tree_to_text(root).split("\n")[:3] == [
        "首页 政务公开",
        "信息来源：东营市人民政府办公室发布日期：２０２０-０２-２７",
        "根据《中华人民共和国政府信息公开条例》要求，" * 5,
    ]
    assert parse_html("") is None and parse_html("<!-- 空 -->") is None
