"""`incplan incident watch [ID]`: a live full-screen board for the responder's terminal."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager, suppress
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import typer

from incplan.cli.common import PLAN, READER_LOCALE, load_usable
from incplan.cli.output import fail, handled
from incplan.diagnostics import UsageError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from rich.console import Group, RenderableType

    from incplan.incidents.board import Board
    from incplan.plan.models import Plan

# Colours by urgency; plan text is always rich `Text`, never markup.
STYLES = {"ok": "green", "soon": "bold dark_orange", "overdue": "bold red", "none": "dim"}


def watch(
    incident_id: str = typer.Argument(None, metavar="[ID]", help="One incident (default: every open one)."),
    locale: str = READER_LOCALE,
    plan: str = PLAN,
    interval: float = typer.Option(1.0, "--interval", hidden=True, help="Seconds between refreshes."),
) -> None:
    """Live board of open incidents: stage, severity, roles, last customer update, countdown to
    the next (amber within 5 minutes, red and a bell when overdue). q or Ctrl-C quits."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise fail(
            UsageError(
                "`incident watch` needs a terminal",
                hint="use `incplan incident status` (or `incplan incident status --format json` in scripts)",
            )
        )
    with handled():
        from incplan import needs
        from incplan.incidents.board import board
        from incplan.wording import reader_locale

        usable, plan_path = load_usable(plan)
        loaded = usable.plan
        reader = reader_locale(loaded, locale)
        clock = _clock()
        board(loaded, plan_path, clock(0), incident_id)  # an unknown id or a broken plan: fail now
        needs.watching(usable, plan_path, clock(0), incident_id)
    with suppress(KeyboardInterrupt):  # Ctrl-C quits, as `q` does
        _run(loaded, plan_path, incident_id, clock, max(interval, 0.05), reader)


def _clock() -> Callable[[int], datetime]:
    """now(tick): the system clock, or INCPLAN_NOW; `INCPLAN_CLOCK_STEP` (seconds) moves a fixed
    INCPLAN_NOW on by that much at every refresh, so a test sees minutes pass in a second."""
    from incplan import clock

    if not os.environ.get("INCPLAN_NOW"):
        return lambda _tick: clock.now()
    start = clock.now()
    try:
        step = float(os.environ.get("INCPLAN_CLOCK_STEP") or 0)
    except ValueError:
        step = 0.0
    return lambda tick: start + timedelta(seconds=step * tick)


def _run(
    plan: Plan,
    plan_path: Path,
    incident_id: str | None,
    clock: Callable[[int], datetime],
    interval: float,
    locale: str,
) -> None:
    from rich.live import Live

    from incplan.cli.output import console
    from incplan.incidents.board import Board, board

    out = console(sys.stdout, screen=True)  # NO_COLOR takes the colours, not the board
    belled: set[tuple[str, datetime]] = set()
    tick = 0
    with _keys() as key, Live(console=out, screen=True, auto_refresh=False, redirect_stdout=False) as live:
        while True:
            now = clock(tick)
            try:
                current = board(plan, plan_path, now, incident_id, locale)
            except UsageError as error:  # e.g. the record went away in a checkout
                current = Board(now, problems=[error.message])
            live.update(_screen(current, plan, incident_id, locale), refresh=True)
            fresh = [due for due in current.overdue if due not in belled]
            if fresh:
                belled.update(fresh)
                out.bell()
            if key(interval) in ("q", "Q", "\x03"):
                return
            tick += 1


@contextmanager
def _keys() -> Iterator[Callable[[float], str]]:
    """read(timeout) -> the key pressed within `timeout` seconds, or "". The terminal is in
    cbreak mode meanwhile (keys arrive unbuffered, unechoed; Ctrl-C is a key like `q`)."""
    import select
    import termios
    import tty

    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    tty.setcbreak(fd)
    # Ctrl-C arrives as a key, read between refreshes: a SIGINT in the middle of a redraw or of
    # restoring the terminal could leave the screen half torn down (seen as a hang under load).
    mode = termios.tcgetattr(fd)
    mode[3] &= ~termios.ISIG
    termios.tcsetattr(fd, termios.TCSANOW, mode)

    def read(timeout: float) -> str:
        ready, _, _ = select.select([fd], [], [], timeout)
        return os.read(fd, 1).decode("utf-8", "replace") if ready else ""

    try:
        yield read
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def _screen(current: Board, plan: Plan, incident_id: str | None, locale: str) -> Group:
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from incplan.wording import span, words

    w = words(locale)
    tz = plan.organization.timezone
    head = Text(f"{plan.organization.name}: ", style="bold")
    head.append(Text(w["watch.one"].format(id=incident_id) if incident_id else w["watch.open"], style="bold"))
    from incplan.localize import zone

    local = current.now.astimezone(zone(tz))
    head.append(Text(f"  {local:%Y-%m-%d %H:%M:%S %Z}  ·  {w['watch.quit']}", style="dim"))
    parts: list[RenderableType] = [head]
    if not current.rows and not current.problems:
        parts.append(Text("\n" + w["watch.empty"], style="green"))
    if current.rows:
        table = Table(expand=True, show_lines=True)
        table.add_column(w["watch.incident"], ratio=4)
        table.add_column(w["watch.stage"], ratio=3)
        table.add_column(w["watch.roles"], ratio=4)
        table.add_column(w["watch.last"], no_wrap=True, min_width=11)
        table.add_column(w["watch.next"], no_wrap=True, min_width=18)
        for row in current.rows:
            style = STYLES[row.urgency]
            incident = Text(row.id, style="bold", overflow="fold")
            incident.append(Text("\n" + row.title))
            if row.last_update_ago is not None:
                last = Text(w["status.ago"].format(span=span(row.last_update_ago, locale)))
            else:
                last = Text(w["status.none_yet"])
            if row.next_due is None or row.due_in is None:
                due = Text(w["status.resolved"] if not row.open else w["watch.no_cadence"], style=style)
            elif row.urgency == "overdue":
                due = Text(w["status.overdue"].format(span=span(-row.due_in, locale)), style=style)
                due.append(Text("\n" + w["watch.was_due"].format(time=_clock_time(row.next_due, current.now, tz))))
            else:
                due = Text(w["status.in"].format(span=span(row.due_in, locale)), style=style)
                due.append(Text("\n" + w["watch.due"].format(time=_clock_time(row.next_due, current.now, tz))))
            roles = Text("\n".join(f"{name}: {people}" for name, people in row.roles) or w["watch.nobody"])
            since = w["watch.for"].format(stage=row.stage_name, span=span(row.stage_since, locale))
            stage = Text(f"{since}\n{row.severity} {row.severity_name}".strip())
            table.add_row(incident, stage, roles, last, due)
        parts.append(table)
    for problem in current.problems:
        parts.append(Text(f"warning: {problem}", style="yellow"))
    return Group(*parts)


def _clock_time(moment: datetime, now: datetime, tz: str) -> str:
    """`10:39 CET` today, the full date and time on another day."""
    from incplan.localize import format_time, zone

    here = zone(tz)
    local = moment.astimezone(here)
    return f"{local:%H:%M %Z}" if local.date() == now.astimezone(here).date() else format_time(moment, tz)
