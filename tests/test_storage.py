"""Idempotent writes and rejected items, without Scrapy: ReportWriter and validate()."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crawler.items import Attachment, Rejected, ReportPage, content_hash, validate
from crawler.parsing.model import Finding, Metadata, MetricValue, ParsedReport
from crawler.storage import db
from crawler.storage.models import Body, Document, Report, ReportMetric, ValidationFinding
from crawler.storage.store import ReportWriter

URL = "http://www.dongying.gov.cn/art/2020/2/27/art_164458_841.html"
TITLE = "东营市人民政府2019年政府信息公开工作年度报告"


def make_page(body: bytes = b"<html>report</html>", attachments: list[Attachment] | None = None) -> ReportPage:
    return ReportPage(
        spider="dongying",
        url=URL,
        canonical_url=URL,
        body=body,
        body_name="东营市人民政府",
        body_level="city",
        region_code="370500",
        parent_body="山东省人民政府",
        attachments=attachments or [],
    )


def make_parsed(value: str = "4") -> ParsedReport:
    return ParsedReport(
        metadata=Metadata(
            title=TITLE,
            year=2019,
            published_at=date(2020, 2, 27),
            published_precision="day",
            agency="东营市人民政府",
            source=None,
        ),
        template="gov2019",
        metrics=[
            MetricValue("art20.regulations.new", Decimal(value), "件", "规章 > 本年新制作数量", value),
            MetricValue("apps.new", Decimal("7"), "件", "一、本年新收政府信息公开申请数量", "7", applicant="total"),
            MetricValue(None, None, None, "某个未知的行", "3"),
        ],
        findings=[Finding("unmapped_label", "warning", "某个未知的行")],
    )


def counts(session: Session) -> dict[str, int]:
    return {
        m.__tablename__: session.scalar(select(func.count()).select_from(m)) or 0
        for m in (Body, Report, Document, ReportMetric, ValidationFinding)
    }


@pytest.fixture
def session(database_url):
    engine = db.ensure_schema(database_url)
    with Session(engine) as s:
        yield s
    engine.dispose()


def test_writing_the_same_report_twice_leaves_the_same_rows(session):
    page = make_page(attachments=[Attachment(url=URL.replace(".html", ".pdf"), name="report.pdf", body=b"%PDF-1.4")])
    item = validate(page, make_parsed())
    first = ReportWriter(session).write(item)
    session.commit()
    before = counts(session)
    second = ReportWriter(session).write(validate(make_page(attachments=page.attachments), make_parsed()))
    session.commit()
    assert (first.new, second.unchanged) == (1, 1)
    assert counts(session) == before
    assert before == {"bodies": 2, "reports": 1, "documents": 2, "report_metrics": 3, "validation_findings": 1}
    report = session.scalar(select(Report))
    assert (report.report_year, report.title, report.published_at) == (2019, TITLE, date(2020, 2, 27))
    assert report.body.parent.name == "山东省人民政府"
    metric = session.scalar(select(ReportMetric).where(ReportMetric.metric_code == "apps.new"))
    assert (metric.applicant, metric.scope, metric.value, metric.raw_value) == ("total", "", Decimal("7"), "7")


def test_a_changed_report_replaces_its_statistics(session):
    ReportWriter(session).write(validate(make_page(), make_parsed("4")))
    session.commit()
    result = ReportWriter(session).write(validate(make_page(b"<html>edited</html>"), make_parsed("5")))
    session.commit()
    assert result.changed == 1
    values = session.scalars(
        select(ReportMetric.value).where(ReportMetric.metric_code == "art20.regulations.new")
    ).all()
    assert values == [Decimal("5")]
    assert counts(session)["reports"] == 1


def test_content_hash_follows_attachments():
    a = make_page(attachments=[Attachment(url="http://x/a.pdf", body=b"one")])
    b = make_page(attachments=[Attachment(url="http://x/a.pdf", body=b"two")])
    assert content_hash(a) != content_hash(b)
    assert content_hash(a) == content_hash(make_page(attachments=[Attachment(url="http://x/a.pdf", body=b"one")]))


@pytest.mark.parametrize(
    ("title", "year", "is_report", "reason"),
    [
        (None, 2019, True, "no title"),
        ("东营市人民政府2019年政府信息公开工作年度报告", None, True, "no report year"),
        ("图解:东营市人民政府2019年政府信息公开工作年度报告", 2019, False, "not an annual report"),
    ],
)
def test_bad_items_are_rejected_with_a_reason(title, year, is_report, reason):
    parsed = ParsedReport(metadata=Metadata(title=title, year=year), is_report=is_report)
    with pytest.raises(Rejected, match=reason):
        validate(make_page(), parsed)


def test_a_changed_report_keeps_its_previous_version(session):
    from crawler.storage.models import ReportVersion

    ReportWriter(session).write(validate(make_page(), make_parsed("4")))
    session.commit()
    ReportWriter(session).write(validate(make_page(b"<html>edited</html>"), make_parsed("5")))
    session.commit()
    report = session.scalar(select(Report))
    (old,) = session.scalars(select(ReportVersion)).all()
    assert (report.version, old.version) == (2, 1)
    assert old.content_hash != report.content_hash
    assert {"code": "art20.regulations.new", "value": "4", "raw_value": "4"}.items() <= next(
        m for m in old.metrics if m["code"] == "art20.regulations.new"
    ).items()
    assert [d["role"] for d in old.documents] == ["page"]


def test_concurrent_writers_never_duplicate_a_body_or_a_report(database_url):
    """Several crawls storing the same body and report at once end with one row each."""
    import threading

    engine = db.ensure_schema(database_url)
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def crawl_like_writer() -> None:
        try:
            with Session(engine) as s:
                start.wait()
                with s.begin():
                    ReportWriter(s).write(validate(make_page(), make_parsed()))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=crawl_like_writer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    with Session(engine) as s:
        assert counts(s)["bodies"] == 2 and counts(s)["reports"] == 1
        assert counts(s)["report_metrics"] == 3
    engine.dispose()


def test_the_same_page_on_another_mirror_port_is_not_an_edit():
    def on(port: int) -> ReportPage:
        body = f'<a href="http://127.0.0.1:{port}/art/a.pdf">附件</a>'.encode()
        page = make_page(body, [Attachment(url=f"http://127.0.0.1:{port}/art/a.pdf", body=b"%PDF")])
        page.url = f"http://127.0.0.1:{port}/art/2020/2/27/art_164458_841.html"
        return page

    assert content_hash(on(8001)) == content_hash(on(9002))
    edited = on(8001)
    edited.body += b"edited"
    assert content_hash(edited) != content_hash(on(8001))


def test_a_failed_batch_leaves_nothing_behind(database_url):
    """Rows a savepoint inserted (the body, the report) go when the batch's transaction rolls back."""
    engine = db.ensure_schema(database_url)
    with Session(engine) as s:
        with pytest.raises(RuntimeError), s.begin():
            ReportWriter(s).write(validate(make_page(), make_parsed()))
            raise RuntimeError("the batch fails after the report was written")
    with Session(engine) as s:
        assert counts(s) == {"bodies": 0, "reports": 0, "documents": 0, "report_metrics": 0, "validation_findings": 0}
    engine.dispose()


