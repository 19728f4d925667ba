"""Lint results kept between runs, as ruff keeps its own: `check` of an unchanged plan answers
from here without importing YAML, pydantic or Jinja2.

An entry holds one file's diagnostics (without the file name, which the caller adds back) under a
key made of everything the result depends on:
- the file's text;
- incplan's code: its version and the size and time of every source file (a development
  checkout changes without a new version);
- the libraries that shape results: Babel (CLDR dates and their lengths), Jinja2, MarkupSafe,
  pydantic, ruamel.yaml, tzdata, and Python itself; the system time zone database;
- the options: `--ignore` (as written: each spelling is its own entry), `--plans-only`;
- the moment examples are rendered at (`runner.lint_moment`: the date, or `INCPLAN_NOW`), which
  also decides `review-overdue`.
What the plan itself says (`lint.ignore`, `lint.rules` levels) is part of its text; `check`
reads no other file. Results that depend on the machine (a render stopped by the CPU or memory
limit, a plan out of its time budget) are never stored.

Entries are JSON, read only from a private folder (`cachedir`) and checked field by field:
anything missing, damaged, foreign or of another shape is a miss, never an error.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
from collections.abc import Iterable
from dataclasses import astuple, dataclass
from datetime import datetime
from pathlib import Path

from incplan import __version__, cachedir
from incplan.diagnostics import Diagnostic, Severity

FORMAT = 1
DEPENDENCIES = frozenset({"babel", "jinja2", "markupsafe", "pydantic", "pydantic_core", "ruamel_yaml", "tzdata"})
_TZ_FOLDERS = ("/usr/share/zoneinfo", "/usr/lib/zoneinfo", "/usr/share/lib/zoneinfo", "/etc/zoneinfo")
_SEVERITIES = {s.value: s for s in Severity}


@functools.cache
def fingerprint() -> str:
    """incplan's code, the libraries and the time zone data this process lints with."""
    parts = [f"format {FORMAT}", f"incplan {__version__}", sys.version, *_sources(), *_distributions(), *_zones()]
    return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


def _sources() -> list[str]:
    stamps: list[str] = []
    folders = [str(Path(__file__).resolve().parent.parent)]
    while folders:  # os.scandir: one system call per folder, the stat comes with the entry
        with os.scandir(folders.pop()) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                if entry.is_dir(follow_symlinks=False) and entry.name != "__pycache__":
                    folders.append(entry.path)
                elif entry.name.endswith(".py"):
                    info = entry.stat()
                    stamps.append(f"{entry.path} {info.st_mtime_ns} {info.st_size}")
    return stamps


def _distributions() -> list[str]:
    """The installed versions of the libraries, from their `*.dist-info` folder names (reading
    `importlib.metadata` would cost more than a whole cached check)."""
    found = []
    for folder in sys.path:
        try:
            with os.scandir(folder or ".") as entries:
                names = [e.name for e in entries if e.name.endswith(".dist-info")]
        except OSError:
            continue
        for name in names:
            project = name.partition("-")[0].lower().replace(".", "_")
            if project in DEPENDENCIES or project.startswith("ruamel_yaml"):
                found.append(f"{folder} {name}")
    return sorted(found)


def _zones() -> list[str]:
    stamps = [f"PYTHONTZPATH={os.environ.get('PYTHONTZPATH', '')}"]
    for folder in _TZ_FOLDERS:
        for name in ("tzdata.zi", "+VERSION"):
            try:
                info = (Path(folder) / name).stat()
            except OSError:
                continue
            stamps.append(f"{folder}/{name} {info.st_mtime_ns} {info.st_size}")
    return stamps


