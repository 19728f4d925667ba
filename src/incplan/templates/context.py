"""The render context of SPEC §3: plain data only (templates never see model objects, so there
is nothing to walk out of), with times and durations in the message's language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from incplan.plan.models import RESERVED_NAMES

if TYPE_CHECKING:
    from incplan.plan.models import Plan

CONTEXT_NAMES = RESERVED_NAMES  # what every render context may hold
LOCALE_KEY = "_incplan_locale"  # the message's locale, for the time filters; not a template name
TIME_FORMAT_KEY = "_incplan_time_format"  # organization.time_format


@dataclass(frozen=True, slots=True)
class IncidentInfo:
    id: str
    title: str
    started_at: datetime
    scheduled_for: datetime | None = None  # a maintenance's window
    scheduled_until: datetime | None = None


def plan_context(plan: Plan, locale: str | None = None) -> dict[str, Any]:
    """The part of the context that depends on the plan and locale alone (build it once per pair)."""
    locale = locale or plan.default_locale
    plan = plan.in_locale(locale)
    org = plan.organization
    people = {
        handle: {"handle": f"@{handle}", "name": p.name, "email": p.email or "", "chat": p.chat or ""}
        for handle, p in plan.people.items()
    }
    roles = {
        role_id: {
            "name": role.name,
            "people": [people.get(h.removeprefix("@"), {"handle": h, "name": h}) for h in role.people],
        }
        for role_id, role in plan.roles.items()
    }
    return {
        "org": {
            "name": org.name,
            "product": org.product or org.name,
            "status_page_url": org.status_page_url or "",
            "support_url": org.support_url or "",
            "timezone": org.timezone,
        },
        "roles": roles,
        "people": people,
        LOCALE_KEY: locale,
        TIME_FORMAT_KEY: org.time_format,
    }


def build_context(
    plan: Plan,
    *,
    stage: str,
    channel: str | None,
    severity: str | None,
    variables: dict[str, str],
    incident: IncidentInfo,
    now: datetime,
    base: dict[str, Any] | None = None,
    assigned: dict[str, list[str]] | None = None,
    components: dict[str, str] | None = None,
    update_text: str = "",
    locale: str | None = None,
) -> dict[str, Any]:
    """Plain data only: templates never see model objects (nothing to walk out of).

    `assigned`: the record's role holders (latest first), put before the plan's people;
    `components`: the record's component id -> status; `update_text`: `notify --update`.
    Names (`severity.name`, `stage.name`, component names...) are the ones of `locale`, times and
    durations are in its words; `base` must be `plan_context(plan, locale)` when given."""
    from incplan.localize import LocalDuration, LocalTime

    locale = locale or plan.default_locale
    plan = plan.in_locale(locale)
    tz, fmt = plan.organization.timezone, plan.organization.time_format
    context = dict(base if base is not None else plan_context(plan, locale))
    if assigned:
        context["roles"] = _assigned_roles(context["roles"], context["people"], assigned)
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
    context["incident"] = {
        "id": incident.id,
        "title": incident.title,
        "started_at": LocalTime(incident.started_at, tz, locale, fmt),
        "duration": LocalDuration(now - incident.started_at, locale),
    }
    if incident.scheduled_for is not None:  # `{{ incident.scheduled_for }}` in maintenance messages
        context["incident"]["scheduled_for"] = LocalTime(incident.scheduled_for, tz, locale, fmt)
        if incident.scheduled_until is not None:
            context["incident"]["scheduled_until"] = LocalTime(incident.scheduled_until, tz, locale, fmt)
    context["now"] = LocalTime(now, tz, locale, fmt)
    stage_model = plan.stages.get(stage)
    context["stage"] = {"id": stage, "name": stage_model.name if stage_model else stage}
    if channel is not None and channel in plan.channels:
        ch = plan.channels[channel]
        context["channel"] = {"id": channel, "name": ch.name, "audience": ch.audience}
    if severity is not None and severity in plan.severities:
        sev = plan.severities[severity]
        context["severity"] = {"id": severity, "name": sev.name, "impact": sev.impact}
        cadence = sev.cadence(stage)
        if cadence is not None:
            context["severity"]["update_every"] = LocalDuration(cadence, locale)
        if sev.first_update_within is not None:
            context["severity"]["first_update_within"] = LocalDuration(sev.first_update_within, locale)
        if cadence is not None and not (stage_model and stage_model.final):
            context["next_update"] = LocalTime(now + cadence, tz, locale, fmt)
    for name, value in variables.items():
        if name not in CONTEXT_NAMES:
            context[name] = value
    return context


def _assigned_roles(roles: dict[str, Any], people: dict[str, Any], assigned: dict[str, list[str]]) -> dict[str, Any]:
    """Each role's people with the ones assigned in the record first (SPEC §3)."""
    out = dict(roles)
    for role_id, handles in assigned.items():
        if role_id not in out:
            continue
        first = [people.get(h.removeprefix("@"), {"handle": h, "name": h}) for h in handles]
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
