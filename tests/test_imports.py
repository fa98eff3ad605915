"""The package's import graph: no cycles, and the data model and errors stay leaves.

Every import counts, at the top of a module, inside a function or under TYPE_CHECKING;
`from pkg import name` is an import of the module `pkg.name` when there is one.
"""

from __future__ import annotations

import ast
from pathlib import Path

HARNESS = Path(__file__).resolve().parent.parent / "harness"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(HARNESS.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in HARNESS.rglob("*.py")}


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*up, *([base] if base else [])])
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    targets.append(sub if sub in modules else base)
            graph[name] |= {t for t in targets if t in modules and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles():
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


# Which packages each package may import from (besides itself). Lower layers never import
# higher ones; the README's "Layout" section says what each holds.
LAYERS: dict[str, frozenset[str]] = {
    "core": frozenset(),
    "peers": frozenset({"core"}),
    "host": frozenset({"core", "peers"}),
    "munge": frozenset({"core", "host"}),
    "reports": frozenset({"core"}),
    "suite": frozenset({"core", "host", "reports"}),
    "case": frozenset({"core", "host", "peers", "munge", "suite"}),
    "run": frozenset({"core", "host", "peers", "munge", "reports", "suite", "case"}),
    "cli": frozenset({"core", "host", "peers", "munge", "reports", "suite", "case", "run"}),
}


def _layer(module: str) -> str:
    if module == "harness.__main__":  # `python -m harness`: an entry point
        return "cli"
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    """Each import of a module from a layer its own may not use, as `a -> b`."""
    wrong = []
    for name, deps in sorted(graph.items()):
        own = _layer(name)
        if own not in LAYERS:
            continue
        for dep in sorted(deps):
            other = _layer(dep)
            if other and other != own and other not in LAYERS[own]:
                wrong.append(f"{name} -> {dep}")
    return wrong


def test_every_module_is_in_a_layer():
    stray = [m for m in import_graph() if m != "harness" and _layer(m) not in LAYERS]
    assert stray == []


def test_imports_go_down_the_layers():
    assert upward_imports(import_graph()) == []


def test_an_upward_import_is_found():
    graph = import_graph()
    graph["harness.core.results"] = graph["harness.core.results"] | {"harness.run.session"}
    assert upward_imports(graph) == ["harness.core.results -> harness.run.session"]


def test_the_layers_are_ordered():
    """No two layers may import each other, directly or through others."""

    def reach(layer: str) -> set[str]:
        seen: set[str] = set()
        todo = list(LAYERS[layer])
        while todo:
            nxt = todo.pop()
            if nxt not in seen:
                seen.add(nxt)
                todo.extend(LAYERS[nxt])
        return seen

    for layer in LAYERS:
        assert layer not in reach(layer), layer


def test_leaves_import_nothing_of_the_harness():
    graph = import_graph()
    for leaf in ("harness.core.results", "harness.core.exitcodes", "harness.core.paths"):
        assert graph[leaf] == set(), leaf
    assert graph["harness.core.errors"] == {"harness.core.exitcodes"}


def test_reports_depend_only_on_the_data_model():
    """Output formats know results, not how tests are run."""
    graph = import_graph()
    allowed = {"harness.core.results", "harness.core.events", "harness.core.errors"}
    for name, deps in graph.items():
        if name.startswith("harness.reports") or name == "harness.run.display":
            assert {d for d in deps if not d.startswith("harness.reports")} <= allowed, name


def test_pyproject_installs_every_package():
    """A package missing from [tool.setuptools] packages is left out of an installed wheel."""
    import tomllib

    listed = set(
        tomllib.loads((HARNESS.parent / "pyproject.toml").read_text())["tool"]["setuptools"][
            "packages"
        ]
    )
    found = {
        ".".join(p.parent.relative_to(HARNESS.parent).parts) for p in HARNESS.rglob("__init__.py")
    }
    assert found == listed
