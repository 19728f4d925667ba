"""Times and durations in a reader's language, from CLDR data (Babel).

Babel loads a locale's data on first use (tens of milliseconds), so it is imported inside these
functions only: commands that render messages or reports pay for it, `--version` never does.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

TIME_FORMATS = ("short", "medium", "long", "iso")
DEFAULT_TIME_FORMAT = "medium"
_Args = ParamSpec("_Args")


@functools.lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    """The tz database zone named `name`: the one place a timezone name becomes a zone."""
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def babel_locale(locale: str) -> str:
    """Our tags (`pt-BR`) as Babel spells them (`pt_BR`)."""
    return locale.replace("-", "_")


def _zone_name(local: datetime) -> str:
    # The tz database abbreviation ("CET", "EST", "UTC", "+03"): the same in every language and
    # what operators already read in logs; CLDR has no short name for most zones in `en`.
    return local.tzname() or local.strftime("%z")


# ---------------------------------------------------------------- Babel's answers, kept for `check`

_MEMORY: dict[str, str] | None = None  # while `remember_in` is on: key -> text Babel gave
_NEW: list[str] = []  # keys added since it was read
_WHERE: list[Path] = []
MAX_REMEMBERED = 5_000


def remember_in(path: Path) -> None:
    """Keep what Babel answers in `path` (JSON, under the cache folder's rules) and answer from
    it: `check` renders every plan's examples at the same moment all day, and importing Babel
    and loading a locale's CLDR data costs more than linting the plan. The caller puts
    everything the answers depend on (Babel's version, the moment) in the file's name."""
    global _MEMORY
    from incplan import cachedir

    _MEMORY, _NEW[:], _WHERE[:] = {}, [], [path]
    payload = cachedir.read_entry(path.parent, path.name)
    if payload is None:
        return
    try:
        found = json.loads(payload)
    except (ValueError, RecursionError):
        return
    if isinstance(found, dict) and len(found) <= MAX_REMEMBERED:
        _MEMORY = {k: v for k, v in found.items() if isinstance(k, str) and isinstance(v, str)}


def save_remembered() -> None:
    """Write what was added since `remember_in` (best effort), and stop remembering."""
    global _MEMORY
    from incplan import cachedir

    if _MEMORY is not None and _NEW and _WHERE and len(_MEMORY) <= MAX_REMEMBERED:
        path = _WHERE[0]
        payload = json.dumps(_MEMORY, ensure_ascii=True, sort_keys=True).encode("ascii")
        cachedir.write_entry(path.parent, path.name, payload)
    _MEMORY, _NEW[:], _WHERE[:] = None, [], []


def _remembered(function: Callable[_Args, str]) -> Callable[_Args, str]:
    def answer(*args: _Args.args, **options: _Args.kwargs) -> str:
        if _MEMORY is None:
            return function(*args, **options)
        key = json.dumps(
            [function.__name__, *(_plain(a) for a in args), *((k, _plain(v)) for k, v in sorted(options.items()))],
            ensure_ascii=True,
        )
        if (text := _MEMORY.get(key)) is None:
            text = _MEMORY[key] = function(*args, **options)
            _NEW.append(key)
        return text

    answer.__name__, answer.__doc__ = function.__name__, function.__doc__
    return answer


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()  # the instant and its offset: the text depends on no more
    if isinstance(value, timedelta):
        return value.total_seconds()
    return value


@functools.lru_cache(maxsize=256)
def format_time(moment: datetime, timezone: str, locale: str | None = None, fmt: str = "iso") -> str:
    """A time for people: `2026-11-27 10:17 CET`, or in `locale`'s words with `fmt` (Babel)."""
    if locale is None or fmt == "iso":
        local = moment.astimezone(zone(timezone))
        return local.strftime("%Y-%m-%d %H:%M %Z")
    return format_datetime(moment, timezone, locale, fmt)


@functools.lru_cache(maxsize=1024)
@_remembered
def format_datetime(moment: datetime, timezone: str, locale: str, fmt: str = DEFAULT_TIME_FORMAT) -> str:
    """`medium`: en `Nov 27, 2026, 10:17 CET`, pl `27 lis 2026, 10:17 CET`; `iso`: `2026-11-27 10:17 CET`.

    `short`, `medium` and `long` use the locale's date of that length, hours and minutes on a
    24-hour clock, no seconds, and the zone; anything else is a CLDR pattern (`d MMMM y, HH:mm z`).
    """
    local = moment.astimezone(zone(timezone))
    if fmt == "iso":
        return f"{local:%Y-%m-%d %H:%M} {_zone_name(local)}"
    from babel import Locale
    from babel.dates import format_date, format_skeleton
    from babel.dates import format_datetime as babel_datetime

    loc = Locale.parse(babel_locale(locale))
    if fmt in ("short", "medium", "long"):
        day = format_date(local, fmt, locale=loc)
        clock = f"{format_skeleton('Hm', local, locale=loc)} {_zone_name(local)}"
        glue = str(loc.datetime_formats.get(fmt, "{1}, {0}"))
        glue = re.sub(r"'([^']*)'", r"\1", glue)  # quoted literals (older CLDR: `{1} 'at' {0}`)
        return glue.replace("{1}", day).replace("{0}", clock)
    return str(babel_datetime(local, fmt, tzinfo=local.tzinfo, locale=loc))


@functools.lru_cache(maxsize=1024)
@_remembered
def format_date(moment: datetime, timezone: str, locale: str, fmt: str = "medium") -> str:
    """The day alone: en `Nov 27, 2026`, pl `27 lis 2026` (`short`, `medium`, `long`, `iso` or a pattern)."""
    local = moment.astimezone(zone(timezone))
    if fmt == "iso":
        return f"{local:%Y-%m-%d}"
    from babel.dates import format_date as babel_date

    return str(babel_date(local, fmt, locale=babel_locale(locale)))


@functools.lru_cache(maxsize=1024)
@_remembered
def format_clock(moment: datetime, timezone: str, locale: str, fmt: str = "medium") -> str:
    """The time of day with its zone: `10:17 CET` (24-hour in every locale), or a CLDR pattern."""
    local = moment.astimezone(zone(timezone))
    if fmt in ("short", "medium", "long", "iso"):
        from babel.dates import format_skeleton

        if fmt == "iso":
            return f"{local:%H:%M} {_zone_name(local)}"
        return f"{format_skeleton('Hm', local, locale=babel_locale(locale))} {_zone_name(local)}"
    from babel.dates import format_time as babel_time

    return str(babel_time(local, fmt, tzinfo=local.tzinfo, locale=babel_locale(locale)))


_UNITS = (("day", 86400), ("hour", 3600), ("minute", 60))


@functools.lru_cache(maxsize=1024)
@_remembered
def format_duration(span: timedelta, locale: str) -> str:
    """Plural-correct words: pl `1 minuta`, `2 minuty`, `5 minut`, `1 godzina 30 minut`; en `1 hour`.

    Days, hours and minutes (seconds only under a minute), the largest two units that are not
    zero, rounded down: a cadence of 1h30m reads as it was written, never as "2 hours".
    """
    from babel.units import format_unit

    total = max(0, int(span.total_seconds()))
    loc = babel_locale(locale)
    if total < 60:
        return str(format_unit(total, "duration-second", length="long", locale=loc))
    parts = []
    for unit, size in _UNITS:
        amount, total = divmod(total, size)
        if amount:
            parts.append(str(format_unit(amount, f"duration-{unit}", length="long", locale=loc)))
        elif parts:
            break  # `2 days 5 minutes` is noise at 3 a.m.: stop at the first empty unit
        if len(parts) == 2:
            break
    return " ".join(parts)


_PATTERN_LETTERS = re.compile(r"[A-Za-z]")


def check_time_format(fmt: str) -> str | None:
    """None when `fmt` is usable, else why not (only patterns need Babel to tell)."""
    if fmt in TIME_FORMATS:
        return None
    if not _PATTERN_LETTERS.search(fmt):
        return f"`{fmt}` is neither short, medium, long, iso nor a CLDR date pattern like `d MMM y, HH:mm z`"
    from babel.dates import parse_pattern

    try:
        parse_pattern(fmt)
    except (ValueError, TypeError) as exc:
        return f"`{fmt}` is not a CLDR date pattern: {exc}"
    return None


class LocalTime(str):
    """A time as text in the message's language, which the time filters can format again.

    Templates see a string (so `{{ now }}` and `~` work as before); `_moment` and friends are
    out of the sandbox's reach (underscore attributes are refused), only our filters read them.
    """

    _moment: datetime
    _timezone: str
    _locale: str

    def __new__(cls, moment: datetime, timezone: str, locale: str, fmt: str = DEFAULT_TIME_FORMAT) -> LocalTime:
        self = super().__new__(cls, format_datetime(moment, timezone, locale, fmt))
        self._moment, self._timezone, self._locale = moment, timezone, locale
        return self


class LocalDuration(str):
    """A duration as words in the message's language (`15 minut`); the `duration` filter reads it."""

    _span: timedelta

    def __new__(cls, span: timedelta, locale: str) -> LocalDuration:
        self = super().__new__(cls, format_duration(span, locale))
        self._span = span
        return self


def as_span(value: object) -> timedelta:
    """What the `duration` filter accepts: a context duration, `15m`/`1h30m`, or seconds."""
    if isinstance(value, LocalDuration):
        return value._span
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool):
        raise ValueError("duration expects a duration like `15m`, not true/false")
    if isinstance(value, int | float):
        return timedelta(seconds=value)
    if isinstance(value, str):
        from incplan.plan.durations import parse_duration

        return parse_duration(value.strip())
    raise ValueError(f"duration expects a duration like `15m`, not {type(value).__name__}")
