"""`incplan diff`: what a plan change means, for reviewers and pull-request comments."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from incplan.cli.output import choose, handled

FORMATS = ["text", "markdown", "json"]
FAIL_ON = ["never", "risky"]


def diff(
    base: str = typer.Argument(None, help="Git revision or plan file (default: merge base with the default branch)."),
    head: str = typer.Argument(None, help="Git revision or plan file (default: the plan in the working tree)."),
    format: str = typer.Option("text", "--format", "-f", metavar="text|markdown|json", help="Output format."),
    fail_on: str = typer.Option(
        "never",
        "--fail-on",
        metavar="never|risky",
        help="Exit 1 on a changed credential destination or customer delivery.",
    ),
    plan: str = typer.Option(None, "--plan", "-p", metavar="PATH", help="Plan file (default: discovered)."),
) -> None:
    """Compare two versions of the plan by meaning: cadence, roles, people, channels, messages."""
    choose("format", format, FORMATS)
    choose("--fail-on value", fail_on, FAIL_ON)
    with handled():
        from incplan.plan.discover import find_plan
        from incplan.review.diff import diff_plans
        from incplan.review.report import markdown, text
        from incplan.review.sides import open_sides

        sides = open_sides(base, head, lambda: find_plan(plan), Path())
        result = diff_plans(sides.base, sides.head)
        if format == "json":
            rendered = json.dumps(result.as_json(), indent=2, ensure_ascii=False) + "\n"
        else:
            rendered = markdown(result) if format == "markdown" else text(result)
        sys.stdout.write(rendered)
    for side in (sides.base, sides.head):
        if side.problem:
            sys.stderr.write(f"error: {side.problem}\n  hint: `incplan check` on that version lists its problems\n")
    if sides.head.problem:
        raise typer.Exit(1)
    if fail_on == "risky" and result.risks:
        raise typer.Exit(1)
