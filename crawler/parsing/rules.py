"""勾稽 consistency rules of the statistics tables (docs/templates.md §5).

Every broken identity becomes one Finding with the numbers; values are never changed. A rule
with a missing row or a NULL operand is skipped: a blank cell is not 0.

Metrics combine only within one source ("table" or "text") and one (scope, applicant): prose
headline numbers are never checked against table cells, 市本级 never against 本行政区域.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from crawler.parsing.model import APPLICANTS, Finding, MetricValue

Column = tuple[str | None, str | None]  # (scope, applicant)

# Every rule id a finding of these rules can carry: how consumers (views, canned queries) tell
# a 勾稽 finding from a parsing finding (unmapped_label, value_count …).
RULE_IDS = (
    "apps.balance",
    "apps.result.total",
    "apps.group.withheld",
    "apps.group.unavailable",
    "apps.group.not_processed",
    "apps.group.other",
    "apps.applicant_total",
    "review_litigation.block_total",
    "art20.published_in_force",
    "legacy.received",
    "legacy.closed",
    "legacy.answered",
    "legacy.refused",
    "legacy.review",
    "legacy.litigation",
    "legacy.complaints",
    "legacy.staff",
    "legacy.archive_submissions",
    "legacy.portals",
    "legacy.reading_points",
    "legacy.reading_point_visitors",
    "legacy.leaders",
    "legacy.normative_docs",
)

_APPLICANT_COLUMNS = tuple(a for a in APPLICANTS if a != "total")

_WITHHELD = tuple(
    f"apps.result.withheld.{item}"
    for item in (
        "state_secret",
        "prohibited_by_law",
        "three_security_one_stability",
        "third_party_rights",
        "internal_affairs",
        "process_info",
        "enforcement_file",
        "administrative_query",
    )
)
_UNAVAILABLE = tuple(
    f"apps.result.unavailable.{item}" for item in ("not_held", "needs_creation", "unclear_after_correction")
)
_NOT_PROCESSED = tuple(
    f"apps.result.not_processed.{item}"
    for item in ("petition", "duplicate", "publications", "excessive", "confirm_or_reissue")
)
_OTHER_2021 = tuple(f"apps.result.other.{item}" for item in ("no_correction", "unpaid_fee", "other"))

# rule 3: printed group subtotal -> its items (2021's apps.result.other is a subtotal only when
# its three items exist; in 2019 it is a plain data row)
_GROUPS = (
    ("apps.group.withheld", "apps.result.withheld.total", _WITHHELD),
    ("apps.group.unavailable", "apps.result.unavailable.total", _UNAVAILABLE),
    ("apps.group.not_processed", "apps.result.not_processed.total", _NOT_PROCESSED),
    ("apps.group.other", "apps.result.other", _OTHER_2021),
)

_RESULT_PARTS = ("upheld", "corrected", "other")

# rule 7
_RECEIVED = tuple(f"applications.received.{x}" for x in ("in_person", "fax", "online", "letter"))
_ANSWERS = tuple(
    f"applications.answer.{x}"
    for x in (
        "already_public",
        "granted",
        "partially_granted",
        "refused",
        "not_this_agency",
        "not_exist",
        "clarification_requested",
        "other_channel",
    )
)
_REFUSED = tuple(
    f"applications.answer.refused.{x}"
    for x in (
        "state_secret",
        "commercial_secret",
        "privacy",
        "security_stability",
        "not_gov_info",
        "other_legal",
    )
)

# rule 9: Shandong totals. Rows the form prints only in some tables (towns: region table only;
# 5.其他形式: Shandong only) are optional rows: absent means "not on this form", not NULL.
_SHANDONG_TOTALS = (
    ("legacy.archive_submissions", "archive_submissions", ("paper", "electronic"), ()),
    ("legacy.portals", "portals", ("government", "departments"), ("towns",)),
    ("legacy.reading_points", "reading_points", ("government", "departments"), ("towns",)),
    (
        "legacy.reading_point_visitors",
        "reading_point_visitors",
        ("government", "departments"),
        ("towns",),
    ),
)

# rule 10: (rule id, part, whole)
_AT_MOST = (
    ("legacy.leaders", "response.press_conferences_leaders", "response.press_conferences"),
    ("legacy.leaders", "response.online_interviews_leaders", "response.online_interviews"),
    ("legacy.normative_docs", "proactive.normative_docs", "proactive.total"),
)

# rule 6 (2019 表二 block (一) rows)
_ART20_DOC_ROWS = ("regulations", "normative_docs", "other_docs")


def check_rules(metrics: list[MetricValue], template: str | None) -> list[Finding]:
    """All docs/templates.md §5 rule violations among `metrics`, one Finding each, in a stable order."""
    findings: list[Finding] = []
    for source in sorted({m.source for m in metrics}):
        values = _Values(m for m in metrics if m.source == source)
        if values.empty():
            continue
        new_form = _is_new_form(template, values)
        for column in values.columns():
            findings.extend(_application_rules(values, column, template))
            findings.extend(_case_rules(values, column, new_form))
            findings.extend(_legacy_rules(values, column))
            findings.extend(_art20_rules(values, column))
        findings.extend(_applicant_total_rule(values))
    return findings


# --- the values of one source -------------------------------------------------------------


class _Values:
    """Values by (code, scope, applicant). A row printed twice with different values is
    ambiguous and counts as NULL, so no rule is judged on a guess."""

    def __init__(self, metrics: Iterable[MetricValue]):
        self._rows: dict[tuple[str, str | None, str | None], Decimal | None] = {}
        for m in metrics:
            if m.code is None:
                continue
            key = (m.code, m.scope, m.applicant)
            if key in self._rows and self._rows[key] != m.value:
                self._rows[key] = None
            else:
                self._rows[key] = m.value

    def empty(self) -> bool:
        return not self._rows

    def codes(self) -> set[str]:
        return {code for code, _, _ in self._rows}

    def columns(self) -> list[Column]:
        seen = {(scope, applicant) for _, scope, applicant in self._rows}
        return sorted(seen, key=lambda c: (c[0] or "", c[1] or ""))

    def applicant_rows(self) -> list[tuple[str, str | None]]:
        """(code, scope) of every row split by applicant column."""
        rows = {(code, scope) for code, scope, applicant in self._rows if applicant is not None}
        return sorted(rows, key=lambda r: (r[0], r[1] or ""))

    def has(self, code: str, column: Column) -> bool:
        return (code, *column) in self._rows

    def get(self, code: str, column: Column) -> Decimal | None:
        return self._rows.get((code, *column))


def _is_new_form(template: str | None, values: _Values) -> bool:
    """gov2019/gov2021 表四 (with 尚未审结) rather than the legacy three-part rows."""
    if template in ("gov2019", "gov2021"):
        return True
    if template in ("legacy", "other", "narrative"):
        return False
    return any(
        code == "review.pending"
        or code.startswith(("apps.", "art20.", "litigation.direct.", "litigation.after_review."))
        for code in values.codes()
    )


# --- operands and equations -----------------------------------------------------------------


@dataclass
class _Side:
    """One side of an identity: how it is named in a finding, and its operand values."""

    label: str
    values: list[Decimal]

    @property
    def total(self) -> Decimal:
        return sum(self.values, Decimal(0))

    def describe(self) -> str:
        if len(self.values) == 1:
            return f"{self.label} = {_fmt(self.values[0])}"
        return f"{self.label} = {' + '.join(_fmt(v) for v in self.values)} = {_fmt(self.total)}"


def _operands(
    values: _Values, codes: Iterable[str], column: Column, optional: Iterable[str] = ()
) -> list[Decimal] | None:
    """Values of `codes` in `column`, or None when a row is missing or NULL. An optional row may
    be absent (then it is left out), but when present it must have a value."""
    optional = set(optional)
    out: list[Decimal] = []
    for code in codes:
        if not values.has(code, column):
            if code in optional:
                continue
            return None
        value = values.get(code, column)
        if value is None:
            return None
        out.append(value)
    return out


def _side(
    values: _Values, label: str, codes: Iterable[str], column: Column, optional: Iterable[str] = ()
) -> _Side | None:
    found = _operands(values, codes, column, optional)
    return None if found is None else _Side(label, found)


def _equal(
    rule: str, severity: str, code: str, left: _Side | None, right: _Side | None, column: Column
) -> Iterator[Finding]:
    if left is None or right is None or left.total == right.total:
        return
    yield Finding(rule, severity, f"{left.describe()} ≠ {right.describe()}{_where(column)}", code)


def _at_most(rule: str, severity: str, part: str, whole: str, values: _Values, column: Column) -> Iterator[Finding]:
    """`part` <= `whole`."""
    found = _operands(values, (part, whole), column)
    if found is None or found[0] <= found[1]:
        return
    detail = f"{part} = {_fmt(found[0])} > {whole} = {_fmt(found[1])}{_where(column)}"
    yield Finding(rule, severity, detail, whole)


def _sum_of(
    values: _Values,
    rule: str,
    total: str,
    parts: tuple[str, ...],
    column: Column,
    label: str | None = None,
    optional: tuple[str, ...] = (),
) -> Iterator[Finding]:
    """`total` = Σ parts (error)."""
    right_label = label or " + ".join(parts)
    yield from _equal(
        rule,
        "error",
        total,
        _side(values, total, (total,), column),
        _side(values, right_label, parts, column, optional),
        column,
    )


def _where(column: Column) -> str:
    scope, applicant = column
    bits = ([f"scope {scope}"] if scope else []) + ([f"applicant {applicant}"] if applicant else [])
    return f" ({', '.join(bits)})" if bits else ""


def _fmt(value: Decimal) -> str:
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


# --- gov2019 / gov2021 ------------------------------------------------------------------------


def _application_rules(values: _Values, column: Column, template: str | None) -> Iterator[Finding]:
    # rule 1: the identity printed in 表三's header; real reports re-answer corrected cases
    yield from _equal(
        "apps.balance",
        "warning",
        "apps.result.total",
        _side(values, "apps.new + apps.carried_in", ("apps.new", "apps.carried_in"), column),
        _side(
            values,
            "apps.result.total + apps.carried_out",
            ("apps.result.total", "apps.carried_out"),
            column,
        ),
        column,
    )

    # rule 2: 2021 splits (六) into three items; their presence (or the template) says which form
    form_2021 = template == "gov2021" or any(code in values.codes() for code in _OTHER_2021)
    other_codes = _OTHER_2021 if form_2021 else ("apps.result.other",)
    other_label = "Σ apps.result.other.*" if form_2021 else "apps.result.other"
    parts = (
        "apps.result.disclosed",
        "apps.result.partial",
        *_WITHHELD,
        *_UNAVAILABLE,
        *_NOT_PROCESSED,
        *other_codes,
    )
    label = (
        "apps.result.disclosed + apps.result.partial + Σ apps.result.withheld.* + Σ apps.result.unavailable.*"
        f" + Σ apps.result.not_processed.* + {other_label}"
    )
    yield from _sum_of(values, "apps.result.total", "apps.result.total", parts, column, label)

    # rule 3: a printed group subtotal equals its items
    for rule, total, items in _GROUPS:
        if total == "apps.result.other" and not form_2021:
            continue  # 2019: a data row of its own, no items
        group = total.removesuffix(".total")
        yield from _sum_of(values, rule, total, items, column, f"Σ {group}.*")


def _applicant_total_rule(values: _Values) -> Iterator[Finding]:
    """Rule 4: in every row of 表三, 总计 = the six applicant columns."""
    for code, scope in values.applicant_rows():
        yield from _equal(
            "apps.applicant_total",
            "error",
            code,
            _side(values, f"{code} total", (code,), (scope, "total")),
            _applicant_side(values, code, scope),
            (scope, None),
        )


def _applicant_side(values: _Values, code: str, scope: str | None) -> _Side | None:
    found: list[Decimal] = []
    for applicant in _APPLICANT_COLUMNS:
        value = values.get(code, (scope, applicant))
        if value is None:  # missing cell or NULL
            return None
        found.append(value)
    return _Side(" + ".join(_APPLICANT_COLUMNS), found)


def _case_rules(values: _Values, column: Column, new_form: bool) -> Iterator[Finding]:
    """Rule 5 (表四 blocks, with 尚未审结) or rule 8 (legacy 四/五/六, three parts)."""
    if new_form:
        for block in ("review", "litigation.direct", "litigation.after_review"):
            parts = tuple(f"{block}.{p}" for p in (*_RESULT_PARTS, "pending"))
            yield from _sum_of(values, "review_litigation.block_total", f"{block}.total", parts, column)
        return
    for block in ("review", "litigation", "complaints"):
        parts = tuple(f"{block}.{p}" for p in _RESULT_PARTS)
        yield from _sum_of(values, f"legacy.{block}", f"{block}.total", parts, column)


# --- legacy -------------------------------------------------------------------------------


def _legacy_rules(values: _Values, column: Column) -> Iterator[Finding]:
    # rule 7 (其他形式 is a Shandong row: optional)
    yield from _sum_of(
        values,
        "legacy.received",
        "applications.received",
        (*_RECEIVED, "applications.received.other"),
        column,
        "Σ applications.received.*",
        optional=("applications.received.other",),
    )
    yield from _sum_of(
        values,
        "legacy.closed",
        "applications.closed",
        ("applications.closed.on_time", "applications.closed.extended"),
        column,
    )
    yield from _sum_of(
        values,
        "legacy.answered",
        "applications.answered",
        _ANSWERS,
        column,
        "Σ applications.answer.* (8 rows)",
    )
    yield from _sum_of(
        values,
        "legacy.refused",
        "applications.answer.refused",
        _REFUSED,
        column,
        "Σ applications.answer.refused.*",
    )

    # rule 9
    yield from _sum_of(values, "legacy.staff", "org.staff", ("org.staff.full_time", "org.staff.part_time"), column)
    for rule, prefix, required, optional in _SHANDONG_TOTALS:
        parts = tuple(f"{prefix}.{p}" for p in (*required, *optional))
        yield from _sum_of(
            values,
            rule,
            f"{prefix}.total",
            parts,
            column,
            f"Σ {prefix}.*",
            optional=tuple(f"{prefix}.{p}" for p in optional),
        )

    # rule 10
    for rule, part, whole in _AT_MOST:
        yield from _at_most(rule, "error", part, whole, values, column)


# --- gov2019 表二 ---------------------------------------------------------------------------


def _art20_rules(values: _Values, column: Column) -> Iterator[Finding]:
    """Rule 6: soft check only; 2021 表二 has no identity."""
    for row in _ART20_DOC_ROWS:
        # docs/templates.md §5.6 calls this a soft check: a warning, never an error
        yield from _at_most(
            "art20.published_in_force",
            "warning",
            f"art20.{row}.published",
            f"art20.{row}.in_force_total",
            values,
            column,
        )
