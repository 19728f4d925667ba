"""A plan for use while things are broken: a mistake sets aside its entry, not the whole plan.

SPEC §4: commands used during an incident keep working when the plan has problems that do not
touch what they need. The rule, applied the same way by every command and by `check`:

1. **Entries.** Every schema error and every dangling reference lies inside one *entry*, the
   smallest named part of the plan that holds it: a person, role, channel, variable, severity,
   stage, component, criterion or value; one stage x channel message (or a stage's whole
   `templates` group when that is malformed); a maintenance stage or message; one key of
   `organization`, `definition`, `maintenance` or `lint`; a top-level key (`owner`, `reviewed`,
   `reminder`, an unknown key...). That entry is *set aside*: the plan is validated without it.
   A problem no entry holds (`version`, a missing section, YAML that does not parse) leaves
   nothing to use, and every command stops as before.
2. **No cascade.** A reference *to* a set-aside entry is not a problem of its own: when
   `people.bob` has a typo, the role listing `@bob` is intact and only `people.bob` is set
   aside. Cascading would let a typo in an unused role's person stop the sev1 announcement.
3. **Needs.** Each command declares what it reads (`incplan.needs`): what it prints, renders,
   records or computes with, following references (a message reads its variables; a role's
   people are read wherever the role is). If any of that is set aside, the command stops
   (exit 1) with that entry's errors at their file:line:col; every other set-aside entry is a
   warning on stderr (file:line:col and code) and the command runs. `notify -s investigating
   -S sev1` needs that stage and severity, every channel it renders, each channel's message
   and what those messages read; `-c status_page` narrows that to one channel. A listing
   (`show roles`) leaves a set-aside entry out and says so; commands that are not used during
   an incident (`preview`, `export`, `roster`) need the whole plan.
4. **check** reports every error and lints the rest with each set-aside entry replaced by a
   stand-in (same id and references, no content), so a schema error hides no later finding.
   A finding that only follows from a stand-in is dropped (`lint.rest.follow_ons`): the stand-in's own
   findings, a channel "unused" because the one severity routing to it is set aside, renders
   that would need a set-aside variable, role, person, stage or severity.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from incplan.diagnostics import Diagnostic, PathPart, PlanError, ProblemError, Severity, check_command

if TYPE_CHECKING:
    from incplan.plan.load import PlanSource
    from incplan.plan.models import Plan

Entry = tuple[PathPart, ...]

# Sections that are mappings of named entries, and the one that is a list of them.
_MAPS = frozenset({"people", "roles", "channels", "variables", "severities", "stages", "components"})
# Sections whose own keys are the entries.
_KEYED = frozenset({"organization", "lint"})
# Keys that have no default: a set-aside one is replaced by an empty text so the rest validates.
_REQUIRED_TEXT = {("organization", "name"): "", ("definition", "incident"): ""}


def entry_of(path: tuple[PathPart, ...]) -> Entry | None:
    """The smallest entry holding the data at `path`; None when no entry does (the whole plan)."""
    if not path or path[0] == "version":
        return None
    top, rest = path[0], path[1:]
    if top in _MAPS or top == "values" or top in _KEYED:
        return path[:2]
    if top == "templates":
        return path[:3]
    if top == "definition":
        return path[:3] if rest[:1] == ("criteria",) else path[:2]
    if top == "maintenance":
        if rest[:1] == ("stages",):
            return path[:3]
        if rest[:1] == ("templates",):
            return path[:4]
        return path[:2]
    return path[:1]  # owner, reviewed, review_every, incidents_dir, reminder, an unknown key


def dotted(entry: Entry) -> str:
    """`roles.scribe`, `values[0]`, `templates.investigating.email`."""
    out = ""
    for part in entry:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _overlaps(a: Entry, b: Entry) -> bool:
    """One holds the other (or they are the same)."""
    n = min(len(a), len(b))
    return a[:n] == b[:n]


@dataclass
class Analysis:
    """What a loaded plan's errors set aside."""

    aside: dict[Entry, list[Diagnostic]] = field(default_factory=dict)  # unplaced, in the order found
    fatal: list[Diagnostic] = field(default_factory=list)  # problems no entry holds: nothing is usable
    stand_in: Plan | None = None  # the plan with stand-ins for the set-aside entries (check lints it)
    references: list[Diagnostic] = field(default_factory=list)  # reference findings, once each

    def holder(self, entry: Entry) -> Entry | None:
        """The set-aside entry that is or holds `entry`."""
        return next((e for e in self.aside if entry[: len(e)] == e), None)


