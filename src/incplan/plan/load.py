"""Plan loading: bytes -> caps -> YAML -> pydantic model, every problem a positioned diagnostic.

The fast path is ruamel's C safe loader (~5 ms for a 300-line plan). Only files with findings
are parsed again round-trip (~40 ms) to place diagnostics that carry a data path.
"""

from __future__ import annotations

import functools
import re
import types
import typing
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from incplan.controls import CONTROL
from incplan.diagnostics import Anchor, Diagnostic, PathPart, did_you_mean
from incplan.plan import problems as P

if TYPE_CHECKING:
    from incplan.plan.models import Plan

MAX_BYTES = 1024 * 1024  # a large real plan is ~50 KB
MAX_ALIASES = 100
MAX_DEPTH = 64
MAX_NODES = 200_000  # values after expanding aliases; a large plan has ~3,000


@dataclass
class PlanSource:
    file: str
    text: str | None = None
    data: Any = None
    plan: Plan | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    _positions: Any = None

    def place(self, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
        """Give every path-based diagnostic its line and column, and the file name."""
        pending = [d for d in diagnostics if not d.resolved]
        if pending and self._positions is None and self.text is not None:
            from incplan.plan.positions import Positions

            self._positions = Positions(self.text)
        placed = []
        for d in diagnostics:
            if not d.resolved:
                d = self._positions.place(d) if self._positions is not None else d.with_position(1, 1)
            placed.append(d if d.file == self.file else d.with_file(self.file))
        return placed


STDIN = "-"  # a file argument `-` means standard input
STDIN_NAME = "<stdin>"
_stdin_read_from: object = None  # the stream already read: standard input can be read only once


def read_text(path: Path, file: str) -> tuple[str | None, list[Diagnostic]]:
    """The text of a regular file (or of standard input for `-`). A FIFO, device or socket is
    never read (it could block forever or never end): it gets a `not-a-regular-file` diagnostic
    instead (SPEC §9)."""
    global _stdin_read_from
    import os
    import stat

    try:
        if str(path) == STDIN:
            import sys

            if _stdin_read_from is sys.stdin:
                return None, [
                    P.NOT_A_PLAN.at(
                        "standard input was already read for another `-`",
                        hint="give only one file as `-`",
                        line=1,
                        file=file,
                    )
                ]
            _stdin_read_from = sys.stdin
            raw = sys.stdin.buffer.read(MAX_BYTES + 1)
        else:
            # O_NONBLOCK: opening a FIFO for reading would wait for a writer; regular files ignore it.
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
            with open(fd, "rb") as handle:  # noqa: PTH123 (a file descriptor)
                mode = os.fstat(handle.fileno()).st_mode
                if not stat.S_ISREG(mode):
                    return None, [
                        P.NOT_A_FILE.at(
                            f"{_kind(mode)} is not a regular file; not read",
                            hint="incplan reads plans only from regular files",
                            line=1,
                            file=file,
                        )
                    ]
                raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        return None, [P.NOT_A_PLAN.at(f"cannot read the file: {exc.strerror or exc}", line=1, file=file)]
    if len(raw) > MAX_BYTES:
        return None, [
            P.FILE_TOO_LARGE.at(
                f"the file is larger than {MAX_BYTES // 1024} KiB",
                hint="a plan is a few dozen KiB; check that this is the right file",
                line=1,
                file=file,
            )
        ]
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line, col = _line_col(raw[: exc.start])
        return None, [
            P.NOT_UTF8.at(
                f"byte 0x{raw[exc.start]:02x} is not valid UTF-8",
                hint="save the file as UTF-8",
                line=line,
                col=col,
                file=file,
            )
        ]


def _kind(mode: int) -> str:
    import stat

    for test, name in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "a special file"


def _line_col(before: str | bytes) -> tuple[int, int]:
    """1-based line and column just after `before` (the text or bytes preceding a position)."""
    if isinstance(before, bytes):
        return before.count(b"\n") + 1, len(before) - before.rfind(b"\n")
    return before.count("\n") + 1, len(before) - before.rfind("\n")


def parse_yaml(text: str, file: str) -> tuple[Any, list[Diagnostic]]:
    """Plain Python data from YAML text, or diagnostics. Caps are checked on the event stream
    before any object is built, so an alias bomb or 5,000-deep nesting costs nothing."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError
    from ruamel.yaml.reader import ReaderError

    try:
        try:
            return _load_safe(YAML(typ="safe"), text, file)
        except MarkedYAMLError:
            # libyaml (the C parser) is stricter than YAML 1.2 in places, e.g. it rejects
            # `{url: https://x}`; the pure-Python parser decides, and its error is reported.
            return _load_safe(YAML(typ="safe", pure=True), text, file)
    except MarkedYAMLError as exc:
        return None, [yaml_diagnostic(exc, file, text)]
    except ReaderError as exc:
        line, col = _line_col(text[: exc.position])
        return None, [
            P.YAML_SYNTAX.at(
                f"control character U+{exc.character:04X} is not allowed in YAML",
                hint="remove it; a plan is plain text",
                line=line,
                col=col,
                file=file,
            )
        ]
    except (YAMLError, RecursionError, MemoryError) as exc:
        return None, [P.YAML_SYNTAX.at(f"cannot parse the file as YAML: {_first_line(exc)}", line=1, file=file)]
    except Exception as exc:  # the loader is total: whatever the bytes, a diagnostic (e.g. `%YAML 1.3`)
        return None, [
            P.YAML_SYNTAX.at(
                f"cannot parse the file as YAML: {_first_line(exc)}",
                hint="a plan is plain YAML 1.2 without directives or tags",
                line=1,
                file=file,
            )
        ]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


_ANCHOR = re.compile(r"&[^\s,\[\]{}]")  # without an anchor, no alias can expand to anything


def event_guard(text: str, file: str) -> Diagnostic | None:
    """The caps of `parse_yaml` (alias cycles and bombs, nesting) for a reader that builds its
    own objects (the round-trip loader of records); None when the text is within them."""
    if not (_ANCHOR.search(text) or _nesting_bound(text) > SAFE_NESTING):
        return None
    from ruamel.yaml import YAML

    try:
        return _scan(YAML(typ="safe", pure=True), text, file)
    except Exception:  # a syntax error: the loader that follows reports it at its place
        return None


def _load_safe(yaml: Any, text: str, file: str) -> tuple[Any, list[Diagnostic]]:
    yaml.Resolver = _once_resolver()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # The event scan costs ~20 % of a load: skip it when the text cannot hold an alias
        # and cannot nest deep enough to hurt the C composer (it is recursive in C).
        if _ANCHOR.search(text) or _nesting_bound(text) > SAFE_NESTING:
            problem = _scan(yaml, text, file)
            if problem is not None:
                return None, [problem]
        data = yaml.load(text)
        if _depth(data) > MAX_DEPTH:
            return None, [_scan(yaml, text, file) or P.TOO_DEEP.at("nesting is too deep", line=1, file=file)]
        return _plain(data, file, clean="\\" in text)


def _plain(data: Any, file: str, *, clean: bool) -> tuple[Any, list[Diagnostic]]:
    """Only plain dicts, lists and scalars go on; text is valid Unicode. A tagged root such as
    `!!omap` or `!!set` is not a plan; a lone surrogate (`"\\ud800"`, a valid YAML escape)
    cannot be printed or sent: it becomes U+FFFD with an error at its place."""
    if not isinstance(data, dict | list | str | int | float | bool | type(None)):
        kind = type(data).__name__
        return None, [
            P.NOT_A_PLAN.at(
                f"the top level is a `{kind}`, not a mapping of plan sections",
                hint="a plan starts with `version: 1` and `organization:`; remove the YAML tag",
                line=1,
                file=file,
            )
        ]
    if not clean:  # decoded strictly from UTF-8: only an escape can make a surrogate or a control
        return data, []
    found: list[Diagnostic] = []
    return _clean(data, (), found), found


def _clean(node: Any, path: tuple[PathPart, ...], found: list[Diagnostic], key: bool = False) -> Any:
    if isinstance(node, str):

        def report(problem: Any, message: str, hint: str) -> None:
            if len(found) < 20:
                where = (*path, node) if key else path
                found.append(problem.at(message, hint=hint, path=where, anchor=Anchor.KEY if key else Anchor.VALUE))

        if (control := CONTROL.search(node)) is not None:
            # `"\e]8;;https://x\e\\"` (valid YAML escapes) would make a terminal show a link, clear
            # the screen or set its title when the text is printed: plan text is data.
            report(
                P.YAML_SYNTAX,
                f"control character U+{ord(control.group()):04X} is not allowed in a plan",
                "remove it; a terminal would act on it when the text is printed",
            )
            node = CONTROL.sub("\ufffd", node)
        if (char := _SURROGATE.search(node)) is None:
            return node
        report(
            P.NOT_UTF8,
            f"text holds `\\u{ord(char.group()):04x}`, half of a UTF-16 pair, which is not a character",
            "write the character itself, or a `\\U0001F600`-style escape for characters beyond U+FFFF",
        )
        return node.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(node, dict):
        return {_clean(k, path, found, key=True): _clean(v, (*path, k), found) for k, v in node.items()}
    if isinstance(node, list):
        return [_clean(v, (*path, i), found) for i, v in enumerate(node)]
    return node


_SURROGATE = re.compile("[\ud800-\udfff]")


SAFE_NESTING = 2_000  # levels the C composer handles without exhausting the C stack (5,000 seen fine)


def _nesting_bound(text: str) -> int:
    """An upper bound on nesting depth: every level needs one of these indicators or an indent."""
    indicators = text.count("[") + text.count("{") + text.count("- ") + text.count("? ")
    return indicators + 1_500  # ~1,450 levels of pure indentation fill 1 MiB


def _depth(data: Any) -> int:
    deepest = 0
    stack = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            deepest = max(deepest, depth)
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            deepest = max(deepest, depth)
            stack.extend((v, depth + 1) for v in node)
    return deepest


@functools.cache
def _once_resolver() -> Any:
    from ruamel.yaml.resolver import VersionedResolver

    class OnceResolver(VersionedResolver):
        """ruamel looks the YAML version up (through an AttributeError) twice per scalar;
        with the C parser it cannot change within a document, so look it up once."""

        _resolvers: Any = None

        @property
        def versioned_resolver(self) -> Any:
            if self._resolvers is None:
                self._resolvers = super().versioned_resolver
            return self._resolvers

    return OnceResolver


def _scan(yaml: Any, text: str, file: str) -> Diagnostic | None:
    """Depth, alias count and the size the document expands to, from the event stream."""
    from ruamel.yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent, NodeEvent

    aliases = 0
    expanded = 0
    sizes: dict[str, int] = {}  # anchor -> nodes it expands to
    open_nodes: list[tuple[str | None, int]] = []  # (anchor, expanded size before this node)
    for event in yaml.parse(text):
        if isinstance(event, CollectionStartEvent):
            open_nodes.append((event.anchor, expanded))
            expanded += 1
            if len(open_nodes) > MAX_DEPTH:
                return P.TOO_DEEP.at(
                    f"nesting is deeper than {MAX_DEPTH} levels",
                    hint="a plan needs a handful of levels; check the brackets and indentation",
                    **_mark(event.start_mark, file),
                )
        elif isinstance(event, CollectionEndEvent):
            anchor, before = open_nodes.pop()
            if anchor:
                sizes[anchor] = expanded - before
        elif isinstance(event, AliasEvent):
            if any(anchor == event.anchor for anchor, _ in open_nodes):
                return P.TOO_MANY_ALIASES.at(
                    f"alias `*{event.anchor}` stands inside the value it names (a cycle)",
                    hint="write the values out; a value cannot contain itself",
                    **_mark(event.start_mark, file),
                )
            aliases += 1
            expanded += sizes.get(event.anchor, 1)
            if aliases > MAX_ALIASES or expanded > MAX_NODES:
                return P.TOO_MANY_ALIASES.at(
                    f"aliases expand this file to more than {MAX_NODES:,} values"
                    if expanded > MAX_NODES
                    else f"more than {MAX_ALIASES} aliases",
                    hint="write the values out; aliases like these can expand to gigabytes (an alias bomb)",
                    **_mark(event.start_mark, file),
                )
        elif isinstance(event, NodeEvent):  # a scalar
            expanded += 1
            if event.anchor:
                sizes[event.anchor] = 1
    return None


def _mark(mark: Any, file: str) -> dict[str, Any]:
    if mark is None:
        return {"line": 1, "col": 1, "file": file}
    return {"line": mark.line + 1, "col": mark.column + 1, "file": file}


def yaml_diagnostic(exc: Any, file: str, text: str) -> Diagnostic:
    problem = str(exc.problem or exc.context or "invalid YAML")
    where = _mark(exc.problem_mark or exc.context_mark, file)
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
            f"YAML tag `{tag}` is not allowed in a plan",
            hint="plans are plain data: remove the tag",
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


def validate(data: Any, file: str) -> tuple[Plan | None, list[Diagnostic]]:
    plan, found = validate_with_paths(data, file)
    return plan, [d for _, d in found]


def validate_with_paths(data: Any, file: str) -> tuple[Plan | None, list[tuple[tuple[PathPart, ...], Diagnostic]]]:
    """The plan, or each schema error with the data path of what is wrong: a missing key's own
    path (`organization.name`), where the diagnostic points at its parent. `plan.usable` sets
    aside the entry that holds it."""
    from pydantic import ValidationError

    from incplan.plan.models import Plan

    if data is None:
        return None, [
            ((), P.NOT_A_PLAN.at("the file is empty", hint="run `incplan init` to start a plan", line=1, file=file))
        ]
    if not isinstance(data, dict):
        kind = "list" if isinstance(data, list) else "single value"
        return None, [
            (
                (),
                P.NOT_A_PLAN.at(
                    f"the top level is a {kind}, not a mapping of plan sections",
                    hint="a plan starts with `version: 1` and `organization:`",
                    line=1,
                    file=file,
                ),
            )
        ]
    try:
        return Plan.model_validate(data), []
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        return None, [(_data_path(tuple(e["loc"]), data), schema_diagnostic(e, data)) for e in errors]


_CUSTOM = {
    "duration": P.BAD_DURATION,
    "timezone": P.BAD_TIMEZONE,
    "locale": P.BAD_LOCALE,
}


def schema_diagnostic(error: Any, data: Any, root: Any = None) -> Diagnostic:
    """One pydantic error as a diagnostic at the offending key or value (`root`: the model)."""
    loc: tuple[PathPart, ...] = tuple(error["loc"])
    kind = error["type"]
    path = _data_path(loc, data)
    where = _dotted(path)
    if kind == "extra_forbidden":
        key = str(loc[-1])
        allowed = _allowed_keys(loc[:-1], root)
        hint = did_you_mean(key, allowed) or (f"known keys: {', '.join(allowed)}" if allowed else "")
        parent = _dotted(path[:-1])
        return P.UNKNOWN_KEY.at(
            f"unknown key `{key}`" + (f" in `{parent}`" if parent else ""), path=path, anchor=Anchor.KEY, hint=hint
        )
    if kind in ("missing", "union_tag_not_found"):
        key = str(loc[-1]) if kind == "missing" else error.get("ctx", {}).get("discriminator", "kind").strip("'")
        parent = _dotted(path[:-1] if kind == "missing" else path)
        return P.MISSING_KEY.at(
            f"missing required key `{key}`" + (f" in `{parent}`" if parent else ""),
            path=path[:-1] if kind == "missing" else path,
            anchor=Anchor.KEY,
            hint=f"add `{key}:`",
        )
    rule = _CUSTOM.get(kind, P.WRONG_TYPE)
    message = error["msg"]
    if kind == "union_tag_invalid":
        ctx = error.get("ctx", {})
        message = f"unknown kind `{ctx.get('tag')}`; use one of {ctx.get('expected_tags')}"
        path = (*path, ctx.get("discriminator", "'kind'").strip("'"))
    elif rule is P.WRONG_TYPE and kind not in ("handle", "env_name", "github"):
        # handle/env_name messages already name what is wrong and must not echo secrets
        message = message[0].lower() + message[1:]
        value = error.get("input")
        if isinstance(value, str | int | float):
            shown = str(value)
            message += f", got `{shown[:40]}{'…' if len(shown) > 40 else ''}`"
    hint = ""
    if kind == "string_type" and not isinstance(error.get("input"), dict | list):
        hint = "quote the value to make it text"
    elif kind == "literal_error" and loc == ("version",):
        hint = "this incplan reads plan format version 1"
    return rule.at(f"`{where}`: {message}", path=path, hint=hint)


def _data_path(loc: tuple[PathPart, ...], data: Any) -> tuple[PathPart, ...]:
    """Drop loc parts that are not keys of the data (pydantic's union and validator tags)."""
    path: list[PathPart] = []
    node = data
    for part in loc:
        if isinstance(node, dict):
            key = part if part in node else next((k for k in node if str(k) == str(part)), _MISSING)
            if key is _MISSING:
                if part == loc[-1]:
                    path.append(part)  # a missing or unknown key: keep it for the message
                continue
            path.append(part)
            node = node[key]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path.append(part)
            node = node[part]
        elif part == loc[-1] and not isinstance(part, int) and node is None:
            path.append(part)
    return tuple(path)


_MISSING = object()


def _dotted(path: tuple[PathPart, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _allowed_keys(loc: tuple[PathPart, ...], root: Any = None) -> list[str]:
    """Field names (aliases) of the model at `loc`, for did-you-mean hints."""
    from pydantic import BaseModel

    from incplan.plan.models import Plan

    tp: Any = root or Plan
    for part in loc:
        tp = _unwrap(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field_info = next(
                (f for name, f in tp.model_fields.items() if (f.alias or name) == part or name == part), None
            )
            if field_info is None:
                return []
            tp = field_info.annotation
            continue
        origin = typing.get_origin(tp)
        if origin is dict:
            tp = typing.get_args(tp)[1]
        elif origin is list:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [_unwrap(m) for m in typing.get_args(tp)]
            tp = next((m for m in members if _tag_of(m) == part or getattr(m, "__name__", "") == part), None)
            if tp is None:
                return []
    tp = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [f.alias or name for name, f in tp.model_fields.items()]
    return []


def _unwrap(tp: Any) -> Any:
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) == 1:
                tp = args[0]
            else:
                return tp
        else:
            return tp


def _tag_of(model: Any) -> Any:
    field_info = getattr(model, "model_fields", {}).get("kind")
    if field_info is None:
        return None
    args = typing.get_args(field_info.annotation)
    return args[0] if args else None


def load_plan(path: str | Path, *, display: str | None = None, text: str | None = None) -> PlanSource:
    """Load and validate one plan file; never raises for anything in the file. `text`: the
    file's text, already read (by the lint result cache, which keyed it)."""
    path = Path(path)
    file = display if display is not None else (STDIN_NAME if str(path) == STDIN else str(path))
    source = PlanSource(file=file)
    source.text, source.diagnostics = (text, []) if text is not None else read_text(path, file)
    if source.text is None:
        return source
    source.data, problems = parse_yaml(source.text, file)
    if problems and source.data is None:
        source.diagnostics = problems
        return source
    source.plan, found = validate(source.data, file)
    source.diagnostics = problems + found
    return source
