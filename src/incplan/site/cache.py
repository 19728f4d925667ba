"""The public view of each record, kept between builds in `.incplan/site-cache.json` (beside the
incidents folder, never in git or in the site), keyed by the record's bytes: a rebuild parses only
the records that changed. The key also holds the plan's bytes and incplan's version, since what
is public depends on both; a missing, stale or unreadable cache is simply rebuilt."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from incplan.cached_json import iso, items, mapping, maybe_moment, maybe_text, moment, text
from incplan.site.model import Entry, Text, Update

if TYPE_CHECKING:
    from incplan.json_types import JSONObject

FORMAT = 1


def dump_entry(entry: Entry) -> JSONObject:
    return {
        "id": entry.id,
        "kind": entry.kind,
        "title": entry.title,
        "impact": entry.impact,
        "stage": entry.stage,
        "status": entry.status,
        "final": entry.final,
        "opened_at": iso(entry.opened_at),
        "resolved_at": iso(entry.resolved_at),
        "updates": [
            {
                "at": iso(u.at),
                "stage": u.stage,
                "status": u.status,
                "texts": {k: [t.locale, t.subject, t.body] for k, t in u.texts.items()},
            }
            for u in entry.updates
        ],
        "components": entry.components,
        "history": {c: [[iso(at), s] for at, s in changes] for c, changes in entry.history.items()},
        "stage_times": {k: iso(v) for k, v in entry.stage_times.items()},
        "scheduled_for": iso(entry.scheduled_for),
        "scheduled_until": iso(entry.scheduled_until),
    }


# Reading an entry back: each value is checked for the type `dump_entry` wrote, so a cache file
# edited or damaged by hand is rebuilt (TypeError), never half-believed.


def _update(value: object) -> Update:
    data = mapping(value)
    texts = {}
    for locale, written in mapping(data["texts"]).items():
        text_locale, subject, body = items(written)
        texts[locale] = Text(text(text_locale), maybe_text(subject), text(body))
    return Update(moment(data["at"]), text(data["stage"]), text(data["status"]), texts)


def _changes(value: object) -> list[tuple[datetime, str]]:
    out = []
    for change in items(value):
        at, status = items(change)
        out.append((moment(at), text(status)))
    return out


def load_entry(value: object) -> Entry:
    """The entry `dump_entry` wrote; TypeError, KeyError or ValueError for anything else."""
    data = mapping(value)
    final = data["final"]
    if not isinstance(final, bool):
        raise TypeError("`final` is not true or false")
    return Entry(
        id=text(data["id"]),
        kind=text(data["kind"]),
        title=text(data["title"]),
        impact=text(data["impact"]),
        stage=text(data["stage"]),
        status=text(data["status"]),
        final=final,
        opened_at=moment(data["opened_at"]),
        resolved_at=maybe_moment(data["resolved_at"]),
        updates=[_update(u) for u in items(data["updates"])],
        components={c: text(s) for c, s in mapping(data["components"]).items()},
        history={c: _changes(changes) for c, changes in mapping(data["history"]).items()},
        stage_times={k: moment(v) for k, v in mapping(data["stage_times"]).items()},
        scheduled_for=maybe_moment(data["scheduled_for"]),
        scheduled_until=maybe_moment(data["scheduled_until"]),
    )


class EntryCache:
    def __init__(self, path: Path, plan_bytes: bytes) -> None:
        from incplan import __version__

        self.path = path
        self.key = hashlib.sha256(plan_bytes + f"\0{__version__}\0{FORMAT}".encode()).hexdigest()
        self.old: dict[str, object] = {}
        self.new: dict[str, object] = {}  # written as JSON
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(data, dict) and data.get("key") == self.key and isinstance(data.get("records"), dict):
                self.old = dict(data["records"])
        except (OSError, ValueError):
            pass

    @staticmethod
    def digest(content: bytes) -> str:
        return hashlib.sha256(content).hexdigest()

    def get(self, digest: str) -> tuple[bool, Entry | None]:
        """(known, entry): a known record that is not public has entry None."""
        if digest not in self.old:
            return False, None
        data = self.old[digest]
        try:
            entry = load_entry(data) if data is not None else None
        except (KeyError, TypeError, ValueError, AssertionError):
            return False, None
        self.new[digest] = data
        return True, entry

    def put(self, digest: str, entry: Entry | None) -> None:
        self.new[digest] = dump_entry(entry) if entry is not None else None

    def save(self) -> None:
        """Best effort: a read-only checkout builds the site all the same."""
        import os
        import tempfile

        if self.new == self.old:
            return
        from incplan.atomic import output_path
        from incplan.diagnostics import UsageError

        try:
            output_path(self.path.parent, folder=True)  # never through a symlinked state folder
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".site-cache.", suffix=".tmp", dir=self.path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump({"key": self.key, "records": self.new}, handle, separators=(",", ":"))
            Path(tmp).replace(self.path)
        except (OSError, UsageError):
            return
