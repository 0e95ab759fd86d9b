"""The layout keeps its shape: packages import only below them in the flow, modules import in no
circle, and product modules stay short enough to read.

The flow, top to bottom: cli / devtools -> bot -> alerts -> messages, storage -> clickmeter ->
config. Every `import` in every module counts, wherever it sits: inside a function, under
`if TYPE_CHECKING:` or in a `try`; a lazy import does not hide an edge from these tests.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: What each product package may import besides itself (and third-party code).
MAY_IMPORT: dict[str, frozenset[str]] = {
    "cli": frozenset({"devtools", "bot", "alerts", "messages", "storage", "clickmeter", "config"}),
    "devtools": frozenset({"bot", "alerts", "messages", "storage", "clickmeter", "config"}),
    "bot": frozenset({"alerts", "messages", "storage", "clickmeter", "config"}),
    "alerts": frozenset({"messages", "storage", "clickmeter", "config"}),
    "messages": frozenset({"clickmeter", "config"}),
    "storage": frozenset({"clickmeter", "config"}),
    "clickmeter": frozenset({"config"}),
    "config": frozenset(),
}
#: Code that ships but is not test doubles: what the line limit applies to.
PRODUCT = ("cli", "bot", "alerts", "messages", "storage", "clickmeter", "config")
MAX_LINES = 400
#: Ours but never importable from the product (no product module may reach into them).
NOT_PRODUCT = frozenset({"tests", "bench"})


@dataclass(frozen=True)
class Import:
    """One import statement's target, resolved to a module of ours."""

    importer: str
    imported: str
    line: int

    def __str__(self) -> str:
        return f"{self.importer} -> {self.imported} (line {self.line})"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    """Every module of the packages in the flow, by dotted name."""
    found = {}
    for package in MAY_IMPORT:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[_module_name(path)] = path
    return found


def _package_of(module: str) -> str:
    return module.partition(".")[0]


def _targets(importer: str, node: ast.Import | ast.ImportFrom) -> Iterator[str]:
    """The modules `node` makes Python import, as written (ours or not)."""
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    base = node.module or ""
    if node.level:
        is_package = modules()[importer].name == "__init__.py"
        parent = importer.split(".")
        parent = parent if is_package else parent[:-1]
        parent = parent[: len(parent) - (node.level - 1)]
        base = ".".join([*parent, base] if base else parent)
    for alias in node.names:
        # `from pkg import name` imports the submodule pkg.name when there is one; otherwise
        # it reads a name from pkg itself.
        submodule = f"{base}.{alias.name}"
        yield submodule if submodule in modules() else base


def imports_in(module: str, source: str) -> set[Import]:
    """Every import of one of our modules that `source`, the text of `module`, makes."""
    ours = set(MAY_IMPORT) | NOT_PRODUCT
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import | ast.ImportFrom):
            for target in _targets(module, node):
                if _package_of(target) in ours:
                    found.add(Import(module, _known(target), node.lineno))
    return found


@cache
def imports() -> tuple[Import, ...]:
    """Every import of one of our modules, from every module in the flow."""
    found: set[Import] = set()
    for name, path in modules().items():
        found |= imports_in(name, path.read_text(encoding="utf-8"))
    return tuple(sorted(found, key=str))


def _known(target: str) -> str:
    """`target`, or the nearest enclosing module of ours if it names something inside one."""
    while target not in modules() and "." in target:
        target = target.rpartition(".")[0]
    return target


def layer_violations() -> list[str]:
    return [
        str(edge)
        for edge in imports()
        if (importer := _package_of(edge.importer)) != (imported := _package_of(edge.imported))
        and imported not in MAY_IMPORT[importer]
    ]


def import_cycles() -> list[str]:
    """Each set of modules that import each other in a circle (Tarjan's strongly connected
    components), written as its members in order."""
    graph: dict[str, set[str]] = {name: set() for name in modules()}
    for edge in imports():
        if edge.imported in graph and edge.imported != edge.importer:
            graph[edge.importer].add(edge.imported)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[str] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(" <-> ".join(sorted(component)))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(cycles)


def long_modules() -> list[str]:
    return [
        f"{name} ({lines} lines)"
        for name, path in sorted(modules().items())
        if _package_of(name) in PRODUCT
        and (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    ]


EVERY_KIND_OF_IMPORT = """
from typing import TYPE_CHECKING

import httpx
import storage.migrate
from storage import Database
from . import connect
from .digests import Digests

if TYPE_CHECKING:
    from clickmeter import ClickMeterClient

try:
    import config
except ImportError:
    pass


def later() -> None:
    from bot.runtime import run_worker
"""


def test_every_kind_of_import_is_seen() -> None:
    # The checks below are only as good as this walk: it must find every import a reader
    # sees, lazy and TYPE_CHECKING ones included, and resolve relative ones.
    seen = {edge.imported for edge in imports_in("storage.engine", EVERY_KIND_OF_IMPORT)}
    assert seen == {
        "storage.migrate",
        "storage",
        "storage.connect",
        "storage.digests",
        "clickmeter",
        "config",
        "bot.runtime",
    }
    assert len(modules()) > 100


def test_no_package_imports_one_above_it() -> None:
    assert layer_violations() == []


def test_no_import_cycles_between_modules() -> None:
    assert import_cycles() == []


def test_no_product_module_is_over_the_line_limit() -> None:
    assert long_modules() == []
