"""`incplan notify`: the exact message of a stage for each channel, ready to post."""

from __future__ import annotations

import json
import sys
from typing import IO, TYPE_CHECKING

import typer

from incplan.cli.output import format_option, handled, pick
from incplan.cli.reporting import write_json

if TYPE_CHECKING:
    from incplan.announce import Announcement, NotifyOptions
    from incplan.delivery.run import NotRecorded
    from incplan.templates.compose import ComposedMessage


def _languages(m: ComposedMessage, messages: list[ComposedMessage]) -> str:
    """`pl+en` for a post in several languages, `pl` when a channel has one message per
    language (`--locale all`); nothing when each channel has one message in one language."""
    if len(m.locales) > 1 or sum(other.channel == m.channel for other in messages) > 1:
        return "+".join(m.locales)
    return ""


def report_rich(result: Announcement, stream: IO[str]) -> None:
    from rich.panel import Panel
    from rich.text import Text

    from incplan.cli.output import console
    from incplan.wording import choice, words

    out = console(stream, soft_wrap=False)
    w = words(result.reader)
    for m in result.composition.messages:
        content = Text()
        if m.subject:
            content.append(m.subject + "\n\n", style="bold")
        content.append(m.body)
        out.print(
            Panel(
                content,
                title=Text.assemble(
                    (m.channel_name, "bold"),
                    f" · {choice(m.audience, 'audience', w)} · {m.channel}",
                    f" · {languages}" if (languages := _languages(m, result.composition.messages)) else "",
                ),
                title_align="left",
                subtitle=Text(
                    m.measure.describe(m.channel_type, w), style="bold red" if m.measure.over_limit else "dim"
                ),
                subtitle_align="right",
                border_style="red" if m.measure.over_limit else "cyan",
            )
        )


def report_text(result: Announcement, out: IO[str]) -> None:
    messages = result.composition.messages
    many = len(messages) > 1
    blocks = []
    for m in messages:
        languages = _languages(m, messages)
        parts = [f"==> {m.channel}{f' ({languages})' if languages else ''} <=="] if many else []
        if m.subject:
            parts.append(m.subject)
            parts.append("")
        parts.append(m.body)
        blocks.append("\n".join(parts))
    if blocks:
        out.write("\n\n".join(blocks) + "\n")


def report_markdown(result: Announcement, out: IO[str]) -> None:
    from incplan.wording import choice, words

    w = words(result.reader)
    blocks = []
    for m in result.composition.messages:
        languages = _languages(m, result.composition.messages)
        audience = choice(m.audience, "audience", w)
        lines = [f"### {m.channel_name} ({audience}{f', {languages}' if languages else ''})", ""]
        if m.subject:
            lines += [f"**{m.subject}**", ""]
        lines.append(m.body)
        lines += ["", f"_{m.measure.describe(m.channel_type, w)}_"]
        blocks.append("\n".join(lines))
    if blocks:
        out.write("\n\n".join(blocks) + "\n")


def report_json(result: Announcement, out: IO[str]) -> None:
    write_json(result.as_json(), out)


REPORTER_BY_NAME = {"rich": report_rich, "text": report_text, "json": report_json, "markdown": report_markdown}


