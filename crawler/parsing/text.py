"""Text normalisation shared by every parser: NFKC, whitespace, label keys."""

from __future__ import annotations

import functools
import re
import unicodedata

_SPACES = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")


def nfkc(text: str) -> str:
    """NFKC-normalise (full-width digits, brackets, colons become half-width)."""
    return unicodedata.normalize("NFKC", text)


def clean_text(text: str) -> str:
    """NFKC, then fold runs of any whitespace (incl. U+00A0, U+3000) to one space, stripped."""
    return _SPACES.sub(" ", nfkc(text)).strip()


# the same labels and cells recur in every report: ~60,000 calls per 200 reports; bounded
# small, as each report's own cells would fill a larger cache over a long crawl
@functools.lru_cache(maxsize=2048)
def label_key(label: str) -> str:
    """The form a label is matched in: NFKC with every whitespace character removed.

    `统 计 指 标` and `统计指标` give the same key; the raw label is kept elsewhere.
    """
    return _SPACES.sub("", nfkc(label))
