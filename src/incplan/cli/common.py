"""What the commands share: the options spelled once (SPEC section 4), the plan loaded for use,
a record's file, the command to run next, and the reporters of a command that writes a record."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Protocol

import typer

from incplan.cli.output import format_option


class Damage(Protocol):
    """A record set aside as damaged (a `ProblemError`, the site's `Damaged`)."""

    @property
    def message(self) -> str: ...


if TYPE_CHECKING:
    from incplan.json_types import JSONObject
    from incplan.plan.models import Plan
    from incplan.plan.usable import UsablePlan
    from incplan.wording import Words

PLAN = typer.Option(None, "--plan", "-p", metavar="PATH", help="Plan file or folder (default: discovered).")
AT = typer.Option(
    None, "--at", metavar="TIME", help="When it happened (default now): 10:05, 15m ago, or ISO 8601 (offset optional)."
)
COMPONENT = typer.Option(
    [], "--component", metavar="ID=STATUS", help="A component's status, e.g. api=major_outage; repeatable."
)
VAR = typer.Option([], "--var", metavar="NAME=VALUE", help="A template variable's value; repeatable.")
VARS = typer.Option(None, "--vars", metavar="FILE", help="YAML or JSON file of variables (`-`: standard input).")
BY = typer.Option(None, "--by", metavar="@handle", help="Who did it (recorded with the event).")
READER_LOCALE = typer.Option(
    None,
    "--locale",
    "-l",
    help="Language of the view (default: LC_ALL or LC_MESSAGES if the plan has it, else its first).",
)


@dataclass(frozen=True)
class Done:
    """What a write command did: its lines for people, and the same as one JSON object for scripts."""

    data: JSONObject
    text: str


def report_done_text(done: Done, out: IO[str]) -> None:
    from incplan.controls import printable

    out.write(printable(done.text))


def report_done_json(done: Done, out: IO[str]) -> None:
    import json

    from incplan.controls import json_printable

    out.write(json_printable(json.dumps(done.data, indent=2, ensure_ascii=False)) + "\n")


DONE_BY_NAME = {"text": report_done_text, "json": report_done_json}
FORMAT = format_option(DONE_BY_NAME)


def done_words(plan: Plan) -> Words:
    """incplan's words for what a write command did and what to run next: the terminal's message
    language when the plan declares it, else the plan's first (a write has no `--locale`)."""
    from incplan.wording import reader_locale, words

    return words(reader_locale(plan, None))


def load_usable(plan_option: str | None, *, records: bool = True) -> tuple[UsablePlan, Path]:
    """The plan with its broken entries set aside (`plan.usable`); the command then says what
    it needs (`incplan.needs`), and the rest is warned about when it ends."""
    from incplan import needs
    from incplan.cli.output import track
    from incplan.plan.discover import find_plan
    from incplan.plan.usable import load_usable as usable_plan

    path = find_plan(plan_option)
    usable = track(usable_plan(path))
    needs.base(usable, records=records)
    return usable, path


def when(at: str | None, plan: Plan) -> datetime:
    """An entered `--at` (never in the future), or now."""
    from incplan import clock

    tz = plan.organization.timezone
    return clock.entered(at, "--at", timezone=tz, now=clock.now(tz))


def suggest(*args: str, plan_option: str | None = None) -> str:
    """A command to run next, quoted so that it runs as printed."""
    import shlex

    extra = ["--plan", plan_option] if plan_option else []
    return shlex.join(["incplan", *args, *extra])


def next_notify(plan: Plan, plan_path: Path, incident_id: str, plan_option: str | None) -> str:
    """`--send` when a channel of the incident's message has delivery; else show the messages
    (`notify` itself then says how to record them once posted)."""
    from incplan.announce import channels_for
    from incplan.incidents.state import fold
    from incplan.incidents.store import read_record_fast

    record = read_record_fast(record_file(plan, plan_path, incident_id))
    plan = plan.for_record(record)
    state = fold(record, plan)
    channels = channels_for(plan, state, state.severity)
    delivering = any(plan.channels[ch].delivery is not None for ch in channels if ch in plan.channels)
    args = ["notify", "-i", incident_id, *(["--send"] if delivering else [])]
    return suggest(*args, plan_option=plan_option)


def variables_given(var: list[str], vars_file: str | None) -> dict[str, str]:
    """`--vars FILE` first, then each `--var NAME=VALUE` over it."""
    from incplan.variables import given_values

    return given_values(vars_file, var)


def record_file(plan: Plan, plan_path: Path, incident_id: str) -> Path:
    from incplan.incidents.store import incidents_dir, record_path

    return record_path(incidents_dir(plan, plan_path), incident_id)


def warn_damaged(damaged: Sequence[Damage]) -> None:
    from incplan.cli.output import warn

    for problem in damaged:
        warn(problem.message)
