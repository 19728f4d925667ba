"""Cross-references between sections: every id a plan names must exist.

Pure checks of a plan that passed the schema, declared as rules: `check` runs them with the
other rules (`lint.rules.references`), and the loader for use (`plan.usable`) sets aside the
entry each finding lies in.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from incplan.diagnostics import Anchor, Diagnostic, PathPart, Rule, Severity, did_you_mean
from incplan.plan.models import RESERVED_NAMES

if TYPE_CHECKING:
    from incplan.plan.models import Plan

E = Severity.ERROR
Check = Callable[["Plan"], Iterable[Diagnostic]]


@dataclass(frozen=True, slots=True, kw_only=True)
class ReferenceRule(Rule):
    """A rule whose check reads only the plan."""

    check_plan: Check


def rule(code: str, name: str, severity: Severity) -> Callable[[Check], ReferenceRule]:
    """Declare the decorated function as the check of a rule; its docstring is the rule's doc."""

    def declare(check: Check) -> ReferenceRule:
        doc = inspect.cleandoc(check.__doc__ or "")
        if not doc:
            raise TypeError(f"rule {code} {name} has no docstring: `incplan rules` prints it")
        return ReferenceRule(code, name, severity, doc, check_plan=check)

    return declare


def _hint(name: str, valid: Iterable[str], what: str) -> str:
    valid = list(valid)
    if close := did_you_mean(name, valid):
        return close
    return f"known {what}: {', '.join(f'`{v}`' for v in valid)}" if valid else f"declare it under `{what}`"


@rule("E201", "unknown-person", E)
def unknown_person(plan: Plan) -> Iterator[Diagnostic]:
    """A `@handle` that is not a key of `people`."""
    refs: list[tuple[str, tuple[PathPart, ...]]] = []
    if plan.owner:
        refs.append((plan.owner, ("owner",)))
    for role_id, role in plan.roles.items():
        refs.extend((h, ("roles", role_id, "people", i)) for i, h in enumerate(role.people))
    for ch_id, ch in plan.channels.items():
        if ch.owner and ch.owner.startswith("@"):
            refs.append((ch.owner, ("channels", ch_id, "owner")))
    for handle, path in refs:
        name = handle.removeprefix("@")
        if name not in plan.people:
            yield unknown_person.at(
                f"`{handle}` is not in `people`", path=path, hint=_hint(name, plan.people, "people")
            )


@rule("E202", "unknown-role", E)
def unknown_role(plan: Plan) -> Iterator[Diagnostic]:
    """A role id (in a severity or as a channel owner) that is not declared under `roles`."""
    for sev_id, sev in plan.severities.items():
        for i, role_id in enumerate(sev.roles):
            if role_id not in plan.roles:
                yield unknown_role.at(
                    f"role `{role_id}` is not declared",
                    path=("severities", sev_id, "roles", i),
                    hint=_hint(role_id, plan.roles, "roles"),
                )
    for ch_id, ch in plan.channels.items():
        if ch.owner and not ch.owner.startswith("@") and ch.owner not in plan.roles:
            yield unknown_role.at(
                f"owner `{ch.owner}` is neither a role id nor a `@handle`",
                path=("channels", ch_id, "owner"),
                hint=_hint(ch.owner, plan.roles, "roles"),
            )


@rule("E203", "unknown-channel", E)
def unknown_channel(plan: Plan) -> Iterator[Diagnostic]:
    """A channel id (in a severity or a stage's templates) that is not declared under `channels`."""
    for sev_id, sev in plan.severities.items():
        for i, ch in enumerate(sev.channels):
            if ch not in plan.channels:
                yield unknown_channel.at(
                    f"channel `{ch}` is not declared",
                    path=("severities", sev_id, "channels", i),
                    hint=_hint(ch, plan.channels, "channels"),
                )
    sections: list[tuple[tuple[PathPart, ...], Mapping[str, Mapping[str, object]]]] = [(("templates",), plan.templates)]
    if plan.maintenance is not None:
        sections.append((("maintenance", "templates"), plan.maintenance.templates))
        for i, ch in enumerate(plan.maintenance.channels):
            if ch not in plan.channels:
                yield unknown_channel.at(
                    f"channel `{ch}` is not declared",
                    path=("maintenance", "channels", i),
                    hint=_hint(ch, plan.channels, "channels"),
                )
    for prefix, templates in sections:
        for stage, by_key in templates.items():
            for key in by_key:
                if key != "default" and key not in plan.channels:
                    yield unknown_channel.at(
                        f"templates for channel `{key}`, which is not declared",
                        path=(*prefix, stage, key),
                        anchor=Anchor.KEY,
                        hint=_hint(key, [*plan.channels, "default"], "channels"),
                    )


@rule("E204", "unknown-severity", E)
def unknown_severity(plan: Plan) -> Iterator[Diagnostic]:
    """A criterion that decides a severity not declared under `severities`."""
    for i, criterion in enumerate(plan.definition.criteria):
        if criterion.severity not in plan.severities:
            yield unknown_severity.at(
                f"severity `{criterion.severity}` is not declared",
                path=("definition", "criteria", i, "severity"),
                hint=_hint(criterion.severity, plan.severities, "severities"),
            )


