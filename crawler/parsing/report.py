"""One pure function from fetched documents to a ParsedReport. The crawl's parse pipeline,
`govreports parse` and `govreports reparse` all call `parse_documents`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.parsing.classify import is_annual_report_title
from crawler.parsing.documents import extract_document, past_bound
from crawler.parsing.html import decode_html, decode_text, parse_html_bounded, tree_to_text
from crawler.parsing.limits import DEFAULT, BoundExceeded, CellBudget, Limits
from crawler.parsing.mediatypes import media_type_for_name
from crawler.parsing.metadata import extract_metadata
from crawler.parsing.metrics import load_metrics
from crawler.parsing.model import ExtractedDocument, Finding, MetricValue, ParsedReport
from crawler.parsing.prose import headline_metrics
from crawler.parsing.rules import check_rules
from crawler.parsing.statistics import read_statistics
from crawler.parsing.tables import tables_from_tree

# Article containers of the supported platforms, most specific first (Hanweb, Lonsun, TRS, VSB).
CONTENT_SELECTORS = (
    "#zoom, .j-fontContent, .wzcon, .TRS_Editor, .trs_editor_view, #vsb_content .v_news_content, .v_news_content"
)
# A page with less text than this is a shell around its real report (an embedded PDF).
SHELL_PAGE_CHARS = 300


@dataclass
class SourceDocument:
    """A fetched page or attachment: raw bytes plus what the server said about them."""

    name: str  # URL or file name
    data: bytes
    media_type: str | None = None
    role: str = "page"  # page | attachment
    header_charset: str | None = None


@dataclass
class ReadDocument:
    source: SourceDocument
    extracted: ExtractedDocument
    html: str | None = None
    root: Any = None  # the page's lxml tree, built once and shared by text, tables and metadata


def read_document(doc: SourceDocument, limits: Limits = DEFAULT) -> ReadDocument:
    """Text and tables of one document, whatever its type, within `limits`. A page past a bound
    (nesting depth, table cells) is not extracted: no text or tables, the bound named in its
    note and a finding; its metadata is still read from the page (`html`, root None)."""
    media = (doc.media_type or "").lower()
    if media.startswith("text/html") or media.endswith("xml") or _looks_like_html(doc.data):
        decoded = decode_html(doc.data, doc.header_charset)
        html = decoded.text
        try:
            root = parse_html_bounded(html, limits.max_html_depth)
            text = tree_to_text(root, skip_tables=True, container=CONTENT_SELECTORS) if root is not None else ""
            tables = tables_from_tree(root, document=doc.name, budget=CellBudget(limits)) if root is not None else []
        except BoundExceeded as exc:
            extracted = past_bound(exc, doc.name)
            extracted.findings[:0] = decoded.findings
            return ReadDocument(doc, extracted, html, None)
        extracted = ExtractedDocument(text=text, tables=tables, findings=list(decoded.findings))
        return ReadDocument(doc, extracted, html, root)
    if media.startswith("text/") or doc.name.lower().endswith(".txt"):
        return ReadDocument(doc, ExtractedDocument(text=decode_text(doc.data)))
    return ReadDocument(doc, extract_document(doc.data, doc.media_type, doc.name, limits))


def parse_documents(
    docs: list[SourceDocument],
    *,
    url: str | None = None,
    list_title: str | None = None,
    limits: Limits = DEFAULT,
) -> ParsedReport:
    """Parse a report from its page (first) and attachments, each within `limits`
    (crawler/parsing/limits.py; callers pass the GOVREPORTS_MAX_* settings).

    Metadata comes from the page, or from the first attachment with text when the page is only
    a shell. Statistics come from every document; a value already read from an earlier document
    wins, and a differing value for the same (code, scope, applicant) becomes a finding."""
    if not docs:
        raise ValueError("parse_documents needs at least one document")
    read = [read_document(d, limits) for d in docs]
    findings: list[Finding] = []
    for r in read:
        findings.extend(r.extracted.findings)
        if not r.extracted.extracted:
            findings.append(Finding("document_not_extracted", "warning", f"{r.source.name}: {r.extracted.note}"))

    main = _main_document(read)
    page = read[0]
    metadata = extract_metadata(
        main.extracted.text if main is not page else page.extracted.text,
        html=page.html,
        root=page.root,
        url=url,
        list_title=list_title,
    )
    if main is not page and (metadata.title is None or metadata.year is None):
        # a shell page around a PDF: the PDF's own first lines name the report
        from_main = extract_metadata(main.extracted.text, list_title=list_title)
        metadata.title = metadata.title or from_main.title
        metadata.year = metadata.year or from_main.year
        metadata.agency = metadata.agency or from_main.agency
        if metadata.published_at is None:
            metadata.published_at, metadata.published_precision = from_main.published_at, from_main.published_precision

    template: str | None = None
    metrics: list[MetricValue] = []
    seen: dict[tuple, MetricValue] = {}
    for r in read:
        stats = read_statistics(r.extracted.text, r.extracted.tables)
        template = template or stats.template
        findings.extend(stats.findings)
        for m in stats.metrics:
            m.location = f"{_short(r.source.name)}: {m.location}" if m.location else _short(r.source.name)
            if m.code is None:
                metrics.append(m)
                continue
            earlier = seen.get(m.key())
            if earlier is None:
                seen[m.key()] = m
                metrics.append(m)
            elif earlier.value != m.value:
                findings.append(
                    Finding(
                        "conflicting_sources",
                        "warning",
                        f"{m.code} {m.scope or ''} {m.applicant or ''}: {earlier.value} ({earlier.location}) vs "
                        f"{m.value} ({m.location}); kept the first",
                        m.code,
                    )
                )

    table_codes = {m.code for m in metrics if m.code}
    for m in headline_metrics(main.extracted.text, metadata.year, table_codes, body=metadata.agency):
        m.location = f"{_short(main.source.name)}: {m.location}" if m.location else _short(main.source.name)
        if m.key() not in seen:
            seen[m.key()] = m
            metrics.append(m)

    metrics, unknown = _known_codes(metrics)
    findings.extend(unknown)
    findings.extend(check_rules(metrics, template))
    title = metadata.title or list_title
    return ParsedReport(
        metadata=metadata,
        template=template or ("narrative" if main.extracted.text.strip() else None),
        metrics=metrics,
        findings=findings,
        text=main.extracted.text,
        is_report=is_annual_report_title(title) or (title is None and metadata.year is not None),
        extraction={r.source.name: (r.extracted.extracted, r.extracted.note) for r in read},
    )


def parse_file(path: str | Path, url: str | None = None, limits: Limits = DEFAULT) -> ParsedReport:
    """`govreports parse FILE`: a saved page, text file, PDF, DOCX or DOC."""
    path = Path(path)
    media = media_type_for_name(path.name)
    doc = SourceDocument(name=url or path.name, data=path.read_bytes(), media_type=media)
    return parse_documents([doc], url=url, limits=limits)


def _main_document(read: list[ReadDocument]) -> ReadDocument:
    page = read[0]
    if len(page.extracted.text.strip()) >= SHELL_PAGE_CHARS:
        return page
    for r in read[1:]:
        if r.extracted.extracted and len(r.extracted.text.strip()) >= SHELL_PAGE_CHARS:
            return r
    return page


def _known_codes(metrics: list[MetricValue]) -> tuple[list[MetricValue], list[Finding]]:
    """A code missing from the dictionary is a parser bug: keep the row raw, never store a bad code."""
    known = load_metrics()
    findings = []
    for m in metrics:
        if m.code is not None and m.code not in known:
            findings.append(
                Finding("unknown_code", "error", f"parser produced code {m.code!r} not in metrics.csv ({m.raw_label})")
            )
            m.code = None
    return metrics, findings


def _looks_like_html(data: bytes) -> bool:
    head = data[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<body" in head


def _short(name: str) -> str:
    return name.rsplit("/", 1)[-1] or name
