"""`incplan classify`: is this an incident, and how severe? Then the playbook."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from incplan.cli.output import console, handled

if TYPE_CHECKING:
    from incplan.plan.models import Criterion


def classify(
    yes: list[str] = typer.Option([], "--yes", "-y", metavar="ID", help="Answer yes to a criterion; repeatable."),
    no: list[str] = typer.Option([], "--no", "-n", metavar="ID", help="Answer no to a criterion; repeatable."),
    format: str = typer.Option("text", "--format", "-f", metavar="text|json", help="Output format."),
    locale: str = typer.Option(None, "--locale", "-l", help="Language of names and texts (default: the plan's first)."),
    plan: str = typer.Option(None, "--plan", "-p", metavar="PATH", help="Plan file or folder (default: discovered)."),
) -> None:
    """Ask the plan's criteria in order (or take --yes/--no); print the severity and its playbook."""
    with handled():
        from incplan import needs
        from incplan.cli.incident import load_usable
        from incplan.cli.output import choose
        from incplan.cli.show import print_playbook, say
        from incplan.plan.names import in_locale
        from incplan.playbook import classify as decide
        from incplan.playbook import playbook

        choose("format", format, ["text", "json"])
        usable, _ = load_usable(plan, records=False)
        needs.classify_answers(usable, [*yes, *no])
        loaded = in_locale(usable.plan, locale)
        result = decide(loaded, yes, no, _ask, reached=usable.criteria_reached())
        if result.severity is None:
            needs.not_an_incident(usable)
        else:
            needs.playbook(usable, result.severity)
        if format == "json":
            import json
            import sys

            from incplan.playbook import playbook_json

            payload = {
                "severity": result.severity,
                "decided_by": result.decided_by.id if result.decided_by else None,
                "answers": {c.id: answer for c, answer in result.answers},
                "playbook": playbook_json(playbook(loaded, result.severity, plan)) if result.severity else None,
                "not_incident": loaded.definition.not_incident if result.severity is None else [],
            }
            sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
            return
        out = console(soft_wrap=False)
        if result.severity is None:
            say(out, "Not an incident.", "bold green")
            say(out, f"An incident is: {loaded.definition.incident}")
            if loaded.definition.not_incident:
                say(out, "These are not incidents:")
                for item in loaded.definition.not_incident:
                    say(out, f"  • {item}")
            say(out, "If that changes, run `incplan classify` again.", "dim")
            return
        assert result.decided_by is not None
        say(out, f"Incident: {result.severity} (yes to: {result.decided_by.question})", "bold red")
        print_playbook(playbook(loaded, result.severity, plan), out)


def _ask(criterion: Criterion) -> bool:
    """Typer's prompt; answers may also be piped (`printf 'n\ny\n' | incplan classify`)."""
    from incplan.diagnostics import UsageError

    try:
        return bool(typer.confirm(f"{criterion.question} [{criterion.id}]", default=False, err=True))
    except typer.Abort:
        raise UsageError(
            f"no answer for `{criterion.id}`: {criterion.question}",
            hint=f"answer the question, or pass --yes {criterion.id} / --no {criterion.id}",
        ) from None
