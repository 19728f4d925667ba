"""Compose the messages of one stage for a set of channels: the core of `notify` and `preview`."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from incplan.diagnostics import ProblemError, UsageError
from incplan.incidents.ids import slugify
from incplan.templates.cache import CompiledTemplate, compile_template
from incplan.templates.context import Context, IncidentInfo, PlanContext, build_context, example_title, plan_context
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

    The steps: pick each post's texts (one per language it joins), gather what they read,
    refuse missing inputs, then for each text build its context, render it, and measure the
    joined post."""
    given = dict(variables or {})
    _check_names(plan, stage=stage, severity=severity, locale=locale, given=given, channels=channels)
    # `--locale ''` is refused above, never taken for the default
    shown_locale = plan.default_locale if locale is None else locale
    result = Composition(stage=stage, severity=severity, locale=shown_locale, update_text=update_text)
    chosen = _chosen_channels(plan, severity, channels)
    posts = _pick_texts(plan, stage, chosen or [], locale, result.warnings)
    needs = _names_read(posts)
    missing = _missing_inputs(
        plan, needs, chosen=chosen, severity=severity, given=given, example=example, title=title, locale=shown_locale
    )
    if missing:
        raise MissingInputs(missing)
    contexts = _Contexts(
        plan,
        given,
        example=example,
        needs=needs,
        warnings=result.warnings,
        stage=stage,
        severity=severity,
        incident=_incident(plan, now, title, example, incident_id, started_at, window),
        sample_title=title is None and example,  # each language reads its own sample title
        now=now,
        assigned=assigned,
        components=components,
        update_text=update_text,
    )
    for post in posts:
        rendered = [
            _render_text(text, contexts.context(post.channel, text.locale), stage, post.channel) for text in post.texts
        ]
        result.messages.append(_measured(plan, post.channel, rendered))
    if not chosen and severity is not None and not channels:
        result.warnings.append(f"severity `{severity}` routes to no channel; name channels with --channel")
    return result


def _check_names(
    plan: Plan,
    *,
    stage: str,
    severity: str | None,
    locale: str | None,
    given: dict[str, str],
    channels: list[str] | None,
) -> None:
    """Every name given is one the plan declares (`--locale all` names every locale)."""
    from incplan.plan.names import check_names
    from incplan.variables import names

    shown = None if locale == ALL_LOCALES else locale
    check_names(plan, stage=stage, severity=severity, locale=shown, variables=names(plan, given), channels=channels)


def _chosen_channels(plan: Plan, severity: str | None, channels: list[str] | None) -> list[str] | None:
    """The channels named, else the severity's, else None: the severity is missing."""
    if channels:
        return list(dict.fromkeys(channels))
    if severity is not None:
        return list(plan.severities[severity].channels)
    return None


@dataclass(frozen=True)
class _Text:
    """One language of a post, compiled, waiting for the render context."""

    locale: str
    subject: CompiledTemplate | None
    body: CompiledTemplate


@dataclass(frozen=True)
class _Post:
    """One post to a channel: its languages, joined in this order once rendered."""

    channel: str
    texts: tuple[_Text, ...]


def _pick_texts(plan: Plan, stage: str, chosen: list[str], locale: str | None, warnings: list[str]) -> list[_Post]:
    """Each channel's posts at `stage`, their texts compiled: one post in the languages the
    channel posts in, one in `locale`, or with `--locale all` one per language the message has.
    A channel without a message is said in `warnings`, not posted to."""
    posts = []
    for ch in chosen:
        if ch not in plan.channels:  # `load_for_use` rejects such plans; never a KeyError here
            warnings.append(f"channel `{ch}` is not declared")
            continue
        found = plan.message_for(stage, ch)
        if found is None:
            warnings.append(f"stage `{stage}` has no message for channel `{ch}` (and no `default`)")
            continue
        _, spec = found
        channel = plan.channels[ch]
        if locale == ALL_LOCALES:  # each language the message has; a missing translation is said, not shown twice
            languages = [
                [loc] for loc in plan.organization.locales if loc == plan.default_locale or loc in spec.translations
            ]
            warnings.extend(
                f"no `{loc}` translation of the `{stage}` message for `{ch}`"
                for loc in plan.organization.locales
                if [loc] not in languages
            )
        elif locale is not None:
            languages = [[locale]]
        else:
            languages = [channel.posts_in(plan.default_locale)]  # one post, in every language it has
        html = channel.format == "html"
        for wanted in languages:
            texts = [
                _Text(
                    used_locale,
                    _compile(subject, False, stage, ch) if subject else None,  # a subject is plain text everywhere
                    _compile(body, html, stage, ch),
                )
                for used_locale, subject, body in _texts_in(plan, spec, wanted, stage, ch, warnings)
            ]
            posts.append(_Post(ch, tuple(texts)))
    return posts


def _names_read(posts: list[_Post]) -> set[str]:
    """The context names the picked texts read."""
    needs: set[str] = set()
    for post in posts:
        for text in post.texts:
            for compiled in (text.subject, text.body):
                if compiled is not None:
                    needs |= set(compiled.names)
    return needs


