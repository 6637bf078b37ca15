"""The Dockerfile installs the project with `pip install .`: the main dependencies only, not
the test extra. Every package the desk imports when a module loads must therefore come from
the main dependencies (or what they require), never only from the test extra, which once
pulled in numpy and scipy through scikit-learn and hid that claim matching needs them: the
container would not have started. Imports inside functions may use the optional extras
(the embeddings, behind `embeddings_available()`)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, packages_distributions, requires
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUNTIME = ["claims", "api", "public", "factcheck"]


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~;\[(]", requirement.strip(), maxsplit=1)[0].lower().replace(
        "_", "-")


def _closure(roots: list[str]) -> set[str]:
    """The distributions `roots` install, with what they require (markers for extras left
    out: an extra of a dependency is not installed unless asked for)."""
    seen: set[str] = set()
    todo = [_name(r) for r in roots]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            needs = requires(name) or []
        except PackageNotFoundError:
            continue
        todo += [_name(r) for r in needs if "extra ==" not in r]
    return seen


def _module_level_imports(path: Path) -> set[str]:
    """Top-level names imported when the module loads (not inside a function)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()

    def visit(node, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if not inner and isinstance(child, ast.Import):
                names.update(alias.name.split(".")[0] for alias in child.names)
            elif not inner and isinstance(child, ast.ImportFrom) and child.level == 0:
                names.add(child.module.split(".")[0])
            visit(child, inner)

    visit(tree, False)
    return names


def test_modules_import_only_what_the_main_dependencies_install():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    installed = _closure(project["dependencies"])
    provided_by = packages_distributions()
    local = set(RUNTIME) | {"tests", "benchmarks", "loadtest"}
    missing = []
    for package in RUNTIME:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for name in _module_level_imports(path):
                if name in local or name in sys.stdlib_module_names or name == "__future__":
                    continue
                dists = {_name(d) for d in provided_by.get(name, [])}
                if not dists & installed:
                    missing.append(f"{path.relative_to(ROOT)} imports {name} "
                                   f"(from {', '.join(sorted(dists)) or 'nothing installed'})")
    assert not missing, "\n".join(missing)


def test_the_check_sees_a_test_only_package():
    """scikit-learn is in the test extra only: a module importing it at load time fails."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    installed = _closure(project["dependencies"])
    assert "scikit-learn" not in installed and "pytest" not in installed
    assert {"numpy", "scipy", "django", "celery"} <= installed
