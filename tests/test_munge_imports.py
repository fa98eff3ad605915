"""The import graphs of harness.munge and harness.peers have no cycles.

Every import counts: top-level, inside functions and under TYPE_CHECKING.
`from pkg import name` is an import of the submodule `pkg.name` when there is one, and
of `pkg` otherwise; a package's own `__init__` is the module named after the package.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, known: set[str]) -> set[str]:
    """The modules among `known` that the file at `path` imports."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                source = f"{base}.{node.module}" if node.module else base
            else:
                source = node.module or ""
            for alias in node.names:
                sub = f"{source}.{alias.name}"
                found.add(sub if sub in known else source)
    return found & known


def graph(packages: list[str]) -> dict[str, set[str]]:
    files = [f for p in packages for f in sorted((ROOT / p).rglob("*.py"))]
    known = {module_name(f) for f in files}
    return {module_name(f): imports_of(f, known) - {module_name(f)} for f in files}


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One cycle in the graph, as the modules along it, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)) is not None:
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (cycle := visit(node)) is not None:
            return cycle
    return None


def test_cycle_finder_sees_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_from_package_import_submodule_counts_as_the_submodule() -> None:
    edges = graph(["harness/munge"])
    assert "harness.munge.pipeline" in edges["harness.munge"]
    assert "harness.munge" not in edges["harness.munge.pipeline"]


@pytest.mark.parametrize("packages", [["harness/munge"], ["harness/peers"]])
def test_no_import_cycles(packages: list[str]) -> None:
    cycle = find_cycle(graph(packages))
    assert cycle is None, " -> ".join(cycle or [])


def from_own_package(path: Path, package: str) -> list[int]:
    """Lines of `path` that say `from <package> import ...` (or `from . import ...`),
    which binds names from the package's `__init__` while it may still be running."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom):
            own = node.module == package if node.level == 0 else not node.module
            if own:
                lines.append(node.lineno)
    return lines


@pytest.mark.parametrize("package", ["harness.munge", "harness.peers"])
def test_no_module_imports_from_its_own_package(package: str) -> None:
    files = sorted((ROOT / package.replace(".", "/")).glob("*.py"))
    found = {
        f.name: lines
        for f in files
        if f.name != "__init__.py" and (lines := from_own_package(f, package))
    }
    assert found == {}
