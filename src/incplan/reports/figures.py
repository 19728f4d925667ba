"""One incident's row in `report --all`, computed by `compute` and kept by `cache`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class IncidentFigures:
    """One incident's row in `report --all`: all that the period's figures and table use (kept
    between runs for closed incidents by `reports/cache.py`)."""

    id: str
    title: str
    kind: str
    severity: str  # the most severe reached
    opened_at: datetime
    resolved_at: datetime | None
    time_to_resolve_s: int | None
    time_to_first_update_s: int | None
    first_update_target_s: int | None
    first_update_status: str
    cadence_status: str
    breach_count: int
    scheduled_for: datetime | None
    scheduled_until: datetime | None
    severities: tuple[str, ...]  # every severity, stage and channel it had: what it needs of the plan
    stages: tuple[str, ...]
    channels: tuple[str, ...]

    @property
    def first_update_met(self) -> bool | None:
        return {"met": True, "missed": False}.get(self.first_update_status)

    @property
    def cadence_met(self) -> bool | None:
        return {"met": True, "missed": False}.get(self.cadence_status)
