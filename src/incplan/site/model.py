"""What the public status site shows, folded from the plan and the records (SPEC §10).

Only what customers were told: an incident is public once a customer update with its stored
text went out (posted by hand or delivered on a channel whose audience is customers); its
updates are those texts. Notes, internal channels, variables, roles and people never enter this
model, so no page or feed can show them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from incplan.incidents.models import Notified, Record
    from incplan.incidents.state import State
    from incplan.plan.models import Plan

DAYS = 90
MERGE_WINDOW = timedelta(minutes=1)  # as in reports: updates within a minute are one update
SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$")
# Component statuses, worst first (Statuspage's words); a day or a row shows the worst.
STATUS_ORDER = ("major_outage", "partial_outage", "degraded_performance", "under_maintenance", "operational")
IMPACT_OF_STATUS = {
    "major_outage": "critical",
    "partial_outage": "major",
    "degraded_performance": "minor",
    "under_maintenance": "maintenance",
    "operational": "none",
}
# What an incident's severity impact does to the components it names without saying how.
STATUS_OF_IMPACT = {"critical": "major_outage", "major": "partial_outage", "minor": "degraded_performance"}
IMPACT_ORDER = ("critical", "major", "minor", "maintenance", "none")
STATUSPAGE_INCIDENT = ("investigating", "identified", "monitoring", "resolved")
STATUSPAGE_MAINTENANCE = ("scheduled", "in_progress", "verifying", "completed")


def worst(values: Iterable[str], order: tuple[str, ...]) -> str:
    return min(values, key=order.index, default=order[-1])


@dataclass(frozen=True)
class Text:
    """One customer update as it went out in one language."""

    locale: str
    subject: str | None
    body: str


@dataclass
class Update:
    at: datetime
    stage: str  # the plan's stage id
    status: str  # Statuspage's word for it
    texts: dict[str, Text]  # by locale

    def text(self, locale: str, default: str) -> Text:
        """The text in `locale`, else the default locale's, else any (its `locale` says which)."""
        return self.texts.get(locale) or self.texts.get(default) or next(iter(self.texts.values()))


@dataclass
class Entry:
    """An incident (or a maintenance) as the public sees it."""

    id: str
    kind: str  # incident | maintenance
    title: str
    impact: str  # none | minor | major | critical | maintenance
    stage: str
    status: str
    final: bool
    opened_at: datetime
    resolved_at: datetime | None
    updates: list[Update]  # newest first
    components: dict[str, str]  # component id -> status now (operational once resolved)
    history: dict[str, list[tuple[datetime, str]]]  # component id -> (from, status), in time order
    stage_times: dict[str, datetime] = field(default_factory=dict)  # Statuspage status -> first reached
    scheduled_for: datetime | None = None
    scheduled_until: datetime | None = None

    @property
    def active(self) -> bool:
        return self.resolved_at is None

    @property
    def updated_at(self) -> datetime:
        return max([self.opened_at, *(u.at for u in self.updates), *([self.resolved_at] if self.resolved_at else [])])

    def segments(self, component: str | None, now: datetime) -> list[tuple[datetime, datetime, str]]:
        """(from, until, status) while not operational; `component=None`: the incident as a whole."""
        end = self.resolved_at or now
        if component is None:
            if self.kind == "maintenance":
                start = self.scheduled_for or self.opened_at
                return [(start, end, "under_maintenance")] if start < end else []
            return [(self.opened_at, end, STATUS_OF_IMPACT.get(self.impact, "degraded_performance"))]
        changes = self.history.get(component, [])
        out = []
        for i, (start, status) in enumerate(changes):
            until = changes[i + 1][0] if i + 1 < len(changes) else end
            if status != "operational" and until > start:
                out.append((start, min(until, end), status))
        return out


@dataclass
class Day:
    day: date
    level: str  # an IMPACT_ORDER word
    titles: list[str]


@dataclass
class ComponentRow:
    id: str
    name: dict[str, str]  # by locale
    description: dict[str, str]
    group: str | None  # in the default locale: the rows of one group are shown together
    group_name: dict[str, str]  # by locale
    status: str
    days: list[Day]


@dataclass
class Site:
    org_name: str
    page_id: str
    url: str  # the site's public address, "" when unknown
    timezone: str
    locales: list[str]
    indicator: str
    entries: list[Entry]  # newest first
    rows: list[ComponentRow]
    has_components: bool
    updated_at: datetime | None
    stage_names: dict[str, dict[str, str]]  # stage id -> locale -> name
    now: datetime
    time_format: str = "medium"

    @property
    def default_locale(self) -> str:
        return self.locales[0]

    def active(self, kind: str) -> list[Entry]:
        return [e for e in self.entries if e.kind == kind and e.active]


