"""Durations as plans write them: `30s`, `15m`, `1h`, `1h30m`, `2d`."""

from __future__ import annotations

import re
from datetime import timedelta

DURATION_PATTERN = r"^(?=\d)(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$"
# ASCII digits only, as JSON Schema's `\d` (an editor and `check` refuse `١٥m` alike)
_DURATION = re.compile(DURATION_PATTERN, re.ASCII)


def parse_duration(text: str) -> timedelta:
    match = _DURATION.fullmatch(text.strip())
    if not match or not any(match.groups()):
        raise ValueError(f"`{text}` is not a duration; write it like `30s`, `15m`, `1h30m` or `2d`")
    if len(text.strip()) > 40:  # more digits than any span incplan computes with (checked before int())
        raise DurationTooLong(f"`{text.strip()[:40]}...` is too long a duration")
    days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    try:
        return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    except OverflowError:  # past timedelta's 999,999,999 days
        raise DurationTooLong(f"`{text.strip()}` is too long a duration") from None


class DurationTooLong(ValueError):
    """A duration that is well formed but longer than any span incplan computes with."""


def plan_notation(value: timedelta) -> str:
    """A span as a plan writes it (`1h30m`, `2d`, `0s`): what parse_duration reads back. For people
    in a language, localize.format_duration."""
    total = int(value.total_seconds())
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if total >= size:
            parts.append(f"{total // size}{unit}")
            total %= size
    return "".join(parts) or "0s"


def humanize(value: timedelta | float | None) -> str:
    """A span for people (`45s`, `5m30s`, `1h05m`, `3d4h`); the one humanizer of the tool."""
    if value is None:
        return "n/a"
    seconds = round(value.total_seconds() if isinstance(value, timedelta) else value)
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    if hours >= 48:
        days, hours = divmod(hours, 24)
        return f"{sign}{days}d{hours}h"
    if hours:
        return f"{sign}{hours}h{minutes:02d}m"
    if minutes:
        return f"{sign}{minutes}m" + (f"{secs:02d}s" if secs else "")
    return f"{sign}{secs}s"
