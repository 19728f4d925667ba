"""`incplan schema`: the plan's JSON Schema for editors and other validators."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from incplan.cli.output import handled


def schema(
    output: str = typer.Option(
        "-", "--output", "-o", metavar="FILE", help="Write the schema to FILE (`-`: standard output)."
    ),
) -> None:
    """Print the plan's JSON Schema (draft-07 compatible) for editor validation and completion."""
    from incplan.plan.schema import schema_text

    text = schema_text()
    if output == "-":
        sys.stdout.write(text)
        return
    with handled():
        Path(output).write_text(text, encoding="utf-8")
