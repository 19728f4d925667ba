"""Hostile output paths (issue 8 item 2, SPEC §9 "Output paths"): incplan writes through to
regular files only, keeps modes, and never leaves half a file."""

from __future__ import annotations

import os
import resource
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from incplan.cli.app import app

from ..conftest import ROOT

runner = CliRunner()
ID = "2026-11-27-checkout-errors"


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--color", "never", *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copy(ROOT / "plans/incplan.yaml", tmp_path / "incplan.yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def umask_027() -> Iterator[None]:
    old = os.umask(0o027)
    try:
        yield
    finally:
        os.umask(old)


def open_incident() -> None:
    code, _, err = run("incident", "open", "--title", "Checkout errors", "--severity", "sev2")
    assert code == 0, err


def _device(path: Path) -> bool:
    """A character device like /dev/null at `path` (needs root); a broken build then replaces this
    one, never the machine's own /dev/null."""
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        return False
    return True


def test_init_force_never_replaces_a_device(team: Path) -> None:
    device = team / "null"
    if not _device(device):
        pytest.skip("making a device node needs root")
    code, _, err = run("init", str(device), "--force")
    assert code == 2
    assert f"error: `{device}` is a device; incplan writes only regular files" in err
    assert stat.S_ISCHR(device.lstat().st_mode)


def test_export_never_replaces_or_blocks_on_a_fifo(team: Path) -> None:
    os.mkfifo(team / "pipe")
    code, _, err = run("export", "-o", "pipe")  # opening a FIFO to write would block: we never do
    assert code == 2
    assert "error: `pipe` is a FIFO; incplan writes only regular files" in err
    assert stat.S_ISFIFO((team / "pipe").lstat().st_mode)


def test_a_folder_is_refused(team: Path) -> None:
    (team / "out").mkdir()
    code, _, err = run("export", "-o", "out")
    assert code == 2 and "error: `out` is a folder; incplan writes only regular files" in err


def test_a_symlink_out_of_the_folder_is_refused(team: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "precious.txt"
    elsewhere.write_text("keep me\n")
    (team / "report.md").symlink_to(elsewhere)
    open_incident()
    code, _, err = run("report", ID, "-o", "report.md")
    assert code == 2
    assert f"is a symlink to `{elsewhere}`, outside `.`" in err
    assert elsewhere.read_text() == "keep me\n"
    assert (team / "report.md").is_symlink()


def test_a_symlink_inside_the_folder_is_written_through(team: Path) -> None:
    (team / "docs").mkdir()
    (team / "docs" / "plan-v1.md").write_text("old\n")
    (team / "docs" / "plan.md").symlink_to("plan-v1.md")
    code, _, err = run("export", "-o", "docs/plan.md")
    assert code == 0, err
    assert (team / "docs" / "plan.md").is_symlink()
    assert (team / "docs" / "plan-v1.md").read_text().startswith("# ")
    assert sorted(p.name for p in (team / "docs").iterdir()) == ["plan-v1.md", "plan.md"]  # no temp file left


def test_an_existing_file_keeps_its_mode(team: Path) -> None:
    for mode in (0o644, 0o640, 0o664):
        target = team / f"plan-{mode:o}.md"
        target.write_text("old\n")
        target.chmod(mode)
        assert run("export", "-o", target.name)[0] == 0
        assert stat.S_IMODE(target.stat().st_mode) == mode
        assert target.read_text() != "old\n"


def test_new_files_follow_the_umask(team: Path, umask_027: None) -> None:
    assert run("export", "-o", "new.md")[0] == 0
    assert run("init", "fresh.yaml")[0] == 0
    assert stat.S_IMODE((team / "new.md").stat().st_mode) == 0o640
    assert stat.S_IMODE((team / "fresh.yaml").stat().st_mode) == 0o640
    open_incident()
    assert stat.S_IMODE((team / "incidents" / f"{ID}.yaml").stat().st_mode) == 0o640


def test_records_keep_their_mode_after_updates(team: Path) -> None:
    open_incident()
    record = team / "incidents" / f"{ID}.yaml"
    record.chmod(0o644)
    assert run("incident", "update", ID, "--note", "looking")[0] == 0
    assert run("incident", "assign", ID, "incident_commander", "@alice")[0] == 0
    assert stat.S_IMODE(record.stat().st_mode) == 0o644
    assert "looking" in record.read_text()


def test_dash_is_standard_output_everywhere(team: Path) -> None:
    open_incident()
    code, out, _ = run("export", "-o", "-")
    assert code == 0 and out.startswith("# ")
    code, out, _ = run("report", ID, "-o", "-", "-f", "json")
    assert code == 0 and f'"id": "{ID}"' in out
    code, out, _ = run("init", "-")
    assert code == 0 and out.startswith("#") and "severities:" in out
    assert not (team / "-").exists()


def test_a_full_disk_during_incident_open_leaves_no_record(team: Path) -> None:
    """RLIMIT_FSIZE makes every write past 64 bytes fail with EFBIG, as a full disk would."""

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (64, 64))

    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "incplan", "incident", "open", "--title", "Checkout errors", "--severity", "sev2"],
        capture_output=True, text=True, env=env, preexec_fn=small_files, timeout=120,
    )  # fmt: skip
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "error: File too large" in result.stderr
    assert list((team / "incidents").iterdir()) == []