@rule("E205", "unknown-stage", E)
def unknown_stage(plan: Plan) -> Iterator[Diagnostic]:
    """Templates or a per-stage cadence for a stage not declared under `stages`."""
    for stage in plan.templates:
        if stage not in plan.stages:
            yield unknown_stage.at(
                f"templates for stage `{stage}`, which is not declared",
                path=("templates", stage),
                anchor=Anchor.KEY,
                hint=_hint(stage, plan.stages, "stages"),
            )
    if plan.maintenance is not None:
        section = plan.maintenance
        for stage in section.templates:
            if stage not in section.stages:
                yield unknown_stage.at(
                    f"maintenance templates for stage `{stage}`, which is not a maintenance stage",
                    path=("maintenance", "templates", stage),
                    anchor=Anchor.KEY,
                    hint=_hint(stage, section.stages, "maintenance.stages"),
                )
        for stage in section.update_every or {}:
            if stage != "*" and stage not in section.stages:
                yield unknown_stage.at(
                    f"maintenance cadence for stage `{stage}`, which is not a maintenance stage",
                    path=("maintenance", "update_every", stage),
                    anchor=Anchor.KEY,
                    hint=_hint(stage, section.stages, "maintenance.stages"),
                )
    for sev_id, sev in plan.severities.items():
        for stage in sev.update_every or {}:
            if stage != "*" and stage not in plan.stages:
                yield unknown_stage.at(
                    f"cadence for stage `{stage}`, which is not declared",
                    path=("severities", sev_id, "update_every", stage),
                    anchor=Anchor.KEY,
                    hint=_hint(stage, plan.stages, "stages"),
                )


@rule("E206", "unknown-locale", E)
def unknown_locale(plan: Plan) -> Iterator[Diagnostic]:
    """A translation into a locale that `organization.locales` does not list, or a channel
    that posts in one."""
    locales = plan.organization.locales
    for channel_id, channel in plan.channels.items():
        for i, locale in enumerate(channel.locales or []):
            if locale not in locales:
                yield unknown_locale.at(
                    f"channel `{channel_id}` posts in `{locale}`, which `organization.locales` does not list",
                    path=("channels", channel_id, "locales", i),
                    hint=f"add `{locale}` to `organization.locales` or remove it from the channel's `locales`",
                )
    for path, translations in _translations(plan):
        for locale in translations:
            if locale not in locales:
                yield unknown_locale.at(
                    f"translation into `{locale}`, which `organization.locales` does not list",
                    path=(*path, "translations", locale),
                    anchor=Anchor.KEY,
                    hint=f"add `{locale}` to `organization.locales` or remove the translation",
                )


class _Translated(Protocol):
    @property
    def translations(self) -> Mapping[str, object]: ...


def _translations(plan: Plan) -> Iterator[tuple[tuple[PathPart, ...], Mapping[str, object]]]:
    """Every `translations` mapping of the plan, with the path of the object holding it."""
    yield ("definition",), plan.definition.translations
    for i, criterion in enumerate(plan.definition.criteria):
        yield ("definition", "criteria", i), criterion.translations
    sections: dict[str, Mapping[str, _Translated]] = {
        "severities": plan.severities,
        "roles": plan.roles,
        "channels": plan.channels,
        "stages": plan.stages,
        "variables": plan.variables,
        "components": plan.components,
    }
    for section, objects in sections.items():
        for object_id, obj in objects.items():
            yield (section, object_id), obj.translations
    for i, value in enumerate(plan.values):
        yield ("values", i), value.translations
    for stage, by_key in plan.templates.items():
        for key, spec in by_key.items():
            yield ("templates", stage, key), spec.translations


@rule("E207", "reserved-variable", E)
def reserved_variable(plan: Plan) -> Iterator[Diagnostic]:
    """A variable named like a name every template already has (`incident`, `now`, ...)."""
    for name in plan.variables:
        if name in RESERVED_NAMES:
            yield reserved_variable.at(
                f"`{name}` is a reserved template name",
                path=("variables", name),
                anchor=Anchor.KEY,
                hint=f"rename it; reserved: {', '.join(sorted(RESERVED_NAMES))}",
            )


@rule("E208", "duplicate-id", E)
def duplicate_id(plan: Plan) -> Iterator[Diagnostic]:
    """Two criteria with the same `id` (`classify --yes ID` could not tell them apart)."""
    seen: set[str] = set()
    for i, criterion in enumerate(plan.definition.criteria):
        if criterion.id in seen:
            yield duplicate_id.at(
                f"criterion id `{criterion.id}` is used twice",
                path=("definition", "criteria", i, "id"),
                hint="give each criterion its own id",
            )
        seen.add(criterion.id)


RULES = (
    unknown_person,
    unknown_role,
    unknown_channel,
    unknown_severity,
    unknown_stage,
    unknown_locale,
    reserved_variable,
    duplicate_id,
)


def problems(plan: Plan) -> list[Diagnostic]:
    """Every reference finding of the plan, rule by rule."""
    return [d for declared in RULES for d in declared.check_plan(plan)]
