"""`incplan maintenance schedule|update`: scheduled maintenance, told to customers like an incident."""

from __future__ import annotations

import sys

import typer

from incplan.cli.incident import AT, PLAN, load, next_notify, record_file, when
from incplan.cli.output import handled

app = typer.Typer(
    help="Scheduled maintenance: schedule it, then move it through its stages.",
    no_args_is_help=True,
    add_completion=False,
)


@app.command("schedule")
def schedule(
    title: str = typer.Option(..., "--title", "-t", help="What will be done, in a few words."),
    start: str = typer.Option(..., "--start", metavar="TIME", help="When the work starts (ISO 8601, offset optional)."),
    end: str = typer.Option(..., "--end", metavar="TIME", help="When it should be finished."),
    component: list[str] = typer.Option([], "--component", metavar="ID", help="A component it touches; repeatable."),
    var: list[str] = typer.Option([], "--var", help="NAME=VALUE for a template variable; repeatable."),
    by: str = typer.Option(None, "--by", metavar="@handle", help="Who schedules it."),
    at: str = AT,
    plan: str = PLAN,
) -> None:
    """Record a scheduled maintenance; prints its id and the first message to send."""
    with handled():
        from incplan import clock
        from incplan.incidents.service import schedule_maintenance
        from incplan.templates.compose import parse_assignments

        loaded, plan_path = load(plan)
        tz = loaded.organization.timezone
        now = clock.now(tz)
        path = schedule_maintenance(
            loaded,
            plan_path,
            title=title,
            start=clock.parse_time(start, "--start", timezone=tz, now=now),
            end=clock.parse_time(end, "--end", timezone=tz, now=now),
            at=when(at, loaded),
            components=list(dict.fromkeys(component)),
            variables=parse_assignments(var),
            by=by,
        )
        hint = next_notify(loaded, plan_path, path.stem, plan)
    sys.stdout.write(f"scheduled {path.stem} ({path})\nnext: {hint}\n")


@app.command("update")
def update(
    maintenance_id: str = typer.Argument(..., metavar="ID"),
    stage: str = typer.Option(None, "--stage", "-s", help="in_progress, verifying or completed (the plan's stages)."),
    note: str = typer.Option(None, "--note", help="An internal note (never published)."),
    by: str = typer.Option(None, "--by", metavar="@handle", help="Who made the change."),
    at: str = AT,
    plan: str = PLAN,
) -> None:
    """Move a maintenance to its next stage (its components follow)."""
    with handled():
        from incplan.incidents.service import update_maintenance

        loaded, plan_path = load(plan)
        path = record_file(loaded, plan_path, maintenance_id)
        record = update_maintenance(loaded, path, at=when(at, loaded), stage=stage, note=note, by=by)
        from incplan.incidents.state import fold

        state = fold(record, loaded)
        hint = next_notify(loaded, plan_path, maintenance_id, plan) if stage else None
    sys.stdout.write(f"{maintenance_id}: {state.stage}\n")
    if hint:
        sys.stdout.write(f"next: {hint}\n")
