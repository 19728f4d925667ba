"""Every file incplan writes goes through here (SPEC §9 "Output paths").

An output path a user names (`-o FILE`, `--out DIR`, `init PATH`) never leads through a
symlinked folder: the folder written into, and every folder on the way that lies inside the
working directory (the repository, where a pull request can commit a symlink), must be a real
folder (`output_path`). Folders above the working directory are the user's own (a home folder
or `/tmp` may be a link) and are not questioned.

Writes go *through* to a regular file: a temporary file beside the real target, fsynced, then
renamed over it, so a reader never sees half a file. What is not a regular file is refused, never
replaced: a device (`/dev/null`), a FIFO, a socket, a folder, or a symlink whose target lies
outside the folder being written to. A symlink inside that folder is followed and stays a
symlink. An existing file keeps its mode (and, when we may, its owner); a new file gets the mode
the umask gives (0644 under the usual 022), never mkstemp's 0600.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import tempfile
from pathlib import Path

from incplan.diagnostics import UsageError

STDOUT = "-"


def new_file_mode() -> int:
    """The mode a new file gets under the current umask (0o644 under the usual 022)."""
    # Reading the umask means setting it; put it straight back (single-threaded at this point).
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def output_path(path: Path, *, folder: bool = False) -> Path:
    """`path` (a file, or with `folder` the output folder itself) when no symlinked folder is on
    its way; a `UsageError` (exit 2) naming the symlink otherwise. Checked before anything is
    written; what does not exist yet is created as real folders later."""
    here = Path.cwd()
    absolute = path if path.is_absolute() else here / path
    parts = absolute.parts
    last = len(parts) if folder else len(parts) - 1  # the folder written into
    current = Path(parts[0])
    for i, part in enumerate(parts[1:last], start=2):
        current = current / part
        inside = len(current.parts) > len(here.parts) and current.parts[: len(here.parts)] == here.parts
        if not (inside or i == last):
            continue
        try:
            info = current.lstat()
        except (FileNotFoundError, NotADirectoryError):
            break  # the rest is created
        except OSError:
            continue  # an unreadable folder: the write itself says why
        if stat.S_ISLNK(info.st_mode):
            shown = current if path.is_absolute() or not inside else Path(*current.parts[len(here.parts) :])
            real = os.path.realpath(current)
            raise UsageError(
                f"`{shown}` is a symlink to `{real}`; incplan does not write through a symlinked folder",
                hint=f"give the real folder (`{real}`), or remove the symlink",
            )
    return path


def write_target(path: Path) -> Path:
    """The regular file a write to `path` lands in (the path itself, or the target of a symlink
    inside the same folder); refuses anything else with a `UsageError` (exit 2)."""
    folder = path.parent if str(path.parent) else Path()
    if not folder.is_dir():
        raise UsageError(f"folder `{folder}` does not exist", hint="create it first")
    try:
        info = path.lstat()
    except FileNotFoundError:
        return path
    if stat.S_ISLNK(info.st_mode):
        target = path.resolve()
        inside = folder.resolve()
        if target.parent != inside and inside not in target.parents:
            raise UsageError(
                f"`{path}` is a symlink to `{target}`, outside `{folder}`; incplan does not write through it",
                hint="remove the symlink or write to another file",
            )
        if target.exists() and not target.is_file():
            raise UsageError(
                f"`{path}` points to {_kind(target.stat().st_mode)}; incplan writes only regular files",
                hint="give the path of a regular file",
            )
        return target
    if not stat.S_ISREG(info.st_mode):
        raise UsageError(
            f"`{path}` is {_kind(info.st_mode)}; incplan writes only regular files",
            hint="give the path of a regular file" + (" (or `-` for standard output)" if path.name != STDOUT else ""),
        )
    return path


def atomic_write(path: Path, text: str, *, temp_dir: Path | None = None) -> None:
    """Write `text` (UTF-8, `\\n` line ends) to the regular file at `path`, atomically."""
    target = write_target(path)
    folder = target.parent if str(target.parent) else Path()
    # `temp_dir`: where the temporary file goes instead of beside the target (so that no
    # half-written file ever sits where `git add` would see it); beside it when that fails.
    where = folder
    if temp_dir is not None:
        try:
            temp_dir.mkdir(parents=True, exist_ok=True)
            where = temp_dir
        except OSError:
            where = folder
    try:
        existing: os.stat_result | None = target.stat()
    except FileNotFoundError:
        existing = None
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=where)
    try:
        # A lone surrogate (a byte that was not UTF-8 in a command-line argument) is written as
        # its escape rather than failing the write.
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            if existing is not None:
                os.fchmod(handle.fileno(), stat.S_IMODE(existing.st_mode))
                if hasattr(os, "fchown") and (existing.st_uid, existing.st_gid) != (os.geteuid(), os.getegid()):
                    with contextlib.suppress(PermissionError):  # root rewriting a file keeps it theirs
                        os.fchown(handle.fileno(), existing.st_uid, existing.st_gid)
            else:
                os.fchmod(handle.fileno(), new_file_mode())
            os.fsync(handle.fileno())
        try:
            Path(tmp).replace(target)
        except OSError as exc:
            if exc.errno != errno.EXDEV or where == folder:
                raise
            Path(tmp).unlink(missing_ok=True)
            atomic_write(path, text)  # the temporary folder is on another file system
            return
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if hasattr(os, "O_DIRECTORY"):  # make the rename itself durable
        dir_fd = os.open(folder, os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def write_output(output: str | Path, text: str) -> None:
    """An `-o/--output` value: `-` is standard output, anything else a file written atomically."""
    if str(output) == STDOUT:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    atomic_write(output_path(Path(output)), text)
