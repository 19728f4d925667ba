"""Announcing a stage: the use case behind `incplan notify`.

The flag rules, the record (title, severity, stage, variables, roles, components), the channels
(after a downgrade too), the composition, and what is recorded or delivered all live here; the
command only parses options, asks for confirmation and prints the `Announcement`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from incplan.diagnostics import UsageError

if TYPE_CHECKING:
    from incplan.delivery.base import Outcome
    from incplan.delivery.run import NotRecorded
    from incplan.incidents.state import State
    from incplan.json_types import JSONObject
    from incplan.plan.models import Plan
    from incplan.templates.compose import ComposedMessage, Composition


@dataclass
class NotifyOptions:
    """What `notify` was asked to do, as the user typed it."""

    stage: str | None = None
    severity: str | None = None
    channels: list[str] = field(default_factory=list)
    title: str | None = None
    variables: dict[str, str] = field(default_factory=dict)
    vars_file: str | None = None
    locale: str | None = None
    example: bool = False
    incident: str | None = None
    posted: bool = False
    send: bool = False
    dry_run: bool = False
    yes: bool = False
    force: bool = False
    at: str | None = None
    update_text: str = ""


@dataclass
class Announcement:
    """What `notify` composed, and what it recorded or delivered."""

    composition: Composition
    incident: str | None = None
    recorded: int = 0  # messages recorded as posted by hand
    outcomes: list[Outcome] = field(default_factory=list)  # deliveries, one per channel
    by_hand: list[str] = field(default_factory=list)  # channels without `delivery:` (with --send)
    requests: list[tuple[str, str]] = field(default_factory=list)  # --dry-run: channel, request
    declined: bool = False  # the user answered no to "Send?"
    sending: bool = False
    blocked: list[str] = field(default_factory=list)  # --dry-run: channels that could not be sent to
    not_recorded: NotRecorded | None = None  # delivered, but the record could not be written
    reader: str = "en"  # the language of incplan's own words around the messages (`wording`)

    @property
    def warnings(self) -> list[str]:
        return self.composition.warnings

    @property
    def failed(self) -> list[str]:
        return [o.channel for o in self.outcomes if not o.delivered]

    @property
    def exit_code(self) -> int:
        if self.blocked:
            return 2  # --dry-run: a send could not happen (e.g. a credential variable unset)
        if self.failed or self.not_recorded is not None:
            return 1
        if not self.composition.messages and not self.sending:
            return 1
        return 0

    def as_json(self) -> JSONObject:
        c = self.composition
        payload: JSONObject = {
            "stage": c.stage,
            "severity": c.severity,
            "locale": c.locale,
            "messages": [
                {
                    "channel": m.channel,
                    "audience": m.audience,
                    "locale": m.locale,
                    "locales": m.locales,
                    "subject": m.subject,
                    "body": m.body,
                    "length": m.measure.length,
                    "max_length": m.measure.max_length,
                    "over_limit": m.measure.over_limit,
                }
                for m in c.messages
            ],
        }
        if self.incident:
            payload["incident"] = self.incident
            payload["update"] = c.update_text
            payload["recorded"] = self.recorded
        if self.sending:
            payload["deliveries"] = [
                {"channel": o.channel, "delivered": o.delivered, "ref": o.ref, "error": o.error} for o in self.outcomes
            ]
            payload["post_by_hand"] = self.by_hand
        return payload


Confirm = Callable[[str], bool]


def announce(plan: Plan, plan_path: Path, options: NotifyOptions, *, confirm: Confirm | None = None) -> Announcement:
    """Compose the stage's messages; record them (`posted`) or deliver and record (`send`)."""
    from incplan import clock
    from incplan.templates.compose import compose
    from incplan.variables import merge, read_vars_file

    _flag_rules(options)
    tz = plan.organization.timezone
    now = clock.now(tz)
    values = merge(read_vars_file(options.vars_file) if options.vars_file else {}, options.variables)
    from incplan.controls import check_entered

    check_entered(title=options.title, update=options.update_text, variables=values)
    from incplan.delivery.pasted import refuse_pasted

    refuse_pasted(plan, title=options.title, update=options.update_text, variables=values)
    if not options.incident:
        at = clock.entered(options.at, "--at", timezone=tz, now=now) if options.at else now
        if options.stage is None:
            raise UsageError("which stage? give --stage", hint="or --incident ID to use the incident's current stage")
        composition = compose(
            plan,
            stage=options.stage,
            now=at,
            severity=options.severity,
            channels=options.channels or None,
            title=options.title,
            variables=values,
            locale=options.locale,
            example=options.example,
            update_text=options.update_text,
        )
        _check_update_shown(composition)
        return Announcement(composition)

    from incplan.incidents.state import fold
    from incplan.incidents.store import incidents_dir, read_record_fast, record_path

    path = record_path(incidents_dir(plan, plan_path), options.incident)
    record = read_record_fast(path)
    plan = plan.for_record(record)  # a maintenance: its stages, templates and channels
    state = fold(record, plan)
    at = clock.entered(options.at, "--at", timezone=tz, now=now, not_before=record.opened_at)
    stage = _stage(plan, state, options)
    severity = options.severity or state.severity
    composition = compose(
        plan,
        stage=stage,
        now=at,
        severity=severity,
        channels=options.channels or channels_for(plan, state, severity),
        title=options.title or state.title,
        variables=merge(state.variables, values),
        locale=options.locale,
        example=options.example,
        incident_id=state.id,
        started_at=record.opened_at,
        assigned=state.roles,
        components=state.components,
        update_text=options.update_text,
        window=(state.scheduled_for, state.scheduled_until) if state.scheduled_for else None,
    )
    _check_update_shown(composition)  # before anything is recorded or sent
    result = Announcement(composition, incident=state.id)
    if options.posted and composition.messages:
        from incplan.incidents.service import record_notified

        record_notified(path, [notified_event(m, composition, at, posted=True) for m in composition.messages])
        result.recorded = len(composition.messages)
    if options.send:
        _send(plan, state, path, at, options, result, confirm)
    return result


