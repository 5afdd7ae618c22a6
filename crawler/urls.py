"""URL canonicalisation (docs/portals.md §1.4)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Anti-bot and client-paging parameters that never identify a document.
DROPPED_PARAMS = {"webshieldsessionverify", "webshielddrsessionverify", "uid", "pagenum"}


def strip_params(url: str, dropped: set[str] = DROPPED_PARAMS) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in dropped]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def canonicalize(url: str, host_aliases: dict[str, str] | None = None) -> str:
    """Lower-case scheme and host, fold host aliases (ds.gov.cn -> www.ds.gov.cn), drop anti-bot
    and paging parameters and the fragment. The path keeps its case (Weifang sites mix cases)."""
    parts = urlsplit(strip_params(url))
    host = (parts.hostname or "").lower()
    if host_aliases:
        host = host_aliases.get(host, host)
    netloc = host if parts.port in (None, 80, 443) else f"{host}:{parts.port}"
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, ""))


def rebase(url: str, old_origin: str, new_origin: str) -> str:
    """Swap the origin (scheme://host[:port]) of `url` when it is `old_origin`."""
    if url.startswith(old_origin.rstrip("/") + "/") or url == old_origin.rstrip("/"):
        return new_origin.rstrip("/") + url[len(old_origin.rstrip("/")) :]
    return url


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
