"""Times and days on the site, in the organization's timezone and the page's language."""

from __future__ import annotations

import functools
from datetime import date, datetime


@functools.lru_cache(maxsize=4096)
def format_moment(moment: datetime, timezone: str, locale: str) -> str:
    from incplan.templates.engine import format_time

    return format_time(moment, timezone)


@functools.lru_cache(maxsize=1024)
def format_day(day: date, locale: str) -> str:
    return day.isoformat()
