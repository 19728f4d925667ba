"""What a responder needs for one severity, and the classification that leads to it."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from incplan.diagnostics import UsageError, unknown_name
from incplan.plan.durations import plan_notation

if TYPE_CHECKING:
    from datetime import timedelta

    from incplan.plan.models import Channel, Criterion, Plan
    from incplan.wording import Words


@dataclass(frozen=True)
class PersonLine:
    handle: str
    name: str
    contacts: str


@dataclass(frozen=True)
class RoleLine:
    id: str
    name: str
    people: list[PersonLine]


@dataclass(frozen=True)
class ChannelLine:
    id: str
    name: str
    audience: str
    owner: str
    access: str


@dataclass
class Playbook:
    severity: str
    name: str
    description: str
    impact: str
    first_update: str
    cadence: list[tuple[str, str]]  # (stage name, every)
    roles: list[RoleLine] = field(default_factory=list)
    channels: list[ChannelLine] = field(default_factory=list)
    first_command: str = ""
    has_first_update: bool = True  # for the words around `first_update`; not in the JSON


_NOT_IN_JSON = ("has_first_update",)


def person_line(plan: Plan, handle: str) -> PersonLine:
    person = plan.person(handle)
    if person is None:
        return PersonLine(handle, handle, "")
    contacts = " · ".join(c for c in (person.phone, person.chat, person.email) if c)
    return PersonLine(handle, person.name, contacts)


def _english() -> Words:
    from incplan.wording import words

    return words("en")


def owner_text(plan: Plan, owner: str | None, w: Words | None = None) -> str:
    """Who owns a channel: a person's name, or a role with its first person."""
    w = w or _english()
    if not owner:
        return w["plan.no_owner"]
    if owner.startswith("@"):
        return person_line(plan, owner).name
    role = plan.roles.get(owner)
    if role is None:
        return owner
    first = person_line(plan, role.people[0]).name if role.people else w["plan.nobody"]
    return f"{role.name} ({first})"


def languages_text(plan: Plan, channel: Channel, w: Words | None = None) -> str:
    """The languages a channel posts in: `pl`, or `pl + en (one post)` when it joins several."""
    languages = channel.posts_in(plan.default_locale)
    joined = " + ".join(languages)
    return (w or _english())("plan.one_post", languages=joined) if len(languages) > 1 else joined


def duration_text(span: timedelta, w: Words) -> str:
    """A duration of the plan for people: English as the plan writes it (`15m`, `1h30m`), other
    languages in narrow CLDR units (pl `15 min`, `1 h 30 min`), which take no case."""
    return plan_notation(span) if w.language == "en" else w.span(span)


def playbook(plan: Plan, severity: str, plan_option: str | None = None, w: Words | None = None) -> Playbook:
    """One severity's playbook; its placeholders (`not set`, `(no owner)`) and durations in the
    words of `w` (English, as `--format json` always gives them, when not given)."""
    if severity not in plan.severities:
        raise unknown_name("severity", severity, list(plan.severities))
    w = w or _english()
    sev = plan.severities[severity]
    cadence = []
    for stage_id, stage in plan.stages.items():
        every = sev.cadence(stage_id)
        if not stage.final and every is not None:
            cadence.append((stage.name, duration_text(every, w)))
    book = Playbook(
        severity=severity,
        name=sev.name,
        description=sev.description,
        impact=sev.impact,
        first_update=duration_text(sev.first_update_within, w) if sev.first_update_within else w["plan.not_set"],
        cadence=cadence,
        has_first_update=sev.first_update_within is not None,
    )
    for role_id in sev.roles:
        role = plan.roles.get(role_id)
        if role is not None:
            book.roles.append(RoleLine(role_id, role.name, [person_line(plan, h) for h in role.people]))
    for ch_id in sev.channels:
        ch = plan.channels.get(ch_id)
        if ch is not None:
            book.channels.append(
                ChannelLine(
                    ch_id, ch.name, ch.audience, owner_text(plan, ch.owner, w), ch.access or w["plan.not_written"]
                )
            )
    book.first_command = first_command(plan, severity, plan_option)
    return book


