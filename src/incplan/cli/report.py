"""`incplan report`: how well we communicated, per incident or across a period."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from incplan.cli.output import choose, handled


def report(
    incident_id: str = typer.Argument(None, metavar="[ID]", help="The incident (or --all)."),
    all_: bool = typer.Option(False, "--all", "-a", help="Report across incidents."),
    since: str = typer.Option(
        None, "--since", metavar="DATE", help="With --all: opened on or after (a day or a time)."
    ),
    until: str = typer.Option(
        None, "--until", metavar="DATE", help="With --all: opened on or before (a day or a time)."
    ),
    format: str = typer.Option(
        None,
        "--format",
        "-f",
        metavar="FORMAT",
        help="For ID: markdown (default), text, html or json. With --all: text (default), markdown, html or json.",
    ),
    output: Path = typer.Option(None, "--output", "-o", metavar="FILE", help="Write to FILE (`-`: stdout)."),
    plan: str = typer.Option(None, "--plan", "-p", metavar="PATH", help="Plan file (default: discovered)."),
) -> None:
    """Post-incident report for ID, or --all incidents in a period (medians, p90, shares)."""
    with handled():
        from incplan import clock, needs
        from incplan.cli.incident import load_usable, record_file, warn_damaged
        from incplan.diagnostics import UsageError
        from incplan.incidents.store import incidents_dir, list_records, read_record_fast
        from incplan.reports import render
        from incplan.reports.compute import incident_report, period_report

        if bool(incident_id) == all_:
            raise UsageError("give an incident ID or --all", hint="`incplan incident list --all` shows the ids")
        usable, plan_path = load_usable(plan)
        loaded = usable.plan
        now = clock.now(loaded.organization.timezone)
        tz = loaded.organization.timezone
        if all_:
            fmt = choose("format", format or "text", ["text", "markdown", "html", "json"])
            paths = list_records(incidents_dir(loaded, plan_path))
            period = period_report(paths, loaded, now, since, until)
            for row in [*period.incidents, *period.maintenances]:
                needs.report_row(usable, row)
            warn_damaged(period.damaged)
            text = {
                "text": lambda: render.period_text(period, tz),
                "markdown": lambda: render.period_markdown(period, tz),
                "html": lambda: render.period_html(period, tz),
                "json": lambda: json.dumps(period.as_json(), indent=2) + "\n",
            }[fmt]()
        else:
            if since or until:
                raise UsageError("--since and --until go with --all")
            fmt = choose("format", format or "markdown", ["markdown", "text", "html", "json"])
            record = read_record_fast(record_file(loaded, plan_path, incident_id))
            needs.record(usable, record)
            single = incident_report(record, loaded, now)
            text = {
                "markdown": lambda: render.incident_markdown(single),
                "text": lambda: render.incident_text(single),
                "html": lambda: render.incident_html(single),
                "json": lambda: json.dumps(single.as_json(), indent=2, ensure_ascii=False) + "\n",
            }[fmt]()
        if output is not None:
            from incplan.atomic import write_output

            write_output(output, text)
            return
    sys.stdout.write(text)
