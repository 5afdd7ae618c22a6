"""The portal registry: one TOML entry per portal, the spiders built from it.

    [[portal]]
    name = "dongying"                      # spider name: scrapy crawl dongying
    home_url = "http://www.dongying.gov.cn"
    body = "东营市人民政府"
    level = "city"                         # province|city|county|district|department|zone
    region_code = "370500"                 # optional
    parent = "山东省人民政府"               # optional
    platform = "hanweb"                    # optional: detected when absent
    column_ids = ["164458"]                # optional platform hints, tried first, never required

The package's own registry is crawler/data/portals.toml; GOVREPORTS_PORTALS=/a.toml:/b.toml adds
entries from other files. A bad entry (missing key, wrong type, unknown level/platform/option, bad
URL, a name used twice) is a RegistryError whose one-line message names the file, the entry and
the key. The options each platform takes are declared on its base class (`options` in
spiders/base.py and spiders/platforms/*.py): hints are those options, set as class attributes of
the spider class generated for the entry.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PACKAGE_REGISTRY = Path(__file__).resolve().parent / "data" / "portals.toml"
ENV = "GOVREPORTS_PORTALS"
LEVELS = ("province", "city", "county", "district", "department", "zone")
NAME = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
# keys of an entry itself; everything else is a platform option (hint)
ENTRY_KEYS = {
    "name": str,
    "home_url": str,
    "body": str,
    "level": str,
    "region_code": str,
    "parent": str,
    "platform": str,
}
REQUIRED = ("name", "home_url", "body", "level")


class RegistryError(ValueError):
    """A registry file or entry that cannot be used; the message is one line for the user."""


@dataclass(frozen=True)
class Portal:
    name: str
    home_url: str
    body: str
    level: str
    region_code: str | None = None
    parent: str | None = None
    platform: str | None = None  # None: detected from the pages
    hints: dict[str, Any] = field(default_factory=dict)  # platform options, as given in the file
    source: str = ""  # the file the entry came from

    def toml(self) -> str:
        """The entry as TOML, ready to paste into a registry file."""
        lines = ["[[portal]]"]
        for key in ("name", "home_url", "body", "level", "region_code", "parent", "platform"):
            value = getattr(self, key)
            if value:
                lines.append(f"{key} = {toml_value(value)}")
        lines += [f"{key} = {toml_value(value)}" for key, value in self.hints.items()]
        return "\n".join(lines)


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"no TOML form for {value!r}")


def registry_files(environ: Mapping[str, str] | None = None) -> list[Path]:
    """The package registry, then each file of $GOVREPORTS_PORTALS (colon-separated)."""
    env = os.environ if environ is None else environ
    extra = [Path(p) for p in env.get(ENV, "").split(os.pathsep) if p.strip()]
    return [PACKAGE_REGISTRY, *extra]


def load_registry(files: list[Path] | None = None) -> dict[str, Portal]:
    """Every portal of the registry files, by name, in file order."""
    portals: dict[str, Portal] = {}
    for path in registry_files() if files is None else files:
        for portal in read_file(path):
            if portal.name in portals:
                first = portals[portal.name].source
                raise RegistryError(f"{path}: portal {portal.name!r}: key 'name': already defined in {first}")
            portals[portal.name] = portal
    return portals


def read_file(path: Path) -> list[Portal]:
    try:
        data = tomllib.loads(Path(path).read_text("utf-8"))
    except FileNotFoundError:
        raise RegistryError(f"{path}: no such registry file (check {ENV})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RegistryError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"{path}: not valid TOML: {exc}") from None
    unknown = set(data) - {"portal"}
    if unknown:
        raise RegistryError(f"{path}: unknown top-level key {sorted(unknown)[0]!r} (entries are [[portal]] tables)")
    entries = data.get("portal", [])
    if not isinstance(entries, list):
        raise RegistryError(f"{path}: 'portal' must be an array of tables ([[portal]])")
    return [parse_entry(entry, path, i) for i, entry in enumerate(entries, 1)]


def parse_entry(entry: dict[str, Any], path: Path, number: int) -> Portal:
    label = f"portal #{number}"
    if isinstance(entry.get("name"), str):
        label += f" ({entry['name']})"

    def fail(key: str, problem: str) -> RegistryError:
        return RegistryError(f"{path}: {label}: key {key!r}: {problem}")

    for key in REQUIRED:
        if key not in entry:
            raise fail(key, "missing (every entry needs name, home_url, body and level)")
    for key, kind in ENTRY_KEYS.items():
        if key in entry and not isinstance(entry[key], kind):
            raise fail(key, f"must be a string, got {type(entry[key]).__name__} {entry[key]!r}")
        if key in entry and not entry[key].strip():
            raise fail(key, "is empty")
    if not NAME.match(entry["name"]):
        raise fail("name", f"{entry['name']!r} must be lower-case letters, digits and _ (a spider name)")
    url = urlsplit(entry["home_url"])
    if url.scheme not in ("http", "https") or not url.hostname:
        raise fail("home_url", f"{entry['home_url']!r} is not an http(s) URL with a host")
    if entry["level"] not in LEVELS:
        raise fail("level", f"{entry['level']!r} is not one of {', '.join(LEVELS)}")
    platforms = platform_classes()
    platform = entry.get("platform")
    if platform is not None and platform not in platforms:
        raise fail("platform", f"{platform!r} is not one of {', '.join(platforms)} (leave it out to detect it)")
    hints = {k: v for k, v in entry.items() if k not in ENTRY_KEYS}
    options = platform_options(platform)
    for key, value in hints.items():
        if key not in options:
            where = f"platform {platform!r}" if platform else "a portal without platform (common options only)"
            known = ", ".join(sorted(options))
            raise fail(key, f"unknown option for {where}; known: {known}")
        problem = check_kind(value, options[key])
        if problem:
            raise fail(key, problem)
    return Portal(
        name=entry["name"],
        home_url=entry["home_url"].rstrip("/"),
        body=entry["body"],
        level=entry["level"],
        region_code=entry.get("region_code"),
        parent=entry.get("parent"),
        platform=platform,
        hints=hints,
        source=str(path),
    )


# -- platform options -------------------------------------------------------------------------
# Kinds of option values: str, int, float, bool, regex, list (of strings), table (string → string),
# rows (list of lists of strings).


def check_kind(value: Any, kind: str) -> str | None:
    """What is wrong with `value` as an option of `kind`, or None."""
    if kind in ("str", "regex"):
        if not isinstance(value, str):
            return f"must be a string, got {value!r}"
        if kind == "regex":
            try:
                re.compile(value)
            except re.error as exc:
                return f"not a regular expression: {exc}"
        return None
    if kind == "int":
        return None if isinstance(value, int) and not isinstance(value, bool) else f"must be an integer, got {value!r}"
    if kind == "float":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return None if ok else f"must be a number, got {value!r}"
    if kind == "bool":
        return None if isinstance(value, bool) else f"must be true or false, got {value!r}"
    if kind == "list":
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        return None if ok else f"must be a list of strings, got {value!r}"
    if kind == "table":
        ok = isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
        return None if ok else f"must be a table of strings, got {value!r}"
    if kind == "rows":
        ok = isinstance(value, list) and all(
            isinstance(row, list) and all(isinstance(v, str) for v in row) for row in value
        )
        return None if ok else f"must be a list of lists of strings, got {value!r}"
    raise AssertionError(f"unknown option kind {kind}")


def convert(value: Any, kind: str) -> Any:
    """An option value as the spider attribute holds it."""
    if kind == "regex":
        return re.compile(value, re.I)
    if kind == "list":
        return tuple(value)
    if kind == "rows":
        return tuple(tuple(row) for row in value)
    if kind == "table":
        return dict(value)
    if kind == "float":
        return float(value)
    return value


@cache
def platform_classes() -> dict[str, type]:
    from spiders.platforms import PLATFORMS

    return PLATFORMS


def platform_options(platform: str | None) -> dict[str, str]:
    from spiders.base import GovReportSpider

    cls = platform_classes()[platform] if platform else GovReportSpider
    options: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        options.update(klass.__dict__.get("options", {}))
    return options


# -- spider classes -----------------------------------------------------------------------------


def spider_class_for(portal: Portal) -> type:
    """The spider class of a registry entry: its platform's base (or the detecting spider when the
    entry names none) with the entry's fields and options as class attributes."""
    if portal.platform:
        base = platform_classes()[portal.platform]
    else:
        from spiders.platforms.detect import DetectingSpider

        base = DetectingSpider
    options = platform_options(portal.platform)
    attrs: dict[str, Any] = {
        "__module__": __name__,
        "__doc__": f"{portal.body} ({portal.home_url}), from {portal.source}",
        "name": portal.name,
        "home_url": portal.home_url,
        "body_name": portal.body,
        "body_level": portal.level,
        "region_code": portal.region_code,
        "parent_body": portal.parent,
        "portal": portal,
        "hinted_options": frozenset(portal.hints),
    }
    attrs.update({key: convert(value, options[key]) for key, value in portal.hints.items()})
    class_name = "".join(part.capitalize() for part in portal.name.split("_")) + "Spider"
    return type(class_name, (base,), attrs)


@cache
def spider_classes() -> dict[str, type]:
    """Spider classes of every registry entry (the package's and $GOVREPORTS_PORTALS'), by name."""
    return {name: spider_class_for(portal) for name, portal in load_registry().items()}


def spider_class(name: str) -> type:
    """The spider class of one registry entry, e.g. spider_class("dongying")."""
    classes = spider_classes()
    if name not in classes:
        raise KeyError(f"no portal {name!r} in the registry ({', '.join(classes)})")
    return classes[name]
