"""`incplan notify`: the exact message of a stage for each channel, ready to post."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

import typer

from incplan.cli.output import choose, handled

if TYPE_CHECKING:
    from incplan.templates.compose import ComposedMessage, Composition

FORMATS = ["rich", "text", "json", "markdown"]


def notify(
    stage: str = typer.Option(None, "--stage", "-s", help="Stage to announce (default with --incident: its current)."),
    severity: str = typer.Option(None, "--severity", help="Severity id; decides the channels and the cadence."),
    channel: list[str] = typer.Option([], "--channel", "-c", help="Only this channel; repeatable."),
    title: str = typer.Option(None, "--title", help="Incident title."),
    var: list[str] = typer.Option([], "--var", help="NAME=VALUE for a template variable; repeatable."),
    vars_file: str = typer.Option(None, "--vars", metavar="FILE", help="YAML or JSON file of variables."),
    locale: str = typer.Option(None, "--locale", "-l", help="Message language (default: the plan's first)."),
    example: bool = typer.Option(False, "--example", help="Fill variables from their declared examples."),
    incident: str = typer.Option(
        None, "--incident", "-i", metavar="ID", help="Take title, severity, stage, variables from a record."
    ),
    posted: bool = typer.Option(
        False, "--posted", help="Record in the incident that these messages were posted by hand."
    ),
    send: bool = typer.Option(False, "--send", help="Deliver to channels with `delivery:` (needs --incident)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="With --send: show the exact requests, send nothing."),
    yes: bool = typer.Option(False, "--yes", "-y", help="With --send: do not ask for confirmation."),
    at: str = typer.Option(None, "--at", metavar="TIME", help="When they were posted (with --posted; default now)."),
    format: str = typer.Option("rich", "--format", "-f", metavar="rich|text|json|markdown", help="Output format."),
    plan: str = typer.Option(None, "--plan", "-p", metavar="PATH", help="Plan file (default: discovered)."),
) -> None:
    """Render the stage's message for every channel the severity uses (or --channel)."""
    choose("format", format, FORMATS)
    with handled():
        from incplan import clock
        from incplan.diagnostics import UsageError
        from incplan.lint.usable import load_for_use
        from incplan.plan.discover import find_plan
        from incplan.templates.compose import compose, parse_assignments, read_vars_file

        if (posted or send) and not incident:
            flag = "--posted" if posted else "--send"
            raise UsageError(f"{flag} needs --incident ID", hint="open one with `incplan incident open`")
        if (posted or send) and example:
            raise UsageError("--example text is never posted or sent", hint="give real values with --var")
        if posted and send:
            raise UsageError("give --posted or --send, not both")
        if dry_run and not send:
            raise UsageError("--dry-run goes with --send")
        plan_path = find_plan(plan)
        loaded, _ = load_for_use(plan_path)
        now = clock.parse_time(at, "--at") if at else clock.now()
        values = read_vars_file(vars_file) if vars_file else {}
        values.update(parse_assignments(var))
        started_at = None
        record_path = None
        state = None
        if incident:
            from incplan.incidents.state import fold
            from incplan.incidents.store import incidents_dir, read_record_fast
            from incplan.incidents.store import record_path as locate

            record_path = locate(incidents_dir(loaded, plan_path), incident)
            record = read_record_fast(record_path)
            state = fold(record, loaded)
            stage = stage or state.stage
            severity = severity or state.severity
            title = title or state.title
            values = {**state.variables, **values}
            started_at = record.opened_at
        if stage is None:
            raise UsageError("which stage? give --stage", hint="or --incident ID to use the incident's current stage")
        result = compose(
            loaded,
            stage=stage,
            now=now,
            severity=severity,
            channels=channel or None,
            title=title,
            variables=values,
            locale=locale,
            example=example,
            incident_id=incident,
            started_at=started_at,
        )
        if posted and record_path is not None and result.messages:
            from incplan.incidents.service import record_notified

            record_notified(
                record_path,
                [
                    {"at": now, "stage": stage, "channel": m.channel, "locale": m.locale, "posted": True}
                    for m in result.messages
                ],
            )
    for warning in result.warnings:
        sys.stderr.write(f"warning: {warning}\n")
    if send:
        assert state is not None and record_path is not None
        raise typer.Exit(_send(loaded, result, state, record_path, now, dry_run=dry_run, yes=yes, fmt=format))
    WRITERS[format](result)
    if posted and result.messages:
        sys.stderr.write(f"recorded {len(result.messages)} message(s) as posted in {incident}\n")
    if not result.messages:
        raise typer.Exit(1)


