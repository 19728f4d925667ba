"""`.incplan/index.json` can arrive with a checkout (a pull request commits it, even as a symlink
or beside a FIFO): whatever it holds, `incident status` and `incident remind` answer exactly as
with no index, promptly, without a traceback, and writing it back never goes through a symlink."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import ROOT
from .test_scale import record

INCPLAN = str(Path(sys.executable).parent / "incplan")
NOW = "2026-11-27T12:00:00+01:00"


def _limit_memory() -> None:  # a reader that follows /dev/zero stops here, not at all the RAM
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def run(cwd: Path, *args: str) -> tuple[int, str, str]:
    env = {**os.environ, "INCPLAN_NOW": NOW, "HOME": str(cwd / "home"), "INCPLAN_NO_CACHE": "1"}
    done = subprocess.run(
        [INCPLAN, "--color", "never", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,  # a FIFO opened for reading waits for a writer forever
        preexec_fn=_limit_memory,
        check=False,
    )
    return done.returncode, done.stdout, done.stderr


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "plans/incplan.yaml", tmp_path / "incplan.yaml")
    folder = tmp_path / "incidents"
    folder.mkdir()
    (tmp_path / "home").mkdir(mode=0o700)
    for i in range(3):
        (folder / f"2026-11-27-r{i}.yaml").write_text(record(f"2026-11-27-r{i}", "resolved"))
    (folder / "2026-11-27-open.yaml").write_text(record("2026-11-27-open", "identified"))
    return tmp_path


def _answers(repo: Path) -> list[tuple[int, str, str]]:
    return [run(repo, "incident", "status"), run(repo, "incident", "remind")]


def _deep(index: Path) -> None:
    index.write_text('{"version":2,"records":' + "[" * 100_000 + "]" * 100_000 + "}")


def _records_list(index: Path) -> None:
    index.write_text('{"version":2,"records":[]}')


def _stage_list(index: Path) -> None:
    # the entry's stat identity is the record's own: only the stage is wrong in shape
    info = (index.parent.parent / "incidents" / "2026-11-27-open.yaml").stat()
    identity = [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]
    index.write_text(f'{{"version":2,"records":{{"2026-11-27-open.yaml":[{identity},"incident",[1]]}}}}')


def _kind_list(index: Path) -> None:
    info = (index.parent.parent / "incidents" / "2026-11-27-open.yaml").stat()
    identity = [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]
    index.write_text(f'{{"version":2,"records":{{"2026-11-27-open.yaml":[{identity},["incident"],"resolved"]}}}}')


def _huge(index: Path) -> None:
    # well-formed, but far beyond what an index of a few thousand records needs
    body = ",".join(f'"x{i:07d}.yaml":[[1,2,3,4],"incident","resolved"]' for i in range(200_000))
    index.write_text('{"version":2,"records":{' + body + "}}")


def _dev_zero(index: Path) -> None:
    index.symlink_to("/dev/zero")


def _fifo(index: Path) -> None:
    os.mkfifo(index)


def _fifo_link(index: Path) -> None:
    os.mkfifo(index.parent / "pipe")
    index.symlink_to(index.parent / "pipe")


def _binary(index: Path) -> None:
    index.write_bytes(b"\xff\xfe\x00{" * 1000)


def _not_object(index: Path) -> None:
    index.write_text("[1, 2, 3]")


@pytest.mark.parametrize(
    "plant",
    [_deep, _records_list, _stage_list, _kind_list, _huge, _dev_zero, _fifo, _fifo_link, _binary, _not_object],
)
def test_a_planted_index_answers_as_no_index(repo: Path, plant: Callable[[Path], None]) -> None:
    expected = _answers(repo)
    assert expected[0][0] == 0 and "2026-11-27-open" in expected[0][1], expected
    assert "2026-11-27-r0" not in expected[0][1]
    index = repo / ".incplan" / "index.json"
    index.unlink()
    plant(index)
    assert _answers(repo) == expected
    assert _answers(repo) == expected  # and again, with whatever the first run left behind


@pytest.mark.parametrize("where", ["victim.txt", ".incplan/victim.txt"])
def test_the_index_is_never_written_through_a_symlink(repo: Path, where: str) -> None:
    expected = _answers(repo)
    victim = repo / where
    victim.write_text("keep me\n")
    index = repo / ".incplan" / "index.json"
    index.unlink()
    index.symlink_to(victim)
    assert _answers(repo) == expected
    assert victim.read_text() == "keep me\n"
    assert not index.is_symlink() and index.is_file()  # replaced by the index itself


def test_the_index_still_follows_a_record_that_changed(repo: Path) -> None:
    """A well-formed index whose identity no longer matches never hides an open incident."""
    _answers(repo)
    closed = repo / "incidents" / "2026-11-27-r1.yaml"
    closed.write_text(record("2026-11-27-r1", "identified"))
    code, out, err = run(repo, "incident", "status")
    assert (code, err) == (0, "")
    assert "2026-11-27-r1" in out and "2026-11-27-open" in out