def notify(
    stage: str = typer.Option(None, "--stage", "-s", help="Stage to announce (default with --incident: its current)."),
    severity: str = typer.Option(None, "--severity", "-S", help="Severity id; decides the channels and the cadence."),
    channel: list[str] = typer.Option([], "--channel", "-c", help="Only this channel; repeatable."),
    title: str = typer.Option(None, "--title", "-t", help="Incident title."),
    var: list[str] = typer.Option([], "--var", help="NAME=VALUE for a template variable; repeatable."),
    vars_file: str = typer.Option(None, "--vars", metavar="FILE", help="YAML or JSON file of variables."),
    locale: str = typer.Option(None, "--locale", "-l", help="Message language (default: the plan's first)."),
    example: bool = typer.Option(False, "--example", help="Fill variables from their declared examples."),
    incident: str = typer.Option(
        None, "--incident", "-i", metavar="ID", help="Take title, severity, stage, variables from a record."
    ),
    update_text: str = typer.Option(
        "", "--update", "-u", metavar="TEXT", help="Free text for this update (`{{ update.text }}`); recorded."
    ),
    posted: bool = typer.Option(
        False, "--posted", help="Record in the incident that these messages were posted by hand."
    ),
    send: bool = typer.Option(False, "--send", help="Deliver to channels with `delivery:` (needs --incident)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="With --send: show the exact requests, send nothing."),
    yes: bool = typer.Option(False, "--yes", "-y", help="With --send: do not ask for confirmation."),
    force: bool = typer.Option(False, "--force", help="With --incident: render a stage other than its current one."),
    at: str = typer.Option(
        None, "--at", metavar="TIME", help="When they were posted (default now; `10:05`, `5m ago`)."
    ),
    format: str = format_option(REPORTER_BY_NAME, None),
    plan: str = typer.Option(None, "--plan", "-p", metavar="PATH", help="Plan file or folder (default: discovered)."),
) -> None:
    """Render the stage's message for every channel the severity uses (or --channel)."""
    fmt = format or ("rich" if sys.stdout.isatty() else "text")
    report = pick(REPORTER_BY_NAME, fmt)
    with handled():
        from incplan import needs
        from incplan.announce import NotifyOptions, announce
        from incplan.cli.common import load_usable
        from incplan.variables import parse_assignments

        usable, plan_path = load_usable(plan, records=bool(incident))
        options = NotifyOptions(
            stage=stage,
            severity=severity,
            channels=channel,
            title=title,
            variables=parse_assignments(var),
            vars_file=vars_file,
            locale=locale,
            example=example,
            incident=incident,
            posted=posted,
            send=send,
            dry_run=dry_run,
            yes=yes,
            force=force,
            at=at,
            update_text=update_text,
        )
        needs.notify(usable, options, plan_path)
        result = announce(usable.plan, plan_path, options, confirm=_confirm)
        from incplan.wording import reader_locale, words

        result.reader = reader_locale(usable.plan, None)
        w = words(result.reader)
    for warning in result.warnings:
        sys.stderr.write(f"warning: {warning}\n")
    if send:
        raise typer.Exit(_report_send(result, fmt, options, plan))
    report(result, sys.stdout)
    if result.recorded:
        sys.stderr.write(w.count("done.recorded", result.recorded, id=incident) + "\n")
    elif incident and result.composition.messages and fmt != "json" and options.locale != "all":
        sys.stderr.write(w("done.record_posted", command=_posted_command(result, options, plan)) + "\n")
    raise typer.Exit(result.exit_code)


def _posted_command(
    result: Announcement, options: NotifyOptions, plan_option: str | None, channels: list[str] | None = None
) -> str:
    """`notify ... --posted` for exactly the messages just shown (same stage, channels, texts)."""
    from incplan.cli.common import suggest

    args = ["notify", "-i", result.incident or ""]
    if options.stage:
        args += ["-s", options.stage]
    if options.force:
        args.append("--force")
    for ch in channels if channels is not None else options.channels:
        args += ["-c", ch]
    if options.locale:
        args += ["-l", options.locale]
    if options.title:
        args += ["-t", options.title]
    for name, value in options.variables.items():
        args += ["--var", f"{name}={value}"]
    if options.vars_file:
        args += ["--vars", options.vars_file]
    if options.update_text:
        args += ["--update", options.update_text]
    return suggest(*args, "--posted", plan_option=plan_option)


def _confirm(question: str) -> bool:
    from incplan.diagnostics import UsageError

    try:
        return bool(typer.confirm(question, default=False, err=True))
    except typer.Abort:
        raise UsageError("not sending without confirmation", hint="answer the question, or pass --yes") from None


def _report_send(result: Announcement, fmt: str, options: NotifyOptions, plan_option: str | None) -> int:
    """What went out, what failed and why, what to post by hand; 1 when any channel failed."""
    if result.requests:
        for channel, text in result.requests:
            sys.stdout.write(f"==> {channel} <==\n{text}\n\n")
    if result.blocked:
        for channel in result.by_hand:
            sys.stdout.write(f"==> {channel} <==\npost by hand (no delivery settings)\n\n")
        sys.stderr.write(
            f"error: --send could not deliver to {', '.join(result.blocked)}\n"
            "  hint: fix what each `cannot send:` above says, then dry-run again\n"
        )
        return result.exit_code
    if result.declined:
        sys.stderr.write("nothing sent\n")
        return 0
    if fmt == "json":
        sys.stdout.write(json.dumps(result.as_json(), indent=2, ensure_ascii=False) + "\n")
        out = sys.stderr
    else:
        out = sys.stdout
    if not result.requests:
        from incplan.cli.reporting import outcome_line

        for o in result.outcomes:
            out.write(outcome_line(o.channel, o.delivered, o.detail, o.error) + "\n")
    if result.by_hand:
        if result.requests:
            for channel in result.by_hand:
                sys.stdout.write(f"==> {channel} <==\npost by hand (no delivery settings)\n\n")
        else:
            out.write(f"post by hand: {', '.join(result.by_hand)}\n")
            if fmt != "json":
                from dataclasses import replace

                by_hand = [m for m in result.composition.messages if m.channel in result.by_hand]
                shown = replace(result, composition=replace(result.composition, messages=by_hand))
                pick(REPORTER_BY_NAME, fmt)(shown, sys.stdout)
            from incplan.wording import words

            command = _posted_command(result, options, plan_option, result.by_hand)
            out.write(words(result.reader)("done.record_posted", command=command) + "\n")
    if result.not_recorded is not None:
        _warn_not_recorded(result.not_recorded)
    failed = result.failed
    if failed:
        went_out = len(result.outcomes) - len(failed)
        tail = "; the others went out" if went_out else ""
        out.write(f"error: delivery failed for {', '.join(failed)}{tail}\n")
        return 1
    return 1 if result.not_recorded is not None else 0


def _warn_not_recorded(problem: NotRecorded) -> None:
    """What went out is never lost: say where it is kept, or print it for the record by hand."""
    sys.stderr.write(f"error: delivered, but not recorded in the incident: {problem.reason}\n")
    if problem.kept is not None:
        sys.stderr.write(
            f"  hint: kept in `{problem.kept}`; the next command on this incident merges it into the record\n"
        )
        return
    from incplan.incidents.store import event_line

    sys.stderr.write("  hint: no recovery file could be written either; add these lines to the record's events:\n")
    for event in problem.events:
        sys.stderr.write("  " + event_line({"type": "notified", **event}))
