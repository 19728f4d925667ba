"""Terminal tables and lines of prose shared by `show` and `classify`: plan text is data, so
style goes on a `Text` (the console reads no markup)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from incplan.playbook import Playbook
    from incplan.wording import Words


def titled_table(title: str, *columns: str) -> Table:
    from rich.table import Table

    table = Table(title=title, title_justify="left", title_style="bold", show_lines=False, expand=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def styled(text: str, style: str) -> Text:
    """Plan text as data: the console reads no markup, so style goes on a `Text`."""
    from rich.text import Text

    return Text(text, style=style)


def say(out: Console, text: str, style: str = "") -> None:
    """A line of prose: never cut into the terminal's width (copying it must give one line)."""
    from rich.text import Text

    out.print(Text(text, style=style), soft_wrap=True)


def print_playbook(book: Playbook, out: Console, w: Words) -> None:
    """A severity's playbook in the words of `w` (the book's own placeholders are in them too)."""
    from incplan.wording import choice

    say(out, f"{book.severity}: {book.name}", "bold")
    if book.description:
        say(out, book.description)
    first = w("playbook.first", first=book.first_update) if book.has_first_update else w["playbook.first_none"]
    cadence = ", ".join(w("playbook.every", stage=stage, every=every) for stage, every in book.cadence)
    say(out, first + (w("playbook.then", cadence=cadence) if cadence else w["playbook.then_none"]))
    roles = titled_table(w["playbook.call_in"], w["col.role"], w["col.people"], w["col.contacts"])
    for role in book.roles:
        names = "\n".join(p.name for p in role.people) or styled(w["plan.nobody"], "red")
        contacts = "\n".join(p.contacts for p in role.people)
        roles.add_row(role.name, names, contacts)
    out.print(roles)
    channels = titled_table(
        w["playbook.announce_on"], w["col.channel"], w["col.audience"], w["col.owner"], w["col.access"]
    )
    for ch in book.channels:
        channels.add_row(ch.name, choice(ch.audience, "audience", w), ch.owner, ch.access)
    out.print(channels)
    say(out, w["playbook.first_message"], "bold")
    say(out, f"  {book.first_command}", "cyan")
