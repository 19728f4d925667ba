""" "Now" for every command: `INCPLAN_NOW` (ISO 8601 with offset) or the system clock."""

from __future__ import annotations

import os
from datetime import UTC, datetime

from incplan.diagnostics import UsageError


def parse_time(text: str, what: str = "time") -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            f"{what} `{text}` is not an ISO 8601 time", hint="write it like 2026-11-27T10:02:00+01:00"
        ) from None
    if moment.tzinfo is None:
        raise UsageError(f"{what} `{text}` has no UTC offset", hint="add one, like +01:00 or Z")
    return moment


def now() -> datetime:
    if text := os.environ.get("INCPLAN_NOW"):
        return parse_time(text, "INCPLAN_NOW")
    return datetime.now(UTC)
