"""Compose the messages of one stage for a set of channels: the core of `notify` and `preview`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from incplan.diagnostics import ProblemError, UsageError
from incplan.incidents.ids import slugify
from incplan.templates.engine import CompiledTemplate, IncidentInfo, RenderError, compile_template, render
from incplan.templates.limits import Measure, measure

if TYPE_CHECKING:
    from incplan.plan.models import Plan

EXAMPLE_TITLE = "Elevated error rates"


@dataclass(frozen=True)
class MissingInput:
    name: str
    description: str
    example: str
    flag: str


class MissingInputs(UsageError):
    def __init__(self, missing: list[MissingInput]) -> None:
        width = max(len(m.name) for m in missing)
        details = []
        for m in missing:
            example = f" (e.g. {m.example})" if m.example and m.name != "severity" else ""
            details.append(f"{m.name:<{width}}  {m.description}{example}")
            details.append(f"{'':<{width}}  {m.flag}")
        super().__init__(
            f"missing input{'s' if len(missing) > 1 else ''} for these messages:",
            hint="pass them with the flags shown, or --example to fill variables from their examples",
            details=details,
        )
        self.missing = missing


class TemplateFailure(ProblemError):
    """A template of the plan does not compile or render: the plan's problem (exit 1)."""


@dataclass(frozen=True)
class ComposedMessage:
    channel: str
    channel_name: str
    channel_type: str
    audience: str
    format: str
    subject: str | None
    body: str
    locale: str
    measure: Measure


@dataclass
class Composition:
    stage: str
    severity: str | None
    locale: str
    messages: list[ComposedMessage] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    update_text: str = ""  # `notify --update`: shown in the messages that use it, kept in the record


