"""Merge two versions of one incident record, as a git merge driver does (`%O %A %B`).

Records are append-only event logs, so two responders who each appended events never really
conflict: the result is the union of both sides' events, each once, in time order. An event is
compared three-way with the common ancestor: one that a side deleted (or corrected) by hand
while the other kept it unchanged stays deleted. The merge
works on the text of OURS so that everything a person wrote there (comments, layout) stays;
events only THEIRS has are taken as they are written there (with their comments). A header field
(title, plan, ...) changed differently on both sides is a real conflict: it is left between
git's markers and the merge fails.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

MARKER_SIZE = 7


class Unmergeable(Exception):
    """A side is not a record this merge understands (damaged, or already has markers)."""


@dataclass
class MergeResult:
    text: str
    conflicts: list[str] = field(default_factory=list)  # header fields changed on both sides
    added: int = 0  # events taken from theirs


@dataclass
class _Side:
    lines: list[str]
    data: dict[str, object]
    events: list[dict[str, object]]  # data["events"]
    keys: dict[str, tuple[int, int]]  # top-level key -> line span [start, end)
    items: list[tuple[int, int]]  # event -> line span
    indent: int  # column of the events' dashes


def _parse(text: str, name: str) -> _Side:
    from pydantic import ValidationError

    from incplan.incidents.models import Record
    from incplan.plan.read import lines_of

    # Lines as the YAML reader counts them (its positions index them): only \n ends one. A note
    # holding U+2028 or \x85 is one line; str.splitlines() would cut it in two.
    lines = lines_of(text, keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    data, key_lines, item_lines = _in_layout(text, lines) or _loaded(text, name)
    try:
        Record.model_validate(data)
    except ValidationError as exc:
        raise Unmergeable(f"{name} is not a valid incident record ({exc.error_count()} problems)") from None
    plain_events = data["events"]
    valid = (
        [e for e in plain_events if isinstance(e, dict)] if isinstance(plain_events, list) else []
    )  # all, once valid
    starts = sorted((line, key) for key, line in key_lines.items())
    keys: dict[str, tuple[int, int]] = {}
    for i, (line, key) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(lines)
        keys[key] = (line, end)
    events_start, events_end = keys["events"]
    if item_lines[0] <= events_start or len(set(item_lines)) != len(item_lines):
        raise Unmergeable("the events are not written one item per line")
    # Comment lines right above an event belong to it (they move, and are kept, with it).
    item_starts = [item_lines[0]]
    for i, line in enumerate(item_lines[1:], start=1):
        while line - 1 > item_lines[i - 1] and lines[line - 1].lstrip().startswith("#"):
            line -= 1
        item_starts.append(line)
    ends = [*item_starts[1:], events_end]
    items = list(zip(item_starts, ends, strict=True))
    first = lines[item_lines[0]]
    indent = len(first) - len(first.lstrip(" "))
    if not first.lstrip(" ").startswith("-"):
        raise Unmergeable("the events are not written one item per line")
    return _Side(lines, data, valid, keys, items, indent)


# data, the line of each top-level key, the line of each event
_Positions = tuple[dict[str, object], dict[str, int], list[int]]


def _in_layout(text: str, lines: list[str]) -> _Positions | None:
    """A record in the layout incplan writes (`incidents.lines`: one `key: value` or event per
    line, no alias, no nesting to speak of), read line by line: ~20x faster than the YAML
    loader, whose two passes over an 8 MiB record take most of a minute. None otherwise."""
    from incplan.incidents import lines as layout

    data = layout.parse(text)
    events = data.get("events") if data is not None else None
    if data is None or not isinstance(events, list) or not events:
        return None
    key_lines: dict[str, int] = {}
    item_lines: list[int] = []
    for number, line in enumerate(lines):
        if line[:1].isalpha() or line[:1] == "_":
            key_lines[line.split(":", 1)[0]] = number
        elif line.lstrip(" ").startswith("- {"):
            item_lines.append(number)
    if key_lines.keys() != data.keys() or len(item_lines) != len(events):
        return None  # not the shape the reader took: the loader decides
    return data, key_lines, item_lines


def _loaded(text: str, name: str) -> _Positions:
    """A record in any other layout, through the loader of records (the same caps on aliases
    and nesting) and its positions."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    from incplan.diagnostics import ProblemError
    from incplan.incidents.store import _plain, load_document

    try:
        document: object = load_document(text, name)
    except ProblemError as exc:
        raise Unmergeable(_first_line(exc.message)) from None
    # a mapping read round-trip is ruamel's CommentedMap, which knows the line of each key
    if not isinstance(document, CommentedMap) or not isinstance(document.get("events"), list) or not document["events"]:
        raise Unmergeable(f"{name} is not an incident record")
    events = document["events"]
    if not isinstance(events, CommentedSeq) or events.fa.flow_style():
        raise Unmergeable("the events are not written one item per line")
    key_lines = {str(k): document.lc.key(k)[0] for k in document}
    data = {str(k): _plain(v) for k, v in document.items()}
    return data, key_lines, [events.lc.item(i)[0] for i in range(len(events))]


