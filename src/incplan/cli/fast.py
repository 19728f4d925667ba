"""A fast path before the Typer app, for `incplan check` (run in CI and pre-commit on every change).

Typer costs ~50 ms of imports and builds a pydantic TypeAdapter per parameter on every run; a
warm check (`lint.cache`) needs neither Typer nor pydantic, Jinja2 or ruamel. So `check` with the
options below is parsed here and run by the same function as the Typer command
(`check_run.run`). Anything else (help, an option this parser does not know or a malformed one,
shell completion) returns None, and the full CLI answers: errors and help look as they always do.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field

COLOR_CHOICES = ("auto", "always", "never")
_FLAGS = {"--strict": "strict", "--plans-only": "plans_only"}
_VALUES = {"--format": "format", "-f": "format", "--ignore": "ignore"}


@dataclass
class CheckOptions:
    paths: list[str] = field(default_factory=list)
    format: str = "text"
    strict: bool = False
    ignore: list[str] = field(default_factory=list)
    plans_only: bool = False
    color: str = "auto"


def parse(argv: list[str]) -> CheckOptions | None:
    """The options of `[--color C] check ...`, or None for anything to leave to Typer."""
    if any(name.endswith("_COMPLETE") for name in os.environ if name.startswith("_INCPLAN")):
        return None  # shell completion
    options = CheckOptions()
    i = 0
    while i < len(argv) and argv[i] != "check":  # the root command's own options
        if argv[i] == "--color" and i + 1 < len(argv):
            options.color, i = argv[i + 1], i + 2
        elif argv[i].startswith("--color="):
            options.color, i = argv[i].partition("=")[2], i + 1
        else:
            return None
    if i == len(argv) or options.color not in COLOR_CHOICES:
        return None
    rest = argv[i + 1 :]
    i = 0
    while i < len(rest):
        arg = rest[i]
        if arg == "--":
            options.paths.extend(rest[i + 1 :])
            break
        name, value = arg, None
        if arg.startswith("--") and "=" in arg:
            name, _, value = arg.partition("=")
        elif arg.startswith("-f") and len(arg) > 2 and not arg.startswith("--"):
            name, value = "-f", arg[2:]
        if name in _FLAGS and value is None:
            setattr(options, _FLAGS[name], True)
        elif name in _VALUES:
            if value is None:
                if i + 1 == len(rest):
                    return None
                i += 1
                value = rest[i]
            if value.startswith("-") and value != "-":
                return None  # `--format --strict`: let Typer say what it makes of it
            if _VALUES[name] == "ignore":
                options.ignore.append(value)
            else:
                options.format = value
        elif arg.startswith("-") and arg != "-":
            return None
        else:
            options.paths.append(arg)
        i += 1
    return options


def main(argv: list[str]) -> int | None:
    """The exit code of `incplan check ...`, or None when the full CLI should answer."""
    options = parse(argv)
    if options is None:
        return None
    from incplan.cli.check_run import run
    from incplan.cli.reporting import color_choice, print_error, tolerant_streams
    from incplan.diagnostics import UsageError

    tolerant_streams()
    color_choice(options.color)
    try:
        return run(
            options.paths,
            format=options.format,
            strict=options.strict,
            ignore=options.ignore,
            plans_only=options.plans_only,
        )
    except UsageError as error:
        print_error(error)
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("\n\nerror: interrupted\n")  # as the Typer app says it
        return 130
