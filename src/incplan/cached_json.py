"""Reading back the JSON incplan's own caches wrote (the report figures, the site's entries):
each value is checked for the type it was written with, so an entry edited or damaged by hand
raises TypeError or ValueError and is rebuilt from its record, never half-believed."""

from __future__ import annotations

from datetime import UTC, datetime

from incplan.clock import EARLIEST, LATEST


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, not {type(value).__name__}")
    return value


def maybe_text(value: object) -> str | None:
    return None if value is None else text(value)


def moment(value: object) -> datetime:
    """A time as a record holds one: with its offset, in the years 1970-9998 (incidents.models)."""
    found = datetime.fromisoformat(text(value))
    if found.tzinfo is None:
        raise ValueError("a time without its offset")
    if not EARLIEST <= found.astimezone(UTC) < LATEST:
        raise ValueError("a time outside the years 1970–9998")
    return found


def maybe_moment(value: object) -> datetime | None:
    return None if value is None else moment(value)


def mapping(value: object) -> dict[str, object]:
    if not isinstance(value, dict):
        raise TypeError(f"expected an object, not {type(value).__name__}")
    return {text(k): v for k, v in value.items()}


def items(value: object) -> list[object]:
    if not isinstance(value, list):
        raise TypeError(f"expected a list, not {type(value).__name__}")
    return value
