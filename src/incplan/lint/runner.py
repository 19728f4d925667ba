"""Lint files and trees: discovery, the rules, ignore lists, positions, and both cores."""

from __future__ import annotations

import contextlib
import gc
import os
import re
import stat
import sys
from collections.abc import Iterable, Iterator, MutableSequence, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from time import monotonic_ns

from incplan.diagnostics import Diagnostic, Severity, UsageError
from incplan.lint.cache import ResultCache
from incplan.plan.read import STDIN, read_text

PLAN_SUFFIXES = (".yaml", ".yml")
SKIP_FOLDERS = frozenset({"incidents", "node_modules", "__pycache__", "venv"})
PARALLEL_FROM = 24  # files; below this, forking costs more than it saves


@dataclass
class FileReport:
    file: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    skipped: bool = False  # not a plan (an incident record kept in a folder of another name)
    reason: str = ""  # why it was skipped, when the user should hear it: "record"
    # False when the result depends on the machine (a render stopped by a limit, the time budget)
    cacheable: bool = True

    @property
    def errors(self) -> int:
        return sum(d.severity is Severity.ERROR for d in self.diagnostics)

    @property
    def warnings(self) -> int:
        return sum(d.severity is Severity.WARNING for d in self.diagnostics)

    @property
    def infos(self) -> int:
        return sum(d.severity is Severity.INFO for d in self.diagnostics)


def discover(paths: Sequence[str | Path]) -> list[Path]:
    """Plan files named or below the folders named; hidden and incident folders are skipped.

    Only what `os.walk` lists is followed; a FIFO or device named `*.yaml` is still returned
    (`lint_file` reports it without reading it), and nothing here opens a file."""
    found: list[Path] = []
    for raw in paths:
        if str(raw) == "":
            raise UsageError("an empty path was given", hint="give plan files or folders, or nothing for `.`")
        path = Path(raw)
        shown = _shorten(str(raw))
        if str(raw) == "-":
            found.append(path)  # standard input, read by the loader
            continue
        try:
            info = path.stat()
        except FileNotFoundError:
            raise UsageError(
                f"`{shown}`: no such file or folder", hint="give plan files or folders that hold them"
            ) from None
        except OSError as exc:
            raise UsageError(
                f"`{shown}`: {exc.strerror or exc}", hint="give plan files or folders you can read"
            ) from None
        if stat.S_ISDIR(info.st_mode):
            found.extend(_walk(path))
        else:
            found.append(path)
    return found


def _masked(found: list[Diagnostic], secrets: set[str]) -> list[Diagnostic]:
    """Every diagnostic without the values the secret rule flagged: check's output goes to CI logs,
    and another rule's message (an unknown key, a wrong type) would otherwise repeat them."""
    if not secrets:
        return found
    from dataclasses import replace

    ordered = sorted((s for s in secrets if s), key=len, reverse=True)

    def clean(text: str) -> str:
        for secret in ordered:
            text = text.replace(secret, "***")
        return text

    return [replace(d, message=clean(d.message), hint=clean(d.hint)) for d in found]


def _shorten(text: str, width: int = 120) -> str:
    return text if len(text) <= width else f"{text[: width // 2]}…{text[-width // 2 :]}"


def _walk(root: Path) -> Iterator[Path]:
    """Plan files below `root`; a folder that cannot be listed is yielded itself, so that
    `lint_file` reports it instead of the walk passing over it in silence."""
    unreadable: list[Path] = []

    def skipped(error: OSError) -> None:
        unreadable.append(Path(error.filename))

    for folder, dirs, files in os.walk(root, onerror=skipped):
        yield from unreadable
        unreadable.clear()
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_FOLDERS)
        here = Path(folder)
        for name in sorted(files):
            if name.endswith(PLAN_SUFFIXES) and not name.startswith("."):
                yield here / name
    yield from unreadable


