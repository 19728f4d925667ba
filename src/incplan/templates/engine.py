"""The one template core: sandboxed Jinja2, the render context of SPEC §3, capped output.

Templates come from plans, and a pull request can change a plan: they are rendered only in
`ImmutableSandboxedEnvironment` with `StrictUndefined`. Templates only ever see plain dicts,
lists and strings, and user values are inserted as values, never compiled as templates.
"""

from __future__ import annotations

import hashlib
import marshal
import sys
import types
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import StrictUndefined, meta, nodes, pass_context
from jinja2.compiler import CodeGenerator
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from incplan import __version__, cachedir, localize
from incplan.plan.models import RESERVED_NAMES
from incplan.templates import guards

if TYPE_CHECKING:
    from incplan.plan.models import Plan

MAX_OUTPUT = 100_000  # characters one message may render to
CONTEXT_NAMES = RESERVED_NAMES  # what every render context may hold


class RenderError(Exception):
    """A template failed at render time (undefined value, sandbox refusal, output cap...)."""


class LimitError(RenderError):
    """A render ran over SPEC §3's CPU or memory limit: rendering it again would too."""


class _Generator(CodeGenerator):
    """`a ~ b` goes through the sandbox too (see `guards.concat`)."""

    def visit_Concat(self, node: nodes.Concat, frame: Any) -> None:
        if frame.eval_ctx.volatile:
            join = "(markup_join if context.eval_ctx.volatile else str_join)"
        elif frame.eval_ctx.autoescape:
            join = "markup_join"
        else:
            join = "str_join"
        self.write("environment.guarded_concat((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write(f"), {join})")


class Sandbox(ImmutableSandboxedEnvironment):
    """Also bounds everything that can build large text, lists or numbers (`guards`)."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    code_generator_class = _Generator

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.filters = {name: guards.guard_filter(name, f) for name, f in self.filters.items()}
        self.globals["lipsum"] = guards.guard_lipsum(self.globals["lipsum"])  # type: ignore[arg-type]

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        return guards.binop(operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        # The sandbox's own `call` still decides what is callable (and, in older Jinja2,
        # sandboxes `str.format`); the guards measure around it.
        def invoke(obj: Any, *a: Any, **kw: Any) -> Any:
            return super(Sandbox, __self).call(__context, obj, *a, **kw)

        return guards.call(__obj, args, kwargs, invoke)

    @staticmethod
    def guarded_concat(parts: tuple[Any, ...], join: Any) -> str:
        return guards.concat(parts, join)


_ENVIRONMENTS: dict[bool, Sandbox] = {}
LOCALE_KEY = "_incplan_locale"  # the message's locale, for the time filters; not a template name
TIME_FORMAT_KEY = "_incplan_time_format"  # organization.time_format


def environment(autoescape: bool = False) -> Sandbox:
    env = _ENVIRONMENTS.get(autoescape)
    if env is None:
        env = Sandbox(
            undefined=StrictUndefined,
            autoescape=autoescape,
            keep_trailing_newline=False,
            auto_reload=False,
        )
        env.filters.update(datetime=_datetime_filter, date=_date_filter, time=_time_filter, duration=_duration_filter)
        _ENVIRONMENTS[autoescape] = env
    return env


# ---------------------------------------------------------------- time filters (Babel, CLDR)


def _moment(context: Any, value: Any) -> tuple[datetime, str, str]:
    """(moment, timezone, locale) of a context time, an ISO 8601 text, or a datetime."""
    from incplan.localize import LocalTime

    org = context.get("org")
    timezone = org.get("timezone", "UTC") if isinstance(org, dict) else "UTC"
    locale = context.get(LOCALE_KEY) or "en"
    if isinstance(value, LocalTime):
        return value._moment, value._timezone, locale
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"`{value[:40]}` is not a time (ISO 8601, like 2026-11-27T10:17+01:00)") from None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            from zoneinfo import ZoneInfo

            value = value.replace(tzinfo=ZoneInfo(timezone))
        return value, timezone, locale
    raise ValueError(f"expected a time like `now`, not {type(value).__name__}")


def _time_format(context: Any, fmt: str | None) -> str:
    if fmt is not None:
        from incplan.localize import check_time_format

        problem = check_time_format(str(fmt))
        if problem:
            raise ValueError(problem)
        return str(fmt)
    return str(context.get(TIME_FORMAT_KEY) or "medium")


@pass_context
def _datetime_filter(context: Any, value: Any, fmt: str | None = None) -> str:
    """`{{ now | datetime('long') }}`: date and time in the message's language."""
    from incplan.localize import format_datetime

    moment, timezone, locale = _moment(context, value)
    return format_datetime(moment, timezone, locale, _time_format(context, fmt))


