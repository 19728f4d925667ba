"""The rule registry: every rule, from the explicit tuples of the rule modules, by code, name or
alias (case-insensitive)."""

from __future__ import annotations

from collections.abc import Iterable

from incplan.diagnostics import Rule, UsageError, did_you_mean
from incplan.lint.declare import CheckedRule
from incplan.lint.rules import hygiene, references, roster, templates
from incplan.plan.problems import LOAD_RULES

CHECKED: tuple[CheckedRule, ...] = (*hygiene.RULES, *references.RULES, *roster.RULES, *templates.RULES)
# Rules that need only the parsed YAML (they run even when the schema fails) vs. a valid plan.
DATA_RULES = tuple(r for r in CHECKED if r.data_only)
PLAN_RULES = tuple(r for r in CHECKED if not r.data_only)
RULES: tuple[Rule, ...] = tuple(sorted((*LOAD_RULES, *CHECKED), key=lambda r: r.code))


def _by_key() -> dict[str, str]:
    keys: dict[str, str] = {}
    for r in RULES:
        for key in (r.code, r.name, *r.aliases):
            if keys.setdefault(key.lower(), r.code) != r.code:
                raise AssertionError(f"`{key}` names both {keys[key.lower()]} and {r.code}")
    return keys


# Every code, name and alias, lower-cased -> the rule's code.
CODE_BY_KEY = _by_key()


def resolve(names: Iterable[str]) -> frozenset[str]:
    """Rule codes for codes, names or aliases; unknown ones are a usage error."""
    codes = set()
    for name in names:
        code = CODE_BY_KEY.get(name.strip().lower())
        if code is None:
            close = did_you_mean(name.lower(), CODE_BY_KEY)
            raise UsageError(
                f"unknown rule `{name}`", hint=(f"{close} " if close else "") + "`incplan rules` lists them all"
            )
        codes.add(code)
    return frozenset(codes)
