"""The real import graph of the stage scripts: which `src/kosum` subpackages each script runs, directly or through
other kosum modules (tests/test_stage_deps.py checks dvc.yaml's deps against it)."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"


def _module_file(module: str) -> Path | None:
    path = SRC.joinpath(*module.split("."))
    for candidate in (path.with_suffix(".py"), path / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def _imports(path: Path) -> set[str]:
    """The kosum modules a file imports (a `from kosum.x import name` of a submodule counts that submodule)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "kosum":
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names if _module_file(f"{node.module}.{a.name}"))
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "kosum")
    return {m for m in found if _module_file(m)}


@cache
def _closure(module: str) -> frozenset[str]:
    seen, todo = {module}, [module]
    while todo:
        for imported in _imports(_module_file(todo.pop())):
            parts = imported.split(".")
            for i in range(2, len(parts) + 1):  # importing kosum.a.b runs kosum.a's __init__ too
                if ".".join(parts[:i]) not in seen:
                    seen.add(".".join(parts[:i]))
                    todo.append(".".join(parts[:i]))
    return frozenset(seen)


def script_modules(script: Path) -> set[str]:
    """Every kosum module the stage script runs."""
    modules = set()
    for imported in _imports(script):
        modules |= _closure(imported)
    return modules


def script_deps(script: Path) -> set[str]:
    """The `src/kosum/<subpackage>` paths of the modules `script` runs (kosum/__init__.py runs with any of them)."""
    return {f"src/kosum/{m.split('.')[1]}" for m in script_modules(script) if m.count(".") >= 1}