def _flag_rules(options: NotifyOptions) -> None:
    from incplan.templates.compose import ALL_LOCALES

    if (options.posted or options.send) and not options.incident:
        flag = "--posted" if options.posted else "--send"
        raise UsageError(f"{flag} needs --incident ID", hint="open one with `incplan incident open`")
    if (options.posted or options.send) and options.example:
        raise UsageError("--example text is never posted or sent", hint="give real values with --var")
    if options.posted and options.send:
        raise UsageError("give --posted or --send, not both")
    if options.dry_run and not options.send:
        raise UsageError("--dry-run goes with --send")
    if options.locale == ALL_LOCALES and (options.posted or options.send):
        flag = "--posted" if options.posted else "--send"
        raise UsageError(
            f"--locale all shows every language for review; {flag} records what each channel posts",
            hint=f"leave out --locale (each channel posts in its `locales`), or give one locale with {flag}",
        )


def _check_update_shown(composition: Composition) -> None:
    """`--update TEXT` that no message shows is refused: recorded with messages that never said
    it, the record would claim customers read an update nobody posted."""
    text = composition.update_text
    if not text.strip() or not composition.messages:
        return
    if any(_shows(message, text) for message in composition.messages):
        return
    channels = ", ".join(m.channel for m in composition.messages)
    raise UsageError(
        f"the --update text is in none of the messages ({channels}): "
        f"their `{composition.stage}` templates do not use `{{{{ update.text }}}}`",
        hint=f"add `{{{{ update.text }}}}` to the `{composition.stage}` message of a channel in the plan, "
        "or leave out --update",
    )


