#!/usr/bin/env python3
"""incplan benchmark: paired medians against baselines measured in the same run.

    python3 bench/run.py [--quick]

Builds its own virtual environment in bench/.work/ with incplan (from this checkout) and the
baselines (check-jsonschema, jinja2-cli), which are never dependencies of incplan itself. Each
measurement alternates baseline and candidate runs and reports the median of per-pair ratios,
so a busy machine slows both sides alike. Budgets come from the issues.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / ".work"
VENV = WORK / "venv"  # incplan alone, installed from this checkout
BIN = VENV / "bin"
# The baselines, each in its own environment (never in incplan's): check-jsonschema with its C
# YAML extension (ruamel.yaml.clib) and jinja2-cli, and check-jsonschema without the extension.
BASE_C = WORK / "baseline-c" / "bin"
BASE_PURE = WORK / "baseline-pure" / "bin"


def sh(*cmd: str | Path, **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(c) for c in cmd], check=True, text=True, capture_output=True, **kw)  # type: ignore[call-overload]


def _venv(bin_dir: Path, *packages: str) -> None:
    if not (bin_dir / "python").exists():
        sh(sys.executable, "-m", "venv", bin_dir.parent)
    sh(bin_dir / "python", "-m", "pip", "install", "-q", "--upgrade", *packages)


def _has_c_yaml(bin_dir: Path) -> bool:
    probe = "import importlib.util as u; print(u.find_spec('_ruamel_yaml') is not None)"
    return sh(bin_dir / "python", "-c", probe).stdout.strip() == "True"


def setup(baselines: bool = True) -> None:
    _venv(BIN, str(REPO))
    if not baselines:
        return
    _venv(BASE_C, "check-jsonschema", "ruamel.yaml.clib", "jinja2-cli")
    _venv(BASE_PURE, "check-jsonschema")
    if _has_c_yaml(BASE_PURE):
        sh(BASE_PURE / "python", "-m", "pip", "uninstall", "-q", "-y", "ruamel.yaml.clib")
    if not _has_c_yaml(BASE_C) or _has_c_yaml(BASE_PURE):
        raise SystemExit("bench: check-jsonschema's C YAML extension is not where it should be")


# ------------------------------------------------------------------ realistic plans

OPENINGS = ["We are investigating", "We are looking into", "Our engineers are investigating", "We are aware of"]
FIRST_NAMES = ["Alice", "Bob", "Carol", "Dan", "Erin", "Frank", "Grace", "Hugo", "Iris", "Jan", "Kasia", "Leo"]
ZONES = ["Europe/Warsaw", "UTC", "America/New_York", "Asia/Tokyo", "Europe/Berlin"]


def make_plan(i: int) -> str:
    """A ~300-line plan, varied per `i` (names, cadences, wording) so no two files are equal."""
    rng = random.Random(i)
    text = (REPO / "plans/incplan.yaml").read_text(encoding="utf-8")
    text = text.replace("Acme Cloud", f"Company {i} Cloud").replace("Acme API", f"Product {i}")
    text = text.replace("Europe/Warsaw", rng.choice(ZONES))
    text = text.replace("We are investigating", rng.choice(OPENINGS))
    text = text.replace("update_every: 2h", f"update_every: {rng.choice([60, 90, 120, 180])}m")
    for name in ("Alice Nowak", "Bob Lee", "Carol Diaz"):
        text = text.replace(name, f"{rng.choice(FIRST_NAMES)} {name.split()[1]}{i}")
    text = text.replace("The {{ org.name }} team", f"The {{{{ org.name }}}} team (ref {i % 13})")
    extra = [
        "  # per-plan roster extension",
        *(
            f"  p{i}_{k}: {{name: {rng.choice(FIRST_NAMES)} Member{k}, email: m{k}@c{i}.example}}"
            for k in range(12)
        ),
    ]
    text = text.replace("\n# 1. Defining an incident", "\n" + "\n".join(extra) + "\n\n# 1. Defining an incident")
    extra_values = "\n".join(
        f"  - name: Value {k} of company {i}\n    description: Keep customers informed, rule {k}.\n"
        f"    in_practice:\n      - Practice {k}.a\n      - Practice {k}.b"
        for k in range(8)
    )
    return text + extra_values + "\n"


def make_record(incident_id: str, day: int, events: int, rng: random.Random) -> str:
    """A realistic record: opened, assignments, messages every few minutes, stage changes, notes."""
    start = 9 * 60 + rng.randrange(0, 300)
    lines = [
        "version: 1",
        f"id: {incident_id}",
        f"title: Benchmark incident {incident_id}",
        "plan: ../plan.yaml",
        f"opened_at: '2026-{(day % 12) + 1:02d}-{(day % 27) + 1:02d}T{start // 60:02d}:{start % 60:02d}:00+01:00'",
        "events:",
    ]
    date = lines[4].split("T")[0].split(": ")[1].strip("'")

    def at(minute: int) -> str:
        # quoted, as incplan writes them (hand-written unquoted times parse too, more slowly)
        minute += start
        return f"'{date}T{(minute // 60) % 24:02d}:{minute % 60:02d}:00+01:00'"

    lines.append(f"- {{at: {at(0)}, type: opened, severity: sev{1 + day % 3}, stage: investigating}}")
    lines.append(f"- {{at: {at(1)}, type: assigned, role: incident_commander, person: '@alice'}}")
    stages = ["identified", "monitoring"]
    for k in range(2, events - 1):
        minute = min(k, 23 * 60)
        kind = k % 10
        if kind in (0, 5):
            lines.append(f"- {{at: {at(minute)}, type: notified, stage: investigating, channel: status_page, locale: en, posted: true}}")
        elif kind == 7 and stages:
            lines.append(f"- {{at: {at(minute)}, type: stage, stage: {stages.pop(0)}}}")
        else:
            lines.append(f"- {{at: {at(minute)}, type: note, text: Checked dashboard {k}}}")
    lines.append(f"- {{at: {at(min(events, 23 * 60))}, type: stage, stage: resolved}}")
    return "\n".join(lines) + "\n"


def build_tree(root: Path, count: int) -> list[Path]:
    files = []
    for i in range(count):
        folder = root / f"team{i // 50:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"plan{i:04d}.yaml"
        path.write_text(make_plan(i), encoding="utf-8")
        files.append(path)
    return files


# ------------------------------------------------------------------ the status site over years of records

SITE_PLAN = """\
version: 1
organization: {name: Busy Cloud, product: Busy API, status_page_url: https://status.busy.example, timezone: Europe/Warsaw, locales: [en, pl]}
owner: "@alice"
people:
  alice: {name: Alice Nowak, email: alice@busy.example}
  bob: {name: Bob Lee, email: bob@busy.example}
definition: {incident: An unplanned event that disrupts a customer-facing service.}
severities:
  sev1: {name: Critical, impact: critical, first_update_within: 10m, update_every: 15m, channels: [status_page, email, chat], roles: [ic]}
  sev2: {name: Major, impact: major, first_update_within: 30m, update_every: 1h, channels: [status_page, chat], roles: [ic]}
  sev3: {name: Minor, impact: minor, first_update_within: 1h, update_every: 2h, channels: [status_page, chat], roles: [ic]}
roles:
  ic: {name: Incident Commander, people: ["@alice", "@bob"]}
channels:
  status_page: {name: Status page, type: status_page, audience: customers, owner: ic, access: vault}
  email: {name: Email, type: email, audience: customers, owner: ic, access: vault}
  chat: {name: "#incidents", type: chat, audience: internal, owner: ic, access: everyone}
components:
  api: {name: Public API, group: Core}
  dashboard: {name: Dashboard, group: Core}
  webhooks: {name: Webhooks, group: Core}
  billing: {name: Billing}
  login: {name: Login and SSO}
  eu: {name: EU region, group: Regions}
  us: {name: US region, group: Regions}
stages:
  investigating: {name: Investigating}
  identified: {name: Identified}
  monitoring: {name: Monitoring}
  resolved: {name: Resolved, final: true}
templates:
  investigating: {default: "We are investigating. Next update by {{ next_update }}."}
  identified: {default: "Cause found. Next update by {{ next_update }}."}
  monitoring: {default: "Fix applied. Next update by {{ next_update }}."}
  resolved: {default: "Resolved. No data was lost."}
"""
STATUSES = ["degraded_performance", "partial_outage", "major_outage"]
PROBLEMS = ["elevated error rates", "slow responses", "failed logins", "delayed webhooks", "invoice errors", "timeouts"]


def make_site_record(i: int, rng: random.Random, first_day: int = 0) -> tuple[str, str]:
    """An incident of a busy team: 2-8 customer updates in English and Polish (status page and
    email), internal chat and notes between them, components degraded then restored."""
    from datetime import datetime, timedelta, timezone

    zone = timezone(timedelta(hours=1))
    opened = datetime(2024, 1, 1, 8, tzinfo=zone) + timedelta(minutes=(first_day + i * 1100 * 1440 // 3000) + rng.randrange(600))
    problem = rng.choice(PROBLEMS)
    component = rng.choice(["api", "dashboard", "webhooks", "billing", "login", "eu", "us"])
    rid = f"{opened:%Y-%m-%d}-{problem.replace(' ', '-')}-{i}"
    moment = opened

    def at(minutes: int) -> str:
        nonlocal moment
        moment += timedelta(minutes=minutes)
        return f"'{moment.isoformat()}'"

    events = [
        f"{{at: {at(0)}, type: opened, severity: sev{1 + i % 3}, stage: investigating, by: '@alice'}}",
        f"{{at: {at(1)}, type: assigned, role: ic, person: '@bob'}}",
        f"{{at: {at(1)}, type: components, components: {{{component}: {rng.choice(STATUSES)}}}}}",
    ]
    stages = ["investigating", "identified", "monitoring", "resolved"][: 2 + rng.randrange(3)] + ["resolved"]
    for n, stage in enumerate(dict.fromkeys(stages)):
        if n:
            events.append(f"{{at: {at(rng.randrange(5, 90))}, type: stage, stage: {stage}}}")
        stamp = at(2)
        for locale, text in (("en", f"Update {n + 1}: {problem} on {component}, {stage}. We will update you soon."),
                             ("pl", f"Aktualizacja {n + 1}: {problem} ({component}), etap {stage}. Wkrótce więcej informacji.")):
            for channel in ("status_page", "email"):
                events.append(f"{{at: {stamp}, type: notified, stage: {stage}, channel: {channel}, locale: {locale}, posted: true, subject: '{stage.title()}: {problem}', body: '{text}'}}")
        events.append(f"{{at: {stamp}, type: notified, stage: {stage}, channel: chat, locale: en, posted: true, body: 'internal: rolling back build {i}'}}")
        events.append(f"{{at: {at(3)}, type: note, text: 'checked dashboards after update {n + 1}'}}")
    header = f"version: 1\nid: {rid}\ntitle: {problem.capitalize()} on {component}\nplan: ../incplan.yaml\nopened_at: '{opened.isoformat()}'\nevents:\n"
    return rid, header + "".join(f"  - {e}\n" for e in events)


def site_benchmark(count: int, incplan: str) -> list[dict[str, object]]:
    """`site build` over `count` records (a few years of a busy team): the first build, a rebuild
    with nothing changed, and a rebuild after one more update; wall time and peak memory."""
    import shutil

    root = WORK / f"site{count}"
    if root.exists():
        shutil.rmtree(root)
    (root / "incidents").mkdir(parents=True)
    (root / "incplan.yaml").write_text(SITE_PLAN, encoding="utf-8")
    rng = random.Random(3000)
    ids = []
    for i in range(count):
        rid, text = make_site_record(i, rng)
        (root / "incidents" / f"{rid}.yaml").write_text(text, encoding="utf-8")
        ids.append(rid)
    env = {**os.environ, "NO_COLOR": "1", "INCPLAN_NOW": "2027-01-05T12:00:00+01:00"}
    size = sum(p.stat().st_size for p in (root / "incidents").iterdir())
    print(f"site: {count} records, {size / 1e6:.1f} MB of YAML")
    rows = []
    for name, prepare in (
        ("first build (empty --out)", lambda: shutil.rmtree(root / "public", ignore_errors=True)),
        ("rebuild, nothing changed", lambda: None),
        ("rebuild after one more update", lambda: _one_more_update(root, ids[-1])),
        ("rebuild without the record cache", lambda: env.update(INCPLAN_NO_CACHE="1")),
    ):
        prepare()
        # A fresh parent whose only child is incplan: its RUSAGE_CHILDREN peak is incplan's own.
        probe = (
            "import resource, subprocess, sys, time; t = time.perf_counter(); "
            "r = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
            "u = resource.getrusage(resource.RUSAGE_CHILDREN); "
            "print(time.perf_counter() - t, u.ru_maxrss, r.returncode, u.ru_utime + u.ru_stime); "
            "print(r.stdout + r.stderr)"
        )
        command = [incplan, "site", "build", "--out", "public", "--format", "json"]
        result = subprocess.run([sys.executable, "-c", probe, *command], cwd=root, env=env, capture_output=True, text=True)
        first, _, output = result.stdout.partition("\n")
        elapsed_s, peak_kb, code, cpu_s = first.split()
        if code != "0":
            raise SystemExit(f"site build failed: {output}")
        elapsed, peak = float(elapsed_s), int(peak_kb)
        built = json.loads(output)
        row = {"name": name, "seconds": round(elapsed, 2), "cpu_seconds": round(float(cpu_s), 2),
               "peak_rss_mb": round(peak / 1024, 1),
               "files": built["files"], "written": built["written"]}
        print(f"site build, {name:<32} {elapsed:7.2f} s  CPU {float(cpu_s):7.2f} s  peak RSS {row['peak_rss_mb']} MB  "
              f"{built['files']} files, {built['written']} written", flush=True)
        rows.append(row)
    return rows


def _one_more_update(root: Path, rid: str) -> None:
    path = root / "incidents" / f"{rid}.yaml"
    path.write_text(
        path.read_text()
        + "  - {at: '2027-01-05T11:59:00+01:00', type: notified, stage: resolved, channel: status_page, locale: en, "
        "posted: true, body: 'One more customer update.'}\n"
    )


# ------------------------------------------------------------------ measuring


def timed(cmd: list[str], env: dict[str, str] | None = None, ok: tuple[int, ...] = (0,)) -> float:
    start = time.perf_counter()
    result = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode not in ok:
        raise SystemExit(f"benchmark command failed ({result.returncode}): {' '.join(cmd[:4])}...\n{result.stderr}")
    return elapsed


def paired(name: str, baseline: list[str], candidate: list[str], runs: int, budget: float, env: dict[str, str]) -> dict[str, object]:
    timed(baseline, env)  # warm the OS file cache and any on-disk caches once
    timed(candidate, env)
    ratios, base_t, cand_t = [], [], []
    for k in range(runs):
        order = [(baseline, base_t), (candidate, cand_t)]
        if k % 2:
            order.reverse()
        for cmd, sink in order:
            sink.append(timed(cmd, env))
        ratios.append(cand_t[-1] / base_t[-1])
    ratio = statistics.median(ratios)
    row = {
        "name": name,
        "baseline_s": round(statistics.median(base_t), 4),
        "incplan_s": round(statistics.median(cand_t), 4),
        "ratio": round(ratio, 3),
        "budget": None if budget == float("inf") else budget,
        "within_budget": ratio <= budget,
        "runs": runs,
    }
    verdict = "(no budget set)" if budget == float("inf") else f"(budget {budget}x) {'ok' if ratio <= budget else 'OVER'}"
    print(f"{name:<58} {row['baseline_s']:>9.4f}s {row['incplan_s']:>9.4f}s {ratio:>7.3f}x  {verdict}", flush=True)
    return row


def _cpu_timed(cmd: list[str], env: dict[str, str], ok: tuple[int, ...] = (0,)) -> tuple[float, float]:
    """(wall, CPU) seconds of one run; CPU is user + system of the child (and its children)."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = timed(cmd, env, ok)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def compare(
    name: str,
    baselines: dict[str, list[str]],
    candidates: dict[str, tuple[list[str], Any]],
    runs: int,
    budgets: dict[tuple[str, str], float],
    env: dict[str, str],
) -> list[dict[str, object]]:
    """Every baseline and every candidate once per round, in an order that rotates, `runs`
    rounds; per (candidate, baseline) the median of the rounds' ratios, wall and CPU. A
    candidate's `prepare` (or None) runs untimed just before it (e.g. empty a cache)."""
    for cmd in baselines.values():
        timed(cmd, env)  # warm the OS file cache once
    for cmd, prepare in candidates.values():
        if prepare:
            prepare()
        timed(cmd, env)
    wall: dict[str, list[float]] = {k: [] for k in [*baselines, *candidates]}
    cpu: dict[str, list[float]] = {k: [] for k in wall}
    order = list(wall)
    for k in range(runs):
        for label in order[k % len(order) :] + order[: k % len(order)]:
            if label in candidates:
                cmd, prepare = candidates[label]
                if prepare:
                    prepare()
            else:
                cmd = baselines[label]
            w, c = _cpu_timed(cmd, env)
            wall[label].append(w)
            cpu[label].append(c)
    rows = []
    for cand in candidates:
        for base in baselines:
            ratios = [c / b for c, b in zip(wall[cand], wall[base], strict=True)]
            cpu_ratios = [c / b for c, b in zip(cpu[cand], cpu[base], strict=True) if b > 0]
            budget = budgets.get((cand, base))
            ratio = statistics.median(ratios)
            row = {
                "name": f"{name}: {cand} vs {base}",
                "baseline_s": round(statistics.median(wall[base]), 4),
                "incplan_s": round(statistics.median(wall[cand]), 4),
                "ratio": round(ratio, 3),
                "cpu_ratio": round(statistics.median(cpu_ratios), 3) if cpu_ratios else None,
                "baseline_cpu_s": round(statistics.median(cpu[base]), 4),
                "incplan_cpu_s": round(statistics.median(cpu[cand]), 4),
                "budget": budget,
                "within_budget": None if budget is None else ratio <= budget,
                "runs": runs,
            }
            verdict = "" if budget is None else f"(budget {budget}x) {'ok' if ratio <= budget else 'OVER'}"
            print(
                f"{row['name']:<72} {row['baseline_s']:>8.4f}s {row['incplan_s']:>8.4f}s {ratio:>7.3f}x "
                f"cpu {row['cpu_ratio']}x {verdict}",
                flush=True,
            )
            rows.append(row)
    return rows


