"""`incplan check`: lint plans (files or folders) and report in the format CI reads."""

from __future__ import annotations

import typer

from incplan.cli.output import fail, format_option
from incplan.cli.reporting import REPORTER_BY_NAME
from incplan.diagnostics import UsageError


def check(
    paths: list[str] = typer.Argument(
        None,
        help="Plan files or folders (every *.yaml/*.yml below). Default: the plan the other commands use "
        "(INCPLAN_PLAN, else ./incplan.yaml or the YAML files in ./plans/, looking upward to the repository root).",
    ),
    format: str = format_option(REPORTER_BY_NAME),
    strict: bool = typer.Option(False, "--strict", help="Warnings fail too (exit 1)."),
    ignore: list[str] = typer.Option([], "--ignore", metavar="RULE", help="Skip a rule (code or name); repeatable."),
    plans_only: bool = typer.Option(
        False, "--plans-only", help="Skip YAML files that are not plans (for hooks given every YAML file)."
    ),
) -> None:
    """Lint plans: every problem with FILE:LINE:COL, its rule and a hint."""
    from incplan.cli.check_run import run

    try:
        code = run(paths or [], format=format, strict=strict, ignore=ignore, plans_only=plans_only)
    except UsageError as error:
        raise fail(error) from None
    if code:
        raise typer.Exit(code)