class ResultCache:
    """One run's view of the cache: the options are fixed, files come and go."""

    def __init__(self, folder: Path, *, ignore: Iterable[str], plans_only: bool, moment: datetime) -> None:
        self.folder = folder
        names = sorted({name.strip().lower() for name in ignore})
        self._salt = json.dumps([fingerprint(), names, plans_only, moment.isoformat()], ensure_ascii=True).encode(
            "ascii"
        )

    @classmethod
    def open(cls, *, ignore: Iterable[str], plans_only: bool, moment: datetime) -> ResultCache | None:
        """The cache for these options, or None when caching is off."""
        root = cachedir.cache_root()
        if root is None:
            return None
        return cls(root / "results", ignore=ignore, plans_only=plans_only, moment=moment)

    def babel_answers(self) -> Path:
        """Where Babel's answers for this run's moment are kept (`localize.remember_in`): one
        file per moment and fingerprint (Babel's version is in it)."""
        digest = hashlib.sha256(b"babel\x00" + self._salt).hexdigest()
        return self.folder.parent / "localize" / f"{digest}.json"

    def key(self, text: str) -> str:
        digest = hashlib.sha256(self._salt)
        digest.update(b"\x00")
        digest.update(text.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def get(self, key: str, file: str) -> tuple[bool, str, list[Diagnostic]] | None:
        """(skipped, why, diagnostics) stored under `key`, with `file` as their file; None on a miss."""
        payload = cachedir.read_entry(self.folder, key, ".json")
        if payload is None or len(payload) > cachedir.MAX_ENTRY:
            return None
        try:
            entry = json.loads(payload)
            return _entry(entry, key, file)
        except (ValueError, TypeError, KeyError, IndexError, RecursionError):
            return None

    def put(self, key: str, skipped: bool, reason: str, diagnostics: list[Diagnostic]) -> None:
        if not all(_plain_path(list(d.path)) for d in diagnostics):
            return  # a key of a type JSON does not keep (a date): not worth storing
        rows = [[d.code, d.name, d.severity.value, d.message, d.line, d.col, list(d.path), d.hint] for d in diagnostics]
        payload = json.dumps(
            {"format": FORMAT, "key": key, "skipped": skipped, "reason": reason, "diagnostics": rows}, ensure_ascii=True
        )
        cachedir.write_entry(self.folder, key, payload.encode("ascii"), ".json")


def _plain_path(path: list[object]) -> bool:
    return all(type(part) in (str, int, float, bool) or part is None for part in path)


# Why a file was skipped (`runner.FileReport.reason`): "" says nothing, "record" is an incident
# record (`cli.reporting.SKIPPED`); a file that was linted has no reason.
_REASONS = {False: ("",), True: ("", "record")}


def _entry(entry: object, key: str, file: str) -> tuple[bool, str, list[Diagnostic]] | None:
    if not isinstance(entry, dict) or entry.get("format") != FORMAT or entry.get("key") != key:
        return None
    skipped, reason, rows = entry.get("skipped"), entry.get("reason"), entry.get("diagnostics")
    if not isinstance(skipped, bool) or not isinstance(reason, str) or not isinstance(rows, list):
        return None
    if reason not in _REASONS[skipped]:  # the reporter has words only for these
        return None
    found = []
    for row in rows:
        if not isinstance(row, list) or len(row) != 8:
            return None
        code, name, severity, message, line, col, path, hint = row
        texts = (code, name, message, hint)
        if not all(isinstance(t, str) for t in texts) or severity not in _SEVERITIES:
            return None
        if not all(type(n) is int and n >= 1 for n in (line, col)) or not isinstance(path, list):
            return None
        if not _plain_path(path):
            return None
        found.append(
            Diagnostic(code, name, _SEVERITIES[severity], message, file, line, col, tuple(path), hint, resolved=True)
        )
    return skipped, reason, found


@dataclass(frozen=True)
class RuleInfo:
    """What reporters say about a rule (SARIF's rule list), without importing the rules."""

    code: str
    name: str
    severity: str
    summary: str
    doc: str
    aliases: tuple[str, ...] = ()


def rule_catalogue() -> list[RuleInfo]:
    """Every rule, sorted by code: from the cache when this code was seen before (importing the
    rules imports pydantic and the plan models), else from the registry, then stored."""
    root = cachedir.cache_root()
    folder = root / "results" if root is not None else None
    key = hashlib.sha256(f"rules\x00{fingerprint()}".encode()).hexdigest()
    if folder is not None and (payload := cachedir.read_entry(folder, key, ".json")) is not None:
        try:
            entry = json.loads(payload)
            if isinstance(entry, dict) and entry.get("key") == key and isinstance(entry.get("rules"), list):
                rules = [RuleInfo(r[0], r[1], r[2], r[3], r[4], tuple(r[5])) for r in entry["rules"]]
                if all(isinstance(v, str) for i in rules for v in (*astuple(i)[:5], *i.aliases)):
                    return rules
        except (ValueError, TypeError, IndexError, RecursionError):
            pass
    from incplan.lint.registry import RULES

    rules = [RuleInfo(r.code, r.name, r.severity.value, r.summary, r.description, tuple(r.aliases)) for r in RULES]
    if folder is not None:
        stored = json.dumps({"key": key, "rules": [astuple(r) for r in rules]}, ensure_ascii=True)
        cachedir.write_entry(folder, key, stored.encode("ascii"), ".json")
    return rules
