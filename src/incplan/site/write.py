"""Write the site only inside its output folder (SPEC §9 "Output paths").

Every path is checked before anything is written: no `..`, no absolute part, and no existing
symlink or non-regular file anywhere on the way (a symlinked folder could lead the writes out of
the output folder; a symlinked file would be written through). A file whose bytes are already
those is left untouched, so a rebuild rewrites only what changed (and keeps the others' times);
a changed file is replaced by renaming a finished temporary file over it."""

from __future__ import annotations

import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from incplan.diagnostics import UsageError


@dataclass(frozen=True)
class Written:
    written: int
    unchanged: int


def _refuse(path: Path, out: Path, what: str) -> UsageError:
    return UsageError(
        f"`{path}` is {what}; incplan writes the site only to regular files inside `{out}`",
        hint="remove it, or build into an empty folder",
    )


def _check_parts(relative: str) -> list[str]:
    parts = relative.split("/")
    if any(p in ("", ".", "..") or "\\" in p or "\x00" in p for p in parts):
        raise UsageError(f"refusing to write `{relative}`: not a plain path inside the output folder")
    return parts


def _kind(mode: int) -> str | None:
    if stat.S_ISLNK(mode):
        return "a symlink"
    if stat.S_ISDIR(mode):
        return "a folder"
    if not stat.S_ISREG(mode):
        return "not a regular file"
    return None


def prepare(out: Path) -> Path:
    from incplan.atomic import output_path

    output_path(out, folder=True)  # never through a symlinked folder, the output folder included
    try:
        info = out.lstat()
    except FileNotFoundError:
        out.mkdir(parents=True)
        return out
    if not stat.S_ISDIR(info.st_mode):
        raise UsageError(f"`{out}` is not a folder", hint="give --out a folder (it is created when missing)")
    return out


def write_files(out: Path, files: dict[str, bytes]) -> Written:
    out = prepare(out)
    checked: dict[str, Path] = {}
    seen_dirs: set[Path] = set()
    for relative in files:
        parts = _check_parts(relative)
        current = out
        for part in parts[:-1]:
            current = current / part
            if current in seen_dirs:
                continue
            try:
                mode = current.lstat().st_mode
            except FileNotFoundError:
                seen_dirs.add(current)
                continue
            if not stat.S_ISDIR(mode):
                raise _refuse(current, out, _kind(mode) or "a file where a folder belongs")
            seen_dirs.add(current)
        target = current / parts[-1]
        try:
            kind = _kind(target.lstat().st_mode)
        except FileNotFoundError:
            kind = None
        if kind is not None:
            raise _refuse(target, out, kind)
        checked[relative] = target
    mask = os.umask(0o022)
    os.umask(mask)
    written = unchanged = 0
    for relative, target in checked.items():
        content = files[relative]
        target.parent.mkdir(parents=True, exist_ok=True)
        existing = _read(target)
        if existing == content:
            unchanged += 1
            continue
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
                os.fchmod(handle.fileno(), 0o666 & ~mask)
            Path(tmp).replace(target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        written += 1
    return Written(written, unchanged)


def _read(path: Path) -> bytes | None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        return None
    with os.fdopen(fd, "rb") as handle:
        return handle.read()
