"""`incplan rules`: every lint rule with its code, name, default severity and description, as
the declarations say (`lint.registry.RULES`)."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING

from incplan.cli.output import format_option, pick

if TYPE_CHECKING:
    from incplan.diagnostics import Rule


def _also(r: Rule) -> str:
    return "".join(f" (also `{a}`)" for a in r.aliases)


def report_text(rules: Sequence[Rule], out: IO[str]) -> None:
    width = max(len(r.name) for r in rules)
    for r in rules:
        out.write(f"{r.code}  {r.name:<{width}}  {r.severity.value:<7}  {r.summary}{_also(r)}\n")


def report_json(rules: Sequence[Rule], out: IO[str]) -> None:
    rows = [
        {
            "code": r.code,
            "name": r.name,
            "aliases": list(r.aliases),
            "severity": r.severity.value,
            "description": r.summary,
        }
        for r in rules
    ]
    out.write(json.dumps(rows, indent=2) + "\n")


def report_markdown(rules: Sequence[Rule], out: IO[str]) -> None:
    out.write("| code | name | severity | description |\n|---|---|---|---|\n")
    for r in rules:
        out.write(f"| {r.code} | `{r.name}`{_also(r)} | {r.severity.value} | {r.summary} |\n")


REPORTER_BY_NAME = {"text": report_text, "json": report_json, "markdown": report_markdown}


def rules(format: str = format_option(REPORTER_BY_NAME)) -> None:
    """List every lint rule: code, name, default severity, what it finds."""
    from incplan.lint.registry import RULES

    pick(REPORTER_BY_NAME, format)(RULES, sys.stdout)
