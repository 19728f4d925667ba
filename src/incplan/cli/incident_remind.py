"""`incplan incident remind`: which customer updates fall due soon; remind internal channels."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO, TYPE_CHECKING

import typer

from incplan.cli.common import PLAN, READER_LOCALE, load_usable, warn_damaged
from incplan.cli.output import format_option, handled, pick
from incplan.cli.reporting import warn, write_json

if TYPE_CHECKING:
    from incplan.incidents.remind import DueUpdate


@dataclass(frozen=True)
class Reminders:
    """The customer updates due within `within` (as typed), at `now`, in the plan's timezone."""

    due: list[DueUpdate]
    now: datetime
    window: timedelta
    within: str
    timezone: str
    locale: str  # the reader's


def report_text(reminders: Reminders, out: IO[str]) -> None:
    from incplan.wording import words

    w = words(reminders.locale)
    if not reminders.due:
        out.write(w("remind.none", within=reminders.within, span=w.span(reminders.window)) + "\n")
        return
    from incplan.localize import format_time

    tz = reminders.timezone
    width = max(len(d.status.state.id) for d in reminders.due)
    for item in reminders.due:
        state = item.status.state
        when = (
            w("remind.overdue", span=w.span(item.overdue_by))
            if item.overdue_by
            else w("remind.in", span=w.span(item.due_in or timedelta(0)))
        )
        line = w("remind.next", time=format_time(item.due_at, tz), when=when)
        out.write(f"{state.id:<{width}}  {state.severity:<5} {line}  {state.title}\n")
        for sent in item.sent:
            if sent.delivered:
                out.write("  " + w("remind.reminded", channel=sent.channel) + "\n")
        for shown in item.shown:
            out.write(f"==> {shown.channel} <==\n{shown.request}\n\n")


def report_json(reminders: Reminders, out: IO[str]) -> None:
    due = [d.as_json() for d in reminders.due]
    write_json({"now": reminders.now.isoformat(), "within_s": int(reminders.window.total_seconds()), "due": due}, out)


REPORTER_BY_NAME = {"text": report_text, "json": report_json}


def remind(
    within: str = typer.Option("5m", "--within", "-w", metavar="DURATION", help="How far ahead to look."),
    send: bool = typer.Option(
        False, "--send", help="Post a reminder to the severity's internal channels with delivery (once per due time)."
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="With --send: show the exact reminder requests; send and record nothing."
    ),
    format: str = format_option(REPORTER_BY_NAME),
    locale: str = READER_LOCALE,
    plan: str = PLAN,
) -> None:
    """List open incidents whose next customer update is due soon or overdue (exit 1 when overdue).

    For a cron job or a scheduled CI workflow, e.g. every minute:
    incplan incident remind --send
    """
    report = pick(REPORTER_BY_NAME, format)
    with handled():
        from incplan import clock, needs
        from incplan.diagnostics import UsageError
        from incplan.incidents.remind import due_updates, send_reminders, show_reminders, window_of
        from incplan.incidents.service import statuses

        if dry_run and not send:
            raise UsageError("--dry-run goes with --send", hint="incplan incident remind --send --dry-run")
        window = window_of(within)
        usable, plan_path = load_usable(plan)
        loaded = usable.plan
        now = clock.now()
        found, damaged = statuses(loaded, plan_path, now, include_closed=False)
        for status in found:
            needs.remind(usable, loaded.for_record(status.state), status.state, send=send)
        due = due_updates(found, window)
        if send:
            due = [(show_reminders if dry_run else send_reminders)(loaded, item) for item in due]
        from incplan.wording import reader_locale

        reader = reader_locale(loaded, locale)
    warn_damaged(damaged)
    failed = [(item, s) for item in due for s in item.sent if not s.delivered]
    blocked = [(item, s) for item in due for s in item.shown if not s.can_send]
    report(Reminders(due, now, window, within, loaded.organization.timezone, reader), sys.stdout)
    from incplan.controls import printable

    for item, sent in failed:  # the error is what a server answered: shown, never obeyed
        line = f"error: reminder for {item.status.state.id} to {sent.channel} failed: {sent.error}"
        sys.stderr.write(printable(line, one_line=True) + "\n")
    for item in due:
        for why in item.unsent:
            warn(f"no reminder for {item.status.state.id}: {why}")
    if blocked:
        names = ", ".join(f"{item.status.state.id} to {shown.channel}" for item, shown in blocked)
        sys.stderr.write(f"error: --send could not remind {names}\n")
        sys.stderr.write(
            "  hint: fix what each `cannot send:` above says (a channel posted by hand needs `delivery:`), "
            "then dry-run again\n"
        )
        raise typer.Exit(2)
    if failed or any(d.overdue_by for d in due):
        raise typer.Exit(1)
