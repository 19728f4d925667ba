"""Incident operations, validated against the plan: open, update, assign, status, list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from incplan.controls import check_entered, refuse_controls
from incplan.delivery.pasted import refuse_pasted
from incplan.diagnostics import ProblemError, UsageError, unknown_name
from incplan.incidents import store
from incplan.incidents.ids import slugify
from incplan.incidents.state import Cadence, State, cadence, fold
from incplan.plan.models import MAINTENANCE
from incplan.plan.names import check_names

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from incplan.incidents.models import Record
    from incplan.plan.models import Plan


def parse_components(pairs: list[str]) -> dict[str, str]:
    """`--component api=major_outage`: Statuspage's statuses, checked here with a hint."""
    from incplan.plan.models import COMPONENT_STATUSES

    out = {}
    for pair in pairs:
        component, sep, status = pair.partition("=")
        component, status = component.strip(), status.strip()
        if not sep or not component:
            raise UsageError(
                f"`--component {pair}` is not ID=STATUS", hint="write it like --component api=major_outage"
            )
        if status not in COMPONENT_STATUSES:
            raise unknown_name("component status", status, list(COMPONENT_STATUSES))
        out[component] = status
    return out


def parse_roles(pairs: list[str]) -> list[tuple[str, str]]:
    out = []
    for pair in pairs:
        role, sep, person = pair.partition("=")
        if not sep:
            raise UsageError(
                f"`--role {pair}` is not ROLE=@handle", hint="write it like --role incident_commander=@alice"
            )
        out.append((role.strip(), person.strip()))
    return out


def open_incident(
    plan: Plan,
    plan_path: Path,
    *,
    title: str,
    severity: str,
    at: datetime,
    stage: str | None = None,
    variables: dict[str, str] | None = None,
    roles: list[tuple[str, str]] | None = None,
    components: dict[str, str] | None = None,
    by: str | None = None,
) -> Path:
    check_entered(title=title, variables=variables, by=by)
    refuse_pasted(plan, title=title, variables=variables, by=by)
    for _, person in roles or []:
        refuse_controls(person, "--role", one_line=True)
    stage = stage or next(iter(plan.stages))
    check_names(
        plan, stage=stage, severity=severity, variables=_names(plan, variables), person=by, components=components
    )
    for role, person in roles or []:
        check_names(plan, role=role, person=person)
    if not title.strip():
        raise UsageError("the title is empty", hint='give one with --title "Checkout errors"')
    folder = store.incidents_dir(plan, plan_path)
    local = at.astimezone(_zone(plan))
    base_id = f"{local:%Y-%m-%d}-{slugify(title)}"
    path_to_plan = _relative(plan_path, folder)
    first = {"at": at, "type": "opened", "severity": severity, "stage": stage, "by": by}
    path = store.create_record(folder, base_id, {"title": title, "plan": path_to_plan, "opened_at": at}, first)
    extra: list[dict[str, object]] = [
        {"at": at, "type": "assigned", "role": role, "person": person} for role, person in roles or []
    ]
    if variables:
        extra.append({"at": at, "type": "variables", "values": _record_values(plan, variables)})
    if components:
        extra.append({"at": at, "type": "components", "components": dict(components)})
    if extra:
        store.append_events(path, lambda _record: extra)
    return path


def _names(plan: Plan, variables: dict[str, str] | None) -> list[str]:
    from incplan.variables import names

    return names(plan, variables or {})


def _record_values(plan: Plan, variables: dict[str, str]) -> dict[str, str | dict[str, str]]:
    from incplan.variables import for_record

    return for_record(variables, list(plan.organization.locales))


def _zone(plan: Plan) -> ZoneInfo:
    from incplan.localize import zone

    return zone(plan.organization.timezone)


def _relative(target: Path, start: Path) -> str:
    import os

    return Path(os.path.relpath(target.resolve(), start.resolve())).as_posix()


def _not_before_opening(record: Record, at: datetime, at_text: str | None = None) -> None:
    if at < record.opened_at:
        raise UsageError(
            f"--at `{at_text or at.isoformat()}` is before the incident opened ({record.opened_at.isoformat()})",
            hint="give a later time",
        )


