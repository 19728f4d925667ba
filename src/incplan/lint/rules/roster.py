"""Who does what and where: roles, severities and channels that leave someone without a job."""

from __future__ import annotations

from collections.abc import Iterator

from incplan.diagnostics import Anchor, Diagnostic, Severity
from incplan.lint.context import LintContext
from incplan.lint.declare import rule

W = Severity.WARNING


@rule("W201", "role-without-people", W)
def role_without_people(ctx: LintContext) -> Iterator[Diagnostic]:
    """A role nobody holds."""
    for role_id, role in ctx.valid.roles.items():
        if not role.people:
            yield role_without_people.at(
                f"role `{role_id}` has no people",
                path=("roles", role_id),
                anchor=Anchor.KEY,
                hint='list who holds it: `people: ["@handle", "@backup"]`',
            )


@rule("W202", "role-without-backup", W)
def role_without_backup(ctx: LintContext) -> Iterator[Diagnostic]:
    """A role with one person only: nobody covers holidays or a 3 a.m. page."""
    for role_id, role in ctx.valid.roles.items():
        if len(role.people) == 1:
            yield role_without_backup.at(
                f"role `{role_id}` has only {role.people[0]}, no backup",
                path=("roles", role_id, "people"),
                hint="add a second person; the first one listed is the primary",
            )


@rule("W203", "severity-without-channels", W)
def severity_without_channels(ctx: LintContext) -> Iterator[Diagnostic]:
    """A severity that sends no message anywhere."""
    for sev_id, sev in ctx.valid.severities.items():
        if not sev.channels:
            yield severity_without_channels.at(
                f"severity `{sev_id}` routes to no channel",
                path=("severities", sev_id),
                anchor=Anchor.KEY,
                hint="add `channels: [...]` with where this severity is announced",
            )


@rule("W204", "severity-without-roles", W)
def severity_without_roles(ctx: LintContext) -> Iterator[Diagnostic]:
    """A severity that calls in no role."""
    for sev_id, sev in ctx.valid.severities.items():
        if not sev.roles:
            yield severity_without_roles.at(
                f"severity `{sev_id}` calls in no role",
                path=("severities", sev_id),
                anchor=Anchor.KEY,
                hint="add `roles: [...]`, at least an incident commander",
            )


@rule("W205", "channel-without-owner", W)
def channel_without_owner(ctx: LintContext) -> Iterator[Diagnostic]:
    """A channel nobody is responsible for posting to."""
    for ch_id, ch in ctx.valid.channels.items():
        if not ch.owner:
            yield channel_without_owner.at(
                f"channel `{ch_id}` has no owner",
                path=("channels", ch_id),
                anchor=Anchor.KEY,
                hint="add `owner:` with a role id or a `@handle`",
            )


@rule("W206", "channel-without-access", W)
def channel_without_access(ctx: LintContext) -> Iterator[Diagnostic]:
    """A channel that does not say how to get access (at 3 a.m. nobody knows the login)."""
    for ch_id, ch in ctx.valid.channels.items():
        if not ch.access:
            yield channel_without_access.at(
                f"channel `{ch_id}` does not say how to get access",
                path=("channels", ch_id),
                anchor=Anchor.KEY,
                hint="add `access:` saying where the login lives (never the secret itself)",
            )


@rule("W207", "unused-channel", W)
def unused_channel(ctx: LintContext) -> Iterator[Diagnostic]:
    """A channel that no severity routes to."""
    for ch_id in ctx.valid.channels:
        if ch_id not in ctx.routed_channels:
            yield unused_channel.at(
                f"no severity routes to channel `{ch_id}`",
                path=("channels", ch_id),
                anchor=Anchor.KEY,
                hint="add it to a severity's `channels` or remove it",
            )


@rule("W208", "unused-role", W)
def unused_role(ctx: LintContext) -> Iterator[Diagnostic]:
    """A role that no severity calls in and no channel is owned by."""
    plan = ctx.valid
    used = {r for sev in plan.severities.values() for r in sev.roles}
    used |= {ch.owner for ch in plan.channels.values() if ch.owner}
    for role_id in plan.roles:
        if role_id not in used:
            yield unused_role.at(
                f"no severity calls in role `{role_id}`",
                path=("roles", role_id),
                anchor=Anchor.KEY,
                hint="add it to a severity's `roles` or remove it",
            )


RULES = (
    role_without_people,
    role_without_backup,
    severity_without_channels,
    severity_without_roles,
    channel_without_owner,
    channel_without_access,
    unused_channel,
    unused_role,
)
