"""Entry point: answers `--version` before importing anything heavy, and `check` before Typer."""

from __future__ import annotations

import sys


def main() -> None:
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
