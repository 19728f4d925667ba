"""What `check` prints, the colour policy of every command, and how every command picks its
reporter for `--format`: no Typer here, so that `check` can answer before the Typer app is built
(`cli.fast`)."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from rich.console import Console

    from incplan.diagnostics import Diagnostic, UsageError
    from incplan.json_types import JSONObject
    from incplan.lint.cache import RuleInfo
    from incplan.lint.runner import FileReport

_COLOR = "auto"


def color_choice(choice: str) -> None:
    """Set `--color` (validated by the caller)."""
    global _COLOR
    _COLOR = choice


def use_color(stream: IO[str]) -> bool:
    if _COLOR == "always":
        return True
    if _COLOR == "never" or os.environ.get("NO_COLOR"):
        return False
    return stream.isatty() and os.environ.get("TERM") != "dumb"


def console(stream: IO[str] | None = None, *, soft_wrap: bool = True, screen: bool = False) -> Console:
    """A rich console that never reads markup or emoji codes in strings: plan text is data, so
    `Lead [/]` prints as written, `[link=...]` makes no hyperlink. Style with `Text` only.
    `screen`: a full-screen view on a terminal (`watch`), drawn with or without colours (rich
    draws nothing live on a console it takes for no terminal)."""
    from rich.console import Console

    stream = stream or sys.stdout
    color = use_color(stream)
    return Console(
        file=stream,
        force_terminal=color or screen,
        no_color=not color,
        color_system="auto" if color else None,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=soft_wrap,
    )


def outcome_line(name: str, delivered: bool, detail: str | None, error: str | None) -> str:
    """`status_page: created status page incident inc1` or `email: FAILED: why`, one line: what a
    server answered (an id, an error) is data, every control character shown as its escape."""
    from incplan.controls import printable

    line = f"{name}: {detail or 'delivered'}" if delivered else f"{name}: FAILED: {error}"
    return printable(line, one_line=True)


def tolerant_streams() -> None:
    """Print whatever text we hold, on any terminal: a lone surrogate from a plan or record, or
    `é` on an ASCII terminal (`PYTHONIOENCODING=ascii`, `utf-8:strict`), becomes an escape
    such as `\\ud800` instead of a UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(Exception):
                reconfigure(errors="backslashreplace")


def print_error(error: UsageError) -> None:
    """A usage error on stderr: `error: ...`, its details, then `hint: ...`; never colour or boxes.
    What the user typed is repeated escaped (`--severity $'\\e[2J'` is never obeyed)."""
    from incplan.controls import printable

    sys.stderr.write(f"error: {printable(error.message, one_line=True)}\n")
    for line in error.details:
        sys.stderr.write(f"  {printable(line, one_line=True)}\n")
    if error.hint:
        sys.stderr.write(f"  hint: {printable(error.hint, one_line=True)}\n")


def warn(message: str) -> None:
    """One `warning: ...` line on stderr, escaped (it may name a file or quote a record)."""
    from incplan.controls import printable

    sys.stderr.write(f"warning: {printable(message, one_line=True)}\n")


# ---------------------------------------------------------------- check reporters


class Summary:
    def __init__(self) -> None:
        self.files = 0
        self.errors = 0
        self.warnings = 0
        self.infos = 0
        self.diagnostics: list[Diagnostic] = []
        self.skipped: list[tuple[str, str]] = []  # (file, reason), for files the user should hear about

    def add(self, report: FileReport) -> None:
        if report.skipped:
            if report.reason:
                self.skipped.append((report.file, report.reason))
            return
        self.files += 1
        self.errors += report.errors
        self.warnings += report.warnings
        self.infos += report.infos
        self.diagnostics.extend(report.diagnostics)


# ---------------------------------------------------------------- reporters: one registry per command

T = TypeVar("T")
# Writes a command's result to a stream in one format. Each command keeps its reporters in a
# mapping from format name to reporter (check's is `REPORTER_BY_NAME` below, as in
# check-jsonschema); `--help` lists the mapping's names (`cli.output.format_option`) and
# `reporter` picks one, so the names, their order and the error cannot drift apart.
Reporter = Callable[[T, IO[str]], None]
R = TypeVar("R")


