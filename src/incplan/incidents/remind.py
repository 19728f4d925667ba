"""Reminders that a customer update is due (SPEC §6 `incident remind`), for cron or scheduled CI.

Every open incident whose next customer update is due within the window, or overdue, is listed.
With sending, each of the severity's internal channels that has `delivery:` gets one reminder
per due time: under the record's lock the record is read again, the reminder sent only if no
`reminded` event for that due time and channel says it was delivered, and the outcome recorded
as a `reminded` event. So a job running every minute, or two running at once, never spams; a
failed delivery is tried again on the next run, at most `MAX_ATTEMPTS` times per due time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from incplan.incidents.models import Reminded

if TYPE_CHECKING:
    from incplan.delivery.base import Job
    from incplan.incidents.models import Record
    from incplan.incidents.service import Status
    from incplan.incidents.state import State
    from incplan.json_types import JSONObject
    from incplan.plan.models import MessageSpec, Plan

DEFAULT_WINDOW = timedelta(minutes=5)
MAX_ATTEMPTS = 3

# The built-in reminder, per locale (the plan's `reminder` replaces it).
BUILT_IN: dict[str, dict[str, str]] = {
    "en": {
        "subject": "Customer update due: {{ incident.title }}",
        "body": (
            "Reminder: the next customer update for “{{ incident.title }}” ({{ severity.id }}, {{ stage.name }}) "
            "is due by {{ next_update }}.\nSend it: incplan notify --incident {{ incident.id }}"
        ),
    },
    "pl": {
        "subject": "Czas na informację dla klientów: {{ incident.title }}",
        "body": (
            "Przypomnienie: kolejna informacja dla klientów o „{{ incident.title }}” ({{ severity.id }}, "
            "{{ stage.name }}) ma wyjść do {{ next_update }}.\nWyślij ją: incplan notify --incident {{ incident.id }}"
        ),
    },
}


@dataclass
class Sent:
    channel: str
    delivered: bool
    error: str | None = None


@dataclass
class Shown:
    """`--dry-run`: the request a reminder would be, secrets masked, or why it could not be sent."""

    channel: str
    request: str
    can_send: bool


@dataclass
class DueUpdate:
    status: Status
    due_at: datetime
    now: datetime
    sent: list[Sent] = field(default_factory=list)
    already: list[str] = field(default_factory=list)  # channels reminded of this due time before
    shown: list[Shown] = field(default_factory=list)  # --dry-run
    unsent: list[str] = field(default_factory=list)  # --send: why no channel could be reminded

    @property
    def overdue_by(self) -> timedelta | None:
        return self.now - self.due_at if self.now > self.due_at else None

    @property
    def due_in(self) -> timedelta | None:
        return None if self.now > self.due_at else self.due_at - self.now

    def as_json(self) -> JSONObject:
        state = self.status.state
        return {
            "id": state.id,
            "title": state.title,
            "severity": state.severity,
            "stage": state.stage,
            "due_at": self.due_at.isoformat(),
            "due_in_s": int(self.due_in.total_seconds()) if self.due_in is not None else None,
            "overdue_by_s": int(self.overdue_by.total_seconds()) if self.overdue_by is not None else None,
            "reminders": [{"channel": s.channel, "delivered": s.delivered, "error": s.error} for s in self.sent],
            "reminded_before": self.already,
            **(
                {"dry_run": [{"channel": r.channel, "request": r.request, "can_send": r.can_send} for r in self.shown]}
                if self.shown
                else {}
            ),
        }


def due_updates(statuses: list[Status], within: timedelta) -> list[DueUpdate]:
    """Open incidents whose next customer update is due within `within` of now, or overdue;
    the most urgent first."""
    found = []
    for status in statuses:
        due = status.cadence.next_due
        if status.state.open and due is not None and due - status.now <= within:
            found.append(DueUpdate(status, due, status.now))
    return sorted(found, key=lambda d: d.due_at)


def is_internal(plan: Plan, channel_id: str) -> bool:
    channel = plan.channels.get(channel_id)
    return channel is not None and not channel.is_customer


def reminder_channels(plan: Plan, severity: str) -> list[str]:
    """The severity's internal channels that incplan can post to (never a status page)."""
    sev = plan.severities.get(severity)
    out = []
    for channel_id in sev.channels if sev else []:
        channel = plan.channels.get(channel_id)
        delivers = channel is not None and channel.delivery is not None and channel.delivery.kind != "statuspage"
        if delivers and is_internal(plan, channel_id):
            out.append(channel_id)
    return out


