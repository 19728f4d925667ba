"""The figures of closed incidents, kept between `report --all` runs in the cache folder
(`cachedir`: a folder only this user can write, never trusted otherwise).

A closed incident's figures depend only on its record and the plan (nothing on the clock:
`incidents.state.cadence` judges it at its resolution), so they are kept under the sha256 of the
record's text, in one JSON file per plan and incplan build: the file's name is the sha256 of the
plan as validated, of incplan's code as `check`'s result cache sees it, and of this format. Every
value read back is checked for the type it was written with; a damaged or edited entry is
computed again from its record, and a damaged file is rebuilt. Open incidents and records with
kept deliveries (`recovery`) are never cached.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from incplan import cachedir
from incplan.cached_json import iso, items, mapping, maybe_moment, moment, text
from incplan.reports.figures import IncidentFigures

if TYPE_CHECKING:
    from pathlib import Path

    from incplan.json_types import JSONObject
    from incplan.plan.models import Plan

FORMAT = 1
MAX_FILE = 256 * 1024 * 1024  # ~400 bytes an incident: far more incidents than a team has
STATUSES = frozenset({"met", "missed", "pending", "not_applicable"})


def dump(row: IncidentFigures) -> JSONObject:
    return {
        "id": row.id,
        "title": row.title,
        "kind": row.kind,
        "severity": row.severity,
        "opened_at": row.opened_at.isoformat(),
        "resolved_at": iso(row.resolved_at),
        "time_to_resolve_s": row.time_to_resolve_s,
        "time_to_first_update_s": row.time_to_first_update_s,
        "first_update_target_s": row.first_update_target_s,
        "first_update_status": row.first_update_status,
        "cadence_status": row.cadence_status,
        "breach_count": row.breach_count,
        "scheduled_for": iso(row.scheduled_for),
        "scheduled_until": iso(row.scheduled_until),
        "severities": list(row.severities),
        "stages": list(row.stages),
        "channels": list(row.channels),
    }


def _seconds(value: object) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"expected a whole number of seconds, not {type(value).__name__}")
    return value


def _status(value: object) -> str:
    if value not in STATUSES:
        raise ValueError(f"not a status: {value!r}")
    return text(value)


def _ids(value: object) -> tuple[str, ...]:
    return tuple(text(v) for v in items(value))


def load(value: object) -> IncidentFigures:
    """The row `dump` wrote; TypeError, KeyError or ValueError for anything else."""
    value = mapping(value)
    count = value["breach_count"]
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        raise TypeError("`breach_count` is not a count")
    resolved_at = moment(value["resolved_at"])  # only closed incidents are kept
    return IncidentFigures(
        id=text(value["id"]),
        title=text(value["title"]),
        kind=text(value["kind"]),
        severity=text(value["severity"]),
        opened_at=moment(value["opened_at"]),
        resolved_at=resolved_at,
        time_to_resolve_s=_seconds(value["time_to_resolve_s"]),
        time_to_first_update_s=_seconds(value["time_to_first_update_s"]),
        first_update_target_s=_seconds(value["first_update_target_s"]),
        first_update_status=_status(value["first_update_status"]),
        cadence_status=_status(value["cadence_status"]),
        breach_count=count,
        scheduled_for=maybe_moment(value["scheduled_for"]),
        scheduled_until=maybe_moment(value["scheduled_until"]),
        severities=_ids(value["severities"]),
        stages=_ids(value["stages"]),
        channels=_ids(value["channels"]),
    )


class FigureCache(cachedir.KeptRecords):
    """One plan's kept figures: `get` and `put` by the record's text, `save` once at the end."""

    def __init__(self, folder: Path, plan: Plan) -> None:
        from incplan.lint.cache import fingerprint

        # incplan's code (each source file's size and time) as `check`'s results are keyed
        key = hashlib.sha256(f"{plan.model_dump_json()}\0{fingerprint()}\0{FORMAT}".encode()).hexdigest()
        super().__init__(folder, key, FORMAT, MAX_FILE)

    @classmethod
    def open(cls, plan: Plan) -> FigureCache | None:
        """The cache of `plan`'s figures, or None when caching is off."""
        root = cachedir.cache_root()
        return cls(root / "reports", plan) if root is not None else None

    @staticmethod
    def digest(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()

    def get(self, digest: str) -> IncidentFigures | None:
        if digest not in self.old:
            return None
        try:
            row = load(self.old[digest])
        except (KeyError, TypeError, ValueError, OverflowError):
            return None  # computed again, and kept as computed
        self.new[digest] = self.old[digest]
        return row

    def put(self, digest: str, row: IncidentFigures) -> None:
        if row.resolved_at is not None:  # an open incident's figures change with the clock
            self.new[digest] = dump(row)
