"""Control characters: refused where people type text, escaped wherever text is shown.

A terminal acts on control characters instead of printing them: `\\e]0;...\\a` sets the window
title, `\\e[2J` clears the screen, `\\e]8;;URL\\e\\\\` makes a link, and in some terminals the C1
character U+009B is a CSI by itself. Text that incplan stores (titles, notes, variable values,
update texts) or prints (records edited by hand, file names in errors) is data, so:

- text given on the command line is refused (exit 2) when it holds any C0 control but tab and
  newline, DEL or a C1 control; one-line text (a title, a handle) refuses tab and newline too;
- text shown to people has every such character replaced by its escape (`\\x1b`), so a record
  edited by hand to hold one is still shown, safely.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from incplan.diagnostics import UsageError

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # C0 but tab and newline, DEL, C1
ONE_LINE_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")  # tab and newline too
_NAMES = {0x07: "BEL", 0x08: "BS", 0x09: "tab", 0x0A: "newline", 0x0D: "CR", 0x1B: "ESC", 0x7F: "DEL", 0x9B: "CSI"}


def escape(match: re.Match[str]) -> str:
    """The escape of one matched character: `\\x1b`."""
    return f"\\x{ord(match.group()):02x}"


def printable(text: str, *, one_line: bool = False) -> str:
    """`text` with every control character written as its escape (`\\x1b`); tab and newline are
    kept unless `one_line`."""
    pattern = ONE_LINE_CONTROL if one_line else CONTROL
    return pattern.sub(escape, text) if pattern.search(text) else text


def json_printable(dumped: str) -> str:
    """JSON from `json.dumps(..., ensure_ascii=False)` with DEL and C1 characters escaped too
    (JSON itself escapes only C0); still the same JSON."""
    return re.sub("[\x7f-\x9f]", lambda m: f"\\u{ord(m.group()):04x}", dumped)


def refuse_controls(value: str | None, option: str, *, one_line: bool = False) -> None:
    """A `UsageError` (exit 2) when `value`, given with `option`, holds a control character."""
    if value is None:
        return
    found = (ONE_LINE_CONTROL if one_line else CONTROL).search(value)
    if found is None:
        return
    code = ord(found.group())
    name = f" ({_NAMES[code]})" if code in _NAMES else ""
    where = "one line of text" if one_line and code in (0x09, 0x0A) else "text"
    raise UsageError(
        f"{option} holds the control character U+{code:04X}{name}, which is not allowed in {where}",
        hint="type it without control characters or terminal escapes" + (" on one line" if where != "text" else ""),
    )


def refuse_controls_in(variables: Mapping[str, str] | None, option: str = "--var") -> None:
    """Every value of `--var NAME=VALUE` (names are checked against the plan)."""
    for name, value in (variables or {}).items():
        refuse_controls(name, option, one_line=True)
        refuse_controls(value, f"{option} {name}")


def check_entered(
    *,
    title: str | None = None,
    note: str | None = None,
    update: str | None = None,
    variables: Mapping[str, str] | None = None,
    by: str | None = None,
) -> None:
    """Text typed on the command line holds no control character (exit 2 before anything is
    written): a title and a handle are one line; a note, an update and a value may have tabs
    and newlines."""
    refuse_controls(title, "--title", one_line=True)
    refuse_controls(note, "--note")
    refuse_controls(update, "--update")
    refuse_controls_in(variables)
    refuse_controls(by, "--by", one_line=True)
