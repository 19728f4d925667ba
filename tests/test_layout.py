"""One home per idea: the places where a kind of code may live, checked on the sources."""

from __future__ import annotations

import ast
import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "incplan"


def sources() -> dict[str, str]:
    return {path.relative_to(SRC).as_posix(): path.read_text(encoding="utf-8") for path in sorted(SRC.rglob("*.py"))}


def test_jinja_environments_are_built_in_two_places_only() -> None:
    """Our own documents (export, reports, site, init) in `documents.py`; plan templates, which
    are untrusted, only in the sandbox of `templates/engine.py`."""
    built = re.compile(r"\b(?:Environment|Sandbox|SandboxedEnvironment|ImmutableSandboxedEnvironment)\(")
    found = {name for name, text in sources().items() if built.search(text)}
    assert found == {"documents.py", "templates/engine.py"}


def imported(text: str) -> set[str]:
    """The incplan modules a source imports (at the top or inside a function)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return {n for n in names if n.split(".")[0] == "incplan"}


def test_plan_stands_on_diagnostics_alone() -> None:
    """Floors run one way (cli -> lint, templates, incidents... -> plan -> diagnostics): the
    plan's loaders, the loader for use and the reference checks included, never reach up."""
    leaves = ("incplan.plan", "incplan.diagnostics", "incplan.controls", "incplan.localize")
    for name, text in sources().items():
        if name.startswith("plan/"):
            above = {m for m in imported(text) if not m.startswith(leaves)}
            assert not above, f"{name} imports {sorted(above)}"
