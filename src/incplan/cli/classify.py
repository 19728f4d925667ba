"""`incplan classify`: is this an incident, and how severe? Then the playbook."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

import typer

from incplan.cli.output import console, format_option, handled, pick
from incplan.cli.reporting import write_json

if TYPE_CHECKING:
    from incplan.plan.models import Criterion, Plan
    from incplan.playbook import Classification


@dataclass(frozen=True)
class Classified:
    """The verdict, on the plan (in the asked locale) it was reached on."""

    plan: Plan
    result: Classification
    plan_option: str | None
    locale: str  # the plan's words are in it already; incplan's come from `wording`


def report_text(classified: Classified, stream: IO[str]) -> None:
    from incplan.cli.tables import print_playbook, say
    from incplan.playbook import playbook
    from incplan.wording import words

    loaded, result = classified.plan, classified.result
    out = console(stream, soft_wrap=False)
    w = words(classified.locale)
    if result.severity is None:
        say(out, w["classify.not_incident"], "bold green")
        say(out, w("classify.incident_is", definition=loaded.definition.incident))
        if loaded.definition.not_incident:
            say(out, w["classify.these_are_not"])
            for item in loaded.definition.not_incident:
                say(out, f"  • {item}")
        say(out, w["classify.again"], "dim")
        return
    assert result.decided_by is not None
    question = result.decided_by.question
    say(out, w("classify.incident", severity=result.severity, question=question), "bold red")
    print_playbook(playbook(loaded, result.severity, classified.plan_option, w), out, w)


def report_json(classified: Classified, stream: IO[str]) -> None:
    from incplan.playbook import playbook, playbook_json

    loaded, result = classified.plan, classified.result
    book = playbook(loaded, result.severity, classified.plan_option) if result.severity else None
    payload = {
        "severity": result.severity,
        "decided_by": result.decided_by.id if result.decided_by else None,
        "answers": {c.id: answer for c, answer in result.answers},
        "playbook": playbook_json(book) if book else None,
        "not_incident": loaded.definition.not_incident if result.severity is None else [],
    }
    write_json(payload, stream)


REPORTER_BY_NAME = {"text": report_text, "json": report_json}


def classify(
    yes: list[str] = typer.Option([], "--yes", "-y", metavar="ID", help="Answer yes to a criterion; repeatable."),
    no: list[str] = typer.Option([], "--no", "-n", metavar="ID", help="Answer no to a criterion; repeatable."),
    format: str = format_option(REPORTER_BY_NAME),
    locale: str = typer.Option(None, "--locale", "-l", help="Language of names and texts (default: the plan's first)."),
    plan: str = typer.Option(None, "--plan", "-p", metavar="PATH", help="Plan file or folder (default: discovered)."),
) -> None:
    """Ask the plan's criteria in order (or take --yes/--no); print the severity and its playbook."""
    with handled():
        from incplan import needs
        from incplan.cli.common import load_usable
        from incplan.plan.names import in_locale
        from incplan.playbook import classify as decide

        report = pick(REPORTER_BY_NAME, format)
        usable, _ = load_usable(plan, records=False)
        needs.classify_answers(usable, [*yes, *no])
        loaded = in_locale(usable.plan, locale)
        result = decide(loaded, yes, no, _ask, reached=usable.criteria_reached())
        if result.severity is None:
            needs.not_an_incident(usable)
        else:
            needs.playbook(usable, result.severity)
        report(Classified(loaded, result, plan, locale or usable.plan.default_locale), sys.stdout)


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