def compose(
    plan: Plan,
    *,
    stage: str,
    now: datetime,
    severity: str | None = None,
    channels: list[str] | None = None,
    title: str | None = None,
    variables: dict[str, str] | None = None,
    locale: str | None = None,
    example: bool = False,
    incident_id: str | None = None,
    started_at: datetime | None = None,
    assigned: dict[str, list[str]] | None = None,
    components: dict[str, str] | None = None,
    update_text: str = "",
    window: tuple[datetime, datetime | None] | None = None,
) -> Composition:
    """Render the stage's message for each channel; every missing input reported at once.

    One render per (channel, locale): `_pick` chooses a channel's text in a locale, the loop
    at the end renders each pick with the same context but the channel's own part."""
    from incplan.plan.names import check_names
    from incplan.variables import names as variable_names
    from incplan.variables import values_in

    variables = dict(variables or {})
    locale = plan.default_locale if locale is None else locale  # `--locale ''` is refused, not the default
    names = variable_names(plan, variables)
    check_names(plan, stage=stage, severity=severity, locale=locale, variables=names, channels=channels)

    result = Composition(stage=stage, severity=severity, locale=locale, update_text=update_text)
    missing: dict[str, MissingInput] = {}
    if channels:
        chosen = list(dict.fromkeys(channels))
    elif severity is not None:
        chosen = list(plan.severities[severity].channels)
    else:
        chosen = []
        missing["severity"] = _severity_input(plan, "which channels to use")

    # Pick each channel's text and compile it; collect what the texts need.
    picked = []
    needs: set[str] = set()
    for ch in chosen:
        if ch not in plan.channels:  # `load_for_use` rejects such plans; never a KeyError here
            result.warnings.append(f"channel `{ch}` is not declared")
            continue
        found = plan.message_for(stage, ch)
        if found is None:
            result.warnings.append(f"stage `{stage}` has no message for channel `{ch}` (and no `default`)")
            continue
        _, spec = found
        subject, body, used_locale = spec.subject, spec.body, plan.default_locale
        if locale != plan.default_locale:
            if locale in spec.translations:
                tr = spec.translations[locale]
                subject = tr.subject if tr.subject is not None else subject
                body, used_locale = tr.body, locale
            else:
                result.warnings.append(
                    f"no `{locale}` translation of the `{stage}` message for `{ch}`; using `{plan.default_locale}`"
                )
        html = plan.channels[ch].format == "html"
        compiled_subject = _compile(subject, False, stage, ch) if subject else None
        compiled_body = _compile(body, html, stage, ch)
        for c in (compiled_subject, compiled_body):
            if c is not None:
                needs |= set(c.names)
        picked.append(_Pick(ch, compiled_subject, compiled_body, used_locale))

    if severity is None and ({"severity", "next_update"} & needs) and "severity" not in missing:
        missing["severity"] = _severity_input(plan, "the messages use it")
    for name, var in plan.variables.items():
        given = any(key.partition("@")[0] == name for key in variables)
        if given or (example and var.example is not None) or var.default is not None or not var.required:
            continue
        if name in needs:
            shown = var.example_in(locale, plan.default_locale) or ""
            missing[name] = MissingInput(name, var.description, shown, f'--var {name}="{shown or "..."}"')
    if title is None:
        if example:
            title = EXAMPLE_TITLE
        elif "incident" in needs:
            missing["title"] = MissingInput(
                "title", "the incident's title", EXAMPLE_TITLE, f'--title "{EXAMPLE_TITLE}"'
            )
    if missing:
        raise MissingInputs(list(missing.values()))

    from incplan.templates.engine import build_context, plan_context

    incident = IncidentInfo(
        id=incident_id or f"{now:%Y-%m-%d}-{slugify(title or 'incident')}",
        title=title or "",
        started_at=started_at or now,
        scheduled_for=window[0] if window else None,
        scheduled_until=window[1] if window else None,
    )
    bases: dict[str, dict[str, Any]] = {}
    values_by_locale: dict[str, dict[str, str]] = {}
    for pick in picked:
        ch, used_locale = pick.channel, pick.locale
        channel = plan.channels[ch]
        if used_locale not in bases:
            bases[used_locale] = plan_context(plan, used_locale)
            values, notes = values_in(plan, variables, used_locale, example=example, needs=needs)
            values_by_locale[used_locale] = values
            result.warnings.extend(notes)
        values = values_by_locale[used_locale]
        context = build_context(
            plan,
            stage=stage,
            channel=ch,
            severity=severity,
            variables=values,
            incident=incident,
            now=now,
            base=bases[used_locale],
            assigned=assigned,
            components=components,
            update_text=update_text,
            locale=used_locale,
        )
        try:
            subject = render(pick.subject, context) if pick.subject else None
            body = render(pick.body, context)
        except RenderError as exc:
            raise TemplateFailure(f"the `{stage}` message for `{ch}` fails to render: {exc}") from None
        result.messages.append(
            ComposedMessage(
                channel=ch,
                channel_name=channel.name,
                channel_type=channel.type,
                audience=channel.audience,
                format=channel.format,
                subject=subject,
                body=body,
                locale=pick.locale,
                measure=measure(channel.type, body, channel.max_length),
            )
        )
    if not chosen and severity is not None and not channels:
        result.warnings.append(f"severity `{severity}` routes to no channel; name channels with --channel")
    return result


@dataclass(frozen=True)
class _Pick:
    """One channel's text in one locale, compiled, waiting for the render context."""

    channel: str
    subject: CompiledTemplate | None
    body: CompiledTemplate
    locale: str


def _compile(source: str, html: bool, stage: str, channel: str) -> CompiledTemplate:
    from jinja2 import TemplateSyntaxError

    try:
        return compile_template(source, autoescape=html)
    except TemplateSyntaxError as exc:
        raise TemplateFailure(
            f"the `{stage}` message for `{channel}` has a template error at its line {exc.lineno}: {exc.message}; "
            "run `incplan check`"
        ) from None


def _severity_input(plan: Plan, why: str) -> MissingInput:
    first = next(iter(plan.severities))
    names = ", ".join(f"{k} ({v.name})" for k, v in plan.severities.items())
    return MissingInput("severity", f"the incident's severity, {why}: {names}", first, f"--severity {first}")
