"""`incplan schema`: the plan's JSON Schema for editors and other validators."""

from __future__ import annotations

import typer

from incplan.cli.output import handled


def schema(
    output: str = typer.Option(
        "-", "--output", "-o", metavar="FILE", help="Write the schema to FILE (`-`: standard output)."
    ),
) -> None:
    """Print the plan's JSON Schema (draft-07 compatible) for editor validation and completion."""
    from incplan.atomic import write_output
    from incplan.plan.schema import schema_text

    with handled():
        write_output(output, schema_text())