@pass_context
def _date_filter(context: Any, value: Any, fmt: str = "medium") -> str:
    """`{{ incident.started_at | date }}`: en `Nov 27, 2026`, pl `27 lis 2026`."""
    from incplan.localize import format_date

    moment, timezone, locale = _moment(context, value)
    return format_date(moment, timezone, locale, _time_format(context, fmt))


@pass_context
def _time_filter(context: Any, value: Any, fmt: str = "medium") -> str:
    """`{{ next_update | time }}`: `10:17 CET`."""
    from incplan.localize import format_clock

    moment, timezone, locale = _moment(context, value)
    return format_clock(moment, timezone, locale, _time_format(context, fmt))


@pass_context
def _duration_filter(context: Any, value: Any) -> str:
    """`{{ incident.duration | duration }}`, `{{ "1h30m" | duration }}`: pl `1 godzina 30 minut`."""
    from incplan.localize import as_span, format_duration

    return format_duration(as_span(value), context.get(LOCALE_KEY) or "en")


@dataclass(frozen=True, slots=True)
class CompiledTemplate:
    source: str
    names: dict[str, int]  # names the template reads from its context -> first line using it
    template: Any  # jinja2.Template


_CACHE_FORMAT = 3  # bump when the cached payload changes shape
_MEMO: dict[tuple[str, bool], CompiledTemplate] = {}


def _cache_dir() -> Path | None:
    root = cachedir.cache_root()
    return root / "templates" if root is not None else None


def _cache_key(source: str, autoescape: bool) -> str:
    import jinja2

    salt = f"{_CACHE_FORMAT}|{__version__}|{jinja2.__version__}|{sys.version_info[:2]}|{autoescape}|"
    return hashlib.sha256((salt + source).encode("utf-8", "surrogatepass")).hexdigest()


def _load_cached(folder: Path, key: str) -> tuple[tuple[tuple[str, int], ...], types.CodeType] | None:
    """A cached entry, or None for anything missing, foreign, damaged or not ours. Entries are
    code: only the user's own private folder is trusted (`cachedir`)."""
    payload = cachedir.read_entry(folder, key)
    if payload is None:
        return None
    try:
        stored_key, names, code = marshal.loads(payload)
        if stored_key != key or not isinstance(code, types.CodeType):
            return None
        return tuple((str(n), int(line)) for n, line in names), code
    except Exception:  # damaged or foreign: compile again
        return None


def compile_template(source: str, *, autoescape: bool = False) -> CompiledTemplate:
    """Parse and compile once per source text; raises `TemplateSyntaxError`.

    Compiling costs ~3 ms, loading the cached code ~0.1 ms, so compiled code and the names a
    template reads are kept by content hash in memory and in a cache folder on disk. The disk
    cache is used only in a folder this user owns and nobody else can write (SPEC §9).
    """
    from jinja2 import TemplateSyntaxError

    memo_key = (source, autoescape)
    if (hit := _MEMO.get(memo_key)) is not None:
        return hit
    env = environment(autoescape)
    folder = _cache_dir()
    key = _cache_key(source, autoescape)
    cached = _load_cached(folder, key) if folder is not None else None
    try:
        if cached is not None:
            names, code = cached
        else:
            ast = env.parse(source)
            names = _name_lines(ast, meta.find_undeclared_variables(ast))
            code = env.compile(ast)
            if folder is not None:
                cachedir.write_entry(folder, key, marshal.dumps((key, names, code)))
        template = env.template_class.from_code(env, code, env.make_globals(None))
    except TemplateSyntaxError:
        raise
    except (RecursionError, MemoryError, SyntaxError):
        # Deeply nested expressions (`((((...))))`) exhaust Jinja's recursive parser or
        # Python's own compiler.
        raise TemplateSyntaxError("template nested too deeply", 1) from None
    compiled = CompiledTemplate(source, dict(names or ()), template)
    _MEMO[memo_key] = compiled
    return compiled


