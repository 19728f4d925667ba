"""Which plan a command works on."""

from __future__ import annotations

import os
from pathlib import Path

from incplan.diagnostics import UsageError


class NoPlan(UsageError):
    """Nothing was named and the upward lookup found no plan."""


class AmbiguousPlan(UsageError):
    """A folder holding several YAML files where one plan was looked for (`candidates`)."""

    def __init__(self, message: str, hint: str, candidates: list[Path]) -> None:
        super().__init__(message, hint)
        self.candidates = candidates


def find_plan(explicit: str | Path | None = None, cwd: Path | None = None) -> Path:
    """`--plan PATH` (a file, or a folder holding the plan), else `INCPLAN_PLAN`, else
    ./incplan.yaml or the one YAML file in ./plans/, looking upward from the working folder to
    the repository root (the folder with `.git`)."""
    cwd = cwd or Path()  # relative: messages then show `incidents/...`, not absolute paths
    if explicit == "-":
        return Path(explicit)  # standard input, read by the loader
    if explicit:
        return _given(Path(explicit), f"--plan {explicit}", "check the path given to --plan")
    if env := os.environ.get("INCPLAN_PLAN"):
        return _given(Path(env), f"`{env}` (from INCPLAN_PLAN)", "fix or unset INCPLAN_PLAN")
    for here in _upward(cwd):
        found = _in_folder(here, strict=False)
        if found is not None:
            return found
    raise NoPlan(
        "no plan found; tried --plan, INCPLAN_PLAN, ./incplan.yaml and ./plans/ up to the repository root",
        hint="pass --plan PATH, set INCPLAN_PLAN, or run `incplan init` to write ./incplan.yaml",
    )


def plan_files(cwd: Path | None = None) -> list[Path]:
    """What `check` without PATH lints: the plan every other command finds (`find_plan`), or,
    where that lookup meets a folder of several YAML files (`plans/`), every one of them."""
    try:
        return [find_plan(cwd=cwd)]
    except AmbiguousPlan as several:
        return several.candidates
    except NoPlan:
        raise NoPlan(
            "no plan found to check; tried INCPLAN_PLAN, ./incplan.yaml and ./plans/ up to the repository root",
            hint="name plan files or folders (`incplan check PATH...`), or write a plan with `incplan init`",
        ) from None


def _upward(cwd: Path) -> list[Path]:
    """The working folder and its parents up to the repository root (outside a repository,
    the working folder alone), as relative paths: `.`, `..`, `../..`."""
    absolute = cwd.resolve()
    for depth, folder in enumerate([absolute, *absolute.parents]):
        if (folder / ".git").exists():
            return [cwd.joinpath(*([".."] * n)) for n in range(depth + 1)]
    return [cwd]


def _given(path: Path, what: str, hint: str) -> Path:
    if path.is_file():
        return path
    if path.is_dir():
        found = _in_folder(path, strict=True)
        if found is not None:
            return found
        raise UsageError(f"no plan in {what}: it has no incplan.yaml and no YAML file", hint=hint)
    raise UsageError(f"plan {what} not found", hint=hint)


def _yaml_files(folder: Path) -> list[Path]:
    try:
        return sorted(
            p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file() and not p.name.startswith(".")
        )
    except OSError:
        return []


def _in_folder(folder: Path, *, strict: bool) -> Path | None:
    """incplan.yaml in `folder`, else the one YAML file in `folder/plans/` (or, for a folder
    named with --plan, in the folder itself); several candidates are listed in the error."""
    default = folder / "incplan.yaml"
    if default.is_file():
        return default
    places = [folder / "plans", folder] if strict else [folder / "plans"]
    for place in places:
        if not place.is_dir():
            continue
        found = _yaml_files(place)
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            names = ", ".join(p.as_posix() for p in found)
            raise AmbiguousPlan(
                f"`{place.as_posix()}` holds {len(found)} YAML files, so which one is the plan is unclear: {names}",
                hint="pass --plan FILE, or set INCPLAN_PLAN",
                candidates=found,
            )
    return None
