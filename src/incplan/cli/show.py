"""`incplan show`: the plan for people; `show <severity>` is that severity's playbook."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

import typer

from incplan.cli.output import console, format_option, handled, pick
from incplan.cli.reporting import write_json
from incplan.cli.tables import print_playbook, say, styled, titled_table

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from incplan.plan.models import Plan
    from incplan.wording import Words

SECTIONS = ["definition", "severities", "roles", "channels", "stages", "values"]


@dataclass(frozen=True)
class Shown:
    """What `show` prints: the plan (in the asked locale), or one section, or one playbook."""

    plan: Plan
    section: str | None
    plan_option: str | None
    locale: str  # the plan's words are in it already; incplan's come from `wording`


def report_text(shown: Shown, stream: IO[str]) -> None:
    from incplan.playbook import playbook
    from incplan.wording import words

    out = console(stream, soft_wrap=False)
    w = words(shown.locale)
    if shown.section is None:
        for name in SECTIONS:
            RENDERERS[name](shown.plan, out, w)
    elif shown.section in RENDERERS:
        RENDERERS[shown.section](shown.plan, out, w)
    else:
        print_playbook(playbook(shown.plan, shown.section, shown.plan_option, w), out, w)


def report_json(shown: Shown, stream: IO[str]) -> None:
    """The plan's data (or one section, or one severity's playbook) as JSON."""
    from incplan.playbook import playbook, playbook_json

    plan, section = shown.plan, shown.section
    data = plan.model_dump(mode="json", by_alias=True, exclude_defaults=False)
    if section is None:
        payload: object = data
    elif section in RENDERERS:
        payload = data[section]
    else:
        payload = playbook_json(playbook(plan, section, shown.plan_option))
    write_json(payload, stream)


REPORTER_BY_NAME = {"text": report_text, "json": report_json}


def show(
    section: str = typer.Argument(None, help=f"One of: {', '.join(SECTIONS)}, or a severity id for its playbook."),
    format: str = format_option(REPORTER_BY_NAME),
    locale: str = typer.Option(None, "--locale", "-l", help="Language of names and texts (default: the plan's first)."),
    plan: str = typer.Option(None, "--plan", "-p", metavar="PATH", help="Plan file or folder (default: discovered)."),
) -> None:
    """Show the plan as tables; `show sev1` prints the playbook for one severity."""
    report = pick(REPORTER_BY_NAME, format)
    with handled():
        from incplan import needs
        from incplan.cli.common import load_usable
        from incplan.diagnostics import unknown_name
        from incplan.plan.names import in_locale

        usable, _ = load_usable(plan, records=False)
        if section is not None and section not in RENDERERS:
            needs.playbook(usable, section)  # a listing leaves set-aside entries out; a playbook needs its own
        loaded = in_locale(usable.plan, locale)
        if section is not None and section not in RENDERERS and section not in loaded.severities:
            raise unknown_name("section or severity", section, [*SECTIONS, *loaded.severities])
        report(Shown(loaded, section, plan, locale or usable.plan.default_locale), sys.stdout)


def show_definition(plan: Plan, out: Console, w: Words) -> None:
    say(out, w["show.defining"], "bold")
    say(out, plan.definition.incident)
    if plan.definition.not_incident:
        say(out, w["show.not_incident"], "bold")
        for item in plan.definition.not_incident:
            say(out, f"  • {item}")
    table = titled_table(w["show.criteria"], w["col.id"], w["col.question"], w["col.severity"])
    for c in plan.definition.criteria:
        table.add_row(c.id, c.question, c.severity)
    out.print(table)


def show_severities(plan: Plan, out: Console, w: Words) -> None:
    from incplan.playbook import playbook
    from incplan.wording import choice

    columns = ("col.id", "col.name", "col.impact", "col.first_update", "col.cadence", "col.roles", "col.channels")
    table = titled_table(w["show.severities"], *(w[c] for c in columns))
    for sev_id in plan.severities:
        book = playbook(plan, sev_id, w=w)
        cadence = ", ".join(f"{stage}: {every}" for stage, every in book.cadence) or w["plan.not_set"]
        table.add_row(
            sev_id,
            f"{book.name}\n{book.description}".strip(),
            choice(book.impact, "impact", w),
            book.first_update,
            cadence,
            "\n".join(r.name for r in book.roles),
            "\n".join(c.name for c in book.channels),
        )
    out.print(table)


def show_roles(plan: Plan, out: Console, w: Words) -> None:
    from incplan.playbook import person_line

    table = titled_table(w["show.roles"], w["col.role"], w["col.people"], w["col.responsibilities"])
    for role_id, role in plan.roles.items():
        people = "\n".join(f"{p.name} ({p.handle})" for p in (person_line(plan, h) for h in role.people))
        people_cell = people or styled(w["plan.nobody"], "red")
        table.add_row(_named(role.name, role_id), people_cell, "\n".join(role.responsibilities))
    out.print(table)


def show_channels(plan: Plan, out: Console, w: Words) -> None:
    from incplan.playbook import languages_text, owner_text
    from incplan.wording import choice

    multilingual = len(plan.organization.locales) > 1
    columns = ["channel", "type", "audience", *(["languages"] if multilingual else []), "owner", "access", "delivery"]
    table = titled_table(w["show.channels"], *(w[f"col.{c}"] for c in columns))
    for ch_id, ch in plan.channels.items():
        delivery = ch.delivery.kind if ch.delivery else w["plan.by_hand"]
        languages = [languages_text(plan, ch, w)] if multilingual else []
        table.add_row(
            _named(ch.name, ch_id),
            choice(ch.type, "type", w),
            choice(ch.audience, "audience", w),
            *languages,
            owner_text(plan, ch.owner, w),
            ch.access or "",
            delivery,
        )
    out.print(table)


def show_stages(plan: Plan, out: Console, w: Words) -> None:
    table = titled_table(w["show.stages"], w["col.stage"], w["col.description"], w["col.messages_for"])
    for stage_id, stage in plan.stages.items():
        keys = ", ".join(plan.templates.get(stage_id, {})) or styled(w["show.none"], "yellow")
        name = stage.name + (f" ({w['plan.final']})" if stage.final else "")
        table.add_row(_named(name, stage_id), stage.description, keys)
    out.print(table)


def show_values(plan: Plan, out: Console, w: Words) -> None:
    table = titled_table(w["show.values"], w["col.value"], w["col.in_practice"])
    for value in plan.values:
        cell = styled(value.name, "bold")
        cell.append(f"\n{value.description}")
        table.add_row(cell, "\n".join(f"• {p}" for p in value.in_practice))
    out.print(table)


def _named(name: str, ident: str) -> Text:
    cell = styled(name, "")
    cell.append(f"\n{ident}", style="dim")
    return cell


RENDERERS = {
    "definition": show_definition,
    "severities": show_severities,
    "roles": show_roles,
    "channels": show_channels,
    "stages": show_stages,
    "values": show_values,
}
