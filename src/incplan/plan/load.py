"""Plan loading: bytes -> caps -> YAML -> pydantic model, every problem a positioned diagnostic.

Each step has its own module: `plan.read` (bytes and their cap), `plan.parse` (YAML with the
caps of `plan.yaml_caps` and the errors of `plan.yaml_errors`) and `plan.model_errors`
(pydantic's errors); this one composes them. The fast path is ruamel's C safe loader (~5 ms for
a 300-line plan). Only files with findings are parsed again round-trip (~40 ms) to place
diagnostics that carry a data path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from incplan.diagnostics import STDIN_NAME, Diagnostic, PathPart
from incplan.plan import problems as P
from incplan.plan.model_errors import data_path, schema_diagnostic
from incplan.plan.parse import parse_yaml
from incplan.plan.read import STDIN, read_text

if TYPE_CHECKING:
    from incplan.plan.models import Plan
    from incplan.plan.positions import Positions


@dataclass
class PlanSource:
    file: str
    text: str | None = None
    data: object = None  # the YAML as plain data (dicts, lists, scalars)
    plan: Plan | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    _positions: Positions | None = None

    def place(self, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
        """Give every path-based diagnostic its line and column, and the file name."""
        pending = [d for d in diagnostics if not d.resolved]
        if pending and self._positions is None and self.text is not None:
            from incplan.plan.positions import Positions

            self._positions = Positions(self.text)
        placed = []
        for d in diagnostics:
            if not d.resolved:
                d = self._positions.place(d) if self._positions is not None else d.with_position(1, 1)
            placed.append(d if d.file == self.file else d.with_file(self.file))
        return placed


def validate(data: object, file: str) -> tuple[Plan | None, list[Diagnostic]]:
    plan, found = validate_with_paths(data, file)
    return plan, [d for _, d in found]


def validate_with_paths(data: object, file: str) -> tuple[Plan | None, list[tuple[tuple[PathPart, ...], Diagnostic]]]:
    """The plan, or each schema error with the data path of what is wrong: a missing key's own
    path (`organization.name`), where the diagnostic points at its parent. `plan.usable` sets
    aside the entry that holds it."""
    from pydantic import ValidationError

    from incplan.plan.models import Plan

    if data is None:
        return None, [
            ((), P.NOT_A_PLAN.at("the file is empty", hint="run `incplan init` to start a plan", line=1, file=file))
        ]
    if not isinstance(data, dict):
        kind = "list" if isinstance(data, list) else "single value"
        return None, [
            (
                (),
                P.NOT_A_PLAN.at(
                    f"the top level is a {kind}, not a mapping of plan sections",
                    hint="a plan starts with `version: 1` and `organization:`",
                    line=1,
                    file=file,
                ),
            )
        ]
    try:
        return Plan.model_validate(data), []
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        return None, [(data_path(tuple(e["loc"]), data), schema_diagnostic(e, data)) for e in errors]


def load_plan(path: str | Path, *, display: str | None = None, text: str | None = None) -> PlanSource:
    """Load and validate one plan file; never raises for anything in the file. `text`: the
    file's text, already read (by the lint result cache, which keyed it)."""
    path = Path(path)
    file = display if display is not None else (STDIN_NAME if str(path) == STDIN else str(path))
    source = PlanSource(file=file)
    source.text, source.diagnostics = (text, []) if text is not None else read_text(path, file)
    if source.text is None:
        return source
    source.data, problems = parse_yaml(source.text, file)
    if problems and source.data is None:
        source.diagnostics = problems
        return source
    source.plan, found = validate(source.data, file)
    source.diagnostics = problems + found
    return source
