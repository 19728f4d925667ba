"""Cross-references between sections (`plan.references`, E201-E208) as lint rules: the loader
for use sets aside what they find, so they are declared with the plan, and linted from here."""

from __future__ import annotations

from collections.abc import Iterable

from incplan.diagnostics import Diagnostic
from incplan.lint.context import LintContext
from incplan.lint.declare import CheckedRule
from incplan.plan import references
from incplan.plan.references import ReferenceRule


def _linted(declared: ReferenceRule) -> CheckedRule:
    def check(ctx: LintContext) -> Iterable[Diagnostic]:
        return declared.check_plan(ctx.valid)

    return CheckedRule(declared.code, declared.name, declared.severity, declared.doc, declared.aliases, check=check)


RULES = tuple(_linted(declared) for declared in references.RULES)
