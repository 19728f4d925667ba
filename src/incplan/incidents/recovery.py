"""Deliveries that happened but could not be written to their record (SPEC §8).

When the record is locked for too long, its folder is read-only or the disk is full, the events
of a delivery that already went out are kept in a recovery file in the user's state folder
(`$XDG_STATE_HOME/incplan/recovery/`, else `~/.local/state/incplan/recovery/`): outside the
repository, so `git add incidents/` never picks it up, and writable when `incidents/` is not.
Every read of the record folds the kept events in (so the next `notify --send` updates the status
page incident instead of creating a second one), and the next write to the record merges them
into it and removes the file.

One JSON object per line; a line cut short by a crash is skipped.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from pydantic import BaseModel


def folder() -> Path:
    state = os.environ.get("XDG_STATE_HOME")
    base = Path(state) if state and Path(state).is_absolute() else Path.home() / ".local" / "state"
    return base / "incplan" / "recovery"


def recovery_path(record: Path) -> Path:
    """One file per record, named by the record's id and its real path (two checkouts of the
    same repository keep theirs apart): the same file however the record is reached, from the
    repository (`incidents/x.yaml`), from below it (`--plan ../incplan.yaml`) or through a
    symlinked checkout."""
    return _named(os.path.realpath(record), record.stem)


def _named(where: str, stem: str) -> Path:
    digest = hashlib.sha256(where.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return folder() / f"{stem[:100]}.{digest}.jsonl"


def _candidates(record: Path) -> list[Path]:
    """The recovery file, then the one an earlier incplan named by the path as typed."""
    legacy = _named(str(record.absolute()), record.stem)
    current = recovery_path(record)
    return [current] if legacy == current else [current, legacy]


def keep(record: Path, events: list[dict[str, object]]) -> Path:
    """Append `events` to the record's recovery file (fsynced); returns its path. Raises
    `OSError` when even that cannot be written."""
    path = recovery_path(record)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    lines = "".join(json.dumps(_jsonable(e), ensure_ascii=False, sort_keys=True) + "\n" for e in events)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, lines.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    return path


def kept_names() -> list[str]:
    """The names of the recovery files (usually none, or no folder at all)."""
    try:
        with os.scandir(folder()) as entries:
            return [entry.name for entry in entries]
    except OSError:
        return []


def has_kept(record: Path, names: list[str]) -> bool:
    """Could one of the recovery files `names` hold events of `record`?"""
    prefix = f"{record.stem[:100]}."
    return any(name.startswith(prefix) for name in names)


def pending(record: Path) -> list[dict[str, object]]:
    """The events kept for `record`, oldest first (none when there is no recovery file)."""
    if not has_kept(record, kept_names()):  # one listing first: usually nothing is kept
        return []
    texts = []
    for path in _candidates(record):
        try:
            texts.append(path.read_text(encoding="utf-8", errors="replace"))
        except OSError:  # none kept (or unreadable: nothing to merge)
            continue
    events: list[dict[str, object]] = []
    for line in "\n".join(texts).split("\n"):  # not splitlines(): a body may hold U+2028
        try:
            event = json.loads(line)
        except ValueError:
            continue  # a line cut short by a crash
        if isinstance(event, dict) and isinstance(event.get("at"), str):
            try:
                event["at"] = datetime.fromisoformat(event["at"])
            except ValueError:
                continue
            if _key(event) not in (_key(e) for e in events):  # kept in both files: once
                events.append(event)
    return events


def clear(record: Path) -> None:
    for path in _candidates(record):
        path.unlink(missing_ok=True)


def missing_from(events: list[dict[str, object]], recorded: Sequence[BaseModel]) -> list[dict[str, object]]:
    """The kept events that the record does not hold yet (a merge that crashed half-way, or two
    commands merging at once, never adds an event twice)."""
    if not events:
        return []  # the usual case: nothing kept, no need to look through the record
    have = {_key(e.model_dump()) for e in recorded}
    return [e for e in events if _key(e) not in have]


def _key(event: dict[str, object]) -> tuple[object, ...]:
    at = event.get("at")
    if isinstance(at, datetime):
        at = at.isoformat()
    return (at, event.get("type"), event.get("stage"), event.get("channel"), event.get("ref"))


def _jsonable(event: dict[str, object]) -> dict[str, object]:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in event.items() if v is not None}
