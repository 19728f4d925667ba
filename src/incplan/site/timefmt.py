"""Times and days on the site, in the organization's timezone and the page's language (CLDR,
through the same functions that format times in messages)."""

from __future__ import annotations

from datetime import date, datetime


def format_moment(moment: datetime, timezone: str, locale: str, fmt: str = "medium") -> str:
    """en `Nov 27, 2026, 10:17 CET`, pl `27 lis 2026, 10:17 CET` (the plan's `time_format`)."""
    from incplan.localize import format_datetime

    return format_datetime(moment, timezone, locale, fmt)


def format_day(day: date, locale: str) -> str:
    """en `Nov 27, 2026`, pl `27 lis 2026`."""
    from incplan.localize import babel_locale

    return _day(day, babel_locale(locale))


def _day(day: date, locale: str) -> str:
    from babel.dates import format_date

    return str(format_date(day, "medium", locale=locale))