def _send(
    plan: Any, result: Composition, state: Any, record_path: Any, now: Any, *, dry_run: bool, yes: bool, fmt: str
) -> int:
    """Deliver, record every outcome, report; 1 when any channel failed."""
    from incplan.delivery.run import deliver_and_record, jobs_for
    from incplan.delivery.run import dry_run as show_requests

    jobs, by_hand = jobs_for(plan, result, state)
    if dry_run:
        for channel, text in show_requests(jobs):
            sys.stdout.write(f"==> {channel} <==\n{text}\n\n")
        for channel in by_hand:
            sys.stdout.write(f"==> {channel} <==\npost by hand (no delivery settings)\n\n")
        return 0
    if jobs and not yes:
        names = ", ".join(j.channel for j in jobs)
        try:
            if not typer.confirm(f"Send the {result.stage} message to {names}?", default=False, err=True):
                sys.stderr.write("nothing sent\n")
                return 0
        except typer.Abort:
            sys.stderr.write("error: not sending without confirmation\n  hint: answer the question, or pass --yes\n")
            return 2
    outcomes = deliver_and_record(result, jobs, record_path, now)
    out = sys.stdout if fmt != "json" else sys.stderr
    for o in outcomes:
        out.write(f"{o.channel}: {o.detail or 'delivered'}\n" if o.delivered else f"{o.channel}: FAILED: {o.error}\n")
    if by_hand:
        by_hand_messages = [m for m in result.messages if m.channel in by_hand]
        out.write(f"post by hand: {', '.join(by_hand)}\n")
        from dataclasses import replace

        WRITERS[fmt](replace(result, messages=by_hand_messages))
    failed = [o.channel for o in outcomes if not o.delivered]
    if failed:
        out.write(f"error: delivery failed for {', '.join(failed)}; the others went out\n")
        return 1
    return 0


def length_note(m: ComposedMessage) -> str:
    measured = m.measure
    text = f"{measured.length:,} characters"
    if measured.detail and m.channel_type == "sms":
        text += f", {measured.detail}"
    if measured.max_length is not None:
        text += f" (limit {measured.max_length:,})"
    if measured.over_limit:
        text += " OVER LIMIT"
    return text


def write_rich(result: Composition) -> None:
    from rich.panel import Panel
    from rich.text import Text

    from incplan.cli.output import console

    out = console(soft_wrap=False)
    for m in result.messages:
        content = Text()
        if m.subject:
            content.append(m.subject + "\n\n", style="bold")
        content.append(m.body)
        out.print(
            Panel(
                content,
                title=f"[bold]{_escape(m.channel_name)}[/] · {_escape(m.audience)} · {m.channel}",
                title_align="left",
                subtitle=Text(length_note(m), style="bold red" if m.measure.over_limit else "dim"),
                subtitle_align="right",
                border_style="red" if m.measure.over_limit else "cyan",
            )
        )


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def write_text(result: Composition) -> None:
    many = len(result.messages) > 1
    blocks = []
    for m in result.messages:
        parts = [f"==> {m.channel} <=="] if many else []
        if m.subject:
            parts.append(m.subject)
            parts.append("")
        parts.append(m.body)
        blocks.append("\n".join(parts))
    if blocks:
        sys.stdout.write("\n\n".join(blocks) + "\n")


def write_markdown(result: Composition) -> None:
    blocks = []
    for m in result.messages:
        lines = [f"### {m.channel_name} ({m.audience})", ""]
        if m.subject:
            lines += [f"**{m.subject}**", ""]
        lines.append(m.body)
        lines += ["", f"_{length_note(m)}_"]
        blocks.append("\n".join(lines))
    if blocks:
        sys.stdout.write("\n\n".join(blocks) + "\n")


def write_json(result: Composition) -> None:
    payload = {
        "stage": result.stage,
        "severity": result.severity,
        "locale": result.locale,
        "messages": [
            {
                "channel": m.channel,
                "audience": m.audience,
                "subject": m.subject,
                "body": m.body,
                "length": m.measure.length,
                "max_length": m.measure.max_length,
                "over_limit": m.measure.over_limit,
            }
            for m in result.messages
        ],
    }
    sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")


WRITERS = {"rich": write_rich, "text": write_text, "json": write_json, "markdown": write_markdown}
