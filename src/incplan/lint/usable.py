"""Loading a plan for use by commands other than `check`: valid, and every reference sound."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from incplan.diagnostics import Severity
from incplan.plan.discover import PlanError

if TYPE_CHECKING:
    from incplan.diagnostics import Diagnostic
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
    if source.plan is None and errors and _set_aside(source, errors):
        errors = []
    if source.plan is None or errors:
        raise PlanError(source.file, source.place(errors or source.diagnostics))
    now = datetime.now(UTC)
    ctx = LintContext(file=source.file, data=source.data, plan=source.plan, today=now.date(), now=now)
    broken = [d for rule in references.RULES for d in rule.check(ctx)]
    if broken:
        raise PlanError(source.file, source.place(broken))
    return source.plan, source


# What no command used during an incident reads: a mistake there is a warning, not a stop.
UNNEEDED = ("values", "lint", "owner", "reviewed", "review_every")


def _set_aside(source: PlanSource, errors: list[Diagnostic]) -> bool:
    """When every schema error lies in an unneeded section, validate the plan without those
    sections and keep the errors as `set_aside` (printed as warnings)."""
    from incplan.plan.load import validate

    if not isinstance(source.data, dict) or not all(d.path and d.path[0] in UNNEEDED for d in errors):
        return False
    sections = {d.path[0] for d in errors}
    plan, problems = validate({k: v for k, v in source.data.items() if k not in sections}, source.file)
    if plan is None or problems:
        return False
    source.plan = plan
    source.set_aside = source.place(errors)
    return True
