"""Typer's side of the CLI: errors and exit codes, help screens, and the `--color` option.
What `check` prints and the colour policy itself live in `cli.reporting` (no Typer there)."""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import typer
from typer.core import TyperGroup

from incplan.cli import reporting
from incplan.diagnostics import ProblemError, UsageError, did_you_mean, unknown_name

if TYPE_CHECKING:
    from incplan.plan.usable import UsablePlan

R = TypeVar("R")

# The commands (and tests) import these from here.
REPORTER_BY_NAME = reporting.REPORTER_BY_NAME
Summary = reporting.Summary
_gh_data = reporting._gh_data
_gh_property = reporting._gh_property
color_choice = reporting.color_choice
console = reporting.console
print_error = reporting.print_error
tolerant_streams = reporting.tolerant_streams
use_color = reporting.use_color
warn = reporting.warn

COLOR_CHOICES = ("auto", "always", "never")


def set_color(choice: str) -> None:
    if choice not in COLOR_CHOICES:
        fail(UsageError(f"`--color {choice}` is not a choice", hint="use auto, always or never"))
    color_choice(choice)


def fail(error: UsageError, code: int = 2) -> typer.Exit:
    """Print a usage error (one line, then its hint) on stderr and exit."""
    print_error(error)
    raise typer.Exit(code)


# ---------------------------------------------------------------- Typer's own errors and help

HELP_FLAGS = frozenset({"-h", "--help"})
_TYPER_HELP_DEFAULTS: dict[str, object] = {}


class IncplanGroup(TyperGroup):
    """The root command: Typer's own usage errors get our look (`error:`, `hint:`, exit 2), and
    `--color never`/NO_COLOR reach the help screens, which Typer draws with its own console."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,  # click's own signature
    ) -> int:
        argv = list(sys.argv[1:] if args is None else args)
        if not argv or HELP_FLAGS.intersection(argv):
            _help_color(argv)
        if os.environ.get(f"_{(prog_name or 'incplan').upper().replace('-', '_')}_COMPLETE"):
            from incplan.cli.completion import install

            install(self)
        try:
            code = super().main(
                args=argv, prog_name=prog_name, complete_var=complete_var, standalone_mode=False, **extra
            )
        except typer.Abort as abort:
            interrupted = isinstance(abort.__cause__ or abort.__context__, KeyboardInterrupt)
            sys.stderr.write("\nerror: interrupted\n" if interrupted else "error: aborted\n")
            code = 130 if interrupted else 1
        except Exception as exc:
            if not _is_usage_error(exc):
                raise
            if type(exc).__name__ != "NoArgsIsHelpError":  # the help screen was the answer
                print_error(_usage_error(exc, _command_path(self, argv)))
            code = 2
        code = code if isinstance(code, int) else 0
        if not standalone_mode:
            return code
        sys.exit(code)


def _is_usage_error(exc: Exception) -> bool:
    # Typer 0.16 raises click's exceptions; later releases vendor click: match by shape. Every
    # ClickException (a usage error, a file Typer could not open) is input the user can fix.
    names = {cls.__name__ for cls in type(exc).__mro__}
    return bool(names & {"UsageError", "ClickException"}) and hasattr(exc, "format_message")


_QUOTED = re.compile(r"'([^']+)'")


def _command_path(group: object, argv: list[str]) -> str:
    """`incplan incident open` from the arguments, for errors raised before a context exists."""
    words, command = ["incplan"], group
    for arg in argv:
        sub = getattr(command, "commands", {}).get(arg)
        if sub is not None:
            words.append(arg)
            command = sub
        elif not getattr(command, "commands", None):
            break
    return " ".join(words)


def _usage_error(exc: Exception, fallback_path: str = "incplan") -> UsageError:
    """`No such option: --fromat (Possible options: --format)` -> error and a did-you-mean hint."""
    text = " ".join(str(exc.format_message()).split())  # type: ignore[attr-defined]
    offered: list[str] = []
    found = re.search(r"\.?\s*\(?(?:Did you mean(?: one of)?:? (.*?)\?|Possible options: (.*?))\)?$", text)
    if found:
        text = text[: found.start()]
        offered = [name.strip(" '") for name in (found.group(1) or found.group(2)).split(",")]
    wrong = next(iter(_QUOTED.findall(text) or re.findall(r": (\S+)$", text)), "")
    close = did_you_mean(wrong, offered) if wrong else ""
    ctx = getattr(exc, "ctx", None)
    path = getattr(ctx, "command_path", None) or fallback_path
    message = _QUOTED.sub(r"`\1`", text).rstrip(".")
    message = re.sub(r"^No such option:? `?([^`\s]+)`?", r"unknown option `\1`", message)
    message = re.sub(r"^No such command `", "unknown command `", message)
    extra = re.match(r"^Got unexpected extra arguments?(?:\(s\))? \((.*)\)$", message)
    if extra:
        message = f"unexpected argument{'s' if ' ' in extra.group(1) else ''} `{extra.group(1)}`"
    hint = (f"{close} " if close else "") + f"`{path} --help` shows the usage"
    return UsageError(message[:1].lower() + message[1:], hint=hint)


def _help_color(argv: list[str]) -> None:
    """Typer draws help with a console of its own: give it our colour policy before it does."""
    choice = "auto"
    for i, arg in enumerate(argv):
        if arg == "--color" and i + 1 < len(argv):
            choice = argv[i + 1]
        elif arg.startswith("--color="):
            choice = arg.partition("=")[2]
    if choice == "auto" and os.environ.get("NO_COLOR"):
        choice = "never"
    from typer import rich_utils

    if not _TYPER_HELP_DEFAULTS:
        _TYPER_HELP_DEFAULTS.update(COLOR_SYSTEM=rich_utils.COLOR_SYSTEM, FORCE_TERMINAL=rich_utils.FORCE_TERMINAL)
    settings = dict(_TYPER_HELP_DEFAULTS)
    if choice == "never":
        settings.update(COLOR_SYSTEM=None, FORCE_TERMINAL=False)
    elif choice == "always":
        settings.update(FORCE_TERMINAL=True)
    for name, value in settings.items():
        setattr(rich_utils, name, value)


@contextlib.contextmanager
def handled() -> Iterator[None]:
    """The CLI boundary: known errors become a message and an exit code, never a traceback.
    Whatever the outcome, the set-aside parts of the plans loaded here are warned about first."""
    try:
        yield
    except UsageError as error:
        _warn_set_aside()
        raise fail(error) from None
    except OSError as error:
        _warn_set_aside()
        from incplan.controls import printable

        # the file system said no (permissions, a file where a folder belongs, a full disk)
        where = f" `{error.filename}`" if error.filename else ""
        sys.stderr.write(printable(f"error: {error.strerror or error}{where}", one_line=True) + "\n")
        raise typer.Exit(1) from None
    except ProblemError as error:
        _warn_set_aside()
        from incplan.controls import printable

        for d in error.diagnostics[:20]:
            line = f"{d.file}:{d.line}:{d.col}: {d.severity.value} {d.code} {d.message}"
            sys.stderr.write(printable(line, one_line=True) + "\n")
        sys.stderr.write(f"error: {printable(error.message, one_line=True)}\n")
        if hint := getattr(error, "hint", ""):
            sys.stderr.write(f"  hint: {printable(hint, one_line=True)}\n")
        raise typer.Exit(1) from None
    except BaseException:
        _warn_set_aside()
        raise
    else:
        _warn_set_aside()


_LOADED: list[UsablePlan] = []  # plans this command loaded, not yet warned about


def track(usable: UsablePlan) -> UsablePlan:
    """Warn about `usable`'s set-aside entries that the command does not need when it ends."""
    _LOADED.append(usable)
    return usable


