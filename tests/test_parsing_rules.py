"""勾稽 rules (docs/templates.md §5): real numbers pass, broken ones fail with their numbers, NULL skips.

Every number here is typed from a seed report (the line is cited) or written by hand for the test.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

import pytest

from crawler.parsing.model import APPLICANTS as APPLICANT_ORDER
from crawler.parsing.model import Finding, MetricValue
from crawler.parsing.rules import check_rules
from crawler.parsing.statistics import read_statistics
from crawler.parsing.tables import tables_from_html
from tests.seednumbers import values as seed_values


def rows(values: Mapping[str, int | None], *, scope: str | None = None, source: str = "table") -> list[MetricValue]:
    """One MetricValue per code of a single-column table."""
    return [
        MetricValue(
            code=code,
            value=None if value is None else Decimal(value),
            unit="件",
            raw_label=code,
            raw_value="" if value is None else str(value),
            scope=scope,
            source=source,
        )
        for code, value in values.items()
    ]


def apps_table(values: Mapping[str, tuple[int | None, ...]]) -> list[MetricValue]:
    """表三 rows: seven values each, in the order of APPLICANT_ORDER."""
    out = []
    for code, seven in values.items():
        assert len(seven) == 7, code
        for applicant, value in zip(APPLICANT_ORDER, seven, strict=True):
            out.append(
                MetricValue(
                    code=code,
                    value=None if value is None else Decimal(value),
                    unit="件",
                    raw_label=code,
                    raw_value="" if value is None else str(value),
                    applicant=applicant,
                )
            )
    return out


def changed(
    metrics: list[MetricValue], code: str, value: int | None, *, applicant: str | None = None
) -> list[MetricValue]:
    """A copy of `metrics` with one cell replaced (None = blank cell)."""
    out = []
    for m in metrics:
        if m.code == code and m.applicant == applicant:
            m = MetricValue(
                m.code,
                None if value is None else Decimal(value),
                m.unit,
                m.raw_label,
                str(value),
                m.scope,
                m.applicant,
                m.source,
            )
        out.append(m)
    return out


def without(metrics: list[MetricValue], code: str) -> list[MetricValue]:
    return [m for m in metrics if m.code != code]


# --- seed 002 (诸城 2017): both legacy tables, typed from tests/seeds/002_*.txt ---------------

# both tables, every number: tests/seeds/expected.toml ["002".self] (市本级), ["002".region] (本行政区域)
ZHUCHENG_SELF = {code: int(v) for code, v in seed_values("002", "self").items()}
ZHUCHENG_REGION = {code: int(v) for code, v in seed_values("002", "region").items()}


def zhucheng() -> list[MetricValue]:
    return rows(ZHUCHENG_SELF, scope="self") + rows(ZHUCHENG_REGION, scope="region")


@pytest.mark.parametrize("template", ["legacy", None])
def test_seed_002_both_tables_pass_every_rule(template):
    assert check_rules(zhucheng(), template) == []


def test_seed_002_differences_that_are_not_rules():
    """docs/templates.md §5.11: the seed breaks these "identities", and they give no finding."""
    channels = [f"proactive.channel.{c}" for c in ("gazette", "website", "weibo", "wechat", "other")]
    assert sum(ZHUCHENG_SELF[c] for c in channels) == 24968 != ZHUCHENG_SELF["proactive.total"]
    assert ZHUCHENG_SELF["org.reading_points"] == 87 != ZHUCHENG_SELF["reading_points.total"]
    assert ZHUCHENG_SELF["proactive.total"] != ZHUCHENG_REGION["proactive.total"]
    assert check_rules(rows(ZHUCHENG_SELF, scope="self"), "legacy") == []


# --- legacy rules fail with their numbers ---------------------------------------------------


def self_table_with(code: str, value: int | None) -> list[MetricValue]:
    return changed(rows(ZHUCHENG_SELF, scope="self"), code, value)


@pytest.mark.parametrize(
    ("code", "value", "expected"),
    [
        (
            "applications.received.online",
            44,
            Finding(
                "legacy.received",
                "error",
                "applications.received = 88 ≠ Σ applications.received.* = 9 + 0 + 44 + 34 + 0 = 87 (scope self)",
                "applications.received",
            ),
        ),
        (
            "applications.closed.extended",
            2,
            Finding(
                "legacy.closed",
                "error",
                "applications.closed = 88 ≠ applications.closed.on_time + applications.closed.extended = 88 + 2 = 90 "
                "(scope self)",
                "applications.closed",
            ),
        ),
        (
            "applications.answered",
            90,
            Finding(
                "legacy.answered",
                "error",
                "applications.answered = 90 ≠ Σ applications.answer.* (8 rows) = 18 + 21 + 0 + 3 + 19 + 25 + 2 + 0 = "
                "88 (scope self)",
                "applications.answered",
            ),
        ),
        (
            "applications.answer.refused.privacy",
            1,
            # 3 is also one of the eight answer rows, so only the refused rule breaks
            Finding(
                "legacy.refused",
                "error",
                "applications.answer.refused = 3 ≠ Σ applications.answer.refused.* = 0 + 0 + 1 + 0 + 3 + 0 = 4 (scope "
                "self)",
                "applications.answer.refused",
            ),
        ),
        (
            "review.total",
            3,
            Finding(
                "legacy.review",
                "error",
                "review.total = 3 ≠ review.upheld + review.corrected + review.other = 2 + 0 + 0 = 2 (scope self)",
                "review.total",
            ),
        ),
        (
            "litigation.other",
            0,
            Finding(
                "legacy.litigation",
                "error",
                "litigation.total = 1 ≠ litigation.upheld + litigation.corrected + litigation.other = 0 + 0 + 0 = 0 "
                "(scope self)",
                "litigation.total",
            ),
        ),
        (
            "complaints.corrected",
            1,
            Finding(
                "legacy.complaints",
                "error",
                "complaints.total = 0 ≠ complaints.upheld + complaints.corrected + complaints.other = 0 + 1 + 0 = 1 "
                "(scope self)",
                "complaints.total",
            ),
        ),
        (
            "org.staff.part_time",
            90,
            Finding(
                "legacy.staff",
                "error",
                "org.staff = 160 ≠ org.staff.full_time + org.staff.part_time = 69 + 90 = 159 (scope self)",
                "org.staff",
            ),
        ),
        (
            "archive_submissions.paper",
            223,
            Finding(
                "legacy.archive_submissions",
                "error",
                "archive_submissions.total = 448 ≠ Σ archive_submissions.* = 223 + 224 = 447 (scope self)",
                "archive_submissions.total",
            ),
        ),
        (
            "portals.total",
            2,
            Finding(
                "legacy.portals",
                "error",
                "portals.total = 2 ≠ Σ portals.* = 1 + 0 = 1 (scope self)",
                "portals.total",
            ),
        ),
        (
            "reading_points.total",
            87,  # the value of org.reading_points put in row 十 by mistake
            Finding(
                "legacy.reading_points",
                "error",
                "reading_points.total = 87 ≠ Σ reading_points.* = 3 + 68 = 71 (scope self)",
                "reading_points.total",
            ),
        ),
        (
            "reading_point_visitors.departments",
            2000,
            Finding(
                "legacy.reading_point_visitors",
                "error",
                "reading_point_visitors.total = 5300 ≠ Σ reading_point_visitors.* = 3200 + 2000 = 5200 (scope self)",
                "reading_point_visitors.total",
            ),
        ),
        (
            "response.press_conferences_leaders",
            33,
            Finding(
                "legacy.leaders",
                "error",
                "response.press_conferences_leaders = 33 > response.press_conferences = 32 (scope self)",
                "response.press_conferences",
            ),
        ),
        (
            "response.online_interviews",
            89,
            Finding(
                "legacy.leaders",
                "error",
                "response.online_interviews_leaders = 90 > response.online_interviews = 89 (scope self)",
                "response.online_interviews",
            ),
        ),
        (
            "proactive.normative_docs",
            22795,
            Finding(
                "legacy.normative_docs",
                "error",
                "proactive.normative_docs = 22795 > proactive.total = 22794 (scope self)",
                "proactive.total",
            ),
        ),
    ],
)
def test_legacy_rule_fails_with_its_numbers(code, value, expected):
    assert check_rules(self_table_with(code, value), "legacy") == [expected]


def test_legacy_rule_with_null_operand_is_skipped():
    # 44 would break legacy.received (see above); with 当面申请数 blank the rule cannot be judged
    broken = changed(self_table_with("applications.received.online", 44), "applications.received.in_person", None)
    assert check_rules(broken, "legacy") == []
    # a blank total is skipped as well, never read as 0
    assert check_rules(self_table_with("org.staff", None), "legacy") == []


def test_legacy_rule_with_missing_row_is_skipped():
    broken = without(self_table_with("review.total", 3), "review.corrected")
    assert check_rules(broken, "legacy") == []


def test_optional_rows_may_be_absent_but_not_blank():
    # 5.其他形式 is a Shandong row: a national table without it still sums 9 + 0 + 45 + 34 = 88
    assert check_rules(without(rows(ZHUCHENG_SELF, scope="self"), "applications.received.other"), "legacy") == []
    # the self table has no 镇政府 row: 71 = 3 + 68 is checked without it ...
    assert check_rules(self_table_with("reading_points.departments", 67), "legacy")[0].detail == (
        "reading_points.total = 71 ≠ Σ reading_points.* = 3 + 67 = 70 (scope self)"
    )
    # ... the region table has it: 87 = 3 + 68 + 16, and a blank towns cell skips the rule
    region = changed(rows(ZHUCHENG_REGION, scope="region"), "reading_points.towns", 15)
    assert [f.detail for f in check_rules(region, "legacy")] == [
        "reading_points.total = 87 ≠ Σ reading_points.* = 3 + 68 + 15 = 86 (scope region)"
    ]
    assert check_rules(changed(region, "reading_points.towns", None), "legacy") == []


def test_scopes_never_combine():
    # the region total with the self parts would break (87 ≠ 3 + 68); each table alone is fine
    metrics = rows({"reading_points.total": 87}, scope="region") + rows(
        {"reading_points.government": 3, "reading_points.departments": 68}, scope="self"
    )
    assert check_rules(metrics, "legacy") == []


def test_text_values_are_not_checked_against_table_values():
    # prose says 5 cases (hand-written), the table parts say 2 + 0 + 0 and print no total
    metrics = rows({"review.total": 5}, scope="self", source="text") + rows(
        {"review.upheld": 2, "review.corrected": 0, "review.other": 0}, scope="self"
    )
    assert check_rules(metrics, "legacy") == []


def test_a_row_printed_twice_with_different_values_is_not_judged():
    metrics = rows({"org.staff": 160, "org.staff.full_time": 69, "org.staff.part_time": 91}) + rows({"org.staff": 150})
    assert check_rules(metrics, "legacy") == []


# --- gov2019 / gov2021 表三, hand-built consistent tables ------------------------------------

# columns: natural_person, commercial, research, public_interest, legal_services, other_org, total.
# Written by hand so that every identity holds: e.g. 总计 25 + 2 = 25 + 2, natural_person
# 20 + 2 = 21 + 1, result total 10 + 2 + 2 + 8 + 2 + 1 = 25.
GOV2019_APPS = {
    "apps.new": (20, 3, 0, 0, 1, 1, 25),
    "apps.carried_in": (2, 0, 0, 0, 0, 0, 2),
    "apps.result.disclosed": (8, 1, 0, 0, 0, 1, 10),
    "apps.result.partial": (2, 0, 0, 0, 0, 0, 2),
    "apps.result.withheld.state_secret": (0, 0, 0, 0, 0, 0, 0),
    "apps.result.withheld.prohibited_by_law": (0, 0, 0, 0, 0, 0, 0),
    "apps.result.withheld.three_security_one_stability": (0, 0, 0, 0, 0, 0, 0),
    "apps.result.withheld.third_party_rights": (1, 0, 0, 0, 0, 0, 1),
    "apps.result.withheld.internal_affairs": (0, 0, 0, 0, 0, 0, 0),
    "apps.result.withheld.process_info": (1, 0, 0, 0, 0, 0, 1),
    "apps.result.withheld.enforcement_file": (0, 0, 0, 0, 0, 0, 0),
    "apps.result.withheld.administrative_query": (0, 0, 0, 0, 0, 0, 0),
    "apps.result.unavailable.not_held": (5, 1, 0, 0, 1, 0, 7),
    "apps.result.unavailable.needs_creation": (1, 0, 0, 0, 0, 0, 1),
    "apps.result.unavailable.unclear_after_correction": (0, 0, 0, 0, 0, 0, 0),
    "apps.result.not_processed.petition": (1, 0, 0, 0, 0, 0, 1),
    "apps.result.not_processed.duplicate": (1, 0, 0, 0, 0, 0, 1),
    "apps.result.not_processed.publications": (0, 0, 0, 0, 0, 0, 0),
    "apps.result.not_processed.excessive": (0, 0, 0, 0, 0, 0, 0),
    "apps.result.not_processed.confirm_or_reissue": (0, 0, 0, 0, 0, 0, 0),
    "apps.result.other": (1, 0, 0, 0, 0, 0, 1),
    "apps.result.total": (21, 2, 0, 0, 1, 1, 25),
    "apps.carried_out": (1, 1, 0, 0, 0, 0, 2),
}

# the same cases in the 2021 form: (六) split into three items, with a printed subtotal
GOV2021_APPS = {
    **{k: v for k, v in GOV2019_APPS.items() if k != "apps.result.other"},
    "apps.result.other": (1, 0, 0, 0, 0, 0, 1),
    "apps.result.other.no_correction": (1, 0, 0, 0, 0, 0, 1),
    "apps.result.other.unpaid_fee": (0, 0, 0, 0, 0, 0, 0),
    "apps.result.other.other": (0, 0, 0, 0, 0, 0, 0),
}

# 表四 of seed 000 (东营 2019, lines 175 and 177): 复议 10 = 1 + 6 + 2 + 1; 诉讼 10 = 1 + 1 + 5 + 3.
# The seed gives the lawsuits only in total, so they are put in the 直接起诉 block here.
DONGYING_CASES = {
    "review.upheld": 1,
    "review.corrected": 6,
    "review.other": 2,
    "review.pending": 1,
    "review.total": 10,
    "litigation.direct.upheld": 1,
    "litigation.direct.corrected": 1,
    "litigation.direct.other": 5,
    "litigation.direct.pending": 3,
    "litigation.direct.total": 10,
    "litigation.after_review.upheld": 0,
    "litigation.after_review.corrected": 0,
    "litigation.after_review.other": 0,
    "litigation.after_review.pending": 0,
    "litigation.after_review.total": 0,
}

# 表二 of seed 000 (lines 61-85): 规章 4/4/72, 规范性文件 78/78/351
DONGYING_ART20 = {
    "art20.regulations.new": 4,
    "art20.regulations.published": 4,
    "art20.regulations.in_force_total": 72,
    "art20.normative_docs.new": 78,
    "art20.normative_docs.published": 78,
    "art20.normative_docs.in_force_total": 351,
}


def gov2019() -> list[MetricValue]:
    return apps_table(GOV2019_APPS) + rows(DONGYING_CASES) + rows(DONGYING_ART20)


@pytest.mark.parametrize("template", ["gov2019", None])
def test_consistent_gov2019_tables_pass(template):
    assert check_rules(gov2019(), template) == []


@pytest.mark.parametrize("template", ["gov2021", None])
def test_consistent_gov2021_tables_pass(template):
    # the printed (六) subtotal 1 is not added on top of its item 1: 总计 stays 25
    assert check_rules(apps_table(GOV2021_APPS) + rows(DONGYING_CASES), template) == []


def test_balance_rule_is_a_warning_with_its_numbers():
    metrics = apps_table(
        {
            "apps.new": (12, 0, 0, 0, 0, 0, 12),
            "apps.carried_in": (3, 0, 0, 0, 0, 0, 3),
            "apps.result.total": (13, 0, 0, 0, 0, 0, 13),
            "apps.carried_out": (1, 0, 0, 0, 0, 0, 1),
        }
    )
    expected = "apps.new + apps.carried_in = 12 + 3 = 15 ≠ apps.result.total + apps.carried_out = 13 + 1 = 14"
    assert check_rules(metrics, "gov2019") == [
        Finding("apps.balance", "warning", f"{expected} (applicant natural_person)", "apps.result.total"),
        Finding("apps.balance", "warning", f"{expected} (applicant total)", "apps.result.total"),
    ]


def test_result_total_rule_2019_names_every_operand():
    broken = changed(apps_table(GOV2019_APPS), "apps.result.total", 24, applicant="total")
    result_rule = [f for f in check_rules(broken, "gov2019") if f.rule == "apps.result.total"]
    assert result_rule == [
        Finding(
            "apps.result.total",
            "error",
            "apps.result.total = 24 ≠ apps.result.disclosed + apps.result.partial + Σ apps.result.withheld.*"
            " + Σ apps.result.unavailable.* + Σ apps.result.not_processed.* + apps.result.other"
            " = 10 + 2 + 0 + 0 + 0 + 1 + 0 + 1 + 0 + 0 + 7 + 1 + 0 + 1 + 1 + 0 + 0 + 0 + 1 = 25 (applicant total)",
            "apps.result.total",
        )
    ]
    # the same change also breaks the balance (25 + 2 ≠ 24 + 2) and the applicant sum (24 ≠ 25)
    assert sorted(f.rule for f in check_rules(broken, "gov2019")) == [
        "apps.applicant_total",
        "apps.balance",
        "apps.result.total",
    ]


def test_result_total_rule_2021_sums_the_three_other_items():
    broken = changed(apps_table(GOV2021_APPS), "apps.result.other.unpaid_fee", 1, applicant="natural_person")
    found = {f.rule: f for f in check_rules(broken, None)}
    assert found["apps.result.total"].detail == (
        "apps.result.total = 21 ≠ apps.result.disclosed + apps.result.partial + Σ apps.result.withheld.*"
        " + Σ apps.result.unavailable.* + Σ apps.result.not_processed.* + Σ apps.result.other.*"
        " = 8 + 2 + 0 + 0 + 0 + 1 + 0 + 1 + 0 + 0 + 5 + 1 + 0 + 1 + 1 + 0 + 0 + 0 + 1 + 1 + 0 = 22"
        " (applicant natural_person)"
    )
    # the printed (六) subtotal 1 no longer equals its items 1 + 1 + 0
    assert found["apps.group.other"] == Finding(
        "apps.group.other",
        "error",
        "apps.result.other = 1 ≠ Σ apps.result.other.* = 1 + 1 + 0 = 2 (applicant natural_person)",
        "apps.result.other",
    )


@pytest.mark.parametrize(
    ("rule", "total_code", "value", "detail"),
    [
        (
            "apps.group.withheld",
            "apps.result.withheld.total",
            3,
            "apps.result.withheld.total = 3 ≠ Σ apps.result.withheld.* = 0 + 0 + 0 + 1 + 0 + 1 + 0 + 0 = 2 (applicant "
            "total)",
        ),
        (
            "apps.group.unavailable",
            "apps.result.unavailable.total",
            7,
            "apps.result.unavailable.total = 7 ≠ Σ apps.result.unavailable.* = 7 + 1 + 0 = 8 (applicant total)",
        ),
        (
            "apps.group.not_processed",
            "apps.result.not_processed.total",
            1,
            "apps.result.not_processed.total = 1 ≠ Σ apps.result.not_processed.* = 1 + 1 + 0 + 0 + 0 = 2 (applicant "
            "total)",
        ),
    ],
)
def test_printed_group_subtotal_must_equal_its_items(rule, total_code, value, detail):
    metrics = apps_table(GOV2019_APPS)
    metrics.append(MetricValue(total_code, Decimal(value), "件", total_code, str(value), applicant="total"))
    assert check_rules(metrics, "gov2019") == [Finding(rule, "error", detail, total_code)]


def test_group_subtotal_that_matches_its_items_is_fine():
    metrics = apps_table(GOV2019_APPS)
    metrics.append(MetricValue("apps.result.withheld.total", Decimal(2), "件", "(三)不予公开", "2", applicant="total"))
    assert check_rules(metrics, "gov2019") == []


def test_applicant_total_rule_checks_every_row():
    metrics = apps_table({"apps.new": (10, 2, 0, 0, 1, 1, 15)})
    assert check_rules(metrics, "gov2019") == [
        Finding(
            "apps.applicant_total",
            "error",
            "apps.new total = 15 ≠ natural_person + commercial + research + public_interest + legal_services + "
            "other_org"
            " = 10 + 2 + 0 + 0 + 1 + 1 = 14",
            "apps.new",
        )
    ]
    # one blank column: the row cannot be judged
    assert check_rules(apps_table({"apps.new": (10, 2, None, 0, 1, 1, 15)}), "gov2019") == []


@pytest.mark.parametrize(
    ("code", "value", "expected"),
    [
        (
            "review.pending",
            0,
            Finding(
                "review_litigation.block_total",
                "error",
                "review.total = 10 ≠ review.upheld + review.corrected + review.other + review.pending = 1 + 6 + 2 + 0 "
                "= 9",
                "review.total",
            ),
        ),
        (
            "litigation.direct.total",
            4,
            Finding(
                "review_litigation.block_total",
                "error",
                "litigation.direct.total = 4 ≠ litigation.direct.upheld + litigation.direct.corrected"
                " + litigation.direct.other + litigation.direct.pending = 1 + 1 + 5 + 3 = 10",
                "litigation.direct.total",
            ),
        ),
        (
            "litigation.after_review.other",
            2,
            Finding(
                "review_litigation.block_total",
                "error",
                "litigation.after_review.total = 0 ≠ litigation.after_review.upheld + litigation.after_review.corrected"
                " + litigation.after_review.other + litigation.after_review.pending = 0 + 0 + 2 + 0 = 2",
                "litigation.after_review.total",
            ),
        ),
    ],
)
def test_review_litigation_block_totals(code, value, expected):
    assert check_rules(changed(rows(DONGYING_CASES), code, value), "gov2019") == [expected]


def test_gov2019_review_block_needs_pending_and_legacy_review_does_not():
    # 2019 form: the legacy identity 10 = 1 + 6 + 2 is not applied, pending 1 is part of it
    assert check_rules(rows(DONGYING_CASES), None) == []
    # without the pending row the 2019 block cannot be judged
    assert check_rules(without(rows(DONGYING_CASES), "review.pending"), "gov2019") == []


def test_published_above_in_force_total_is_a_warning():
    broken = changed(rows(DONGYING_ART20), "art20.regulations.published", 80)
    assert check_rules(broken, "gov2019") == [
        Finding(
            "art20.published_in_force",
            "warning",
            "art20.regulations.published = 80 > art20.regulations.in_force_total = 72",
            "art20.regulations.in_force_total",
        )
    ]


@pytest.mark.parametrize(
    "code",
    ["apps.new", "apps.carried_in", "apps.result.total", "apps.carried_out"],
)
def test_apps_rules_with_null_operand_are_skipped(code):
    broken = changed(apps_table(GOV2019_APPS), "apps.carried_out", 5, applicant="total")
    assert {f.rule for f in check_rules(broken, "gov2019")} == {
        "apps.balance",
        "apps.applicant_total",
    }
    blank = changed(broken, code, None, applicant="total")
    assert "apps.balance" not in {f.rule for f in check_rules(blank, "gov2019")}


def test_result_total_with_blank_item_is_skipped():
    broken = changed(apps_table(GOV2019_APPS), "apps.result.total", 24, applicant="total")
    blank = changed(broken, "apps.result.withheld.state_secret", None, applicant="total")
    assert "apps.result.total" not in {f.rule for f in check_rules(blank, "gov2019")}


# --- integration: the statistics reader's HTML fixtures -------------------------------------

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "statistics"


def read_fixture(name: str):
    html = (FIXTURES / name).read_text("utf-8")
    # the fixtures hold their statistics in real <table>s: no flattened table in the text
    return read_statistics("", tables_from_html(html, document=name))


def value_of(stats, code: str, applicant: str | None = None) -> Decimal | None:
    (m,) = [m for m in stats.metrics if m.code == code and m.applicant == applicant]
    return m.value


@pytest.mark.parametrize(
    ("name", "template", "read"),
    [
        # typed from the fixtures: 表三 一 and (七) 总计 column, 表四 行政复议 总计
        (
            "gov2019_full.html",
            "gov2019",
            {
                ("apps.new", "total"): 30,
                ("apps.result.total", "total"): 31,
                ("review.total", None): 6,
            },
        ),
        (
            "gov2021_full.html",
            "gov2021",
            {
                ("apps.result.other.no_correction", "total"): 2,
                ("apps.result.total", "total"): 57,
                ("review.total", None): 7,
            },
        ),
    ],
)
def test_full_fixtures_give_no_rule_finding(name, template, read):
    stats = read_fixture(name)
    assert stats.template == template
    # the rules had something to check
    assert {key: value_of(stats, *key) for key in read} == {key: Decimal(v) for key, v in read.items()}
    assert check_rules(stats.metrics, stats.template) == []


def test_broken_fixture_gives_exactly_its_documented_finding():
    # the fixture's comment: "review.total is printed as 7, but upheld 3 + corrected 1 + other 1 + pending 1 = 6"
    stats = read_fixture("gov2019_broken_sum.html")
    assert check_rules(stats.metrics, stats.template) == [
        Finding(
            "review_litigation.block_total",
            "error",
            "review.total = 7 ≠ review.upheld + review.corrected + review.other + review.pending = 3 + 1 + 1 + 1 = 6",
            "review.total",
        )
    ]
