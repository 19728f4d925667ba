"""The numbers of a report, computed once and rendered as JSON, Markdown, HTML or text."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

from incplan.diagnostics import ProblemError
from incplan.incidents.state import Breach, State, cadence, fold
from incplan.reports.figures import IncidentFigures

if TYPE_CHECKING:
    from incplan.incidents.models import Record
    from incplan.json_types import JSONObject
    from incplan.plan.models import Plan


class ReportMessage(TypedDict):
    """One message the incident sent (a `notified` event), with its stage's and channel's names."""

    at: datetime
    stage: str
    channel: str
    delivered: bool
    posted: bool
    error: str | None
    stage_name: str
    channel_name: str
    locale: str | None
    texts: list[tuple[str, str | None, str]] | None  # (locale, subject, body) of a post in several
    subject: str | None
    body: str | None
    update: str | None


@dataclass
class TimelineEntry:
    at: datetime
    kind: str
    text: str


@dataclass
class IncidentReport:
    id: str
    title: str
    severity: str  # the most severe reached
    severity_name: str
    last_severity: str  # in force at resolution (or now, while open): after a downgrade, not `severity`
    last_severity_name: str
    opened_at: datetime
    resolved_at: datetime | None
    time_to_resolve_s: int | None
    time_to_first_update_s: int | None
    first_update_target_s: int | None
    first_update_met: bool | None
    breaches: list[Breach]
    first_update_status: str  # met | missed | pending | not_applicable (SPEC §7, fair metrics)
    cadence_status: str
    stages: list[tuple[str, str, datetime]]  # (id, name, at)
    severities: list[tuple[str, datetime]]
    messages: list[ReportMessage]
    roles: dict[str, list[str]]
    role_names: dict[str, str]
    people: dict[str, str]  # handle -> name
    timeline: list[TimelineEntry] = field(default_factory=list)
    timezone: str = "UTC"
    locale: str = "en"  # the language of its names and of the words around them (`wording`)
    kind: str = "incident"  # or "maintenance"
    scheduled_for: datetime | None = None
    scheduled_until: datetime | None = None

    @property
    def cadence_met(self) -> bool | None:
        return {"met": True, "missed": False}.get(self.cadence_status)

    def as_json(self) -> JSONObject:
        return {
            "id": self.id,
            "title": self.title,
            "severity": self.severity,
            "last_severity": self.last_severity,
            "opened_at": self.opened_at.isoformat(),
            "resolved_at": self.resolved_at.isoformat() if self.resolved_at else None,
            "time_to_resolve_s": self.time_to_resolve_s,
            "time_to_first_update_s": self.time_to_first_update_s,
            "first_update_target_s": self.first_update_target_s,
            "first_update_met": self.first_update_met,
            "first_update_status": self.first_update_status,
            "cadence_status": self.cadence_status,
            "cadence_breaches": [
                {
                    "due_at": b.due_at.isoformat(),
                    "posted_at": b.posted_at.isoformat() if b.posted_at else None,
                    "late_by_s": int(b.late_by.total_seconds()),
                }
                for b in self.breaches
            ],
            "stages": [{"stage": stage, "at": at.isoformat()} for stage, _, at in self.stages],
            "messages": [
                {
                    "at": m["at"].isoformat(),
                    "stage": m["stage"],
                    "channel": m["channel"],
                    "delivered": m["delivered"],
                    "posted": m["posted"],
                    "subject": m["subject"],
                    "body": m["body"],
                    "update": m["update"],
                }
                for m in self.messages
            ],
            "roles": self.roles,
        }

    def figures(self) -> IncidentFigures:
        """This incident's row in `report --all`."""
        return IncidentFigures(
            id=self.id,
            title=self.title,
            kind=self.kind,
            severity=self.severity,
            opened_at=self.opened_at,
            resolved_at=self.resolved_at,
            time_to_resolve_s=self.time_to_resolve_s,
            time_to_first_update_s=self.time_to_first_update_s,
            first_update_target_s=self.first_update_target_s,
            first_update_status=self.first_update_status,
            cadence_status=self.cadence_status,
            breach_count=len(self.breaches),
            scheduled_for=self.scheduled_for,
            scheduled_until=self.scheduled_until,
            severities=tuple(dict.fromkeys(s for s, _ in self.severities)),
            stages=tuple(dict.fromkeys(s for s, _, _ in self.stages)),
            channels=tuple(dict.fromkeys(m["channel"] for m in self.messages)),
        )


def _seconds(delta: timedelta | None) -> int | None:
    return None if delta is None else int(delta.total_seconds())


