"""`incplan diff`: what a plan change means, for reviewers and pull-request comments."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING

import typer

from incplan.cli.output import choose, format_option, handled, pick
from incplan.cli.reporting import write_json

if TYPE_CHECKING:
    from incplan.review.diff import PlanDiff

FAIL_ON = ["never", "risky"]


def report_text(result: PlanDiff, out: IO[str]) -> None:
    from incplan.review.report import text

    out.write(text(result))


def report_markdown(result: PlanDiff, out: IO[str]) -> None:
    from incplan.review.report import markdown

    out.write(markdown(result))


def report_json(result: PlanDiff, out: IO[str]) -> None:
    write_json(result.as_json(), out)


REPORTER_BY_NAME = {"text": report_text, "markdown": report_markdown, "json": report_json}


def diff(
    base: str = typer.Argument(None, help="Git revision or plan file (default: merge base with the default branch)."),
    head: str = typer.Argument(None, help="Git revision or plan file (default: the plan in the working tree)."),
    format: str = format_option(REPORTER_BY_NAME),
    fail_on: str = typer.Option(
        "never",
        "--fail-on",
        metavar="never|risky",
        help="Exit 1 on a changed credential destination or customer delivery.",
    ),
    plan: str = typer.Option(None, "--plan", "-p", metavar="PATH", help="Plan file (default: discovered)."),
) -> None:
    """Compare two versions of the plan by meaning: cadence, roles, people, channels, messages."""
    report = pick(REPORTER_BY_NAME, format)
    choose("--fail-on value", fail_on, FAIL_ON)
    with handled():
        from incplan.plan.discover import find_plan
        from incplan.review.diff import diff_plans
        from incplan.review.sides import open_sides

        sides = open_sides(base, head, lambda: find_plan(plan), Path())
        result = diff_plans(sides.base, sides.head)
        report(result, sys.stdout)
    for side in (sides.base, sides.head):
        if side.problem:
            sys.stderr.write(f"error: {side.problem}\n  hint: `incplan check` on that version lists its problems\n")
    if sides.head.problem:
        raise typer.Exit(1)
    if fail_on == "risky" and result.risks:
        raise typer.Exit(1)
