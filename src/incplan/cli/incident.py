"""`incplan incident open|update|assign|status|list`: progress tracking in incident records."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import datetime
from typing import IO, TYPE_CHECKING

import typer

from incplan.cli.common import (
    AT,
    BY,
    COMPONENT,
    DONE_BY_NAME,
    FORMAT,
    PLAN,
    READER_LOCALE,
    VAR,
    VARS,
    Done,
    done_words,
    load_usable,
    next_notify,
    record_file,
    variables_given,
    warn_damaged,
    when,
)
from incplan.cli.output import format_option, handled, pick

if TYPE_CHECKING:
    from rich.text import Text

    from incplan.diagnostics import ProblemError
    from incplan.incidents.service import Status
    from incplan.incidents.state import State
    from incplan.json_types import JSONObject
    from incplan.plan.models import Plan

app = typer.Typer(
    help="Track incidents: open, update, assign, status, list.", no_args_is_help=True, add_completion=False
)


@app.command("open")
def open_(
    title: str = typer.Option(..., "--title", "-t", help="What is happening, in a few words."),
    severity: str = typer.Option(..., "--severity", "-S", help="Severity id (see `incplan show severities`)."),
    stage: str = typer.Option(None, "--stage", "-s", help="Starting stage (default: the plan's first)."),
    var: list[str] = VAR,
    vars_file: str = VARS,
    role: list[str] = typer.Option([], "--role", "-r", metavar="ROLE=@handle", help="Assign a role; repeatable."),
    component: list[str] = COMPONENT,
    by: str = BY,
    at: str = AT,
    format: str = FORMAT,
    plan: str = PLAN,
) -> None:
    """Open an incident record; prints its id and the first message to send."""
    report = pick(DONE_BY_NAME, format)
    with handled():
        from incplan import needs
        from incplan.incidents.service import open_incident, parse_components, parse_roles

        usable, plan_path = load_usable(plan)
        loaded = usable.plan
        values = variables_given(var, vars_file)
        needs.opening(usable, severity, stage, values, parse_roles(role), parse_components(component), by)
        path = open_incident(
            loaded,
            plan_path,
            title=title,
            severity=severity,
            stage=stage,
            at=when(at, loaded),
            variables=values,
            roles=parse_roles(role),
            components=parse_components(component),
            by=by,
        )
        incident_id = path.stem
        hint = next_notify(loaded, plan_path, incident_id, plan)
        w = done_words(loaded)
        from incplan import clock
        from incplan.cli.reporting import warn
        from incplan.incidents.service import open_namesakes

        for other in open_namesakes(loaded, plan_path, path, clock.now(loaded.organization.timezone)):
            warn(
                f"`{other.id}` is open with the same title; this opened another incident, `{incident_id}` "
                f"(the same one? delete {path} and work on `{other.id}`)"
            )
    data: JSONObject = {"id": incident_id, "path": str(path), "next": hint}
    text = w("done.opened", id=incident_id, path=path) + "\n" + w("done.next", command=hint) + "\n"
    report(Done(data, text), sys.stdout)


@app.command("update")
def update(
    incident_id: str = typer.Argument(..., metavar="ID"),
    stage: str = typer.Option(None, "--stage", "-s", help="New stage."),
    severity: str = typer.Option(None, "--severity", "-S", help="New severity."),
    title: str = typer.Option(None, "--title", "-t", help="New title (the status page's incident name follows)."),
    var: list[str] = VAR,
    vars_file: str = VARS,
    component: list[str] = COMPONENT,
    note: str = typer.Option(None, "--note", "-n", help="A line for the timeline."),
    by: str = BY,
    at: str = AT,
    format: str = FORMAT,
    plan: str = PLAN,
) -> None:
    """Change the stage, severity, title or components, set variables, or add a note."""
    report = pick(DONE_BY_NAME, format)
    with handled():
        from incplan import needs
        from incplan.incidents.service import parse_components, update_incident
        from incplan.incidents.state import fold

        usable, plan_path = load_usable(plan)
        loaded = usable.plan
        values = variables_given(var, vars_file)
        path = record_file(loaded, plan_path, incident_id)
        needs.updating(usable, path, stage, severity, values, parse_components(component), by)
        record = update_incident(
            loaded,
            path,
            at=when(at, loaded),
            stage=stage,
            severity=severity,
            title=title,
            variables=values,
            components=parse_components(component),
            note=note,
            by=by,
            at_text=at,
        )
        state = fold(record, loaded)
        # a new stage or severity is news for customers (a severity can route to more channels)
        hint = next_notify(loaded, plan_path, incident_id, plan) if stage or severity else None
        w = done_words(loaded)
    data: JSONObject = {
        "id": incident_id,
        "title": state.title,
        "stage": state.stage,
        "severity": state.severity,
        "next": hint,
    }
    stage_seen = loaded.for_record(record).in_locale(w.locale).stages.get(state.stage)
    stage_name = stage_seen.name if stage_seen else state.stage
    text = w("done.updated", id=incident_id, stage=stage_name, severity=state.severity) + "\n"
    report(Done(data, text + (w("done.next", command=hint) + "\n" if hint else "")), sys.stdout)


@app.command("assign")
def assign(
    incident_id: str = typer.Argument(..., metavar="ID"),
    role: str = typer.Argument(..., help="Role id, e.g. communications_lead."),
    person: str = typer.Argument(..., metavar="@HANDLE"),
    by: str = BY,
    at: str = AT,
    format: str = FORMAT,
    plan: str = PLAN,
) -> None:
    """Give a role to a person for this incident."""
    report = pick(DONE_BY_NAME, format)
    with handled():
        from incplan import needs
        from incplan.incidents.service import assign as do_assign
        from incplan.incidents.state import fold

        usable, plan_path = load_usable(plan)
        loaded = usable.plan
        needs.given(usable, role=role, person=person, people=[by] if by else [])
        record = do_assign(
            loaded,
            record_file(loaded, plan_path, incident_id),
            role=role,
            person=person,
            at=when(at, loaded),
            by=by,
            at_text=at,
        )
        w = done_words(loaded)
        name = loaded.in_locale(w.locale).roles[role].name
        people = fold(record, loaded.for_record(record)).roles.get(role, [person])
    data: JSONObject = {"id": incident_id, "role": role, "person": person, "by": by, "people": people}
    report(Done(data, w("done.assigned", id=incident_id, role=name, person=person) + "\n"), sys.stdout)


@dataclass(frozen=True)
class Statuses:
    """The incidents `status` shows, on the plan they were read with."""

    found: list[Status]
    plan: Plan
    locale: str  # the reader's


def report_status_text(shown: Statuses, out: IO[str]) -> None:
    from incplan.wording import words

    if not shown.found:
        out.write(words(shown.locale)["status.none_open"] + "\n")
        return
    for i, item in enumerate(shown.found):
        if i:
            out.write("\n")
        _print_status(item, shown.plan, out, shown.locale)


def report_status_json(shown: Statuses, out: IO[str]) -> None:
    import json

    out.write(json.dumps([_status_json(s, shown.plan) for s in shown.found], indent=2, ensure_ascii=False) + "\n")


STATUS_BY_NAME = {"text": report_status_text, "json": report_status_json}


@app.command("status")
def status(
    incident_id: str = typer.Argument(None, metavar="[ID]", help="One incident (default: every open one)."),
    format: str = format_option(STATUS_BY_NAME),
    locale: str = READER_LOCALE,
    plan: str = PLAN,
) -> None:
    """Stage, severity, elapsed time, roles, last customer update, next update due or OVERDUE."""
    report = pick(STATUS_BY_NAME, format)
    with handled():
        from incplan import clock, needs
        from incplan.incidents.service import status_of, statuses

        usable, plan_path = load_usable(plan)
        loaded = usable.plan
        now = clock.now(loaded.organization.timezone)
        damaged: list[ProblemError] = []
        if incident_id:
            found = [status_of(loaded, record_file(loaded, plan_path, incident_id), now)]
        else:
            found, damaged = statuses(loaded, plan_path, now, include_closed=False)
        for item in found:
            needs.incident(usable, item.state)
        from incplan.wording import reader_locale

        reader = reader_locale(loaded, locale)
    warn_damaged(damaged)
    report(Statuses(found, loaded, reader), sys.stdout)


@dataclass(frozen=True)
class Listed:
    """The incidents `list` shows (by time), on the plan they were read with."""

    found: list[Status]
    plan: Plan
    all: bool
    locale: str  # the reader's


def report_list_text(listed: Listed, out: IO[str]) -> None:
    from incplan.wording import words

    w = words(listed.locale)
    found = listed.found
    if not found:
        out.write((w["list.none_open"] if not listed.all else w["list.none"]) + "\n")
        return
    tz = listed.plan.organization.timezone
    from incplan.localize import format_time

    def where(state: State) -> str:
        """Resolved, or the stage's name in the reader's words (a maintenance: its own stages)."""
        if not state.open and state.kind != "maintenance":  # a maintenance ends in its own stage
            return w["list.resolved"]
        stage = listed.plan.for_record(state).in_locale(listed.locale).stages.get(state.stage)
        return stage.name if stage else state.stage

    times = [format_time(s.state.opened_at, tz) for s in found]
    places = [where(s.state) for s in found]
    width = max(len(s.state.id) for s in found)
    time_width = max(len(t) for t in times)  # CET and CEST rows stay aligned
    sev_width = max(len(s.state.severity) for s in found)
    where_width = max(len(place) for place in places)
    for s, opened, place in zip(found, times, places, strict=True):
        state = s.state
        out.write(
            f"{state.id:<{width}}  {state.severity:<{sev_width}}  {place:<{where_width}}  "
            f"{opened:<{time_width}}  {state.title}\n"
        )


def report_list_json(listed: Listed, out: IO[str]) -> None:
    import json

    rows = [
        {
            "id": s.state.id,
            "title": s.state.title,
            "severity": s.state.severity,
            "stage": s.state.stage,
            "open": s.state.open,
            "opened_at": s.state.opened_at.isoformat(),
            "resolved_at": s.state.resolved_at.isoformat() if s.state.resolved_at else None,
        }
        for s in listed.found
    ]
    out.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")


LIST_BY_NAME = {"text": report_list_text, "json": report_list_json}


@app.command("list")
def list_(
    all_: bool = typer.Option(False, "--all", "-a", help="Resolved incidents too."),
    format: str = format_option(LIST_BY_NAME),
    locale: str = READER_LOCALE,
    plan: str = PLAN,
) -> None:
    """List open (or all) incidents, oldest first."""
    report = pick(LIST_BY_NAME, format)
    with handled():
        from incplan import clock, needs
        from incplan.incidents.service import statuses

        usable, plan_path = load_usable(plan)
        loaded = usable.plan
        found, damaged = statuses(loaded, plan_path, clock.now(loaded.organization.timezone), include_closed=all_)
        for item in found:
            needs.incident(usable, item.state, roles=False, components=())
        from incplan.wording import reader_locale

        reader = reader_locale(loaded, locale)
    warn_damaged(damaged)
    found.sort(key=lambda s: (s.state.opened_at, s.state.id))  # by time, not file name
    report(Listed(found, loaded, all_, reader), sys.stdout)


def _print_status(item: Status, plan: Plan, stream: IO[str], locale: str) -> None:
    from rich.text import Text

    from incplan.cli.output import console
    from incplan.localize import format_time
    from incplan.playbook import person_line
    from incplan.wording import component_status, span, words

    out = console(stream)
    w = words(locale)
    tz = plan.organization.timezone
    state, cad, now = item.state, item.cadence, item.now
    plan = plan.for_record(state).in_locale(locale)  # a maintenance: its own stages; names in the reader's words
    stage = plan.stages.get(state.stage)
    sev = plan.severities.get(state.severity)
    since = state.stages[-1][1]
    out.print(Text(f"{state.id}  {state.title}", style="bold"))
    since_text = w["status.since"].format(time=format_time(since, tz), span=span(now - since, locale))
    rows: list[tuple[str, str | Text]] = [
        (w["status.stage"], f"{stage.name if stage else state.stage} ({since_text})"),
        (w["status.severity"], f"{state.severity} {sev.name if sev else ''}".strip()),
        (w["status.opened"], f"{format_time(state.opened_at, tz)} ({_age(state, now, locale)})"),
    ]
    if state.scheduled_for is not None:
        until = format_time(state.scheduled_until, tz) if state.scheduled_until else w["status.open_end"]
        rows.append(
            (w["status.window"], w["status.window_span"].format(start=format_time(state.scheduled_for, tz), end=until))
        )
    if cad.updates:
        last = cad.updates[-1]
        ago = w["status.ago"].format(span=span(now - last, locale))
        rows.append((w["status.last_update"], f"{format_time(last, tz)} ({ago})"))
    else:
        rows.append((w["status.last_update"], w["status.none_yet"]))
    if not state.open:
        rows.append((w["status.resolved"], format_time(state.resolved_at, tz) if state.resolved_at else ""))
    elif cad.next_due is None:
        rows.append((w["status.next_due"], w["status.no_cadence"]))
    elif item.overdue_by is not None:
        overdue = w["status.overdue"].format(span=span(item.overdue_by, locale))
        rows.append((w["status.next_due"], Text(f"{format_time(cad.next_due, tz)}: {overdue}", style="bold red")))
    else:
        due_in = w["status.in"].format(span=span(cad.next_due - now, locale))
        rows.append((w["status.next_due"], f"{format_time(cad.next_due, tz)} ({due_in})"))
    for component_id, current in state.components.items():
        component = plan.components.get(component_id)
        rows.append((component.name if component else component_id, component_status(current, locale)))
    for role_id, handles in state.roles.items():
        role = plan.roles.get(role_id)
        names = ", ".join(person_line(plan, h).name for h in handles)
        rows.append((role.name if role else role_id, names))
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        line = Text(f"  {label:<{width}}  ")
        line.append(value if isinstance(value, Text) else Text(str(value)))
        out.print(line)


def _age(state: State, now: datetime, locale: str) -> str:
    from incplan.wording import span, words

    w = words(locale)
    if state.resolved_at:
        return w["status.to_resolve"].format(span=span(state.resolved_at - state.opened_at, locale))
    return w["status.ago"].format(span=span(now - state.opened_at, locale))


def _status_json(item: Status, plan: Plan) -> JSONObject:
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
        "components": state.components,
    }
