"""Headline numbers stated in a report's prose (docs/templates.md §6.13).

Only four headline metrics, and only when a sentence states them unambiguously for the whole
body: 主动公开政府信息 N 条, 收到/受理/接收 … 申请 N 件, 行政复议 N 件, 行政诉讼 N 件/起. A number the
tables already give, a breakdown (其中 …, a bracket), a department's or a sub-unit's number, an
approximate number (余, 多, 近, 约 …) and a number two sentences state differently are not emitted.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from crawler.parsing.metrics import load_metrics
from crawler.parsing.model import MetricValue
from crawler.parsing.values import in_range

# First year of the 2019 form: 本年新收 (apps.new) replaces the legacy 收到申请数.
FIRST_GOV2019_YEAR = 2019

_NUMBER = (
    r"(?P<before>近|约|大约|将近|超过|逾)?\s*"
    r"(?P<num>\d[\d,]*(?:\.\d+)?)\s*"
    r"(?P<after>[余多万千亿]*)\s*"
)
_TOTAL_WORD = r"(?:共计|合计|总计|共|达到|达|为)?"

_PROACTIVE = re.compile(rf"主动公开(?:了)?政府信息(?:数|总数|总量)?{_TOTAL_WORD}{_NUMBER}条")
# the qualifier between verb and 申请 (信息公开, 公民、法人或其他组织 …) holds no digit or clause break
_APPLICATIONS = re.compile(
    rf"(?:收到|受理|接收|接到)(?P<qual>[^\d,。;()]{{0,24}}?)申请(?:公开)?(?:数量|数|总数)?{_TOTAL_WORD}{_NUMBER}件"
)
# 东胜区共受理2件依申请公开
_APPLICATIONS_NUMBER_FIRST = re.compile(
    rf"(?:收到|受理|接收|接到)(?:了)?(?:共计|共)?{_NUMBER}件(?:政府信息公开|信息公开|依申请公开)"
)
_REVIEW = re.compile(rf"行政复议(?:案件|申请)?(?:数量|数)?{_TOTAL_WORD}{_NUMBER}件")
_LITIGATION = re.compile(rf"行政诉讼(?:案件)?(?:数量|数)?{_TOTAL_WORD}{_NUMBER}(?:件|起)")
# 零 only where the sentence says the count is zero: 行政复议案件为零
_REVIEW_ZERO = re.compile(r"行政复议(?:案件|申请)?(?:数量|数)?为(?P<num>零)")
_LITIGATION_ZERO = re.compile(r"行政诉讼(?:案件|申请)?(?:数量|数)?为(?P<num>零)")
# 行政复议、…行政诉讼申请数量均为零
_ALL_ZERO = re.compile(r"(?:(?:申请|案件)(?:数量|数)?|数量|数)均为(?P<num>零|0)(?!\d)")

# a qualifier naming another procedure: 收到 … 行政复议申请 is not an information request
_NOT_AN_APPLICATION = re.compile(r"复议|诉讼|信访|投诉|举报|办件")
_APPROXIMATE_AFTER_UNIT = re.compile(r"\s*(?:左右|以上|上下|多)")

# 其中 …, or a count that the following items split: 其他处理情形的30件中,…
_BREAKDOWN = re.compile(r"其中|\d\s*(?:件|条|个|项)中")
# 未收到申请3件 counts something else
_NEGATED_VERB = re.compile(r"(?:未|没有|没|不予|不)$")
# a part of the body: its sub-units, or one named department
_PART_OF_BODY = re.compile(
    r"各(?:县市区|县区|县|区|镇街|乡镇|镇|乡|街道|部门|单位)|[\u4e00-\u9fff](?:局|办公室|中心|公司|医院|学校|法院)"
)
_REGION = re.compile(r"全市|全区|全县|全旗|本行政区域")
_SELF = re.compile(r"本级")

FIRST_GOV2019_YEAR = 2019  # reports for 2019 on use the 2019/2021 formats (docs/templates.md §3)

_SENTENCE_END = "。!?"
_PART_END = ";"  # a part of a sentence has its own subject, but a breakdown spans the sentence
_CLAUSE_BREAK = ",:"


@dataclass
class _Candidate:
    code: str
    value: Decimal
    raw_label: str
    raw_value: str
    scope: str | None
    applicant: str | None
    line: int


def headline_metrics(text: str, year: int | None, table_codes: set[str], body: str | None = None) -> list[MetricValue]:
    """Headline metrics the prose states for the whole body, for codes not in `table_codes`.

    Scope comes from the sentence (全市/全区/本行政区域 → region, 本级 → self; both or neither →
    None) and only for codes that have a scope dimension. A key stated twice with different
    values is ambiguous and dropped; a scope-less number is dropped when the same code is also
    stated with a scope (it repeats, or may contradict, the scoped one).
    """
    found: list[_Candidate] = []
    for number, line in enumerate(text.splitlines(), start=1):
        found.extend(_line_candidates(line, number, year, body))
    found = [c for c in found if c.code not in table_codes]
    if year is None or year >= FIRST_GOV2019_YEAR:
        # scope is a dimension of the legacy 统计表 only (metrics.csv): a 2019+ report's prose
        # number must line up with the same code read from its 2019/2021 tables, which have none
        for c in found:
            c.scope = None
    return [_metric(c) for c in _unambiguous(found)]


# --- reading one line ------------------------------------------------------------------------


def _line_candidates(line: str, number: int, year: int | None, body: str | None = None) -> Iterator[_Candidate]:
    norm, origin = _normalise(line)
    sentence_start = start = 0
    for end, ch in [(i, ch) for i, ch in enumerate(norm) if ch in _SENTENCE_END + _PART_END] + [(len(norm), "")]:
        lead = norm[sentence_start:start]
        yield from _Sentence(line, norm, origin, start, end, number, lead, body).candidates(year)
        start = end + 1
        if ch != _PART_END:
            sentence_start = start


class _Sentence:
    """One sentence (or ;-part of one) of a line: matched on the NFKC text, quoted from the raw
    line. `lead` is the sentence's text before this part, where a breakdown may start."""

    def __init__(
        self,
        raw: str,
        norm: str,
        origin: list[int],
        start: int,
        end: int,
        line: int,
        lead: str,
        body: str | None = None,
    ):
        self.raw, self.norm, self.origin = raw, norm, origin
        self.start, self.end, self.line = start, end, line
        self.text = norm[start:end]
        self.lead = lead
        self.body = body  # the report's own body: a department's report names itself

    def candidates(self, year: int | None) -> Iterator[_Candidate]:
        for m in _PROACTIVE.finditer(self.text):
            yield from self._numeric("proactive.total", None, m)
        if year is not None:
            code, applicant = ("applications.received", None) if year < FIRST_GOV2019_YEAR else ("apps.new", "total")
            for m in [
                *_APPLICATIONS.finditer(self.text),
                *_APPLICATIONS_NUMBER_FIRST.finditer(self.text),
            ]:
                if _NEGATED_VERB.search(self.text, 0, m.start()):
                    continue
                if _NOT_AN_APPLICATION.search(m.groupdict().get("qual") or ""):
                    continue
                yield from self._numeric(code, applicant, m)
        for pattern, zero, code in (
            (_REVIEW, _REVIEW_ZERO, "review.total"),
            (_LITIGATION, _LITIGATION_ZERO, "litigation.total"),
        ):
            for m in pattern.finditer(self.text):
                yield from self._numeric(code, None, m)
            for m in zero.finditer(self.text):
                yield from self._candidate(code, None, m.start(), m.end(), m.span("num"), Decimal(0))
        yield from self._all_zero()

    def _numeric(self, code: str, applicant: str | None, m: re.Match) -> Iterator[_Candidate]:
        if m.group("before") or m.group("after") or "." in m.group("num"):
            return  # 127 余条, 近5亿条, 3.4万件: not an exact count
        if _APPROXIMATE_AFTER_UNIT.match(self.text, m.end()):
            return  # 3000条左右
        value = Decimal(m.group("num").replace(",", ""))
        if not in_range(value):
            return  # a digit run no count is (an ID, a phone number): no headline number
        yield from self._candidate(code, applicant, m.start(), m.end(), m.span("num"), value)

    def _all_zero(self) -> Iterator[_Candidate]:
        """行政复议、行政诉讼申请数量均为零: each listed count is 0."""
        for m in _ALL_ZERO.finditer(self.text):
            clause_start = max(self.text.rfind(ch, 0, m.start()) for ch in _CLAUSE_BREAK) + 1
            listed = self.text[clause_start : m.start()]
            for word, code in (("行政复议", "review.total"), ("行政诉讼", "litigation.total")):
                at = listed.find(word)
                if at >= 0:
                    yield from self._candidate(code, None, clause_start + at, m.end(), m.span("num"), Decimal(0))

    def _candidate(
        self,
        code: str,
        applicant: str | None,
        start: int,
        end: int,
        num: tuple[int, int],
        value: Decimal,
    ) -> Iterator[_Candidate]:
        prefix = self.text[:start]
        if _inside_brackets(prefix) or _BREAKDOWN.search(self.lead + prefix):
            return
        subject = _outside_brackets(prefix)
        part = _PART_OF_BODY.search(subject)
        if part and not _is_own_body(subject, part, self.body):
            return
        yield _Candidate(
            code=code,
            value=value,
            raw_label=self._quote(0, end).strip(),
            raw_value=self._quote(*num),
            scope=_scope(code, subject),
            applicant=applicant,
            line=self.line,
        )

    def _quote(self, start: int, end: int) -> str:
        """The raw line's text behind norm[self.start + start : self.start + end]."""
        a, b = self.start + start, self.start + end
        return self.raw[self.origin[a] : self.origin[b - 1] + 1]


