"""Incident records on disk: find, read (positioned errors), create, and append events safely.

Every change is a locked read-modify-write: `filelock` on `.incplan/locks/<record>.lock`, the
record read and validated again under the lock, the event appended to ruamel's round-trip
document (comments and formatting a person added stay), written to a temporary file in
`.incplan/tmp/`, fsynced and renamed over the record. A record that does not parse or validate
is never overwritten.

Git-clean: locks and temporary files live in the state folder `.incplan/` beside the incidents
folder (never inside it), so `git add incidents/` only ever sees records; `incplan init` writes a
`.gitignore` line for `.incplan/`.
"""

from __future__ import annotations

import functools
import io
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, cast

from incplan.diagnostics import ProblemError, UsageError

if TYPE_CHECKING:
    from filelock import BaseFileLock
    from pydantic import TypeAdapter
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap

    from incplan.diagnostics import Diagnostic
    from incplan.incidents.models import Event, Record
    from incplan.plan.models import Plan

LOCK_TIMEOUT = 30.0  # seconds to wait for another incplan updating the same record
DELIVERY_TIMEOUT = 600.0  # seconds to wait for another incplan delivering for the same record
STATE_DIR = ".incplan"  # beside the incidents folder: locks, temporary files, the header index
STALE_TEMP = 60.0  # seconds after which a temporary file is a killed writer's leftover


def incidents_dir(plan: Plan, plan_path: Path) -> Path:
    """The records' folder: below the plan's folder (the plan model refuses `/abs` and `..`)."""
    return plan_path.parent / (plan.incidents_dir or "incidents")


def state_dir(folder: Path) -> Path:
    """incplan's own files for the records in `folder`: beside it, so never added with it."""
    return folder.parent / STATE_DIR


def writable(folder: Path) -> None:
    """Refuse (`UsageError`, exit 2) before anything is written when the records' folder or the
    state folder (or its `locks/`, `tmp/`) is a symlink: a pull request can commit
    `incidents -> /home/you` as easily as a record, and incplan would create, lock and rename
    files there (the output path policy of `atomic.output_path`)."""
    from incplan.atomic import output_path

    state = state_dir(folder)
    for path in (folder, state, state / "locks", state / "tmp"):
        output_path(path, folder=True)


def _yaml() -> YAML:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.width = 4096  # one event per line, however long its note
    yaml.preserve_quotes = True
    return yaml


MAX_ID = 200  # characters; a file name may have 255 bytes, and ids are slugs of a few words


def record_path(folder: Path, incident_id: str) -> Path:
    bad = (
        not incident_id
        or "/" in incident_id
        or "\\" in incident_id
        or incident_id.startswith(".")
        or any(ord(c) < 32 or c == "\x7f" for c in incident_id)
    )
    if bad or len(incident_id.encode("utf-8", "surrogateescape")) > MAX_ID:
        shown = incident_id if len(incident_id) <= 60 else f"{incident_id[:40]}... ({len(incident_id)} characters)"
        raise UsageError(
            f"`{shown!s}` is not an incident id".replace("\n", " "), hint="`incplan incident list` shows the ids"
        )
    return folder / f"{incident_id}.yaml"


def missing_record(path: Path) -> UsageError:
    """No record at `path`: the error, with the closest id in its folder (a typo in an id)."""
    from incplan.diagnostics import did_you_mean

    try:
        ids = [found.stem for found in list_records(path.parent)]
    except UsageError:
        ids = []
    close = did_you_mean(path.stem, ids)
    return UsageError(
        f"no incident record `{path}`",
        hint=(f"{close} " if close else "") + "`incplan incident list --all` shows the records",
    )


