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
    are untrusted, only in the sandbox of `templates/sandbox.py`."""
    built = re.compile(r"\b(?:Environment|Sandbox|SandboxedEnvironment|ImmutableSandboxedEnvironment)\(")
    found = {name for name, text in sources().items() if built.search(text)}
    assert found == {"documents.py", "templates/sandbox.py"}


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


def test_a_command_never_imports_another_command() -> None:
    """What commands share has a home of its own (options and loading, reporters, tables, the
    check runner the fast path shares); a command module importing another's helpers would
    couple two commands (STYLE: "commands importing each other's helpers")."""
    shared = {
        "incplan.cli.output",
        "incplan.cli.reporting",
        "incplan.cli.common",
        "incplan.cli.tables",
        "incplan.cli.check_run",
        "incplan.cli.completion",
    }
    for name, text in sources().items():
        if name.startswith("cli/") and name not in ("cli/app.py", "cli/__init__.py"):
            own = "incplan." + name.removesuffix(".py").replace("/", ".")
            mine = (own, *shared)
            others = {
                m
                for m in imported(text)
                if m.startswith("incplan.cli.") and not any(m == s or m.startswith(f"{s}.") for s in mine)
            }
            assert not others, f"{name} imports {sorted(others)}"
