"""Turn composed messages into delivery jobs, show them (--dry-run) or deliver them.

One channel failing never stops the others; every outcome is returned for the record."""

from __future__ import annotations

from typing import TYPE_CHECKING

from incplan.delivery.base import DeliveryFailed, Job, Outcome, Secrets

if TYPE_CHECKING:
    from datetime import datetime
    from pathlib import Path

    from incplan.incidents.state import State
    from incplan.plan.models import Plan
    from incplan.templates.compose import Composition


def jobs_for(plan: Plan, result: Composition, state: State) -> tuple[list[Job], list[str]]:
    """(jobs for channels with `delivery:`, channels to post by hand)."""
    jobs, by_hand = [], []
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
                subject=message.subject,
                body=message.body,
                format=message.format,
                locale=message.locale,
                previous_ref=previous if channel.delivery.kind == "statuspage" else None,
            )
        )
    return jobs, by_hand


def dry_run(jobs: list[Job]) -> list[tuple[str, str]]:
    """Each request exactly as it would be sent, secrets masked; or why it could not be."""
    from incplan.delivery.registry import adapter

    shown = []
    for job in jobs:
        secrets = Secrets()
        try:
            requests = adapter(job.kind).prepare(job, secrets)
            shown.append((job.channel, "\n\n".join(r.shown(secrets) for r in requests)))
        except DeliveryFailed as exc:
            shown.append((job.channel, f"cannot send: {secrets.mask(str(exc))}"))
    return shown


def deliver_all(jobs: list[Job]) -> list[Outcome]:
    from incplan.delivery.http import client as http_client
    from incplan.delivery.registry import adapter

    outcomes = []
    with http_client() as client:
        for job in jobs:
            secrets = Secrets()
            try:
                outcomes.append(adapter(job.kind).deliver(job, secrets, client))
            except DeliveryFailed as exc:
                outcomes.append(Outcome(job.channel, False, error=secrets.mask(str(exc))))
            except Exception as exc:  # an adapter bug must not stop the other channels
                outcomes.append(Outcome(job.channel, False, error=secrets.mask(f"{type(exc).__name__}: {exc}")))
    return outcomes


def deliver_and_record(result: Composition, jobs: list[Job], record_path: Path, now: datetime) -> list[Outcome]:
    """Deliver every job; each outcome, success or failure, becomes a `notified` event that
    keeps the text that went out."""
    from incplan.announce import notified_event
    from incplan.incidents.service import record_notified

    outcomes = deliver_all(jobs)
    messages = {m.channel: m for m in result.messages}
    if outcomes:
        record_notified(
            record_path,
            [
                notified_event(messages[o.channel], result, now, delivered=o.delivered, ref=o.ref, error=o.error)
                for o in outcomes
            ],
        )
    return outcomes
