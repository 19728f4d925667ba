"""Stage templates: syntax, names, rendering with the declared examples, limits and good practice."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from incplan.diagnostics import Anchor, Diagnostic, PathPart, Severity, did_you_mean
from incplan.lint.context import LintContext, MessagePart
from incplan.lint.declare import rule
from incplan.templates.limits import Measure

if TYPE_CHECKING:
    from incplan.plan.models import Channel
    from incplan.templates.cache import CompiledTemplate
    from incplan.templates.context import Context

E, W = Severity.ERROR, Severity.WARNING
PLAN_BUDGET = 20.0  # seconds `check` spends rendering one plan's messages (SPEC §3)
JINJA_GLOBALS = frozenset({"range", "dict", "lipsum", "cycler", "joiner", "namespace", "loop", "self", "varargs"})
# Words that show a resolved message speaks about customer data, per language.
DATA_WORDS = {
    "en": r"\bdata\b",
    "pl": r"\bdan(e|ych|ymi|ym)\b",
    "de": r"\bdaten\b",
    "fr": r"\bdonnées\b",
    "es": r"\bdatos\b",
    "pt": r"\bdados\b",
    "it": r"\bdati\b",
    "nl": r"\b(gegevens|data)\b",
}


_DATA_VARIABLE = re.compile(r"\{\{[^}]*data[^}]*\}\}", re.IGNORECASE)  # e.g. {{ data_impact }}


def _syntax_ok(ctx: LintContext, part: MessagePart) -> CompiledTemplate | None:
    from jinja2 import TemplateSyntaxError

    compiled = ctx.compiled(part.source)
    return None if isinstance(compiled, TemplateSyntaxError) else compiled


def _unknown_names(ctx: LintContext, compiled: CompiledTemplate) -> list[str]:
    from incplan.plan.models import RESERVED_NAMES

    known = RESERVED_NAMES | JINJA_GLOBALS | set(ctx.valid.variables)
    return sorted(n for n in compiled.names if n not in known)


@rule("E301", "template-syntax", E)
def template_syntax(ctx: LintContext) -> Iterator[Diagnostic]:
    """A template that Jinja2 cannot parse, reported at its line in the plan."""
    from jinja2 import TemplateSyntaxError

    for part in [*ctx.message_parts, *ctx.maintenance_parts, *ctx.reminder_parts]:
        compiled = ctx.compiled(part.source)
        if isinstance(compiled, TemplateSyntaxError):
            yield template_syntax.at(
                f"template syntax error: {compiled.message}",
                path=part.path,
                inner_line=compiled.lineno or 1,
                hint="check the `{{ }}` and `{% %}` pairs",
            )


@rule("E302", "template-undefined-name", E)
def template_undefined_name(ctx: LintContext) -> Iterator[Diagnostic]:
    """A template that uses a name that is neither a declared variable nor in the render context."""
    from incplan.plan.models import RESERVED_NAMES

    for part in [*ctx.message_parts, *ctx.maintenance_parts, *ctx.reminder_parts]:
        compiled = _syntax_ok(ctx, part)
        if compiled is None:
            continue
        for name in _unknown_names(ctx, compiled):
            close = did_you_mean(name, [*ctx.valid.variables, *RESERVED_NAMES])
            yield template_undefined_name.at(
                f"template uses `{name}`, which is not a declared variable",
                path=part.path,
                inner_line=compiled.names[name],
                hint=close or f"declare it under `variables:` ({name}: ...)",
            )


class Renders:
    """Each message part rendered with the examples, per receiving channel and severity.

    Renders are deduplicated: a template is rendered once per distinct value of the names it
    reads (a default message that reads only `org` is rendered once, not once per channel and
    severity), and once one render of a template runs over the CPU or memory limit, that
    template is not rendered again. What is left is bounded by the plan's budget (SPEC §3)."""

    def __init__(self, ctx: LintContext) -> None:
        from incplan.templates.context import example_incident, example_variables, plan_context

        self.ctx = ctx
        self.bases = {loc: plan_context(ctx.valid, loc) for loc in ctx.valid.organization.locales}
        # Each locale renders with its own examples: an English SMS is measured with English text.
        self.variables = {loc: example_variables(ctx.valid, loc) for loc in ctx.valid.organization.locales}
        self.incidents = {loc: example_incident(ctx.now, loc) for loc in ctx.valid.organization.locales}
        self.done: dict[MessagePart, list[tuple[str, str, str | Exception]]] = {}
        self.results: dict[tuple[str, bool, str], str | Exception] = {}
        self.over_limit: dict[tuple[str, bool], Exception] = {}
        self.out_of_budget = False

    def each(self, part: MessagePart) -> list[tuple[str, str, str | Exception]]:
        """(channel, severity, rendered text or the error), rendered once per part."""
        if part not in self.done:
            self.done[part] = list(self._render(part))
        return self.done[part]

    def _render(self, part: MessagePart) -> Iterator[tuple[str, str, str | Exception]]:
        from incplan.templates.cache import CompiledTemplate
        from incplan.templates.context import build_context

        plan = self.ctx.valid
        compiled = _syntax_ok(self.ctx, part)
        if compiled is None or _unknown_names(self.ctx, compiled):
            return
        # Severities change the output only through `severity` and `next_update`.
        per_severity = "severity" in compiled.names or "next_update" in compiled.names
        for channel in self.ctx.receivers(part.stage, part.key):
            html = plan.channels[channel].format == "html" and part.part == "body"
            template = self.ctx.compiled(part.source, html)
            if not isinstance(template, CompiledTemplate):
                continue  # the same text compiled without autoescape, so it does not happen
            severities = self.ctx.severities_for(channel)
            for severity in severities if per_severity else severities[:1]:
                context = build_context(
                    plan,
                    stage=part.stage,
                    channel=channel,
                    severity=severity,
                    variables=self.variables.get(part.locale) or self.variables[plan.default_locale],
                    incident=self.incidents.get(part.locale) or self.incidents[plan.default_locale],
                    now=self.ctx.now,
                    base=self.bases.get(part.locale),
                    locale=part.locale if part.locale in self.bases else None,
                )
                result = self._one(part.source, html, template, context)
                if result is None:
                    return  # the plan's budget is spent
                yield channel, severity, result

    def _one(self, source: str, html: bool, template: CompiledTemplate, context: Context) -> str | Exception | None:
        import time

        from incplan.templates.render import LimitError, RenderError, render

        if (failed := self.over_limit.get((source, html))) is not None:
            return failed
        key = (source, html, repr([(name, context.get(name)) for name in sorted(template.names)]))
        if key in self.results:
            return self.results[key]
        if self.ctx.deadline is not None and time.monotonic() > self.ctx.deadline:
            self.out_of_budget = True
            return None
        result: str | Exception
        try:
            result = render(template, context)
        except LimitError as exc:
            self.over_limit[(source, html)] = result = exc
        except RenderError as exc:
            result = exc
        self.results[key] = result
        return result