def _due_jobs(plan: Plan, record: Record, item: DueUpdate) -> list[Job]:
    """The reminders still to send for `item`: one job per internal channel with delivery that
    was not reminded of this due time yet (nor tried `MAX_ATTEMPTS` times)."""
    from incplan.incidents.state import cadence, fold

    view = plan.for_record(record)  # a maintenance: its cadence and channels
    state = fold(record, view)
    current = cadence(state, view, item.now)
    if not state.open or current.next_due != item.due_at:
        return []  # someone posted the update (or resolved) meanwhile
    jobs: list[Job] = []
    for channel_id in reminder_channels(view, state.severity):
        earlier = [
            e for e in record.events if isinstance(e, Reminded) and e.channel == channel_id and e.due == item.due_at
        ]
        if any(e.delivered for e in earlier) or len(earlier) >= MAX_ATTEMPTS:
            item.already.append(channel_id)
            continue
        jobs.extend(reminder_jobs(view, state, channel_id, item.due_at, item.now))
    from incplan.delivery.run import held_back_when_secret

    return held_back_when_secret(view, jobs)  # a title edited by hand may hold a secret


def _undeliverable(plan: Plan, record: Record, item: DueUpdate) -> list[tuple[str, str, str | None]]:
    """When none of the severity's internal channels has `delivery:`: per channel posted by
    hand, why and the reminder it would post (channel, reason, text); nothing when some channel
    can be reminded."""
    from incplan.incidents.state import fold

    view = plan.for_record(record)
    state = fold(record, view)
    if not state.open or reminder_channels(view, state.severity):
        return []
    sev = view.severities.get(state.severity)
    internal = [c for c in (sev.channels if sev else []) if is_internal(view, c)]
    if not internal:
        return [("(none)", f"{state.severity} routes to no internal channel", None)]
    found: list[tuple[str, str, str | None]] = []
    for channel_id in internal:
        locale = view.channels[channel_id].posts_in(view.default_locale)[0]
        subject, body = reminder_text(view, state, channel_id, locale, item.due_at, item.now)
        text = (f"{subject}\n\n" if subject else "") + body
        found.append((channel_id, f"`{channel_id}` has no `delivery:` (posted by hand)", text))
    return found


def show_reminders(plan: Plan, item: DueUpdate) -> DueUpdate:
    """`--dry-run`: the exact requests the reminders of one incident would be (secrets masked),
    or why none can be sent; nothing is sent or recorded."""
    from incplan.delivery.run import dry_run
    from incplan.incidents import store

    record = store.read_record_fast(item.status.path)
    item.shown = [Shown(*shown) for shown in dry_run(_due_jobs(plan, record, item))] or [
        Shown(channel, f"cannot send: {why}" + (f"; it would read:\n{text}" if text else ""), False)
        for channel, why, text in _undeliverable(plan, record, item)
    ]
    return item