def _name_lines(ast: nodes.Template, names: set[str]) -> tuple[tuple[str, int], ...]:
    lines: dict[str, int] = {}
    for node in ast.find_all(nodes.Name):
        if node.name in names and node.ctx == "load":
            lines[node.name] = min(lines.get(node.name, node.lineno), node.lineno)
    return tuple(sorted(lines.items()))


def render(compiled: CompiledTemplate, context: dict[str, Any]) -> str:
    """Render within SPEC §3's limits (1 s of CPU, 256 MB, capped output); every failure
    becomes a `RenderError` (a `LimitError` for the CPU and memory limits)."""
    parts: list[str] = []
    size = 0
    try:
        with guards.limits():
            for chunk in compiled.template.generate(context):
                size += len(chunk)
                if size > MAX_OUTPUT:
                    raise RenderError(f"output is longer than {MAX_OUTPUT:,} characters")
                parts.append(chunk)
    except RenderError:
        raise
    except guards.LimitExceeded:
        raise LimitError(f"rendering used more than {guards.MAX_CPU_SECONDS:g} s of CPU time") from None
    except MemoryError:
        raise LimitError(f"rendering needed more than {guards.MAX_MEMORY // 2**20} MB of memory") from None
    except RecursionError:
        raise RenderError("template recursion too deep") from None
    except Exception as exc:  # a template may fail in many ways; all are the plan's problem
        raise RenderError(_describe(exc)) from None
    return "".join(parts).strip()


def _describe(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, SecurityError):
        return f"refused by the sandbox: {text}"
    return text


# ---------------------------------------------------------------- render context


format_time = localize.format_time  # its home is `localize` (no Jinja2 there: `status` shows times)


@dataclass(frozen=True, slots=True)
class IncidentInfo:
    id: str
    title: str
    started_at: datetime
    scheduled_for: datetime | None = None  # a maintenance's window
    scheduled_until: datetime | None = None


def plan_context(plan: Plan, locale: str | None = None) -> dict[str, Any]:
    """The part of the context that depends on the plan and locale alone (build it once per pair)."""
    locale = locale or plan.default_locale
    plan = plan.in_locale(locale)
    org = plan.organization
    people = {
        handle: {"handle": f"@{handle}", "name": p.name, "email": p.email or "", "chat": p.chat or ""}
        for handle, p in plan.people.items()
    }
    roles = {
        role_id: {
            "name": role.name,
            "people": [people.get(h.removeprefix("@"), {"handle": h, "name": h}) for h in role.people],
        }
        for role_id, role in plan.roles.items()
    }
    return {
        "org": {
            "name": org.name,
            "product": org.product or org.name,
            "status_page_url": org.status_page_url or "",
            "support_url": org.support_url or "",
            "timezone": org.timezone,
        },
        "roles": roles,
        "people": people,
        LOCALE_KEY: locale,
        TIME_FORMAT_KEY: org.time_format,
    }


