"""Loading a plan for use by commands other than `check`: valid, and every reference sound."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from incplan.diagnostics import Severity
from incplan.plan.discover import PlanError

if TYPE_CHECKING:
    from incplan.plan.load import PlanSource
    from incplan.plan.models import Plan


def load_for_use(path: Path) -> tuple[Plan, PlanSource]:
    """A plan whose schema and cross-references hold, or `PlanError` with the positioned
    errors. Warnings (and template problems, which fail only the message that has them) do not
    stop use; a severity that routes to an undeclared channel would."""
    from incplan.lint.context import LintContext
    from incplan.lint.rules import references
    from incplan.plan.load import load_plan

    source = load_plan(path)
    errors = [d for d in source.diagnostics if d.severity is Severity.ERROR]
    if source.plan is None or errors:
        raise PlanError(source.file, source.place(errors or source.diagnostics))
    now = datetime.now(UTC)
    ctx = LintContext(file=source.file, data=source.data, plan=source.plan, today=now.date(), now=now)
    broken = [d for rule in references.RULES for d in rule.check(ctx)]  # type: ignore[operator]
    if broken:
        raise PlanError(source.file, source.place(broken))
    return source.plan, source
