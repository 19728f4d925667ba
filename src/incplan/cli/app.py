"""The Typer app alone; each command lives in its own module and is registered here explicitly."""

from __future__ import annotations

import typer

from incplan import __version__
from incplan.cli import (
    check,
    classify,
    diff,
    export,
    incident,
    incident_remind,
    incident_watch,
    init,
    maintenance,
    merge_record,
    notify,
    preview,
    report,
    roster,
    rules,
    schema,
    show,
    site,
)
from incplan.cli.output import IncplanGroup, set_color, tolerant_streams

app = typer.Typer(
    name="incplan",
    cls=IncplanGroup,
    help="Your incident communication plan as code: lint it, classify events, render every message.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"incplan {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
    color: str = typer.Option(
        "auto", "--color", metavar="auto|always|never", help="Colour in terminal output (NO_COLOR is respected)."
    ),
) -> None:
    """incplan: the incident communication plan, executable."""
    tolerant_streams()
    set_color(color)


app.command("init")(init.init)
app.command("check")(check.check)
app.command("rules")(rules.rules)
app.command("notify")(notify.notify)
app.command("preview")(preview.preview)
app.command("show")(show.show)
app.command("export")(export.export)
incident.app.command("remind")(incident_remind.remind)
incident.app.command("watch")(incident_watch.watch)
app.add_typer(incident.app, name="incident")
app.command("report")(report.report)
app.command("classify")(classify.classify)
app.command("schema")(schema.schema)
app.add_typer(maintenance.app, name="maintenance")
app.add_typer(site.app, name="site")
app.command("merge-record")(merge_record.merge_record)
app.command("diff")(diff.diff)
app.command("roster")(roster.roster)


def run() -> None:
    tolerant_streams()
    try:
        app(prog_name="incplan")
    except KeyboardInterrupt:
        raise SystemExit(130) from None
