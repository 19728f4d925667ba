"""Records in the layout incplan writes them, read line by line (~20x faster than YAML).

A record that incplan wrote is a few `key: value` lines, `events:`, and one flow mapping per
event (`- {at: '2026-11-27T10:02:00+01:00', type: note, text: ...}`). Reading 5,000 such lines
with ruamel (the C parser, then its Python constructor) takes most of a second; with this reader
a few tens of milliseconds. It accepts only a strict subset of YAML whose meaning is plain:
- quoted scalars on one line (`'...'` with `''`, `"..."` with the usual escapes), plain scalars
  that start with a letter and hold no YAML indicator (`true`/`false`, `null` and plain decimal
  integers resolved as YAML 1.2 does), flow mappings of those, one level deep inside an event;
- comment lines and blank lines.
Anything else (a comment after a value, a block mapping, a tab, an anchor, a multi-line string,
a hand-written unquoted time...) returns None and the caller reads the file with ruamel, which
decides. `tests/test_record_lines.py` checks that the data is ruamel's, for every input accepted.
"""

from __future__ import annotations

import re
from typing import Literal, overload

Scalar = str | int | bool | None  # what a scalar of this subset reads as
Event = dict[str, Scalar | dict[str, Scalar]]

_KEY = r"[A-Za-z_][A-Za-z0-9_]*"
_SAFE = r"[^\s:#{}\[\],&*!|>'\"%@`\\]"  # what a plain scalar may hold here: no space, no indicator
_PLAIN = rf"(?:[^\W\d_]|[./](?![0-9])){_SAFE}*(?: {_SAFE}+)*"  # words, one space apart
_SINGLE = r"'[^'\n]*(?:''[^'\n]*)*'"
_DOUBLE = r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"'
# An incident id (`2026-11-27-payments-fail`): a date, a dash and more is no YAML time or number.
_ID = r"[0-9]{4}-[0-9]{2}-[0-9]{2}-[A-Za-z0-9-]+"
_ID_RE = re.compile(_ID)
_SCALAR = rf"{_SINGLE}|{_DOUBLE}|{_PLAIN}|{_ID}|0|-?[1-9][0-9]*"
_SCALAR_RE = re.compile(_SCALAR)
_FLAT_PAIR = rf"{_KEY}: (?:{_SCALAR})"
_FLAT_PAIR_RE = re.compile(rf"({_KEY}): ({_SCALAR})")
_PAIR_RE = re.compile(rf"({_KEY}): ({_SCALAR}|\{{(?:{_FLAT_PAIR}(?:, {_FLAT_PAIR})*)?\}})")
_HEADER = re.compile(rf"(?P<key>{_KEY}):(?: (?P<value>{_SCALAR}|\[\]))?")
_EVENT = re.compile(r"(?P<indent> *)- (?P<body>\{.*\})")
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufeff\u2028\u2029\t\r]")
_ESCAPED_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_WORDS: dict[str, bool | None] = {
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
    **dict.fromkeys(("null", "Null", "NULL"), None),
}
_FLOATS = frozenset({".inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN"})
_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r", "e": "\x1b",
    " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029",
}  # fmt: skip
_HEX = {"x": 2, "u": 4, "U": 8}


class _Refused(Exception):
    """Not in the subset: the caller reads the file with ruamel."""


def parse(text: str) -> dict[str, object] | None:
    """The record's data as ruamel's safe loader gives it, or None when the text is not in the
    subset this reader takes."""
    if _UNSAFE.search(text):
        return None  # YAML refuses most of these; ruamel reports them at their place
    try:
        return _document(text.split("\n"))
    except (_Refused, ValueError, OverflowError):
        return None


def _document(lines: list[str]) -> dict[str, object] | None:
    data: dict[str, object] = {}
    events: list[Event] | None = None  # once `events:` has been read
    indent: str | None = None  # of the event lines
    for line in lines:
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        if events is None:
            header = _HEADER.fullmatch(line)
            if header is None:
                raise _Refused
            key, value = header["key"], header["value"]
            if key in data or key in _WORDS:
                raise _Refused  # a duplicate key is an error, `true:` a boolean key: ruamel says
            if value is None:
                if key != "events":
                    raise _Refused  # a null, or a block below it
                data[key] = events = []
            elif value == "[]":
                if key != "events":
                    raise _Refused
                data[key] = []
                events = _CLOSED  # nothing may follow
            else:
                data[key] = _scalar(value)
            continue
        event = _EVENT.fullmatch(line)
        if events is _CLOSED or event is None or (indent is not None and event["indent"] != indent):
            raise _Refused
        indent = event["indent"]
        events.append(_mapping(event["body"], nested=True))
    if events is not None and events is not _CLOSED and not events:
        data["events"] = None  # `events:` with nothing below is null
    return data or None  # an empty document is null to YAML


_CLOSED: list[Event] = []


def event_lines(lines: list[str], indent: str) -> list[Event] | None:
    """The events of lines in this layout at `indent`, or None if any line is not one."""
    if any(_UNSAFE.search(line) for line in lines):
        return None
    try:
        found = []
        for line in lines:
            event = _EVENT.fullmatch(line)
            if event is None or event["indent"] != indent:
                return None
            found.append(_mapping(event["body"], nested=True))
        return found
    except (_Refused, ValueError, OverflowError):
        return None


@overload
def _mapping(body: str, *, nested: Literal[True]) -> Event: ...
@overload
def _mapping(body: str, *, nested: Literal[False]) -> dict[str, Scalar]: ...
def _mapping(body: str, *, nested: bool) -> Event | dict[str, Scalar]:
    """`{k: v, k: v}`: exactly this spacing; values scalars, or (`nested`) one more mapping.
    The whole shape is checked by one regular expression, then the pairs are taken out."""
    pairs = (_PAIR_RE if nested else _FLAT_PAIR_RE).findall(body, 1, len(body) - 1)
    if ", ".join(map(": ".join, pairs)) != body[1:-1]:
        raise _Refused  # the pairs, put back together, must be the whole text: nothing skipped
    out: Event = {key: _mapping(value, nested=False) if value[0] == "{" else _scalar(value) for key, value in pairs}
    if len(out) != len(pairs) or not _WORDS.keys().isdisjoint(out):
        raise _Refused  # a duplicate key is an error, `true:` a boolean key: the loader says
    return out


def _scalar(token: str) -> Scalar:
    first = token[0]
    if first == "'":
        return token[1:-1].replace("''", "'") if "''" in token else token[1:-1]
    if first == '"':
        return _unescape(token[1:-1])
    if first.isdigit() or first == "-":
        return token if _ID_RE.fullmatch(token) else int(token)
    if token in _FLOATS:
        raise _Refused
    return _WORDS.get(token, token)


def _unescape(body: str) -> str:
    if "\\" not in body:
        return body
    out = []
    i = 0
    while i < len(body):
        char = body[i]
        if char != "\\":
            out.append(char)
            i += 1
            continue
        code = body[i + 1]
        if code in _ESCAPES:
            out.append(_ESCAPES[code])
            i += 2
        elif code in _HEX:
            digits = body[i + 2 : i + 2 + _HEX[code]]
            if len(digits) != _HEX[code] or not all(c in "0123456789abcdefABCDEF" for c in digits):
                raise _Refused
            out.append(chr(int(digits, 16)))
            i += 2 + _HEX[code]
        else:
            raise _Refused
    text = "".join(out)
    if _ESCAPED_UNSAFE.search(text):
        raise _Refused  # the loader reports a control character or half a surrogate pair at its place
    return text