def _normalise(line: str) -> tuple[str, list[int]]:
    """NFKC per character, with the raw index of every output character. Spaces between two
    non-digits are dropped (PDF text splits words); spaces next to a digit are kept, so two
    numbers are never glued into one."""
    dropped: set[int] = set()
    for run in re.finditer(r"\s+", line):
        left, right = line[run.start() - 1 : run.start()], line[run.end() : run.end() + 1]
        if not (left.isdigit() or right.isdigit()):
            dropped.update(range(run.start(), run.end()))
    if unicodedata.is_normalized("NFKC", line):
        # NFKC leaves a normalised line's characters as they are, one by one too: only the
        # dropped spaces change it (the loop below costs ~30 µs a line)
        origin = [i for i in range(len(line)) if i not in dropped] if dropped else list(range(len(line)))
        return ("".join(line[i] for i in origin) if dropped else line), origin
    out: list[str] = []
    origin = []
    for i, ch in enumerate(line):
        if i in dropped:
            continue
        for piece in unicodedata.normalize("NFKC", ch):
            out.append(piece)
            origin.append(i)
    return "".join(out), origin


def _is_own_body(subject: str, part: re.Match, body: str | None) -> bool:
    """东胜区民政局 in the 民政局's own report is the whole body, not a department of it."""
    if not body:
        return False
    named = subject[max(0, part.start() - 1) : part.end()]  # e.g. 民政局, 府办公室
    return len(named) >= 3 and named in body