def _warn_set_aside() -> None:
    """Each set-aside entry the command did not need: its errors as warnings (file:line:col and
    code), then one line naming them (SPEC §4: problems outside what a command needs)."""
    while _LOADED:
        usable = _LOADED.pop(0)
        left = usable.unneeded()
        if not left:
            continue
        from incplan.controls import printable
        from incplan.diagnostics import check_command
        from incplan.plan.usable import dotted

        for _, found in left:
            for d in found:
                line = f"{d.file}:{d.line}:{d.col}: warning {d.code} {d.message}"
                sys.stderr.write(printable(line, one_line=True) + "\n")
        names = ", ".join(f"`{dotted(entry)}`" for entry, _ in left)
        one = len(left) == 1
        warn(
            f"{names} {'is' if one else 'are'} set aside: this command does not need "
            f"{'it' if one else 'them'} (`{check_command(usable.file)}` lists every problem)"
        )


def choose(kind: str, value: str, choices: list[str]) -> str:
    if value not in choices:
        raise fail(unknown_name(kind, value, choices, label="choose one of"))
    return value


def format_option(by_name: Mapping[str, object], default: str | None = "text", help: str = "Output format.") -> Any:
    """`--format/-f NAME`; `--help` lists the names of the command's reporters, in their order.
    (`Any` as `typer.Option` itself: it stands as the default of a `str` parameter.)"""
    return typer.Option(default, "--format", "-f", metavar="|".join(by_name), help=help)


def pick(by_name: Mapping[str, R], name: str) -> R:
    """The command's reporter for `--format NAME` (exit 2 naming the valid ones)."""
    try:
        return reporting.reporter(by_name, name)
    except UsageError as error:
        raise fail(error) from None
