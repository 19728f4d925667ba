"""incplan: a team's incident communication plan, as code.

The public API is tiny and imported lazily so that `incplan --version` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"

__all__ = ["__version__", "lint_paths", "load_plan", "render_message"]

if TYPE_CHECKING:  # pragma: no cover
    from incplan.lint.runner import lint_paths
    from incplan.plan.load import load_plan
    from incplan.templates.compose import render_message

_LAZY = {
    "lint_paths": "incplan.lint.runner",
    "load_plan": "incplan.plan.load",
    "render_message": "incplan.templates.compose",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(name)
