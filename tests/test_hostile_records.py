"""Records a pull request (or a hand) can make hostile: a symlink to /dev/zero or outside the
repository, a FIFO, a huge file. Each is read only if it is a regular file, size-capped before
reading; it is set aside with a warning naming it while every other incident is shown."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from incplan.cli.app import app

from .conftest import ROOT

runner = CliRunner()
NOW = "2026-11-27T10:30:00+01:00"
GOOD = "2026-11-27-good"


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--color", "never", *args], env={"INCPLAN_NOW": NOW})
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copy(ROOT / "plans/incplan.yaml", tmp_path / "incplan.yaml")
    monkeypatch.chdir(tmp_path)
    code, _, err = run("incident", "open", "-t", "Good", "-S", "sev2", "--at", "10:00")
    assert code == 0, err
    return tmp_path


def secret_outside(tmp_path: Path) -> Path:
    outside = tmp_path.parent / f"{tmp_path.name}-outside.yaml"
    good = (tmp_path / "incidents" / f"{GOOD}.yaml").read_text()
    outside.write_text(good.replace(GOOD, "2026-11-27-leaked").replace("Good", "SECRET outside"))
    return outside


def make(kind: str, team: Path) -> str:
    """A hostile record of this kind in incidents/; the reason the warning gives."""
    bad = team / "incidents" / "2026-11-27-bad.yaml"
    if kind == "dev-zero":
        bad.symlink_to("/dev/zero")
        return "a symlink is not read"
    if kind == "symlink-outside":
        bad.symlink_to(secret_outside(team))
        return "a symlink is not read"
    if kind == "fifo":
        os.mkfifo(bad)
        return "a named pipe (FIFO) is not a regular file; not read"
    if kind == "huge":
        good = (team / "incidents" / f"{GOOD}.yaml").read_text()
        line = good.splitlines()[-1]
        bad.write_text(good.replace(GOOD, "2026-11-27-bad") + (line + "\n") * (9 * 1024 * 1024 // len(line)))
        return "the file is larger than 8192 KiB"
    raise AssertionError(kind)


KINDS = ["dev-zero", "symlink-outside", "fifo", "huge"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_hostile_record_is_set_aside_and_every_other_incident_shown(team: Path, kind: str) -> None:
    why = make(kind, team)
    warning = f"warning: the record `incidents/2026-11-27-bad.yaml` cannot be read: {why}"
    for args in (["incident", "status"], ["incident", "list", "--all"], ["incident", "list"], ["report", "--all"],
                 ["incident", "remind"], ["site", "build", "--out", "public"]):  # fmt: skip
        code, out, err = run(*args)
        assert code in (0, 1), (args, err)  # remind: 1, the good incident's update is overdue
        assert warning in err.splitlines(), (args, err)
        assert "SECRET" not in out + err
        if args[0] != "site":
            assert GOOD in out, args
    assert not (team / "incidents" / "2026-11-27-leaked.yaml").exists()


@pytest.mark.parametrize("kind", KINDS)
def test_a_hostile_record_named_is_an_error_and_never_written(team: Path, kind: str) -> None:
    why = make(kind, team)
    bad = team / "incidents" / "2026-11-27-bad.yaml"
    before = os.lstat(bad)
    for args in (["report", "2026-11-27-bad"], ["incident", "status", "2026-11-27-bad"],
                 ["incident", "update", "2026-11-27-bad", "--note", "x"]):  # fmt: skip
        code, out, err = run(*args)
        assert (code, out) == (1, ""), (args, err)
        assert err.splitlines()[-1] == f"error: the record `incidents/2026-11-27-bad.yaml` cannot be read: {why}"
    after = os.lstat(bad)
    assert (after.st_ino, after.st_mtime_ns, after.st_size) == (before.st_ino, before.st_mtime_ns, before.st_size)


# ------------------------------------------------------------------ where records are written


@pytest.mark.parametrize("folder", ["/abs/elsewhere", "../elsewhere2", "a/../../b", "./incidents", ".", "a\\\\b"])
def test_incidents_dir_is_a_folder_below_the_plans(team: Path, folder: str) -> None:
    plan = team / "incplan.yaml"
    plan.write_text(plan.read_text().replace("version: 1\n", f'version: 1\nincidents_dir: "{folder}"\n', 1))
    line = plan.read_text().splitlines().index(f'incidents_dir: "{folder}"') + 1
    expected = (
        f"incplan.yaml:{line}:16: error E102 `incidents_dir`: a folder below the plan's is needed: a relative path"
        f" without `.` or `..` (like `incidents`), got `{folder.replace(chr(92) * 2, chr(92))}`"
    )
    code, out, _ = run("check", "incplan.yaml")
    assert code == 1
    assert out.splitlines()[0] == expected
    code, out, err = run("incident", "open", "-t", "Elsewhere", "-S", "sev2")
    assert (code, out) == (1, "")
    assert err.splitlines()[0] == expected
    assert not [p for p in (team.parent / "elsewhere2", team.parent / "b", Path("/abs")) if p.exists()]
    assert not (team.parent / ".incplan").exists()


def test_incidents_dir_below_the_plan_is_used(team: Path) -> None:
    plan = team / "incplan.yaml"
    plan.write_text(plan.read_text().replace("version: 1\n", "version: 1\nincidents_dir: ops/records/\n", 1))
    code, _, err = run("incident", "open", "-t", "Here", "-S", "sev2")
    assert code == 0, err
    assert (team / "ops" / "records" / "2026-11-27-here.yaml").is_file()
    assert (team / "ops" / ".incplan").is_dir()


@pytest.mark.parametrize("link", ["incidents", ".incplan", ".incplan/tmp", ".incplan/locks"])
def test_a_symlinked_records_or_state_folder_is_never_written_through(team: Path, link: str) -> None:
    outside = team.parent / f"{team.name}-outside"
    outside.mkdir()
    shutil.rmtree(team / ".incplan", ignore_errors=True)
    if link == "incidents":
        shutil.rmtree(team / "incidents")
    (team / link).parent.mkdir(parents=True, exist_ok=True)
    (team / link).symlink_to(outside, target_is_directory=True)
    for args in (["incident", "open", "-t", "Other", "-S", "sev2"], ["incident", "update", GOOD, "--note", "x"]):
        if link == "incidents" and args[1] == "update":
            continue  # the record is not there to update
        code, out, err = run(*args)
        assert (code, out) == (2, ""), (args, err)
        assert err.splitlines() == [
            f"error: `{link}` is a symlink to `{outside}`; incplan does not write through a symlinked folder",
            f"  hint: give the real folder (`{outside}`), or remove the symlink",
        ]
    code, _, err = run("incident", "status")  # reading still works; the index is not written there
    assert code == 0, err
    code, _, err = run("site", "build", "--out", "public")
    assert code == 0, err
    assert list(outside.iterdir()) == []


# ------------------------------------------------------------------ init's git files


@pytest.mark.parametrize("name", [".gitattributes", ".gitignore"])
@pytest.mark.parametrize("kind", ["symlink-outside", "folder"])
def test_init_refuses_before_writing_anything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, kind: str
) -> None:
    """init wrote incplan.yaml and then refused a symlinked .gitattributes: a plan without its
    merge driver line. Every target is checked first."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    outside = tmp_path / "outside"
    outside.write_text("kept\n")
    if kind == "folder":
        (work / name).mkdir()
    else:
        (work / name).symlink_to(outside)
    code, out, err = run("init", "--org", "Acme")
    assert (code, out) == (2, ""), err
    assert err.startswith(f"error: `{name}` ")
    assert sorted(p.name for p in work.iterdir()) == [name]
    assert outside.read_text() == "kept\n"
