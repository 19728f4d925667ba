"""The Typer app alone; each command lives in its own module and is registered here explicitly.

`app` has every command. A run (`run()`) that names a command builds an app with that one
alone: importing the other fifteen command modules and building their Click commands costs ~30 ms
of a start-up that commands such as `incident update` pay on every call. Help for the root,
shell completion and anything that names no known command get the whole app, so what they list
is the same.
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
from typing import TYPE_CHECKING

import typer

from incplan import __version__
from incplan.cli.output import IncplanGroup, set_color, tolerant_streams

if TYPE_CHECKING:
    app: typer.Typer  # every command; built on first use (`__getattr__`)

# Every command, in the order `incplan --help` lists them: name -> (module in incplan.cli, its
# command function or, for a group, its Typer app).
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("init", "init"),
    "check": ("check", "check"),
    "rules": ("rules", "rules"),
    "notify": ("notify", "notify"),
    "preview": ("preview", "preview"),
    "show": ("show", "show"),
    "export": ("export", "export"),
    "incident": ("incident", "app"),
    "report": ("report", "report"),
    "classify": ("classify", "classify"),
    "schema": ("schema", "schema"),
    "maintenance": ("maintenance", "app"),
    "site": ("site", "app"),
    "merge-record": ("merge_record", "merge_record"),
    "diff": ("diff", "diff"),
    "roster": ("roster", "roster"),
}
# The root command's own options that take a value (an argument after them is not a command).
_ROOT_VALUE_OPTIONS = ("--color",)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"incplan {__version__}")
        raise typer.Exit()


def main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
    color: str = typer.Option(
        "auto", "--color", metavar="auto|always|never", help="Colour in terminal output (NO_COLOR is respected)."
    ),
) -> None:
    """incplan: the incident communication plan, executable."""
    tolerant_streams()
    set_color(color)


@functools.cache
def _incident_app() -> typer.Typer:
    """`incplan incident`, with the two commands that live in modules of their own."""
    from incplan.cli import incident, incident_remind, incident_watch

    incident.app.command("remind")(incident_remind.remind)
    incident.app.command("watch")(incident_watch.watch)
    return incident.app


def build(names: tuple[str, ...] = tuple(COMMANDS)) -> typer.Typer:
    """The app with the commands `names` (all of them by default), in `COMMANDS`' order."""
    built = typer.Typer(
        name="incplan",
        cls=IncplanGroup,
        help="Your incident communication plan as code: lint it, classify events, render every message.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    built.callback()(main)
    for name, (module, attribute) in COMMANDS.items():
        if name not in names:
            continue
        if name == "incident":
            built.add_typer(_incident_app(), name=name)
            continue
        found = getattr(importlib.import_module(f"incplan.cli.{module}"), attribute)
        if isinstance(found, typer.Typer):
            built.add_typer(found, name=name)
        else:
            built.command(name)(found)
    return built


@functools.cache
def _whole() -> typer.Typer:
    return build()


def __getattr__(name: str) -> typer.Typer:
    if name == "app":
        return _whole()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def invoked(argv: list[str]) -> str | None:
    """The command `argv` runs (`[--color C] NAME ...`), or None when it needs the whole app:
    no command, root help or another root option, an unknown name, or shell completion."""
    if any(key.startswith("_INCPLAN") and key.endswith("_COMPLETE") for key in os.environ):
        return None
    i = 0
    while i < len(argv):
        if argv[i] in _ROOT_VALUE_OPTIONS:
            i += 2
        elif argv[i].startswith(tuple(f"{option}=" for option in _ROOT_VALUE_OPTIONS)):
            i += 1
        else:
            break
    return argv[i] if i < len(argv) and argv[i] in COMMANDS else None


def run() -> None:
    tolerant_streams()
    command = invoked(sys.argv[1:])
    try:
        (build((command,)) if command else _whole())(prog_name="incplan")
    except KeyboardInterrupt:
        raise SystemExit(130) from None
