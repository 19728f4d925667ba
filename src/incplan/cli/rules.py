"""`incplan rules`: every lint rule with its code, name, default severity and description, as
the declarations say (`lint.registry.RULES`)."""

from __future__ import annotations

import sys

import typer

from incplan.cli.output import choose


def rules(
    format: str = typer.Option("text", "--format", "-f", metavar="text|json|markdown", help="Output format."),
) -> None:
    """List every lint rule: code, name, default severity, what it finds."""
    from incplan.lint.registry import RULES

    choose("format", format, ["text", "json", "markdown"])
    if format == "json":
        import json

        rows = [
            {
                "code": r.code,
                "name": r.name,
                "aliases": list(r.aliases),
                "severity": r.severity.value,
                "description": r.summary,
            }
            for r in RULES
        ]
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
    elif format == "markdown":
        sys.stdout.write("| code | name | severity | description |\n|---|---|---|---|\n")
        for r in RULES:
            also = "".join(f" (also `{a}`)" for a in r.aliases)
            sys.stdout.write(f"| {r.code} | `{r.name}`{also} | {r.severity.value} | {r.summary} |\n")
    else:
        width = max(len(r.name) for r in RULES)
        for r in RULES:
            also = "".join(f" (also `{a}`)" for a in r.aliases)
            sys.stdout.write(f"{r.code}  {r.name:<{width}}  {r.severity.value:<7}  {r.summary}{also}\n")
