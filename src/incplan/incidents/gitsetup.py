"""Git set-up for a plan's folder: records merge with `incplan merge-record`, incplan's own
state (`.incplan/`: locks, temporary files, the header index) is ignored."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from incplan.incidents.store import STATE_DIR

DRIVER = "incplan-record"
GIT_CONFIG = f'git config merge.{DRIVER}.driver "incplan merge-record %O %A %B"'


@dataclass(frozen=True)
class GitLine:
    file: Path
    line: str
    added: bool  # False: the file already had it


def _ensure_line(file: Path, line: str) -> GitLine:
    from incplan.atomic import atomic_write

    text = file.read_text(encoding="utf-8") if file.is_file() else ""
    if line in (existing.strip() for existing in text.splitlines()):
        return GitLine(file, line, False)
    if text and not text.endswith("\n"):
        text += "\n"
    atomic_write(file, text + line + "\n")
    return GitLine(file, line, True)


GIT_FILES = (".gitattributes", ".gitignore")


def check_git_files(plan_folder: Path) -> None:
    """Refuse (`UsageError`, exit 2) before anything is written when `write_git_files` could not
    write one of its files (a symlink to outside the folder, a folder, a device), so `init`
    never leaves a plan without its git lines."""
    from incplan.atomic import write_target

    if plan_folder.is_dir():
        for name in GIT_FILES:
            write_target(plan_folder / name)


def write_git_files(plan_folder: Path, incidents_dir: str = "incidents") -> list[GitLine]:
    """`.gitattributes` names the merge driver for the records, `.gitignore` the state folder
    beside them; lines are added to existing files, never replacing what is there."""
    records = Path(incidents_dir).as_posix().rstrip("/")
    state = (Path(incidents_dir).parent / STATE_DIR).as_posix()
    state = state.removeprefix("./")
    return [
        _ensure_line(plan_folder / GIT_FILES[0], f"{records}/*.yaml merge={DRIVER}"),
        _ensure_line(plan_folder / GIT_FILES[1], f"/{state}/"),
    ]
