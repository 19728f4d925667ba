"""`incplan maintenance schedule|update`: scheduled maintenance, told to customers like an incident."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import typer

from incplan.cli.common import (
    AT,
    BY,
    DONE_BY_NAME,
    FORMAT,
    PLAN,
    VAR,
    VARS,
    Done,
    done_words,
    load_usable,
    next_notify,
    record_file,
    variables_given,
    when,
)
from incplan.cli.output import handled, pick

if TYPE_CHECKING:
    from incplan.json_types import JSONObject

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
    var: list[str] = VAR,
    vars_file: str = VARS,
    by: str = BY,
    at: str = AT,
    format: str = FORMAT,
    plan: str = PLAN,
) -> None:
    """Record a scheduled maintenance; prints its id and the first message to send."""
    report = pick(DONE_BY_NAME, format)
    with handled():
        from incplan import clock, needs
        from incplan.incidents.service import schedule_maintenance

        usable, plan_path = load_usable(plan)
        loaded = usable.plan
        values = variables_given(var, vars_file)
        needs.scheduling(usable, values, component, by)
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
            variables=values,
            by=by,
        )
        hint = next_notify(loaded, plan_path, path.stem, plan)
        w = done_words(loaded)
    data: JSONObject = {"id": path.stem, "path": str(path), "next": hint}
    text = w("done.scheduled", id=path.stem, path=path) + "\n" + w("done.next", command=hint) + "\n"
    report(Done(data, text), sys.stdout)


@app.command("update")
def update(
    maintenance_id: str = typer.Argument(..., metavar="ID"),
    stage: str = typer.Option(None, "--stage", "-s", help="in_progress, verifying or completed (the plan's stages)."),
    title: str = typer.Option(None, "--title", "-t", help="New title (the status page's name follows)."),
    var: list[str] = VAR,
    vars_file: str = VARS,
    note: str = typer.Option(None, "--note", "-n", help="An internal note (never published)."),
    by: str = BY,
    at: str = AT,
    format: str = FORMAT,
    plan: str = PLAN,
) -> None:
    """Move a maintenance to its next stage (its components follow)."""
    report = pick(DONE_BY_NAME, format)
    with handled():
        from incplan import needs
        from incplan.incidents.service import update_maintenance
        from incplan.incidents.state import fold

        usable, plan_path = load_usable(plan)
        loaded = usable.plan
        path = record_file(loaded, plan_path, maintenance_id)
        values = variables_given(var, vars_file)
        needs.updating(usable, path, stage, None, values, (), by)
        record = update_maintenance(
            loaded,
            path,
            at=when(at, loaded),
            stage=stage,
            note=note,
            title=title,
            variables=values,
            by=by,
            at_text=at,
        )
        state = fold(record, loaded.for_record(record))
        hint = next_notify(loaded, plan_path, maintenance_id, plan) if stage else None
        w = done_words(loaded)
    data: JSONObject = {"id": maintenance_id, "title": state.title, "stage": state.stage, "next": hint}
    stage_seen = loaded.for_record(record).in_locale(w.locale).stages.get(state.stage)
    text = w("done.maintenance", id=maintenance_id, stage=stage_seen.name if stage_seen else state.stage) + "\n"
    report(Done(data, text + (w("done.next", command=hint) + "\n" if hint else "")), sys.stdout)