def read_record(path: Path) -> tuple[Record, CommentedMap]:
    """(validated record, round-trip document). Any problem is a `ProblemError` (exit 1)."""
    from pydantic import ValidationError

    from incplan.incidents.models import Record
    from incplan.plan.model_errors import schema_diagnostic
    from incplan.plan.positions import Positions

    if not os.path.lexists(path):
        raise missing_record(path)
    text = record_file_text(path)
    document = load_document(text, str(path))
    data = _plain(document)
    try:
        record = Record.model_validate(data)
    except ValidationError as exc:
        positions = Positions(text)
        found = [positions.place(schema_diagnostic(e, data, root=Record)) for e in exc.errors(include_url=False)]
        found = [d.with_file(str(path)) for d in found]
        raise ProblemError(f"the record `{path}` is not valid; fix it by hand", found) from None
    return record, cast("CommentedMap", document)  # a valid record is a mapping, read round-trip


def record_file_text(path: Path, name: str | None = None) -> str:
    """The text of the record file `path` (read by `read_record_file`), else a `ProblemError`
    saying why it cannot be read; `name`: how to call the file (default: its path)."""
    text, problems = read_record_file(path)
    if text is None:
        why = f": {problems[0].message}" if len(problems) == 1 else ""
        raise ProblemError(f"the record `{name or path}` cannot be read{why}", problems)
    return text


def load_document(text: str, file: str) -> object:
    """A record's round-trip document (comments and positions kept), within the YAML caps
    (aliases, their expansion, nesting) checked on the event stream before any object is
    built; a `ProblemError` when the text is damaged or over a cap."""
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    from incplan.plan.yaml_caps import event_guard
    from incplan.plan.yaml_errors import yaml_diagnostic

    if (problem := event_guard(text, file)) is not None:
        raise ProblemError(f"the record `{file}` is damaged; fix it by hand", [problem])
    try:
        return _yaml().load(text)
    except MarkedYAMLError as exc:
        raise ProblemError(
            f"the record `{file}` is damaged; fix it by hand", [yaml_diagnostic(exc, file, text)]
        ) from None
    except YAMLError as exc:
        raise ProblemError(f"the record `{file}` is damaged ({exc}); fix it by hand") from None
    except ValueError as exc:  # a number of more than 4,300 digits
        from incplan.plan.yaml_errors import parse_error

        raise ProblemError(f"the record `{file}` is damaged; fix it by hand", [parse_error(exc, text, file)]) from None
    except RecursionError:  # nesting the scan above does not bound (it is only an upper estimate)
        raise ProblemError(f"the record `{file}` nests too deep; fix it by hand") from None