# Top-level keys of a plan: a YAML file with fewer than two of them is some other tool's file.
PLAN_KEYS = frozenset(
    {"version", "organization", "owner", "people", "definition", "severities", "roles", "channels", "stages"}
    | {"variables", "templates", "values", "reviewed", "review_every", "lint", "incidents_dir"}
)
_TOP_KEY = re.compile(r"^([A-Za-z_]+)\s*:", re.MULTILINE)


def looks_like_plan(text: str | None, data: object) -> bool:
    """For hooks that hand over every YAML file (pre-commit `types: [yaml]`): a plan has two or
    more plan keys at the top level, or a modeline naming incplan's schema. Judged from the text
    when the YAML is broken, so a plan with a syntax error is still reported."""
    if text is not None and "incplan.schema.json" in text.partition("\n")[0]:
        return True
    if isinstance(data, dict):
        keys = {str(k) for k in data}
    elif data is None and text is not None:
        keys = set(_TOP_KEY.findall(text))
    else:
        return False
    return len(keys & PLAN_KEYS) >= 2


def lint_file(
    path: Path,
    *,
    now: datetime,
    ignore: frozenset[str] = frozenset(),
    plans_only: bool = False,
    budget: float | None = None,
    text: str | None = None,
) -> FileReport:
    """All diagnostics of one file (of `text`, when the caller has read it). Rendering its
    messages stops after `budget` seconds (by default the 20 s of SPEC §3), counted from here."""
    import time

    from incplan.lint.context import LintContext
    from incplan.lint.registry import CODE_BY_KEY, DATA_RULES
    from incplan.lint.rest import lint_rest
    from incplan.lint.rules.templates import PLAN_BUDGET
    from incplan.plan.load import load_plan

    budget = PLAN_BUDGET if budget is None else budget
    deadline = time.monotonic() + budget
    if path.is_dir():  # a folder the walk could not list
        return FileReport(str(path), [_unreadable_folder(path)], cacheable=False)
    source = load_plan(path, text=text)
    cacheable = True
    if _is_record(source.data) and not plans_only:
        return FileReport(source.file, skipped=True, reason="record")
    if _is_record(source.data) or (plans_only and not looks_like_plan(source.text, source.data)):
        return FileReport(source.file, skipped=True)
    found = list(source.diagnostics)
    if isinstance(source.data, dict):
        ctx = LintContext(
            file=source.file,
            data=source.data,
            plan=source.plan,
            today=now.date(),
            now=now,
            deadline=deadline,
            rule_keys=CODE_BY_KEY,
        )
        ctx.shared.budget = budget
        for declared in DATA_RULES:
            try:
                found.extend(declared.check(ctx))
            except RecursionError:
                cacheable = False
                continue  # a pathological plan; the loader caps already report why
        found.extend(lint_rest(source, ctx))  # plan rules; a broken entry set aside, not the plan
        renders = ctx.shared.renders
        if renders is not None and (renders.out_of_budget or renders.over_limit):
            cacheable = False  # another machine, or this one less busy, might get further
        ignore = ignore | _plan_ignores(source.data)
        found = _apply_levels(found, _plan_levels(source.data))
        found = _masked(found, ctx.shared.secrets)
    kept = [d for d in found if d.code not in ignore]
    placed = source.place(kept)
    placed.sort(key=lambda d: (d.line, d.col, d.code))
    return FileReport(source.file, _dedupe(placed), cacheable=cacheable)


def _unreadable_folder(path: Path) -> Diagnostic:
    from incplan.plan import problems as P

    try:
        os.scandir(path).close()
        why = "it changed while it was read"
    except OSError as exc:
        why = exc.strerror or str(exc)
    return P.NOT_A_PLAN.at(
        f"cannot read the folder: {why}; the plans in it were not checked",
        hint="give incplan read and search access to it (`chmod u+rx`), or leave it out of the paths",
        line=1,
        file=str(path),
    )


def _is_record(data: object) -> bool:
    """An incident record (`incidents_dir` may give its folder any name) is not a plan."""
    return isinstance(data, dict) and "events" in data and "opened_at" in data and "organization" not in data


