"""Compose the messages of one stage for a set of channels: the core of `notify` and `preview`."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from incplan.diagnostics import ProblemError, UsageError
from incplan.incidents.ids import slugify
from incplan.templates.cache import CompiledTemplate, compile_template
from incplan.templates.context import IncidentInfo, build_context, example_title, plan_context
from incplan.templates.limits import Measure, measure
from incplan.templates.render import RenderError, render

if TYPE_CHECKING:
    from incplan.plan.models import MessageSpec, Plan

ALL_LOCALES = "all"  # `--locale all`: every declared locale, one message each
SUBJECT_SEPARATOR = " / "  # a subject is one line: the languages of a joined post share it


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
    locale: str  # the language of the post; its first when it joins several
    measure: Measure
    # Each language's own text, in the order joined into `subject` and `body` (one for most posts).
    texts: tuple[LocaleText, ...] = ()

    @property
    def locales(self) -> list[str]:
        return [t.locale for t in self.texts] or [self.locale]


@dataclass(frozen=True)
class LocaleText:
    locale: str
    subject: str | None
    body: str


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
    names = variable_names(plan, variables)
    every = locale == ALL_LOCALES
    check_names(
        plan, stage=stage, severity=severity, locale=None if every else locale, variables=names, channels=channels
    )

    # `--locale ''` is refused above, never taken for the default
    shown_locale = plan.default_locale if locale is None else locale
    result = Composition(stage=stage, severity=severity, locale=shown_locale, update_text=update_text)
    missing: dict[str, MissingInput] = {}
    if channels:
        chosen = list(dict.fromkeys(channels))
    elif severity is not None:
        chosen = list(plan.severities[severity].channels)
    else:
        chosen = []
        missing["severity"] = _severity_input(plan, "which channels to use")

    # Pick each channel's texts and compile them; collect what the texts need.
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
        channel = plan.channels[ch]
        if every:  # each language the message has; a missing translation is said, not shown twice
            posts = [
                [loc] for loc in plan.organization.locales if loc == plan.default_locale or loc in spec.translations
            ]
            result.warnings.extend(
                f"no `{loc}` translation of the `{stage}` message for `{ch}`"
                for loc in plan.organization.locales
                if [loc] not in posts
            )
        elif locale is not None:
            posts = [[locale]]
        else:
            posts = [channel.posts_in(plan.default_locale)]  # one post, in every language it has
        html = channel.format == "html"
        for wanted in posts:
            texts = _texts_in(plan, spec, wanted, stage, ch, result.warnings)
            compiled = []
            for used_locale, subject, body in texts:
                compiled_subject = _compile(subject, False, stage, ch) if subject else None
                compiled_body = _compile(body, html, stage, ch)
                for c in (compiled_subject, compiled_body):
                    if c is not None:
                        needs |= set(c.names)
                compiled.append(_Text(used_locale, compiled_subject, compiled_body))
            picked.append(_Pick(ch, tuple(compiled)))

    if severity is None and ({"severity", "next_update"} & needs) and "severity" not in missing:
        missing["severity"] = _severity_input(plan, "the messages use it")
    for name, var in plan.variables.items():
        given = any(key.partition("@")[0] == name for key in variables)
        if given or (example and var.example is not None) or var.default is not None or not var.required:
            continue
        if name in needs:
            shown = var.example_in(shown_locale, plan.default_locale) or ""
            missing[name] = MissingInput(name, var.description, shown, f'--var {name}="{shown or "..."}"')
    sample_title = title is None and example  # each language reads its own sample title
    if title is None:
        shown = example_title(shown_locale)
        if example:
            title = example_title(plan.default_locale)
        elif "incident" in needs:
            missing["title"] = MissingInput("title", "the incident's title", shown, f'--title "{shown}"')
    if missing:
        raise MissingInputs(list(missing.values()))

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
        ch = pick.channel
        channel = plan.channels[ch]
        rendered = []
        for text in pick.texts:
            used_locale = text.locale
            if used_locale not in bases:
                bases[used_locale] = plan_context(plan, used_locale)
                values, notes = values_in(plan, variables, used_locale, example=example, needs=needs)
                values_by_locale[used_locale] = values
                result.warnings.extend(notes)
            context = build_context(
                plan,
                stage=stage,
                channel=ch,
                severity=severity,
                variables=values_by_locale[used_locale],
                incident=replace(incident, title=example_title(used_locale)) if sample_title else incident,
                now=now,
                base=bases[used_locale],
                assigned=assigned,
                components=components,
                update_text=update_text,
                locale=used_locale,
            )
            try:
                subject = render(text.subject, context) if text.subject else None
                body = render(text.body, context)
            except RenderError as exc:
                raise TemplateFailure(f"the `{stage}` message for `{ch}` fails to render: {exc}") from None
            rendered.append(LocaleText(used_locale, subject, body))
        subjects = list(dict.fromkeys(t.subject for t in rendered if t.subject))
        joined_body = channel.separator.join(t.body for t in rendered)
        result.messages.append(
            ComposedMessage(
                channel=ch,
                channel_name=channel.name,
                channel_type=channel.type,
                audience=channel.audience,
                format=channel.format,
                subject=SUBJECT_SEPARATOR.join(subjects) if subjects else None,
                body=joined_body,
                locale=rendered[0].locale,
                measure=measure(channel.type, joined_body, channel.max_length),
                texts=tuple(rendered),
            )
        )
    if not chosen and severity is not None and not channels:
        result.warnings.append(f"severity `{severity}` routes to no channel; name channels with --channel")
    return result


@dataclass(frozen=True)
class _Text:
    """One language of a post, compiled, waiting for the render context."""

    locale: str
    subject: CompiledTemplate | None
    body: CompiledTemplate


@dataclass(frozen=True)
class _Pick:
    """One post to a channel: its languages, joined in this order once rendered."""

    channel: str
    texts: tuple[_Text, ...]


def _texts_in(
    plan: Plan, spec: MessageSpec, wanted: list[str], stage: str, channel: str, warnings: list[str]
) -> list[tuple[str, str | None, str]]:
    """(locale, subject, body) of a post in the `wanted` languages. A language the message is
    not translated into falls back to the default locale's text; in a post of several
    languages it is left out instead, so that no post carries the same text twice."""
    default = plan.default_locale
    own = [loc for loc in wanted if loc == default or loc in spec.translations]
    if len(wanted) > 1 and own:
        for loc in wanted:
            if loc not in own:
                warnings.append(
                    f"no `{loc}` translation of the `{stage}` message for `{channel}`; "
                    f"its post is in {', '.join(f'`{o}`' for o in own)} only"
                )
        wanted = own
    elif len(wanted) > 1:
        wanted = wanted[:1]
    texts = []
    for loc in wanted:
        if loc == default:
            texts.append((default, spec.subject, spec.body))
        elif loc in spec.translations:
            tr = spec.translations[loc]
            texts.append((loc, tr.subject if tr.subject is not None else spec.subject, tr.body))
        else:
            warnings.append(f"no `{loc}` translation of the `{stage}` message for `{channel}`; using `{default}`")
            texts.append((default, spec.subject, spec.body))
    return texts


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


@dataclass(frozen=True, slots=True)
class RenderedMessage:
    subject: str | None
    body: str


def render_message(
    plan: Plan,
    *,
    stage: str,
    channel: str,
    severity: str | None,
    variables: dict[str, str],
    incident: IncidentInfo,
    now: datetime,
    locale: str | None = None,
) -> RenderedMessage | None:
    """The message `channel` gets at `stage`, in `locale` (falling back to the default)."""
    found = plan.message_for(stage, channel)
    if found is None:
        return None
    _, spec = found
    subject, body, used_locale = spec.subject, spec.body, plan.default_locale
    if locale and locale != plan.default_locale and locale in spec.translations:
        tr = spec.translations[locale]
        subject, body = tr.subject if tr.subject is not None else subject, tr.body
        used_locale = locale
    ch = plan.channels.get(channel)
    autoescape = ch is not None and ch.format == "html"
    context = build_context(
        plan,
        stage=stage,
        channel=channel,
        severity=severity,
        variables=variables,
        incident=incident,
        now=now,
        locale=used_locale,
    )
    # Subjects are plain text everywhere (an email subject is never HTML).
    rendered_subject = render(compile_template(subject), context) if subject else None
    return RenderedMessage(rendered_subject, render(compile_template(body, autoescape=autoescape), context))
