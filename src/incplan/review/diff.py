"""What a plan change means, section by section (SPEC §11): not lines, but a loosened cadence,
a person swapped in a role, a credential sent to another host, a message that now costs three
SMS segments. Pure data in, a `PlanDiff` out; formatting lives in `review.report`."""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from incplan.plan.durations import plan_notation

if TYPE_CHECKING:
    from pydantic import BaseModel

    from incplan.json_types import JSONObject
    from incplan.plan.models import Channel, Plan
    from incplan.review.sides import Side
    from incplan.templates.limits import Measure

# Sections in the order a reviewer reads them (SPEC §11).
SECTIONS = {
    "definition": "Definition and criteria",
    "severities": "Severities",
    "roles": "Roles",
    "people": "People",
    "channels": "Channels",
    "messages": "Messages",
    "values": "Values",
    "stages": "Stages",
    "variables": "Variables",
    "plan": "Plan and organization",
    "lint": "Lint settings",
}


def credential_destination_fields(kind: str) -> tuple[str, ...]:
    """Delivery fields that decide where a credential is sent (plan/destinations.py). A change
    there can hand a secret to someone else, so it is flagged whatever the channel's audience."""
    from incplan.plan.destinations import ROUTES

    return ROUTES[kind].fields


@dataclass(frozen=True)
class Change:
    """One change in meaning. `field` is empty when the whole item was added or removed."""

    section: str
    item: str  # the id within the section: `sev1`, `incident_commander`, `@ola`, `status_page`
    title: str  # how the item is shown: `sev1 (Critical)`
    field: str
    kind: str  # added | removed | changed
    before: str | None = None
    after: str | None = None
    note: str = ""  # e.g. "less often"
    risk: str = ""  # why a reviewer must look twice (makes `--fail-on risky` fail)

    def as_json(self) -> JSONObject:
        return {
            "section": self.section,
            "item": self.item,
            "field": self.field or None,
            "kind": self.kind,
            "before": self.before,
            "after": self.after,
            "note": self.note or None,
            "risk": self.risk or None,
        }


@dataclass(frozen=True)
class Rendered:
    """A message rendered with the declared examples, or why it did not render."""

    subject: str | None
    body: str
    measure: Measure | None
    channel_type: str
    error: str = ""

    @property
    def text(self) -> str:
        if self.error:
            return f"(does not render: {self.error})"
        return (f"Subject: {self.subject}\n\n" if self.subject else "") + self.body

    def as_json(self) -> JSONObject:
        m = self.measure
        return {
            "subject": self.subject,
            "body": self.body,
            "error": self.error or None,
            "length": m.length if m else None,
            "max_length": m.max_length if m else None,
            "detail": (m.detail or None) if m else None,
            "over_limit": m.over_limit if m else False,
        }


@dataclass(frozen=True)
class MessageChange:
    stage: str
    channel: str
    locale: str
    channel_name: str
    audience: str
    before: Rendered | None
    after: Rendered | None
    timing_only: bool = False  # only the next-update time moved (a cadence change, shown above)

    @property
    def key(self) -> str:
        return f"{self.stage} · {self.channel} · {self.locale}"

    @property
    def kind(self) -> str:
        return "added" if self.before is None else "removed" if self.after is None else "changed"

    def unified(self) -> list[str]:
        before = self.before.text.splitlines() if self.before else []
        after = self.after.text.splitlines() if self.after else []
        return list(difflib.unified_diff(before, after, "before", "after", lineterm=""))

    def as_json(self) -> JSONObject:
        return {
            "stage": self.stage,
            "channel": self.channel,
            "locale": self.locale,
            "kind": self.kind,
            "timing_only": self.timing_only,
            "audience": self.audience,
            "before": self.before.as_json() if self.before else None,
            "after": self.after.as_json() if self.after else None,
            "diff": "\n".join(self.unified()),
        }


@dataclass(frozen=True)
class Mention:
    """A person whose roles changed: told through the pull request."""

    handle: str  # plan handle, `@ola`
    name: str
    github: str | None
    why: list[str]

    def as_json(self) -> JSONObject:
        return {"handle": self.handle, "name": self.name, "github": self.github, "why": self.why}


