"""Console, colour policy and the reporters registry. Only the CLI prints."""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import typer
from typer.core import TyperGroup

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
    """A rich console that never reads markup or emoji codes in strings: plan text is data, so
    `Lead [/]` prints as written, `[link=...]` makes no hyperlink. Style with `Text` only."""
    from rich.console import Console

    stream = stream or sys.stdout
    color = use_color(stream)
    return Console(
        file=stream,
        force_terminal=color,
        no_color=not color,
        color_system="auto" if color else None,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=soft_wrap,
    )


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


def fail(error: UsageError, code: int = 2) -> typer.Exit:
    """Print a usage error (one line, then its hint) on stderr and exit."""
    print_error(error)
    raise typer.Exit(code)


# ---------------------------------------------------------------- Typer's own errors and help

HELP_FLAGS = frozenset({"-h", "--help"})
_TYPER_HELP_DEFAULTS: dict[str, Any] = {}


class IncplanGroup(TyperGroup):
    """The root command: Typer's own usage errors get our look (`error:`, `hint:`, exit 2), and
    `--color never`/NO_COLOR reach the help screens, which Typer draws with its own console."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
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


def _command_path(group: Any, argv: list[str]) -> str:
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
    import difflib

    text = " ".join(str(exc.format_message()).split())  # type: ignore[attr-defined]
    offered: list[str] = []
    found = re.search(r"\.?\s*\(?(?:Did you mean(?: one of)?:? (.*?)\?|Possible options: (.*?))\)?$", text)
    if found:
        text = text[: found.start()]
        offered = [name.strip(" '") for name in (found.group(1) or found.group(2)).split(",")]
    wrong = next(iter(_QUOTED.findall(text) or re.findall(r": (\S+)$", text)), "")
    close = difflib.get_close_matches(wrong, offered, n=1) if wrong else []
    ctx = getattr(exc, "ctx", None)
    path = getattr(ctx, "command_path", None) or fallback_path
    message = _QUOTED.sub(r"`\1`", text).rstrip(".")
    message = re.sub(r"^No such option:? `?([^`\s]+)`?", r"unknown option `\1`", message)
    message = re.sub(r"^No such command `", "unknown command `", message)
    extra = re.match(r"^Got unexpected extra arguments?(?:\(s\))? \((.*)\)$", message)
    if extra:
        message = f"unexpected argument{'s' if ' ' in extra.group(1) else ''} `{extra.group(1)}`"
    hint = (f"did you mean `{close[0]}`? " if close else "") + f"`{path} --help` shows the usage"
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


_LOADED: list[Any] = []  # plans this command loaded (`lint.usable.UsablePlan`), not yet warned about


def track(usable: Any) -> Any:
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
        from incplan.lint.usable import dotted

        for _, found in left:
            for d in found:
                line = f"{d.file}:{d.line}:{d.col}: warning {d.code} {d.message}"
                sys.stderr.write(printable(line, one_line=True) + "\n")
        names = ", ".join(f"`{dotted(entry)}`" for entry, _ in left)
        one = len(left) == 1
        warn(
            f"{names} {'is' if one else 'are'} set aside: this command does not need "
            f"{'it' if one else 'them'} (`incplan check {usable.file}` lists every problem)"
        )


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


Reporter = Callable[[Summary, IO[str]], None]


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


def report_text(summary: Summary, stream: IO[str]) -> None:
    if not use_color(stream):  # plain text needs no rich (saves ~15 ms of imports)
        for d in summary.diagnostics:
            stream.write(f"{d.file}:{d.line}:{d.col}: {d.severity.value} {d.code} {d.message}\n")
            if d.hint:
                stream.write(f"  hint: {d.hint}\n")
        for skipped in _skipped(summary):
            stream.write(skipped + "\n")
        stream.write(_counts(summary) + "\n")
        return
    from rich.text import Text

    out = console(stream)
    for d in summary.diagnostics:
        style = {"error": "bold red", "warning": "yellow"}.get(d.severity.value, "cyan")
        line = Text(f"{d.file}:{d.line}:{d.col}: ", style="bold")
        line.append(d.severity.value, style=style)
        line.append(f" {d.code} ", style="dim")
        line.append(d.message)
        out.print(line)
        if d.hint:
            out.print(Text(f"  hint: {d.hint}", style="cyan"))
    for skipped in _skipped(summary):
        out.print(Text(skipped, style="dim"))
    style = "bold red" if summary.errors else ("yellow" if summary.warnings else "green")
    out.print(Text(_counts(summary), style=style))


def report_json(summary: Summary, stream: IO[str]) -> None:
    payload = {
        "files": summary.files,
        "diagnostics": [d.as_dict() for d in summary.diagnostics],
        "summary": {"errors": summary.errors, "warnings": summary.warnings, "info": summary.infos},
        "skipped": [{"file": file, "reason": SKIPPED[reason][0]} for file, reason in summary.skipped],
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
    from incplan.lint.registry import RULES as rules

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
    stream.write(json.dumps(sarif, indent=2, ensure_ascii=False) + "\n")


def _sarif_rule(rule: Rule) -> dict[str, Any]:
    doc = rule.description
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
        "defaultConfiguration": {"level": SARIF_LEVEL[rule.severity.value]},
        # SARIF ids stay the codes; older names are kept where a reader of the report looks.
        "properties": {"tags": ["incplan", rule.severity.value]}
        | ({"aliases": list(rule.aliases)} if rule.aliases else {}),
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


REPORTER_BY_NAME: dict[str, Reporter] = {
    "text": report_text,
    "json": report_json,
    "github": report_github,
    "sarif": report_sarif,
}
