"""Entry point: answers `--version` before importing anything heavy, and `check` before Typer."""

from __future__ import annotations

import gc
import os
import sys
import types
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from importlib.abc import Loader
    from importlib.machinery import ModuleSpec

# A run builds hundreds of thousands of objects that live until it ends (modules, classes, the
# plan's models); collecting the youngest generation every 700 new ones (Python's default) spent
# 3-5 % of a command's instructions on finding nothing. Every 100,000 still collects garbage
# cycles, at a few MB of them at most. The entry point's choice: importing incplan changes nothing.
GC_YOUNGEST = 100_000
PLUGIN_LOADER = "pydantic.plugin._loader"


class _NoPydanticPlugins:
    """incplan uses no pydantic plugins. pydantic looks for them among the installed packages'
    entry points when it builds its first validator, and its loader imports `importlib.metadata`
    (with `email`, `zipfile` and `csv`) to do so, even when PYDANTIC_DISABLE_PLUGINS says not to
    look: ~70 M instructions, 6 % of a `check` or a `notify`. So the entry point hands pydantic,
    when it asks for that loader, one that finds none. Should pydantic ask it for anything else,
    its own loader is imported after all (costing what it costs today), never an error."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> ModuleSpec | None:
        if name != PLUGIN_LOADER:
            return None
        from importlib.machinery import ModuleSpec

        return ModuleSpec(name, cast("Loader", self))

    def create_module(self, spec: ModuleSpec) -> None:
        return None  # a plain module

    def exec_module(self, module: types.ModuleType) -> None:
        def get_plugins() -> tuple[()]:
            return ()

        def __getattr__(name: str) -> object:
            if name.startswith("__"):  # the import system asking what kind of module this is
                raise AttributeError(name)
            import importlib

            if self in sys.meta_path:
                sys.meta_path.remove(self)
            sys.modules.pop(PLUGIN_LOADER, None)
            return getattr(importlib.import_module(PLUGIN_LOADER), name)

        module.get_plugins = get_plugins  # type: ignore[attr-defined]
        module.__getattr__ = __getattr__  # type: ignore[method-assign]


def main() -> None:
    try:
        _main()
    except BrokenPipeError:
        # The reader went away (`incplan check | head -1`): stop quietly with exit 1, as Click
        # does for the commands it runs. stdout now points at devnull, so the flush at exit
        # cannot raise a second time (Python's documented way, "Note on SIGPIPE").
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise SystemExit(1) from None


def _main() -> None:
    gc.set_threshold(GC_YOUNGEST)
    sys.meta_path.insert(0, _NoPydanticPlugins())
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