def build_context(
    plan: Plan,
    *,
    stage: str,
    channel: str | None,
    severity: str | None,
    variables: dict[str, str],
    incident: IncidentInfo,
    now: datetime,
    base: dict[str, Any] | None = None,
    assigned: dict[str, list[str]] | None = None,
    components: dict[str, str] | None = None,
    update_text: str = "",
    locale: str | None = None,
) -> dict[str, Any]:
    """Plain data only: templates never see model objects (nothing to walk out of).

    `assigned`: the record's role holders (latest first), put before the plan's people;
    `components`: the record's component id -> status; `update_text`: `notify --update`.
    Names (`severity.name`, `stage.name`, component names...) are the ones of `locale`, times and
    durations are in its words; `base` must be `plan_context(plan, locale)` when given."""
    from incplan.localize import LocalDuration, LocalTime

    locale = locale or plan.default_locale
    plan = plan.in_locale(locale)
    tz, fmt = plan.organization.timezone, plan.organization.time_format
    context = dict(base if base is not None else plan_context(plan, locale))
    if assigned:
        context["roles"] = _assigned_roles(context["roles"], context["people"], assigned)
    context["update"] = {"text": update_text}
    context["components"] = [
        {
            "id": cid,
            "name": plan.components[cid].name if cid in plan.components else cid,
            "group": (plan.components[cid].group or "") if cid in plan.components else "",
            "status": status,
        }
        for cid, status in (components or {}).items()
    ]
    context["incident"] = {
        "id": incident.id,
        "title": incident.title,
        "started_at": LocalTime(incident.started_at, tz, locale, fmt),
        "duration": LocalDuration(now - incident.started_at, locale),
    }
    if incident.scheduled_for is not None:  # `{{ incident.scheduled_for }}` in maintenance messages
        context["incident"]["scheduled_for"] = LocalTime(incident.scheduled_for, tz, locale, fmt)
        if incident.scheduled_until is not None:
            context["incident"]["scheduled_until"] = LocalTime(incident.scheduled_until, tz, locale, fmt)
    context["now"] = LocalTime(now, tz, locale, fmt)
    stage_model = plan.stages.get(stage)
    context["stage"] = {"id": stage, "name": stage_model.name if stage_model else stage}
    if channel is not None and channel in plan.channels:
        ch = plan.channels[channel]
        context["channel"] = {"id": channel, "name": ch.name, "audience": ch.audience}
    if severity is not None and severity in plan.severities:
        sev = plan.severities[severity]
        context["severity"] = {"id": severity, "name": sev.name, "impact": sev.impact}
        cadence = sev.cadence(stage)
        if cadence is not None:
            context["severity"]["update_every"] = LocalDuration(cadence, locale)
        if sev.first_update_within is not None:
            context["severity"]["first_update_within"] = LocalDuration(sev.first_update_within, locale)
        if cadence is not None and not (stage_model and stage_model.final):
            context["next_update"] = LocalTime(now + cadence, tz, locale, fmt)
    for name, value in variables.items():
        if name not in CONTEXT_NAMES:
            context[name] = value
    return context


def _assigned_roles(roles: dict[str, Any], people: dict[str, Any], assigned: dict[str, list[str]]) -> dict[str, Any]:
    """Each role's people with the ones assigned in the record first (SPEC §3)."""
    out = dict(roles)
    for role_id, handles in assigned.items():
        if role_id not in out:
            continue
        first = [people.get(h.removeprefix("@"), {"handle": h, "name": h}) for h in handles]
        named = {p["handle"] for p in first}
        rest = [p for p in out[role_id]["people"] if p["handle"] not in named]
        out[role_id] = {**out[role_id], "people": first + rest}
    return out


def example_variables(plan: Plan, locale: str | None = None) -> dict[str, str]:
    """Each variable's example (else default) in `locale`, else in the default locale."""
    locale = locale or plan.default_locale
    values = {}
    for name, var in plan.variables.items():
        value = var.example_in(locale, plan.default_locale)
        if value is None:
            value = var.default_in(locale, plan.default_locale)
        if value is not None:
            values[name] = value
    return values


# The sample title of `--example`, `preview` and `check`, in the message's language (English
# for a language without its own), so that a Polish example message reads Polish words only.
EXAMPLE_TITLES = {"en": "Elevated error rates", "pl": "Podwyższony odsetek błędów"}


def example_title(locale: str) -> str:
    return EXAMPLE_TITLES.get(locale.split("-")[0], EXAMPLE_TITLES["en"])


def example_incident(now: datetime, locale: str = "en") -> IncidentInfo:
    return IncidentInfo(
        id=f"{now:%Y-%m-%d}-example", title=example_title(locale), started_at=now - timedelta(minutes=5)
    )


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
