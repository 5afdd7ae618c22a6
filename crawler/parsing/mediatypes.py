"""The media type a file name's extension gives: for responses served as a generic download
type (spiders) and for saved files (`govreports parse`)."""

from __future__ import annotations

MEDIA_TYPE_BY_EXTENSION = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".doc": "application/msword",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".html": "text/html",
    ".htm": "text/html",
    ".shtml": "text/html",
    ".txt": "text/plain",
}


def media_type_for_name(name: str) -> str | None:
    """e.g. "东营…年度报告(最终版).pdf" → application/pdf; None for an unknown or missing extension."""
    dot = name.rfind(".")
    return MEDIA_TYPE_BY_EXTENSION.get(name[dot:].lower()) if dot >= 0 else None
