"""The one home of incplan's cache folder and of the rules for trusting what is in it.

Caches (compiled templates, lint results, report figures) live in folders of the cache root:
`$INCPLAN_CACHE_DIR`, else `$XDG_CACHE_HOME/incplan`, else `~/.cache/incplan`;
`INCPLAN_NO_CACHE` turns them off. A folder or file is used only if it is owned by this user
and writable by nobody else (SPEC §9): a folder others can write could hand us their entries.
The root may be a symlink to such a folder (a cache moved to another disk); every folder and
file below it must be a real one, never a symlink. Only the last folder is ever created, 0700:
`INCPLAN_CACHE_DIR=/nonexistent/deep/x` is no cache (the default `~/.cache`, as the XDG spec
says, is created 0700 too when missing).
Standard library only: the lint result cache answers before anything heavy is imported.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path
from typing import IO

MAX_ENTRY = 4 * 1024 * 1024  # bytes read from one entry; ours are far smaller


def cache_root() -> Path | None:
    """The cache folder, or None when caching is off."""
    if os.environ.get("INCPLAN_NO_CACHE"):
        return None
    if explicit := os.environ.get("INCPLAN_CACHE_DIR"):
        return Path(explicit)
    return _default_root()


def _ours(info: os.stat_result) -> bool:
    owner = os.geteuid() if hasattr(os, "geteuid") else info.st_uid
    return info.st_uid == owner and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def private_folder(folder: Path, *, create: bool, root: bool = False) -> bool:
    """True if `folder` is a real folder (no symlink; `root`: or a symlink to one) owned by this
    user that nobody else can write. With `create`, make it (mode 0700) if it is missing, and
    only it: its parent must exist."""
    look = os.stat if root else os.lstat
    try:
        info = look(folder)
    except FileNotFoundError:
        if not create or (root and folder.is_symlink()):  # a dangling link is not followed
            return False
        try:
            _make(folder, root=root)
            info = folder.lstat()
        except OSError:
            return False
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and _ours(info)


def _make(folder: Path, *, root: bool) -> None:
    try:
        folder.mkdir(mode=0o700)
    except FileNotFoundError:
        if not root or os.environ.get("INCPLAN_CACHE_DIR") or folder != _default_root():
            raise
        folder.parent.mkdir(mode=0o700)  # ~/.cache itself (the home folder must exist)
        folder.mkdir(mode=0o700)


def _default_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "incplan"


def _trusted(folder: Path, *, create: bool) -> bool:
    """`folder` (a cache's own folder, one below the root) and the root above it are private."""
    return private_folder(folder.parent, create=create, root=True) and private_folder(folder, create=create)


def own_file(handle: IO[bytes]) -> bool:
    """True if the open file is a regular file of this user that nobody else can write."""
    info = os.fstat(handle.fileno())
    return stat.S_ISREG(info.st_mode) and _ours(info)


def _no_follow(path: str, flags: int) -> int:
    return os.open(path, flags | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))


def entry_path(folder: Path, key: str, suffix: str = "") -> Path:
    return folder / key[:2] / f"{key}{suffix}"


def read_entry(folder: Path, key: str, suffix: str = "", limit: int = MAX_ENTRY) -> bytes | None:
    """The bytes of a cached entry (at most `limit` + 1 of them: more means too large), or None
    for anything missing, foreign or not ours."""
    path = entry_path(folder, key, suffix)
    if not (_trusted(folder, create=False) and private_folder(path.parent, create=False)):
        return None
    try:
        with open(path, "rb", opener=_no_follow) as handle:
            if not own_file(handle):
                return None
            return handle.read(limit + 1)
    except OSError:
        return None


def write_entry(folder: Path, key: str, payload: bytes, suffix: str = "") -> None:
    """Store an entry: best effort (a cache write never fails a command), private folders,
    written whole to a temporary file and renamed into place."""
    path = entry_path(folder, key, suffix)
    if not (_trusted(folder, create=True) and private_folder(path.parent, create=True)):
        return
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        tmp.replace(path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()


class KeptRecords:
    """One cache file of per-record entries (the report figures, the site's public view): the
    entries under `key`, by each record's digest, read once (`old`) and written back once at the
    end when this run's (`new`) differ, so a deleted record's entry goes. A file that is not
    JSON of this `format` reads as empty; checking each entry is the caller's."""

    def __init__(self, folder: Path, key: str, format: int, limit: int) -> None:
        import json

        self.folder, self.key, self.format = folder, key, format
        self.old: dict[str, object] = {}
        self.new: dict[str, object] = {}
        raw = read_entry(folder, key, ".json", limit=limit)
        if raw is None or len(raw) > limit:
            return
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            return
        if isinstance(data, dict) and data.get("format") == format and isinstance(data.get("records"), dict):
            self.old = data["records"]

    def save(self) -> None:
        """Best effort: a command never fails for its cache."""
        if self.new != self.old:
            import json

            payload = json.dumps({"format": self.format, "records": self.new}, separators=(",", ":"))
            write_entry(self.folder, self.key, payload.encode("ascii"), ".json")
