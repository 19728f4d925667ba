"""Console, colour policy and the reporters registry. Only the CLI prints."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Callable, Iterator
from typing import IO, TYPE_CHECKING, Any

import typer

from incplan.diagnostics import ProblemError, UsageError, unknown_name

if TYPE_CHECKING:
    from incplan.diagnostics import Diagnostic, Rule
    from incplan.lint.runner import FileReport

_COLOR = "auto"


def set_color(choice: str) -> None:
    global _COLOR
    if choice not in ("auto", "always", "never"):
        fail(UsageError(f"`--color {choice}` is not a choice", hint="use auto, always or never"))
    _COLOR = choice


def use_color(stream: IO[str]) -> bool:
    if _COLOR == "always":
        return True
    if _COLOR == "never" or os.environ.get("NO_COLOR"):
        return False
    return stream.isatty() and os.environ.get("TERM") != "dumb"


def console(stream: IO[str] | None = None, *, soft_wrap: bool = True) -> Any:
    from rich.console import Console

    stream = stream or sys.stdout
    color = use_color(stream)
    return Console(
        file=stream,
        force_terminal=color,
        no_color=not color,
        color_system="auto" if color else None,
        highlight=False,
        soft_wrap=soft_wrap,
    )


def fail(error: UsageError, code: int = 2) -> typer.Exit:
    """Print a usage error (one line, then its hint) on stderr and exit."""
    sys.stderr.write(f"error: {error.message}\n")
    for line in error.details:
        sys.stderr.write(f"  {line}\n")
    if error.hint:
        sys.stderr.write(f"  hint: {error.hint}\n")
    raise typer.Exit(code)


@contextlib.contextmanager
def handled() -> Iterator[None]:
    """The CLI boundary: known errors become a message and an exit code, never a traceback."""
    try:
        yield
    except UsageError as error:
        raise fail(error) from None
    except OSError as error:
        # the file system said no (permissions, a file where a folder belongs, a full disk)
        where = f" `{error.filename}`" if error.filename else ""
        sys.stderr.write(f"error: {error.strerror or error}{where}\n")
        raise typer.Exit(1) from None
    except ProblemError as error:
        for d in error.diagnostics[:20]:
            sys.stderr.write(f"{d.file}:{d.line}:{d.col}: {d.severity.value} {d.code} {d.message}\n")
        sys.stderr.write(f"error: {error.message}\n")
        raise typer.Exit(1) from None


def choose(kind: str, value: str, choices: list[str]) -> str:
    if value not in choices:
        raise fail(unknown_name(kind, value, choices, label="choose one of"))
    return value


# ---------------------------------------------------------------- check reporters


class Summary:
    def __init__(self) -> None:
        self.files = 0
        self.errors = 0
        self.warnings = 0
        self.diagnostics: list[Diagnostic] = []

    def add(self, report: FileReport) -> None:
        if report.skipped:
            return
        self.files += 1
        self.errors += report.errors
        self.warnings += report.warnings
        self.diagnostics.extend(report.diagnostics)


Reporter = Callable[[Summary, IO[str]], None]


def _counts(summary: Summary) -> str:
    files = f"{summary.files} file{'s' if summary.files != 1 else ''}"
    if not (summary.errors or summary.warnings):
        return f"{files} checked: no problems"
    errors = f"{summary.errors} error{'s' if summary.errors != 1 else ''}"
    warnings = f"{summary.warnings} warning{'s' if summary.warnings != 1 else ''}"
    return f"{files} checked: {errors}, {warnings}"


def report_text(summary: Summary, stream: IO[str]) -> None:
    if not use_color(stream):  # plain text needs no rich (saves ~15 ms of imports)
        for d in summary.diagnostics:
            stream.write(f"{d.file}:{d.line}:{d.col}: {d.severity.value} {d.code} {d.message}\n")
            if d.hint:
                stream.write(f"  hint: {d.hint}\n")
        stream.write(_counts(summary) + "\n")
        return
    from rich.text import Text

    out = console(stream)
    for d in summary.diagnostics:
        style = "bold red" if d.severity.value == "error" else "yellow"
        line = Text(f"{d.file}:{d.line}:{d.col}: ", style="bold")
        line.append(d.severity.value, style=style)
        line.append(f" {d.code} ", style="dim")
        line.append(d.message)
        out.print(line)
        if d.hint:
            out.print(Text(f"  hint: {d.hint}", style="cyan"))
    style = "bold red" if summary.errors else ("yellow" if summary.warnings else "green")
    out.print(Text(_counts(summary), style=style))


def report_json(summary: Summary, stream: IO[str]) -> None:
    payload = {
        "files": summary.files,
        "diagnostics": [d.as_dict() for d in summary.diagnostics],
        "summary": {"errors": summary.errors, "warnings": summary.warnings},
    }
    stream.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def report_github(summary: Summary, stream: IO[str]) -> None:
    """GitHub Actions workflow commands, escaped as the runner requires."""
    for d in summary.diagnostics:
        message = d.message + (f" (hint: {d.hint})" if d.hint else "")
        props = f"file={_gh_property(d.file)},line={d.line},col={d.col},title={_gh_property(d.code + ' ' + d.name)}"
        stream.write(f"::{d.severity.value} {props}::{_gh_data(message)}\n")
    stream.write(_counts(summary) + "\n")


def report_sarif(summary: Summary, stream: IO[str]) -> None:
    """SARIF 2.1.0 as GitHub code scanning accepts it: every rule in `tool.driver.rules`."""
    from incplan import __version__
    from incplan.lint.registry import all_rules

    rules: list[Rule] = all_rules()
    index = {r.code: i for i, r in enumerate(rules)}
    results = []
    for d in summary.diagnostics:
        text = d.message + (f" Hint: {d.hint}" if d.hint else "")
        results.append(
            {
                "ruleId": d.code,
                "ruleIndex": index.get(d.code, 0),
                "level": "error" if d.severity.value == "error" else "warning",
                "message": {"text": text},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": _uri(d.file)},
                            "region": {"startLine": d.line, "startColumn": d.col},
                        }
                    }
                ],
            }
        )
    sarif = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "incplan",
                        "version": __version__,
                        "informationUri": "https://github.com/incplan/incplan",
                        "rules": [
                            {
                                "id": r.code,
                                "name": r.name,
                                "shortDescription": {"text": r.summary},
                                "defaultConfiguration": {"level": r.severity.value},
                            }
                            for r in rules
                        ],
                    }
                },
                "results": results,
            }
        ],
    }
    stream.write(json.dumps(sarif, indent=2, ensure_ascii=False) + "\n")


def _uri(file: str) -> str:
    from pathlib import PurePath
    from urllib.parse import quote

    return quote(PurePath(file).as_posix())


REPORTER_BY_NAME: dict[str, Reporter] = {
    "text": report_text,
    "json": report_json,
    "github": report_github,
    "sarif": report_sarif,
}