def absolute(name: str, cmd: list[str], runs: int, env: dict[str, str], budget: float | None, prepare: Any = None) -> dict[str, object]:
    """Median wall and CPU seconds of `cmd` against a budget in seconds."""
    walls, cpus = [], []
    timed(cmd, env)
    for _ in range(runs):
        if prepare:
            prepare()
        w, c = _cpu_timed(cmd, env)
        walls.append(w)
        cpus.append(c)
    row = {"name": name, "median_s": round(statistics.median(walls), 4), "cpu_s": round(statistics.median(cpus), 4),
           "budget_s": budget, "within_budget": None if budget is None else statistics.median(walls) <= budget, "runs": runs}  # fmt: skip
    verdict = "" if budget is None else f"(budget {budget} s) {'ok' if row['within_budget'] else 'OVER'}"
    print(f"{name:<72} {row['median_s']:>8.3f}s cpu {row['cpu_s']:>7.3f}s {verdict}", flush=True)
    return row


def machine() -> dict[str, object]:
    model = ""
    try:
        model = next(
            (line.split(":", 1)[1].strip() for line in sh("lscpu").stdout.splitlines() if line.startswith("Model name")), ""
        )
    except (OSError, subprocess.CalledProcessError):
        pass
    return {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "cpu": model, "cores": os.cpu_count(),
            "python": sys.version.split()[0], "load": [round(x, 2) for x in os.getloadavg()]}  # fmt: skip


