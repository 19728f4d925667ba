"""`incplan check` without Typer: options in, exit code out. The Typer command (`cli/check.py`)
and the fast path (`cli/fast.py`) both call `run`, so they cannot drift apart."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

from incplan.cli.reporting import REPORTER_BY_NAME, Summary, reporter
from incplan.diagnostics import UsageError

if TYPE_CHECKING:
    from incplan.lint.runner import FileReport

PROGRESS_FROM = 50  # files; a bar for small runs only flickers


def run(paths: list[str], *, format: str, strict: bool, ignore: list[str], plans_only: bool) -> int:
    """Lint, report on stdout, and return the exit code (1: problems); `UsageError` for bad input."""
    from incplan.lint.runner import lint_paths

    reporter(REPORTER_BY_NAME, format)  # an unknown format is an error before anything is linted
    if not paths:  # the plan every other command would use, never every YAML file around it
        from incplan.plan.discover import plan_files

        paths = [str(found) for found in plan_files()]
    from incplan.lint import backstop

    try:
        total, reports = lint_paths(paths, ignore=ignore, plans_only=plans_only, cache=True, supervise=True)
    except backstop.Finished as finished:
        return finished.code  # a child held to a CPU limit linted and reported
    if not backstop.in_child():
        return _report(total, reports, format=format, strict=strict)
    try:
        code = _report(total, reports, format=format, strict=strict)
    except BaseException as exc:  # the child never returns into the caller's code
        backstop.leave(exc)
    backstop.leave(code)


def _report(total: int, reports: Iterator[FileReport], *, format: str, strict: bool) -> int:
    write = reporter(REPORTER_BY_NAME, format)
    if total == 0:
        raise UsageError("no plan files found", hint="give a plan file, or a folder with *.yaml plans")
    summary = Summary()
    if format == "text" and total >= PROGRESS_FROM and sys.stderr.isatty() and sys.stdout.isatty():
        from rich.progress import Progress

        from incplan.cli.reporting import console

        with Progress(console=console(sys.stderr), transient=True) as progress:
            task = progress.add_task("checking", total=total)
            for report in reports:
                summary.add(report)
                progress.advance(task)
    else:
        for report in reports:
            summary.add(report)
    write(summary, sys.stdout)
    return 1 if summary.errors or (strict and summary.warnings) else 0
