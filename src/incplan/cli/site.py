"""`incplan site build`: the static status site from the plan and the incident records."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING

import typer

from incplan.cli.output import format_option, handled, pick

if TYPE_CHECKING:
    from incplan.site.build import SiteBuild

app = typer.Typer(help="The public status site, built from the plan and the records.", no_args_is_help=True)


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}" + ("" if n == 1 else "s")


def report_text(result: SiteBuild, out: IO[str]) -> None:
    out.write(
        f"built {_count(result.files, 'file')} in {result.out}/ "
        f"({result.written} written, {result.unchanged} unchanged): "
        f"{_count(result.incidents, 'incident')}, {_count(result.maintenances, 'maintenance')}\n"
        f"open {result.out / 'index.html'}\n"
    )


def report_json(result: SiteBuild, out: IO[str]) -> None:
    out.write(json.dumps(result.as_json(), indent=2) + "\n")


REPORTER_BY_NAME = {"text": report_text, "json": report_json}


@app.command("build")
def build(
    out: Path = typer.Option(
        Path("public"), "--out", "-o", metavar="DIR", help="Folder to write (created if missing)."
    ),
    base_url: str = typer.Option(
        None, "--base-url", metavar="URL", help="Public address of the site, for feed links (default: the plan's)."
    ),
    format: str = format_option(REPORTER_BY_NAME),
    plan: str = typer.Option(None, "--plan", "-p", metavar="PATH", help="Plan file (default: discovered)."),
) -> None:
    """Write the status site: pages per language, Atom feeds, Statuspage-shaped JSON."""
    report = pick(REPORTER_BY_NAME, format)
    with handled():
        from incplan import clock, needs
        from incplan.cli.common import load_usable, warn_damaged
        from incplan.site.build import build_site

        usable, plan_path = load_usable(plan)
        needs.site(usable, plan_path)
        result = build_site(usable.plan, plan_path, out, clock.now(), base_url or "")
    warn_damaged(result.damaged)
    report(result, sys.stdout)
