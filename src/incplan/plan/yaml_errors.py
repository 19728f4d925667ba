"""YAML errors as diagnostics: whatever ruamel raises for a text becomes one positioned
diagnostic (the loader is total)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, TypedDict

from incplan.diagnostics import Diagnostic
from incplan.plan import problems as P
from incplan.plan.read import line_col

if TYPE_CHECKING:
    from ruamel.yaml.error import MarkedYAMLError


class Mark(Protocol):
    """Where ruamel saw something: 0-based line and column."""

    @property
    def line(self) -> int: ...
    @property
    def column(self) -> int: ...


class Where(TypedDict):
    """The place arguments of `Rule.at`, 1-based."""

    line: int
    col: int
    file: str


def parse_error(exc: Exception, text: str, file: str) -> Diagnostic:
    """The diagnostic for an exception raised while parsing `text` as YAML."""
    from ruamel.yaml.error import MarkedYAMLError, YAMLError
    from ruamel.yaml.reader import ReaderError

    if isinstance(exc, MarkedYAMLError):
        return yaml_diagnostic(exc, file, text)
    if isinstance(exc, ReaderError):
        line, col = line_col(text[: exc.position])
        return P.YAML_SYNTAX.at(
            f"control character U+{exc.character:04X} is not allowed in YAML",
            hint="remove it; a plan is plain text",
            line=line,
            col=col,
            file=file,
        )
    if isinstance(exc, ValueError) and "integer string conversion" in str(exc):
        return _long_number(text, file)
    if isinstance(exc, YAMLError | RecursionError | MemoryError):
        return P.YAML_SYNTAX.at(f"cannot parse the file as YAML: {_first_line(exc)}", line=1, file=file)
    # e.g. `%YAML 1.3`
    return P.YAML_SYNTAX.at(
        f"cannot parse the file as YAML: {_first_line(exc)}",
        hint="a plan is plain YAML 1.2 without directives or tags",
        line=1,
        file=file,
    )


def _long_number(text: str, file: str) -> Diagnostic:
    """Python refuses to read an integer of more than 4,300 digits (its advice to raise the
    limit is for programmers, not for the plan's author): the number, at its place."""
    import re
    import sys

    digits = sys.get_int_max_str_digits()
    found = re.search(rf"\d{{{digits + 1},}}", text)
    line, col = line_col(text[: found.start()]) if found else (1, 1)
    size = f"{len(found.group()):,} digits" if found else f"more than {digits:,} digits"
    return P.YAML_SYNTAX.at(
        f"a number of {size} is longer than a plan can hold (at most {digits:,})",
        hint="quote it if it is text, or shorten it",
        line=line,
        col=col,
        file=file,
    )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def mark(position: Mark | None, file: str) -> Where:
    """The 1-based `line`, `col` and `file` of a ruamel mark (0-based), for `Rule.at`."""
    if position is None:
        return {"line": 1, "col": 1, "file": file}
    return {"line": position.line + 1, "col": position.column + 1, "file": file}


def yaml_diagnostic(exc: MarkedYAMLError, file: str, text: str) -> Diagnostic:
    problem = str(exc.problem or exc.context or "invalid YAML")
    where = mark(exc.problem_mark or exc.context_mark, file)
    name = type(exc).__name__
    if name == "DuplicateKeyError":
        key = problem.split('"')[1] if problem.count('"') >= 2 else ""
        return P.DUPLICATE_KEY.at(
            f"duplicate key `{key}`" if key else "duplicate key",
            hint="YAML keeps only one of them; merge the two or rename one",
            **where,
        )
    if "constructor for the tag" in problem:
        tag = problem.split("'")[1] if problem.count("'") >= 2 else problem
        tag = tag.replace("tag:yaml.org,2002:", "!!")
        return P.UNSAFE_TAG.at(
            f"YAML tag `{tag}` is not allowed",
            hint="this is plain data: remove the tag",
            **where,
        )
    hint = str(exc.context or "")
    context_mark = exc.context_mark
    if hint and context_mark is not None and context_mark.line + 1 != where["line"]:
        hint = f"{hint} that starts at line {context_mark.line + 1}, column {context_mark.column + 1}"
    if _char_at(text, where["line"], where["col"]) == "\t" or "tab" in problem:
        problem = "a tab character where YAML expects spaces"
        hint = "indent with spaces; YAML does not allow tabs"
    return P.YAML_SYNTAX.at(problem, hint=hint, **where)


def _char_at(text: str, line: int, col: int) -> str:
    lines = text.splitlines()
    if 0 < line <= len(lines) and 0 < col <= len(lines[line - 1]):
        return lines[line - 1][col - 1]
    return ""