def _renders(ctx: LintContext) -> Renders:
    """Every message part rendered once, all under one set of render limits."""
    from incplan.templates import guards

    if ctx.shared.renders is None:
        fresh = ctx.shared.renders = Renders(ctx)
        with guards.session():
            for part in ctx.message_parts:
                fresh.each(part)
    return ctx.shared.renders


@rule("E303", "template-render-error", E)
def template_render_error(ctx: LintContext) -> Iterator[Diagnostic]:
    """A template that fails to render with the declared examples, for some severity routed to it."""
    plan = ctx.valid
    for part in ctx.message_parts:
        for channel, severity, result in _renders(ctx).each(part):
            if not isinstance(result, Exception):
                continue
            text = str(result)
            hint = "give every variable the template uses an `example:` (or a `default:`)"
            if "would build" in text or "too large" in text or "CPU" in text or "memory" in text:
                hint = "a message is a few sentences; remove the loop or repetition that makes it huge or slow"
            elif "sandbox" in text:
                hint = "templates may use plan values and variables only, not Python internals"
            elif "longer than" in text:
                hint = "a message is a few sentences; remove the loop or repetition that makes it huge"
            elif "'next_update' is undefined" in text:
                final = plan.stages[part.stage].final if part.stage in plan.stages else False
                hint = (
                    f"`next_update` is undefined at final stage `{part.stage}`; remove it"
                    if final
                    else f"severity `{severity}` has no `update_every` for stage `{part.stage}`"
                )
            yield template_render_error.at(
                f"fails to render for severity `{severity}` on channel `{channel}`: {text}", path=part.path, hint=hint
            )
            break
    renders = _renders(ctx)
    if renders.out_of_budget:
        budget = ctx.shared.budget if ctx.shared.budget is not None else PLAN_BUDGET
        yield template_render_error.at(
            f"stopped rendering this plan's messages after {budget:g} s; the rest were not checked",
            path=("templates",),
            hint="templates that take this long are too complex for a message; simplify them",
        )


