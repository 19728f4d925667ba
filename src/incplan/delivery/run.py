"""Turn composed messages into delivery jobs, show them (--dry-run) or deliver them.

One channel failing never stops the others; every outcome is returned for the record."""

from __future__ import annotations

from typing import TYPE_CHECKING

from incplan.delivery.base import DeliveryFailed, Job, Outcome, Secrets, Transport

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from datetime import datetime
    from pathlib import Path

    from incplan.incidents.state import State
    from incplan.plan.models import Plan
    from incplan.templates.compose import Composition


def jobs_for(plan: Plan, result: Composition, state: State) -> tuple[list[Job], list[str]]:
    """(jobs for channels with `delivery:`, channels to post by hand)."""
    from incplan.delivery.pasted import plan_secrets

    jobs, by_hand = [], []
    secrets = plan_secrets(plan)
    severity = result.severity or state.severity
    impact = plan.severities[severity].impact if severity in plan.severities else None
    stage = plan.stages[result.stage]
    for message in result.messages:
        channel = plan.channels[message.channel]
        if channel.delivery is None:
            by_hand.append(message.channel)
            continue
        previous = next(
            (n.ref for n in reversed(state.notifications) if n.channel == message.channel and n.delivered and n.ref),
            None,
        )
        jobs.append(
            Job(
                channel=message.channel,
                channel_name=channel.name,
                kind=channel.delivery.kind,
                settings=channel.delivery,
                stage=result.stage,
                stage_final=stage.final,
                severity=severity,
                impact=impact,
                incident_id=state.id,
                incident_title=state.title,
                components=dict(state.components),
                scheduled_for=state.scheduled_for if state.kind == "maintenance" else None,
                scheduled_until=state.scheduled_until if state.kind == "maintenance" else None,
                subject=message.subject,
                body=message.body,
                format=message.format,
                locale=message.locale,
                previous_ref=previous if channel.delivery.kind == "statuspage" else None,
            )
        )
        texts = (message.subject, message.body, state.title, *(x for t in message.texts for x in (t.subject, t.body)))
        hold_back(jobs[-1], texts, secrets)
    return jobs, by_hand


def hold_back(job: Job, texts: Iterable[str | None], secrets: Mapping[str, str]) -> None:
    """Mark `job` as not to be sent when one of `texts` (what it would post) holds a secret the
    plan's delivery reads (`delivery/pasted.py`): notify, remind and roster all ask this."""
    from incplan.delivery.pasted import holding, withheld

    held = next((name for name in (holding(t, secrets) for t in texts) if name), None)
    if held:
        job.held_back = withheld(held)


def held_back_when_secret(plan: Plan, jobs: list[Job]) -> list[Job]:
    """`jobs` (built by another command than notify), each held back when its subject, body or
    title holds a secret."""
    from incplan.delivery.pasted import plan_secrets

    secrets = plan_secrets(plan)
    if secrets:
        for job in jobs:
            hold_back(job, (job.subject, job.body, job.incident_title), secrets)
    return jobs


def dry_run(jobs: list[Job]) -> list[tuple[str, str, bool]]:
    """Each request exactly as it would be sent, secrets masked; or why it could not be
    (channel, text, could be sent)."""
    from incplan.delivery.registry import adapter

    shown = []
    for job in jobs:
        secrets = Secrets()
        if job.held_back:
            shown.append((job.channel, f"cannot send: {job.held_back}", False))
            continue
        try:
            requests = adapter(job.kind).prepare(job, secrets)
            shown.append((job.channel, "\n\n".join(r.shown(secrets) for r in requests), True))
        except DeliveryFailed as exc:
            shown.append((job.channel, f"cannot send: {secrets.mask(str(exc))}", False))
        except Exception as exc:  # an adapter bug must not hide the other channels
            shown.append((job.channel, f"cannot send: {secrets.mask(f'{type(exc).__name__}: {exc}')}", False))
    return shown


def deliver_all(jobs: list[Job], transport: Transport | None = None) -> list[Outcome]:
    """Deliver every job in order, through one transport (one HTTP client, the retry policy):
    `transport`, or one made for these jobs and closed after them."""
    from incplan.delivery.registry import adapter

    if transport is None:
        with Transport() as made:
            return deliver_all(jobs, made)
    outcomes = []
    for job in jobs:
        secrets = Secrets()
        if job.held_back:
            outcomes.append(Outcome(job.channel, False, error=job.held_back))
            continue
        try:
            receipt = adapter(job.kind).deliver(job, secrets, transport)
            outcomes.append(Outcome(job.channel, True, ref=receipt.ref, detail=secrets.mask(receipt.detail)))
        except DeliveryFailed as exc:
            outcomes.append(Outcome(job.channel, False, error=secrets.mask(str(exc))))
        except Exception as exc:  # an adapter bug must not stop the other channels
            outcomes.append(Outcome(job.channel, False, error=secrets.mask(f"{type(exc).__name__}: {exc}")))
    return outcomes


class NotRecorded(Exception):
    """Messages went out but their record could not be written: the outcomes, why, and the
    recovery file that keeps them until the next command on the incident merges them."""

    def __init__(
        self, outcomes: list[Outcome], reason: str, kept: Path | None, events: list[dict[str, object]]
    ) -> None:
        super().__init__(reason)
        self.outcomes = outcomes
        self.reason = reason
        self.kept = kept
        self.events = events


def deliver_and_record(
    result: Composition, jobs: list[Job], record_path: Path, now: datetime, secrets: Mapping[str, str] | None = None
) -> list[Outcome]:
    """Deliver every job; each outcome, success or failure, becomes a `notified` event that
    keeps the text that went out. When the record cannot be written, the events go to a
    recovery file and `NotRecorded` is raised. `secrets` (delivery/pasted.py) are masked in
    what is kept of a message held back for holding one."""
    from incplan.announce import notified_event
    from incplan.diagnostics import ProblemError, UsageError
    from incplan.incidents.service import record_notified

    outcomes = deliver_all(jobs)
    messages = {m.channel: m for m in result.messages}
    if not outcomes:
        return outcomes
    events = [
        notified_event(messages[o.channel], result, now, delivered=o.delivered, ref=o.ref, error=o.error)
        for o in outcomes
    ]
    if secrets and any(job.held_back for job in jobs):  # what was not sent for a secret it holds: masked
        from incplan.delivery.pasted import masked

        for event in events:
            for key in ("subject", "body", "update"):
                if isinstance(text := event[key], str):
                    event[key] = masked(text, secrets)
            if isinstance(texts := event["texts"], dict):
                event["texts"] = {
                    locale: {k: masked(v, secrets) for k, v in text.items()} for locale, text in texts.items()
                }
    try:
        record_notified(record_path, events)
    except (UsageError, ProblemError, OSError) as exc:
        reason = exc.message if isinstance(exc, UsageError | ProblemError) else _os_reason(exc)
        from incplan.incidents import recovery

        try:
            kept: Path | None = recovery.keep(record_path, [{"type": "notified", **e} for e in events])
        except OSError:
            kept = None
        raise NotRecorded(outcomes, reason, kept, events) from None
    return outcomes


def _os_reason(exc: OSError) -> str:
    where = f" `{exc.filename}`" if exc.filename else ""
    return f"{exc.strerror or exc}{where}"
