"""No import circle anywhere in the repository's own code.

Type-checking-only imports count too: a circle held together by
``if TYPE_CHECKING:`` is still a circle a maintainer has to think around.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("custom_components", "moogo_sim", "moogo_devstack", "benchmarks", "tests")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "snapshots" not in path.parts:
                found[_module_name(path)] = path
    return found


def _imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """First-party modules that ``name`` imports, resolved like Python does."""
    is_package = path.name == "__init__.py"
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".")
                drop = node.level - 1 if is_package else node.level
                anchor = anchor[: len(anchor) - drop] if drop else anchor
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                # "from pkg import mod" imports the submodule when there is one.
                submodule = f"{base}.{alias.name}"
                targets.add(submodule if submodule in known else base)
    return {target for target in targets if target in known and target != name}


def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """Return one import circle, or None; depth-first with an explicit path."""
    done: set[str] = set()
    for start in sorted(graph):
        if start in done:
            continue
        path: list[str] = [start]
        on_path = {start}
        stack = [iter(sorted(graph[start]))]
        while stack:
            child = next(stack[-1], None)
            if child is None:
                stack.pop()
                finished = path.pop()
                on_path.discard(finished)
                done.add(finished)
                continue
            if child in on_path:
                return [*path[path.index(child) :], child]
            if child not in done:
                path.append(child)
                on_path.add(child)
                stack.append(iter(sorted(graph[child])))
    return None


def test_finder_sees_a_circle() -> None:
    """The checker itself finds a circle of three and none in a chain."""
    assert _find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_relative_imports_resolve() -> None:
    """The simulator's server imports the cloud state it serves."""
    known = _modules()
    edges = _imports("moogo_sim.server", known["moogo_sim.server"], known)
    assert "moogo_sim.cloud" in edges
    assert "moogo_sim.simulator" not in edges


@pytest.mark.parametrize("package", PACKAGES)
def test_no_import_circle(package: str) -> None:
    known = _modules()
    graph = {name: _imports(name, path, known) for name, path in known.items()}
    inside = {
        name: {target for target in targets if target.split(".")[0] == package}
        for name, targets in graph.items()
        if name.split(".")[0] == package
    }
    assert _find_cycle(inside) is None
    assert inside, f"no modules found under {package}"


def test_no_circle_across_packages() -> None:
    known = _modules()
    graph = {name: _imports(name, path, known) for name, path in known.items()}
    assert _find_cycle(graph) is None