def reporter(by_name: Mapping[str, R], name: str) -> R:
    """The reporter `--format NAME` asks for; a usage error naming the valid formats."""
    from incplan.diagnostics import unknown_name

    if name not in by_name:
        raise unknown_name("format", name, list(by_name), label="choose one of")
    return by_name[name]


def write_json(data: object, out: IO[str]) -> None:
    """`data` as indented JSON, text as written (not \\u-escaped) but for the control characters:
    JSON escapes C0, and DEL and C1 are escaped too (`controls.json_printable`)."""
    from incplan.controls import json_printable

    out.write(json_printable(json.dumps(data, indent=2, ensure_ascii=False)) + "\n")


def _counts(summary: Summary) -> str:
    files = f"{summary.files} file{'s' if summary.files != 1 else ''}"
    infos = f", {summary.infos} info" if summary.infos else ""
    if not (summary.errors or summary.warnings):
        return f"{files} checked: no problems{infos}"
    errors = f"{summary.errors} error{'s' if summary.errors != 1 else ''}"
    warnings = f"{summary.warnings} warning{'s' if summary.warnings != 1 else ''}"
    return f"{files} checked: {errors}, {warnings}{infos}"


# Why `check` skipped a file it was given: (one, several).
SKIPPED = {
    "record": (
        "an incident record, not a plan (`incplan incident status` and `incplan report` read it)",
        "incident records, not plans (`incplan incident status` and `incplan report` read them)",
    )
}


def _skipped(summary: Summary) -> list[str]:
    """`FILE: skipped: why`; the files of one folder skipped for one reason, on one line."""
    by_folder: dict[tuple[str, str], list[str]] = {}
    for file, reason in summary.skipped:
        by_folder.setdefault((str(Path(file).parent), reason), []).append(file)
    lines = []
    for (folder, reason), files in by_folder.items():
        one, several = SKIPPED[reason]
        if len(set(files)) == 1:
            lines.append(f"{files[0]}: skipped: {one}")
        else:
            lines.append(f"{folder}/: skipped {len(set(files))} {several}")
    return lines


def _line(text: str) -> str:
    """One line of human output: a file name or key that holds a control character or a newline
    (`$'evil\\e[2J\\nfake.yaml:1:1: error'`) shows it escaped, so it can neither act on the
    terminal nor forge a line of its own."""
    from incplan.controls import printable

    return printable(text, one_line=True)


def report_text(summary: Summary, stream: IO[str]) -> None:
    if not use_color(stream):  # plain text needs no rich (saves ~15 ms of imports)
        for d in summary.diagnostics:
            stream.write(_line(f"{d.file}:{d.line}:{d.col}: {d.severity.value} {d.code} {d.message}") + "\n")
            if d.hint:
                stream.write(f"  hint: {_line(d.hint)}\n")
        for skipped in _skipped(summary):
            stream.write(_line(skipped) + "\n")
        stream.write(_counts(summary) + "\n")
        return
    from rich.text import Text

    out = console(stream)
    for d in summary.diagnostics:
        style = {"error": "bold red", "warning": "yellow"}.get(d.severity.value, "cyan")
        line = Text(_line(f"{d.file}:{d.line}:{d.col}: "), style="bold")
        line.append(d.severity.value, style=style)
        line.append(f" {d.code} ", style="dim")
        line.append(_line(d.message))
        out.print(line)
        if d.hint:
            out.print(Text(f"  hint: {_line(d.hint)}", style="cyan"))
    for skipped in _skipped(summary):
        out.print(Text(_line(skipped), style="dim"))
    style = "bold red" if summary.errors else ("yellow" if summary.warnings else "green")
    out.print(Text(_counts(summary), style=style))


def report_json(summary: Summary, stream: IO[str]) -> None:
    payload = {
        "files": summary.files,
        "diagnostics": [d.as_dict() for d in summary.diagnostics],
        "summary": {"errors": summary.errors, "warnings": summary.warnings, "info": summary.infos},
        "skipped": [{"file": file, "reason": SKIPPED[reason][0]} for file, reason in summary.skipped],
    }
    write_json(payload, stream)