def _missing_inputs(
    plan: Plan,
    needs: set[str],
    *,
    chosen: list[str] | None,
    severity: str | None,
    given: dict[str, str],
    example: bool,
    title: str | None,
    locale: str,
) -> list[MissingInput]:
    """What the texts read (or the choice of channels needs) that was not given, in the order
    the error lists it: severity, the plan's variables, title."""
    missing = []
    if chosen is None:
        missing.append(_severity_input(plan, "which channels to use"))
    elif severity is None and {"severity", "next_update"} & needs:
        missing.append(_severity_input(plan, "the messages use it"))
    for name, var in plan.variables.items():
        named = any(key.partition("@")[0] == name for key in given)
        if named or (example and var.example is not None) or var.default is not None or not var.required:
            continue
        if name in needs:
            shown = var.example_in(locale, plan.default_locale) or ""
            missing.append(MissingInput(name, var.description, shown, f'--var {name}="{shown or "..."}"'))
    if title is None and not example and "incident" in needs:
        shown = example_title(locale)
        missing.append(MissingInput("title", "the incident's title", shown, f'--title "{shown}"'))
    return missing


def _incident(
    plan: Plan,
    now: datetime,
    title: str | None,
    example: bool,
    incident_id: str | None,
    started_at: datetime | None,
    window: tuple[datetime, datetime | None] | None,
) -> IncidentInfo:
    if title is None and example:
        title = example_title(plan.default_locale)
    return IncidentInfo(
        id=incident_id or f"{now:%Y-%m-%d}-{slugify(title or 'incident')}",
        title=title or "",
        started_at=started_at or now,
        scheduled_for=window[0] if window else None,
        scheduled_until=window[1] if window else None,
    )


@dataclass
class _Contexts:
    """The render context of each (channel, language). The plan's part and the variables'
    values are gathered once per language (saying in `warnings` where a value falls back)."""

    plan: Plan
    given: dict[str, str]
    example: bool
    needs: set[str]
    warnings: list[str]
    stage: str
    severity: str | None
    incident: IncidentInfo
    sample_title: bool
    now: datetime
    assigned: dict[str, list[str]] | None
    components: dict[str, str] | None
    update_text: str
    _bases: dict[str, PlanContext] = field(default_factory=dict)
    _values: dict[str, dict[str, str]] = field(default_factory=dict)

    def context(self, channel: str, locale: str) -> Context:
        from incplan.variables import values_in

        if locale not in self._bases:
            self._bases[locale] = plan_context(self.plan, locale)
            values, notes = values_in(self.plan, self.given, locale, example=self.example, needs=self.needs)
            self._values[locale] = values
            self.warnings.extend(notes)
        return build_context(
            self.plan,
            stage=self.stage,
            channel=channel,
            severity=self.severity,
            variables=self._values[locale],
            incident=replace(self.incident, title=example_title(locale)) if self.sample_title else self.incident,
            now=self.now,
            base=self._bases[locale],
            assigned=self.assigned,
            components=self.components,
            update_text=self.update_text,
            locale=locale,
        )


def _render_text(text: _Text, context: Context, stage: str, channel: str) -> LocaleText:
    try:
        subject = render(text.subject, context) if text.subject else None
        body = render(text.body, context)
    except RenderError as exc:
        raise TemplateFailure(f"the `{stage}` message for `{channel}` fails to render: {exc}") from None
    return LocaleText(text.locale, subject, body)


def _measured(plan: Plan, channel_id: str, rendered: list[LocaleText]) -> ComposedMessage:
    """One post: its languages joined (subjects by ` / `, bodies by the channel's separator)
    and measured against the channel's limit."""
    channel = plan.channels[channel_id]
    subjects = list(dict.fromkeys(t.subject for t in rendered if t.subject))
    body = channel.separator.join(t.body for t in rendered)
    return ComposedMessage(
        channel=channel_id,
        channel_name=channel.name,
        channel_type=channel.type,
        audience=channel.audience,
        format=channel.format,
        subject=SUBJECT_SEPARATOR.join(subjects) if subjects else None,
        body=body,
        locale=rendered[0].locale,
        measure=measure(channel.type, body, channel.max_length),
        texts=tuple(rendered),
    )


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
    """The message `channel` gets at `stage` in `locale` (the plan's default when None; a
    language the message is not translated into falls back to the default), or None when the
    stage has no message for it. `compose`'s steps, for one channel and one language: a name
    the plan does not declare is a `UsageError`, inputs the message reads and was not given are
    one `MissingInputs`, a template that fails is a `TemplateFailure`."""
    composition = compose(
        plan,
        stage=stage,
        now=now,
        severity=severity,
        channels=[channel],
        title=incident.title,
        variables=variables,
        locale=locale or plan.default_locale,
        incident_id=incident.id,
        started_at=incident.started_at,
        window=(incident.scheduled_for, incident.scheduled_until) if incident.scheduled_for else None,
    )
    if not composition.messages:
        return None
    message = composition.messages[0]
    return RenderedMessage(message.subject, message.body)
