"""Times: "now" for every command, and every time a user types (`--at`, `--since`, `--until`,
`INCPLAN_NOW`), read in one place with one set of rules (SPEC §4):

- ISO 8601 with an offset (`2026-11-27T10:02:00+01:00`, `...Z`);
- without an offset, in the organization's timezone (`2026-11-27 10:02`), so that across a
  DST change nobody works out +01 vs +02;
- `HH:MM` (today, in the organization's timezone);
- `-15m` or `15m ago` (any plan duration: `1h30m ago`).

Times outside what the tool can compute with are refused where they are entered, as are a time
before the incident opened and a time more than a minute after now.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from incplan.diagnostics import UsageError

# Due times are computed from entered times (+ cadence, + first-update time): keep a year of
# room below datetime's own limit so that no later addition overflows.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(minutes=1)  # clocks of two laptops disagree a little
_HH_MM = re.compile(r"^(\d{1,2}):(\d{2})$")
_AGO = re.compile(r"^(?:-\s*(?P<a>\S+)|(?P<b>\S+)\s+ago)$")
FORMS = "2026-11-27T10:02+01:00, 2026-11-27 10:02 (organization time), 10:02 (today), -15m or 15m ago"


def zone(name: str | None) -> tzinfo:
    if not name or name == "UTC":
        return UTC
    from incplan.localize import zone as named_zone

    return named_zone(name)


def parse_time(text: str, what: str = "time", *, timezone: str | None = None, now: datetime | None = None) -> datetime:
    """A time a user typed, as an aware datetime; `UsageError` saying which forms work."""
    raw = text.strip()
    if not raw:
        raise UsageError(f"{what} is empty", hint=f"give a time: {FORMS}")
    tz = zone(timezone)
    moment = _relative(raw, what, now, tz)
    if moment is None:
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError:
            raise UsageError(f"{what} `{text}` is not a time", hint=f"write it like {FORMS}") from None
        if moment.tzinfo is None:
            moment = _localize(moment, tz, what, text)
    _in_range(moment, what, text)
    return moment


def _relative(raw: str, what: str, now: datetime | None, tz: tzinfo) -> datetime | None:
    if match := _HH_MM.fullmatch(raw):
        hours, minutes = int(match[1]), int(match[2])
        if hours > 23 or minutes > 59:
            raise UsageError(f"{what} `{raw}` is not a time of day", hint="write it like 09:45 or 23:10")
        today = (now or current()).astimezone(tz).date()
        return _localize(datetime.combine(today, time(hours, minutes)), tz, what, raw)
    if match := _AGO.fullmatch(raw):
        from incplan.plan.durations import DurationTooLong, parse_duration

        try:
            span = parse_duration(match["a"] or match["b"])
        except DurationTooLong:
            raise UsageError(f"{what} `{raw}` is too far back", hint="give a later time") from None
        except ValueError:
            raise UsageError(f"{what} `{raw}` is not a time", hint=f"write it like {FORMS}") from None
        try:
            return (now or current()) - span
        except OverflowError:
            raise UsageError(f"{what} `{raw}` is too far back", hint="give a later time") from None
    return None


def _localize(naive: datetime, tz: tzinfo, what: str, text: str) -> datetime:
    """A wall-clock time in `tz`; a time that a DST change skips is refused, an ambiguous one
    (the repeated hour) is the first of the two."""
    moment = naive.replace(tzinfo=tz)
    try:
        round_trip = moment.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    except OverflowError:
        raise UsageError(f"{what} `{text}` is outside the years 1970–9998", hint="give a time in that range") from None
    if round_trip != naive:
        raise UsageError(
            f"{what} `{text}` does not exist in {tz} (the clocks skip it)",
            hint="give the time with its UTC offset, e.g. 2026-03-29T03:30:00+02:00",
        )
    return moment


def _in_range(moment: datetime, what: str, text: str) -> None:
    try:
        inside = EARLIEST <= moment.astimezone(UTC) < LATEST
    except OverflowError:
        inside = False
    if not inside:
        raise UsageError(f"{what} `{text}` is outside the years 1970–9998", hint="give a time in that range")


def current(timezone: str | None = None) -> datetime:
    """Now: `INCPLAN_NOW` (for drills, tests and backfills) or the system clock."""
    if text := os.environ.get("INCPLAN_NOW"):
        if _HH_MM.fullmatch(text.strip()) or _AGO.fullmatch(text.strip()):
            raise UsageError(
                f"INCPLAN_NOW `{text}` must be a full time", hint="write it like 2026-11-27T10:02:00+01:00"
            )
        return parse_time(text, "INCPLAN_NOW", timezone=timezone, now=datetime.now(UTC))
    return datetime.now(UTC)


now = current  # the name most callers use


def entered(
    text: str | None,
    what: str,
    *,
    timezone: str | None,
    now: datetime,
    not_before: datetime | None = None,
    not_before_reason: str = "the incident opened",
) -> datetime:
    """An entered time (or now when none was given), refused when it is in the future or before
    `not_before`, with the reason."""
    if text is None:
        moment = now
    else:
        moment = parse_time(text, what, timezone=timezone, now=now)
        if moment > now + FUTURE_SLACK:
            raise UsageError(
                f"{what} `{text}` is in the future (now is {now.astimezone(zone(timezone)).isoformat()})",
                hint="record what already happened; leave the time out to use now",
            )
    if not_before is not None and moment < not_before:
        opened = not_before.astimezone(zone(timezone)).isoformat()
        raise UsageError(
            f"{what} `{text or 'now'}` is before {not_before_reason} ({opened})",
            hint="give a later time",
        )
    return moment


def entered_date(text: str, what: str, *, timezone: str | None, end: bool) -> datetime:
    """`--since`/`--until`: a day (its start, or the end with `end`) or a time in any form above."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        return parse_time(text, what, timezone=timezone)
    if not 1970 <= day.year <= 9998:
        raise UsageError(f"{what} `{text}` is outside the years 1970–9998", hint="give a date in that range")
    tz = zone(timezone)
    start = datetime.combine(day, time(0, 0)).replace(tzinfo=tz)
    return (start + timedelta(days=1)) if end else start
