"""`PlanDiff` as text (terminal, CI logs) and as Markdown (a pull-request comment).

In Markdown every text that comes from the plan is a code span or escaped HTML: a plan's
words must never ping a GitHub user (`@ola` is a plan handle, not a login), open a tag or
break the comment's layout. Only `github:` logins of people whose roles changed are mentions.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

from incplan.review.diff import SECTIONS, Change, MessageChange, Rendered

if TYPE_CHECKING:
    from incplan.review.diff import PlanDiff

COMMENT_MARKER = "<!-- incplan-diff -->"  # lets a workflow find and update its own comment
FOLD_LINES = 12  # Markdown sections longer than this are folded in <details>


def length_text(r: Rendered) -> str:
    if r.error or r.measure is None:
        return "does not render"
    return r.measure.describe(r.channel_type)


def length_line(m: MessageChange) -> str:
    if m.before is not None and m.after is not None:
        return f"length: {length_text(m.before)} → {length_text(m.after)}"
    only = m.after or m.before
    assert only is not None
    return f"length: {length_text(only)}"


def change_line(c: Change) -> str:
    """One change as a line of text, without the item it belongs to."""
    if not c.field:
        text = c.kind + (f": {c.after or c.before}" if (c.after or c.before) else "")
    elif c.kind == "added":
        text = f"+ {c.field}: {c.after}"
    elif c.kind == "removed":
        text = f"- {c.field}: {c.before}"
    else:
        text = f"{c.field}: {c.before} → {c.after}"
    if c.note:
        text += f" ({c.note})"
    if c.risk:
        text += f"  [RISKY: {c.risk}]"
    return text


def _grouped(changes: list[Change]) -> list[tuple[str, list[Change]]]:
    groups: dict[str, list[Change]] = {}
    titles: dict[str, str] = {}
    for c in changes:
        groups.setdefault(c.item, []).append(c)
        titles.setdefault(c.item, c.title)
    return [(titles[item], found) for item, found in groups.items()]


def _summary(diff: PlanDiff) -> str:
    parts = [
        f"{len(diff.changes)} change{'s' if len(diff.changes) != 1 else ''}",
        f"{len(diff.messages)} message{'s' if len(diff.messages) != 1 else ''} changed",
        f"{len(diff.risks)} risky",
    ]
    return ", ".join(parts)


def _broken(diff: PlanDiff) -> list[str]:
    return [f"{name}: {side.problem}" for name, side in (("base", diff.base), ("head", diff.head)) if side.problem]


# ---------------------------------------------------------------- text


def text(diff: PlanDiff) -> str:
    lines = [f"Plan diff: {diff.base.label} → {diff.head.label}", ""]
    broken = _broken(diff)
    if broken:
        lines += [*broken, "", "cannot compare the plans' meaning until both sides load"]
        return "\n".join(lines) + "\n"
    if not diff.changes and not diff.messages:
        return "\n".join([*lines, "no changes in meaning"]) + "\n"
    for section in SECTIONS:
        if section == "messages":
            if diff.messages:
                lines += ["Messages (rendered with the examples)"]
                lines += [line for m in diff.messages for line in _message_text(m)]
                lines.append("")
            continue
        changes = [c for c in diff.changes if c.section == section]
        if not changes:
            continue
        lines.append(SECTIONS[section])
        for title, found in _grouped(changes):
            lines.append(f"  {title}")
            lines += [f"    {change_line(c)}" for c in found]
        lines.append("")
    if diff.mentions:
        lines.append("People whose roles change")
        for m in diff.mentions:
            login = f", GitHub @{m.github}" if m.github else ", no github: login in the plan"
            lines.append(f"  {m.handle} ({m.name}{login}): {'; '.join(m.why)}")
        lines.append("")
    if diff.risks:
        lines.append("Risky")
        lines += [f"  {c.item}: {c.field or c.kind}: {c.risk}" for c in diff.risks]
        lines.append("")
    lines.append(_summary(diff))
    return "\n".join(lines) + "\n"


def _message_text(m: MessageChange) -> list[str]:
    if m.timing_only:
        return [f"  {m.key}: only the next-update time moves (the cadence above)"]
    lines = [f"  {m.key} ({m.channel_name}, {m.audience}): {m.kind}"]
    if m.kind == "changed":
        lines += [f"    {line}" for line in m.unified()]
    else:
        shown = m.after or m.before
        assert shown is not None
        lines += [f"    | {line}" for line in shown.text.splitlines()]
    lines.append(f"    {length_line(m)}")
    return lines


# ---------------------------------------------------------------- markdown


def plain(value: str) -> str:
    """Plan text as inert Markdown: no tags, no emphasis or links, and no @-mention."""
    value = html.escape(" ".join(value.split()), quote=False)
    value = re.sub(r"([\\`*_\[\]{}#|~!])", r"\\\1", value)
    return value.replace("@", "&#64;")


def code(value: str) -> str:
    """A Markdown code span that holds any text (backticks, pipes, @, <, newlines)."""
    value = " ".join(value.split("\n"))
    longest = max((len(run) for run in re.findall(r"`+", value)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if value.startswith("`") or value.endswith("`") or not value.strip() else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def _md_change(c: Change) -> str:
    field = plain(c.field)
    if not c.field:
        detail = c.after or c.before
        text = f"**{c.kind}**" + (f": {code(detail)}" if detail else "")
    elif c.kind == "added":
        text = f"added {field}: {code(c.after or '')}"
    elif c.kind == "removed":
        text = f"removed {field}: {code(c.before or '')}"
    else:
        text = f"{field}: {code(c.before or '')} → {code(c.after or '')}"
    if c.note:
        text += f" ({plain(c.note)})"
    if c.risk:
        text += f" **⚠ {plain(c.risk)}**"
    return text


def _html(value: str) -> str:
    return html.escape(value).replace("@", "&#64;")


def _fence(body: str) -> str:
    longest = max((len(run) for run in re.findall(r"`{3,}|~{3,}", body)), default=0)
    return "`" * max(3, longest + 1)


def _md_message(m: MessageChange) -> list[str]:
    summary = (
        f"<code>{_html(m.key)}</code> {_html(m.channel_name)} ({_html(m.audience)}): {m.kind}; {_html(length_line(m))}"
    )
    if m.kind == "changed":
        body = "\n".join(m.unified())
    else:
        shown = m.after or m.before
        assert shown is not None
        body = "\n".join(("+" if m.after else "-") + line for line in shown.text.splitlines())
    fence = _fence(body)
    return ["<details>", f"<summary>{summary}</summary>", "", f"{fence}diff", body, fence, "", "</details>", ""]


def markdown(diff: PlanDiff) -> str:
    lines = [
        COMMENT_MARKER,
        f"### Plan diff: {code(diff.base.label)} → {code(diff.head.label)}",
        "",
    ]
    broken = _broken(diff)
    if broken:
        lines += [f"> **Cannot compare:** {html.escape(line)}" for line in broken]
        return "\n".join(lines) + "\n"
    if not diff.changes and not diff.messages:
        return "\n".join([*lines, "No changes in meaning."]) + "\n"
    if diff.risks:
        lines += ["> [!WARNING]", f"> **{len(diff.risks)} risky change{'s' if len(diff.risks) != 1 else ''}:**"]
        lines += [f"> - {code(c.item)} {plain(c.field or c.kind)}: {plain(c.risk)}" for c in diff.risks]
        lines.append("")
    if diff.mentions:
        lines.append("**People whose roles change** (please check what you are signing up for):")
        lines.append("")
        for person in diff.mentions:
            who = f"@{person.github} {code(person.handle)} {plain(person.name)}"
            if not person.github:
                who = f"{code(person.handle)} {plain(person.name)} (no `github:` login in the plan)"
            lines.append(f"- {who}: {plain('; '.join(person.why))}")
        lines.append("")
    for section in SECTIONS:
        if section == "messages":
            if diff.messages:
                lines += [f"#### Messages ({len(diff.messages)} changed, rendered with the examples)", ""]
                timing = [m for m in diff.messages if m.timing_only]
                for m in timing:
                    lines.append(f"- {code(m.key)}: only the next-update time moves (the cadence above)")
                if timing:
                    lines.append("")
                for m in diff.messages:
                    if not m.timing_only:
                        lines += _md_message(m)
            continue
        changes = [c for c in diff.changes if c.section == section]
        if not changes:
            continue
        block = []
        for title, found in _grouped(changes):
            if len(found) == 1:
                block.append(f"- {code(title)}: {_md_change(found[0])}")
            else:
                block.append(f"- {code(title)}")
                block += [f"  - {_md_change(c)}" for c in found]
        lines += [f"#### {SECTIONS[section]}", ""]
        if len(block) > FOLD_LINES:
            lines += [
                "<details>",
                f"<summary>{len(changes)} changes</summary>",
                "",
                *block,
                "",
                "</details>",
            ]
        else:
            lines += block
        lines.append("")
    lines.append(f"<sub>{_summary(diff)} · `incplan diff`</sub>")
    return "\n".join(lines) + "\n"