def _gh_data(text: str) -> str:
    """A workflow command's message: `%`, CR and LF escaped as the runner unescapes them; other
    control characters (which the log viewer would obey: ESC colours it) as `\\x1b`."""
    import re

    from incplan.controls import escape

    text = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", escape, text)
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def report_github(summary: Summary, stream: IO[str]) -> None:
    """GitHub Actions workflow commands, escaped as the runner requires."""
    for d in summary.diagnostics:
        message = d.message + (f" (hint: {d.hint})" if d.hint else "")
        props = f"file={_gh_property(d.file)},line={d.line},col={d.col},title={_gh_property(d.code + ' ' + d.name)}"
        command = {"error": "error", "warning": "warning"}.get(d.severity.value, "notice")
        stream.write(f"::{command} {props}::{_gh_data(message)}\n")
    for file, reason in summary.skipped:
        stream.write(f"::notice file={_gh_property(file)}::{_gh_data('skipped: ' + SKIPPED[reason][0])}\n")
    stream.write(_counts(summary) + "\n")


SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
SRCROOT = "%SRCROOT%"


def report_sarif(summary: Summary, stream: IO[str]) -> None:
    """SARIF 2.1.0 as GitHub code scanning reads it: paths relative to the repository root
    (`uriBaseId`), stable fingerprints that survive edits above a finding, every rule described."""
    import hashlib

    from incplan import __version__
    from incplan.lint.cache import rule_catalogue

    rules = rule_catalogue()

    index = {r.code: i for i, r in enumerate(rules)}
    root = _repository_root()
    results = []
    for d in summary.diagnostics:
        text = d.message + (f" Hint: {d.hint}" if d.hint else "")
        artifact = _artifact(d.file, root)
        # Where in the plan, not which line: a finding keeps its identity when lines move.
        where = ".".join(str(part) for part in d.path) or d.message
        key = "\x00".join((d.code, artifact["uri"], where))
        results.append(
            {
                "ruleId": d.code,
                "ruleIndex": index.get(d.code, 0),
                "level": SARIF_LEVEL[d.severity.value],
                "message": {"text": text},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": artifact,
                            "region": {"startLine": d.line, "startColumn": d.col},
                        }
                    }
                ],
                "partialFingerprints": {
                    "incplanFindingHash/v1": hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
                },
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
                        "semanticVersion": __version__,
                        "informationUri": "https://github.com/incplan/incplan",
                        "rules": [_sarif_rule(r) for r in rules],
                    }
                },
                "originalUriBaseIds": {SRCROOT: {"uri": root.as_uri().rstrip("/") + "/"}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    write_json(sarif, stream)


def _sarif_rule(rule: RuleInfo) -> JSONObject:
    doc = rule.doc
    how = (
        f"Change its level in the plan with `lint.rules: {{{rule.name}: off|info|warning|error}}`, "
        f"or skip it with `--ignore {rule.name}`; `incplan rules` lists every rule."
    )
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": doc},
        "help": {"text": f"{doc} {how}", "markdown": f"**{rule.name}** ({rule.code}): {doc}\n\n{how}"},
        "helpUri": "https://github.com/incplan/incplan#lint-a-plan",
        "defaultConfiguration": {"level": SARIF_LEVEL[rule.severity]},
        # SARIF ids stay the codes; older names are kept where a reader of the report looks.
        "properties": {"tags": ["incplan", rule.severity]} | ({"aliases": list(rule.aliases)} if rule.aliases else {}),
    }


def _repository_root() -> Path:
    """The folder URIs are relative to: the Actions workspace, else the git work tree holding the
    current folder, else the current folder."""
    if os.environ.get("GITHUB_WORKSPACE"):
        return Path(os.environ["GITHUB_WORKSPACE"]).absolute()
    here = Path.cwd()
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder
    return here


def _artifact(file: str, root: Path) -> dict[str, str]:
    from urllib.parse import quote

    path = Path(os.path.normpath(Path(file).absolute()))  # as given: symlinks are not followed
    try:
        relative = path.relative_to(root)
    except ValueError:
        return {"uri": path.as_uri()}  # outside the repository: absolute, no base
    return {"uri": quote(relative.as_posix()), "uriBaseId": SRCROOT}


REPORTER_BY_NAME: dict[str, Reporter[Summary]] = {
    "text": report_text,
    "json": report_json,
    "github": report_github,
    "sarif": report_sarif,
}
