"""The package's import graph: layers in one direction, and no cycle between modules.

A newcomer reads the layout as layers (docs/layout.md): facts and levels at the bottom, then the
rulebook language and file formats, the rulebook, the engine, explanations, workflows built on
them, rendering, and the HTTP service and CLI on top. These tests hold the code to that picture, so
a shortcut that imports upwards, or a cycle between two modules, fails here rather than surviving
as a surprise for whoever next moves a file.

The graph is read from the source with `ast`, so it counts every import: module-level ones, those
inside functions (a lazy import is still a dependency) and those under `TYPE_CHECKING`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "needs_engine"

# Lowest first. A package may import its own modules and any package in a lower layer, never one in
# its own layer or above. `needs_engine/__init__.py` (the public API, which re-exports from many
# layers) and `__main__` sit on top.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"_version", "errors", "plural"}),
    frozenset({"model"}),
    frozenset({"language", "formats"}),
    frozenset({"rulebook"}),
    frozenset({"engine"}),
    frozenset({"explain", "scenarios"}),
    frozenset({"workflows", "authoring", "batch", "intake"}),
    frozenset({"render"}),
    frozenset({"service"}),
    frozenset({"cli"}),
    frozenset({"", "__main__"}),
)


def modules_of(package: Path) -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its `__init__`)."""
    found: dict[str, Path] = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imports(module: str, path: Path) -> Iterable[tuple[str, str | None]]:
    """(module named, name taken from it) for each import in one module, relative ones resolved."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from ((alias.name, None) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                if path.name != "__init__.py":
                    base.pop()
                base = base[: len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            yield from ((source, alias.name) for alias in node.names)


def import_graph(package: Path) -> dict[str, set[str]]:
    """Module -> the package's modules it imports (`from .x import name` counts as importing x)."""
    modules = modules_of(package)

    def owner(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {module: set() for module in modules}
    for module, path in modules.items():
        for source, name in _imports(module, path):
            if source.split(".")[0] != package.name:
                continue
            # `from .x import y` depends on the submodule x.y when y is one, else on x itself: a
            # package's `__init__` is not a dependency of every sibling that names it.
            submodule = f"{source}.{name}"
            target = submodule if submodule in modules else owner(source)
            if target and target != module:
                graph[module].add(target)
    return graph


def cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, list[str]]] = [(start, sorted(graph.get(start, ())))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, pending = work[-1]
            if pending:
                nxt = pending.pop()
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, sorted(graph.get(nxt, ()))))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found)


def _top_package(module: str) -> str:
    """`needs_engine.engine.assess` -> `engine`; the package itself -> ``."""
    return module.split(".")[1] if "." in module else ""


def layer_of(package: str) -> int:
    for position, members in enumerate(LAYERS):
        if package in members:
            return position
    raise KeyError(package)


def upward_imports(graph: Mapping[str, Iterable[str]]) -> list[str]:
    """Every import from one top-level package into another in the same layer or a higher one."""
    wrong = []
    for module, targets in sorted(graph.items()):
        here = _top_package(module)
        for target in sorted(targets):
            there = _top_package(target)
            if there != here and layer_of(there) >= layer_of(here):
                wrong.append(f"{module} imports {target} ({there!r} is not below {here!r})")
    return wrong


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph(PACKAGE)


def test_no_module_imports_another_that_imports_it_back(graph: dict[str, set[str]]) -> None:
    found = cycles(graph)
    assert found == [], "import cycles between modules:\n" + "\n".join(" <-> ".join(c) for c in found)


def test_packages_import_only_downwards(graph: dict[str, set[str]]) -> None:
    wrong = upward_imports(graph)
    assert wrong == [], "imports against the layers (tests/unit/test_layers.py LAYERS):\n" + "\n".join(wrong)


def test_every_top_level_package_has_a_layer(graph: dict[str, set[str]]) -> None:
    unplaced = sorted({_top_package(module) for module in graph} - set().union(*LAYERS))
    assert unplaced == [], f"add these to a layer in LAYERS (and docs/layout.md): {unplaced}"


def test_the_graph_sees_lazy_and_relative_imports(graph: dict[str, set[str]]) -> None:
    """The checks above are only as good as the graph: it must see relative imports and imports
    made inside functions, the two kinds a cycle most often hides behind."""
    assert "needs_engine.model" in graph["needs_engine.engine.assess"] or any(
        target.startswith("needs_engine.model.") for target in graph["needs_engine.engine.assess"]
    )
    assert "needs_engine.cli" in graph["needs_engine.__main__"]


def test_cycle_finder_finds_a_cycle_added_by_hand() -> None:
    """The checker itself: a two-module cycle and a three-module ring are found, a chain is not."""
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []
    assert cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"d"}}) == [["a", "b", "c"]]


def test_layer_check_catches_an_upward_import() -> None:
    graph = {"needs_engine.model.facts": {"needs_engine.engine.assess"}, "needs_engine.engine.assess": set()}
    assert upward_imports(graph) == [
        "needs_engine.model.facts imports needs_engine.engine.assess ('engine' is not below 'model')"
    ]
