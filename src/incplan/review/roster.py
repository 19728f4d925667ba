"""Who does what (SPEC §11): per person, their roles, responsibilities, the severities that call
them in and their backups; and each person's own part as a message they can be sent."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from incplan.diagnostics import UsageError, unknown_name

if TYPE_CHECKING:
    from incplan.delivery.base import Job
    from incplan.json_types import JSONObject
    from incplan.plan.models import Delivery, Plan

# Roster messages go to people, never to the public: only these delivery kinds can carry them.
ROSTER_KINDS = ("email", "slack", "teams")
SLACK_MEMBER_ID = re.compile(r"^@?([UW][A-Z0-9]{6,})$")


@dataclass(frozen=True)
class Colleague:
    handle: str
    name: str

    def __str__(self) -> str:
        return f"{self.name} ({self.handle})"


@dataclass(frozen=True)
class Duty:
    """One role of one person."""

    role: str
    name: str
    position: int  # 0: primary, 1: first backup...
    responsibilities: list[str]
    severities: list[tuple[str, str]]  # (id, name) of severities that call this role in
    backups: list[Colleague]  # the others in the role, in order

    @property
    def position_text(self) -> str:
        return "primary" if self.position == 0 else f"backup {self.position}"

    @property
    def others_label(self) -> str:
        return "Backups" if self.position == 0 else "Others in this role"

    @property
    def others_text(self) -> str:
        if not self.backups:
            return "none (nobody covers for this role)"
        shown = [str(b) for b in self.backups]
        if self.position != 0:  # the first of the others is the primary
            shown[0] = f"{self.backups[0].name} ({self.backups[0].handle}, primary)"
        return ", ".join(shown)

    def as_json(self) -> JSONObject:
        return {
            "role": self.role,
            "name": self.name,
            "primary": self.position == 0,
            "position": self.position + 1,
            "responsibilities": self.responsibilities,
            "severities": [s for s, _ in self.severities],
            "backups": [b.handle for b in self.backups],
        }


@dataclass(frozen=True)
class Entry:
    """A person and everything the plan asks of them."""

    handle: str
    name: str
    email: str | None
    chat: str | None
    phone: str | None
    github: str | None
    duties: list[Duty] = field(default_factory=list)
    owns: list[tuple[str, str]] = field(default_factory=list)  # (channel id, name) they own

    @property
    def severities(self) -> list[tuple[str, str]]:
        seen: dict[str, str] = {}
        for duty in self.duties:
            for sid, name in duty.severities:
                seen.setdefault(sid, name)
        return list(seen.items())

    @property
    def contacts(self) -> str:
        parts = [self.email, f"chat {self.chat}" if self.chat else None, self.phone]
        parts.append(f"GitHub @{self.github}" if self.github else None)
        return ", ".join(p for p in parts if p)

    def as_json(self) -> JSONObject:
        return {
            "handle": self.handle,
            "name": self.name,
            "email": self.email,
            "chat": self.chat,
            "phone": self.phone,
            "github": self.github,
            "roles": [d.as_json() for d in self.duties],
            "severities": [s for s, _ in self.severities],
            "owns_channels": [c for c, _ in self.owns],
        }


@dataclass(frozen=True)
class Roster:
    organization: str
    entries: list[Entry]

    def as_json(self) -> JSONObject:
        return {"organization": self.organization, "people": [e.as_json() for e in self.entries]}


def build_roster(plan: Plan, handle: str | None = None) -> Roster:
    """Everyone in `people` (or one `@handle`), in the plan's order."""
    handles = [f"@{h}" for h in plan.people]
    if handle is not None:
        wanted = handle if handle.startswith("@") else f"@{handle}"
        if wanted not in handles:
            raise unknown_name("person", wanted, handles)
        handles = [wanted]
    entries = []
    for h in handles:
        person = plan.person(h)
        assert person is not None
        duties = []
        for rid, role in plan.roles.items():
            if h not in role.people:
                continue
            severities = [(sid, sev.name) for sid, sev in plan.severities.items() if rid in sev.roles]
            others = [Colleague(o, _name(plan, o)) for o in role.people if o != h]
            duties.append(Duty(rid, role.name, role.people.index(h), list(role.responsibilities), severities, others))
        own_roles = {d.role for d in duties}
        owns = [(cid, ch.name) for cid, ch in plan.channels.items() if ch.owner == h or ch.owner in own_roles]
        entries.append(Entry(h, person.name, person.email, person.chat, person.phone, person.github, duties, owns))
    return Roster(plan.organization.name, entries)


def _name(plan: Plan, handle: str) -> str:
    person = plan.person(handle)
    return person.name if person is not None else handle


# ---------------------------------------------------------------- one person's part, as text


def part_lines(entry: Entry) -> list[str]:
    """What one person is asked to do; nothing about anyone else's roles."""
    if not entry.duties:
        return ["No role in the plan."]
    lines = []
    for duty in entry.duties:
        lines.append(f"{duty.name} ({duty.position_text})")
        called = ", ".join(f"{sid} ({name})" for sid, name in duty.severities) or "no severity calls this role in"
        lines.append(f"  Called in for: {called}")
        if duty.responsibilities:
            lines.append("  Responsibilities:")
            lines += [f"  - {r}" for r in duty.responsibilities]
        lines.append(f"  {duty.others_label}: {duty.others_text}")
    if entry.owns:
        lines.append("Owns channels: " + ", ".join(f"{name} ({cid})" for cid, name in entry.owns))
    return lines


