"""Times and days on the site, in the organization's timezone and the page's language (CLDR).

A site of years of records formats tens of thousands of times; Babel's pattern formatting costs
~0.4 ms each. For the named formats (`short`, `medium`, `long`) the result is the locale's date
of that length, the 24-hour clock and the zone, glued as the locale glues them, exactly as
`incplan.localize.format_datetime` builds it; here the date part is formatted once per day and
the glue once per locale (a test holds the two equal). Other formats go to localize itself."""

from __future__ import annotations

import functools
import re
from datetime import date, datetime

from incplan.localize import zone

NAMED = ("short", "medium", "long")


@functools.lru_cache(maxsize=64)
def _glue(locale: str, fmt: str) -> str:
    from babel import Locale

    from incplan.localize import babel_locale

    glue = str(Locale.parse(babel_locale(locale)).datetime_formats.get(fmt, "{1}, {0}"))
    return re.sub(r"'([^']*)'", r"\1", glue)


@functools.cache
def _date(day: date, locale: str, fmt: str) -> str:
    from babel.dates import format_date

    from incplan.localize import babel_locale

    return str(format_date(day, fmt, locale=babel_locale(locale)))


def format_moment(moment: datetime, timezone: str, locale: str, fmt: str = "medium") -> str:
    """en `Nov 27, 2026, 10:17 CET`, pl `27 lis 2026, 10:17 CET` (the plan's `time_format`)."""
    if fmt not in NAMED:
        from incplan.localize import format_datetime

        return format_datetime(moment, timezone, locale, fmt)
    local = moment.astimezone(zone(timezone))
    clock = f"{local:%H:%M} {local.tzname() or local.strftime('%z')}"
    return _glue(locale, fmt).replace("{1}", _date(local.date(), locale, fmt)).replace("{0}", clock)


def format_day(day: date, locale: str) -> str:
    """en `Nov 27, 2026`, pl `27 lis 2026`."""
    return _date(day, locale, "medium")