def _plain(node: object) -> object:
    """ruamel's commented containers and scalar types as plain Python values."""
    from datetime import datetime as dt

    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, dt):
        return dt.fromisoformat(node.isoformat())  # ruamel's TimeStamp -> datetime
    if isinstance(node, bool | type(None)):
        return node
    if isinstance(node, str):
        return str(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return node


def _lock(path: Path, suffix: str = ".lock", timeout: float | None = None) -> BaseFileLock:
    from filelock import FileLock

    if timeout is None:  # read when called, not when defined: tests and callers may change it
        timeout = LOCK_TIMEOUT

    locks = state_dir(path.parent) / "locks"
    locks.mkdir(parents=True, exist_ok=True)
    return FileLock(str(locks / (path.name + suffix)), timeout=timeout)


@contextmanager
def delivering(path: Path) -> Iterator[None]:
    """Held while incplan delivers for the record at `path` (read, send, record): a second
    `notify --send` on the same incident waits for the first, then reads what it recorded (the
    status page incident it created) and updates it instead of creating a second one. A lock of
    its own, beside the record's: writing the record takes that one inside this."""
    from filelock import Timeout

    lock = _lock(path, ".deliver.lock", DELIVERY_TIMEOUT)
    try:
        lock.acquire()
    except Timeout:
        raise UsageError(
            f"another incplan has been delivering for `{path}` for over {DELIVERY_TIMEOUT:g} s",
            hint="wait for it to finish, then send again",
        ) from None
    try:
        yield
    finally:
        lock.release()


def _temp_dir(path: Path) -> Path:
    return state_dir(path.parent) / "tmp"


def _remove_leftovers(path: Path) -> None:
    """A writer killed mid-write leaves its temporary file; the next writer removes it."""
    import time

    folder = _temp_dir(path)
    if not folder.is_dir():
        return
    for leftover in folder.glob(f".{path.name}.*.tmp"):
        try:
            if time.time() - leftover.stat().st_mtime > STALE_TEMP:
                leftover.unlink()
        except OSError:
            pass


def event_map(event: dict[str, object]) -> CommentedMap:
    """One event as a flow-style mapping: one line per event in the file."""
    from ruamel.yaml.comments import CommentedMap

    mapping = CommentedMap()
    for key, value in event.items():
        if value is None:
            continue
        mapping[key] = _timestamp(value) if isinstance(value, datetime) else _text(value)
    mapping.fa.set_flow_style()
    return mapping


_LINE_BREAKS = frozenset("\x85\u2028\u2029\r")  # YAML 1.1 line breaks besides \n


def _text(value: object) -> object:
    """A value as the record writes it: plain `str` (an email header object is one), and text
    holding a character YAML 1.1 takes for a line break double-quoted, where it is written as
    its escape (`\\L`): written raw it would break the one-event-per-line layout and change the
    text (ruamel indents after it)."""
    if isinstance(value, str):
        from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

        if not _LINE_BREAKS.isdisjoint(value):
            return DoubleQuotedScalarString(value)
        if value[:1] == "?":  # ruamel writes `?0` plain, which no YAML reader takes back
            return SingleQuotedScalarString(value)
        return str(value)
    if isinstance(value, dict):
        return {k: _text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_text(v) for v in value]
    return value


def _timestamp(moment: datetime) -> str:
    # Written quoted ('2026-11-27T10:02:00+01:00'): libyaml, the fast C parser, refuses the
    # unquoted form inside a flow mapping; the record stays one readable line per event.
    return moment.isoformat()


def event_line(event: dict[str, object]) -> str:
    """One event as the line a record holds for it (`- {at: ..., type: ...}`)."""
    return _dump([event_map(event)])


def _dump(document: object) -> str:
    buffer = io.StringIO()
    _yaml().dump(document, buffer)
    return buffer.getvalue()


def append_events(path: Path, make: Callable[[Record], list[dict[str, object]]]) -> Record:
    """Under the lock: read and validate, compute the new events from the current record,
    append them and write atomically. Returns the record as written."""
    from filelock import Timeout

    from incplan.atomic import atomic_write
    from incplan.incidents import recovery

    if not path.is_file():  # before locking: an unknown id leaves no lock file behind
        read_record(path)
    writable(path.parent)
    try:
        with _lock(path):
            _remove_leftovers(path)
            text = read_record_text(path)
            if text is None:
                read_record(path)  # the reason it cannot be read (ProblemError)
                text = ""
            record, in_layout = _parse_layout(text)
            if record is None:
                record, _ = read_record(path)  # the positioned error, or a record only ruamel reads
            # deliveries an earlier command could not write here are merged first
            adapter = _event_adapter()
            recovered = [
                e for e in recovery.missing_from(recovery.pending(path), record.events) if _valid_event(adapter, e)
            ]
            new_events = [*recovered, *make(record)]
            if not new_events:
                return record
            parsed = [adapter.validate_python({k: v for k, v in e.items() if v is not None}) for e in new_events]
            updated = record.model_copy(update={"events": [*record.events, *parsed]})
            atomic_write(
                path,
                _appended(text, new_events, updated, in_layout) or _rewritten(path, new_events),
                temp_dir=_temp_dir(path),
            )
            if recovered:
                recovery.clear(path)
            return updated
    except Timeout:
        raise UsageError(
            f"`{path}` is locked by another incplan for over {LOCK_TIMEOUT:g} s",
            hint="wait for the other incplan to finish, then try again",
        ) from None


@functools.cache
def _event_adapter() -> TypeAdapter[Event]:
    """One validator of single events per process (building one costs milliseconds)."""
    from pydantic import TypeAdapter

    from incplan.incidents.models import Event

    return TypeAdapter(Event)


def _valid_event(adapter: TypeAdapter[Event], event: dict[str, object]) -> bool:
    from pydantic import ValidationError

    try:
        adapter.validate_python({k: v for k, v in event.items() if v is not None})
    except ValidationError:
        return False
    return True


def _parse_fast(text: str) -> Record | None:
    return _parse_layout(text)[0]


def _parse_layout(text: str) -> tuple[Record | None, bool]:
    """(the record, or None if it does not parse or validate; whether the text is in the layout
    incplan writes, read line by line by `lines`, else by the C YAML loader)."""
    from pydantic import ValidationError

    from incplan.incidents import lines
    from incplan.incidents.models import Record
    from incplan.plan.parse import parse_yaml

    if not text:
        return None, False
    data = lines.parse(text)
    in_layout = data is not None
    if data is None:
        parsed, problems = parse_yaml(text, "")
        if problems or not isinstance(parsed, dict):
            return None, False
        data = parsed
    try:
        return Record.model_validate(data), in_layout
    except ValidationError:
        return None, in_layout


def _appended(text: str, new_events: list[dict[str, object]], expected: Record, in_layout: bool = False) -> str | None:
    """The record with one line per new event added at its end, as a person would append
    them; None when the file's layout does not allow it (then it is rewritten round-trip).
    Appending never changes meaning: the result would parse to `expected`. For a record in
    incplan's own layout (`in_layout`) each line is one event, so reading the new lines proves
    it; for any other layout the whole result is parsed again."""

    from incplan.incidents import lines
    from incplan.plan.read import lines_of

    rows = lines_of(text)
    item = next((line for line in reversed(rows) if line.lstrip().startswith("- ")), None)
    if item is None:
        return None
    indent = item[: len(item) - len(item.lstrip())]
    added = "".join(indent + _dump([event_map(e)]) for e in new_events)
    candidate = (text if text.endswith("\n") else text + "\n") + added
    if in_layout:
        read = lines.event_lines(lines_of(added), indent)
        if read is not None and len(read) == len(new_events):
            adapter = _event_adapter()
            if [adapter.validate_python(e) for e in read] == expected.events[len(expected.events) - len(read) :]:
                return candidate
    return candidate if _parse_fast(candidate) == expected else None


def _rewritten(path: Path, new_events: list[dict[str, object]]) -> str:
    """Round-trip: ruamel keeps comments and layout a person gave the file."""
    _, document = read_record(path)
    for event in new_events:
        document["events"].append(event_map(event))
    return _dump(document)


def read_record_fast(path: Path) -> Record:
    """For reading only (status, reports): the C safe loader, ~8x faster than round-trip;
    anything it cannot take goes through `read_record` for a positioned error."""
    return record_from_text(path, read_record_text(path))


def read_record_text(path: Path) -> str | None:
    """The text of a record file, or None when it is missing or cannot be read as text."""
    return read_record_file(path)[0]


MAX_RECORD_BYTES = 8 * 1024 * 1024  # a long incident with every text it sent is a few hundred KiB


def read_record_file(path: Path) -> tuple[str | None, list[Diagnostic]]:
    """The one way a record's bytes are read: only from a regular file that is no symlink (git
    commits a symlink to /dev/zero or to a file outside the repository as easily as a record),
    never opening a FIFO or device, at most `MAX_RECORD_BYTES`, as UTF-8; else the problems."""
    from incplan.plan.read import read_text

    return read_text(path, str(path), limit=MAX_RECORD_BYTES, symlinks=False, noun="record")


def record_from_text(path: Path, text: str | None) -> Record:
    """`read_record_fast` of the record whose text (None: unreadable) was read from `path`."""
    from incplan.incidents.models import TitleChanged

    fast = _parse_fast(text) if text is not None else None
    record = with_recovered(path, fast if fast is not None else read_record(path)[0])
    # The fast parser refuses control characters (but tab and newline): only a record it refused,
    # or one with kept deliveries merged in, can hold them; a title is one line.
    titles = [record.title, *(e.title for e in record.events if isinstance(e, TitleChanged))]
    if fast is None or fast is not record or any("\t" in t or "\n" in t for t in titles) or _invisible(text):
        record = printable_record(record)
    return record


def _invisible(text: str | None) -> bool:
    """Whether the text may hold a bidirectional control, separator, zero-width character or
    noncharacter, which the fast parser takes but `printable` escapes: as itself or as a YAML
    escape (`"\\u202e"`, `"\\L"`)."""
    from incplan.controls import INVISIBLE

    return text is not None and ("\\" in text or INVISIBLE.search(text) is not None)


def printable_record(record: Record) -> Record:
    """`record` for showing: every control character in its text written as an escape
    (`\\x1b`), so a record edited by hand to hold terminal escapes is shown, never obeyed."""
    from incplan.controls import printable
    from incplan.incidents.models import Record

    changed = False

    def clean(node: object, key: str = "") -> object:
        nonlocal changed
        if isinstance(node, str):
            shown = printable(node, one_line=key in ("title", "id", "by", "person"))
            changed = changed or shown != node
            return shown
        if isinstance(node, dict):
            return {clean(k, "id"): clean(v, k) for k, v in node.items()}
        if isinstance(node, list):
            return [clean(v, key) for v in node]
        return node

    data = clean(record.model_dump(exclude_none=True))
    return Record.model_validate(data) if changed else record


def with_recovered(path: Path, record: Record) -> Record:
    """`record` with the deliveries kept in its recovery file (not yet merged) folded in."""
    from incplan.incidents import recovery

    kept = recovery.missing_from(recovery.pending(path), record.events)
    if not kept:
        return record
    from pydantic import ValidationError

    adapter = _event_adapter()
    events = list(record.events)
    for event in kept:
        try:
            events.append(adapter.validate_python({k: v for k, v in event.items() if v is not None}))
        except ValidationError:
            continue
    events.sort(key=lambda e: e.at)
    return record.model_copy(update={"events": events})


def create_record(folder: Path, base_id: str, header: dict[str, object], first_event: dict[str, object]) -> Path:
    """A new record with a unique id (`base`, `base-2`, ...), created exclusively and whole: the
    text is written and fsynced under a temporary name in the state folder first, then linked
    to the record's name (a link never replaces a file), so a full disk or a killed writer
    leaves no empty or half record."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    writable(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(1, 1000):
        incident_id = base_id if n == 1 else f"{base_id}-{n}"
        path = folder / f"{incident_id}.yaml"
        if path.exists():
            continue
        document = CommentedMap()
        document["version"] = 1
        document["id"] = incident_id
        for key, value in header.items():
            document[key] = _timestamp(value) if isinstance(value, datetime) else _text(value)
        events = CommentedSeq()
        events.append(event_map(first_event))
        document["events"] = events
        if _create_exclusive(path, _dump(document)):
            return path
    raise UsageError(f"too many incidents named `{base_id}` today", hint="give the incident a more specific title")


def _create_exclusive(path: Path, text: str) -> bool:
    """Write `path` only if it does not exist yet; False when it does."""
    import tempfile

    from incplan.atomic import new_file_mode

    temp_dir = _temp_dir(path)
    try:
        temp_dir.mkdir(parents=True, exist_ok=True)
    except OSError:
        temp_dir = path.parent  # no state folder possible: beside the record, removed below
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=temp_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fchmod(handle.fileno(), new_file_mode())
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        return True
    finally:
        Path(tmp).unlink(missing_ok=True)


def list_records(folder: Path) -> list[Path]:
    """The records in `folder` by name (sorted as text: thousands of them); none when it does
    not exist yet. A folder that exists but cannot be read is an error (exit 2), never "no
    incidents"."""
    try:
        with os.scandir(folder) as entries:
            names = [
                e.name for e in entries if e.name.endswith(".yaml") and not e.name.startswith(".") and not e.is_dir()
            ]
    except (FileNotFoundError, NotADirectoryError):
        return []
    except OSError as exc:
        raise UsageError(
            f"cannot read the incidents folder `{folder}`: {exc.strerror or exc}",
            hint="check the folder's permissions (it needs read and search access)",
        ) from None
    return [folder / name for name in sorted(names)]
