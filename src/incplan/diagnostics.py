"""Problems are data: every finding is a `Diagnostic`, printed only at the CLI boundary."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field, replace


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"  # shown everywhere, never fails a run (not even under --strict)

    def __str__(self) -> str:
        return self.value


PathPart = str | int


class Anchor(enum.Enum):
    """Which part of a YAML node a diagnostic points at."""

    KEY = "key"  # the mapping key itself (unknown keys, missing children)
    VALUE = "value"  # the value of the key or the list item


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    name: str
    severity: Severity
    message: str
    file: str = ""
    line: int = 1  # 1-based
    col: int = 1  # 1-based
    path: tuple[PathPart, ...] = ()
    hint: str = ""
    # Where the position is still to be resolved from `path` (see plan.positions).
    anchor: Anchor = field(default=Anchor.VALUE, compare=False)
    # A line inside a multi-line value (templates), 1-based; 0 means the value's own line.
    inner_line: int = field(default=0, compare=False)
    resolved: bool = field(default=False, compare=False)

    def with_position(self, line: int, col: int) -> Diagnostic:
        return replace(self, line=max(1, line), col=max(1, col), resolved=True)

    def with_file(self, file: str) -> Diagnostic:
        return replace(self, file=file)

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "col": self.col,
            "severity": self.severity.value,
            "code": self.code,
            "name": self.name,
            "message": self.message,
            "hint": self.hint,
        }


@dataclass(frozen=True, slots=True)
class Rule:
    """A lint rule: stable code, kebab-case name, default severity, what it finds, and aliases
    (older names that keep working wherever a rule is named).

    `doc`'s first paragraph is the summary `incplan rules` prints; the rest says more (SARIF's
    full description). Rules with a check are `lint.declare.CheckedRule`; those whose problems are
    found while loading (YAML, schema) are plain `Rule`s.
    """

    code: str
    name: str
    severity: Severity
    doc: str
    aliases: tuple[str, ...] = ()

    @property
    def summary(self) -> str:
        return " ".join(self.doc.strip().partition("\n\n")[0].split())

    @property
    def description(self) -> str:
        """The whole `doc` as one paragraph."""
        return " ".join(self.doc.split())

    def at(
        self,
        message: str,
        *,
        path: tuple[PathPart, ...] = (),
        anchor: Anchor = Anchor.VALUE,
        hint: str = "",
        line: int | None = None,
        col: int = 1,
        inner_line: int = 0,
        file: str = "",
    ) -> Diagnostic:
        """A diagnostic of this rule, placed by `line`/`col` or later from `path`."""
        return Diagnostic(
            code=self.code,
            name=self.name,
            severity=self.severity,
            message=message,
            file=file,
            line=line or 1,
            col=col,
            path=path,
            hint=hint,
            anchor=anchor,
            inner_line=inner_line,
            resolved=line is not None,
        )


def exit_code(diagnostics: list[Diagnostic], *, strict: bool = False) -> int:
    """0 clean, 1 problems (errors, or warnings under --strict)."""
    if any(d.severity is Severity.ERROR for d in diagnostics):
        return 1
    if strict and any(d.severity is Severity.WARNING for d in diagnostics):
        return 1
    return 0


class UsageError(Exception):
    """Bad input from the user (exit 2): unknown names, missing files, bad options."""

    def __init__(self, message: str, hint: str = "", details: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.details = details or []  # lines printed between the message and the hint


def did_you_mean(value: str, valid: Iterable[str]) -> str:
    """`did you mean `x`?` for the closest of `valid`, or "" (the one home of this hint)."""
    import difflib

    close = difflib.get_close_matches(value, list(valid), n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else ""


def unknown_name(kind: str, value: str, valid: list[str], label: str = "valid") -> UsageError:
    """The usage error for a name that is not among `valid`, with a did-you-mean."""
    close = did_you_mean(value, valid)
    names = ", ".join(valid) if valid else "(none declared)"
    return UsageError(f"unknown {kind} `{value}`", hint=(f"{close} " if close else "") + f"{label}: {names}")


class ProblemError(Exception):
    """A plan or record has problems that stop the command (exit 1), with diagnostics if any."""

    def __init__(self, message: str, diagnostics: list[Diagnostic] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.diagnostics = diagnostics or []


STDIN_NAME = "<stdin>"  # how standard input (`-`) is named in messages


def check_command(file: str) -> str:
    """The `incplan check` command that lists the problems of the plan `file`, as it runs when
    pasted: standard input is `-` (given the same input again), a name a shell would split or
    expand is quoted."""
    return f"incplan check {check_argument(file)}"


def check_argument(file: str) -> str:
    """`file` as the argument of `incplan check` (`check_command`)."""
    import shlex

    return "-" if file == STDIN_NAME else shlex.quote(file)


class PlanError(ProblemError):
    """The plan has errors: commands other than `check` cannot use it (exit 1)."""

    def __init__(self, file: str, diagnostics: list[Diagnostic]) -> None:
        count = len(diagnostics)
        super().__init__(
            f"the plan `{file}` has {count} error{'s' if count != 1 else ''}; `{check_command(file)}` lists them",
            diagnostics,
        )
        self.file = file