def first_command(plan: Plan, severity: str, plan_option: str | None = None) -> str:
    """`notify` for the first stage, with a placeholder for exactly the inputs its messages
    need (nothing else): it runs as printed, and its output can't pass for a real message."""
    from datetime import UTC, datetime

    from incplan.diagnostics import ProblemError
    from incplan.templates.compose import MissingInputs, compose

    stage = next(iter(plan.stages))
    parts = ["incplan", "notify", "-s", stage, "-S", severity]
    try:
        compose(plan, stage=stage, now=datetime.now(UTC), severity=severity)
    except MissingInputs as missing:
        for item in missing.missing:
            if item.name == "title":
                parts += ["-t", "<title>"]
            elif item.name != "severity":
                parts += ["--var", f"{item.name}=<{item.name}>"]
    except (ProblemError, UsageError):
        pass  # a broken template: `notify` itself says what is wrong
    if plan_option:
        parts += ["--plan", plan_option]
    return shlex.join(parts)


def playbook_json(book: Playbook) -> dict[str, object]:
    from dataclasses import asdict

    data = asdict(book)
    for name in _NOT_IN_JSON:
        data.pop(name)
    return data


@dataclass
class Classification:
    severity: str | None  # None: not an incident
    decided_by: Criterion | None
    answers: list[tuple[Criterion, bool]]


def classify(
    plan: Plan,
    yes: list[str],
    no: list[str],
    ask: Callable[[Criterion], bool] | None,
    reached: Callable[[int | None], None] | None = None,
) -> Classification:
    """Walk the criteria in order; the first "yes" decides. Unanswered ones go to `ask`.
    `reached(i)` is told before criterion `i` is answered, `reached(None)` when none said yes
    (`UsablePlan.criteria_reached` stops there when a criterion before is set aside)."""
    criteria = plan.definition.criteria
    if not criteria:
        raise UsageError(
            "the plan has no criteria to classify with",
            hint="add yes/no questions under `definition.criteria`, most severe first",
        )
    ids = [c.id for c in criteria]
    for given in [*yes, *no]:
        if given not in ids:
            raise unknown_name("criterion", given, ids)
    both = set(yes) & set(no)
    if both:
        raise UsageError(f"criterion `{sorted(both)[0]}` is given both --yes and --no")
    answers: list[tuple[Criterion, bool]] = []
    for index, criterion in enumerate(criteria):
        if reached is not None:
            reached(index)
        if criterion.id in yes:
            answer = True
        elif criterion.id in no:
            answer = False
        elif _decided_anyway(criterion, criteria[index + 1 :], yes, no):
            continue  # yes or no, the severity is the same: never asked
        elif ask is not None:
            answer = ask(criterion)
        else:
            raise UsageError(
                f"no answer for `{criterion.id}`: {criterion.question}",
                hint=f"pass --yes {criterion.id} or --no {criterion.id}, or run it in a terminal to be asked",
            )
        answers.append((criterion, answer))
        if answer:
            return Classification(criterion.severity, criterion, answers)
    if reached is not None:
        reached(None)
    return Classification(None, None, answers)


def _decided_anyway(criterion: Criterion, later: list[Criterion], yes: list[str], no: list[str]) -> bool:
    """True when the answer to `criterion` cannot change the severity: answered no, the walk
    would end at a later "yes" already given, with every criterion it could stop at on the way
    leading to the same severity as this one."""
    outcomes = set()
    for other in later:
        if other.id in no:
            continue
        outcomes.add(other.severity)  # the walk may stop here: at a given yes, or an unanswered one
        if other.id in yes:
            return outcomes == {criterion.severity}
    return False  # no yes given after it: "not an incident" stays possible
