"""Which plan a command works on."""

from __future__ import annotations

import os
from pathlib import Path

from incplan.diagnostics import Diagnostic, ProblemError, UsageError


class PlanError(ProblemError):
    """The plan has errors: commands other than `check` cannot use it (exit 1)."""

    def __init__(self, file: str, diagnostics: list[Diagnostic]) -> None:
        count = len(diagnostics)
        super().__init__(
            f"the plan `{file}` has {count} error{'s' if count != 1 else ''}; `incplan check {file}` lists them",
            diagnostics,
        )
        self.file = file


def find_plan(explicit: str | Path | None = None, cwd: Path | None = None) -> Path:
    """`--plan`, else `INCPLAN_PLAN`, else ./incplan.yaml, else the one YAML file in ./plans/."""
    cwd = cwd or Path()  # relative: messages then show `incidents/...`, not absolute paths
    tried = []
    if explicit == "-":
        return Path(explicit)  # standard input, read by the loader
    if explicit:
        path = Path(explicit)
        if path.is_file():
            return path
        raise UsageError(f"plan `{explicit}` not found", hint="check the path given to --plan")
    if env := os.environ.get("INCPLAN_PLAN"):
        path = Path(env)
        if path.is_file():
            return path
        raise UsageError(f"plan `{env}` (from INCPLAN_PLAN) not found", hint="fix or unset INCPLAN_PLAN")
    tried.append("--plan")
    tried.append("INCPLAN_PLAN")
    default = cwd / "incplan.yaml"
    if default.is_file():
        return default
    tried.append("./incplan.yaml")
    folder = cwd / "plans"
    if folder.is_dir():
        found = sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
        if len(found) == 1:
            return found[0]
        tried.append(f"./plans/ ({len(found)} YAML files, need exactly one)")
    else:
        tried.append("./plans/")
    raise UsageError(
        "no plan found; tried " + ", ".join(tried),
        hint="pass --plan PATH, set INCPLAN_PLAN, or run `incplan init` to write ./incplan.yaml",
    )