def _normal(value: object) -> object:
    """Values compared by meaning: times as UTC instants, however they are written."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        return moment.astimezone(UTC).isoformat() if moment.tzinfo else value
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normal(v) for v in value]
    return value


def _event_key(event: dict[str, object]) -> str:
    return json.dumps(_normal(event), sort_keys=True, default=str)


def _counts(events: list[dict[str, object]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for event in events:
        key = _event_key(event)
        counts[key] = counts.get(key, 0) + 1
    return counts


def _count(base: int, ours: int, theirs: int) -> int:
    """How often an event is in the merge. Both sides added it (or kept it): the larger count, so
    the same event appended on both sides is kept once. Both removed it: the smaller. One added
    and the other removed: both changes."""
    mine, their = ours - base, theirs - base
    if mine >= 0 and their >= 0:
        return base + max(mine, their)
    if mine <= 0 and their <= 0:
        return max(0, base + min(mine, their))
    return max(0, base + mine + their)


def _event_time(event: dict[str, object]) -> datetime:
    at = event["at"]
    return at if isinstance(at, datetime) else datetime.fromisoformat(str(at))


def _reindent(lines: list[str], delta: int) -> list[str]:
    if delta > 0:
        return [(" " * delta + line) if line.strip() else line for line in lines]
    if delta < 0:
        out = []
        for line in lines:
            spaces = len(line) - len(line.lstrip(" "))
            out.append(line[min(spaces, -delta) :])
        return out
    return lines


def merge_texts(base: str | None, ours: str, theirs: str, marker_size: int = MARKER_SIZE) -> MergeResult:
    """Raises `Unmergeable` when OURS or THEIRS is not a readable record."""
    o = _parse(ours, "OURS")
    t = _parse(theirs, "THEIRS")
    try:
        ancestor_side = _parse(base, "BASE") if base and base.strip() else None
    except Unmergeable:
        ancestor_side = None  # a damaged ancestor: every header difference is a conflict
    b = ancestor_side.data if ancestor_side is not None else None

    # Events, three-way and counted as multisets (a repeated event stays repeated): how often each
    # event is in the result follows from how often it is in BASE, OURS and THEIRS (`_count`), so
    # an event one side deleted or corrected by hand stays deleted. Ours are kept in place, theirs
    # added; then all in time order, stable, each with the lines written for it.
    base_counts = _counts(ancestor_side.events) if ancestor_side is not None else {}
    ours_counts, theirs_counts = _counts(o.events), _counts(t.events)
    wanted = {
        key: _count(base_counts.get(key, 0), ours_counts.get(key, 0), theirs_counts.get(key, 0))
        for key in {*ours_counts, *theirs_counts}
    }
    chunks: list[tuple[datetime, list[str]]] = []
    for event, (start, end) in zip(o.events, o.items, strict=True):
        key = _event_key(event)
        if wanted[key] > 0:
            wanted[key] -= 1
            chunks.append((_event_time(event), o.lines[start:end]))
    added = 0
    for event, (start, end) in zip(t.events, t.items, strict=True):
        key = _event_key(event)
        if wanted[key] > 0:
            wanted[key] -= 1
            added += 1
            chunks.append((_event_time(event), _reindent(t.lines[start:end], o.indent - t.indent)))
    if not chunks:
        raise Unmergeable("between them, the two sides removed every event")
    chunks.sort(key=lambda chunk: chunk[0].astimezone(UTC))
    merged_events = [line for _, chunk in chunks for line in chunk]
    # a chunk that ended the file without a blank line must not glue onto the next one
    merged_events = [line if line.endswith("\n") else line + "\n" for line in merged_events]

    # Header fields: three-way, per field.
    replacements: list[tuple[int, int, list[str]]] = []
    conflicts: list[str] = []
    events_line = o.keys["events"][0]
    inserts: list[str] = []
    for key in [*o.keys, *(k for k in t.keys if k not in o.keys)]:
        if key == "events":
            continue
        mine, theirs_value = _normal(o.data.get(key)), _normal(t.data.get(key))
        if mine == theirs_value:
            continue
        ancestor = _normal(b.get(key)) if b is not None else object()
        theirs_lines = t.lines[slice(*t.keys[key])] if key in t.keys else []
        if mine == ancestor:  # only theirs changed it
            if key in o.keys:
                replacements.append((*o.keys[key], theirs_lines))
            else:
                inserts.extend(theirs_lines)
        elif theirs_value == ancestor:  # only ours changed it
            continue
        else:
            conflicts.append(key)
            mine_lines = o.lines[slice(*o.keys[key])] if key in o.keys else []
            block = [
                "<" * marker_size + " ours\n",
                *mine_lines,
                "=" * marker_size + "\n",
                *theirs_lines,
                ">" * marker_size + " theirs\n",
            ]
            if key in o.keys:
                replacements.append((*o.keys[key], block))
            else:
                inserts.extend(block)
    first_item, events_end = o.items[0][0], o.keys["events"][1]
    replacements.append((first_item, events_end, merged_events))
    if inserts:
        replacements.append((events_line, events_line, inserts))
    lines = list(o.lines)
    for start, end, new in sorted(replacements, key=lambda r: (r[0], r[1]), reverse=True):
        lines[start:end] = new
    return MergeResult("".join(lines), conflicts, added)


@dataclass
class FileMerge:
    clean: bool
    message: str


def merge_files(base: Path, ours: Path, theirs: Path, marker_size: int = MARKER_SIZE) -> FileMerge:
    """The merge driver: the result is written to OURS (git's `%A`). Every version is read as
    records are (a regular file, capped, the YAML caps); when OURS or THEIRS cannot be read, or
    is not a record, the files are merged line by line with `git merge-file` and the merge
    fails (exit 1), so git shows a conflict: never OURS alone, which `git add` would keep
    without their events."""
    from incplan.atomic import atomic_write
    from incplan.diagnostics import ProblemError
    from incplan.incidents.store import record_file_text

    texts = []
    try:
        for path, name in ((base, "BASE"), (ours, "OURS"), (theirs, "THEIRS")):
            if name != "BASE":
                texts.append(record_file_text(path, name))
                continue
            try:  # an ancestor missing, unreadable or damaged: merged as with none (`merge_texts`)
                texts.append(record_file_text(path, name) if os.path.lexists(path) else "")
            except ProblemError:
                texts.append("")
        result = merge_texts(texts[0] or None, texts[1], texts[2], marker_size)
    except ProblemError as exc:
        return _line_merge(base, ours, theirs, marker_size, _first_line(exc.message))
    except Unmergeable as exc:
        return _line_merge(base, ours, theirs, marker_size, str(exc))
    atomic_write(ours, result.text)
    if result.conflicts:
        names = ", ".join(f"`{k}`" for k in result.conflicts)
        return FileMerge(False, f"{names} changed differently on both sides; {result.added} event(s) merged")
    return FileMerge(True, f"{result.added} event(s) merged")


def _line_merge(base: Path, ours: Path, theirs: Path, marker_size: int, why: str) -> FileMerge:
    import shutil
    import subprocess

    git = shutil.which("git")
    if git is None:
        return FileMerge(False, f"{why}; left unmerged")
    if not os.path.lexists(base):
        base = Path(os.devnull)
    done = subprocess.run(
        [git, "merge-file", f"--marker-size={marker_size}", "-L", "ours", "-L", "base", "-L", "theirs",
         str(ours), str(base), str(theirs)],
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    if done.returncode < 0 or done.returncode > 127:  # git merge-file failed: OURS is untouched
        return FileMerge(False, f"{why}; left unmerged ({done.stderr.strip() or 'git merge-file failed'})")
    # Clean or not, a side was no readable record: the merge fails so that a person looks at it.
    return FileMerge(False, f"{why}; merged line by line" + ("" if done.returncode else ", no markers: check it"))


def _first_line(message: str) -> str:
    return message.strip().split("\n", 1)[0]
