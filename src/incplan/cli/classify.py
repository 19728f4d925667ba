"""`incplan classify`: is this an incident, and how severe? Then the playbook."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import typer

from incplan.cli.output import console, handled

if TYPE_CHECKING:
    from incplan.plan.models import Criterion


def classify(
    yes: list[str] = typer.Option([], "--yes", "-y", metavar="ID", help="Answer yes to a criterion; repeatable."),
    no: list[str] = typer.Option([], "--no", "-n", metavar="ID", help="Answer no to a criterion; repeatable."),
    plan: str = typer.Option(None, "--plan", "-p", metavar="PATH", help="Plan file (default: discovered)."),
) -> None:
    """Ask the plan's criteria in order (or take --yes/--no); print the severity and its playbook."""
    from rich.text import Text

    with handled():
        from incplan.cli.show import print_playbook
        from incplan.plan.discover import find_plan, load_for_use
        from incplan.playbook import classify as decide
        from incplan.playbook import playbook

        loaded, _ = load_for_use(find_plan(plan))
        ask = _ask if sys.stdin.isatty() else None
        result = decide(loaded, yes, no, ask)
        out = console(soft_wrap=False)
        if result.severity is None:
            out.print(Text("Not an incident.", style="bold green"))
            out.print(Text(f"An incident is: {loaded.definition.incident}"))
            if loaded.definition.not_incident:
                out.print(Text("These are not incidents:"))
                for item in loaded.definition.not_incident:
                    out.print(Text(f"  • {item}"))
            out.print(Text("If that changes, run `incplan classify` again.", style="dim"))
            return
        assert result.decided_by is not None
        out.print(Text(f"Incident: {result.severity} (yes to: {result.decided_by.question})", style="bold red"))
        print_playbook(playbook(loaded, result.severity), out)


def _ask(criterion: Criterion) -> bool:
    return bool(typer.confirm(criterion.question, default=False))
