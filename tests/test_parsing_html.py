"""Decoding HTML bytes and extracting text (crawler.parsing.html).

Fixtures under tests/fixtures/html/ are synthetic pages written by hand (each says so in a comment).
"""

from __future__ import annotations

import codecs
from pathlib import Path

from crawler.parsing.html import decode_html, decode_text, meta_charset, normalize_charset

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "html"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


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