def _shows(message: ComposedMessage, text: str) -> bool:
    """Whether the message holds the text as words of its own (`x` is not in `Next`), whatever
    the layout (spaces and line breaks, case) and HTML's escaping (`&` is `&amp;`) did to it."""
    import re
    from html import unescape

    def flat(value: str) -> str:
        return " ".join(value.split()).casefold()

    wanted = re.compile(rf"(?<!\w){re.escape(flat(text))}(?!\w)")
    parts = [
        message.subject or "",
        message.body,
        *(t.body for t in message.texts),
        *(t.subject or "" for t in message.texts),
    ]
    return any(wanted.search(flat(unescape(part))) for part in parts)


def _stage(plan: Plan, state: State, options: NotifyOptions) -> str:
    """The incident's current stage; another one only with --force, and a final stage is never
    recorded or sent while the incident is open."""
    from incplan.plan.names import check_names

    stage = options.stage or state.stage
    check_names(plan, stage=stage)
    if stage == state.stage:
        return stage
    if not options.force:
        raise UsageError(
            f"the incident is at `{state.stage}`, not `{stage}`",
            hint=f"move it first: `incplan incident update {state.id} --stage {stage}` "
            "(or --force to render another stage)",
        )
    if plan.stages[stage].final and state.open and (options.posted or options.send):
        raise UsageError(
            f"`{stage}` ends the incident, which is still open: it is never recorded or sent before that",
            hint=f"resolve it first: `incplan incident update {state.id} --stage {stage}`",
        )
    return stage


def channels_for(plan: Plan, state: State, severity: str) -> list[str]:
    """The severity's channels, plus every customer channel the incident already reached:
    whoever heard "investigating" hears "resolved", after a downgrade too."""
    from incplan.incidents.state import customer_channels_used

    routed = list(plan.severities[severity].channels) if severity in plan.severities else []
    return list(dict.fromkeys([*routed, *customer_channels_used(state, plan)]))


def notified_event(
    message: ComposedMessage, composition: Composition, at: datetime, **outcome: object
) -> dict[str, object]:
    """A `notified` event keeping the exact text that went out; a post in several languages
    keeps each language's text too (`texts`), so that each reader's page shows their own."""
    texts = None
    if len(message.texts) > 1:
        texts = {
            t.locale: {k: v for k, v in (("subject", t.subject), ("body", t.body)) if v is not None}
            for t in message.texts
        }
    return {
        "at": at,
        "stage": composition.stage,
        "channel": message.channel,
        "locale": message.locale,
        **outcome,
        "subject": message.subject,
        "body": message.body,
        "texts": texts,
        "update": composition.update_text or None,
    }


def _send(
    plan: Plan,
    state: State,
    path: Path,
    at: datetime,
    options: NotifyOptions,
    result: Announcement,
    confirm: Confirm | None,
) -> None:
    from incplan.delivery.run import NotRecorded, deliver_and_record, dry_run, jobs_for

    result.sending = True
    jobs, result.by_hand = jobs_for(plan, result.composition, state)
    if options.dry_run:
        shown = dry_run(jobs)
        result.requests = [(channel, text) for channel, text, _ in shown]
        result.blocked = [channel for channel, _, ok in shown if not ok]
        return
    if jobs and not options.yes:
        names = ", ".join(j.channel for j in jobs)
        if confirm is None or not confirm(f"Send the {result.composition.stage} message to {names}?"):
            result.declined = True
            return
    from incplan.delivery.pasted import plan_secrets
    from incplan.incidents.state import fold
    from incplan.incidents.store import delivering, read_record_fast

    # One delivery per incident at a time; the record is read again inside, so a send that waited
    # for another updates the status page incident that one created instead of making a second.
    with delivering(path):
        jobs, result.by_hand = jobs_for(plan, result.composition, fold(read_record_fast(path), plan))
        try:
            result.outcomes = deliver_and_record(result.composition, jobs, path, at, plan_secrets(plan))
        except NotRecorded as problem:  # what went out is printed and kept for the next command
            result.outcomes, result.not_recorded = problem.outcomes, problem
