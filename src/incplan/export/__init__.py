"""`incplan export`: the whole plan as one readable document (the team's wiki page)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from incplan.plan.models import Plan


def document(plan: Plan, locale: str | None = None) -> dict[str, object]:
    """Plain data in the order of the plan template: definition, severities, roles, channels,
    stages with their messages, values."""
    from incplan.playbook import languages_text, owner_text, person_line, playbook

    severities = [playbook(plan, sev_id) for sev_id in plan.severities]
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
            "type": ch.type,
            "audience": ch.audience,
            "owner": owner_text(plan, ch.owner),
            "purpose": ch.purpose,
            "access": ch.access or "",
            "delivery": ch.delivery.kind if ch.delivery else "post by hand",
            "languages": languages_text(plan, ch),
        }
        for ch_id, ch in plan.channels.items()
    ]
    stages = []
    for stage_id, stage in plan.stages.items():
        messages = []
        for key, spec in plan.templates.get(stage_id, {}).items():
            name = (
                "Every other channel" if key == "default" else plan.channels[key].name if key in plan.channels else key
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
    return {
        "locale": locale or plan.default_locale,
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
