"""The two sides of `incplan diff`: a plan read from a file, or from a git revision.

Git is run as a subprocess with an argument list (never a shell); a revision that looks like
an option is refused before git sees it.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from incplan.diagnostics import Diagnostic, Severity, UsageError

if TYPE_CHECKING:
    from incplan.json_types import JSONObject
    from incplan.plan.models import Plan

GIT_TIMEOUT = 30.0  # seconds; a local `git show` takes milliseconds
WORKING_TREE = "working tree"


@dataclass
class Side:
    """One side of a comparison: where it came from and the plan, or why there is none."""

    label: str  # e.g. `main (3f2a1c9)`, `working tree`, `old.yaml`
    file: str  # the plan's path as shown (`REV:path` for a revision)
    revision: str | None = None  # full commit id for a git side
    plan: Plan | None = None
    problem: str = ""  # one line: why this side has no usable plan
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def as_json(self) -> JSONObject:
        return {
            "label": self.label,
            "file": self.file,
            "revision": self.revision,
            "ok": self.plan is not None,
            "problem": self.problem or None,
        }


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, timeout=GIT_TIMEOUT, check=False, stdin=subprocess.DEVNULL
        )
    except FileNotFoundError:
        raise UsageError("git is not installed", hint="install git, or compare two plan files") from None
    except subprocess.TimeoutExpired:
        raise UsageError(f"`git {args[0]}` took longer than {GIT_TIMEOUT:g} s") from None


def repo_root(start: Path) -> Path | None:
    result = _git(["rev-parse", "--show-toplevel"], start)
    if result.returncode != 0:
        return None
    return Path(os.fsdecode(result.stdout.strip()))


def resolve_revision(rev: str, root: Path) -> str | None:
    """The full commit id that `rev` names, or None."""
    if not rev or rev.startswith("-") or "\0" in rev:
        return None
    result = _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], root)
    if result.returncode != 0:
        return None
    return result.stdout.decode().strip()


def default_base(root: Path) -> tuple[str, str]:
    """(name, commit) of the merge base of HEAD with the default branch.

    The default branch: the pull request's base under GitHub Actions, else `origin/HEAD`,
    else a local `main` or `master`."""
    candidates = []
    if base_ref := os.environ.get("GITHUB_BASE_REF"):
        candidates += [f"origin/{base_ref}", base_ref]
    head = _git(["symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD"], root)
    if head.returncode == 0 and head.stdout.strip():
        candidates.append(head.stdout.decode().strip())
    candidates += ["origin/main", "origin/master", "main", "master"]
    if resolve_revision("HEAD", root) is None:
        raise UsageError(
            "this repository has no commits yet, so there is nothing to compare with",
            hint="commit the plan first, or compare two files: incplan diff OLD.yaml NEW.yaml",
        )
    for name in candidates:
        if resolve_revision(name, root) is None:
            continue
        merged = _git(["merge-base", name, "HEAD"], root)
        if merged.returncode == 0 and merged.stdout.strip():
            return name, merged.stdout.decode().strip()
    raise UsageError(
        "no default branch to compare with (no origin/HEAD, main or master)",
        hint="name the base: incplan diff HEAD~1, or incplan diff BRANCH",
    )


def _load_bytes(raw: bytes, shown: str, side: Side) -> Side:
    """Load with the one plan loader (every cap and check applies) from a private temp file."""
    from incplan.plan.load import load_plan

    with tempfile.TemporaryDirectory(prefix="incplan-diff-") as folder:
        path = Path(folder) / "plan.yaml"
        path.write_bytes(raw)
        return _from_source(load_plan(path, display=shown), side)


def _from_source(source: object, side: Side) -> Side:
    from incplan.plan.load import PlanSource

    assert isinstance(source, PlanSource)
    errors = [d for d in source.diagnostics if d.severity is Severity.ERROR]
    if source.plan is not None and not errors:
        side.plan = source.plan
        return side
    side.diagnostics = source.place(errors or source.diagnostics)
    count = len(side.diagnostics)
    first = side.diagnostics[0] if side.diagnostics else None
    where = f" (line {first.line}: {first.message})" if first else ""
    side.problem = f"`{side.file}` is not a usable plan: {count} error{'s' if count != 1 else ''}{where}"
    return side


def from_file(path: Path) -> Side:
    from incplan.plan.load import load_plan

    side = Side(label=str(path), file=str(path))
    if not path.is_file():
        side.problem = f"`{path}` does not exist"
        return side
    return _from_source(load_plan(path), side)


def from_revision(rev: str, commit: str, plan_path: str, root: Path) -> Side:
    """The plan as it was at `commit` (`plan_path` relative to the repository root)."""
    from incplan.plan.read import MAX_BYTES

    shown = f"{rev}:{plan_path}"
    side = Side(label=f"{rev} ({commit[:7]})", file=shown, revision=commit)
    size = _git(["cat-file", "-s", f"{commit}:{plan_path}"], root)
    if size.returncode != 0:
        side.problem = f"`{plan_path}` does not exist at `{rev}`"
        return side
    if int(size.stdout.strip() or 0) > MAX_BYTES:
        side.problem = f"`{shown}` is larger than {MAX_BYTES // 1024} KiB, too large for a plan"
        return side
    shown_blob = _git(["show", f"{commit}:{plan_path}"], root)
    if shown_blob.returncode != 0:
        side.problem = f"cannot read `{shown}`: {shown_blob.stderr.decode(errors='replace').strip()[:200]}"
        return side
    return _load_bytes(shown_blob.stdout, shown, side)


@dataclass(frozen=True)
class Comparison:
    base: Side
    head: Side


def open_sides(base: str | None, head: str | None, find_plan: Callable[[], Path], cwd: Path) -> Comparison:
    """BASE and HEAD are plan files or git revisions; defaults: the merge base with the
    default branch, and the working tree's plan (`find_plan` is asked only when needed)."""
    root = repo_root(cwd)
    found: list[Path] = []

    def plan_file() -> Path:
        if not found:
            found.append(find_plan())
        return found[0]

    def side(arg: str) -> Side:
        if Path(arg).is_file():
            return from_file(Path(arg))
        if root is None:
            raise UsageError(
                f"`{arg}` is not a file, and this is not a git repository where it could be a revision",
                hint="give two plan files: incplan diff OLD.yaml NEW.yaml",
            )
        rev, sep, path_in_rev = arg.partition(":")
        commit = resolve_revision(rev, root)
        if commit is None:
            raise UsageError(
                f"`{rev}` is neither a plan file nor a git revision",
                hint="give a commit, branch or tag (see `git log --oneline`), or a plan file",
            )
        return from_revision(rev, commit, path_in_rev if sep and path_in_rev else relative(plan_file(), root), root)

    if base is None:
        if root is None:
            raise UsageError(
                "not a git repository, so there is no default base to compare with",
                hint="give two plan files: incplan diff OLD.yaml NEW.yaml",
            )
        name, commit = default_base(root)
        base_side = from_revision(commit[:7], commit, relative(plan_file(), root), root)
        base_side.label = f"{name} merge base ({commit[:7]})"
    else:
        base_side = side(base)
    if head is None:
        head_side = from_file(plan_file())
        head_side.label = f"{WORKING_TREE} ({plan_file()})" if root is not None else str(plan_file())
    else:
        head_side = side(head)
    return Comparison(base_side, head_side)


def relative(plan_file: Path, root: Path) -> str:
    """The plan's path relative to the repository root, as git names it."""
    try:
        return plan_file.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        raise UsageError(
            f"the plan `{plan_file}` is outside the git repository at `{root}`",
            hint="run incplan diff inside the repository that holds the plan, or give two files",
        ) from None
