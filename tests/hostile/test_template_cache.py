"""Issue 8, items 5 and 11: the compiled-template cache holds code, so only the user's own
private folder is trusted, and a damaged or foreign entry is a miss, never a crash."""

from __future__ import annotations

import marshal
import os
import shutil
from pathlib import Path

import pytest

from ..conftest import ROOT, ROOT_SHARING, share_cache_root
from .conftest import assert_clean, run_cli

PLAN = str(ROOT / "examples/minimal.yaml")
NOTIFY = ("notify", "--stage", "investigating", "--severity", "sev1", "--example", "--plan", PLAN)


def _entries(cache: Path) -> list[Path]:
    return [p for p in (cache / "templates").rglob("*") if p.is_file()]


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A cache folder filled by one run, and that run's output (once for the module)."""
    folder = tmp_path_factory.mktemp("filled") / "cache"
    first = run_cli(*NOTIFY, env={"INCPLAN_CACHE_DIR": str(folder)})
    assert_clean(first, 0)
    assert _entries(folder)
    return folder, first.out


@pytest.fixture
def cache(filled: tuple[Path, str], tmp_path: Path) -> tuple[Path, str]:
    """A copy of the filled cache for one test to tamper with (modes kept; the control test
    shows that the copied entries are the ones the next run loads)."""
    folder = tmp_path / "cache"
    shutil.copytree(filled[0], folder, symlinks=True)
    return folder, filled[1]


def _plant(entry: Path, marker: Path) -> None:
    key, names, _ = marshal.loads(entry.read_bytes())
    code = compile(f"open({str(marker)!r}, 'w').close()", "<planted>", "exec")
    entry.write_bytes(marshal.dumps((key, names, code)))


def test_damaged_entries_are_misses(cache: tuple[Path, str]) -> None:
    folder, expected = cache
    for i, entry in enumerate(_entries(folder)):
        entry.write_bytes([b"", b"\x00garbage", marshal.dumps(("x", (), 1)), marshal.dumps(42)][i % 4])
    again = run_cli(*NOTIFY, env={"INCPLAN_CACHE_DIR": str(folder)})
    assert_clean(again, 0)
    assert again.out == expected


@pytest.mark.parametrize("root", ["private", "root-symlink-to-a-private-folder"])
def test_planted_entry_runs_in_the_users_own_cache_control(cache: tuple[Path, str], tmp_path: Path, root: str) -> None:
    """Control: the planted payload is real code that would run if an entry were trusted."""
    folder, _ = cache
    marker = tmp_path / "ran"
    for entry in _entries(folder):
        _plant(entry, marker)
    if root != "private":
        share_cache_root(folder, root)
    run_cli(*NOTIFY, env={"INCPLAN_CACHE_DIR": str(folder)})
    assert marker.exists()


@pytest.mark.parametrize(
    "how", ["folder-writable-by-others", "folder-writable-by-group", "entry-writable-by-others", *ROOT_SHARING]
)
def test_planted_entry_in_a_shared_folder_never_runs(cache: tuple[Path, str], tmp_path: Path, how: str) -> None:
    folder, expected = cache
    marker = tmp_path / "ran"
    for entry in _entries(folder):
        _plant(entry, marker)
        if how == "entry-writable-by-others":
            entry.chmod(0o666)
    if how.startswith("root-"):
        share_cache_root(folder, how)
    elif how == "folder-writable-by-others":
        (folder / "templates").chmod(0o777)
    elif how == "folder-writable-by-group":
        for sub in (folder / "templates").iterdir():
            sub.chmod(0o770)
    again = run_cli(*NOTIFY, env={"INCPLAN_CACHE_DIR": str(folder)})
    assert_clean(again, 0)
    assert again.out == expected
    assert not marker.exists()


def test_symlinked_cache_folder_is_not_used(cache: tuple[Path, str], tmp_path: Path) -> None:
    folder, expected = cache
    marker = tmp_path / "ran"
    for entry in _entries(folder):
        _plant(entry, marker)
    elsewhere = tmp_path / "elsewhere"
    (folder / "templates").rename(elsewhere)
    (folder / "templates").symlink_to(elsewhere)
    again = run_cli(*NOTIFY, env={"INCPLAN_CACHE_DIR": str(folder)})
    assert_clean(again, 0)
    assert again.out == expected
    assert not marker.exists()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to give files away")
def test_entry_owned_by_someone_else_never_runs(cache: tuple[Path, str], tmp_path: Path) -> None:
    folder, expected = cache
    marker = tmp_path / "ran"
    for entry in _entries(folder):
        _plant(entry, marker)
        os.chown(entry, 65534, 65534)
    again = run_cli(*NOTIFY, env={"INCPLAN_CACHE_DIR": str(folder)})
    assert_clean(again, 0)
    assert again.out == expected
    assert not marker.exists()


def test_new_cache_folders_are_private(tmp_path: Path) -> None:
    folder = tmp_path / "fresh"
    assert_clean(run_cli(*NOTIFY, env={"INCPLAN_CACHE_DIR": str(folder)}), 0)
    subfolders = [p for p in (folder / "templates").iterdir() if p.is_dir()]
    assert subfolders
    assert {oct(p.stat().st_mode & 0o777) for p in [folder, folder / "templates", *subfolders]} == {"0o700"}


def test_only_the_last_folder_of_the_cache_root_is_created(tmp_path: Path) -> None:
    """INCPLAN_CACHE_DIR=/nonexistent/deep/x is no cache, never the whole path made; the default
    `~/.cache/incplan` is made with `~/.cache` (0700, as the XDG spec says)."""
    deep = tmp_path / "nonexistent" / "deep" / "x"
    assert_clean(run_cli(*NOTIFY, env={"INCPLAN_CACHE_DIR": str(deep)}), 0)
    assert not (tmp_path / "nonexistent").exists()
    home = tmp_path / "home"
    home.mkdir()
    env = {"INCPLAN_CACHE_DIR": "", "XDG_CACHE_HOME": "", "HOME": str(home)}
    assert_clean(run_cli(*NOTIFY, env=env), 0)
    assert {oct(p.stat().st_mode & 0o777) for p in (home / ".cache", home / ".cache" / "incplan")} == {"0o700"}
    assert _entries(home / ".cache" / "incplan")
