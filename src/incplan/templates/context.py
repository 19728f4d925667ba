"""The render context of SPEC §3: plain data only (templates never see model objects, so there
is nothing to walk out of), with times and durations in the message's language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Required, TypedDict

from incplan.plan.models import RESERVED_NAMES

if TYPE_CHECKING:
    from incplan.plan.models import Plan

LOCALE_KEY = "_incplan_locale"  # the message's locale, for the time filters; not a template name
TIME_FORMAT_KEY = "_incplan_time_format"  # organization.time_format

# What a template sees: plain dicts, lists and text, and times and durations that print in the
# message's language (`localize.LocalTime`, `LocalDuration`).
Context = dict[str, object]


class Person(TypedDict, total=False):
    """`people.<handle>`, and each of `roles.<id>.people` (a handle not declared: its name only)."""

    handle: Required[str]
    name: Required[str]
    email: str
    chat: str


class Role(TypedDict):
    name: str
    people: list[Person]


@dataclass(frozen=True, slots=True)
class PlanContext:
    """The part of the context that depends on the plan and locale alone (build it once per pair)."""

    org: dict[str, str]
    roles: dict[str, Role]
    people: dict[str, Person]
    locale: str
    time_format: str


@dataclass(frozen=True, slots=True)
class IncidentInfo:
    id: str
    title: str
    started_at: datetime
    scheduled_for: datetime | None = None  # a maintenance's window
    scheduled_until: datetime | None = None


def plan_context(plan: Plan, locale: str | None = None) -> PlanContext:
    """The plan's part of the context in `locale` (the default locale when None)."""
    locale = locale or plan.default_locale
    plan = plan.in_locale(locale)
    org = plan.organization
    people: dict[str, Person] = {
        handle: {"handle": f"@{handle}", "name": p.name, "email": p.email or "", "chat": p.chat or ""}
        for handle, p in plan.people.items()
    }
    roles: dict[str, Role] = {
        role_id: {
            "name": role.name,
            "people": [people.get(h.removeprefix("@"), {"handle": h, "name": h}) for h in role.people],
        }
        for role_id, role in plan.roles.items()
    }
    return PlanContext(
        org={
            "name": org.name,
            "product": org.product or org.name,
            "status_page_url": org.status_page_url or "",
            "support_url": org.support_url or "",
            "timezone": org.timezone,
        },
        roles=roles,
        people=people,
        locale=locale,
        time_format=org.time_format,
    )


def build_context(
    plan: Plan,
    *,
    stage: str,
    channel: str | None,
    severity: str | None,
    variables: dict[str, str],
    incident: IncidentInfo,
    now: datetime,
    base: PlanContext | None = None,
    assigned: dict[str, list[str]] | None = None,
    components: dict[str, str] | None = None,
    update_text: str = "",
    locale: str | None = None,
) -> Context:
    """Plain data only: templates never see model objects (nothing to walk out of).

    `assigned`: the record's role holders (latest first), put before the plan's people;
    `components`: the record's component id -> status; `update_text`: `notify --update`.
    Names (`severity.name`, `stage.name`, component names...) are the ones of `locale`, times and
    durations are in its words; `base` must be `plan_context(plan, locale)` when given."""
    from incplan.localize import LocalDuration, LocalTime

    locale = locale or plan.default_locale
    plan = plan.in_locale(locale)
    tz, fmt = plan.organization.timezone, plan.organization.time_format
    base = base if base is not None else plan_context(plan, locale)
    context: Context = {
        "org": base.org,
        "roles": _assigned_roles(base.roles, base.people, assigned) if assigned else base.roles,
        "people": base.people,
        LOCALE_KEY: base.locale,
        TIME_FORMAT_KEY: base.time_format,
    }
    context["update"] = {"text": update_text}
    context["components"] = [
        {
            "id": cid,
            "name": plan.components[cid].name if cid in plan.components else cid,
            "group": (plan.components[cid].group or "") if cid in plan.components else "",
            "status": status,
        }
        for cid, status in (components or {}).items()
    ]
    shown: dict[str, object] = {
        "id": incident.id,
        "title": incident.title,
        "started_at": LocalTime(incident.started_at, tz, locale, fmt),
        "duration": LocalDuration(now - incident.started_at, locale),
    }
    if incident.scheduled_for is not None:  # `{{ incident.scheduled_for }}` in maintenance messages
        shown["scheduled_for"] = LocalTime(incident.scheduled_for, tz, locale, fmt)
        if incident.scheduled_until is not None:
            shown["scheduled_until"] = LocalTime(incident.scheduled_until, tz, locale, fmt)
    context["incident"] = shown
    context["now"] = LocalTime(now, tz, locale, fmt)
    stage_model = plan.stages.get(stage)
    context["stage"] = {"id": stage, "name": stage_model.name if stage_model else stage}
    if channel is not None and channel in plan.channels:
        ch = plan.channels[channel]
        context["channel"] = {"id": channel, "name": ch.name, "audience": ch.audience}
    if severity is not None and severity in plan.severities:
        sev = plan.severities[severity]
        level: dict[str, object] = {"id": severity, "name": sev.name, "impact": sev.impact}
        context["severity"] = level
        cadence = sev.cadence(stage)
        if cadence is not None:
            level["update_every"] = LocalDuration(cadence, locale)
        if sev.first_update_within is not None:
            level["first_update_within"] = LocalDuration(sev.first_update_within, locale)
        if cadence is not None and not (stage_model and stage_model.final):
            context["next_update"] = LocalTime(now + cadence, tz, locale, fmt)
    for name, value in variables.items():
        if name not in RESERVED_NAMES:  # what every render context may hold
            context[name] = value
    return context


def _assigned_roles(
    roles: dict[str, Role], people: dict[str, Person], assigned: dict[str, list[str]]
) -> dict[str, Role]:
    """Each role's people with the ones assigned in the record first (SPEC §3)."""
    out = dict(roles)
    for role_id, handles in assigned.items():
        if role_id not in out:
            continue
        first: list[Person] = [people.get(h.removeprefix("@"), {"handle": h, "name": h}) for h in handles]
        named = {p["handle"] for p in first}
        rest = [p for p in out[role_id]["people"] if p["handle"] not in named]
        out[role_id] = {**out[role_id], "people": first + rest}
    return out


def example_variables(plan: Plan, locale: str | None = None) -> dict[str, str]:
    """Each variable's example (else default) in `locale`, else in the default locale."""
    locale = locale or plan.default_locale
    values = {}
    for name, var in plan.variables.items():
        value = var.example_in(locale, plan.default_locale)
        if value is None:
            value = var.default_in(locale, plan.default_locale)
        if value is not None:
            values[name] = value
    return values


# The sample title of `--example`, `preview` and `check`, in the message's language (English
# for a language without its own), so that a Polish example message reads Polish words only.
EXAMPLE_TITLES = {"en": "Elevated error rates", "pl": "Podwyższony odsetek błędów"}


def example_title(locale: str) -> str:
    return EXAMPLE_TITLES.get(locale.split("-")[0], EXAMPLE_TITLES["en"])


def example_incident(now: datetime, locale: str = "en") -> IncidentInfo:
    return IncidentInfo(
        id=f"{now:%Y-%m-%d}-example", title=example_title(locale), started_at=now - timedelta(minutes=5)
    )