def update_incident(
    plan: Plan,
    path: Path,
    *,
    at: datetime,
    stage: str | None = None,
    severity: str | None = None,
    variables: dict[str, str] | None = None,
    note: str | None = None,
    title: str | None = None,
    components: dict[str, str] | None = None,
    by: str | None = None,
    at_text: str | None = None,
) -> Record:
    check_entered(title=title, note=note, variables=variables, by=by)
    refuse_pasted(plan, title=title, note=note, variables=variables, by=by)
    check_names(
        plan, stage=stage, severity=severity, variables=_names(plan, variables), person=by, components=components
    )
    if title is not None and not title.strip():
        raise UsageError("the title is empty", hint='give one with --title "Checkout errors"')
    if not (stage or severity or variables or note or title or components):
        raise UsageError("nothing to update", hint="give --stage, --severity, --title, --var, --component or --note")

    def events(record: Record) -> list[dict[str, object]]:
        _not_before_opening(record, at, at_text)
        state = fold(record, plan)
        out: list[dict[str, object]] = []
        if severity and severity != state.severity:
            out.append({"at": at, "type": "severity", "severity": severity, "by": by})
        if title and title != state.title:
            out.append({"at": at, "type": "title", "title": title, "by": by})
        if variables:
            out.append({"at": at, "type": "variables", "values": _record_values(plan, variables)})
        if components:
            out.append({"at": at, "type": "components", "components": dict(components), "by": by})
        if stage and stage != state.stage:
            out.append({"at": at, "type": "stage", "stage": stage, "note": note, "by": by})
        elif note:
            out.append({"at": at, "type": "note", "text": note, "by": by})
        return out

    return store.append_events(path, events)


def assign(
    plan: Plan,
    path: Path,
    *,
    role: str,
    person: str,
    at: datetime,
    by: str | None = None,
    at_text: str | None = None,
) -> Record:
    refuse_controls(person, "@HANDLE", one_line=True)
    check_entered(by=by)
    refuse_pasted(plan, by=by)
    check_names(plan, role=role, person=person)
    check_names(plan, person=by)

    def events(record: Record) -> list[dict[str, object]]:
        _not_before_opening(record, at, at_text)
        return [{"at": at, "type": "assigned", "role": role, "person": person, "by": by}]

    return store.append_events(path, events)


def record_notified(path: Path, messages: list[dict[str, object]]) -> Record:
    events = [{"at": m["at"], "type": "notified", **{k: v for k, v in m.items() if k != "at"}} for m in messages]
    return store.append_events(path, lambda _record: events)


@dataclass
class Status:
    state: State
    cadence: Cadence
    now: datetime
    path: Path

    @property
    def overdue_by(self) -> timedelta | None:
        due = self.cadence.next_due
        if due is None or not self.state.open or self.now <= due:
            return None
        return self.now - due


def status_of(plan: Plan, path: Path, now: datetime) -> Status:
    record = store.read_record_fast(path)
    plan = plan.for_record(record)  # a maintenance has its own stages and cadence
    state = fold(record, plan)
    return Status(state, cadence(state, plan, now), now, path)


def statuses(
    plan: Plan, plan_path: Path, now: datetime, *, include_closed: bool
) -> tuple[list[Status], list[ProblemError]]:
    """Every (open) incident; a damaged record is set aside, never hides the others."""
    folder = store.incidents_dir(plan, plan_path)
    found, damaged = [], []
    paths = store.list_records(folder)
    if not include_closed:  # read in full only the records that may be open
        from incplan.incidents.index import open_candidates

        finals = {
            kind: {k for k, stage in view.stages.items() if stage.final}
            for kind, view in (("incident", plan), ("maintenance", plan.maintenance_view()))
        }
        paths = open_candidates(folder, paths, finals)
    for path in paths:
        try:
            found.append(status_of(plan, path, now))
        except ProblemError as problem:
            damaged.append(problem)
    return [s for s in found if include_closed or s.state.open], damaged


def open_namesakes(plan: Plan, plan_path: Path, opened: Path, now: datetime) -> list[State]:
    """The other open incidents with the title of the one just opened (spaces and case aside):
    most often the same incident, opened twice by two responders."""
    title = " ".join(store.read_record_fast(opened).title.split()).casefold()
    found, _ = statuses(plan, plan_path, now, include_closed=False)
    return [
        s.state
        for s in found
        if s.path != opened and s.state.kind == "incident" and " ".join(s.state.title.split()).casefold() == title
    ]


