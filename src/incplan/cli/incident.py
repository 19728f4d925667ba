"""`incplan incident open|update|assign|status|list`: progress tracking in incident records."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from incplan.cli.output import handled

if TYPE_CHECKING:
    from incplan.incidents.service import Status
    from incplan.plan.models import Plan

app = typer.Typer(
    help="Track incidents: open, update, assign, status, list.", no_args_is_help=True, add_completion=False
)

PLAN = typer.Option(None, "--plan", "-p", metavar="PATH", help="Plan file (default: discovered).")
AT = typer.Option(None, "--at", metavar="TIME", help="When it happened (ISO 8601 with offset; default now).")


def load(plan_option: str | None) -> tuple[Plan, Path]:
    from incplan.lint.usable import load_for_use
    from incplan.plan.discover import find_plan

    path = find_plan(plan_option)
    plan, _ = load_for_use(path)
    return plan, path


def when(at: str | None) -> datetime:
    from incplan import clock

    return clock.parse_time(at, "--at") if at else clock.now()


def record_file(plan: Plan, plan_path: Path, incident_id: str) -> Path:
    from incplan.incidents.store import incidents_dir, record_path

    return record_path(incidents_dir(plan, plan_path), incident_id)


@app.command("open")
def open_(
    title: str = typer.Option(..., "--title", "-t", help="What is happening, in a few words."),
    severity: str = typer.Option(..., "--severity", help="Severity id (see `incplan show severities`)."),
    stage: str = typer.Option(None, "--stage", help="Starting stage (default: the plan's first)."),
    var: list[str] = typer.Option([], "--var", help="NAME=VALUE for a template variable; repeatable."),
    role: list[str] = typer.Option([], "--role", metavar="ROLE=@handle", help="Assign a role; repeatable."),
    by: str = typer.Option(None, "--by", metavar="@handle", help="Who opens it."),
    at: str = AT,
    plan: str = PLAN,
) -> None:
    """Open an incident record; prints its id and the first message to send."""
    with handled():
        from incplan.incidents.service import open_incident, parse_roles
        from incplan.templates.compose import parse_assignments

        loaded, plan_path = load(plan)
        path = open_incident(
            loaded,
            plan_path,
            title=title,
            severity=severity,
            stage=stage,
            at=when(at),
            variables=parse_assignments(var),
            roles=parse_roles(role),
            by=by,
        )
    incident_id = path.stem
    sys.stdout.write(f"opened {incident_id} ({path})\nnext: incplan notify --incident {incident_id} --posted\n")


@app.command("update")
def update(
    incident_id: str = typer.Argument(..., metavar="ID"),
    stage: str = typer.Option(None, "--stage", help="New stage."),
    severity: str = typer.Option(None, "--severity", help="New severity."),
    var: list[str] = typer.Option([], "--var", help="NAME=VALUE; repeatable."),
    note: str = typer.Option(None, "--note", help="A line for the timeline."),
    by: str = typer.Option(None, "--by", metavar="@handle", help="Who made the change."),
    at: str = AT,
    plan: str = PLAN,
) -> None:
    """Change the stage or severity, set variables, or add a note."""
    with handled():
        from incplan.incidents.service import update_incident
        from incplan.incidents.state import fold
        from incplan.templates.compose import parse_assignments

        loaded, plan_path = load(plan)
        record = update_incident(
            loaded,
            record_file(loaded, plan_path, incident_id),
            at=when(at),
            stage=stage,
            severity=severity,
            variables=parse_assignments(var),
            note=note,
            by=by,
        )
        state = fold(record, loaded)
    sys.stdout.write(f"{incident_id}: {state.stage}, {state.severity}\n")
    if stage:
        sys.stdout.write(f"next: incplan notify --incident {incident_id} --posted\n")


@app.command("assign")
def assign(
    incident_id: str = typer.Argument(..., metavar="ID"),
    role: str = typer.Argument(..., help="Role id, e.g. communications_lead."),
    person: str = typer.Argument(..., metavar="@HANDLE"),
    at: str = AT,
    plan: str = PLAN,
) -> None:
    """Give a role to a person for this incident."""
    with handled():
        from incplan.incidents.service import assign as do_assign

        loaded, plan_path = load(plan)
        do_assign(loaded, record_file(loaded, plan_path, incident_id), role=role, person=person, at=when(at))
        name = loaded.roles[role].name
    sys.stdout.write(f"{incident_id}: {name} is {person}\n")


@app.command("status")
def status(
    incident_id: str = typer.Argument(None, metavar="[ID]", help="One incident (default: every open one)."),
    format: str = typer.Option("text", "--format", "-f", metavar="text|json", help="Output format."),
    plan: str = PLAN,
) -> None:
    """Stage, severity, elapsed time, roles, last customer update, next update due or OVERDUE."""
    from incplan.cli.output import choose

    choose("format", format, ["text", "json"])
    with handled():
        from incplan import clock
        from incplan.incidents.service import status_of, statuses

        loaded, plan_path = load(plan)
        now = clock.now()
        damaged: list[Any] = []
        if incident_id:
            found = [status_of(loaded, record_file(loaded, plan_path, incident_id), now)]
        else:
            found, damaged = statuses(loaded, plan_path, now, include_closed=False)
    warn_damaged(damaged)
    if format == "json":
        import json

        sys.stdout.write(json.dumps([_status_json(s, loaded) for s in found], indent=2, ensure_ascii=False) + "\n")
        return
    if not found:
        sys.stdout.write("no open incidents\n")
        return
    for i, item in enumerate(found):
        if i:
            sys.stdout.write("\n")
        _print_status(item, loaded)


@app.command("list")
def list_(
    all_: bool = typer.Option(False, "--all", "-a", help="Resolved incidents too."),
    plan: str = PLAN,
) -> None:
    """List open (or all) incidents."""
    with handled():
        from incplan import clock
        from incplan.incidents.service import statuses

        loaded, plan_path = load(plan)
        found, damaged = statuses(loaded, plan_path, clock.now(), include_closed=all_)
    warn_damaged(damaged)
    if not found:
        sys.stdout.write("no open incidents\n" if not all_ else "no incidents\n")
        return
    tz = loaded.organization.timezone
    from incplan.templates.engine import format_time

    width = max(len(s.state.id) for s in found)
    for s in found:
        state = s.state
        where = "resolved" if not state.open else state.stage
        sys.stdout.write(
            f"{state.id:<{width}}  {state.severity:<5} {where:<14} {format_time(state.opened_at, tz)}  {state.title}\n"
        )


def warn_damaged(damaged: list[Any]) -> None:
    for problem in damaged:
        sys.stderr.write(f"warning: {problem.message}\n")


def elapsed(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}h{minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d{hours}h"


def _print_status(item: Status, plan: Plan) -> None:
    from rich.text import Text

    from incplan.cli.output import console
    from incplan.playbook import person_line
    from incplan.templates.engine import format_time

    out = console()
    tz = plan.organization.timezone
    state, cad, now = item.state, item.cadence, item.now
    stage = plan.stages.get(state.stage)
    sev = plan.severities.get(state.severity)
    since = state.stages[-1][1]
    out.print(Text(f"{state.id}  {state.title}", style="bold"))
    rows: list[tuple[str, Any]] = [
        ("stage", f"{stage.name if stage else state.stage} (since {format_time(since, tz)}, {elapsed(now - since)})"),
        ("severity", f"{state.severity} {sev.name if sev else ''}".strip()),
        (
            "opened",
            f"{format_time(state.opened_at, tz)} ({_age(state, now)})",
        ),
    ]
    if cad.updates:
        last = cad.updates[-1]
        rows.append(("last customer update", f"{format_time(last, tz)} ({elapsed(now - last)} ago)"))
    else:
        rows.append(("last customer update", "none yet"))
    if not state.open:
        rows.append(("resolved", format_time(state.resolved_at, tz) if state.resolved_at else ""))
    elif cad.next_due is None:
        rows.append(("next update due", "no cadence for this severity and stage"))
    elif item.overdue_by is not None:
        rows.append(
            (
                "next update due",
                Text(f"{format_time(cad.next_due, tz)}: OVERDUE by {elapsed(item.overdue_by)}", style="bold red"),
            )
        )
    else:
        rows.append(("next update due", f"{format_time(cad.next_due, tz)} (in {elapsed(cad.next_due - now)})"))
    for role_id, handles in state.roles.items():
        role = plan.roles.get(role_id)
        names = ", ".join(person_line(plan, h).name for h in handles)
        rows.append((role.name if role else role_id, names))
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        line = Text(f"  {label:<{width}}  ")
        line.append(value if isinstance(value, Text) else Text(str(value)))
        out.print(line)


def _age(state: Any, now: datetime) -> str:
    if state.resolved_at:
        return f"{elapsed(state.resolved_at - state.opened_at)} to resolve"
    return f"{elapsed(now - state.opened_at)} ago"


def _status_json(item: Status, plan: Plan) -> dict[str, Any]:
    state, cad = item.state, item.cadence
    return {
        "id": state.id,
        "title": state.title,
        "stage": state.stage,
        "severity": state.severity,
        "open": state.open,
        "opened_at": state.opened_at.isoformat(),
        "resolved_at": state.resolved_at.isoformat() if state.resolved_at else None,
        "last_customer_update": cad.updates[-1].isoformat() if cad.updates else None,
        "next_update_due": cad.next_due.isoformat() if cad.next_due and state.open else None,
        "overdue_by_s": int(item.overdue_by.total_seconds()) if item.overdue_by is not None else None,
        "roles": state.roles,
    }
