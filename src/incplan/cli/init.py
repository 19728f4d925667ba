"""`incplan init`: write a complete, commented plan that passes `incplan check`."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from incplan.cli.output import handled
from incplan.diagnostics import check_argument


def init(
    path: Path = typer.Argument(Path("incplan.yaml"), help="File or folder to write (`-`: stdout)."),
    org: str = typer.Option("Acme", "--org", help="Organization name."),
    product: str = typer.Option(None, "--product", help="Product name customers know (default: --org)."),
    status_page: str = typer.Option(None, "--status-page", metavar="URL", help="Public status page URL."),
    timezone: str = typer.Option("UTC", "--timezone", metavar="IANA", help="Timezone for times in messages."),
    locale: list[str] = typer.Option(
        [], "--locale", "-l", help="Message language (en, pl); repeatable, first is default."
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
) -> None:
    """Write a complete, commented plan: severities, roles, channels, messages, values."""
    with handled():
        from incplan import clock
        from incplan.scaffold import InitOptions, write_plan

        options = InitOptions(
            org=org, product=product, status_page=status_page, timezone=timezone, locales=tuple(locale or ["en"])
        )
        if str(path) == "-":  # `-` is standard output, as everywhere
            from incplan.scaffold import render_plan

            sys.stdout.write(render_plan(options, clock.now().date()))
            return
        from incplan.incidents.gitsetup import GIT_CONFIG, check_git_files, write_git_files

        check_git_files(path if path.is_dir() else path.parent)  # all refusals before any write
        written = write_plan(path, options, clock.now().date(), force=force)
        git_lines = write_git_files(written.parent)
    from incplan.wording import words

    w = words(options.locales[0])  # the plan's first language, as its comments
    out = [w("init.wrote", path=written)]
    out += [w("init.added" if g.added else "init.kept", file=g.file, line=g.line) for g in git_lines]
    out.append(w("init.merge", config=GIT_CONFIG))
    out.append(w("init.next", path=check_argument(str(written))))  # runs as printed
    sys.stdout.write("\n".join(out) + "\n")
