"""`incplan report`: how well we communicated, per incident or across a period."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from incplan.cli.output import handled, pick

if TYPE_CHECKING:
    from incplan.reports.compute import IncidentReport, PeriodReport


# One incident's report, by format (the first is the default).
def incident_markdown(report: IncidentReport) -> str:
    from incplan.reports import render

    return render.incident_markdown(report)


def incident_text(report: IncidentReport) -> str:
    from incplan.reports import render

    return render.incident_text(report)


def incident_html(report: IncidentReport) -> str:
    from incplan.reports import render

    return render.incident_html(report)


def incident_json(report: IncidentReport) -> str:
    return json.dumps(report.as_json(), indent=2, ensure_ascii=False) + "\n"


INCIDENT_BY_NAME = {"markdown": incident_markdown, "text": incident_text, "html": incident_html, "json": incident_json}


# The report across a period, by format (the first is the default); times in the plan's timezone.
def period_text(report: PeriodReport, tz: str) -> str:
    from incplan.reports import render

    return render.period_text(report, tz)


def period_markdown(report: PeriodReport, tz: str) -> str:
    from incplan.reports import render

    return render.period_markdown(report, tz)


def period_html(report: PeriodReport, tz: str) -> str:
    from incplan.reports import render

    return render.period_html(report, tz)


def period_json(report: PeriodReport, tz: str) -> str:
    return json.dumps(report.as_json(), indent=2) + "\n"


PERIOD_BY_NAME = {"text": period_text, "markdown": period_markdown, "html": period_html, "json": period_json}


def _listed(by_name: Mapping[str, object]) -> str:
    """`markdown (default), text, html or json`."""
    names = list(by_name)
    names[0] += " (default)"
    return ", ".join(names[:-1]) + " or " + names[-1]


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
        help=f"For ID: {_listed(INCIDENT_BY_NAME)}. With --all: {_listed(PERIOD_BY_NAME)}.",
    ),
    output: Path = typer.Option(None, "--output", "-o", metavar="FILE", help="Write to FILE (`-`: stdout)."),
    locale: str = typer.Option(None, "--locale", "-l", help="Language of the report (default: the plan's first)."),
    plan: str = typer.Option(None, "--plan", "-p", metavar="PATH", help="Plan file (default: discovered)."),
) -> None:
    """Post-incident report for ID, or --all incidents in a period (medians, p90, shares)."""
    with handled():
        from incplan import clock, needs
        from incplan.cli.common import load_usable, record_file, warn_damaged
        from incplan.diagnostics import UsageError
        from incplan.incidents.store import incidents_dir, list_records, read_record_fast
        from incplan.reports.compute import incident_report, period_report

        if bool(incident_id) == all_:
            raise UsageError("give an incident ID or --all", hint="`incplan incident list --all` shows the ids")
        usable, plan_path = load_usable(plan)
        loaded = usable.plan
        if locale is not None:
            from incplan.plan.names import check_names

            check_names(loaded, locale=locale)
        now = clock.now(loaded.organization.timezone)
        tz = loaded.organization.timezone
        if all_:
            write_period = pick(PERIOD_BY_NAME, format or next(iter(PERIOD_BY_NAME)))
            paths = list_records(incidents_dir(loaded, plan_path))
            period = period_report(paths, loaded, now, since, until, locale)
            for row in [*period.incidents, *period.maintenances]:
                needs.report_row(usable, row)
            warn_damaged(period.damaged)
            text = write_period(period, tz)
        else:
            if since or until:
                raise UsageError("--since and --until go with --all")
            write_incident = pick(INCIDENT_BY_NAME, format or next(iter(INCIDENT_BY_NAME)))
            record = read_record_fast(record_file(loaded, plan_path, incident_id))
            needs.record(usable, record)
            single = incident_report(record, loaded, now, locale)
            text = write_incident(single)
        if output is not None:
            from incplan.atomic import write_output

            write_output(output, text)
            return
    sys.stdout.write(text)
