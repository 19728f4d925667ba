"""Durations as plans write them: `30s`, `15m`, `1h`, `1h30m`, `2d`."""

from __future__ import annotations

import re
from datetime import timedelta

DURATION_PATTERN = r"^(?=\d)(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$"
_DURATION = re.compile(DURATION_PATTERN)


def parse_duration(text: str) -> timedelta:
    match = _DURATION.match(text.strip())
    if not match or not any(match.groups()):
        raise ValueError(f"`{text}` is not a duration; write it like `30s`, `15m`, `1h30m` or `2d`")
    days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


def format_duration(value: timedelta) -> str:
    total = int(value.total_seconds())
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if total >= size:
            parts.append(f"{total // size}{unit}")
            total %= size
    return "".join(parts) or "0s"