def _plan_ignores(data: dict[str, object]) -> frozenset[str]:
    from incplan.lint.registry import resolve

    lint = data.get("lint")
    names = lint.get("ignore") if isinstance(lint, dict) else None
    if not isinstance(names, list):
        return frozenset()
    codes: set[str] = set()
    for name in names:
        if isinstance(name, str):
            with contextlib.suppress(UsageError):  # reported by the unknown-rule rule
                codes |= resolve([name])
    return frozenset(codes)


LEVELS = {"info": Severity.INFO, "warning": Severity.WARNING, "error": Severity.ERROR}


def _plan_levels(data: dict[str, object]) -> dict[str, str]:
    """`lint.rules: {RULE: off | info | warning | error}` as rule code -> level (yamllint-style:
    the linter, not the rule, decides the severity). Unknown rules are reported by unknown-rule."""
    from incplan.lint.registry import resolve

    lint = data.get("lint")
    levels = lint.get("rules") if isinstance(lint, dict) else None
    if not isinstance(levels, dict):
        return {}
    by_code: dict[str, str] = {}
    for name, level in levels.items():
        if isinstance(name, str) and (level in LEVELS or level == "off"):
            with contextlib.suppress(UsageError):
                for code in resolve([name]):
                    by_code[code] = level
    return by_code


def _apply_levels(diagnostics: list[Diagnostic], levels: dict[str, str]) -> list[Diagnostic]:
    if not levels:
        return diagnostics
    out = []
    for d in diagnostics:
        level = levels.get(d.code)
        if level == "off":
            continue
        out.append(d if level is None else replace(d, severity=LEVELS[level]))
    return out


def _dedupe(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    seen = set()
    out = []
    for d in diagnostics:
        key = (d.line, d.col, d.code, d.message)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


def lint_moment() -> datetime:
    """The moment `check` renders the examples at and judges review dates by: `INCPLAN_NOW`, else
    noon (UTC) today. A plan's result is then the same all day (CI never turns red at some hour
    because a rendered time got longer) and can be cached by the date."""
    from incplan import clock

    if os.environ.get("INCPLAN_NOW"):
        return clock.now()
    return datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)


def lint_paths(
    paths: Sequence[str | Path],
    *,
    ignore: Iterable[str] = (),
    now: datetime | None = None,
    jobs: int | None = None,
    plans_only: bool = False,
    cache: bool = False,
    supervise: bool = False,
) -> tuple[int, Iterator[FileReport]]:
    """(number of files, reports in file order). Raises `UsageError` for missing paths or rules.

    With `cache`, results of files seen before with the same text and options come from the
    result cache (`lint.cache`); only the others are linted, and their results are stored.
    With `supervise` (the CLI), plans linted one by one are linted in a child process held to a
    CPU limit per plan (`lint.backstop`), which then does the caller's reporting too."""
    files = discover(paths)
    names = list(ignore)
    moment = now or lint_moment()
    results = ResultCache.open(ignore=names, plans_only=plans_only, moment=moment) if cache else None
    if results is not None:
        from incplan import localize

        localize.remember_in(results.babel_answers())
    done: dict[int, FileReport] = {}
    todo: list[tuple[int, Path, str | None, str | None]] = []  # (index, path, text read, its key)
    for i, path in enumerate(files):
        text = key = None
        if results is not None and str(path) != STDIN:
            text, _ = read_text(path, str(path))
            if text is not None:
                key = results.key(text)
                hit = results.get(key, str(path))
                if hit is not None:
                    done[i] = FileReport(str(path), hit[2], skipped=hit[0], reason=hit[1])
                    continue
        todo.append((i, path, text, key))
    codes: frozenset[str] = frozenset()
    if todo or not files:
        from incplan.lint.registry import resolve

        codes = resolve(names)  # a cache hit implies the names resolved when it was stored
    job = _Job(moment, codes, plans_only)
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers > 1 and len(todo) >= PARALLEL_FROM and sys.platform == "linux":
        linted: Iterator[FileReport] = _parallel(job, todo, workers, supervise=supervise)
    else:
        if todo and supervise:
            from incplan.lint import backstop

            backstop.fork()  # from here on, in a child held to a CPU limit per plan
        linted = (job.lint(task) for task in todo)
    return len(files), _in_order(len(files), done, todo, linted, results)