SCALE_NOW = "2026-12-01T10:00:00+01:00"
WATCH_FRAME = """
import sys, time
from pathlib import Path
from incplan import clock
from incplan.incidents.board import board
from incplan.plan.usable import load_for_use
path = Path(sys.argv[1])
plan, _ = load_for_use(path)
board(plan, path, clock.now())  # the first frame builds the index if needed
times = []
for _ in range(int(sys.argv[2])):
    start = time.perf_counter()
    board(plan, path, clock.now())
    times.append(time.perf_counter() - start)
times.sort()
print(times[len(times) // 2])
"""


def scale_team(root: Path, count: int, open_every: int = 1000) -> Path:
    """A team folder: the plan and `count` records, one in `open_every` still open."""
    import shutil

    if root.exists():
        shutil.rmtree(root)
    (root / "incidents").mkdir(parents=True)
    (root / "plan.yaml").write_text(make_plan(20_000), encoding="utf-8")
    rng = random.Random(11)
    for i in range(count):
        text = make_record(f"inc-{i:04d}", i, 30 + i % 40, rng)
        if i % open_every == 0:
            text = "".join(line for line in text.splitlines(keepends=True) if "stage: resolved" not in line)
        (root / "incidents" / f"inc-{i:04d}.yaml").write_text(text, encoding="utf-8")
    return root