def test_released_bodies_keep_their_sizes_in_the_documents(session):
    """The storage pipeline lets a waiting report's bytes go (crawler.items.release_bodies): the
    documents still record each body's length, and a failed download stays one."""
    from crawler.items import release_bodies

    page_body, pdf = b"<html>" + "报告".encode() * 50 + b"</html>", b"%PDF-1.4 " + b"x" * 123
    attachments = [
        Attachment(url=URL.replace(".html", ".pdf"), name="report.pdf", body=pdf),
        Attachment(url=URL.replace(".html", ".doc"), name="report.doc", body=None, error="HTTP 404"),
    ]
    item = validate(make_page(page_body, attachments), make_parsed())
    release_bodies(item.page)
    assert item.page.body == b"" and attachments[0].body == b"" and attachments[1].body is None
    ReportWriter(session).write(item)
    session.commit()
    sizes = {d.name or d.role: d.size for d in session.scalars(select(Document))}
    assert sizes == {"page": len(page_body), "report.pdf": len(pdf), "report.doc": None}


def test_long_urls_and_body_names_are_stored_on_every_database(session):
    """A download URL naming its file in Chinese, percent-encoded, passes 1000 characters, and a
    body name read off an odd title 200: PostgreSQL enforced VARCHAR(1000)/VARCHAR(200) and
    refused the report on every run (migration 0006 makes them TEXT)."""
    from urllib.parse import quote

    long_url = URL + "?" + "&".join(f"p{i}={quote('政府信息公开工作年度报告')}" for i in range(20))
    pdf_url = "http://www.dongying.gov.cn/module/download/downfile.jsp?filename=" + quote("附件" * 150) + ".pdf"
    body = "东营市" + "某" * 240 + "局"
    assert len(long_url) > 1000 and len(pdf_url) > 1000 and len(body) > 200
    page = make_page(attachments=[Attachment(url=pdf_url, name="附件.pdf", body=b"%PDF-1.4")])
    page.url = page.canonical_url = long_url
    page.body_name, page.body_level, page.parent_body = body, "department", "东营市人民政府"
    counts = ReportWriter(session).write(validate(page, make_parsed()))
    session.commit()
    assert counts.new == 1
    report = session.scalar(select(Report))
    assert (report.canonical_url, report.body.name) == (long_url, body)
    assert {d.canonical_url for d in session.scalars(select(Document))} == {long_url, pdf_url}
