"""Every stage in `dvc.yaml` depends on exactly the `src/kosum` code its script runs.

Why: DVC re-runs a stage only when a declared dependency changes. A module the script imports but `dvc.yaml` omits
leaves a stale cached result after an edit; one declared but never imported re-runs the stage for nothing.
"""

import ast
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"


def _kosum_imports(path: Path) -> set[str]:
    """Dotted names of the kosum modules one file imports (`from kosum import x` counts as `kosum.x`)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("kosum.")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "kosum":
            if node.module == "kosum":
                found |= {f"kosum.{a.name}" for a in node.names}
            else:
                found.add(node.module)
    return found


def _dependency(module: str) -> Path:
    """The file or package folder that `dvc.yaml` lists for a module: a subpackage is listed as its folder."""
    parts = module.split(".")
    for depth in range(2, len(parts) + 1):  # the outermost subpackage of kosum, if the module sits in one
        folder = SRC.joinpath(*parts[:depth])
        if folder.is_dir():
            return folder
    return SRC.joinpath(*parts).with_suffix(".py")


def _code_deps(script: Path) -> set[str]:
    """`src/kosum` files and folders a stage script runs, following imports transitively."""
    deps, todo, seen = set(), [script], set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for module in _kosum_imports(path):
            dep = _dependency(module)
            deps.add(dep.relative_to(ROOT).as_posix())
            todo.extend(sorted(dep.rglob("*.py")) if dep.is_dir() else [dep])
    return deps


def _stages() -> list[tuple[str, dict]]:
    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text(encoding="utf-8"))["stages"]
    return [(name, stage.get("do", stage)) for name, stage in stages.items()]


@pytest.mark.parametrize(("name", "stage"), _stages(), ids=[name for name, _ in _stages()])
def test_stage_depends_on_exactly_the_code_it_imports(name, stage):
    script = stage["cmd"].split()[1]
    declared = {d for d in stage["deps"] if d.startswith("src/")}
    assert script in stage["deps"], f"{name}: its own script {script} is not a dependency"
    assert declared == _code_deps(ROOT / script), f"{name}: dvc.yaml deps differ from the imports"