def localized(obj: object, attribute: str, locale: str) -> str:
    """`obj.attribute` in `locale` from its `translations`, else as written."""
    translations = getattr(obj, "translations", None) or {}
    translated = translations.get(locale)
    value = getattr(translated, attribute, None) if translated is not None else None
    if value is None and isinstance(translated, dict):
        value = translated.get(attribute)
    return str(value if value else getattr(obj, attribute, "") or "")


def statuspage_status(entry_kind: str, stage: str, final: bool, started: bool = True) -> str:
    if entry_kind == "maintenance":
        if final:
            return "completed"
        return stage if stage in STATUSPAGE_MAINTENANCE else ("in_progress" if started else "scheduled")
    if final:
        return "resolved"
    return stage if stage in STATUSPAGE_INCIDENT else "investigating"


def _customer_channels(plan: Plan) -> dict[str, int]:
    """Customer channels by preference for the site's text: status pages first, HTML last."""
    ranked = {}
    for position, (channel_id, channel) in enumerate(plan.channels.items()):
        if "customer" not in channel.audience.lower():
            continue
        rank = (0 if channel.type == "status_page" else 1) * 1000 + (500 if channel.format == "html" else 0)
        ranked[channel_id] = rank + position
    return ranked


def _updates(state: State, plan: Plan, kind: str) -> list[Update]:
    """Customer updates with their stored texts, one per minute-cluster, newest first."""
    ranked = _customer_channels(plan)
    sent = sorted(
        (n for n in state.notifications if n.counts and n.channel in ranked and n.body),
        key=lambda n: (n.at, ranked[n.channel]),
    )
    clusters: list[list[Notified]] = []
    for n in sent:
        if clusters and n.at - clusters[-1][0].at <= MERGE_WINDOW:
            clusters[-1].append(n)
        else:
            clusters.append([n])
    updates = []
    for cluster in clusters:
        texts: dict[str, Text] = {}
        best: dict[str, int] = {}
        for n in cluster:
            # a post in several languages: each language's page shows its own part
            parts = (
                [(loc, t.subject, t.body) for loc, t in n.texts.items()]
                if n.texts
                else [(n.locale or plan.default_locale, n.subject, n.body)]
            )
            for locale, subject, text in parts:
                if locale in best and best[locale] <= ranked[n.channel]:
                    continue
                body = str(text)
                if plan.channels[n.channel].format == "html":
                    body = _text_of_html(body)
                best[locale] = ranked[n.channel]
                texts[locale] = Text(locale, subject, body)
        stage = cluster[0].stage
        final = stage in plan.stages and plan.stages[stage].final
        updates.append(Update(cluster[0].at, stage, statuspage_status(kind, stage, final), texts))
    updates.reverse()
    return updates


def _text_of_html(html: str) -> str:
    from html.parser import HTMLParser

    parts: list[str] = []

    class _Text(HTMLParser):
        def handle_data(self, data: str) -> None:
            parts.append(data)

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag in ("br", "p", "div", "li", "tr"):
                parts.append("\n")

    parser = _Text()
    parser.feed(html)
    parser.close()
    return re.sub(r"\n{3,}", "\n\n", "".join(parts)).strip()


def entry_of(record: Record, plan: Plan, now: datetime) -> Entry | None:
    """The public view of one record, or None while customers were told nothing."""
    from incplan.incidents.state import fold

    if not SAFE_ID.fullmatch(record.id):
        return None
    plan = plan.for_record(record)  # a maintenance: its own stages
    state = fold(record, plan)
    kind = str(getattr(record, "kind", None) or "incident")
    updates = _updates(state, plan, kind)
    if not updates:
        return None
    stage_final = state.stage in plan.stages and plan.stages[state.stage].final
    if kind == "maintenance":
        impact = "maintenance"
    else:
        impacts = [plan.severities[s].impact for s, _ in state.severities if s in plan.severities]
        impact = worst(impacts, IMPACT_ORDER) if impacts else "major"
    history = _component_history(record, state, plan)
    stage_times: dict[str, datetime] = {}
    for stage, at in state.stages:
        final = stage in plan.stages and plan.stages[stage].final
        stage_times.setdefault(statuspage_status(kind, stage, final), at)
    current = {c: (changes[-1][1] if changes else "operational") for c, changes in history.items()}
    return Entry(
        id=record.id,
        kind=kind,
        title=state.title,
        impact=impact,
        stage=state.stage,
        status=statuspage_status(kind, state.stage, stage_final, "in_progress" in stage_times),
        final=stage_final,
        opened_at=record.opened_at,
        resolved_at=state.resolved_at,
        updates=updates,
        components=current,
        history=history,
        stage_times=stage_times,
        scheduled_for=getattr(record, "scheduled_for", None),
        scheduled_until=getattr(record, "scheduled_until", None),
    )


