"""The package's import rule: imports point down the layers, and no module imports in a circle.

Parses every module of ``src/lifecircle`` (imports inside functions and ``TYPE_CHECKING``
blocks count too: a lazy import is still a dependency). The layers are written down in the
package docstring and the README's "Code map".
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

import lifecircle

SRC = Path(lifecircle.__file__).parent

#: Top-level parts of the package, lowest layer first. A module may import its own layer or
#: any lower one, never a higher one.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset(
        {
            "version",
            "i18n",
            "errors",
            "config",
            "model",
            "geo",
            "opening_hours",
            "opening_hours_zh",
            "data",
            "bulk",
        }
    ),
    frozenset({"taxonomy", "store"}),
    frozenset({"project"}),
    frozenset({"cache"}),
    frozenset({"engine"}),
    frozenset({"io"}),
    frozenset({"jobs"}),
    frozenset({"staff", "boards", "plan", "desk", "care"}),
    frozenset({"api", "cli"}),
)
LAYER_OF = {part: rank for rank, parts in enumerate(LAYERS) for part in parts}


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in SRC.rglob("*.py")}


def imports_of(path: Path, known: set[str]) -> set[str]:
    """Every lifecircle module ``path`` imports (``from a import b`` names module a.b if any)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("lifecircle")}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] != "lifecircle":
                continue
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                found.add(full if full in known else node.module)
    return found


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports_of(path, set(known)) - {name} for name, path in known.items()}


def part_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_every_part_of_the_package_has_a_layer():
    parts = {part_of(m) for m in modules()} - {""}
    assert parts == set(LAYER_OF), "add the new part to LAYERS (and to the README's code map)"


def test_imports_point_down_the_layers():
    upward = []
    for module, targets in graph().items():
        if module == "lifecircle":
            continue  # the public surface re-exports from every layer (lazily)
        for target in targets:
            if target == "lifecircle":
                upward.append(f"{module} imports the package root (import the module instead)")
            elif LAYER_OF[part_of(target)] > LAYER_OF[part_of(module)]:
                upward.append(f"{module} -> {target}")
    assert not upward, "imports that point up a layer:\n" + "\n".join(sorted(upward))


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """Return one cycle of the graph as a list of nodes, or None."""
    state: dict[str, int] = defaultdict(int)  # 0 new, 1 on the stack, 2 done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state[nxt] == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if state[nxt] == 0 and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if state[node] == 0 and (found := visit(node)):
            return found
    return None


def test_no_module_imports_in_a_circle():
    edges = {m: t for m, t in graph().items() if m != "lifecircle"}
    cycle = find_cycle(edges)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


@pytest.mark.parametrize(
    ("edges", "cyclic"),
    [({"a": {"b"}, "b": {"c"}, "c": set()}, False), ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, True)],
)
def test_the_cycle_finder_finds_cycles(edges, cyclic):
    assert (find_cycle(edges) is not None) is cyclic