def schedule_maintenance(
    plan: Plan,
    plan_path: Path,
    *,
    title: str,
    start: datetime,
    end: datetime,
    at: datetime,
    components: list[str] | None = None,
    variables: dict[str, str] | None = None,
    by: str | None = None,
) -> Path:
    """A maintenance record (`kind: maintenance`): its window, the components it touches (shown
    operational until the work starts), at the first stage of the plan's `maintenance:`."""
    check_entered(title=title, variables=variables, by=by)
    refuse_pasted(plan, title=title, variables=variables, by=by)
    view = plan.maintenance_view()
    check_names(plan, variables=_names(plan, variables), person=by, components=components)
    if not title.strip():
        raise UsageError("the title is empty", hint='give one with --title "Database upgrade"')
    if end <= start:
        raise UsageError(
            f"--end `{end.isoformat()}` is not after --start `{start.isoformat()}`", hint="give an end after the start"
        )
    if end <= at:  # over before it is announced: most often a mistyped date
        raise UsageError(
            f"the window ends at `{end.isoformat()}`, before it is scheduled (`{at.isoformat()}`): "
            "customers would be told of maintenance that is already over",
            hint="check the dates (the year?); to record one scheduled earlier, give --at the time it was scheduled",
        )
    folder = store.incidents_dir(plan, plan_path)
    base_id = f"{start.astimezone(_zone(plan)):%Y-%m-%d}-{slugify(title)}"
    header = {
        "kind": "maintenance",
        "title": title,
        "plan": _relative(plan_path, folder),
        "opened_at": at,
        "scheduled_for": start,
        "scheduled_until": end,
    }
    first = {"at": at, "type": "opened", "severity": MAINTENANCE, "stage": next(iter(view.stages)), "by": by}
    path = store.create_record(folder, base_id, header, first)
    extra: list[dict[str, object]] = []
    if variables:
        extra.append({"at": at, "type": "variables", "values": _record_values(plan, variables)})
    if components:
        extra.append({"at": at, "type": "components", "components": dict.fromkeys(components, "operational")})
    if extra:
        store.append_events(path, lambda _record: extra)
    return path


def update_maintenance(
    plan: Plan,
    path: Path,
    *,
    at: datetime,
    stage: str | None = None,
    note: str | None = None,
    title: str | None = None,
    variables: dict[str, str] | None = None,
    by: str | None = None,
    at_text: str | None = None,
) -> Record:
    """A maintenance moves through its stages; its components are `under_maintenance` while
    the work is in progress or being verified, and operational again once it is completed."""
    check_entered(title=title, note=note, variables=variables, by=by)
    refuse_pasted(plan, title=title, note=note, variables=variables, by=by)
    view = plan.maintenance_view()
    check_names(view, stage=stage, person=by, variables=_names(plan, variables))
    if title is not None and not title.strip():
        raise UsageError("the title is empty", hint='give one with --title "Database upgrade"')
    if not (stage or note or title or variables):
        raise UsageError("nothing to update", hint="give --stage, --title, --var or --note")

    def events(record: Record) -> list[dict[str, object]]:
        if record.kind != MAINTENANCE:
            raise UsageError(
                f"`{record.id}` is an incident, not a maintenance", hint=f"use `incplan incident update {record.id}`"
            )
        _not_before_opening(record, at, at_text)
        state = fold(record, view)
        out: list[dict[str, object]] = []
        if title and title != state.title:
            out.append({"at": at, "type": "title", "title": title, "by": by})
        if variables:
            out.append({"at": at, "type": "variables", "values": _record_values(plan, variables)})
        if stage and stage != state.stage:
            final = view.stages[stage].final
            working = not final and stage != next(iter(view.stages))
            status = "operational" if final else "under_maintenance" if working else None
            if status and state.components:
                changed = {c: status for c, old in state.components.items() if old != status}
                if changed:
                    out.append({"at": at, "type": "components", "components": changed, "by": by})
            out.append({"at": at, "type": "stage", "stage": stage, "note": note, "by": by})
        elif note:
            out.append({"at": at, "type": "note", "text": note, "by": by})
        return out

    return store.append_events(path, events)