# ------------------------------------------------------------------ never through a symlinked folder


@pytest.fixture
def planted(team: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder outside the repository, and two symlinks to it committed inside: `link` and
    `docs/link`, as a pull request could plant them."""
    outside = tmp_path_factory.mktemp("outside")
    (outside / "x.md").write_text("precious\n")
    (team / "link").symlink_to(outside, target_is_directory=True)
    (team / "docs").mkdir()
    (team / "docs" / "link").symlink_to(outside, target_is_directory=True)
    return outside


@pytest.mark.parametrize(
    ("args", "symlink"),
    [
        (["export", "-o", "link/x.md"], "link"),
        (["export", "-o", "docs/link/x.md"], "docs/link"),
        (["export", "-o", "link/new/x.md"], "link"),
        (["export", "--format", "html", "-o", "{team}/link/x.md"], "{team}/link"),
        (["report", ID, "-o", "link/x.md"], "link"),
        (["schema", "-o", "docs/link/x.md"], "docs/link"),
        (["init", "link/x.md", "--force"], "link"),
        (["site", "build", "--out", "link"], "link"),
        (["site", "build", "--out", "link/public"], "link"),
        (["site", "build", "--out", "{team}/docs/link/public"], "{team}/docs/link"),
        (["preview", "--out", "link"], "link"),
        (["preview", "--out", "docs/link/preview"], "docs/link"),
    ],
)
def test_no_output_goes_through_a_symlinked_folder(team: Path, planted: Path, args: list[str], symlink: str) -> None:
    open_incident()
    before = {p.name: p.read_bytes() for p in planted.iterdir()}
    code, out, err = run(*[a.format(team=team) for a in args])
    assert (code, out) == (2, "")
    assert err == (
        f"error: `{symlink.format(team=team)}` is a symlink to `{planted}`; incplan does not write through a "
        f"symlinked folder\n  hint: give the real folder (`{planted}`), or remove the symlink\n"
    )
    assert {p.name: p.read_bytes() for p in planted.iterdir()} == before


def test_a_working_directory_reached_through_a_symlink_is_fine(team: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only what lies below the working directory is questioned: a checkout under a linked home
    folder (or macOS's /tmp) writes as usual."""
    checkout = team.parent / f"{team.name}-via-link"
    checkout.symlink_to(team, target_is_directory=True)
    monkeypatch.chdir(checkout)
    (team / "docs").mkdir()
    assert run("export", "-o", "docs/plan.md")[0] == 0
    assert run("export", "-o", f"{checkout}/docs/plan.html", "-f", "html")[0] == 0
    assert run("site", "build", "--out", "public")[0] == 0
    assert (team / "docs" / "plan.md").is_file() and (team / "public" / "index.html").is_file()
