"""`incplan preview`: every message with example values, on screen or one file each."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

from incplan.cli.output import handled


def preview(
    out: Path = typer.Option(None, "--out", "-o", metavar="DIR", help="Write DIR/<stage>/<channel>.<locale>.txt."),
    plan: str = typer.Option(None, "--plan", "-p", metavar="PATH", help="Plan file (default: discovered)."),
    locale: str = typer.Option(None, "--locale", "-l", help="Only the messages in this language (default: all)."),
) -> None:
    """Render every stage x channel x locale with the declared examples."""
    with handled():
        from incplan import clock
        from incplan.plan.discover import find_plan
        from incplan.plan.usable import load_for_use
        from incplan.templates.preview import PREVIEW_NOW, preview_items, write_preview

        loaded, _ = load_for_use(find_plan(plan))
        now = clock.now() if os.environ.get("INCPLAN_NOW") else PREVIEW_NOW
        if locale is not None:
            from incplan.plan.names import check_names

            check_names(loaded, locale=locale)
        items = [i for i in preview_items(loaded, now) if locale is None or i.locale == locale]
        from incplan.wording import words

        w = words(locale or loaded.default_locale)  # incplan's words: the chosen language, else the plan's first
        if out is not None:
            written, removed = write_preview(items, out)
            removed_text = w.count("preview.removed", removed) if removed else ""
            sys.stdout.write(w.count("preview.wrote", written, out=out) + removed_text + "\n")
            return
        names = loaded.in_locale(locale or loaded.default_locale)
    from rich.panel import Panel
    from rich.text import Text

    from incplan.cli.output import console

    screen = console(soft_wrap=False)
    for item in items:
        stage_name, channel_name = names.stages[item.stage].name, names.channels[item.channel].name
        content = Text()
        if item.message.subject:
            content.append(item.message.subject + "\n\n", style="bold")
        content.append(item.message.body)
        screen.print(
            Panel(
                content,
                title=Text(f"{stage_name} · {channel_name} · {item.locale} · {item.severity}"),
                title_align="left",
                subtitle=Text(item.message.measure.describe(item.message.channel_type, w)),
                subtitle_align="right",
                border_style="red" if item.message.measure.over_limit else "cyan",
            )
        )
