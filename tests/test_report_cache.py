"""Issue 13: `report --all` keeps the figures of closed incidents between runs.

A kept answer must be the answer: the same bytes as a run without the cache, for every format
and at any moment; an open incident follows the clock; a changed record or plan is computed
again; a damaged, foreign or planted entry is never believed, and never a crash.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from incplan.cli.app import app

from .conftest import ROOT, ROOT_SHARING, share_cache_root

FORMATS = ["text", "json", "markdown", "html"]
DAY = "2026-11-27T"


def record(rid: str, title: str, events: list[str], severity: str = "sev1", opened: str = "10:00") -> str:
    lines = [
        "version: 1",
        f"id: {rid}",
        f"title: {title}",
        f"opened_at: '{DAY}{opened}:00+01:00'",
        "events:",
        f"- {{at: '{DAY}{opened}:00+01:00', type: opened, severity: {severity}, stage: investigating}}",
    ]
    lines += [f"- {{at: '{DAY}{at}:00+01:00', {rest}}}" for at, rest in (e.split(" ", 1) for e in events)]
    return "\n".join(lines) + "\n"


POSTED = "type: notified, stage: investigating, channel: status_page, locale: en, posted: true"
# Closed, by hand: first update 10:05 (target 10m: met); next due 10:20 (sev1 investigating
# every 15m), posted 10:50: one breach, 30m late; resolved 11:00 (1h to resolve).
LATE = record(
    "2026-11-27-late",
    "Late second update",
    [
        f"10:05 {POSTED}",
        "10:10 type: stage, stage: identified",
        f"10:50 {POSTED}",
        "11:00 type: stage, stage: resolved",
    ],
)
# Closed: first update 10:30 for a sev2 opened at 10:00 (target 20m: missed); the next would be
# due at 11:00 (investigating every 30m), but it was resolved at 10:40: cadence kept.
MISSED = record(
    "2026-11-27-missed",
    "First update missed",
    [f"10:30 {POSTED}", "10:40 type: stage, stage: resolved"],
    severity="sev2",
)
# Open: nothing posted; its first update (sev1, 10m) is due at 12:10.
OPEN = record("2026-11-27-open", "Still open", [], opened="12:00")


@pytest.fixture
def team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copy(ROOT / "plans/incplan.yaml", tmp_path / "incplan.yaml")
    (tmp_path / "incidents").mkdir()
    for text in (LATE, MISSED, OPEN):
        rid = text.split("\n")[1].removeprefix("id: ")
        (tmp_path / "incidents" / f"{rid}.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("INCPLAN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))  # recovery files of this test only
    return tmp_path


def report(fmt: str = "json", now: str = "12:05", cached: bool = True) -> str:
    env = {"INCPLAN_NOW": f"{DAY}{now}:00+01:00", "INCPLAN_NO_CACHE": None if cached else "1"}
    result = CliRunner().invoke(app, ["--color", "never", "report", "--all", "-f", fmt], env=env)
    assert result.exit_code == 0, result.stdout + result.stderr
    return result.stdout


def entry(team: Path) -> Path:
    (path,) = (team / "cache" / "reports").rglob("*.json")
    return path


def test_the_figures_are_the_hand_calculation(team: Path) -> None:
    """What the runs below compare is right to begin with (cold, then warm)."""
    for _ in range(2):
        period = json.loads(report())
        assert period["incidents"] == 3
        assert period["median_time_to_resolve_s"] == 3000  # (3600 + 2400) / 2, in whole seconds
        assert period["median_time_to_first_update_s"] == 1050  # (300 + 1800) / 2
        assert {type(period[k]) for k in ("median_time_to_resolve_s", "median_time_to_first_update_s")} == {int}
        assert (period["first_update_met_share"], period["cadence_met_share"]) == (0.5, 0.5)
        assert period["pending"] == 1  # the open one at 12:05: its first update is due at 12:10


@pytest.mark.parametrize("fmt", FORMATS)
def test_cold_warm_and_uncached_print_the_same(fmt: str, team: Path) -> None:
    uncached = report(fmt, cached=False)
    assert not (team / "cache" / "reports").exists()
    assert report(fmt) == uncached  # cold: computes and keeps
    kept = json.loads(entry(team).read_text())["records"]
    assert len(kept) == 2, "the two closed incidents, never the open one"
    assert report(fmt) == uncached  # warm


def test_an_open_incident_follows_the_clock_when_warm(team: Path) -> None:
    report(now="12:05")
    for now in ("12:05", "12:20", "13:00"):
        assert report(now=now) == report(now=now, cached=False)
    assert json.loads(report(now="12:20"))["pending"] == 0  # its first update is late now


def test_a_changed_record_or_plan_is_computed_again(team: Path) -> None:
    report()
    late = team / "incidents" / "2026-11-27-late.yaml"
    # second update at 10:15 (due 10:20), resolved at 10:30 before the next was due: cadence kept
    late.write_text(late.read_text().replace("10:50:00", "10:15:00").replace("11:00:00", "10:30:00"), encoding="utf-8")
    assert report("text") == report("text", cached=False)
    assert json.loads(report())["cadence_met_share"] == 1.0
    plan = team / "incplan.yaml"
    plan.write_text(plan.read_text().replace("first_update_within: 20m", "first_update_within: 40m"), encoding="utf-8")
    assert json.loads(report())["first_update_met_share"] == 1.0  # 10:30 is within 40m now
    assert report("text") == report("text", cached=False)


def test_kept_deliveries_are_folded_in_not_answered_from_the_cache(team: Path) -> None:
    from datetime import datetime

    from incplan.incidents import recovery

    report()
    missed = team / "incidents" / "2026-11-27-missed.yaml"
    at = datetime.fromisoformat(f"{DAY}10:10:00+01:00")
    recovery.keep(missed, [{"at": at, "type": "notified", "stage": "investigating", "channel": "status_page",
                            "locale": "en", "delivered": True, "ref": "abc"}])  # fmt: skip
    assert json.loads(report())["first_update_met_share"] == 1.0  # 10:10 is within its 20m
    assert report("text") == report("text", cached=False)
    assert len(json.loads(entry(team).read_text())["records"]) == 1, "not kept while deliveries are"


def _plant_title(team: Path, title: str = "Planted title") -> Path:
    """Give a kept entry another title, every value of the right type."""
    path = entry(team)
    data = json.loads(path.read_text())
    for row in data["records"].values():
        row["title"] = title
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize("root", ["private", "root-symlink-to-a-private-folder"])
def test_a_planted_entry_would_be_believed_in_the_users_own_folder(team: Path, root: str) -> None:
    """Control for the tests below: in a private folder, the planted entry is what is printed."""
    report()
    _plant_title(team)
    if root != "private":
        share_cache_root(team / "cache", root)
    assert json.loads(report("json")) == json.loads(report("json", cached=False))  # (no titles in the figures)
    assert report("markdown").count("Planted title") == 2


@pytest.mark.parametrize(
    "how",
    [
        "folder-writable-by-others",
        "subfolder-writable-by-group",
        "entry-writable-by-others",
        "entry-owned-by-another-user",
        "folder-owned-by-another-user",
        "folder-symlink",
        "entry-symlink",
        *ROOT_SHARING,
    ],
)
def test_an_entry_others_could_have_written_is_never_used(how: str, team: Path) -> None:
    truth = report("markdown", cached=False)
    report()
    path = _plant_title(team)
    folder = team / "cache" / "reports"
    if how.startswith("root-"):
        share_cache_root(team / "cache", how)
    elif how == "folder-writable-by-others":
        folder.chmod(0o777)
    elif how == "subfolder-writable-by-group":
        path.parent.chmod(0o770)
    elif how == "entry-writable-by-others":
        path.chmod(0o666)
    elif how.endswith("owned-by-another-user"):
        if os.geteuid() != 0:
            pytest.skip("giving a file to another user needs root")  # the suite runs as root in CI
        os.chown(path if how.startswith("entry") else folder, 4242, 4242)
    elif how == "folder-symlink":
        folder.rename(team / "elsewhere")
        folder.symlink_to(team / "elsewhere")
    else:
        path.rename(team / "planted.json")
        path.symlink_to(team / "planted.json")
    assert report("markdown") == truth
    assert report("markdown") == truth


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b'{"format": 1, "records": {',
        b"\x00\xff\xfe binary",
        b"[" * 100_000 + b"]" * 100_000,
        b"null",
        b'{"format": 2, "records": {}}',
        b'{"format": 1, "records": []}',
    ],
    ids=["empty", "truncated", "binary", "deep", "null", "other-format", "records-not-an-object"],
)
def test_a_damaged_file_is_rebuilt(damage: bytes, team: Path) -> None:
    truth = report("markdown", cached=False)
    report()
    path = entry(team)
    path.write_bytes(damage)
    assert report("markdown") == truth
    assert len(json.loads(path.read_text())["records"]) == 2, "rebuilt whole"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", 7),
        ("breach_count", "1"),
        ("breach_count", True),
        ("breach_count", -1),
        ("time_to_resolve_s", 3600.5),
        ("resolved_at", None),  # an open incident is never kept
        ("opened_at", "2026-11-27T10:00:00"),  # no offset
        ("opened_at", "yesterday"),
        ("opened_at", "9999-12-31T23:59:59-23:59"),
        ("first_update_status", "great"),
        ("channels", "status_page"),
        ("stages", [1]),
        ("severity", None),
        ("id", {"a": 1}),
    ],
)
def test_a_damaged_entry_is_computed_again(field: str, value: object, team: Path) -> None:
    truth = report("markdown", cached=False)
    report()
    path = entry(team)
    data = json.loads(path.read_text())
    for row in data["records"].values():
        row["title"] = "Planted title"  # were the entry believed, this would show
        row[field] = value
    path.write_text(json.dumps(data))
    assert report("markdown") == truth
    rows = json.loads(path.read_text())["records"].values()
    assert all(row["title"] != "Planted title" for row in rows), "kept as computed"


def test_a_missing_field_is_computed_again(team: Path) -> None:
    truth = report("markdown", cached=False)
    report()
    path = entry(team)
    data = json.loads(path.read_text())
    for row in data["records"].values():
        row["title"] = "Planted title"
        del row["cadence_status"]
    path.write_text(json.dumps(data))
    assert report("markdown") == truth


def test_no_cache_is_written_with_caching_off(team: Path) -> None:
    report(cached=False)
    assert not (team / "cache").exists()


def test_figures_another_build_kept_are_never_served(team: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A changed computation (here: how breaches are counted) comes with a new incplan build,
    and the file's key holds incplan's code: what an older build kept is computed again."""
    from incplan.lint import cache

    truth = report("markdown", cached=False)
    report()
    path = entry(team)
    data = json.loads(path.read_text())
    for row in data["records"].values():
        row["breach_count"] = 7  # what an older computation said
    path.write_text(json.dumps(data))
    assert "| 7 |" in report("markdown"), "control: this build believes what it kept"
    sources = cache._sources()
    edited = [s.replace(" ", " 1", 1) if s.split()[0].endswith("incidents/state.py") else s for s in sources]
    assert edited != sources
    monkeypatch.setattr(cache, "_sources", lambda: edited)  # state.py changed: a new build
    cache.fingerprint.cache_clear()
    try:
        assert report("markdown") == truth
    finally:
        cache.fingerprint.cache_clear()
