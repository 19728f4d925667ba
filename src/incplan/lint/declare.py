"""How a rule is declared: a `Rule` (code, kebab-case name, default level, docstring, aliases)
with a pure check of a `LintContext`. Declaring registers nothing: each rule module lists its
rules in a `RULES` tuple, and `lint.registry` imports those tuples."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from incplan.diagnostics import Diagnostic, Rule, Severity

if TYPE_CHECKING:
    from incplan.lint.context import LintContext

Check = Callable[["LintContext"], Iterable[Diagnostic]]


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckedRule(Rule):
    """A rule found by looking at a loaded plan, not while loading it."""

    check: Check
    # True: it reads only the raw data, so it runs even when the plan fails the schema.
    data_only: bool = False


def rule(
    code: str, name: str, severity: Severity, *, aliases: tuple[str, ...] = (), data_only: bool = False
) -> Callable[[Check], CheckedRule]:
    """Declare the decorated function as the check of a rule; its docstring is the rule's doc."""

    def declare(check: Check) -> CheckedRule:
        doc = inspect.cleandoc(check.__doc__ or "")
        if not doc:
            raise TypeError(f"rule {code} {name} has no docstring: `incplan rules` prints it")
        return CheckedRule(code, name, severity, doc, aliases, check=check, data_only=data_only)

    return declare
