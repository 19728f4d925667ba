"""What a rule sees: the plan, its raw data, the clock, and the plan's messages compiled once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import TYPE_CHECKING

from incplan.diagnostics import PathPart
from incplan.plan.models import MessageSpec, Plan

if TYPE_CHECKING:
    from jinja2 import TemplateSyntaxError

    from incplan.lint.rules.templates import Renders
    from incplan.templates.cache import CompiledTemplate


@dataclass(frozen=True, slots=True)
class MessagePart:
    """One template text of the plan: a subject or body, in one locale, of one stage x key."""

    stage: str
    key: str  # a channel id or "default"
    locale: str
    part: str  # "subject" | "body"
    source: str
    path: tuple[PathPart, ...]


@dataclass
class Shared:
    """Results a rule family computes once per plan and shares between its rules (and with the
    lint of the rest of a broken plan, whose context holds the same `Shared`)."""

    strings: list[tuple[tuple[PathPart, ...], str | None, str]] | None = None  # every text (hygiene)
    secrets: set[str] = field(default_factory=set)  # what secret-in-plan flagged: masked everywhere
    renders: Renders | None = None  # the example renders (templates)
    budget: float | None = None  # seconds the plan's renders may take


def _mapping(value: object) -> dict[str, object]:
    return value if isinstance(value, dict) else {}


@dataclass
class LintContext:
    file: str
    data: dict[str, object]
    plan: Plan | None
    today: date
    now: datetime
    _compiled: dict[tuple[str, bool], CompiledTemplate | TemplateSyntaxError] = field(default_factory=dict)
    shared: Shared = field(default_factory=Shared)
    # `time.monotonic()` after which no more templates are rendered (the plan's budget).
    deadline: float | None = None
    # Every rule code, name and alias, lower-cased (`lint.registry.CODE_BY_KEY`), for the rule
    # that checks the names a plan gives in `lint:`; a rule module never imports the registry.
    rule_keys: Mapping[str, str] = field(default_factory=dict)
    # Entries set aside for errors (`plan.usable`): `plan` holds stand-ins for them.
    aside: frozenset[tuple[PathPart, ...]] = frozenset()

    @property
    def valid(self) -> Plan:
        assert self.plan is not None
        return self.plan

    # ------------------------------------------------------------ routing

    @cached_property
    def routed_channels(self) -> dict[str, list[str]]:
        """channel id -> severities that route to it."""
        routed: dict[str, list[str]] = {}
        for sev_id, sev in self.valid.severities.items():
            for ch in sev.channels:
                routed.setdefault(ch, []).append(sev_id)
        return routed

    def receivers(self, stage: str, key: str) -> list[str]:
        """Channels that get the message `templates[stage][key]`."""
        plan = self.valid
        if key != "default":
            return [key] if key in plan.channels else []
        own = plan.templates.get(stage, {})
        return [ch for ch in plan.channels if ch in self.routed_channels and ch not in own]

    def posts_in(self, channel: str) -> list[str]:
        """The languages a channel's messages are rendered in: its `locales`, or, when it has
        none, every declared locale (`notify --locale` may ask for any)."""
        plan = self.valid
        found = plan.channels[channel]
        return found.posts_in(plan.default_locale) if found.locales else list(plan.organization.locales)

    def joined(self, channel: str) -> bool:
        """Does the channel post several languages joined into one post?"""
        found = self.valid.channels[channel]
        return len(found.posts_in(self.valid.default_locale)) > 1 if found.locales else False

    def severities_for(self, channel: str) -> list[str]:
        """The severities a channel's messages are rendered with: those routing to it (or all),
        never a set-aside one (its stand-in has no cadence to render `next_update` with)."""
        found = self.routed_channels.get(channel) or list(self.valid.severities)
        return [s for s in found if ("severities", s) not in self.aside] if self.aside else found

    # ------------------------------------------------------------ messages

    @cached_property
    def message_parts(self) -> list[MessagePart]:
        parts = []
        raw_templates = _mapping(self.data.get("templates"))
        default_locale = self.valid.default_locale
        for stage, by_key in self.valid.templates.items():
            for key, spec in by_key.items():
                raw = _mapping(raw_templates.get(stage)).get(key)
                base: tuple[PathPart, ...] = ("templates", stage, key)
                parts.extend(_parts_of(stage, key, spec, base, isinstance(raw, str), default_locale))
        return parts

    @cached_property
    def reminder_parts(self) -> list[MessagePart]:
        """The `reminder` message (`incident remind --send`), checked for syntax and names."""
        spec = self.valid.reminder
        if spec is None:
            return []
        is_text = isinstance(self.data.get("reminder"), str)
        return _parts_of("reminder", "reminder", spec, ("reminder",), is_text, self.valid.default_locale)

    @cached_property
    def maintenance_parts(self) -> list[MessagePart]:
        """The `maintenance:` section's messages (checked for syntax and names)."""
        section = self.valid.maintenance
        if section is None:
            return []
        parts = []
        raw_templates = _mapping(_mapping(self.data.get("maintenance")).get("templates"))
        for stage, by_key in section.templates.items():
            for key, spec in by_key.items():
                raw = _mapping(raw_templates.get(stage)).get(key)
                base: tuple[PathPart, ...] = ("maintenance", "templates", stage, key)
                parts.extend(_parts_of(stage, key, spec, base, isinstance(raw, str), self.valid.default_locale))
        return parts

    def compiled(self, source: str, autoescape: bool = False) -> CompiledTemplate | TemplateSyntaxError:
        """A `CompiledTemplate`, or the `TemplateSyntaxError` it raised."""
        from jinja2 import TemplateSyntaxError

        from incplan.templates.cache import compile_template

        key = (source, autoescape)
        if key not in self._compiled:
            try:
                self._compiled[key] = compile_template(source, autoescape=autoescape)
            except TemplateSyntaxError as exc:
                self._compiled[key] = exc
            except RecursionError:
                self._compiled[key] = TemplateSyntaxError("template nested too deeply", 1)
        return self._compiled[key]


def _parts_of(
    stage: str, key: str, spec: MessageSpec, base: tuple[PathPart, ...], body_only: bool, default_locale: str
) -> list[MessagePart]:
    parts = []
    body_path = base if body_only else (*base, "body")
    parts.append(MessagePart(stage, key, default_locale, "body", spec.body, body_path))
    if spec.subject is not None:
        parts.append(MessagePart(stage, key, default_locale, "subject", spec.subject, (*base, "subject")))
    for locale, tr in spec.translations.items():
        tbase = (*base, "translations", locale)
        parts.append(MessagePart(stage, key, locale, "body", tr.body, (*tbase, "body")))
        if tr.subject is not None:
            parts.append(MessagePart(stage, key, locale, "subject", tr.subject, (*tbase, "subject")))
    return parts
