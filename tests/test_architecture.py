"""The rules of the house, as DEVELOPERS.md states them, checked on every import in src/.

- the core never imports rich or typer (or click): only the edges (the command line, the study
  loop at the terminal) and the screens (rendering modules) may;
- scheduler, bank and matching never import the store; the screens never import the store;
- `model` imports nothing of dlquiz and nothing outside the standard library;
- no import cycles among dlquiz's modules;
- SQL lives only in `store`.

Imports inside functions count (they are imports all the same); imports under
`if TYPE_CHECKING:` do not, since they never run.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "dlquiz"
EDGES = {"cli", "options", "reporting", "study", "__main__"}  # wire the core to the terminal
SCREENS = {"ui", "dashboard", "markup"}  # Rich rendering only
UI_LIBRARIES = {"rich", "typer", "click"}
NEVER_THE_STORE = {"scheduler", "bank", "matching", "model"} | SCREENS


def _runtime_imports(path: Path) -> set[str]:
    """Every module `path` imports when it runs (TYPE_CHECKING blocks left out)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(n) for n in ast.walk(node))
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            if node.module == "dlquiz":
                found.update(f"dlquiz.{alias.name}" for alias in node.names)
    return found


def _modules() -> dict[str, set[str]]:
    return {p.stem: _runtime_imports(p) for p in sorted(SRC.glob("*.py")) if p.stem != "__init__"}


def _own(imports: set[str]) -> set[str]:
    """The dlquiz modules among `imports`, by short name."""
    names = {i.split(".")[1] for i in imports if i.startswith("dlquiz.") and i.count(".") == 1}
    return {n for n in names if (SRC / f"{n}.py").exists()}


MODULES = _modules()


@pytest.mark.parametrize("name", sorted(set(MODULES) - EDGES - SCREENS))
def test_the_core_never_imports_a_terminal_library(name: str) -> None:
    bad = {i for i in MODULES[name] if i.split(".")[0] in UI_LIBRARIES}
    assert not bad, f"dlquiz.{name} is core but imports {sorted(bad)}"


@pytest.mark.parametrize("name", sorted(NEVER_THE_STORE & set(MODULES)))
def test_these_modules_never_import_the_store(name: str) -> None:
    assert "store" not in _own(MODULES[name]), f"dlquiz.{name} imports dlquiz.store"


@pytest.mark.parametrize("name", sorted(set(MODULES) - {"store"}))
def test_sql_lives_only_in_the_store(name: str) -> None:
    """Every other module asks the store's methods for rows; none writes SQL or opens SQLite."""
    source = (SRC / f"{name}.py").read_text(encoding="utf-8")
    assert "sqlite3" not in MODULES[name], f"dlquiz.{name} imports sqlite3"
    sql = re.search(r"\b(SELECT|INSERT INTO|CREATE TABLE|DELETE FROM|UPDATE \w+ SET)\b", source)
    assert sql is None and not re.search(r"\.execute\(|\.query\(", source), f"SQL in {name}"


def test_the_model_depends_on_nothing_but_the_standard_library() -> None:
    outside = {i for i in MODULES["model"] if i.split(".")[0] not in sys.stdlib_module_names}
    assert not outside, f"dlquiz.model imports {sorted(outside)}"


def test_there_are_no_import_cycles() -> None:
    graph = {name: _own(imports) - {name} for name, imports in MODULES.items()}
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycle = [*path[path.index(nxt) :], nxt]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)


def test_the_rules_see_imports_inside_functions(tmp_path: Path) -> None:
    """The checker itself: a lazy import counts, a TYPE_CHECKING one does not."""
    source = tmp_path / "mod.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from dlquiz.store import Store\n"
        "def f() -> None:\n    import rich.table\n    from dlquiz import store\n",
        encoding="utf-8",
    )
    found = _runtime_imports(source)
    assert "rich.table" in found and "dlquiz.store" in found
    assert _own(found) == {"store"}