@rule("W303", "message-too-long", W)
def message_too_long(ctx: LintContext) -> Iterator[Diagnostic]:
    """A message, rendered with the examples, longer than its channel allows (SMS segments, X's
    280); a post in several languages is measured as the one post they are joined into."""
    plan = ctx.valid
    for part in ctx.message_parts:
        worst: dict[str, Measure] = {}
        for channel, _severity, result in _renders(ctx).each(part):
            if isinstance(result, Exception):
                break
            if ctx.joined(channel) or not _posts_part(ctx, channel, part):
                continue
            m = _measure(plan.channels[channel], part.part, result)
            if m.over_limit and m.length > (worst[channel].length if channel in worst else 0):
                worst[channel] = m
        for channel, m in worst.items():
            yield _too_long(part.part, channel, m, part.path)
    yield from _joined_too_long(ctx)


def _measure(channel: Channel, part: str, text: str) -> Measure:
    from incplan.templates.limits import STATUS_PAGE_SUBJECT_LIMIT, measure

    if part == "subject":
        return Measure(len(text), STATUS_PAGE_SUBJECT_LIMIT if channel.type == "status_page" else None)
    return measure(channel.type, text, channel.max_length)


def _too_long(part: str, channel: str, m: Measure, path: tuple[PathPart, ...], languages: str = "") -> Diagnostic:
    detail = f" ({m.detail})" if m.detail else ""
    what = f"{part} of the post in {languages}" if languages else part
    return message_too_long.at(
        f"{what} renders to {m.length} characters{detail} for channel `{channel}`, over its limit of {m.max_length}",
        path=path,
        hint="shorten it"
        + (" or drop non-GSM characters (one `ł` makes an SMS UCS-2, 70 per segment)" if "UCS-2" in detail else ""),
    )


def _posts_part(ctx: LintContext, channel: str, part: MessagePart) -> bool:
    """Does the channel ever post this text? A channel with one language posts that language's
    text, or the default locale's when the message has no translation into it."""
    found = ctx.valid.channels[channel]
    if not found.locales:
        return True
    default = ctx.valid.default_locale
    spec = ctx.valid.templates[part.stage][part.key]
    return any(loc == part.locale or (part.locale == default and loc not in spec.translations) for loc in found.locales)


def _joined_too_long(ctx: LintContext) -> Iterator[Diagnostic]:
    """Channels posting several languages: the joined post, per severity, against the limit."""
    from incplan.templates.compose import SUBJECT_SEPARATOR

    plan = ctx.valid
    renders = _renders(ctx)
    default = plan.default_locale
    for stage, by_key in plan.templates.items():
        for key, spec in by_key.items():
            for channel in ctx.receivers(stage, key):
                if not ctx.joined(channel):
                    continue
                found = plan.channels[channel]
                languages = [loc for loc in found.posts_in(default) if loc == default or loc in spec.translations]
                for part_name, glue in (("body", found.separator), ("subject", SUBJECT_SEPARATOR)):
                    parts = {
                        p.locale: p
                        for p in ctx.message_parts
                        if (p.stage, p.key, p.part) == (stage, key, part_name) and p.locale in languages
                    }
                    if not parts:
                        continue
                    worst: Measure | None = None
                    for severity in ctx.severities_for(channel):
                        texts = []
                        for loc in languages:
                            part = parts.get(loc) or parts.get(default)
                            done = {(c, s): r for c, s, r in renders.each(part)} if part else {}
                            result = done.get((channel, severity)) or next(
                                (r for (c, _), r in done.items() if c == channel), None
                            )
                            if isinstance(result, str):
                                texts.append(result)
                        if len(texts) != len(languages):
                            continue  # a render failed: template-render-error says why
                        if part_name == "subject":
                            texts = list(dict.fromkeys(texts))
                        m = _measure(found, part_name, glue.join(texts))
                        if m.over_limit and (worst is None or m.length > worst.length):
                            worst = m
                    if worst is not None:
                        first = parts.get(default) or next(iter(parts.values()))
                        yield _too_long(part_name, channel, worst, first.path, " + ".join(languages))


@rule("W301", "missing-message", W)
def missing_message(ctx: LintContext) -> Iterator[Diagnostic]:
    """A stage with no message (and no `default`) for a channel some severity routes to."""
    plan = ctx.valid
    for stage in plan.stages:
        missing = [ch for ch in ctx.routed_channels if ch in plan.channels and plan.message_for(stage, ch) is None]
        if missing:
            where = ("templates", stage) if stage in plan.templates else ("stages", stage)
            names = ", ".join(f"`{m}`" for m in missing)
            yield missing_message.at(
                f"stage `{stage}` has no message for {names}",
                path=where,
                anchor=Anchor.KEY,
                hint=f"add `templates.{stage}.<channel>` or a `default` message",
            )


