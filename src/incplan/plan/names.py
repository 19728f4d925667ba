"""Names a user gives on the command line, checked against the plan once, with a did-you-mean."""

from __future__ import annotations

from typing import TYPE_CHECKING

from incplan.diagnostics import UsageError, unknown_name

if TYPE_CHECKING:
    from collections.abc import Iterable

    from incplan.plan.models import Plan

# The shapes of names in a plan (the schema publishes them; `--var NAME@LOCALE` checks the locale).
HANDLE_PATTERN = r"^@[A-Za-z0-9][A-Za-z0-9_.-]*$(?!\n)"
LOCALE_PATTERN = r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$(?!\n)"
ENV_NAME_PATTERN = r"^[A-Z_][A-Z0-9_]*$(?!\n)"
GITHUB_PATTERN = r"^@?[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}$(?!\n)"
E164_PATTERN = r"^\+[1-9][0-9]{6,14}$(?!\n)"  # a phone number for SMS: the plan's `to` and a `to_env` list
# Every check uses fullmatch: with match, `$` also matches before a final newline ("en\n"). The
# schema publishes them too, and validators that use Python's `re.search` (jsonschema) read `$`
# the same way, so each ends in `$(?!\n)`: the end, in ECMA and in Python regular expressions.


def check_names(
    plan: Plan,
    *,
    stage: str | None = None,
    severity: str | None = None,
    role: str | None = None,
    person: str | None = None,
    locale: str | None = None,
    variables: Iterable[str] | None = None,
    channels: Iterable[str] | None = None,
    components: Iterable[str] | None = None,
) -> None:
    """Raise the usage error for the first name that the plan does not declare."""
    if stage is not None and stage not in plan.stages:
        raise unknown_name("stage", stage, list(plan.stages))
    if severity is not None and severity not in plan.severities:
        raise unknown_name("severity", severity, list(plan.severities))
    if role is not None and role not in plan.roles:
        raise unknown_name("role", role, list(plan.roles))
    if person is not None:
        if not person.startswith("@"):
            raise UsageError(f"`{person}` is not a person", hint=f"write it as @handle, e.g. @{person}")
        if person[1:] not in plan.people:
            raise unknown_name("person", person, [f"@{h}" for h in plan.people])
    if locale is not None and locale not in plan.organization.locales:
        raise unknown_name("locale", locale, list(plan.organization.locales))
    for name in variables or ():
        if name not in plan.variables:
            raise unknown_name("variable", name, list(plan.variables))
    for ch in channels or ():
        if ch not in plan.channels:
            raise unknown_name("channel", ch, list(plan.channels))
    for component in components or ():
        if component not in plan.components:
            raise unknown_name("component", component, list(plan.components))


def in_locale(plan: Plan, locale: str | None) -> Plan:
    """The plan in a declared locale (`--locale`): names and texts translated where it has them."""
    if locale is None:
        return plan
    check_names(plan, locale=locale)
    return plan.in_locale(locale)
