"""Hostile inputs run through the installed command as a child process: its exit code, output
and peak memory (`os.wait4`, i.e. `resource.getrusage` of that one child)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from ..conftest import NOW

LIMIT_MIB = 256  # SPEC §3: memory one render may use


@dataclass
class Run:
    code: int
    out: str
    err: str
    peak_mib: float  # the child's peak resident memory

    @property
    def output(self) -> str:
        return self.out + self.err


def run_cli(
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    user: int | None = None,
    timeout: float = 60,
    prefix: list[str] | None = None,
) -> Run:
    """`incplan ARGS` in a child (after `prefix`, e.g. `without_root_powers()`). A hang fails the test after `timeout` s instead of blocking the
    suite. Output goes to files, not pipes, so waiting with `os.wait4` cannot deadlock."""
    full_env = {**os.environ, "NO_COLOR": "1", "INCPLAN_NOW": NOW, **(env or {})}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen(
            [*(prefix or []), sys.executable, "-m", "incplan", *args],
            cwd=cwd,
            env=full_env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            user=user,
        )
        timer = threading.Timer(timeout, child.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(child.pid, 0)
        finally:
            timer.cancel()
        child.returncode = code = os.waitstatus_to_exitcode(status)
        if code == -9:
            pytest.fail(f"`incplan {' '.join(args)[:200]}` ran (or blocked) longer than {timeout} s")
        out.seek(0)
        err.seek(0)
        return Run(
            code,
            out.read().decode("utf-8", "backslashreplace"),
            err.read().decode("utf-8", "backslashreplace"),
            usage.ru_maxrss / 1024,
        )


def without_root_powers() -> list[str]:
    """A prefix that runs a child without root's power to ignore file permissions (as root, a
    read-only folder is writable and an unreadable one readable); nothing when we are not root."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("as root this needs setpriv to drop CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH")
    caps = "-dac_override,-dac_read_search"
    return ["setpriv", f"--bounding-set={caps}", f"--inh-caps={caps}"]


def prepare(cwd: Path, *args: str) -> None:
    """A setup step that is not what the test is about (opening the incident whose record it then
    damages): in-process, exit 0, no child interpreter to start."""
    import contextlib

    from typer.testing import CliRunner

    from incplan.cli.app import app

    with contextlib.chdir(cwd):
        result = CliRunner().invoke(app, ["--color", "never", *args], env={"INCPLAN_NOW": NOW})
    assert result.exit_code == 0, (args, result.output, result.exception)


def assert_clean(run: Run, *codes: int) -> None:
    """Exit code as expected and never a traceback."""
    assert "Traceback" not in run.output, run.output
    assert run.code in codes, run.output


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        return path

    return _write
