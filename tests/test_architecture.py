"""The import graph of Veille's packages: no cycle, and dependencies that run one way.

Built from the source with `ast`, imports inside functions and under `TYPE_CHECKING`
included (a cycle hidden in a function is still a cycle a reader must untangle). The
layers are read from pyproject.toml's import-linter contract, so they are written once.
"""

from __future__ import annotations

import ast
import tomllib
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
PACKAGES: list[str] = PYPROJECT["tool"]["importlinter"]["root_packages"]


def _modules() -> dict[str, Path]:
    """Every module of Veille's packages by dotted name (a package is its __init__)."""
    found = {}
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            parts = list(path.relative_to(REPO).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _imported_names(tree: ast.Module, module: str, is_package: bool) -> set[str]:
    """Dotted names imported anywhere in a module, relative imports resolved."""
    package = module if is_package else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*parent, *([base] if base else [])])
            names.add(base)
            # `from pkg import name` may import the submodule pkg.name.
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def import_graph() -> dict[str, set[str]]:
    """Module -> the Veille modules it imports."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        targets = set()
        for name in _imported_names(tree, module, path.name == "__init__.py"):
            # The longest known prefix is the module the name lives in.
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name and name != module:
                targets.add(name)
        graph[module] = targets
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as exc:
        return list(exc.args[1])
    return []


def _package_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {p: set() for p in PACKAGES}
    for module, targets in graph.items():
        top = module.split(".")[0]
        edges[top].update(t.split(".")[0] for t in targets if t.split(".")[0] != top)
    return edges


def test_the_graph_sees_function_level_imports() -> None:
    # pipeline.runner imports the NLP stage inside process_posts (spaCy loads only there).
    assert "nlp.analyzer" in import_graph()["pipeline.runner"]


def test_no_import_cycle_among_modules() -> None:
    assert _cycle(import_graph()) == []


def test_no_import_cycle_among_packages() -> None:
    assert _cycle(_package_graph(import_graph())) == []


def test_records_import_nothing_else_of_veille() -> None:
    edges = _package_graph(import_graph())
    assert edges["records"] == set()


def _layers() -> list[set[str]]:
    (contract,) = [
        c for c in PYPROJECT["tool"]["importlinter"]["contracts"] if c["type"] == "layers"
    ]
    return [{p.strip() for p in layer.split("|")} for layer in contract["layers"]]


def test_packages_import_only_the_layers_below() -> None:
    layers = _layers()
    assert set().union(*layers) == set(PACKAGES), "every package has its layer"
    rank = {package: i for i, layer in enumerate(layers) for package in layer}
    edges = _package_graph(import_graph())
    upward = sorted(
        f"{source} -> {target}"
        for source, targets in edges.items()
        for target in targets
        if rank[target] <= rank[source]
    )
    assert upward == []


@pytest.mark.parametrize(
    ("source", "imported", "expected"),
    [
        ("from . import a", "p.b", "p.a"),
        ("from .a import x", "p.b", "p.a.x"),
        ("from ..q import y", "p.sub.b", "p.q.y"),
    ],
)
def test_relative_imports_are_resolved(source: str, imported: str, expected: str) -> None:
    names = _imported_names(ast.parse(source), imported, is_package=False)
    assert expected in names
