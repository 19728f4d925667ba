"""Every stage x channel x locale rendered with the declared examples (for review in PRs)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from incplan.templates.compose import ComposedMessage, compose

if TYPE_CHECKING:
    from incplan.plan.models import Plan

# Previews use a fixed clock (unless INCPLAN_NOW is set) so that a pull request's diff shows
# only changes to the messages, never a moved "next update by" time.
PREVIEW_NOW = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
MARKER = ".incplan-preview"


@dataclass(frozen=True)
class PreviewItem:
    stage: str
    channel: str
    locale: str
    severity: str
    message: ComposedMessage

    @property
    def relative_path(self) -> Path:
        return Path(self.stage) / f"{self.channel}.{self.locale}.txt"

    def text(self) -> str:
        head = f"Subject: {self.message.subject}\n\n" if self.message.subject else ""
        return head + self.message.body + "\n"


def preview_items(plan: Plan, now: datetime) -> Iterator[PreviewItem]:
    """Channels some severity routes to, each with the most severe severity that uses it."""
    first_severity: dict[str, str] = {}
    for sev_id, sev in plan.severities.items():
        for ch in sev.channels:
            first_severity.setdefault(ch, sev_id)
    for stage in plan.stages:
        for channel in plan.channels:
            if channel not in first_severity or plan.message_for(stage, channel) is None:
                continue
            for locale in plan.organization.locales:
                _, spec = plan.message_for(stage, channel) or ("", None)
                if locale != plan.default_locale and spec is not None and locale not in spec.translations:
                    continue  # `check` warns about the missing translation; no fallback copy here
                result = compose(
                    plan,
                    stage=stage,
                    now=now,
                    severity=first_severity[channel],
                    channels=[channel],
                    locale=locale,
                    example=True,
                )
                for message in result.messages:
                    yield PreviewItem(stage, channel, locale, first_severity[channel], message)


def write_preview(items: list[PreviewItem], out: Path) -> tuple[int, int]:
    """Write one file per message; remove stale ones from an earlier preview. (written, removed)"""
    from incplan.atomic import atomic_write
    from incplan.diagnostics import UsageError

    if out.exists() and not out.is_dir():
        raise UsageError(f"`{out}` is a file, not a folder", hint="give a folder for the preview files")
    if out.exists() and any(out.iterdir()) and not (out / MARKER).exists():
        raise UsageError(
            f"`{out}` is not empty and holds no earlier preview",
            hint="give an empty or new folder; incplan removes stale files only in its own preview folders",
        )
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text("Written by `incplan preview --out`; files here are replaced on each run.\n")
    wanted = {out / item.relative_path for item in items}
    removed = 0
    for old in out.rglob("*.txt"):
        if old not in wanted:
            old.unlink()
            removed += 1
    for item in items:
        target = out / item.relative_path
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(target, item.text())
    for folder in sorted((p for p in out.iterdir() if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()
    return len(items), removed