@dataclass
class PlanDiff:
    base: Side
    head: Side
    changes: list[Change] = field(default_factory=list)
    messages: list[MessageChange] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)

    @property
    def comparable(self) -> bool:
        return self.base.plan is not None and self.head.plan is not None

    @property
    def risks(self) -> list[Change]:
        return [c for c in self.changes if c.risk]

    def as_json(self) -> JSONObject:
        return {
            "base": self.base.as_json(),
            "head": self.head.as_json(),
            "changes": [c.as_json() for c in self.changes],
            "messages": [m.as_json() for m in self.messages],
            "mentions": [m.as_json() for m in self.mentions],
            "risky": [f"{c.item}: {c.risk}" for c in self.risks],
            "summary": {"changes": len(self.changes), "messages": len(self.messages), "risky": len(self.risks)},
        }


# ---------------------------------------------------------------- values as people read them


def show(value: object) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, timedelta):
        return plan_notation(value)
    if isinstance(value, str):
        return value if value.strip() else '""'
    if isinstance(value, list | tuple):
        return ", ".join(show(v) for v in value) if value else "(none)"
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _person_title(plan: Plan | None, handle: str) -> str:
    person = plan.person(handle) if plan is not None else None
    return f"{handle} ({person.name})" if person is not None else handle


def _flatten(value: object, prefix: str = "") -> dict[str, object]:
    """Dotted paths to leaf values; lists are leaves (compared whole)."""
    if isinstance(value, dict):
        out: dict[str, object] = {}
        for key, child in value.items():
            out.update(_flatten(child, f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {prefix: value}


def _field_changes(
    section: str,
    item: str,
    title: str,
    before: Mapping[str, object],
    after: Mapping[str, object],
    skip: tuple[str, ...] = (),
) -> list[Change]:
    flat_before, flat_after = _flatten(before), _flatten(after)
    changes = []
    for path in list(dict.fromkeys([*flat_before, *flat_after])):
        if path.split(".")[0] in skip:
            continue
        old, new = flat_before.get(path), flat_after.get(path)
        if old != new:
            changes.append(Change(section, item, title, path, "changed", show(old), show(new)))
    return changes


def _dump(model: BaseModel) -> dict[str, object]:
    data: dict[str, object] = model.model_dump(mode="python", by_alias=True, exclude={"translations"})
    return data


# ---------------------------------------------------------------- sections


def _definition(a: Plan, b: Plan) -> list[Change]:
    changes = []
    title = "definition"
    if a.definition.incident != b.definition.incident:
        changes.append(
            Change("definition", "incident", title, "incident", "changed", a.definition.incident, b.definition.incident)
        )
    old_not, new_not = a.definition.not_incident, b.definition.not_incident
    for text in old_not:
        if text not in new_not:
            changes.append(Change("definition", "not_incident", title, "not an incident", "removed", before=text))
    for text in new_not:
        if text not in old_not:
            changes.append(Change("definition", "not_incident", title, "not an incident", "added", after=text))
    old = {c.id: c for c in a.definition.criteria}
    new = {c.id: c for c in b.definition.criteria}
    for cid, c in old.items():
        if cid not in new:
            changes.append(
                Change("definition", cid, f"criterion {cid}", "", "removed", before=f"{c.question} → {c.severity}")
            )
    for cid, c in new.items():
        t = f"criterion {cid}"
        if cid not in old:
            changes.append(Change("definition", cid, t, "", "added", after=f"{c.question} → {c.severity}"))
            continue
        o = old[cid]
        if o.question != c.question:
            changes.append(Change("definition", cid, t, "question", "changed", o.question, c.question))
        if o.severity != c.severity:
            changes.append(Change("definition", cid, t, "severity", "changed", o.severity, c.severity))
    kept_old = [c for c in old if c in new]
    kept_new = [c for c in new if c in old]
    if kept_old != kept_new:
        changes.append(
            Change(
                "definition",
                "criteria",
                "criteria",
                "order",
                "changed",
                show(kept_old),
                show(kept_new),
                note="the first criterion answered yes decides the severity",
            )
        )
    return changes


def _cadence_changes(a: Plan, b: Plan, sid: str, title: str) -> list[Change]:
    old, new = a.severities[sid], b.severities[sid]
    if old.update_every == new.update_every:
        return []
    uniform = set(old.update_every or {"*"}) == {"*"} == set(new.update_every or {"*"})
    if uniform:
        before = (old.update_every or {}).get("*")
        after = (new.update_every or {}).get("*")
        return [_timing(sid, title, "update every", before, after, "less often", "more often")]
    changes = []
    stages = [s for s in dict.fromkeys([*a.stages, *b.stages])]
    for stage in stages:
        final = (b.stages.get(stage) or a.stages[stage]).final
        if final:
            continue
        before = old.cadence(stage) if stage in a.stages else None
        after = new.cadence(stage) if stage in b.stages else None
        if before != after:
            changes.append(_timing(sid, title, f"update every at {stage}", before, after, "less often", "more often"))
    return changes


def _timing(
    sid: str, title: str, what: str, before: timedelta | None, after: timedelta | None, longer: str, shorter: str
) -> Change:
    note = ""
    if before is not None and after is not None:
        note = longer if after > before else shorter
    elif after is None:
        note = "no longer set"
    return Change("severities", sid, title, what, "changed", show(before), show(after), note=note)


def _list_delta(
    section: str,
    item: str,
    title: str,
    what: str,
    old: list[str],
    new: list[str],
    shown: Callable[[str], str] | None = None,
) -> list[Change]:
    label = shown or str
    changes = [Change(section, item, title, what, "removed", before=label(v)) for v in old if v not in new]
    changes += [Change(section, item, title, what, "added", after=label(v)) for v in new if v not in old]
    return changes


def _severities(a: Plan, b: Plan) -> list[Change]:
    changes = []
    for sid, sev in a.severities.items():
        if sid not in b.severities:
            changes.append(Change("severities", sid, f"{sid} ({sev.name})", "", "removed"))
    for sid, sev in b.severities.items():
        title = f"{sid} ({sev.name})"
        if sid not in a.severities:
            changes.append(Change("severities", sid, title, "", "added"))
            continue
        old = a.severities[sid]
        for name in ("name", "description", "impact"):
            if getattr(old, name) != getattr(sev, name):
                changes.append(
                    Change(
                        "severities", sid, title, name, "changed", show(getattr(old, name)), show(getattr(sev, name))
                    )
                )
        changes += _list_delta("severities", sid, title, "examples", old.examples, sev.examples)
        if old.first_update_within != sev.first_update_within:
            changes.append(
                _timing(
                    sid,
                    title,
                    "first update within",
                    old.first_update_within,
                    sev.first_update_within,
                    "later",
                    "sooner",
                )
            )
        changes += _cadence_changes(a, b, sid, title)
        changes += _list_delta("severities", sid, title, "roles", old.roles, sev.roles)
        changes += _list_delta("severities", sid, title, "channels", old.channels, sev.channels)
    kept_old = [s for s in a.severities if s in b.severities]
    kept_new = [s for s in b.severities if s in a.severities]
    if kept_old != kept_new:
        changes.append(
            Change(
                "severities",
                "order",
                "order",
                "order",
                "changed",
                show(kept_old),
                show(kept_new),
                note="most severe first",
            )
        )
    return changes


def _roles(a: Plan, b: Plan) -> list[Change]:
    changes = []
    for rid, role in a.roles.items():
        if rid not in b.roles:
            changes.append(
                Change("roles", rid, f"{rid} ({role.name})", "", "removed", before=show(role.people) or None)
            )
    for rid, role in b.roles.items():
        title = f"{rid} ({role.name})"
        if rid not in a.roles:
            changes.append(Change("roles", rid, title, "", "added", after=show(role.people)))
            continue
        old = a.roles[rid]
        if old.name != role.name:
            changes.append(Change("roles", rid, title, "name", "changed", old.name, role.name))
        changes += [
            Change("roles", rid, title, "people", "removed", before=_person_title(a, h))
            for h in old.people
            if h not in role.people
        ]
        changes += [
            Change("roles", rid, title, "people", "added", after=_person_title(b, h))
            for h in role.people
            if h not in old.people
        ]
        if old.people and role.people and old.people[0] != role.people[0]:
            changes.append(
                Change(
                    "roles",
                    rid,
                    title,
                    "primary",
                    "changed",
                    old.people[0],
                    role.people[0],
                    note="first in the list; the others are backups",
                )
            )
        changes += _list_delta("roles", rid, title, "responsibilities", old.responsibilities, role.responsibilities)
    return changes


def _people(a: Plan, b: Plan) -> list[Change]:
    changes = []
    for handle, person in a.people.items():
        if handle not in b.people:
            changes.append(Change("people", f"@{handle}", f"@{handle} ({person.name})", "", "removed"))
    for handle, person in b.people.items():
        title = f"@{handle} ({person.name})"
        if handle not in a.people:
            contacts = [f"{k}: {v}" for k, v in _dump(person).items() if k != "name" and v]
            changes.append(Change("people", f"@{handle}", title, "", "added", after="; ".join(contacts) or None))
            continue
        changes += _field_changes("people", f"@{handle}", title, _dump(a.people[handle]), _dump(person))
    return changes


def _channels(a: Plan, b: Plan) -> list[Change]:
    changes = []
    for cid, ch in a.channels.items():
        if cid not in b.channels:
            risk = "a customer channel that delivered by itself is removed" if ch.is_customer and ch.delivery else ""
            changes.append(Change("channels", cid, f"{cid} ({ch.name})", "", "removed", risk=risk))
    for cid, ch in b.channels.items():
        title = f"{cid} ({ch.name}, {ch.audience})"
        if cid not in a.channels:
            risk = ""
            if ch.delivery is not None and ch.is_customer:
                risk = "a new customer channel delivers messages by itself"
            elif ch.delivery is not None:
                risk = f"a new credential destination ({ch.delivery.kind})"
            changes.append(Change("channels", cid, title, "", "added", after=ch.type, risk=risk))
            continue
        old = a.channels[cid]
        changes += _field_changes("channels", cid, title, _dump(old), _dump(ch), skip=("delivery",))
        changes += _delivery(cid, title, old, ch)
    return changes


def _delivery(cid: str, title: str, old: Channel, new: Channel) -> list[Change]:
    customers = old.is_customer or new.is_customer
    customer_risk = "delivery to customers changes" if customers else ""
    if old.delivery is None and new.delivery is None:
        return []
    if old.delivery is None or new.delivery is None or old.delivery.kind != new.delivery.kind:
        before = old.delivery.kind if old.delivery else None
        after = new.delivery.kind if new.delivery else None
        risk = customer_risk
        if new.delivery is not None:
            risk = risk or f"credentials now go to a {new.delivery.kind} destination"
        return [Change("channels", cid, title, "delivery", "changed", show(before), show(after), risk=risk)]
    destination = credential_destination_fields(new.delivery.kind)
    changes = []
    flat_old, flat_new = _flatten(_dump(old.delivery)), _flatten(_dump(new.delivery))
    for path in dict.fromkeys([*flat_old, *flat_new]):
        was, now = flat_old.get(path), flat_new.get(path)
        if was == now:
            continue
        risk = customer_risk
        if path in destination:
            risk = "credential destination changed"
        changes.append(Change("channels", cid, title, f"delivery.{path}", "changed", show(was), show(now), risk=risk))
    return changes


def _values(a: Plan, b: Plan) -> list[Change]:
    changes = []
    old = {v.name: v for v in a.values}
    new = {v.name: v for v in b.values}
    for name in old:
        if name not in new:
            changes.append(Change("values", name, name, "", "removed"))
    for name, value in new.items():
        if name not in old:
            changes.append(Change("values", name, name, "", "added", after=value.description or None))
            continue
        if old[name].description != value.description:
            changes.append(
                Change("values", name, name, "description", "changed", old[name].description, value.description)
            )
        changes += _list_delta("values", name, name, "in practice", old[name].in_practice, value.in_practice)
    return changes


def _keyed(
    section: str, before: Mapping[str, BaseModel], after: Mapping[str, BaseModel], label: str = ""
) -> list[Change]:
    changes = []
    for key in before:
        if key not in after:
            changes.append(Change(section, key, f"{label}{key}", "", "removed"))
    for key, new in after.items():
        if key not in before:
            changes.append(Change(section, key, f"{label}{key}", "", "added"))
            continue
        changes += _field_changes(section, key, f"{label}{key}", _dump(before[key]), _dump(new))
    return changes


HANDLED = frozenset(
    {"people", "definition", "severities", "roles", "channels", "templates", "values", "stages", "variables", "lint"}
)


def _rest(a: Plan, b: Plan) -> list[Change]:
    """Every other part of the plan (organization, owner, review dates, and sections added to
    the format later), compared field by field so that no change goes unreported."""
    changes = []
    old = {k: v for k, v in a.model_dump(mode="python", by_alias=True).items() if k not in HANDLED}
    new = {k: v for k, v in b.model_dump(mode="python", by_alias=True).items() if k not in HANDLED}
    for key in dict.fromkeys([*old, *new]):
        if old.get(key) != new.get(key):
            changes += _field_changes("plan", key, key, {key: old.get(key)}, {key: new.get(key)})
    return changes


def _lint(a: Plan, b: Plan) -> list[Change]:
    old, new = a.lint.model_dump(), b.lint.model_dump()
    changes = _list_delta("lint", "lint", "lint", "ignore", old.pop("ignore", []), new.pop("ignore", []))
    return changes + _field_changes("lint", "lint", "lint", old, new)


def mentions(diff_changes: list[Change], a: Plan, b: Plan) -> list[Mention]:
    """Everyone added to or removed from a role, and everyone in a role whose name or
    responsibilities changed (what they signed up for is different now)."""
    why: dict[str, list[str]] = {}

    def add(handle: str, reason: str) -> None:
        reasons = why.setdefault(handle, [])
        if reason not in reasons:
            reasons.append(reason)

    for rid, role in b.roles.items():
        if rid not in a.roles:
            for h in role.people:
                add(h, f"in the new role {role.name}")
            continue
        old = a.roles[rid]
        for h in role.people:
            if h not in old.people:
                add(h, f"added to {role.name}")
        for h in old.people:
            if h not in role.people:
                add(h, f"removed from {role.name}")
        if old.people and role.people and old.people[0] != role.people[0]:
            add(role.people[0], f"now primary {role.name}")
        if old.responsibilities != role.responsibilities or old.name != role.name:
            for h in role.people:
                add(h, f"{role.name}: responsibilities changed")
    for rid, role in a.roles.items():
        if rid not in b.roles:
            for h in role.people:
                add(h, f"role {role.name} removed")
    out = []
    for handle, reasons in why.items():
        person = b.person(handle) or a.person(handle)
        out.append(Mention(handle, person.name if person else handle, person.github if person else None, reasons))
    return out


# ---------------------------------------------------------------- messages


def rendered_messages(plan: Plan) -> dict[tuple[str, str, str], Rendered]:
    """Every stage x channel x locale a severity routes to, rendered with the declared examples
    at the preview clock (so that only the plan, never the time, changes a message)."""
    from incplan.diagnostics import ProblemError, UsageError
    from incplan.templates.compose import compose
    from incplan.templates.preview import PREVIEW_NOW, preview_targets

    out: dict[tuple[str, str, str], Rendered] = {}
    for stage, cid, locale, severity in preview_targets(plan):
        kind = plan.channels[cid].type
        try:
            result = compose(
                plan, stage=stage, now=PREVIEW_NOW, severity=severity, channels=[cid], locale=locale, example=True
            )
        except (ProblemError, UsageError) as exc:
            out[(stage, cid, locale)] = Rendered(None, "", None, kind, error=_one_line(exc))
            continue
        for m in result.messages:
            out[(stage, cid, locale)] = Rendered(m.subject, m.body, m.measure, kind)
    return out


def _one_line(exc: Exception) -> str:
    text = getattr(exc, "message", "") or str(exc)
    return " ".join(text.split())


def message_changes(a: Plan, b: Plan) -> list[MessageChange]:
    old, new = rendered_messages(a), rendered_messages(b)
    # A cadence change moves "next update by" in every message: render the new plan with the
    # old cadences too, so that messages whose only change is that time are told apart.
    same_timing = _with_cadences_of(b, a)
    timed = rendered_messages(same_timing) if same_timing is not b else new
    changes = []
    for key in dict.fromkeys([*old, *new]):
        before, after = old.get(key), new.get(key)
        if before is not None and after is not None and before.text == after.text and _same_measure(before, after):
            continue
        stage, cid, locale = key
        channel = b.channels.get(cid) or a.channels[cid]
        hybrid = timed.get(key)
        timing_only = before is not None and hybrid is not None and hybrid.text == before.text
        changes.append(MessageChange(stage, cid, locale, channel.name, channel.audience, before, after, timing_only))
    return changes


def _with_cadences_of(plan: Plan, other: Plan) -> Plan:
    """`plan` with the update cadences of `other` (same object when they already agree)."""
    severities = {}
    for sid, sev in plan.severities.items():
        old = other.severities.get(sid)
        if old is not None and old.update_every != sev.update_every:
            severities[sid] = sev.model_copy(update={"update_every": old.update_every})
    if not severities:
        return plan
    return plan.model_copy(update={"severities": {**plan.severities, **severities}})


def _same_measure(a: Rendered, b: Rendered) -> bool:
    return a.measure == b.measure


# ---------------------------------------------------------------- the whole


def diff_plans(base: Side, head: Side) -> PlanDiff:
    result = PlanDiff(base, head)
    a, b = base.plan, head.plan
    if a is None or b is None:
        return result
    result.changes = [
        *_definition(a, b),
        *_severities(a, b),
        *_roles(a, b),
        *_people(a, b),
        *_channels(a, b),
        *_values(a, b),
        *_keyed("stages", a.stages, b.stages),
        *_keyed("variables", a.variables, b.variables),
        *_rest(a, b),
        *_lint(a, b),
    ]
    result.messages = message_changes(a, b)
    result.mentions = mentions(result.changes, a, b)
    return result
