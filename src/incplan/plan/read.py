"""A plan's bytes: a regular file or standard input, at most `MAX_BYTES`, decoded as UTF-8.

Anything else (a FIFO, a device, a file too large, bytes that are not UTF-8) is a diagnostic.
"""

from __future__ import annotations

from pathlib import Path

from incplan.diagnostics import Diagnostic
from incplan.plan import problems as P

MAX_BYTES = 1024 * 1024  # a large real plan is ~50 KB

STDIN = "-"  # a file argument `-` means standard input
_stdin_read_from: object = None  # the stream already read: standard input can be read only once


def read_text(
    path: Path, file: str, *, limit: int = MAX_BYTES, symlinks: bool = True, noun: str = "plan"
) -> tuple[str | None, list[Diagnostic]]:
    """The text of a regular file (or of standard input for `-`). A FIFO, device or socket is
    never read (it could block forever or never end): it gets a `not-a-regular-file` diagnostic
    instead (SPEC §9). At most `limit` bytes are read, whatever the file says its size is (a
    symlink to /dev/zero). `symlinks=False`: a symlink is not followed, not read. `noun`: what
    the file should be, for the hints ("plan", "record")."""
    global _stdin_read_from
    import os
    import stat

    try:
        if str(path) == STDIN:
            import sys

            if _stdin_read_from is sys.stdin:
                return None, [
                    P.NOT_A_PLAN.at(
                        "standard input was already read for another `-`",
                        hint="give only one file as `-`",
                        line=1,
                        file=file,
                    )
                ]
            _stdin_read_from = sys.stdin
            raw = sys.stdin.buffer.read(MAX_BYTES + 1)
        else:
            # O_NONBLOCK: opening a FIFO for reading would wait for a writer; regular files ignore it.
            flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
            if not symlinks:
                if Path(path).is_symlink():
                    return None, [
                        P.NOT_A_FILE.at(
                            "a symlink is not read",
                            hint=f"incplan reads {noun}s only from regular files; put the {noun} itself here",
                            line=1,
                            file=file,
                        )
                    ]
                flags |= getattr(os, "O_NOFOLLOW", 0)  # a symlink swapped in after the test: ELOOP
            fd = os.open(path, flags)
            with open(fd, "rb") as handle:  # noqa: PTH123 (a file descriptor)
                mode = os.fstat(handle.fileno()).st_mode
                if not stat.S_ISREG(mode):
                    return None, [
                        P.NOT_A_FILE.at(
                            f"{_kind(mode)} is not a regular file; not read",
                            hint=f"incplan reads {noun}s only from regular files",
                            line=1,
                            file=file,
                        )
                    ]
                raw = handle.read(limit + 1)
    except OSError as exc:
        return None, [P.NOT_A_PLAN.at(f"cannot read the file: {exc.strerror or exc}", line=1, file=file)]
    if len(raw) > limit:
        return None, [
            P.FILE_TOO_LARGE.at(
                f"the file is larger than {limit // 1024} KiB",
                hint=f"a {noun} is a few dozen KiB; check that this is the right file",
                line=1,
                file=file,
            )
        ]
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line, col = line_col(raw[: exc.start])
        return None, [
            P.NOT_UTF8.at(
                f"byte 0x{raw[exc.start]:02x} is not valid UTF-8",
                hint="save the file as UTF-8",
                line=line,
                col=col,
                file=file,
            )
        ]


def _kind(mode: int) -> str:
    import stat

    for test, name in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "a special file"


def line_col(before: str | bytes) -> tuple[int, int]:
    """1-based line and column just after `before` (the text or bytes preceding a position)."""
    if isinstance(before, bytes):
        return before.count(b"\n") + 1, len(before) - before.rfind(b"\n")
    return before.count("\n") + 1, len(before) - before.rfind("\n")


def lines_of(text: str, *, keepends: bool = False) -> list[str]:
    """The lines of `text` as YAML and incplan's positions count them: only `\n` ends a line
    (`\r\n` too, its `\r` kept). Unlike `str.splitlines()`, U+2028, U+2029, `\x85`, `\x0b`,
    `\x0c` and `\x1c`-`\x1e` are characters inside a line, never the end of one."""
    parts = text.split("\n")
    last = parts.pop()  # after the last \n: a line without its end, or nothing
    if keepends:
        parts = [part + "\n" for part in parts]
    return [*parts, last] if last else parts