def _in_order(
    total: int,
    done: dict[int, FileReport],
    todo: list[tuple[int, Path, str | None, str | None]],
    linted: Iterator[FileReport],
    results: ResultCache | None,
) -> Iterator[FileReport]:
    from incplan import localize

    pending = iter(todo)
    for i in range(total):
        if i in done:
            yield done[i]
            continue
        _, _, _, key = next(pending)
        report = next(linted)
        if results is not None and key is not None and report.cacheable:
            results.put(key, report.skipped, report.reason, report.diagnostics)
        yield report
    if results is not None:
        localize.save_remembered()


@dataclass(frozen=True)
class _Job:
    now: datetime
    ignore: frozenset[str]
    plans_only: bool

    def lint(self, task: tuple[int, Path, str | None, str | None]) -> FileReport:
        _, path, text, _ = task
        from incplan.lint import backstop

        backstop.arm(path)
        return lint_file(path, now=self.now, ignore=self.ignore, plans_only=self.plans_only, text=text)


def _parallel(
    job: _Job, todo: list[tuple[int, Path, str | None, str | None]], workers: int, *, supervise: bool
) -> Iterator[FileReport]:
    """The reports of `todo`, in order, linted by `workers` forked processes. With `supervise`
    each plan is held to the CPU limit of `lint.backstop` in its worker; a worker that dies (that
    limit, or the system's out-of-memory killer) ends the run with an error naming its plan,
    where `multiprocessing.Pool` would wait forever for the lost result."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    # Build everything heavy before forking, so that the children share it.
    import incplan.lint.registry
    import incplan.plan.models
    import incplan.templates.render  # noqa: F401
    from incplan.lint import backstop

    global _JOB, _STARTED
    _JOB = job
    # When each plan's lint began (monotonic ns; 0 before, -1 once done), in memory the forked
    # workers share: after a worker dies, the plan it was on is the one begun earliest and not done.
    fork = multiprocessing.get_context("fork")
    _STARTED = fork.RawArray("q", len(todo))
    chunk = max(1, min(32, len(todo) // (workers * 8)))
    # What the workers inherit is never collected there, so their collections neither walk it
    # nor copy its pages (Python's advice for fork): 4 % fewer instructions for 100 plans.
    ours = gc.get_freeze_count() == 0  # a caller that froze objects itself keeps them so
    if ours:
        gc.freeze()
    pool = ProcessPoolExecutor(workers, mp_context=fork, initializer=backstop.hold, initargs=(supervise,))
    try:
        yield from pool.map(_lint_one, enumerate(todo), chunksize=chunk)
    except BrokenProcessPool:
        begun = [(_STARTED[n], n) for n in range(len(todo)) if _STARTED[n] > 0]
        if not begun:
            raise UsageError("a worker process of `check` ended before it began a plan") from None
        start, n = min(begun)
        ran = (monotonic_ns() - start) / 1e9
        raise backstop.stopped(todo[n][1], by_limit=supervise and ran >= backstop.cpu_seconds()) from None
    except BaseException:  # Ctrl-C, or the reader of the reports went away: no plan is waited for
        for worker in multiprocessing.active_children():
            worker.kill()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        _STARTED = None
        if ours:
            gc.unfreeze()  # the caller's objects are collected as before


_JOB: _Job | None = None
_STARTED: MutableSequence[int] | None = None


def _lint_one(task: tuple[int, tuple[int, Path, str | None, str | None]]) -> FileReport:
    assert _JOB is not None and _STARTED is not None
    n, item = task
    _STARTED[n] = monotonic_ns()
    report = _JOB.lint(item)
    _STARTED[n] = -1
    return report
