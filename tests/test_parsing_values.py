"""Cell values: numbers, signs, separators, unit suffixes; blanks and dashes never become 0."""

from __future__ import annotations

from decimal import Decimal

import pytest

from crawler.parsing.values import ParsedValue, is_unit_word, looks_numeric, parse_value


@pytest.mark.parametrize(
    ("raw", "unit", "value", "out_unit"),
    [
        ("88", "件", Decimal("88"), "件"),
        (" 22794 ", "条", Decimal("22794"), "条"),
        ("\u00a0448\u3000", "件", Decimal("448"), "件"),
        ("0", "万元", Decimal("0"), "万元"),
        ("８８", "件", Decimal("88"), "件"),  # full-width digits
        ("1,234", "件", Decimal("1234"), "件"),
        ("１，２３４，５６７", "件", Decimal("1234567"), "件"),
        ("+1036", "个", Decimal("1036"), "个"),
        ("-5", "个", Decimal("-5"), "个"),
        ("\u22123", "个", Decimal("-3"), "个"),  # U+2212 minus sign
        ("\uff0d3", "个", Decimal("-3"), "个"),  # full-width hyphen-minus
        ("1148226.228万元", "万元", Decimal("1148226.228"), "万元"),
        ("160.5964万元", "万元", Decimal("160.5964"), "万元"),
        ("251000元", "万元", Decimal("25.1"), "万元"),
        ("1.5万元", "元", Decimal("15000"), "元"),
        ("32次", "次", Decimal("32"), "次"),
        ("860人次", "人次", Decimal("860"), "人次"),
        ("12条", None, Decimal("12"), "条"),  # unknown metric: the printed unit is kept
        ("12", None, Decimal("12"), None),
    ],
)
def test_numbers(raw, unit, value, out_unit):
    parsed = parse_value(raw, unit)
    assert parsed == ParsedValue(value, out_unit)


def test_decimal_conversion_is_exact():
    parsed = parse_value("123456789.123元", "万元")
    assert parsed.value == Decimal("12345.6789123")
    assert str(parse_value("251000元", "万元").value) == "25.1"


@pytest.mark.parametrize("raw", ["", " ", "\u00a0", "\u3000\u00a0 "])
def test_blank_is_none_not_zero(raw):
    parsed = parse_value(raw, "件")
    assert parsed.value is None
    assert parsed.rule == "blank_value" and parsed.problem


@pytest.mark.parametrize("raw", ["/", "／", "—", "——", "-", "－", "−", "无", " / "])
def test_not_applicable_markers_are_none(raw):
    parsed = parse_value(raw, "件")
    assert parsed.value is None
    assert parsed.rule == "not_applicable"
    assert raw.strip() in parsed.problem


@pytest.mark.parametrize("raw", ["3200余", "约5", "1,23", "1.2.3", "97%", "abc", "5件件", "0 0 22", "1 088"])
def test_unreadable_is_none(raw):
    parsed = parse_value(raw, "件")
    assert parsed.value is None
    assert parsed.rule == "unreadable_value"


@pytest.mark.parametrize(
    ("raw", "unit"),
    [
        ("370502198801011234", "件"),  # an ID card number typed into a count cell
        ("100000000000000", "件"),  # 15 digits
        ("-100000000000000", None),
        ("20000000000万元", "元"),  # 2×10^14 元 once converted
    ],
)
def test_a_value_the_database_cannot_hold_is_none(raw, unit):
    parsed = parse_value(raw, unit)
    assert (parsed.value, parsed.rule) == (None, "value_out_of_range")


def test_the_largest_value_kept():
    assert parse_value("99999999999999", "件").value == Decimal("99999999999999")  # 14 digits
    assert parse_value("1148226.228万元", "万元").value == Decimal("1148226.228")  # seed 000


@pytest.mark.parametrize(("raw", "unit"), [("5条", "件"), ("3人", "人次"), ("100元", "件"), ("2件", "万元")])
def test_incompatible_unit_is_none(raw, unit):
    parsed = parse_value(raw, unit)
    assert parsed.value is None
    assert parsed.rule == "unit_mismatch"
    assert parsed.unit == unit


def test_unit_words_and_numeric_looking_cells():
    assert is_unit_word("万元") and is_unit_word(" 人次 ") and is_unit_word("条")
    assert not is_unit_word("统计数") and not is_unit_word("")
    assert looks_numeric("3200余") and looks_numeric("-5") and looks_numeric("1148226.228万元")
    assert not looks_numeric("规章") and not looks_numeric("/") and not looks_numeric("")
    assert not looks_numeric("1.政府公报公开政府信息数") and not looks_numeric("2018年3月")
    assert not looks_numeric("3.其他") and not looks_numeric("2、重复申请")
    assert looks_numeric("1.2.3") and looks_numeric("97%") and looks_numeric("1,23")
    assert not looks_numeric("2017年度政府信息公开工作情况统计表,共计很多很多条目")
