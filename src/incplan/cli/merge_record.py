"""`incplan merge-record BASE OURS THEIRS`: the git merge driver for incident records."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from incplan.cli.output import handled


def merge_record(
    base: Path = typer.Argument(..., metavar="BASE", help="The common ancestor (git's %O)."),
    ours: Path = typer.Argument(..., metavar="OURS", help="Our version; the result is written here (git's %A)."),
    theirs: Path = typer.Argument(..., metavar="THEIRS", help="Their version (git's %B)."),
    marker_size: int = typer.Option(7, "--marker-size", metavar="N", help="Conflict marker length (git's %L)."),
) -> None:
    """Merge two versions of an incident record: every event of both, once, in time order.

    Set up once per clone (`incplan init` writes the .gitattributes line):
    git config merge.incplan-record.driver "incplan merge-record %O %A %B"
    """
    with handled():
        from incplan.incidents.merge import merge_files

        outcome = merge_files(base, ours, theirs, marker_size)
    if not outcome.clean:
        sys.stderr.write(f"incplan merge-record: conflict: {outcome.message}\n")
        raise typer.Exit(1)
