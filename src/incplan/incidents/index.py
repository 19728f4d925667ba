"""Which records may be open, without reading every record in full (3,000 records stay fast).

`.incplan/index.json` beside the incidents folder remembers, per record file, its stat identity
(size, mtime and ctime in ns, inode) and the stage it ends in. A record whose identity changed
(a hand edit, a git merge or checkout, an incplan write) or that is not in the index is read
again, so the index is never stale; the rest cost one `stat` each. Open or not is decided with
the plan's final stages at the time of asking, so a plan change needs no rebuild. A record that
cannot be read is always a candidate: the full read then reports it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
from datetime import datetime
from pathlib import Path

from incplan.diagnostics import UsageError
from incplan.incidents.store import read_record_text, state_dir

INDEX_VERSION = 2


def _identity(info: os.stat_result) -> list[int]:
    return [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]


def _time(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


# A stage-setting event as incplan writes it (and as the SPEC shows it): one flow mapping per
# line, `at` first, then `type`. Anything else falls back to a YAML read.
_STAGE_LINE = re.compile(
    r"""^[ \t]*-[ \t]*\{[ \t]*at:[ \t]*['"]?([0-9][0-9T:+.Z -]*?)['"]?[ \t]*,"""
    r"""[ \t]*type:[ \t]*['"]?(opened|stage)['"]?[ \t]*,(.*)\}[ \t]*$""",
    re.MULTILINE,
)
_STAGE_KEY = re.compile(r"""(?:^|,)[ \t]*stage:[ \t]*['"]?([A-Za-z0-9_-]+)['"]?[ \t]*(?:,|$)""")
_KIND = re.compile(r"""^kind:[ \t]*['"]?(incident|maintenance)['"]?[ \t]*(?:#.*)?$""", re.MULTILINE)
_MENTIONS = re.compile(r"""type:[ \t]*['"]?(?:opened|stage)\b""")


def _scan(text: str) -> list[tuple[datetime, str]] | None:
    """Stage changes read from the text alone (~50x faster than YAML), or None when the file
    holds anything the pattern does not account for."""
    changes = []
    for match in _STAGE_LINE.finditer(text):
        at, stage = _time(match.group(1)), _STAGE_KEY.search(match.group(3))
        if at is None or at.tzinfo is None or stage is None:
            return None
        changes.append((at, stage.group(1)))
    if not changes or len(changes) != len(_MENTIONS.findall(text)) or "\nevents:" not in text:
        return None
    return changes


def last_stage(path: Path) -> tuple[str, str] | None:
    """(kind, the stage the record ends in: its events in time order); None when the file is
    not a readable record."""
    from incplan.plan.parse import parse_yaml

    text = read_record_text(path)
    if text is None:
        return None
    scanned = _scan(text)
    kind = _KIND.search(text)
    if scanned is not None and (kind is not None or "\nkind:" not in text):
        scanned.sort(key=lambda change: change[0])
        return (kind.group(1) if kind else "incident"), scanned[-1][1]
    data, problems = parse_yaml(text, str(path))
    if problems or not isinstance(data, dict) or not isinstance(data.get("events"), list):
        return None
    changes: list[tuple[datetime, str]] = []
    for event in data["events"]:
        if not isinstance(event, dict) or event.get("type") not in ("opened", "stage"):
            continue
        at, stage = _time(event.get("at")), event.get("stage")
        if at is None or at.tzinfo is None or not isinstance(stage, str):
            return None
        changes.append((at, stage))
    if not changes:
        return None
    changes.sort(key=lambda change: change[0])  # stable: same-time changes keep file order
    kind_value = data.get("kind", "incident")
    return (kind_value if isinstance(kind_value, str) else "incident"), changes[-1][1]


def open_candidates(folder: Path, records: list[Path], final_stages: dict[str, set[str]]) -> list[Path]:
    """The records of `folder` that are open (or unreadable), using and refreshing the index;
    `final_stages` per record kind (an incident's and a maintenance's stages differ)."""
    index_file = state_dir(folder) / "index.json"
    known = _load(index_file)
    fresh: dict[str, object] = {}
    candidates = []
    changed = False
    base = str(folder)
    for path in records:
        try:
            identity = _identity(os.stat(os.path.join(base, path.name)))  # noqa: PTH116, PTH118 - 3,000 of them
        except OSError:
            candidates.append(path)
            continue
        entry = known.get(path.name)
        ending: tuple[str, str] | None
        if entry is not None and entry[0] == identity:
            ending = entry[1]
        else:
            ending = last_stage(path)
            changed = True
        if ending is None:
            candidates.append(path)
            continue
        kind, stage = ending
        fresh[path.name] = [identity, kind, stage]
        if stage not in final_stages.get(kind, set()):
            candidates.append(path)
    if changed or len(fresh) != len(known):
        _save(index_file, fresh)
    return candidates


MAX_INDEX_BYTES = 4 * 1024 * 1024  # ~60 bytes a record: room for 60,000 records


def _load(index_file: Path) -> dict[str, tuple[list[int], tuple[str, str]]]:
    """The saved entries, each (stat identity, (kind, stage)); empty, as on a cold run, for an
    index that is missing, not a regular file (a symlink, a FIFO), over `MAX_INDEX_BYTES`, or
    not exactly the shape `_save` writes. The file can arrive with a checkout, so nothing in it
    is half-believed; an entry only spares reading a record whose stat identity it matches."""
    from incplan import cached_json
    from incplan.plan.read import read_text

    raw, _ = read_text(index_file, str(index_file), limit=MAX_INDEX_BYTES, symlinks=False, noun="index")
    if raw is None:
        return {}
    known: dict[str, tuple[list[int], tuple[str, str]]] = {}
    try:
        saved = cached_json.mapping(json.loads(raw))
        if saved.get("version") != INDEX_VERSION:
            return {}
        for name, entry in cached_json.mapping(saved.get("records")).items():
            identity, kind, stage = cached_json.items(entry)
            numbers = [n for n in cached_json.items(identity) if isinstance(n, int) and not isinstance(n, bool)]
            if len(numbers) != 4 or len(cached_json.items(identity)) != 4:
                return {}
            known[name] = (numbers, (cached_json.text(kind), cached_json.text(stage)))
    except (ValueError, TypeError, RecursionError):  # a wrong count of items unpacks as ValueError
        return {}
    return known


def _save(index_file: Path, records: dict[str, object]) -> None:
    from incplan.atomic import atomic_write
    from incplan.incidents.store import writable

    try:
        writable(index_file.parent / "incidents")  # never through a symlinked state folder
        index_file.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            if not stat.S_ISREG(index_file.lstat().st_mode):
                index_file.unlink()  # a planted symlink or FIFO is replaced, never written through
        text = json.dumps({"version": INDEX_VERSION, "records": records}, separators=(",", ":"))
        atomic_write(index_file, text, temp_dir=index_file.parent / "tmp")
    except (OSError, UsageError):
        pass  # a read-only checkout: the answer is the same, only the next run is slower