def incident_report(record: Record, plan: Plan, now: datetime, locale: str | None = None) -> IncidentReport:
    """The figures of one record, with its names and timeline in `locale` (default: the plan's
    first); the JSON holds ids and numbers only, the same in every language."""
    from incplan.incidents.models import (
        Assigned,
        ComponentsChanged,
        Note,
        Notified,
        Opened,
        SeverityChanged,
        StageChanged,
        TitleChanged,
        Variables,
    )
    from incplan.variables import from_record
    from incplan.wording import component_status, words

    language = locale or plan.default_locale
    w = words(language)
    plan = plan.for_record(record).in_locale(language)
    state: State = fold(record, plan)
    cad = cadence(state, plan, now)
    order = list(plan.severities)
    reached = min((s for s, _ in state.severities), key=lambda s: order.index(s) if s in order else len(order))
    target = cad.first_due - state.opened_at if cad.first_due else None  # sooner after a raise
    messages: list[ReportMessage] = [
        {
            "at": n.at,
            "stage": n.stage,
            "channel": n.channel,
            "delivered": n.delivered,
            "posted": n.posted,
            "error": n.error,
            "stage_name": plan.stages[n.stage].name if n.stage in plan.stages else n.stage,
            "channel_name": plan.channels[n.channel].name if n.channel in plan.channels else n.channel,
            "locale": n.locale,
            # each language's own text of a post in several, for pages that mark its language
            "texts": [(loc, t.subject, t.body) for loc, t in n.texts.items()] if n.texts else None,
            "subject": n.subject,
            "body": n.body,
            "update": n.update,
        }
        for n in sorted(state.notifications, key=lambda n: n.at)
    ]
    timeline = []
    for event in sorted(record.events, key=lambda e: e.at):
        if isinstance(event, StageChanged):
            name = plan.stages[event.stage].name if event.stage in plan.stages else event.stage
            text = w("event.stage", name=name) + (f" ({event.note})" if event.note else "")
        elif isinstance(event, SeverityChanged):
            text = w("event.severity", severity=event.severity) + (f" ({event.note})" if event.note else "")
        elif isinstance(event, Assigned):
            role = plan.roles[event.role].name if event.role in plan.roles else event.role
            text = w("event.assigned", role=role, person=event.person)
        elif isinstance(event, Variables):
            text = w("event.set", values=", ".join(f"{k} = {v}" for k, v in from_record(event.values).items()))
        elif isinstance(event, Notified):
            how = (
                w["sent.delivered"]
                if event.delivered
                else w["sent.by_hand"]
                if event.posted
                else w("sent.FAILED", error=event.error)
            )
            stage_name = plan.stages[event.stage].name if event.stage in plan.stages else event.stage
            channel_name = plan.channels[event.channel].name if event.channel in plan.channels else event.channel
            text = w("event.message", stage=stage_name, channel=channel_name, how=how)
        elif isinstance(event, Note):
            text = event.text
        elif isinstance(event, ComponentsChanged):
            names = {c: plan.components[c].name if c in plan.components else c for c in event.components}
            parts = [
                w("event.component", name=names[c], status=component_status(s, language))
                for c, s in event.components.items()
            ]
            text = w("event.components", components=", ".join(parts))
        elif isinstance(event, TitleChanged):
            text = w("event.title", title=event.title)
        elif not isinstance(event, Opened):
            text = event.type
        else:
            opening_stage = state.stages[0][0]
            stage_name = plan.stages[opening_stage].name if opening_stage in plan.stages else opening_stage
            text = w("event.opened", severity=state.severities[0][0], stage=stage_name)
        timeline.append(TimelineEntry(event.at, event.type, text + (f" ({event.by})" if event.by else "")))
    first_delay = cad.first_update - state.opened_at if cad.first_update else None
    last = state.in_force(state.resolved_at)[0] if state.resolved_at else state.severity
    return IncidentReport(
        id=record.id,
        title=record.title,
        severity=reached,
        severity_name=plan.severities[reached].name if reached in plan.severities else reached,
        last_severity=last,
        last_severity_name=plan.severities[last].name if last in plan.severities else last,
        opened_at=state.opened_at,
        resolved_at=state.resolved_at,
        time_to_resolve_s=_seconds(state.resolved_at - state.opened_at) if state.resolved_at else None,
        time_to_first_update_s=_seconds(first_delay),
        first_update_target_s=_seconds(target),
        first_update_met=cad.first_met,
        breaches=cad.breaches,
        first_update_status=cad.first_status,
        cadence_status=cad.cadence_status,
        stages=[(s, plan.stages[s].name if s in plan.stages else s, at) for s, at in state.stages],
        severities=state.severities,
        messages=messages,
        roles=state.roles,
        role_names={r: plan.roles[r].name if r in plan.roles else r for r in state.roles},
        people={f"@{h}": p.name for h, p in plan.people.items()},
        timeline=timeline,
        timezone=plan.organization.timezone,
        locale=language,
        kind=record.kind,
        scheduled_for=record.scheduled_for,
        scheduled_until=record.scheduled_until,
    )


