"""`incplan export`: the whole plan as one readable document (the team's wiki page)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from incplan.plan.models import Plan


def language_of_text(obj: object, field: str, locale: str, default_locale: str) -> str:
    """The language a plan text is shown in when the page is in `locale`: `locale` where the
    object translates that field (or `locale` is the plan's first), else the plan's first, whose
    text stands in for it (SPEC 2: names fall back to the default locale)."""
    if locale == default_locale:
        return locale
    translations: dict[str, object] = getattr(obj, "translations", {})
    found = translations.get(locale)
    return locale if found is not None and getattr(found, field, None) is not None else default_locale


def _lang_attribute(locale: str, default_locale: str) -> Callable[..., str]:
    """` lang="pl"` for a text in another language than the page's (HTML marks it, SPEC 2)."""
    from markupsafe import Markup

    def attribute(obj: object, field: str = "name") -> str:
        found = language_of_text(obj, field, locale, default_locale)
        return Markup(f' lang="{found}"') if found != locale else Markup("")

    return attribute


def _marked(locale: str, default_locale: str) -> Callable[..., str]:
    """A plan text, escaped, in `<span lang="pl">` where it is in another language than the page's."""
    from markupsafe import Markup, escape

    def marked(obj: object, text: str, field: str = "name") -> str:
        found = language_of_text(obj, field, locale, default_locale)
        return Markup(f'<span lang="{found}">{escape(text)}</span>') if found != locale else escape(text)

    return marked


def document(plan: Plan, locale: str | None = None) -> dict[str, object]:
    """Plain data in the order of the plan template: definition, severities, roles, channels,
    stages with their messages, values."""
    from incplan.playbook import languages_text, owner_text, person_line, playbook
    from incplan.wording import choice, words

    language = locale or plan.default_locale
    w = words(language)
    severities = [playbook(plan, sev_id, w=w) for sev_id in plan.severities]
    roles = [
        {
            "id": role_id,
            "name": role.name,
            "people": [person_line(plan, h) for h in role.people],
            "responsibilities": role.responsibilities,
        }
        for role_id, role in plan.roles.items()
    ]
    channels = [
        {
            "id": ch_id,
            "name": ch.name,
            "type": choice(ch.type, "type", w),
            "audience": choice(ch.audience, "audience", w),
            "owner": owner_text(plan, ch.owner, w),
            "purpose": ch.purpose,
            "access": ch.access or "",
            "delivery": ch.delivery.kind if ch.delivery else w["plan.by_hand"],
            "languages": languages_text(plan, ch, w),
        }
        for ch_id, ch in plan.channels.items()
    ]
    stages = []
    for stage_id, stage in plan.stages.items():
        messages = []
        for key, spec in plan.templates.get(stage_id, {}).items():
            name = (
                w["plan.other_channels"]
                if key == "default"
                else plan.channels[key].name
                if key in plan.channels
                else key
            )
            texts = [(plan.default_locale, spec.subject, spec.body)]
            texts += [(loc, tr.subject, tr.body) for loc, tr in spec.translations.items()]
            messages.append({"key": key, "channel": name, "texts": texts})
        stages.append(
            {
                "id": stage_id,
                "name": stage.name,
                "description": stage.description,
                "final": stage.final,
                "messages": messages,
            }
        )
    examples = {
        name: variable.example_in(language, plan.default_locale) or variable.default_in(language, plan.default_locale)
        for name, variable in plan.variables.items()
    }
    example_langs = {}  # a plain example is the plan's first language's; a mapping may lack this one
    for name, variable in plan.variables.items():
        given = variable.example if variable.example is not None else variable.default
        here = isinstance(given, dict) and language in given
        example_langs[name] = language if here or language == plan.default_locale else plan.default_locale
    return {
        "w": w,
        "locale": language,
        "multilingual": len(plan.organization.locales) > 1,
        "org": plan.organization,
        "owner": person_line(plan, plan.owner).name if plan.owner else "",
        "reviewed": plan.reviewed.isoformat() if plan.reviewed else "",
        "definition": plan.definition,
        "severities": severities,
        "roles": roles,
        "channels": channels,
        "stages": stages,
        "variables": plan.variables,
        "examples": examples,  # each variable's example (else default) in the document's language
        "example_langs": example_langs,
        "plan": plan,  # its objects, for the language of each text (`lang`)
        "cadence_stages": {  # the stages each severity's cadence names, in the order of `cadence`
            sev_id: [
                stage
                for stage_id, stage in plan.stages.items()
                if not stage.final and sev.cadence(stage_id) is not None
            ]
            for sev_id, sev in plan.severities.items()
        },
        "lang": _lang_attribute(language, plan.default_locale),
        "marked": _marked(language, plan.default_locale),
        "values": plan.values,
    }


def markdown(plan: Plan, locale: str | None = None) -> str:
    """The plan as one Markdown page. Plan text is data: raw HTML in it (`<script>`,
    `<img onerror=...>`) is escaped, or it would reach the wiki page."""
    from incplan import __version__, documents

    return documents.render("incplan.export", "plan.md.j2", "markdown", doc=document(plan, locale), version=__version__)


def html(plan: Plan, locale: str | None = None) -> str:
    """The plan as one self-contained HTML page (plan text escaped)."""
    from incplan import __version__, documents

    return documents.render("incplan.export", "plan.html.j2", "html", doc=document(plan, locale), version=__version__)


EXPORT_BY_NAME = {"markdown": markdown, "html": html}
