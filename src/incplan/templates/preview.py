"""Every stage x channel x locale rendered with the declared examples (for review in PRs)."""

from __future__ import annotations

import os
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
        """The file's text; its one label (`Subject:`, pl `Temat:`) in the message's language."""
        from incplan.wording import words

        head = (
            words(self.locale)("preview.subject", subject=self.message.subject) + "\n\n" if self.message.subject else ""
        )
        return head + self.message.body + "\n"


def preview_targets(plan: Plan) -> Iterator[tuple[str, str, str, str]]:
    """(stage, channel, locale, severity) of every message a preview shows, in plan order: each
    channel some severity routes to, with the most severe severity that uses it, in every locale
    its message has a text in (`check` warns about a missing translation; no fallback copy here)."""
    first_severity: dict[str, str] = {}
    for sev_id, sev in plan.severities.items():
        for ch in sev.channels:
            first_severity.setdefault(ch, sev_id)
    for stage in plan.stages:
        for channel in plan.channels:
            found = plan.message_for(stage, channel)
            if channel not in first_severity or found is None:
                continue
            for locale in plan.organization.locales:
                if locale == plan.default_locale or locale in found[1].translations:
                    yield stage, channel, locale, first_severity[channel]


def preview_items(plan: Plan, now: datetime) -> Iterator[PreviewItem]:
    """Each previewed message rendered with the declared examples at `now`."""
    for stage, channel, locale, severity in preview_targets(plan):
        result = compose(plan, stage=stage, now=now, severity=severity, channels=[channel], locale=locale, example=True)
        for message in result.messages:
            yield PreviewItem(stage, channel, locale, severity, message)


def write_preview(items: list[PreviewItem], out: Path) -> tuple[int, int]:
    """Write one file per message; remove stale ones from an earlier preview. (written, removed)

    Only inside `out`, and never through a symlink (SPEC §9): a folder or file in `out` that is
    a symlink (a pull request can commit one) is replaced by a real one, never followed; names
    that would leave `out` (`..`, `/`) are refused."""
    import os
    import stat

    from incplan.atomic import output_path
    from incplan.diagnostics import UsageError

    output_path(out, folder=True)
    info = _lstat(out)
    if info is not None and not stat.S_ISDIR(info.st_mode):
        raise UsageError(f"`{out}` is a file, not a folder", hint="give a folder for the preview files")
    if info is not None and any(out.iterdir()) and not _is_regular(out / MARKER):
        raise UsageError(
            f"`{out}` is not empty and holds no earlier preview",
            hint="give an empty or new folder; incplan removes stale files only in its own preview folders",
        )
    for item in items:
        parts = item.relative_path.parts
        if any(part in ("", ".", "..") or "/" in part or os.sep in part for part in parts):
            raise UsageError(
                f"cannot write a preview for `{item.stage}` / `{item.channel}`: the name would leave `{out}`",
                hint="use ids made of letters, digits, `_` and `-`",
            )
    out.mkdir(parents=True, exist_ok=True)
    _write_file(out, MARKER, "Written by `incplan preview --out`; files here are replaced on each run.\n")
    wanted = {item.relative_path for item in items}
    removed = 0
    for folder, dirs, files in os.walk(out):  # never descends into symlinked folders
        here = Path(folder).relative_to(out)
        for name in files:
            if name.endswith(".txt") and here / name not in wanted:
                (Path(folder) / name).unlink()  # a symlink: only the link goes
                removed += 1
        dirs[:] = [d for d in dirs if not (Path(folder) / d).is_symlink()]
    for item in items:
        _write_file(_real_folder(out, item.relative_path.parent), item.relative_path.name, item.text())
    for folder_name, _, _ in sorted(os.walk(out), reverse=True):
        emptied = Path(folder_name)
        if emptied != out and not any(emptied.iterdir()):
            emptied.rmdir()
    return len(items), removed


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return path.lstat()
    except FileNotFoundError:
        return None


def _is_regular(path: Path) -> bool:
    import stat

    info = _lstat(path)
    return info is not None and stat.S_ISREG(info.st_mode)


def _real_folder(out: Path, relative: Path) -> Path:
    """`out/relative` as real folders: a symlink or file in the way is replaced, not followed."""
    import stat

    folder = out
    for part in relative.parts:
        folder = folder / part
        info = _lstat(folder)
        if info is not None and not stat.S_ISDIR(info.st_mode):
            folder.unlink()  # a symlink (or a file) where our folder belongs: remove the link itself
            info = None
        if info is None:
            folder.mkdir()
    return folder


def _write_file(folder: Path, name: str, text: str) -> None:
    """A new regular file renamed over `folder/name`: a symlink there is replaced, never written
    through. New files get the usual mode (0666 less the umask)."""
    import secrets

    tmp = folder / f".{name}.{secrets.token_hex(4)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o666)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        tmp.replace(folder / name)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