def message_subject(roster: Roster) -> str:
    return f"Your roles in the {roster.organization} incident communication plan"


def message_body(roster: Roster, entry: Entry) -> str:
    intro = f"Hello {entry.name}, these are your roles in the {roster.organization} incident communication plan."
    outro = "If something here is wrong, or you cannot take a role, tell the plan's owner."
    return "\n".join([intro, "", *part_lines(entry), "", outro])


def text_report(roster: Roster) -> str:
    blocks = []
    for entry in roster.entries:
        head = f"{entry.handle} {entry.name}" + (f" ({entry.contacts})" if entry.contacts else "")
        blocks.append("\n".join([head, *(f"  {line}" for line in part_lines(entry))]))
    return "\n\n".join(blocks) + "\n"


def markdown_report(roster: Roster) -> str:
    """For a wiki page or an issue: each person's GitHub login is a mention, so they are told."""
    from incplan.review.report import code, plain

    lines = [f"## Who does what: {plain(roster.organization)}", ""]
    for entry in roster.entries:
        login = f" @{entry.github}" if entry.github else ""
        lines += [f"### {plain(entry.name)} {code(entry.handle)}{login}", ""]
        if entry.contacts:
            lines += [plain(entry.contacts), ""]
        if not entry.duties:
            lines += ["No role in the plan.", ""]
        for duty in entry.duties:
            called = ", ".join(f"{code(sid)} {plain(name)}" for sid, name in duty.severities) or "no severity"
            lines += [f"**{plain(duty.name)}** ({duty.position_text})", "", f"- Called in for: {called}"]
            lines += [f"- {plain(r)}" for r in duty.responsibilities]
            lines += [f"- {duty.others_label}: {plain(duty.others_text)}", ""]
        if entry.owns:
            lines += ["Owns channels: " + ", ".join(f"{plain(name)} {code(cid)}" for cid, name in entry.owns), ""]
    return "\n".join(lines)


# ---------------------------------------------------------------- delivery


@dataclass(frozen=True)
class Skipped:
    handle: str
    reason: str


def roster_jobs(plan: Plan, roster: Roster, channel_id: str) -> tuple[list[tuple[Entry, Job]], list[Skipped]]:
    """One job per person who has a role: an email to their own address, or a chat post that
    mentions them. People without a role, or without an address on an email channel, are
    skipped with the reason."""
    from incplan.delivery.base import Job

    if channel_id not in plan.channels:
        raise unknown_name("channel", channel_id, list(plan.channels))
    channel = plan.channels[channel_id]
    if channel.delivery is None or channel.delivery.kind not in ROSTER_KINDS:
        kind = channel.delivery.kind if channel.delivery else "no delivery settings"
        usable = [c for c, ch in plan.channels.items() if ch.delivery is not None and ch.delivery.kind in ROSTER_KINDS]
        raise UsageError(
            f"channel `{channel_id}` ({kind}) cannot carry a personal roster message",
            hint="use an email, Slack or Teams channel with `delivery:`"
            + (f": {', '.join(usable)}" if usable else "; the plan has none"),
        )
    if channel.is_customer:
        raise UsageError(
            f"channel `{channel_id}` reaches customers; roles are internal",
            hint="use an internal email, Slack or Teams channel",
        )
    delivery = channel.delivery
    jobs, skipped = [], []
    for entry in roster.entries:
        if not entry.duties:
            skipped.append(Skipped(entry.handle, "has no role"))
            continue
        settings: Delivery = delivery
        mention_name = mention_id = ""
        if delivery.kind == "email":
            if not entry.email:
                skipped.append(Skipped(entry.handle, "has no email address in the plan"))
                continue
            settings = delivery.model_copy(update={"to": [entry.email]})
        elif delivery.kind == "slack":
            mention_name = entry.chat or entry.handle
            member = SLACK_MEMBER_ID.fullmatch(entry.chat or "")
            mention_id = member.group(1) if member else ""
        else:  # teams: mentions address people by their Microsoft 365 sign-in (email)
            mention_name, mention_id = entry.name, entry.email or ""
        job = Job(
            channel=channel_id,
            channel_name=channel.name,
            kind=delivery.kind,
            settings=settings,
            stage="roster",
            stage_final=False,
            severity=None,
            impact=None,
            incident_id=f"roster-{entry.handle.removeprefix('@')}",
            incident_title=message_subject(roster),
            subject=message_subject(roster),
            body=message_body(roster, entry),
            format="text",
            locale=plan.default_locale,
            mention_name=mention_name,
            mention_id=mention_id,
        )
        jobs.append((entry, job))
    from incplan.delivery.run import held_back_when_secret

    held_back_when_secret(plan, [job for _, job in jobs])  # a name or duty in the plan may hold one
    return jobs, skipped
