"""`incplan rules`: every lint rule with its code, name, default severity and description."""

from __future__ import annotations

import sys

import typer

from incplan.cli.output import choose


def rules(
    format: str = typer.Option("text", "--format", "-f", metavar="text|json|markdown", help="Output format."),
) -> None:
    """List every lint rule: code, name, default severity, what it finds."""
    from incplan.lint.registry import all_rules

    choose("format", format, ["text", "json", "markdown"])
    listed = all_rules()
    if format == "json":
        import json

        rows = [
            {"code": r.code, "name": r.name, "severity": r.severity.value, "description": r.summary} for r in listed
        ]
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
    elif format == "markdown":
        sys.stdout.write("| code | name | severity | description |\n|---|---|---|---|\n")
        for r in listed:
            sys.stdout.write(f"| {r.code} | `{r.name}` | {r.severity.value} | {r.summary} |\n")
    else:
        width = max(len(r.name) for r in listed)
        for r in listed:
            sys.stdout.write(f"{r.code}  {r.name:<{width}}  {r.severity.value:<7}  {r.summary}\n")