def _inside_brackets(prefix: str) -> bool:
    return prefix.count("(") > prefix.count(")")


def _outside_brackets(prefix: str) -> str:
    return re.sub(r"\([^()]*\)", "", prefix)


def _scope(code: str, subject: str) -> str | None:
    if "scope" not in load_metrics()[code].dimensions:
        return None
    region, self_ = bool(_REGION.search(subject)), bool(_SELF.search(subject))
    if region == self_:
        return None  # neither, or both (全市收到涉及市政府本级…): not for us to guess
    return "region" if region else "self"


# --- choosing what to emit -------------------------------------------------------------------


def _unambiguous(found: list[_Candidate]) -> list[_Candidate]:
    by_key: dict[tuple[str, str | None, str | None], list[_Candidate]] = {}
    for c in found:
        by_key.setdefault((c.code, c.scope, c.applicant), []).append(c)
    scoped_codes = {code for code, scope, _ in by_key if scope is not None}
    kept: list[_Candidate] = []
    for (code, scope, _), group in by_key.items():
        if len({c.value for c in group}) > 1:
            continue  # two sentences disagree
        if scope is None and code in scoped_codes:
            continue
        kept.append(group[0])
    return sorted(kept, key=lambda c: c.line)


def _metric(c: _Candidate) -> MetricValue:
    return MetricValue(
        code=c.code,
        value=c.value,
        unit=load_metrics()[c.code].unit,
        raw_label=c.raw_label,
        raw_value=c.raw_value,
        scope=c.scope,
        applicant=c.applicant,
        source="text",
        location=f"text line {c.line}",
    )