def analyse(source: PlanSource) -> Analysis:
    """Set aside the entries that hold the plan's errors (schema, load and reference errors)."""
    from incplan.plan import references
    from incplan.plan.load import validate_with_paths

    result = Analysis()
    data = source.data
    errors = [d for d in source.diagnostics if d.severity is Severity.ERROR]
    if not isinstance(data, dict):
        result.fatal = errors or list(source.diagnostics)
        return result
    found = validate_with_paths(data, source.file)[1] if source.plan is None else []
    schema = {d for _, d in found}
    found += [(d.path, d) for d in errors if d not in schema]  # control characters, lone surrogates
    for path, d in found:
        entry = entry_of(path)
        if entry is None:
            result.fatal.append(d)
        else:
            result.aside.setdefault(entry, []).append(d)
    if result.fatal:
        return result
    seen: set[tuple[str, tuple[PathPart, ...], str]] = set()
    while True:
        plan, problems = validate_with_paths(_rebuild(data, result.aside, stand_ins=True), source.file)
        if plan is None:  # a stand-in that does not validate: keep every error, use nothing
            result.fatal = list(
                dict.fromkeys([d for ds in result.aside.values() for d in ds] + [d for _, d in problems])
            )
            result.aside = {}
            return result
        added = False
        for d in references.problems(plan):
            if _into_aside(d, result.aside):
                continue  # a name looked up in a section set aside as a whole: that section is the problem
            key = (d.code, d.path, d.message)
            if key in seen:
                continue
            seen.add(key)
            result.references.append(d)
            entry = entry_of(d.path)
            assert entry is not None  # every reference lies inside some entry
            holder = result.holder(entry)
            if holder is None:
                result.aside[entry] = [d]
                added = True
            else:
                result.aside[holder].append(d)
        if not added:
            result.stand_in = plan
            return result


# The section a reference rule looks names up in.
_TARGETS: dict[str, tuple[PathPart, ...]] = {
    "E201": ("people",),
    "E202": ("roles",),
    "E203": ("channels",),
    "E204": ("severities",),
    "E205": ("stages",),
    "E206": ("organization", "locales"),
}


def _into_aside(d: Diagnostic, aside: dict[Entry, list[Diagnostic]]) -> bool:
    """A reference finding whose target section is set aside as a whole (so every name in it
    looks undeclared), e.g. unknown locales while `organization.locales` itself is broken."""
    target = _TARGETS.get(d.code)
    if target is None:
        return False
    if d.code == "E205" and d.path[:1] == ("maintenance",):
        target = ("maintenance", "stages")
    return any(_overlaps(entry, target) and len(entry) <= len(target) for entry in aside)


# ---------------------------------------------------------------- the plan without the set-aside entries


def _rebuild(data: dict[str, object], aside: Iterable[Entry], *, stand_ins: bool) -> dict[str, object]:
    """A copy of the data with each set-aside entry removed, or (`stand_ins`) replaced by a
    stand-in with the same id and references and no content."""
    out = copy.deepcopy(data)
    removals: dict[tuple[PathPart, ...], list[int]] = {}
    for entry in sorted(aside, key=len):
        if any(other != entry and entry[: len(other)] == other for other in aside):
            continue  # inside another set-aside entry
        parent = value_at(out, entry[:-1])
        key = _key(parent, entry[-1])
        if isinstance(parent, list) and isinstance(key, int) and 0 <= key < len(parent):
            if stand_ins:
                parent[key] = _stand_in(entry, parent[key], data)
            else:
                removals.setdefault(entry[:-1], []).append(key)
        elif isinstance(parent, dict) and key in parent:
            if entry in _REQUIRED_TEXT:
                parent[key] = _REQUIRED_TEXT[entry]
            elif entry in (("organization",), ("definition",)):
                parent[key] = {"name": ""} if key == "organization" else {"incident": ""}
            else:
                replacement = _stand_in(entry, parent[key], data) if stand_ins and isinstance(key, str) else None
                if replacement is None:
                    del parent[key]
                else:
                    parent[key] = replacement
    for container, indices in removals.items():
        items = value_at(out, container)
        assert isinstance(items, list)  # where the indices were found
        for i in sorted(indices, reverse=True):
            del items[i]
    return out


