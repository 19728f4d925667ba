"""Entry point: answers `--version` before importing anything heavy."""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from incplan import __version__

        sys.stdout.write(f"incplan {__version__}\n")
        return
    from incplan.cli.app import run

    run()


if __name__ == "__main__":
    main()
