"""Entry point: answers `--version` before importing anything heavy, and `check` before Typer."""

from __future__ import annotations

import gc
import sys

# A run builds hundreds of thousands of objects that live until it ends (modules, classes, the
# plan's models); collecting the youngest generation every 700 new ones (Python's default) spent
# 3-5 % of a command's instructions on finding nothing. Every 100,000 still collects garbage
# cycles, at a few MB of them at most. The entry point's choice: importing incplan changes nothing.
GC_YOUNGEST = 100_000


def main() -> None:
    gc.set_threshold(GC_YOUNGEST)
    argv = sys.argv[1:]
    if argv == ["--version"]:
        from incplan import __version__

        sys.stdout.write(f"incplan {__version__}\n")
        return
    if "check" in argv:
        from incplan.cli.fast import main as fast_check

        code = fast_check(argv)
        if code is not None:
            sys.stdout.flush()
            raise SystemExit(code)
    from incplan.cli.app import run

    run()


if __name__ == "__main__":
    main()