def _component_history(record: Record, state: State, plan: Plan) -> dict[str, list[tuple[datetime, str]]]:
    declared = getattr(plan, "components", None) or {}
    history: dict[str, list[tuple[datetime, str]]] = {}
    for event in sorted(record.events, key=lambda e: e.at):
        for component, status in (getattr(event, "components", None) or {}).items():
            if component in declared:
                history.setdefault(component, []).append((event.at, str(status)))
    history = {c: history[c] for c in declared if c in history}  # the plan's order, as on the page
    if state.resolved_at is not None:
        for changes in history.values():
            if changes[-1][1] != "operational":
                changes.append((state.resolved_at, "operational"))
    return history


def build_model(plan: Plan, entries: list[Entry], now: datetime, url: str = "") -> Site:
    from incplan.incidents.ids import slugify
    from incplan.localize import zone as named_zone
    from incplan.site.texts import words

    zone = named_zone(plan.organization.timezone)
    entries = sorted(entries, key=lambda e: (e.opened_at, e.id), reverse=True)
    locales = list(plan.organization.locales)
    declared = getattr(plan, "components", None) or {}
    active = [e for e in entries if e.active]

    def status_now(component: str) -> str:
        statuses = [e.components[component] for e in active if component in e.components]
        return worst(statuses, STATUS_ORDER)

    today = now.astimezone(zone).date()
    window = [today - timedelta(days=DAYS - 1 - i) for i in range(DAYS)]
    start = datetime.combine(window[0], datetime.min.time(), zone)
    recent = [e for e in entries if (e.resolved_at or now) >= start]
    rows = []
    if declared:
        for component_id, component in declared.items():
            rows.append(
                ComponentRow(
                    component_id,
                    {loc: localized(component, "name", loc) for loc in locales},
                    {loc: localized(component, "description", loc) for loc in locales},
                    getattr(component, "group", None),
                    {loc: localized(component, "group", loc) for loc in locales} if component.group else {},
                    status_now(component_id),
                    _days(recent, component_id, window, zone, now),
                )
            )
    else:
        product = plan.organization.product or plan.organization.name
        overall = [STATUS_OF_IMPACT.get(e.impact, "under_maintenance") for e in active if e.kind == "incident"]
        rows.append(
            ComponentRow(
                "service",
                dict.fromkeys(locales, product),
                dict.fromkeys(locales, ""),
                None,
                {},
                worst(overall, STATUS_ORDER),
                _days(recent, None, window, zone, now),
            )
        )
    impacts = [e.impact for e in active if e.kind == "incident"]
    impacts += [IMPACT_OF_STATUS[r.status] for r in rows]
    if any(e.kind == "maintenance" and e.status in ("in_progress", "verifying") for e in active):
        impacts.append("maintenance")
    indicator = worst(impacts, IMPACT_ORDER)
    stamps = [e.updated_at for e in entries]
    stage_names = {
        stage_id: {loc: localized(stage, "name", loc) for loc in locales} for stage_id, stage in plan.stages.items()
    }
    own = plan.maintenance is not None and "stages" in plan.maintenance.model_fields_set
    for stage_id, stage in plan.maintenance_view().stages.items():
        # the plan's own stages in its words; Statuspage's four, when it has none, in the site's
        names = {loc: localized(stage, "name", loc) if own else words(loc)[f"stage.{stage_id}"] for loc in locales}
        stage_names.setdefault(stage_id, names)
    return Site(
        org_name=plan.organization.name,
        page_id=slugify(plan.organization.name),
        url=url or plan.organization.status_page_url or "",
        timezone=plan.organization.timezone,
        locales=locales,
        indicator=indicator,
        entries=entries,
        rows=rows,
        has_components=bool(declared),
        updated_at=max(stamps) if stamps else None,
        stage_names=stage_names,
        now=now,
        time_format=plan.organization.time_format,
    )


def _days(entries: list[Entry], component: str | None, window: list[date], zone: ZoneInfo, now: datetime) -> list[Day]:
    by_day: dict[date, list[tuple[str, str]]] = {}
    first = window[0]
    for entry in entries:
        for start, until, status in entry.segments(component, now):
            day = max(start.astimezone(zone).date(), first)
            last = until.astimezone(zone).date()
            while day <= last and day <= window[-1]:
                by_day.setdefault(day, []).append((IMPACT_OF_STATUS[status], entry.title))
                day += timedelta(days=1)
    days = []
    for day in window:
        seen = by_day.get(day, [])
        days.append(Day(day, worst([lvl for lvl, _ in seen], IMPACT_ORDER), list(dict.fromkeys(t for _, t in seen))))
    return days