@dataclass
class PeriodReport:
    since: str | None  # as the user gave them (`--since 2026-11-01`, `--since 2026-11-01T12:00`)
    until: str | None
    incidents: list[IncidentFigures]
    severity_order: list[str]
    damaged: list[ProblemError] = field(default_factory=list)
    maintenances: list[IncidentFigures] = field(default_factory=list)  # listed apart, never in the figures
    locale: str = "en"  # the language of the words around the figures (`wording`)

    @property
    def by_severity(self) -> dict[str, int]:
        counts = {s: 0 for s in self.severity_order}
        for r in self.incidents:
            counts[r.severity] = counts.get(r.severity, 0) + 1
        return {s: n for s, n in counts.items() if n or s in self.severity_order}

    def _resolve_times(self) -> list[int]:
        return sorted(r.time_to_resolve_s for r in self.incidents if r.time_to_resolve_s is not None)

    @property
    def median_time_to_resolve_s(self) -> int | None:
        return median_seconds(self._resolve_times())

    @property
    def p90_time_to_resolve_s(self) -> int | None:
        return nearest_rank(self._resolve_times(), 0.9)

    @property
    def median_time_to_first_update_s(self) -> int | None:
        times = [r.time_to_first_update_s for r in self.incidents if r.time_to_first_update_s is not None]
        return median_seconds(times)

    @property
    def first_update_met_share(self) -> float | None:
        judged = [r.first_update_met for r in self.incidents if r.first_update_met is not None]
        return round(sum(judged) / len(judged), 4) if judged else None

    @property
    def cadence_met_share(self) -> float | None:
        judged = [r.cadence_met for r in self.incidents if r.cadence_met is not None]
        return round(sum(judged) / len(judged), 4) if judged else None

    def _count(self, status: str) -> int:
        return sum(r.first_update_status == status for r in self.incidents)

    @property
    def pending(self) -> int:
        """Open incidents whose first update is not yet due: left out of the shares."""
        return self._count("pending")

    @property
    def not_applicable(self) -> int:
        """Incidents of severities without a customer channel: counted apart."""
        return self._count("not_applicable")

    def as_json(self) -> JSONObject:
        payload: JSONObject = {
            "incidents": len(self.incidents),
            "by_severity": self.by_severity,
            "median_time_to_resolve_s": self.median_time_to_resolve_s,
            "p90_time_to_resolve_s": self.p90_time_to_resolve_s,
            "median_time_to_first_update_s": self.median_time_to_first_update_s,
            "first_update_met_share": self.first_update_met_share,
            "cadence_met_share": self.cadence_met_share,
            "pending": self.pending,
            "not_applicable": self.not_applicable,
        }
        if self.maintenances:  # listed apart, never counted above
            payload["maintenances"] = [
                {
                    "id": m.id,
                    "title": m.title,
                    "scheduled_for": _iso(m.scheduled_for),
                    "scheduled_until": _iso(m.scheduled_until),
                    "completed_at": _iso(m.resolved_at),
                }
                for m in self.maintenances
            ]
        return payload


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def median_seconds(values: list[int]) -> int | None:
    """The median in whole seconds, as every figure of a report: between two middle values, their
    mean with a half second rounded up (570 and 571 give 571)."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle] + 1) // 2


def nearest_rank(values: list[int], q: float) -> int | None:
    """The nearest-rank percentile: the smallest value with at least q of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def period_report(
    paths: list[Path], plan: Plan, now: datetime, since: str | None, until: str | None, locale: str | None = None
) -> PeriodReport:
    """Incidents opened from `since` (a day's start, or a time) to `until` (a day's end, or a time).
    A closed incident's figures come from the cache when its record is unchanged."""
    from incplan import clock
    from incplan.incidents import recovery
    from incplan.incidents.store import read_record_text, record_from_text
    from incplan.reports.cache import FigureCache

    tz = plan.organization.timezone
    first = clock.entered_date(since, "--since", timezone=tz, end=False) if since else None
    last = clock.entered_date(until, "--until", timezone=tz, end=True) if until else None
    cache = FigureCache.open(plan)
    kept = recovery.kept_names()
    rows = []
    damaged = []
    for path in paths:
        text = read_record_text(path)
        digest = None
        if cache is not None and text is not None and not recovery.has_kept(path, kept):
            digest = cache.digest(text)
        row = cache.get(digest) if cache is not None and digest is not None else None
        if row is None:
            try:
                record = record_from_text(path, text)
            except ProblemError as problem:
                damaged.append(problem)  # reported beside the figures, never hiding the others
                continue
            row = incident_report(record, plan, now).figures()
            if cache is not None and digest is not None:
                cache.put(digest, row)
        if (first and row.opened_at < first) or (last and row.opened_at >= last):
            continue
        rows.append(row)
    if cache is not None:
        cache.save()
    rows.sort(key=lambda r: r.opened_at)
    incidents = [r for r in rows if r.kind != "maintenance"]
    maintenances = [r for r in rows if r.kind == "maintenance"]
    language = locale or plan.default_locale  # the rows hold ids and figures only: one cache for every language
    return PeriodReport(since, until, incidents, list(plan.severities), damaged, maintenances, language)