def _key(node: object, part: PathPart) -> object:
    """The key of `node` that `part` names: pydantic writes a `null` or list key as text."""
    if isinstance(node, dict) and part not in node:
        return next((k for k in node if str(k) == str(part)), part)
    return part


def value_at(data: object, path: tuple[PathPart, ...]) -> object:
    """The value at `path` in loaded data, or None where there is none."""
    node = data
    for step in path:
        key = _key(node, step)
        if isinstance(node, dict) and key in node:
            node = node[key]
            continue
        if not (isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node)):
            return None
        node = node[key]
    return node


_HANDLE = re.compile(r"^@[A-Za-z0-9][A-Za-z0-9_.-]*$")


def _texts(raw: object, key: str, pattern: re.Pattern[str] | None = None) -> list[str]:
    """The names a broken entry lists under `key`, when every one of them is readable (then a
    stand-in's reference finding points at the right item); else none."""
    value = raw.get(key) if isinstance(raw, dict) else None
    items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    if all(isinstance(v, str) and (pattern is None or pattern.fullmatch(v)) for v in items):
        return list(items)
    return []


def _stand_in(entry: Entry, raw: object, data: dict[str, object]) -> dict[str, object] | None:
    """What `check` lints in place of a set-aside entry: its id and references, no content
    (None: the entry is simply left out)."""
    section, name = entry[0], str(entry[-1])
    if section == "maintenance" and entry[1:2] == ("stages",) and len(entry) == 3:
        section = "stages"
    elif section == "maintenance" and entry[1:2] == ("templates",):
        return {"body": ""} if len(entry) == 4 else {}
    if section == "people" and len(entry) == 2:
        return {"name": name}
    if section == "roles" and len(entry) == 2:
        return {"name": name, "people": _texts(raw, "people", _HANDLE)}
    if section == "channels" and len(entry) == 2:
        audience = raw.get("audience") if isinstance(raw, dict) else None
        return {"name": name, "type": "other", "audience": audience if isinstance(audience, str) else ""}
    if section == "variables" and len(entry) == 2:
        return {"description": "", "required": False}
    if section == "severities" and len(entry) == 2:
        return {"name": name, "channels": _texts(raw, "channels"), "roles": _texts(raw, "roles")}
    if section == "stages" and len(entry) in (2, 3):
        final = raw.get("final") if isinstance(raw, dict) else None
        return {"name": name, "final": final if isinstance(final, bool) else False}
    if section == "components" and len(entry) == 2:
        return {"name": name}
    if section == "values" and len(entry) == 2:
        return {"name": ""}
    if section == "templates":
        return {"body": ""} if len(entry) == 3 else {}
    if entry[:2] == ("definition", "criteria") and len(entry) == 3:
        severities = data.get("severities")
        first = next((k for k in severities if isinstance(k, str)), "") if isinstance(severities, dict) else ""
        ident, severity = _texts(raw, "id"), _texts(raw, "severity")
        return {
            "id": ident[0] if ident else f"criterion-{name}",
            "question": "",
            "severity": severity[0] if severity else first,
        }
    return None


# ---------------------------------------------------------------- commands: what they need


class NeedBroken(ProblemError):
    """Something the command needs is set aside (exit 1, with its errors)."""

    def __init__(self, file: str, entries: list[Entry], diagnostics: list[Diagnostic], hint: str = "") -> None:
        names = ", ".join(f"`{dotted(e)}`" for e in entries)
        count = len(diagnostics)
        super().__init__(
            f"{names} {'has' if len(entries) == 1 else 'have'} {count} error{'s' if count != 1 else ''}, "
            "and this command needs " + ("it" if len(entries) == 1 else "them"),
            diagnostics,
        )
        self.hint = (hint or "fix it and run the command again") + f" (`{check_command(file)}` lists every problem)"


