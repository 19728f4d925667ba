"""`incplan site build`: the plan and its records -> the files of the status site."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from incplan.json_types import JSONObject
    from incplan.plan.models import Plan
    from incplan.site.cache import EntryCache
    from incplan.site.model import Entry


@dataclass
class SiteBuild:
    out: Path
    files: int
    written: int
    unchanged: int
    incidents: int
    maintenances: int
    damaged: list[Damaged] = field(default_factory=list)

    def as_json(self) -> JSONObject:
        return {
            "out": str(self.out),
            "files": self.files,
            "written": self.written,
            "unchanged": self.unchanged,
            "incidents": self.incidents,
            "maintenances": self.maintenances,
        }


def check_base_url(url: str | None) -> str:
    from urllib.parse import urlsplit

    from incplan.diagnostics import UsageError

    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(
            f"--base-url `{url}` is not an http(s) address", hint="give one like https://status.acme.example/"
        )
    return url.rstrip("/")


@dataclass(frozen=True)
class Damaged:
    message: str


_JOB: tuple[Plan, datetime] | None = None  # what forked workers read (inherited, never pickled)
PARALLEL_FROM = 200  # records; below this a second process costs more than it saves


def _entries_of(items: list[tuple[Path, bytes]]) -> list[tuple[Entry | None, Damaged | None]]:
    from incplan.diagnostics import ProblemError
    from incplan.incidents.store import read_record_fast
    from incplan.site.model import entry_of

    assert _JOB is not None
    plan, now = _JOB
    out: list[tuple[Entry | None, Damaged | None]] = []
    for path, _content in items:
        try:
            out.append((entry_of(read_record_fast(path), plan, now), None))
        except ProblemError as problem:
            out.append((None, Damaged(problem.message)))  # set aside; the site shows the others
    return out


def public_entries(
    paths: list[Path], plan: Plan, now: datetime, cache: EntryCache | None = None
) -> tuple[list[Entry], list[Damaged]]:
    """Every record's public view: from the cache when its bytes are known, else parsed (the
    YAML dominates), on two or more cores when there are many."""
    import multiprocessing
    import os

    from incplan.incidents.store import read_record_text

    global _JOB
    entries: list[Entry] = []
    todo: list[tuple[Path, bytes]] = []
    for path in paths:
        text = read_record_text(path)  # never a FIFO, device or symlink; capped
        content = text.encode("utf-8", "surrogatepass") if text is not None else b""
        if cache is not None:
            known, entry = cache.get(cache.digest(content))
            if known:
                if entry is not None:
                    entries.append(entry)
                continue
        todo.append((path, content))
    _JOB = (plan, now)
    workers = min(os.cpu_count() or 1, 4)
    results: list[tuple[Entry | None, Damaged | None]] = []
    if len(todo) >= PARALLEL_FROM and workers > 1 and "fork" in multiprocessing.get_all_start_methods():
        chunks = [todo[i :: workers * 4] for i in range(workers * 4)]
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for chunk, part in zip(chunks, pool.map(_entries_of, chunks), strict=True):
                results.extend(part)
                if cache is not None:
                    for (_, content), (entry, problem) in zip(chunk, part, strict=True):
                        if problem is None:
                            cache.put(cache.digest(content), entry)
    else:
        results = _entries_of(todo)
        if cache is not None:
            for (_, content), (entry, problem) in zip(todo, results, strict=True):
                if problem is None:
                    cache.put(cache.digest(content), entry)
    _JOB = None
    entries += [e for e, _ in results if e is not None]
    return entries, [d for _, d in results if d is not None]


def build_site(plan: Plan, plan_path: Path, out: Path, now: datetime, base_url: str = "") -> SiteBuild:
    from incplan.incidents.store import incidents_dir, list_records
    from incplan.site.cache import EntryCache
    from incplan.site.model import build_model
    from incplan.site.render import build_files
    from incplan.site.write import write_files

    folder = incidents_dir(plan, plan_path)
    cache = EntryCache.open(plan_path.read_bytes(), folder)  # never `.incplan/site-cache.json`
    entries, damaged = public_entries(list_records(folder), plan, now, cache)
    if cache is not None:
        cache.save()
    site = build_model(plan, entries, now, check_base_url(base_url))
    files = build_files(site).files
    written = write_files(out, files)
    kinds = [e.kind for e in site.entries]
    return SiteBuild(
        out,
        len(files),
        written.written,
        written.unchanged,
        kinds.count("incident"),
        kinds.count("maintenance"),
        damaged,
    )
