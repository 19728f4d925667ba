"""`incplan export`: the whole plan as Markdown or one self-contained HTML page."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from incplan.cli.output import format_option, handled, pick
from incplan.export import EXPORT_BY_NAME


def export(
    format: str = format_option(EXPORT_BY_NAME, "markdown", help="Document format."),
    output: Path = typer.Option(None, "--output", "-o", metavar="FILE", help="Write to FILE (`-`: stdout)."),
    locale: str = typer.Option(None, "--locale", "-l", help="Language of names and texts (default: the plan's first)."),
    plan: str = typer.Option(None, "--plan", "-p", metavar="PATH", help="Plan file (default: discovered)."),
) -> None:
    """Export the whole plan as a readable document (the team's wiki page)."""
    render = pick(EXPORT_BY_NAME, format)
    with handled():
        from incplan.plan.discover import find_plan
        from incplan.plan.names import in_locale
        from incplan.plan.usable import load_for_use

        loaded, _ = load_for_use(find_plan(plan))
        text = render(in_locale(loaded, locale), locale)
        if output is not None:
            from incplan.atomic import write_output

            write_output(output, text)
            return
    sys.stdout.write(text)