@dataclass
class UsablePlan:
    """A plan validated without its set-aside entries, and what the command said it needs."""

    plan: Plan
    source: PlanSource
    aside: dict[Entry, list[Diagnostic]] = field(default_factory=dict)  # placed
    kept: dict[Entry, list[int]] = field(default_factory=dict)  # list sections: raw index of each item kept
    needed: set[Entry] = field(default_factory=set)

    @property
    def file(self) -> str:
        return self.source.file

    @property
    def data(self) -> dict[str, object]:
        data = self.source.data
        return data if isinstance(data, dict) else {}  # a usable plan is always a mapping

    def require(self, *entries: Entry, hint: str = "") -> None:
        """Stop (`NeedBroken`) when any of `entries`, something inside one or something holding
        one is set aside."""
        if not self.aside:
            return
        broken: list[Entry] = []
        for entry in entries:
            self.needed.add(entry)
            broken += [e for e in self.aside if _overlaps(e, entry) and e not in broken]
        if broken:
            self.needed.update(broken)
            raise NeedBroken(self.file, broken, _in_order(d for e in broken for d in self.aside[e]), hint)

    def require_section(self, section: Entry) -> None:
        """Stop when `section` itself (or what holds it) is set aside; its entries may be."""
        held = [e for e in self.aside if section[: len(e)] == e]
        if held:
            self.require(*held)

    def require_all(self) -> None:
        """For commands that need the whole plan."""
        if self.aside:
            self.needed.update(self.aside)
            raise PlanError(self.file, _in_order(d for ds in self.aside.values() for d in ds))

    def is_aside(self, entry: Entry) -> bool:
        return any(_overlaps(e, entry) for e in self.aside)

    def unneeded(self) -> list[tuple[Entry, list[Diagnostic]]]:
        """Set-aside entries the command did not need (warnings), in the order of the file."""
        left = [(e, ds) for e, ds in self.aside.items() if not any(_overlaps(e, n) for n in self.needed)]
        return sorted(left, key=lambda item: min((d.line, d.col) for d in item[1]))

    def criteria_reached(self) -> Callable[[int | None], None]:
        """For `classify`: called with the index (in `plan.definition.criteria`) of the criterion
        about to be asked, or None once all were answered no; each criterion of the file before
        it (or every one) must be intact, since the first yes decides."""
        kept = self.kept.get(("definition", "criteria"))
        raw = self.data.get("definition")
        criteria = raw.get("criteria") if isinstance(raw, dict) else None
        total = len(criteria) if isinstance(criteria, list) else 0

        def reached(index: int | None) -> None:
            self.require_section(("definition", "criteria"))
            upto = total if index is None else (kept[index] if kept is not None else index) + 1
            self.require(*(("definition", "criteria", i) for i in range(upto)))

        return reached


def load_usable(path: Path) -> UsablePlan:
    """The plan with every broken entry set aside (`PlanError` when nothing is usable)."""
    from incplan.plan import references
    from incplan.plan.load import load_plan, validate

    source = load_plan(path)
    clean = source.plan is not None and not any(d.severity is Severity.ERROR for d in source.diagnostics)
    if clean and source.plan is not None and not references.problems(source.plan):
        return UsablePlan(source.plan, source)
    analysis = analyse(source)
    data = source.data
    if analysis.fatal or not isinstance(data, dict):  # not a mapping: `analyse` says why
        raise PlanError(source.file, _in_order(source.place(analysis.fatal)))
    plan, _ = validate(_rebuild(data, analysis.aside, stand_ins=False), source.file)
    if plan is None:  # e.g. its one severity set aside: nothing left to use (`problems` only follow)
        raise PlanError(source.file, _in_order(source.place([d for ds in analysis.aside.values() for d in ds])))
    aside = {entry: _in_order(source.place(found)) for entry, found in analysis.aside.items()}
    return UsablePlan(plan, source, aside, _kept(data, analysis.aside))


def _in_order(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return sorted(diagnostics, key=lambda d: (d.line, d.col, d.code))


def _kept(data: dict[str, object], aside: Iterable[Entry]) -> dict[Entry, list[int]]:
    kept: dict[Entry, list[int]] = {}
    sections: tuple[Entry, ...] = (("values",), ("definition", "criteria"))
    for section in sections:
        items = value_at(data, section)
        if isinstance(items, list):
            gone = {e[len(section)] for e in aside if len(e) == len(section) + 1 and e[: len(section)] == section}
            kept[section] = [i for i in range(len(items)) if i not in gone]
    return kept


def load_for_use(path: Path) -> tuple[Plan, PlanSource]:
    """For commands that need the whole plan: valid, every reference sound, or `PlanError`
    with the positioned errors."""
    usable = load_usable(path)
    usable.require_all()
    return usable.plan, usable.source
