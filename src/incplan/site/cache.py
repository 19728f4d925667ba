"""The public view of each record, kept between builds in the cache folder (`cachedir`: a folder
only this user can write, never a symlink, else no cache at all; never in the repository or in
the site), keyed by the sha256 of the record's bytes: a rebuild parses only the records that
changed. The file's name holds the plan's bytes, the incidents folder and incplan's version,
since what is public depends on them. A `.incplan/site-cache.json` in a repository (older
incplan wrote one there) is never read: anyone who can commit could forge it.

Every value read back is checked for its type and range (`cached_json`); a damaged entry is
parsed again from its record and a damaged file is rebuilt."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING

from incplan import cachedir
from incplan.cached_json import iso, items, mapping, maybe_moment, moment, text
from incplan.site.model import (
    IMPACT_ORDER,
    SAFE_ID,
    STATUS_ORDER,
    STATUSPAGE_INCIDENT,
    STATUSPAGE_MAINTENANCE,
    Entry,
    Text,
    Update,
)

if TYPE_CHECKING:
    from pathlib import Path

    from incplan.json_types import JSONObject

FORMAT = 2
MAX_FILE = 256 * 1024 * 1024  # far more records than a team has
KINDS = frozenset({"incident", "maintenance"})
STATUSES = frozenset(STATUSPAGE_INCIDENT + STATUSPAGE_MAINTENANCE)
# What a record's text never holds once read (incidents make it printable): C0 but line breaks
# and tabs, DEL and C1; a cached text holding one was not written by us.
_RAW = frozenset(chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)]) - {"\n", "\t"}


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


# Reading an entry back: each value is checked for the type and range `dump_entry` wrote, so a
# cache file edited or damaged by hand is rebuilt (TypeError, ValueError), never half-believed.


def _printable(value: object) -> str:
    found = text(value)
    if not _RAW.isdisjoint(found):
        raise ValueError("a raw control character")
    return found


def _one_of(value: object, words: frozenset[str] | tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in words:
        raise ValueError(f"not one of the known words: {value!r}")
    return value


def _update(value: object) -> Update:
    data = mapping(value)
    texts = {}
    for locale, written in mapping(data["texts"]).items():
        text_locale, subject, body = items(written)
        texts[_printable(locale)] = Text(
            _printable(text_locale), None if subject is None else _printable(subject), _printable(body)
        )
    if not texts:
        raise ValueError("an update without a text")
    return Update(moment(data["at"]), _printable(data["stage"]), _one_of(data["status"], STATUSES), texts)


def _changes(value: object) -> list[tuple[datetime, str]]:
    out = []
    for change in items(value):
        at, status = items(change)
        out.append((moment(at), _one_of(status, STATUS_ORDER)))
    return out


def load_entry(value: object) -> Entry:
    """The entry `dump_entry` wrote; TypeError, KeyError or ValueError for anything else."""
    data = mapping(value)
    final = data["final"]
    if not isinstance(final, bool):
        raise TypeError("`final` is not true or false")
    ident = text(data["id"])
    if not SAFE_ID.fullmatch(ident):
        raise ValueError("not a record id")
    return Entry(
        id=ident,
        kind=_one_of(data["kind"], KINDS),
        title=_printable(data["title"]),
        impact=_one_of(data["impact"], IMPACT_ORDER),
        stage=_printable(data["stage"]),
        status=_one_of(data["status"], STATUSES),
        final=final,
        opened_at=moment(data["opened_at"]),
        resolved_at=maybe_moment(data["resolved_at"]),
        updates=[_update(u) for u in items(data["updates"])],
        components={_printable(c): _one_of(s, STATUS_ORDER) for c, s in mapping(data["components"]).items()},
        history={_printable(c): _changes(changes) for c, changes in mapping(data["history"]).items()},
        stage_times={_one_of(k, STATUSES): moment(v) for k, v in mapping(data["stage_times"]).items()},
        scheduled_for=maybe_moment(data["scheduled_for"]),
        scheduled_until=maybe_moment(data["scheduled_until"]),
    )


class EntryCache(cachedir.KeptRecords):
    """One site's kept entries: `get` and `put` by the record's digest, `save` once at the end."""

    def __init__(self, folder: Path, plan_bytes: bytes, incidents: Path) -> None:
        from incplan.lint.cache import fingerprint

        where = str(incidents.resolve()).encode("utf-8", "surrogateescape")
        key = hashlib.sha256(plan_bytes + b"\0" + where + f"\0{fingerprint()}\0{FORMAT}".encode()).hexdigest()
        super().__init__(folder, key, FORMAT, MAX_FILE)

    @classmethod
    def open(cls, plan_bytes: bytes, incidents: Path) -> EntryCache | None:
        """The cache of this site's entries, or None when caching is off or not private."""
        root = cachedir.cache_root()
        return cls(root / "site", plan_bytes, incidents) if root is not None else None

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
        except (KeyError, TypeError, ValueError, OverflowError, RecursionError):
            return False, None  # parsed again, and kept as parsed
        self.new[digest] = data
        return True, entry

    def put(self, digest: str, entry: Entry | None) -> None:
        self.new[digest] = dump_entry(entry) if entry is not None else None
