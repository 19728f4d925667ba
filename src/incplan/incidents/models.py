"""Pydantic models of an incident record; its state is derived by folding the events."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, Field

from incplan.clock import EARLIEST, LATEST
from incplan.plan.models import Handle, Locale, Model


def _in_range(moment: datetime) -> datetime:
    # The same years as times entered on the command line: a record edited by hand to year 9999
    # would otherwise overflow when a cadence is added to it, for every command that reads it.
    try:
        inside = EARLIEST <= moment.astimezone(UTC) < LATEST
    except OverflowError:  # '9999-12-31T23:59:00-14:00' is past datetime's end in UTC
        inside = False
    if not inside:
        raise ValueError("a time outside the years 1970–9998")
    return moment


RecordTime = Annotated[AwareDatetime, AfterValidator(_in_range)]


class _Event(Model):
    at: RecordTime
    by: Handle | None = None


class Opened(_Event):
    type: Literal["opened"]
    severity: str
    stage: str


class Assigned(_Event):
    type: Literal["assigned"]
    role: str
    person: Handle


class Variables(_Event):
    type: Literal["variables"]
    values: dict[str, str | dict[Locale, str]]  # text for every locale, or one per locale


class LocaleText(Model):
    subject: str | None = None
    body: str


class Notified(_Event):
    type: Literal["notified"]
    stage: str
    channel: str
    locale: str | None = None
    posted: bool = False  # posted by hand and recorded with `notify --posted`
    delivered: bool = False  # delivered by incplan (`notify --send`)
    ref: str | None = None  # the remote id (status page incident, message id)
    error: str | None = None  # why a delivery failed
    subject: str | None = None  # the text that went out, so a review sees what people read
    body: str | None = None
    texts: dict[Locale, LocaleText] | None = None  # a post in several languages: each one's own text
    update: str | None = None  # `notify --update TEXT`

    @property
    def counts(self) -> bool:
        """Reached its audience: posted by hand or delivered."""
        return self.posted or self.delivered


class StageChanged(_Event):
    type: Literal["stage"]
    stage: str
    note: str | None = None


class SeverityChanged(_Event):
    type: Literal["severity"]
    severity: str
    note: str | None = None


ComponentStatus = Literal["operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"]


class ComponentsChanged(_Event):
    """`--component ID=STATUS`: the status of parts of the service customers see."""

    type: Literal["components"]
    components: dict[str, ComponentStatus]


class TitleChanged(_Event):
    type: Literal["title"]
    title: str


class Note(_Event):
    type: Literal["note"]
    text: str


class Reminded(_Event):
    """`incident remind --send` told an internal channel that a customer update is due."""

    type: Literal["reminded"]
    due: RecordTime  # the due time reminded of: one reminder per due time and channel
    channel: str
    locale: str | None = None
    delivered: bool = False
    error: str | None = None


Event = Annotated[
    Opened
    | Assigned
    | Variables
    | Notified
    | StageChanged
    | SeverityChanged
    | ComponentsChanged
    | TitleChanged
    | Note
    | Reminded,
    Field(discriminator="type"),
]


class Record(Model):
    version: Literal[1]
    id: str
    kind: Literal["incident", "maintenance"] = "incident"
    title: str
    plan: str | None = None
    opened_at: RecordTime
    scheduled_for: RecordTime | None = None  # maintenance: the announced window
    scheduled_until: RecordTime | None = None
    events: Annotated[list[Event], Field(min_length=1)]
