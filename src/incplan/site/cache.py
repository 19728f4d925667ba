"""The public view of each record, kept between builds in `.incplan/site-cache.json` (beside the
incidents folder, never in git or in the site), keyed by the record's bytes: a rebuild parses only
the records that changed. The key also holds the plan's bytes and incplan's version, since what
is public depends on both; a missing, stale or unreadable cache is simply rebuilt."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from incplan.site.model import Entry, Text, Update

FORMAT = 1


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def dump_entry(entry: Entry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "kind": entry.kind,
        "title": entry.title,
        "impact": entry.impact,
        "stage": entry.stage,
        "status": entry.status,
        "final": entry.final,
        "opened_at": _iso(entry.opened_at),
        "resolved_at": _iso(entry.resolved_at),
        "updates": [
            {
                "at": _iso(u.at),
                "stage": u.stage,
                "status": u.status,
                "texts": {k: [t.locale, t.subject, t.body] for k, t in u.texts.items()},
            }
            for u in entry.updates
        ],
        "components": entry.components,
        "history": {c: [[_iso(at), s] for at, s in changes] for c, changes in entry.history.items()},
        "stage_times": {k: _iso(v) for k, v in entry.stage_times.items()},
        "scheduled_for": _iso(entry.scheduled_for),
        "scheduled_until": _iso(entry.scheduled_until),
    }


def load_entry(data: dict[str, Any]) -> Entry:
    def at(value: str) -> datetime:
        moment = _when(value)
        assert moment is not None
        return moment

    return Entry(
        id=data["id"],
        kind=data["kind"],
        title=data["title"],
        impact=data["impact"],
        stage=data["stage"],
        status=data["status"],
        final=data["final"],
        opened_at=at(data["opened_at"]),
        resolved_at=_when(data["resolved_at"]),
        updates=[
            Update(at(u["at"]), u["stage"], u["status"], {k: Text(*t) for k, t in u["texts"].items()})
            for u in data["updates"]
        ],
        components=data["components"],
        history={c: [(at(when), s) for when, s in changes] for c, changes in data["history"].items()},
        stage_times={k: at(v) for k, v in data["stage_times"].items()},
        scheduled_for=_when(data["scheduled_for"]),
        scheduled_until=_when(data["scheduled_until"]),
    )


class EntryCache:
    def __init__(self, path: Path, plan_bytes: bytes) -> None:
        from incplan import __version__

        self.path = path
        self.key = hashlib.sha256(plan_bytes + f"\0{__version__}\0{FORMAT}".encode()).hexdigest()
        self.old: dict[str, Any] = {}
        self.new: dict[str, Any] = {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(data, dict) and data.get("key") == self.key and isinstance(data.get("records"), dict):
                self.old = data["records"]
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
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".site-cache.", suffix=".tmp", dir=self.path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump({"key": self.key, "records": self.new}, handle, separators=(",", ":"))
            Path(tmp).replace(self.path)
        except OSError:
            return
