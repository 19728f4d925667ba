"""Control characters: refused where people type text, escaped wherever text is shown.

A terminal acts on control characters instead of printing them: `\\e]0;...\\a` sets the window
title, `\\e[2J` clears the screen, `\\e]8;;URL\\e\\\\` makes a link, and in some terminals the C1
character U+009B is a CSI by itself. Text that incplan stores (titles, notes, variable values,
update texts) or prints (records edited by hand, file names in errors) is data, so:

- text given on the command line is refused (exit 2) when it holds any C0 control but tab and
  newline, DEL or a C1 control; one-line text (a title, a handle) refuses tab and newline too;
- text shown to people has every such character replaced by its escape (`\\x1b`), so a record
  edited by hand to hold one is still shown, safely.

Some characters are not controls but still change what people see: a bidirectional override or
isolate (U+202A-U+202E, U+2066-U+2069) shows `x\\u202eevil` as `xlive`, U+2028/U+2029 break a
line where no newline is, zero-width characters (U+200B-U+200F, U+FEFF) make two titles that
look the same differ, and noncharacters (U+FFFE, U+FFFF, ...) are not allowed in XML, so one in a
value breaks the status site's feed. They are refused and escaped the same way; one-line text
refuses the zero-width ones too (a note may need a joiner, as emoji and Persian do).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from incplan.diagnostics import UsageError

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # C0 but tab and newline, DEL, C1
ONE_LINE_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")  # tab and newline too
_BIDI = "\u202a-\u202e\u2066-\u2069"
_SEPARATORS = "\u2028\u2029"
_ZERO_WIDTH = "\u200b-\u200f\ufeff"
_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(chr(plane << 16 | 0xFFFE) + chr(plane << 16 | 0xFFFF) for plane in range(17))
# What text may not hold where it is typed, and what is escaped where it is shown.
UNSHOWN = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}{_SEPARATORS}{_NONCHARACTERS}]")
ONE_LINE_UNSHOWN = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}{_SEPARATORS}{_NONCHARACTERS}{_ZERO_WIDTH}]")
# The characters above that are not controls: a record the fast reader took may still hold one.
INVISIBLE = re.compile(f"[{_BIDI}{_SEPARATORS}{_NONCHARACTERS}{_ZERO_WIDTH}]")
# What XML 1.0 does not allow (and the noncharacters it discourages): the feed must stay XML.
NOT_XML = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff{_NONCHARACTERS}]")
_NAMES = {0x07: "BEL", 0x08: "BS", 0x09: "tab", 0x0A: "newline", 0x0D: "CR", 0x1B: "ESC", 0x7F: "DEL", 0x9B: "CSI"}


def escape(match: re.Match[str]) -> str:
    """The escape of one matched character: `\\x1b`, `\\u202e`, `\\U0001fffe`."""
    code = ord(match.group())
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def printable(text: str, *, one_line: bool = False) -> str:
    """`text` with every control character (and bidirectional control, line or paragraph
    separator, noncharacter; zero-width character if `one_line`) written as its escape
    (`\\x1b`, `\\u202e`); tab and newline are kept unless `one_line`."""
    pattern = ONE_LINE_UNSHOWN if one_line else UNSHOWN
    return pattern.sub(escape, text) if pattern.search(text) else text


def xml_text(text: str) -> str:
    """`text` with what XML 1.0 cannot hold (a hand-edited record's `\\ufffe`) as its escape."""
    return NOT_XML.sub(escape, text) if NOT_XML.search(text) else text


_JSON_ESCAPED = re.compile(f"[\x7f-\x9f{_BIDI}{_SEPARATORS}{_NONCHARACTERS}{_ZERO_WIDTH}]")  # JSON escapes C0


def json_printable(dumped: str) -> str:
    """JSON from `json.dumps(..., ensure_ascii=False)` with DEL, C1, bidirectional controls,
    separators, zero-width characters and noncharacters escaped too (JSON itself escapes only
    C0); still the same JSON."""
    return _JSON_ESCAPED.sub(_json_escape, dumped)


def _json_escape(match: re.Match[str]) -> str:
    units = match.group().encode("utf-16-be")  # a character beyond U+FFFF is a surrogate pair in JSON
    return "".join(f"\\u{units[i : i + 2].hex()}" for i in range(0, len(units), 2))


def _kind(code: int) -> str:
    """What the character is, for an error message."""
    import unicodedata

    if code <= 0x9F:
        name = f" ({_NAMES[code]})" if code in _NAMES else ""
        return f"the control character U+{code:04X}{name}"
    name = unicodedata.name(chr(code), "")
    shown = f"U+{code:04X}" + (f" ({name})" if name else "")
    if 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069:
        return f"the bidirectional control {shown}"
    if code in (0x2028, 0x2029):
        return f"the {name.lower()} {shown.split()[0]}"
    if 0x200B <= code <= 0x200F or code == 0xFEFF:
        return f"the invisible character {shown}"
    return f"the noncharacter {shown}"


def refuse_controls(value: str | None, option: str, *, one_line: bool = False) -> None:
    """A `UsageError` (exit 2) when `value`, given with `option`, holds a control character, or
    anything else `printable` would have to escape."""
    if value is None:
        return
    found = (ONE_LINE_UNSHOWN if one_line else UNSHOWN).search(value)
    if found is None:
        return
    code = ord(found.group())
    where = "one line of text" if one_line and code in (0x09, 0x0A) else "text"
    if code <= 0x9F:
        hint = "type it without control characters or terminal escapes" + (" on one line" if where != "text" else "")
    elif code in (0x2028, 0x2029):
        hint = "type it on one line" if one_line else "break lines with a newline"
    else:
        hint = "type the text without it: it reorders or hides what is shown"
    raise UsageError(f"{option} holds {_kind(code)}, which is not allowed in {where}", hint=hint)


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
