"""Entry point: answers `--version` before importing anything heavy, and `check` before Typer."""

from __future__ import annotations

import gc
import sys
import types
from typing import Any

# A run builds hundreds of thousands of objects that live until it ends (modules, classes, the
# plan's models); collecting the youngest generation every 700 new ones (Python's default) spent
# 3-5 % of a command's instructions on finding nothing. Every 100,000 still collects garbage
# cycles, at a few MB of them at most. The entry point's choice: importing incplan changes nothing.
GC_YOUNGEST = 100_000
PLUGIN_LOADER = "pydantic.plugin._loader"


def _no_pydantic_plugins() -> None:
    """incplan uses no pydantic plugins. pydantic looks for them among the installed packages'
    entry points when it builds its first validator, and its loader imports `importlib.metadata`
    (with `email`, `zipfile` and `csv`) to do so, even when PYDANTIC_DISABLE_PLUGINS says not to
    look: ~70 M instructions, 6 % of a `check` or a `notify`. So the entry point hands pydantic a
    loader that finds none. Should pydantic ask that module for anything else, its own loader is
    imported after all (costing what it costs today), never an error."""

    def get_plugins() -> tuple[()]:
        return ()

    def __getattr__(name: str) -> Any:
        if name.startswith("__"):  # the import system asking what kind of module this is
            raise AttributeError(name)
        import importlib

        sys.modules.pop(PLUGIN_LOADER, None)
        return getattr(importlib.import_module(PLUGIN_LOADER), name)

    loader = types.ModuleType(PLUGIN_LOADER, "incplan's stand-in: no pydantic plugins")
    loader.get_plugins = get_plugins  # type: ignore[attr-defined]
    loader.__getattr__ = __getattr__  # type: ignore[method-assign]
    sys.modules.setdefault(PLUGIN_LOADER, loader)


def main() -> None:
    gc.set_threshold(GC_YOUNGEST)
    _no_pydantic_plugins()
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
