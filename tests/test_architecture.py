"""The import rules of docs/architecture.md §3, checked from the imports of every module.

The checker reads each module's syntax tree (every `import`, `from … import`, relative imports
resolved, imports inside functions included, `importlib.import_module("…")` with a literal name)
and holds it against RULES. It is run against the project and, to show that it fails when a rule
is broken, against a small package under tests/fixtures/architecture/ that breaks each rule once.
A failing rule is fixed by moving the code to the room that may hold it, never by an exception here.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "architecture"
PROJECT = ("crawler", "spiders", "pipelines")  # the project's top-level packages (migrations import them)


@dataclass(frozen=True)
class Rule:
    """Modules under `scope` (a path relative to the project root, a folder ending in "/" or one
    file) must not import `forbidden` (module prefixes), and of the project's own packages may
    import only `allowed` (module prefixes) when `allowed` is given."""

    name: str
    scope: tuple[str, ...]
    forbidden: tuple[str, ...] = ()
    allowed: tuple[str, ...] | None = None

    def covers(self, relpath: str) -> bool:
        return any(relpath.startswith(s) if s.endswith("/") else relpath == s for s in self.scope)

    def broken_by(self, module: str) -> bool:
        if any(_within(module, f) for f in self.forbidden):
            return True
        if self.allowed is None or module.split(".")[0] not in PROJECT:
            return False
        return not any(_within(module, a) for a in self.allowed)


NO_CRAWL = ("scrapy", "twisted")
NO_DATABASE = ("sqlalchemy", "alembic", "psycopg")

RULES = (
    Rule(
        "parsing is pure: only crawler.parsing of the project, no Scrapy, Twisted or database",
        ("crawler/parsing/",),
        forbidden=NO_CRAWL + NO_DATABASE,
        allowed=("crawler.parsing",),
    ),
    Rule(
        "shared types know only parsing and urls, no Scrapy, Twisted or database",
        ("crawler/items.py", "crawler/urls.py"),
        forbidden=NO_CRAWL + NO_DATABASE,
        allowed=("crawler.items", "crawler.urls", "crawler.parsing"),
    ),
    Rule(
        "the parse pool knows only itself, no Scrapy, Twisted or database",
        ("crawler/parsepool.py", "crawler/parseworker.py"),
        forbidden=NO_CRAWL + NO_DATABASE,
        allowed=("crawler.parsepool",),
    ),
    Rule(
        "storage knows no Scrapy: only storage, shared types, urls and parsing",
        ("crawler/storage/",),
        forbidden=NO_CRAWL,
        allowed=("crawler.storage", "crawler.items", "crawler.urls", "crawler.parsing"),
    ),
    Rule(
        "analysis knows no Scrapy and no crawl-time component",
        ("crawler/analysis/",),
        forbidden=NO_CRAWL + ("spiders", "pipelines", "crawler.middlewares", "crawler.extensions"),
    ),
    Rule(
        "spiders find and fetch: no database, no storage, no pipelines",
        ("spiders/",),
        forbidden=NO_DATABASE + ("crawler.storage", "pipelines"),
    ),
    Rule("pipelines know no spiders", ("pipelines/",), forbidden=("spiders",)),
)


@dataclass(frozen=True)
class Violation:
    file: str  # relative to the checked root
    line: int
    module: str  # what it imports
    rule: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: imports {self.module} ({self.rule})"


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def module_name(relpath: str) -> str:
    parts = relpath.removesuffix(".py").split("/")
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, root: Path) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in the module at `path`."""
    relpath = path.relative_to(root).as_posix()
    package = module_name(relpath).split(".")
    if not relpath.endswith("__init__.py"):
        package = package[:-1]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_bytes(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            for alias in node.names:  # `from crawler import storage` imports crawler.storage
                sub = f"{module}.{alias.name}"
                found.append((node.lineno, sub if _is_module(root, sub) else module))
        elif (
            isinstance(node, ast.Call)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and (
                (isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
                or (isinstance(node.func, ast.Name) and node.func.id in ("import_module", "__import__"))
            )
        ):
            found.append((node.lineno, node.args[0].value))
    return found


def _is_module(root: Path, module: str) -> bool:
    path = root.joinpath(*module.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def check(root: Path, rules: tuple[Rule, ...] = RULES) -> list[Violation]:
    """Every import under root's crawler/, spiders/ and pipelines/ that breaks a rule."""
    violations = []
    for top in PROJECT:
        for path in sorted((root / top).rglob("*.py")):
            relpath = path.relative_to(root).as_posix()
            applying = [r for r in rules if r.covers(relpath)]
            for line, module in imports(path, root):
                violations += [Violation(relpath, line, module, r.name) for r in applying if r.broken_by(module)]
    return violations


def test_the_project_keeps_the_import_rules():
    violations = check(ROOT)
    assert not violations, "import rules broken (docs/architecture.md §3):\n" + "\n".join(map(str, violations))


def test_every_rule_covers_modules_that_exist():
    """A rule whose folder was renamed would check nothing."""
    files = [p.relative_to(ROOT).as_posix() for top in PROJECT for p in (ROOT / top).rglob("*.py")]
    for rule in RULES:
        assert any(rule.covers(f) for f in files), rule.name


def test_the_checker_reports_each_broken_rule_with_file_import_and_rule():
    """tests/fixtures/architecture/ is a small package breaking each rule (and keeping some allowed
    imports, which must not be reported)."""
    found = {(v.file, v.module, v.rule) for v in check(FIXTURE)}
    parsing, shared, pool, storage, analysis, spiders, pipelines = (r.name for r in RULES)
    assert found == {
        ("crawler/parsing/leaky.py", "scrapy.http", parsing),
        ("crawler/parsing/leaky.py", "crawler.storage.db", parsing),
        ("crawler/parsing/leaky.py", "crawler.items", parsing),  # relative: from ..items import
        ("crawler/parsing/leaky.py", "sqlalchemy", parsing),  # inside a function
        ("crawler/parsing/leaky.py", "twisted.internet", parsing),  # importlib.import_module
        ("crawler/items.py", "crawler.storage", shared),  # from crawler import storage
        ("crawler/parsepool.py", "twisted.internet.defer", pool),
        ("crawler/storage/rows.py", "scrapy", storage),
        ("crawler/storage/rows.py", "crawler.middlewares.incremental", storage),
        ("crawler/analysis/table.py", "scrapy.utils.project", analysis),
        ("spiders/portal.py", "sqlalchemy.orm", spiders),
        ("spiders/portal.py", "crawler.storage.store", spiders),
        ("pipelines/store.py", "spiders.portal", pipelines),
    }
    (leak,) = [v for v in check(FIXTURE) if v.module == "scrapy.http"]
    assert str(leak) == f"crawler/parsing/leaky.py:5: imports scrapy.http ({parsing})"


def test_importing_every_spider_and_the_spider_loader_loads_no_database_code():
    """Spiders find and fetch: building every registry spider must not load SQLAlchemy."""
    script = """
import pkgutil, sys, importlib
import spiders
for info in pkgutil.walk_packages(spiders.__path__, "spiders."):
    importlib.import_module(info.name)
from scrapy.utils.project import get_project_settings
from crawler.spiderloader import RegistrySpiderLoader
loader = RegistrySpiderLoader(get_project_settings())
names = loader.list()
assert "dongying" in names, names
for name in names:
    loader.load(name)
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("sqlalchemy", "alembic", "psycopg"))
print(len(names), loaded)
"""
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    count, loaded = done.stdout.split(" ", 1)
    assert int(count) >= 5
    assert loaded.strip() == "[]"
