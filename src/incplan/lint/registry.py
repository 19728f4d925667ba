"""The explicit rule registry: every rule, by code, name or alias."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from incplan.diagnostics import Diagnostic, Rule, Severity, UsageError, did_you_mean

if TYPE_CHECKING:
    from incplan.lint.context import LintContext

Check = Callable[["LintContext"], Iterable[Diagnostic]]

# Rules that need only the parsed YAML (they run even when the schema fails) vs. a valid plan.
DATA_RULES: list[Rule] = []
PLAN_RULES: list[Rule] = []


def rule(code: str, name: str, severity: Severity, *, data_only: bool = False) -> Callable[[Check], Rule]:
    """Declare a rule; its docstring's first line is the summary `incplan rules` prints."""

    def register(check: Check) -> Rule:
        summary = (check.__doc__ or "").strip().splitlines()[0]
        declared = Rule(code, name, severity, summary, check)
        (DATA_RULES if data_only else PLAN_RULES).append(declared)
        return declared

    return register


def all_rules() -> list[Rule]:
    from incplan.lint import rules  # noqa: F401  (registers the rule modules, explicitly listed there)
    from incplan.plan.problems import LOAD_RULES

    return sorted([*LOAD_RULES, *DATA_RULES, *PLAN_RULES], key=lambda r: r.code)


def resolve(names: Iterable[str]) -> frozenset[str]:
    """Rule codes for codes, names or aliases; unknown ones are a usage error."""
    by_key = {}
    for r in all_rules():
        for key in (r.code, r.name, *r.aliases):
            by_key[key.lower()] = r.code
    codes = set()
    for name in names:
        code = by_key.get(name.strip().lower())
        if code is None:
            close = did_you_mean(name.lower(), by_key)
            raise UsageError(
                f"unknown rule `{name}`", hint=(f"{close} " if close else "") + "`incplan rules` lists them all"
            )
        codes.add(code)
    return frozenset(codes)
