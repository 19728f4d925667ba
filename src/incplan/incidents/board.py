"""What `incident watch` shows, computed from the records at one moment (no terminal here).

One row per open incident (or the one asked for): stage, severity, roles, time since the last
customer update, and the countdown to the next one with its urgency: `ok`, `soon` (due within
`SOON`), `overdue`, or `none` (no cadence at this severity and stage, or resolved).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from incplan.diagnostics import ProblemError

if TYPE_CHECKING:
    from incplan.incidents.service import Status
    from incplan.plan.models import Plan

SOON = timedelta(minutes=5)


@dataclass(frozen=True)
class Row:
    id: str
    title: str
    severity: str
    severity_name: str
    stage_name: str
    stage_since: timedelta
    roles: list[tuple[str, str]]  # (role name, people's names)
    last_update_ago: timedelta | None
    next_due: datetime | None
    due_in: timedelta | None  # negative when overdue
    urgency: str  # ok | soon | overdue | none
    open: bool


@dataclass
class Board:
    now: datetime
    rows: list[Row] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # damaged records, one line each

    @property
    def overdue(self) -> list[tuple[str, datetime]]:
        """(incident, due time) of every overdue update: what the bell rings for, once each."""
        return [(r.id, r.next_due) for r in self.rows if r.urgency == "overdue" and r.next_due is not None]


def row_of(status: Status, plan: Plan) -> Row:
    from incplan.playbook import person_line

    state, cad, now = status.state, status.cadence, status.now
    stage = plan.stages.get(state.stage)
    sev = plan.severities.get(state.severity)
    due = cad.next_due if state.open else None
    due_in = due - now if due is not None else None
    if due_in is None:
        urgency = "none"
    elif due_in < timedelta(0):
        urgency = "overdue"
    elif due_in <= SOON:
        urgency = "soon"
    else:
        urgency = "ok"
    roles = []
    for role_id, handles in state.roles.items():
        role = plan.roles.get(role_id)
        roles.append((role.name if role else role_id, ", ".join(person_line(plan, h).name for h in handles)))
    return Row(
        id=state.id,
        title=state.title,
        severity=state.severity,
        severity_name=sev.name if sev else "",
        stage_name=stage.name if stage else state.stage,
        stage_since=now - state.stages[-1][1],
        roles=roles,
        last_update_ago=now - cad.updates[-1] if cad.updates else None,
        next_due=due,
        due_in=due_in,
        urgency=urgency,
        open=state.open,
    )


def board(
    plan: Plan, plan_path: Path, now: datetime, incident_id: str | None = None, locale: str | None = None
) -> Board:
    """The board at `now`, read from the records as they are on disk now; names in `locale`."""
    from incplan.incidents.service import status_of, statuses
    from incplan.incidents.store import incidents_dir, record_path

    result = Board(now)
    if incident_id:
        try:
            found = [status_of(plan, record_path(incidents_dir(plan, plan_path), incident_id), now)]
        except ProblemError as problem:
            result.problems.append(problem.message)
            return result
    else:
        found, damaged = statuses(plan, plan_path, now, include_closed=False)
        result.problems.extend(p.message for p in damaged)
    # a maintenance: its own stages
    result.rows = [row_of(s, plan.for_record(s.state).in_locale(locale)) for s in found]
    order = {"overdue": 0, "soon": 1, "ok": 2, "none": 3}
    result.rows.sort(key=lambda r: (order[r.urgency], r.due_in or timedelta(0), r.id))
    return result
