"""`incplan init`: a complete, commented plan from built-in content (package data per locale)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import TypeAlias

from incplan.diagnostics import UsageError

BUILT_IN_LOCALES = ("en", "pl")
STAGES = ("investigating", "identified", "monitoring", "resolved", "postmortem")
FINAL = ("resolved", "postmortem")
OPTIONAL = ("workaround",)  # "leave empty when nothing": required: false, default ""
CRITERIA = (("data_exposed", "sev1"), ("full_outage", "sev1"), ("core_degraded", "sev2"), ("minor_degraded", "sev3"))
ALL_ROLES = ["incident_commander", "communications_lead", "tech_lead", "scribe", "support_liaison"]
SEVERITIES = (
    (
        "sev1",
        {
            "impact": "critical",
            "first": "10m",
            "cadence": "{investigating: 15m, identified: 30m, monitoring: 30m}",
            "roles": ALL_ROLES,
            "channels": ["status_page", "email", "chat_internal", "social", "help_center"],
        },
    ),
    (
        "sev2",
        {
            "impact": "major",
            "first": "20m",
            "cadence": "{investigating: 30m, identified: 60m, monitoring: 60m}",
            "roles": ["incident_commander", "communications_lead", "tech_lead", "support_liaison"],
            "channels": ["status_page", "chat_internal", "help_center"],
        },
    ),
    (
        "sev3",
        {
            "impact": "minor",
            "first": "60m",
            "cadence": "2h",
            "roles": ["incident_commander", "tech_lead"],
            "channels": ["status_page", "chat_internal"],
        },
    ),
)
ROLES = (
    ("incident_commander", ["@alice", "@bob"]),
    ("communications_lead", ["@carol", "@dan"]),
    ("tech_lead", ["@bob", "@alice"]),
    ("scribe", ["@dan", "@carol"]),
    ("support_liaison", ["@carol", "@dan"]),
)
# `every_locale`: in a plan of several languages the channel posts in all of them (joined into
# one post); the others post in the first: the team's chat, and social media, whose 280
# characters hold one language.
CHANNELS = (
    (
        "status_page",
        {"type": "status_page", "audience": "customers", "owner": "communications_lead", "every_locale": True},
    ),
    ("email", {"type": "email", "audience": "customers", "owner": "communications_lead", "every_locale": True}),
    ("chat_internal", {"type": "chat", "audience": "internal", "owner": "incident_commander", "every_locale": False}),
    ("social", {"type": "social", "audience": "customers", "owner": "communications_lead", "every_locale": False}),
    ("help_center", {"type": "help_center", "audience": "customers", "owner": "support_liaison", "every_locale": True}),
)


@dataclass(frozen=True)
class InitOptions:
    org: str = "Acme"  # placeholders are no word of any language: they show in every locale's messages
    product: str | None = None
    status_page: str | None = None
    timezone: str = "UTC"
    locales: tuple[str, ...] = ("en",)


# The built-in content (`content/<locale>.yaml`): mappings, lists and text, nothing else.
Content: TypeAlias = "dict[str, Content] | list[Content] | str"
ContentPath = tuple[str | int, ...]  # a place in the content: keys and list positions


def _content(locale: str) -> dict[str, Content]:
    from ruamel.yaml import YAML

    text = resources.files("incplan.scaffold").joinpath(f"content/{locale}.yaml").read_text(encoding="utf-8")
    return _mapping(YAML(typ="safe").load(text))


def _mapping(value: object) -> dict[str, Content]:
    if not isinstance(value, dict):
        raise TypeError(f"built-in content: expected a mapping, not {type(value).__name__}")
    return value


def _text(value: Content) -> str:
    if not isinstance(value, str):
        raise TypeError(f"built-in content: expected text, not {type(value).__name__}")
    return value


def _lookup(data: Content, path: ContentPath) -> Content:
    for part in path:
        if isinstance(data, dict) and isinstance(part, str):
            data = data[part]
            continue
        if not (isinstance(data, list) and isinstance(part, int)):
            raise KeyError(part)
        data = data[part]
    return data


def _message(value: Content) -> tuple[str | None, str]:
    """(subject, body) of a built-in message: text, or `{subject, body}`."""
    if isinstance(value, str):
        return None, value
    spec = _mapping(value)
    return (_text(spec["subject"]) if "subject" in spec else None), _text(spec["body"])


def _quote(value: object) -> str:
    # A JSON string is a valid YAML double-quoted scalar.
    return json.dumps(str(value), ensure_ascii=False)


def _block(text: str, indent: int) -> str:
    chomp = "|" if text.endswith("\n") else "|-"
    pad = " " * indent
    lines = [(pad + line) if line else "" for line in text.rstrip("\n").split("\n")]
    return chomp + "\n" + "\n".join(lines)


def _scalar(text: str, indent: int) -> str:
    return _block(text, indent) if "\n" in text.rstrip("\n") else _quote(text.rstrip("\n"))


def _comment(text: object) -> str:
    return "\n".join(f"# {line}".rstrip() for line in str(text).split("\n"))


def _quote_list(items: list[str]) -> str:
    return "[" + ", ".join(_quote(i) for i in items) + "]"


_FILTERS = (("q", _quote), ("comment", _comment), ("qlist", _quote_list))


def render_plan(options: InitOptions, today: date) -> str:
    locales = list(dict.fromkeys(options.locales))
    for locale in locales:
        if locale not in BUILT_IN_LOCALES:
            raise UsageError(
                f"no built-in content for locale `{locale}`",
                hint=f"built in: {', '.join(BUILT_IN_LOCALES)}; add other languages as `translations` afterwards",
            )
    _check_timezone(options.timezone)
    default, others = locales[0], locales[1:]
    content = _content(default)
    others_content = {loc: _content(loc) for loc in others}

    def message_lines(key: str, message: Content, extra: list[tuple[str, Content]], indent: int) -> str:
        pad = " " * indent
        subject, body = _message(message)
        if subject is None and not extra:
            return f"{pad}{key}: {_scalar(body, indent + 2)}"
        lines = [f"{pad}{key}:"]
        if subject is not None:
            lines.append(f"{pad}  subject: {_quote(subject)}")
        lines.append(f"{pad}  body: {_scalar(body, indent + 4)}")
        if extra:
            lines.append(f"{pad}  translations:")
            for loc, translated in extra:
                tr_subject, tr_body = _message(translated)
                lines.append(f"{pad}    {loc}:")
                if tr_subject is not None:
                    lines.append(f"{pad}      subject: {_quote(tr_subject)}")
                lines.append(f"{pad}      body: {_scalar(tr_body, indent + 8)}")
        return "\n".join(lines)

    def message_yaml(stage: str, key: str, message: Content) -> str:
        extra = [(loc, _lookup(others_content[loc], ("messages", stage, key))) for loc in others]
        return message_lines(key, message, extra, 4)

    def maintenance_yaml() -> str:
        section = _mapping(content["maintenance"])
        lines = ["maintenance:", "  update_every: {in_progress: 1h, verifying: 30m}", "  stages:"]
        for stage_id, stage in _mapping(section["stages"]).items():
            final = ", final: true" if stage_id == "completed" else ""
            name, description = _lookup(stage, ("name",)), _lookup(stage, ("description",))
            if not others:
                lines.append(f"    {stage_id}: {{name: {_quote(name)}, description: {_quote(description)}{final}}}")
                continue
            lines += [f"    {stage_id}:", f"      name: {_quote(name)}", f"      description: {_quote(description)}"]
            if final:
                lines.append("      final: true")
            lines.append(tr(("maintenance", "stages", stage_id), ["name", "description"], 6))
        lines.append("  templates:")
        for stage_id, by_key in _mapping(section["messages"]).items():
            lines.append(f"    {stage_id}:")
            for key, message in _mapping(by_key).items():
                path: ContentPath = ("maintenance", "messages", stage_id, key)
                extra = [(loc, _lookup(others_content[loc], path)) for loc in others]
                lines.append(message_lines(key, message, extra, 6))
        return "\n".join(lines)

    def reminder_yaml() -> str:
        subject, body = _message(content["reminder"])
        lines = ["reminder:", f"  subject: {_quote(subject)}", f"  body: {_scalar(body, 4)}"]
        if others:
            lines.append("  translations:")
            for loc in others:
                tr_subject, tr_body = _message(others_content[loc]["reminder"])
                lines += [
                    f"    {loc}:",
                    f"      subject: {_quote(tr_subject)}",
                    f"      body: {_scalar(tr_body, 8)}",
                ]
        return "\n".join(lines)

    def flow(value: Content) -> str:
        return "[" + ", ".join(_quote(i) for i in value) + "]" if isinstance(value, list) else _quote(value)

    def tr(path: ContentPath, fields: list[str], indent: int) -> str:
        """`translations:` of one object into the other locales (empty when there are none)."""
        if not others:
            return ""
        pad = " " * indent
        lines = [f"{pad}translations:"]
        for loc in others:
            found = _lookup(others_content[loc], path)
            obj = {fields[0]: found} if isinstance(found, str) else _mapping(found)  # criteria are `id: question`
            pairs = ", ".join(f"{f}: {flow(obj[f])}" for f in fields if obj.get(f))
            lines.append(f"{pad}  {loc}: {{{pairs}}}")
        return "\n".join(lines)

    def per_locale(path: ContentPath) -> str:
        """A value as text, or a mapping of locale to text when the plan has several locales."""
        value = _lookup(content, path)
        if not others:
            return _quote(value)
        pairs = [f"{default}: {_quote(value)}"]
        pairs += [f"{loc}: {_quote(_lookup(others_content[loc], path))}" for loc in others]
        return "{" + ", ".join(pairs) + "}"

    # Our own trusted template; YAML-safe quoting is done by the filters, not by autoescape.
    from incplan import documents

    return documents.render(
        "incplan.scaffold",
        "plan.yaml.j2",
        "yaml",
        _FILTERS,
        c=content,
        org=options.org,
        product=options.product or options.org,
        status_page=options.status_page or "https://status.example.com",
        timezone=options.timezone,
        locales=locales,
        today=today.isoformat(),
        criteria=CRITERIA,
        severities=SEVERITIES,
        roles=ROLES,
        channels=CHANNELS,
        stages=STAGES,
        final=FINAL,
        optional=OPTIONAL,
        message_yaml=message_yaml,
        reminder_yaml=reminder_yaml,
        maintenance_yaml=maintenance_yaml,
        tr=tr,
        per_locale=per_locale,
    )


def _check_timezone(name: str) -> None:
    from incplan.plan.timezones import is_timezone

    if not is_timezone(name):
        raise UsageError(f"`{name}` is not an IANA timezone", hint="use a name like Europe/Warsaw or UTC")


def write_plan(path: Path, options: InitOptions, today: date, *, force: bool = False) -> Path:
    """Write the plan atomically; refuse to overwrite unless `force`. Returns the file written."""
    from incplan.atomic import output_path

    target = output_path(path / "incplan.yaml" if path.is_dir() else path)
    if target.exists() and not force:
        raise UsageError(f"`{target}` already exists", hint="pass --force to overwrite it, or give another PATH")
    text = render_plan(options, today)
    from incplan.atomic import atomic_write

    atomic_write(target, text)
    return target
