"""One render of a compiled template within SPEC §3's limits (the CPU timer and memory limit
of `guards.limits`, capped output); every failure is a `RenderError`."""

from __future__ import annotations

from collections.abc import Mapping

from jinja2.exceptions import SecurityError

from incplan.templates import guards
from incplan.templates.cache import CompiledTemplate

MAX_OUTPUT = 100_000  # characters one message may render to


class RenderError(Exception):
    """A template failed at render time (undefined value, sandbox refusal, output cap...)."""


class LimitError(RenderError):
    """A render ran over SPEC §3's CPU or memory limit: rendering it again would too."""


def render(compiled: CompiledTemplate, context: Mapping[str, object]) -> str:
    """Render within SPEC §3's limits (1 s of CPU, 256 MB, capped output); every failure
    becomes a `RenderError` (a `LimitError` for the CPU and memory limits)."""
    parts: list[str] = []
    size = 0
    try:
        with guards.limits():
            for chunk in compiled.template.generate(context):
                size += len(chunk)
                if size > MAX_OUTPUT:
                    raise RenderError(f"output is longer than {MAX_OUTPUT:,} characters")
                parts.append(chunk)
    except RenderError:
        raise
    except guards.LimitExceeded:
        raise LimitError(f"rendering used more than {guards.MAX_CPU_SECONDS:g} s of CPU time") from None
    except MemoryError:
        raise LimitError(f"rendering needed more than {guards.MAX_MEMORY // 2**20} MB of memory") from None
    except RecursionError:
        raise RenderError("template recursion too deep") from None
    except Exception as exc:  # a template may fail in many ways; all are the plan's problem
        raise RenderError(_describe(exc)) from None
    return "".join(parts).strip()


def _describe(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, SecurityError):
        return f"refused by the sandbox: {text}"
    return text
