"""`incplan roster`: who does what, per person; `--send` tells each person their own part."""

from __future__ import annotations

import sys
from typing import IO, TYPE_CHECKING

import typer

from incplan.cli.output import format_option, handled, pick
from incplan.cli.reporting import write_json

if TYPE_CHECKING:
    from incplan.delivery.base import Job
    from incplan.review.roster import Entry, Roster, Skipped


def report_text(result: Roster, out: IO[str]) -> None:
    from incplan.review.roster import text_report

    out.write(text_report(result))


def report_markdown(result: Roster, out: IO[str]) -> None:
    from incplan.review.roster import markdown_report

    out.write(markdown_report(result))


def report_json(result: Roster, out: IO[str]) -> None:
    write_json(result.as_json(), out)


REPORTER_BY_NAME = {"text": report_text, "markdown": report_markdown, "json": report_json}


def roster(
    handle: str = typer.Argument(None, metavar="[@HANDLE]", help="Only this person."),
    format: str = format_option(REPORTER_BY_NAME),
    send: bool = typer.Option(False, "--send", help="Send each person their own part through --channel."),
    channel: str = typer.Option(
        None, "--channel", "-c", metavar="ID", help="Email, Slack or Teams channel for --send."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="With --send: show the exact requests, send nothing."),
    yes: bool = typer.Option(False, "--yes", "-y", help="With --send: do not ask for confirmation."),
    plan: str = typer.Option(None, "--plan", "-p", metavar="PATH", help="Plan file (default: discovered)."),
) -> None:
    """Per person: roles, responsibilities, the severities that call them in, their backups."""
    report = pick(REPORTER_BY_NAME, format)
    with handled():
        from incplan.diagnostics import UsageError
        from incplan.plan.discover import find_plan
        from incplan.plan.usable import load_for_use
        from incplan.review.roster import build_roster, roster_jobs

        if (channel or dry_run or yes) and not send:
            raise UsageError("--channel, --dry-run and --yes go with --send", hint="add --send to deliver the roster")
        if send and not channel:
            raise UsageError("--send needs --channel ID", hint="name an email, Slack or Teams channel of the plan")
        loaded, _ = load_for_use(find_plan(plan))
        result = build_roster(loaded, handle)
        if send:
            jobs, skipped = roster_jobs(loaded, result, channel)
    if send:
        raise typer.Exit(_send(jobs, skipped, dry_run=dry_run, yes=yes))
    report(result, sys.stdout)


def _send(jobs: list[tuple[Entry, Job]], skipped: list[Skipped], *, dry_run: bool, yes: bool) -> int:
    from incplan.delivery.run import deliver_all
    from incplan.delivery.run import dry_run as show_requests

    for s in skipped:
        sys.stderr.write(f"skipped {s.handle}: {s.reason}\n")
    if not jobs:
        sys.stderr.write("error: nobody to send to\n  hint: give people roles (and email addresses for email)\n")
        return 1
    if dry_run:
        shown = show_requests([job for _, job in jobs])
        for (entry, _), (channel, text, _sendable) in zip(jobs, shown, strict=True):
            sys.stdout.write(f"==> {entry.handle} via {channel} <==\n{text}\n\n")
        return 0 if all(sendable for _, _, sendable in shown) else 2
    if not yes:
        names = ", ".join(entry.handle for entry, _ in jobs)
        try:
            question = (
                f"Send {len(jobs)} roster message{'s' if len(jobs) != 1 else ''} ({names}) via {jobs[0][1].channel}?"
            )
            if not typer.confirm(question, default=False, err=True):
                sys.stderr.write("nothing sent\n")
                return 0
        except typer.Abort:
            sys.stderr.write("error: not sending without confirmation\n  hint: answer the question, or pass --yes\n")
            return 2
    outcomes = deliver_all([job for _, job in jobs])
    from incplan.cli.reporting import outcome_line

    for (entry, _), o in zip(jobs, outcomes, strict=True):
        sys.stdout.write(outcome_line(entry.handle, o.delivered, o.detail, o.error) + "\n")
    failed = [entry.handle for (entry, _), o in zip(jobs, outcomes, strict=True) if not o.delivered]
    if failed:
        sys.stdout.write(f"error: delivery failed for {', '.join(failed)}; the others went out\n")
        return 1
    return 0