CPU: list[float] = []  # CPU seconds (user + system) of each run timed by median_time


def median_time(cmd: list[str], runs: int, env: dict[str, str], before: Any = None, ok: tuple[int, ...] = (0,)) -> float:
    """Median wall time; the median CPU time of the same runs goes to CPU (a busy machine
    stretches wall time far more than CPU time)."""
    import resource

    times, cpu = [], []
    for _ in range(runs):
        if before is not None:
            before()
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        times.append(timed(cmd, env, ok))
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - used.ru_utime + after.ru_stime - used.ru_stime)
    CPU.append(statistics.median(cpu))
    return statistics.median(times)


def scale(data: Path, runs: int, env: dict[str, str], count: int = 3000) -> list[dict[str, object]]:
    """status, remind and watch over `count` records against the same commands over the few open
    ones alone: the difference, per record, is what the closed records cost."""
    import shutil

    big = scale_team(data / f"scale{count}", count)
    small = scale_team(data / "scale-open-only", count // 1000, open_every=1)  # the same open ones
    env = {**env, "INCPLAN_NOW": SCALE_NOW}
    incplan = str(BIN / "incplan")
    rows: list[dict[str, object]] = []
    print(f"{count} records, {len(list((big / 'incidents').glob('*.yaml'))) // 1000} open; {runs} runs; budget 0.5 s")
    reference = median_time([sys.executable, "-c", "pass"], runs, env)
    start_up = median_time([incplan, "--version"], runs, env)
    print(f"machine now: python -c pass {reference:.3f} s, incplan --version {start_up:.3f} s, load {os.getloadavg()[0]:.1f}")
    print(f"{'measurement':<58} {'records':>8} {'median':>9} {'cpu':>8} {'per record':>11}")

    def report(
        name: str, seconds: float, baseline: float, budget: float | None = 0.5, cpu: tuple[float, float] | None = None
    ) -> None:
        """`cpu`: (this run's, the baseline's) CPU seconds; the per-record cost comes from them
        when given (a busy machine stretches wall time far more than CPU time)."""
        spent, base = (cpu[0], cpu[1]) if cpu else (seconds, baseline)
        per_record = (spent - base) / (count - count // 1000)
        verdict = "" if budget is None else ("ok" if seconds <= budget else "OVER")
        shown_cpu = f"{cpu[0]:>7.3f}s" if cpu is not None else f"{'':>8}"
        print(f"{name:<58} {count:>8} {seconds:>8.3f}s {shown_cpu} {per_record * 1e6:>8.1f} us  {verdict}", flush=True)
        rows.append({"name": name, "records": count, "median_s": round(seconds, 4), "cpu_s": round(cpu[0], 4) if cpu else None,
                     "per_record_us": round(per_record * 1e6, 1), "budget_s": budget})  # fmt: skip

    for command, ok in ((["incident", "status"], (0,)), (["incident", "remind", "--within", "5m"], (0, 1))):
        cmd_big = [incplan, *command, "--plan", str(big / "plan.yaml")]
        cmd_small = [incplan, *command, "--plan", str(small / "plan.yaml")]
        timed(cmd_big, env, ok)  # builds the index
        baseline = median_time(cmd_small, runs, env, ok=ok)
        wall = median_time(cmd_big, runs, env, ok=ok)
        report(f"{' '.join(command[:2])} (index warm)", wall, baseline, cpu=(CPU[-1], CPU[-2]))
    cold_runs = max(3, runs // 3)

    def drop_index() -> None:
        shutil.rmtree(big / ".incplan", ignore_errors=True)

    cmd = [incplan, "incident", "status", "--plan", str(big / "plan.yaml")]
    baseline = median_time([incplan, "incident", "status", "--plan", str(small / "plan.yaml")], cold_runs, env)
    wall = median_time(cmd, cold_runs, env, drop_index)
    report("incident status (index cold: every record scanned)", wall, baseline, None, cpu=(CPU[-1], CPU[-2]))
    python = str(BIN / "python")
    frame_big = float(sh(python, "-c", WATCH_FRAME, big / "plan.yaml", str(runs * 4), env=env).stdout)
    frame_small = float(sh(python, "-c", WATCH_FRAME, small / "plan.yaml", str(runs * 4), env=env).stdout)
    report("incident watch: one refresh, in process (index warm)", frame_big, frame_small)
    return rows


PHASES = """
import sys, time
from collections import defaultdict
from datetime import UTC, datetime
sys.path.insert(0, sys.argv[1])
from run import make_plan
from incplan.plan.load import validate
from incplan.plan.parse import parse_yaml
from incplan.lint.context import LintContext
from incplan.lint.registry import CODE_BY_KEY, DATA_RULES, PLAN_RULES
now = datetime(2026, 12, 2, 12, tzinfo=UTC)
acc = defaultdict(float)
texts = [make_plan(i) for i in range(70)]
for n, text in enumerate(texts):
    t0 = time.process_time(); data, _ = parse_yaml(text, "p.yaml"); t1 = time.process_time()
    plan, _ = validate(data, "p.yaml"); t2 = time.process_time()
    ctx = LintContext(file="p.yaml", data=data, plan=plan, today=now.date(), now=now, deadline=time.monotonic() + 20, rule_keys=CODE_BY_KEY)
    times = {"YAML (ruamel, C parser)": t1 - t0, "pydantic validation": t2 - t1}
    for rule in (*DATA_RULES, *PLAN_RULES):
        t = time.process_time(); list(rule.check(ctx)); times[rule.name] = time.process_time() - t
    if n >= 10:  # the first plans also compile templates
        for k, v in times.items():
            acc[k] += v
total = sum(acc.values())
print(f"lint work per plan: {total / 60 * 1000:.2f} ms CPU")
for k, v in sorted(acc.items(), key=lambda kv: -kv[1])[:8]:
    print(f"  {v / 60 * 1000:6.2f} ms {v / total * 100:5.1f} %  {k}")
"""


def profile(env: dict[str, str]) -> dict[str, object]:
    """Where the time goes: the lint work per plan by phase, and the imports of `notify` and of a
    cold `check` (`python -X importtime`), largest first."""
    data = WORK / "data"
    plan = data / "plan.yaml"
    out: dict[str, object] = {}
    phases = sh(BIN / "python", "-c", PHASES, HERE, env={**env, "INCPLAN_NO_CACHE": "1"}).stdout
    print(phases, end="")
    out["lint_phases"] = phases
    runs = {
        "check (cold)": ["check", str(plan)],
        "notify": ["--color", "never", "notify", "--plan", str(plan), "--stage", "investigating", "--severity", "sev1", "--example", "--format", "text"],
    }  # fmt: skip
    groups = ("typer", "click", "pydantic", "pydantic_core", "jinja2", "markupsafe", "ruamel", "_ruamel_yaml", "babel", "rich", "incplan")
    for name, args in runs.items():
        done = subprocess.run([str(BIN / "python"), "-X", "importtime", "-m", "incplan", *args], capture_output=True, text=True,
                              env={**env, "INCPLAN_NO_CACHE": "1"})  # fmt: skip
        selfs: dict[str, int] = {}
        for line in done.stderr.splitlines():
            parts = line.split("|")
            if line.startswith("import time:") and len(parts) == 3 and parts[0].split(":")[1].strip().isdigit():
                own, module = parts[0].split(":")[1].strip(), parts[2].strip()
                top = module.split(".")[0]
                key = top if top in groups else "standard library and others"
                selfs[key] = selfs.get(key, 0) + int(own)
        total = sum(selfs.values())
        print(f"imports of {name}: {total / 1000:.0f} ms (self times added up, by package)")
        for key, us in sorted(selfs.items(), key=lambda kv: -kv[1]):
            print(f"  {us / 1000:6.1f} ms  {key}")
        out[f"imports {name}"] = {k: round(v / 1000, 1) for k, v in selfs.items()}
    return out


PARTS = ("version", "check-one", "notify", "update", "tree", "scale", "profile", "report")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer runs and a 200-plan tree (a smoke run)")
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--site", type=int, metavar="N", default=None, help="only `site build` over N records")
    parser.add_argument("--only-scale", action="store_true", help="only status/remind/watch over 3,000 records")
    parser.add_argument("--profile", action="store_true", help="only where the time goes (lint phases, imports)")
    parser.add_argument("--only", action="append", choices=PARTS, default=None,
                        help="only these parts (repeatable): " + ", ".join(PARTS))  # fmt: skip
    args = parser.parse_args()
    parts = set(args.only or PARTS)
    setup(baselines=not (args.site or args.profile) and bool(parts & {"version", "check-one", "notify", "tree"}))
    if args.site:
        rows = site_benchmark(args.site, str(BIN / "incplan"))
        (WORK / "site-results.json").write_text(json.dumps(rows, indent=2))
        return
    runs = args.runs or (5 if args.quick else 15)
    tree_size = 200 if args.quick else 1000
    cache = WORK / "cache"
    env = {**os.environ, "INCPLAN_CACHE_DIR": str(cache), "NO_COLOR": "1"}
    env.pop("INCPLAN_NO_CACHE", None)
    started = machine()
    print(f"machine: {started}")
    if args.profile:
        (WORK / "data").mkdir(parents=True, exist_ok=True)
        (WORK / "data" / "plan.yaml").write_text(make_plan(10_001), encoding="utf-8")
        profile(env)
        return
    if args.only_scale:
        rows = scale(WORK / "data", runs, env)
        (WORK / "results.json").write_text(json.dumps({"machine": started, "results": rows, "after": machine()}, indent=2))
        return

    import shutil

    def empty_results() -> None:  # a result cache that has seen nothing (compiled templates kept)
        shutil.rmtree(cache / "results", ignore_errors=True)

    def empty_cache() -> None:  # nothing cached at all
        shutil.rmtree(cache, ignore_errors=True)

    data = WORK / "data"
    data.mkdir(parents=True, exist_ok=True)
    plan = data / "plan.yaml"
    plan.write_text(make_plan(10_001), encoding="utf-8")
    schema = data / "incplan.schema.json"
    schema.write_text(sh(BIN / "incplan", "schema").stdout, encoding="utf-8")
    tree = data / f"tree{tree_size}"
    if not tree.exists() and "tree" in parts:
        build_tree(tree, tree_size)
    tree_files = sorted(str(p) for p in tree.rglob("*.yaml")) if tree.exists() else []
    incplan = str(BIN / "incplan")
    cjs = {
        "check-jsonschema (C YAML)": [str(BASE_C / "check-jsonschema"), "--schemafile", str(schema)],
        "check-jsonschema (pure Python YAML)": [str(BASE_PURE / "check-jsonschema"), "--schemafile", str(schema)],
    }
    c_ext, pure = list(cjs)
    lines = len(plan.read_text().splitlines())
    print(f"plan: {lines} lines; tree: {tree_size} plans; {runs} rounds; {os.cpu_count()} cores")
    results: list[dict[str, object]] = []
    if "version" in parts:
        results.append(paired("incplan --version vs python -c pass", [sys.executable, "-c", "pass"], [incplan, "--version"], runs, 6.0, env))
    check_one = [incplan, "check", str(plan)]
    results += [] if "check-one" not in parts else compare(
        "check one plan",
        {name: [*cmd, str(plan)] for name, cmd in cjs.items()},
        {
            "warm (unchanged plan)": (check_one, None),
            "cold (result cache empty)": (check_one, empty_results),
            "cold (every cache empty)": (check_one, empty_cache),
        },
        runs,
        {("warm (unchanged plan)", c_ext): 0.5, ("cold (result cache empty)", c_ext): 0.85, ("cold (every cache empty)", c_ext): 0.85},
        env,
    )
    variables = data / "vars.json"
    variables.write_text(json.dumps({"service": "the API", "impact": "errors", "next_update": "12:00 CET"}))
    template = data / "message.j2"
    template.write_text("We are investigating {{ impact }} affecting {{ service }}. Next update by {{ next_update }}.\n")
    notify = [incplan, "--color", "never", "notify", "--plan", str(plan), "--stage", "investigating", "--severity", "sev1", "--example", "--format", "text"]  # fmt: skip
    results += [] if "notify" not in parts else compare(
        "notify (4 channels)",
        {"jinja2-cli (1 template)": [str(BASE_C / "jinja2"), str(template), str(variables)]},
        {"incplan": (notify, None)},
        runs,
        {("incplan", "jinja2-cli (1 template)"): 2.0},
        env,
    )
    incidents = data / "incidents"
    shutil.rmtree(incidents, ignore_errors=True)
    incidents.mkdir()
    rng = random.Random(7)
    for events in (1250, 2500, 5000) if "update" in parts else ():
        record = incidents / f"big-{events}.yaml"

        def fresh(record: Path = record, events: int = events) -> None:  # the same record before every run
            text = make_record(record.stem, 1, events, random.Random(7))
            record.write_text("".join(x for x in text.splitlines(keepends=True) if "stage: resolved" not in x))

        fresh()
        results.append(
            absolute(
                f"incident update, {events}-event record",
                [incplan, "incident", "update", record.stem, "--note", "bench", "--plan", str(plan)],
                runs,
                {**env, "INCPLAN_NOW": "2026-02-03T12:00:00+01:00"},
                0.4 if events == 5000 else None,
                prepare=fresh,
            )
        )
        record.unlink()
    sizes = [r for r in results if str(r["name"]).startswith("incident update")]
    per_event = [] if not sizes else [(float(b["cpu_s"]) - float(a["cpu_s"])) / (e2 - e1) for (a, e1), (b, e2) in zip(zip(sizes, (1250, 2500)), zip(sizes[1:], (2500, 5000)), strict=True)]  # fmt: skip
    if per_event:
        print(f"incident update: CPU per extra event {per_event[0] * 1e6:.1f} us (1,250 -> 2,500), {per_event[1] * 1e6:.1f} us (2,500 -> 5,000): linear if equal")
        results.append({"name": "incident update CPU per event (1250->2500, 2500->5000)", "per_event_us": [round(x * 1e6, 2) for x in per_event]})
    tree_runs = max(3, runs // 5)
    results += [] if "tree" not in parts else compare(
        f"check {tree_size}-plan tree",
        {name: [*cmd, *tree_files] for name, cmd in cjs.items()},
        {"cold (result cache empty)": ([incplan, "check", str(tree)], empty_results), "warm (unchanged files)": ([incplan, "check", str(tree)], None)},
        tree_runs,
        {("cold (result cache empty)", c_ext): 0.35, ("warm (unchanged files)", c_ext): 0.15},
        env,
    )
    if "scale" in parts:
        results.extend(scale(data, runs, env))
    big = data / "scale3000"
    if "report" in parts and not (big / "plan.yaml").exists():
        scale_team(big, 3000)
    profiled = profile(env) if "profile" in parts else {}
    if "report" in parts:
        report_all = [incplan, "report", "--all", "--format", "json", "--plan", str(big / "plan.yaml")]
        report_env = {**env, "INCPLAN_NOW": SCALE_NOW}
        results.append(absolute("report --all over 3,000 incidents (figures kept)", report_all, max(3, runs // 3), report_env, 3.0))
        results.append(absolute("report --all over 3,000 incidents (figure cache empty)", report_all, max(3, runs // 3), report_env, 3.0,
                                prepare=lambda: shutil.rmtree(cache / "reports", ignore_errors=True)))  # fmt: skip
    del pure
    out = {"machine": started, "after": machine(), "results": results, "profile": profiled}
    (WORK / "results.json").write_text(json.dumps(out, indent=2))
    print(f"machine after: {out['after']}")
    print(f"results: {WORK / 'results.json'}")


if __name__ == "__main__":
    main()
