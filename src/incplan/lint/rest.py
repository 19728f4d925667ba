"""`check` on a plan with set-aside entries (`plan.usable`, rule 4): every error, and the rest
of the plan linted with stand-ins for the set-aside entries, without the findings that only
follow from a stand-in."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from incplan.diagnostics import Diagnostic, Severity
from incplan.plan.usable import Analysis, analyse, value_at

if TYPE_CHECKING:
    from incplan.lint.context import LintContext
    from incplan.lint.declare import CheckedRule
    from incplan.plan.load import PlanSource


def lint_rest(source: PlanSource, ctx: LintContext) -> list[Diagnostic]:
    """The plan rules' findings: the reference findings, then every other plan rule run on the
    plan with stand-ins for the set-aside entries, without the findings that only follow from
    a stand-in. `ctx` is the data rules' context (its budget and shared results carry over)."""
    from incplan.lint.registry import PLAN_RULES
    from incplan.lint.rules import references

    if source.plan is not None and not any(d.severity is Severity.ERROR for d in source.diagnostics):
        found = [d for rule in references.RULES for d in rule.check(ctx)]
        if not found:
            return _run([r for r in PLAN_RULES if r not in references.RULES], ctx)
    analysis = analyse(source)
    if analysis.fatal or analysis.stand_in is None:
        return analysis.references
    ctx = replace(ctx, plan=analysis.stand_in, aside=frozenset(analysis.aside))  # shares `shared`
    rest = _run([r for r in PLAN_RULES if r not in references.RULES], ctx)
    return analysis.references + follow_ons(rest, analysis, ctx)


def _run(rules: list[CheckedRule], ctx: LintContext) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for declared in rules:
        try:
            found.extend(declared.check(ctx))
        except RecursionError:
            continue  # a pathological plan; the loader caps already report why
    return found


def follow_ons(found: list[Diagnostic], analysis: Analysis, ctx: LintContext) -> list[Diagnostic]:
    """`found` without the findings that only follow from a stand-in."""
    aside = analysis.aside
    data = ctx.data
    aside_stages = {str(e[-1]) for e in aside if e[:1] == ("stages",) and len(e) == 2}
    aside_variables = {str(e[1]) for e in aside if e[:1] == ("variables",) and len(e) == 2}
    aside_channels = {str(e[1]) for e in aside if e[:1] == ("channels",) and len(e) == 2}
    crew_aside = any(e[:1] in (("roles",), ("people",)) for e in aside)
    people_aside = any(e[:1] == ("people",) for e in aside)
    review_aside = any(e[:1] in (("reviewed",), ("review_every",)) for e in aside)
    finals_unknown = any(
        e[:1] == ("stages",) and len(e) == 2 and not isinstance(value_at(data, (*e, "final")), bool | None)
        for e in aside
    )
    parts = {p.path: p for p in [*ctx.message_parts, *ctx.maintenance_parts, *ctx.reminder_parts]}

    def touched(d: Diagnostic) -> bool:
        """A render of a message that reads something set aside."""
        part = parts.get(d.path)
        if part is None:
            return False
        if part.stage in aside_stages or any(ch in aside_channels for ch in ctx.receivers(part.stage, part.key)):
            return True
        compiled = ctx.compiled(part.source)
        names = set(getattr(compiled, "names", ()))
        crew = ("roles" in names and crew_aside) or ("people" in names and people_aside)
        return crew or bool(names & aside_variables)

    kept = []
    for d in found:
        if analysis.holder(d.path) is not None:
            continue  # a stand-in's own finding
        if d.code in ("E303", "W303") and touched(d):
            continue
        if d.code in ("W304", "W305") and (finals_unknown or (d.path[1:2] and str(d.path[1]) in aside_stages)):
            continue
        if d.code == "W501" and review_aside:
            continue
        kept.append(d)
    return kept
