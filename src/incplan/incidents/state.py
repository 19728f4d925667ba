"""Fold a record's events into its current state, and compute the update cadence (SPEC §7).

A customer update is a `notified` event that reached a channel whose audience is customers
(posted by hand or delivered); updates within one minute of each other are one update. The
first is due `first_update_within` after opening (the severity at opening), or sooner when the
severity is raised before it: that severity's `first_update_within` after the change; each next one is
due one cadence (of the severity and stage in force at the previous update) after it, until a
final stage is reached. A reopening (a stage that is not final, after a final one) starts the
chain again: the next update is due one cadence (of the stage it reopens at) after it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from incplan.incidents.models import (
    Assigned,
    ComponentsChanged,
    Notified,
    Opened,
    Record,
    SeverityChanged,
    StageChanged,
    TitleChanged,
    Variables,
)
from incplan.variables import from_record, merge

if TYPE_CHECKING:
    from incplan.plan.models import Plan

MERGE_WINDOW = timedelta(minutes=1)


@dataclass
class State:
    id: str
    title: str
    opened_at: datetime
    stage: str
    severity: str
    roles: dict[str, list[str]] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)  # `name` / `name@locale` -> text
    stages: list[tuple[str, datetime]] = field(default_factory=list)
    severities: list[tuple[str, datetime]] = field(default_factory=list)
    notifications: list[Notified] = field(default_factory=list)
    components: dict[str, str] = field(default_factory=dict)  # component id -> status
    resolved_at: datetime | None = None
    kind: str = "incident"  # or "maintenance"
    scheduled_for: datetime | None = None
    scheduled_until: datetime | None = None

    @property
    def open(self) -> bool:
        return self.resolved_at is None

    def in_force(self, moment: datetime) -> tuple[str, str]:
        """(severity, stage) in force at `moment`."""
        severity = next((s for s, at in reversed(self.severities) if at <= moment), self.severities[0][0])
        stage = next((s for s, at in reversed(self.stages) if at <= moment), self.stages[0][0])
        return severity, stage


def fold(record: Record, plan: Plan) -> State:
    """The record's state; a maintenance record folds against the plan's maintenance view."""
    plan = plan.for_record(record)
    first = record.events[0]
    severity = first.severity if isinstance(first, Opened) else next(iter(plan.severities))
    stage = first.stage if isinstance(first, Opened) else next(iter(plan.stages))
    state = State(record.id, record.title, record.opened_at, stage, severity)
    state.kind, state.scheduled_for, state.scheduled_until = record.kind, record.scheduled_for, record.scheduled_until
    state.stages.append((stage, record.opened_at))
    state.severities.append((severity, record.opened_at))
    for event in sorted(record.events, key=lambda e: e.at):
        if isinstance(event, Opened):
            continue
        if isinstance(event, StageChanged):
            state.stage = event.stage
            state.stages.append((event.stage, event.at))
            final = plan.stages[event.stage].final if event.stage in plan.stages else False
            if final and state.resolved_at is None:
                state.resolved_at = event.at
            elif not final:
                state.resolved_at = None  # reopened
        elif isinstance(event, SeverityChanged):
            state.severity = event.severity
            state.severities.append((event.severity, event.at))
        elif isinstance(event, Assigned):
            holders = state.roles.setdefault(event.role, [])
            if event.person in holders:
                holders.remove(event.person)
            holders.insert(0, event.person)  # the latest assignment is the primary
        elif isinstance(event, Variables):
            state.variables = merge(state.variables, from_record(event.values))
        elif isinstance(event, Notified):
            state.notifications.append(event)
        elif isinstance(event, ComponentsChanged):
            state.components.update(event.components)
        elif isinstance(event, TitleChanged):
            state.title = event.title
    return state


def customer_channels_used(state: State, plan: Plan) -> list[str]:
    """Customer channels this incident already reached: they hear every later stage too."""
    used = [n.channel for n in state.notifications if n.counts and n.channel in plan.channels]
    return [ch for ch in dict.fromkeys(used) if plan.channels[ch].is_customer]


def customer_updates(state: State, plan: Plan) -> list[datetime]:
    """Times of customer updates, one per cluster of updates within a minute."""
    times = sorted(
        n.at
        for n in state.notifications
        if n.counts and n.channel in plan.channels and plan.channels[n.channel].is_customer
    )
    updates: list[datetime] = []
    for moment in times:
        if not updates or moment - updates[-1] > MERGE_WINDOW:
            updates.append(moment)
    return updates


@dataclass(frozen=True)
class Breach:
    due_at: datetime
    posted_at: datetime | None  # None: never posted before the incident was resolved (or now)
    late_by: timedelta


# Fair figures (SPEC §7): a target is `met` or `missed` once it can be judged; `pending` while
# an open incident's first update is not yet due; `not_applicable` when no severity the incident
# had routes to a customer channel. Shares count only met and missed.
MET, MISSED, PENDING, NOT_APPLICABLE = "met", "missed", "pending", "not_applicable"


@dataclass
class Cadence:
    first_due: datetime | None
    first_update: datetime | None
    updates: list[datetime]
    breaches: list[Breach]
    next_due: datetime | None  # for an open incident
    first_status: str = NOT_APPLICABLE
    cadence_status: str = NOT_APPLICABLE

    @property
    def first_met(self) -> bool | None:
        return {MET: True, MISSED: False}.get(self.first_status)

    @property
    def cadence_met(self) -> bool | None:
        return {MET: True, MISSED: False}.get(self.cadence_status)


def has_customer_channel(state: State, plan: Plan) -> bool:
    """Did any severity the incident had route to customers (or did it reach them anyway)?"""
    for severity, _ in state.severities:
        sev = plan.severities.get(severity)
        if sev and any(plan.channels[c].is_customer for c in sev.channels if c in plan.channels):
            return True
    return bool(customer_channels_used(state, plan))


def cadence(state: State, plan: Plan, now: datetime) -> Cadence:
    """Customer updates against the targets, judged at `now` (status and reports agree)."""
    updates = customer_updates(state, plan)
    end = state.resolved_at or now
    opening = plan.severities.get(state.severities[0][0])
    first_due = state.opened_at + opening.first_update_within if opening and opening.first_update_within else None
    first_update = updates[0] if updates else None
    for severity, changed_at in state.severities[1:]:
        # raised before the first update: that severity's promise counts from the change, when
        # it is sooner (sev3 at 01:00, sev1 with 10m at 01:05: due 01:15, not sev3's 02:00)
        sev = plan.severities.get(severity)
        if (first_update is not None and changed_at >= first_update) or sev is None or not sev.first_update_within:
            continue
        sooner = changed_at + sev.first_update_within
        first_due = sooner if first_due is None else min(first_due, sooner)
    breaches: list[Breach] = []
    next_due: datetime | None = None

    def final(stage: str) -> bool:
        return stage in plan.stages and plan.stages[stage].final

    def due_after(moment: datetime) -> datetime | None:
        """When the update after one posted at `moment` is due. A resolution ends the chain (an
        update posted at a final stage, or one whose next was not yet due when the incident was
        resolved, is owed nothing); a reopening starts a new one, one cadence after it."""
        while True:
            severity, stage = state.in_force(moment)
            if final(stage):
                reopened = next((at for s, at in state.stages if at > moment and not final(s)), None)
                if reopened is None:
                    return None
                moment = reopened
                continue
            sev = plan.severities.get(severity)
            every = sev.cadence(stage) if sev is not None else None
            if every is None:
                return None
            due = moment + every
            resolved = next((at for s, at in state.stages if moment < at <= due and final(s)), None)
            if resolved is None:
                return due
            moment = resolved

    if not updates:
        next_due = first_due
    for i, update in enumerate(updates):
        if update >= end and state.resolved_at is not None:
            break  # updates after resolution do not set a cadence
        due = due_after(update)
        following = updates[i + 1] if i + 1 < len(updates) else None
        if due is None:
            continue
        if following is not None and (following <= end or due < end):
            # the next update, even the resolution message a minute after resolving
            if following > due:
                breaches.append(Breach(due, following, following - due))
        else:
            if state.resolved_at is not None and due < state.resolved_at:
                breaches.append(Breach(due, None, state.resolved_at - due))
            next_due = due
    customers = has_customer_channel(state, plan)
    if state.resolved_at is not None:
        if not updates and customers and first_due is not None and first_due < state.resolved_at:
            breaches.append(Breach(first_due, None, state.resolved_at - first_due))  # due until resolved
        next_due = None
    elif next_due is not None and next_due < now and customers:
        breaches.append(Breach(next_due, None, now - next_due))  # overdue now: status says so too
    result = Cadence(first_due, first_update, updates, breaches, next_due)
    if not customers:
        return result
    if first_due is None:
        result.first_status = NOT_APPLICABLE
    elif first_update is not None:
        result.first_status = MET if first_update <= first_due else MISSED
    else:
        # an update posted at the very moment it is due is on time, so it is missed only after
        result.first_status = MISSED if first_due < end else PENDING
    if result.first_status == PENDING or (not updates and first_due is None):
        result.cadence_status = PENDING  # nothing has fallen due yet
    else:
        # nothing posted while an update fell due is a breach too (listed): neither target was met
        result.cadence_status = MISSED if breaches else MET
    return result