@rule("W302", "missing-translation", W)
def missing_translation(ctx: LintContext) -> Iterator[Diagnostic]:
    """A message without a translation into a locale its channels post in (a channel without
    `locales` may be asked for any of the plan's locales)."""
    plan = ctx.valid
    if len(plan.organization.locales) < 2:
        return
    for stage, by_key in plan.templates.items():
        for key, spec in by_key.items():
            receivers = ctx.receivers(stage, key)
            wanted = dict.fromkeys(loc for ch in receivers for loc in ctx.posts_in(ch))
            missing = [loc for loc in plan.organization.locales[1:] if loc in wanted and loc not in spec.translations]
            if missing:
                yield missing_translation.at(
                    f"message has no translation into {', '.join(f'`{m}`' for m in missing)}",
                    path=("templates", stage, key),
                    anchor=Anchor.KEY,
                    hint=f"add `translations: {{{missing[0]}: {{body: ...}}}}`",
                )


@rule("W304", "missing-data-statement", W)
def missing_data_statement(ctx: LintContext) -> Iterator[Diagnostic]:
    """A resolved-stage customer message that says nothing about data (lost, exposed, or safe)."""
    plan = ctx.valid
    # The stage that resolves the incident is the first final one (a post-incident review
    # stage may follow it).
    resolving = next((sid for sid, st in plan.stages.items() if st.final), None)
    for part in ctx.message_parts:
        if part.stage != resolving or part.part != "body":
            continue
        if not any(plan.channels[ch].is_customer for ch in ctx.receivers(part.stage, part.key)):
            continue
        words = DATA_WORDS.get(part.locale.split("-")[0])
        if words and not re.search(words, part.source, re.IGNORECASE) and not _DATA_VARIABLE.search(part.source):
            yield missing_data_statement.at(
                "resolved message to customers says nothing about their data",
                path=part.path,
                hint='say whether data was lost or exposed, e.g. "No customer data was lost."',
            )


@rule("W305", "missing-next-update", W)
def missing_next_update(ctx: LintContext) -> Iterator[Diagnostic]:
    """A customer message before the final stage that never says when the next update comes."""
    plan = ctx.valid
    for stage_id, by_key in plan.templates.items():
        stage = plan.stages.get(stage_id)
        if stage is None or stage.final:
            continue
        for key in by_key:
            receivers = ctx.receivers(stage_id, key)
            if not any(plan.channels[ch].is_customer for ch in receivers):
                continue
            for locale in plan.organization.locales:
                texts = [p for p in ctx.message_parts if (p.stage, p.key, p.locale) == (stage_id, key, locale)]
                if not texts:
                    continue
                compiled = [c for p in texts if (c := _syntax_ok(ctx, p)) is not None]
                if len(compiled) < len(texts):
                    continue
                if not any("next_update" in c.names for c in compiled):
                    body = next(p for p in texts if p.part == "body")
                    yield missing_next_update.at(
                        f"message to customers ({locale}) never says when the next update comes",
                        path=body.path,
                        hint="add `Next update by {{ next_update }}.`",
                    )


@rule("W306", "value-in-another-locale", W)
def value_in_another_locale(ctx: LintContext) -> Iterator[Diagnostic]:
    """A message in one locale that uses a variable whose example or default is given only for
    other locales: that message would read another language's words."""
    plan = ctx.valid
    if len(plan.organization.locales) < 2:
        return
    seen: set[tuple[str, str, str]] = set()
    for part in [*ctx.message_parts, *ctx.maintenance_parts, *ctx.reminder_parts]:
        compiled = _syntax_ok(ctx, part)
        if compiled is None:
            continue
        for name in compiled.names:
            var = plan.variables.get(name)
            if var is None:
                continue
            for field in ("example", "default"):
                given = getattr(var, field)
                if not isinstance(given, dict) or part.locale in given or (name, field, part.locale) in seen:
                    continue
                seen.add((name, field, part.locale))
                languages = ", ".join(f"`{loc}`" for loc in given)
                yield value_in_another_locale.at(
                    f"the `{part.locale}` {_message_name(part)} uses `{name}`, "
                    f"whose {field} is given only in {languages}",
                    path=("variables", name, field),
                    hint=f"add `{part.locale}: ...` to `variables.{name}.{field}`",
                )


def _message_name(part: MessagePart) -> str:
    if part.path[0] == "reminder":
        return "reminder"
    where = "maintenance " if part.path[0] == "maintenance" else ""
    target = "every other channel" if part.key == "default" else f"`{part.key}`"
    return f"{where}`{part.stage}` message for {target}"


RULES = (
    template_syntax,
    template_undefined_name,
    template_render_error,
    message_too_long,
    missing_message,
    missing_translation,
    missing_data_statement,
    missing_next_update,
    value_in_another_locale,
)
