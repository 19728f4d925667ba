"""The time filters of plan templates, in the message's language (Babel, CLDR): `datetime`,
`date`, `time` and `duration`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from jinja2 import pass_context

from incplan.templates.context import LOCALE_KEY, TIME_FORMAT_KEY

if TYPE_CHECKING:
    from jinja2.runtime import Context


def _moment(context: Context, value: object) -> tuple[datetime, str, str]:
    """(moment, timezone, locale) of a context time, an ISO 8601 text, or a datetime."""
    from incplan.localize import LocalTime

    org = context.get("org")
    timezone = org.get("timezone", "UTC") if isinstance(org, dict) else "UTC"
    locale = context.get(LOCALE_KEY) or "en"
    if isinstance(value, LocalTime):
        return value._moment, value._timezone, locale
    if isinstance(value, str):
        text = value
        try:
            value = datetime.fromisoformat(text.strip())
        except ValueError:
            raise ValueError(f"`{text[:40]}` is not a time (ISO 8601, like 2026-11-27T10:17+01:00)") from None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            from incplan.localize import zone

            value = value.replace(tzinfo=zone(timezone))
        return value, timezone, locale
    raise ValueError(f"expected a time like `now`, not {type(value).__name__}")


def _time_format(context: Context, fmt: str | None) -> str:
    if fmt is not None:
        from incplan.localize import check_time_format

        problem = check_time_format(str(fmt))
        if problem:
            raise ValueError(problem)
        return str(fmt)
    return str(context.get(TIME_FORMAT_KEY) or "medium")


@pass_context
def _datetime_filter(context: Context, value: object, fmt: str | None = None) -> str:
    """`{{ now | datetime('long') }}`: date and time in the message's language."""
    from incplan.localize import format_datetime

    moment, timezone, locale = _moment(context, value)
    return format_datetime(moment, timezone, locale, _time_format(context, fmt))


@pass_context
def _date_filter(context: Context, value: object, fmt: str = "medium") -> str:
    """`{{ incident.started_at | date }}`: en `Nov 27, 2026`, pl `27 lis 2026`."""
    from incplan.localize import format_date

    moment, timezone, locale = _moment(context, value)
    return format_date(moment, timezone, locale, _time_format(context, fmt))


@pass_context
def _time_filter(context: Context, value: object, fmt: str = "medium") -> str:
    """`{{ next_update | time }}`: `10:17 CET`."""
    from incplan.localize import format_clock

    moment, timezone, locale = _moment(context, value)
    return format_clock(moment, timezone, locale, _time_format(context, fmt))


@pass_context
def _duration_filter(context: Context, value: object) -> str:
    """`{{ incident.duration | duration }}`, `{{ "1h30m" | duration }}`: pl `1 godzina 30 minut`."""
    from incplan.localize import as_span, format_duration

    return format_duration(as_span(value), context.get(LOCALE_KEY) or "en")


TIME_FILTERS: dict[str, Callable[..., str]] = {
    "datetime": _datetime_filter,
    "date": _date_filter,
    "time": _time_filter,
    "duration": _duration_filter,
}
