"""`incplan check`: lint plans (files or folders) and report in the format CI reads."""

from __future__ import annotations

import sys

import typer

from incplan.cli.output import REPORTER_BY_NAME, Summary, choose, fail
from incplan.diagnostics import UsageError

PROGRESS_FROM = 50  # files; a bar for small runs only flickers


def check(
    paths: list[str] = typer.Argument(None, help="Plan files or folders (default: the current folder)."),
    format: str = typer.Option("text", "--format", "-f", metavar="text|json|github|sarif", help="Output format."),
    strict: bool = typer.Option(False, "--strict", help="Warnings fail too (exit 1)."),
    ignore: list[str] = typer.Option([], "--ignore", metavar="RULE", help="Skip a rule (code or name); repeatable."),
    plans_only: bool = typer.Option(
        False, "--plans-only", help="Skip YAML files that are not plans (for hooks given every YAML file)."
    ),
) -> None:
    """Lint plans: every problem with FILE:LINE:COL, its rule and a hint."""
    from incplan.lint.runner import lint_paths

    choose("format", format, list(REPORTER_BY_NAME))
    try:
        total, reports = lint_paths(paths or ["."], ignore=ignore, plans_only=plans_only)
    except UsageError as error:
        raise fail(error) from None
    if total == 0:
        raise fail(UsageError("no plan files found", hint="give a plan file, or a folder with *.yaml plans"))
    summary = Summary()
    if format == "text" and total >= PROGRESS_FROM and sys.stderr.isatty() and sys.stdout.isatty():
        from rich.progress import Progress

        from incplan.cli.output import console

        with Progress(console=console(sys.stderr), transient=True) as progress:
            task = progress.add_task("checking", total=total)
            for report in reports:
                summary.add(report)
                progress.advance(task)
    else:
        for report in reports:
            summary.add(report)
    REPORTER_BY_NAME[format](summary, sys.stdout)
    if summary.errors or (strict and summary.warnings):
        raise typer.Exit(1)
