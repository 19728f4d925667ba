"""Issue 8, item 9: `preview --out DIR` writes only inside DIR and never through a symlink."""

from __future__ import annotations

import os
from pathlib import Path

from ..conftest import ROOT
from .conftest import assert_clean, run_cli

PLAN = str(ROOT / "examples/minimal.yaml")  # writes investigating/ and resolved/status_page.en.txt


def _outside(tmp_path: Path) -> tuple[Path, Path]:
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / "status_page.en.txt"
    victim.write_text("precious\n")
    return outside, victim


def _snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_symlinks_planted_in_an_earlier_preview_are_replaced_not_followed(tmp_path: Path) -> None:
    out = tmp_path / "preview"
    assert_clean(run_cli("preview", "--plan", PLAN, "--out", str(out)), 0)
    expected = _snapshot(out)
    outside, victim = _outside(tmp_path)
    # a folder and a file of the preview turned into symlinks out of DIR
    for child in (out / "investigating").iterdir():
        child.unlink()
    (out / "investigating").rmdir()
    (out / "investigating").symlink_to(outside)
    (out / "resolved" / "status_page.en.txt").unlink()
    (out / "resolved" / "status_page.en.txt").symlink_to(victim)
    before = _snapshot(outside)

    result = run_cli("preview", "--plan", PLAN, "--out", str(out))
    assert_clean(result, 0)
    assert _snapshot(outside) == before
    assert _snapshot(out) == expected
    for path in [out / "investigating", out / "resolved" / "status_page.en.txt"]:
        assert not path.is_symlink()


def test_a_symlinked_marker_is_not_an_earlier_preview(tmp_path: Path) -> None:
    out = tmp_path / "preview"
    assert_clean(run_cli("preview", "--plan", PLAN, "--out", str(out)), 0)
    _, victim = _outside(tmp_path)
    (out / ".incplan-preview").unlink()
    (out / ".incplan-preview").symlink_to(victim)
    result = run_cli("preview", "--plan", PLAN, "--out", str(out))
    assert_clean(result, 2)
    assert "holds no earlier preview" in result.err
    assert victim.read_text() == "precious\n"


def test_a_symlinked_out_folder_is_refused(tmp_path: Path) -> None:
    outside, _ = _outside(tmp_path)
    (tmp_path / "preview").symlink_to(outside)
    before = _snapshot(outside)
    result = run_cli("preview", "--plan", PLAN, "--out", str(tmp_path / "preview"))
    assert_clean(result, 2)
    assert "is a symlink" in result.err
    assert _snapshot(outside) == before


def test_names_that_would_leave_the_folder_are_refused(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        (ROOT / "examples/minimal.yaml").read_text().replace("resolved", "..").replace("final: true", "final: true")
    )
    out = tmp_path / "preview"
    result = run_cli("preview", "--plan", str(plan), "--out", str(out))
    assert_clean(result, 1, 2)
    assert not (tmp_path / "status_page.en.txt").exists()
    assert not any(p.name.endswith(".txt") for p in tmp_path.iterdir())


def test_new_preview_files_follow_the_umask(tmp_path: Path) -> None:
    out = tmp_path / "preview"
    old = os.umask(0o022)
    try:
        assert_clean(run_cli("preview", "--plan", PLAN, "--out", str(out)), 0)
    finally:
        os.umask(old)
    assert {oct(p.stat().st_mode & 0o777) for p in out.rglob("*.txt")} == {"0o644"}