def send_reminders(plan: Plan, item: DueUpdate) -> DueUpdate:
    """Send the due reminders of one incident, at most once per due time and channel."""
    from incplan.incidents import store

    def events(record: Record) -> list[dict[str, object]]:
        jobs = _due_jobs(plan, record, item)
        if not jobs:
            return []
        from incplan.delivery.run import deliver_all

        outcomes = deliver_all(jobs)
        locales = {j.channel: j.locale for j in jobs}
        out = []
        for outcome in outcomes:
            item.sent.append(Sent(outcome.channel, outcome.delivered, outcome.error))
            out.append(
                {
                    "at": item.now,
                    "type": "reminded",
                    "due": item.due_at,
                    "channel": outcome.channel,
                    "locale": locales.get(outcome.channel),
                    "delivered": outcome.delivered,
                    "error": outcome.error,
                }
            )
        return out

    store.append_events(item.status.path, events)
    if not item.sent and not item.already:
        record = store.read_record_fast(item.status.path)
        item.unsent = [why for _, why, _ in _undeliverable(plan, record, item)]
    return item


def reminder_jobs(plan: Plan, state: State, channel_id: str, due_at: datetime, now: datetime) -> list[Job]:
    """One job per locale the channel posts in (one post: the texts joined, default first)."""
    from incplan.delivery.base import Job

    channel = plan.channels[channel_id]
    locales = channel.posts_in(plan.default_locale)
    texts = [reminder_text(plan, state, channel_id, locale, due_at, now) for locale in locales]
    subject = texts[0][0]
    # a reminder is plain text, also on an html channel
    separator = channel.separator if channel.format != "html" or channel.locale_separator else "\n\n---\n\n"
    body = separator.join(body for _, body in texts)
    sev = plan.severities.get(state.severity)
    assert channel.delivery is not None
    return [
        Job(
            channel=channel_id,
            channel_name=channel.name,
            kind=channel.delivery.kind,
            settings=channel.delivery,
            stage=state.stage,
            stage_final=False,
            severity=state.severity,
            impact=sev.impact if sev else None,
            incident_id=state.id,
            incident_title=state.title,
            subject=subject,
            body=body,
            format="text",
            locale=locales[0],
        )
    ]


def _spec_for(plan: Plan, locale: str) -> tuple[str | None, str]:
    spec: MessageSpec | None = plan.reminder
    if spec is not None:
        if locale != plan.default_locale and locale in spec.translations:
            tr = spec.translations[locale]
            return (tr.subject if tr.subject is not None else spec.subject), tr.body
        return spec.subject, spec.body
    return _built_in(locale)


def reminder_text(
    plan: Plan, state: State, channel_id: str, locale: str, due_at: datetime, now: datetime
) -> tuple[str | None, str]:
    """(subject, body) in `locale`; the plan's `reminder` template, or the built-in one when
    the plan has none (or its template fails: a reminder must still go out)."""
    from jinja2 import TemplateSyntaxError

    from incplan.localize import LocalTime
    from incplan.templates.cache import compile_template
    from incplan.templates.context import IncidentInfo, build_context
    from incplan.templates.render import RenderError, render
    from incplan.variables import values_in

    context = build_context(
        plan,
        stage=state.stage,
        channel=channel_id,
        severity=state.severity,
        variables=values_in(plan, state.variables, locale, example=False, needs=set())[0],
        incident=IncidentInfo(id=state.id, title=state.title, started_at=state.opened_at),
        now=now,
        locale=locale,
    )
    context["next_update"] = LocalTime(due_at, plan.organization.timezone, locale, plan.organization.time_format)
    for subject, body in (_spec_for(plan, locale), _built_in(locale)):
        try:
            rendered_subject = render(compile_template(subject), context) if subject else None
            return rendered_subject, render(compile_template(body), context)
        except (RenderError, TemplateSyntaxError):  # the plan's template: fall back to the built-in one
            continue
    return None, f"{state.title}: customer update due by {context['next_update']}"


def _built_in(locale: str) -> tuple[str, str]:
    built_in = BUILT_IN.get(locale.split("-")[0], BUILT_IN["en"])
    return built_in["subject"], built_in["body"]


def window_of(text: str) -> timedelta:
    from incplan.diagnostics import UsageError
    from incplan.plan.durations import parse_duration

    try:
        return parse_duration(text)
    except ValueError:
        raise UsageError(f"--within `{text}` is not a duration", hint="write it like 5m, 90s or 1h") from None
