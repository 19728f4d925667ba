"""`incident watch` for real, in a pseudo-terminal: the countdown moves, amber within five
minutes, red and the bell when overdue, a change to the record shows up, `q` quits with 0.

A fixed INCPLAN_NOW moved on by INCPLAN_CLOCK_STEP seconds per refresh (every 0.2 s here) walks
the board through ten minutes of an incident in about three seconds; nothing sleeps."""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import pexpect
import pytest
from typer.testing import CliRunner

from incplan.cli.app import app

from .conftest import ROOT

ID = "2026-11-27-checkout-errors"
INCPLAN = str(Path(sys.executable).parent / "incplan")
RED = "\x1b[1;31m"
AMBER = "\x1b[1;38;5;208m"  # bold dark_orange on a 256-colour terminal
runner = CliRunner()


def cli(*args: str, now: str) -> None:
    result = runner.invoke(app, ["--color", "never", *args], env={"INCPLAN_NOW": now})
    assert result.exit_code == 0, result.output


@pytest.fixture
def team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Opened 10:02 (sev2), first customer update 10:09: the next is due 10:39."""
    shutil.copy(ROOT / "plans/incplan.yaml", tmp_path / "incplan.yaml")
    monkeypatch.chdir(tmp_path)
    cli("incident", "open", "--title", "Checkout errors [bold]not markup[/bold]", "--severity", "sev2",
        "--role", "incident_commander=@alice", now="2026-11-27T10:02:00+01:00")  # fmt: skip
    cli("notify", "--incident", "2026-11-27-checkout-errors-bold-not-markup-bold", "--posted", "-c", "status_page",
        "--var", "service=checkout", "--var", "impact=errors", "-f", "text", now="2026-11-27T10:09:00+01:00")  # fmt: skip
    return tmp_path


def spawn(cwd: Path, start: str, step: int, *args: str) -> pexpect.spawn:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "LINES")}
    env.update(TERM="xterm-256color", INCPLAN_NOW=start, INCPLAN_CLOCK_STEP=str(step))
    return pexpect.spawn(
        INCPLAN, ["incident", "watch", "--interval", "0.2", *args], cwd=str(cwd), env=env,
        dimensions=(30, 160), encoding="utf-8", codec_errors="replace", timeout=30,
    )  # fmt: skip


def frames(child: pexpect.spawn, until: str) -> list[str]:
    """Screens drawn until one contains `until` (each begins at the cursor's home)."""
    child.expect(re.escape(until))
    return (child.before + until).split("\x1b[H")


def test_countdown_amber_red_bell_follows_the_record_and_q_quits(team: Path) -> None:
    incident = "2026-11-27-checkout-errors-bold-not-markup-bold"
    child = spawn(team, "2026-11-27T10:33:00+01:00", 30)
    try:
        shown = frames(child, "2026-11-27 10:34:30 CET")
        screens = [s for s in shown if "next update" in s]
        assert any("in 6m " in s for s in screens)  # 10:33:00, six minutes to go: green
        assert any("in 5m30s" in s for s in screens)  # the countdown moves
        first = next(s for s in screens if "in 6m " in s)
        assert "Checkout errors [bold]not markup[/bold]" in first  # plan and record text are data
        assert AMBER not in first and RED not in first
        shown = frames(child, "in 4m30s")
        assert AMBER + "in 4m30s" in shown[-1]  # within five minutes: amber
        assert "\x07" not in child.before
        shown = frames(child, "OVERDUE by 30s")
        assert RED + "OVERDUE by 30s" in shown[-1]  # 10:39:30: red
        child.expect("\x07")  # and the bell, once
        # a responder moves the incident on in another terminal: the board follows
        cli("incident", "update", incident, "--stage", "identified", now="2026-11-27T10:40:00+01:00")
        child.expect("Identified")
        assert child.before.count("\x07") == 0  # no second bell for the same overdue update
        child.send("q")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0


def test_one_incident_and_ctrl_c(team: Path) -> None:
    child = spawn(team, "2026-11-27T10:20:00+01:00", 0, "2026-11-27-checkout-errors-bold-not-markup-bold")
    try:
        child.expect("incident 2026-11-27-checkout-errors-bold-not-markup-bold")
        child.expect("in 19m ")
        child.sendintr()
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0


def test_without_a_terminal_it_points_to_status(team: Path) -> None:
    result = runner.invoke(app, ["incident", "watch"])
    assert result.exit_code == 2
    assert result.stderr == (
        "error: `incident watch` needs a terminal\n"
        "  hint: use `incplan incident status` (or `incplan incident status --format json` in scripts)\n"
    )


@pytest.mark.parametrize("how", ["NO_COLOR", "--color never"])
def test_without_colour_the_board_is_still_drawn(team: Path, how: str) -> None:
    """NO_COLOR and `--color never` take the colours away, not the screen: the board is drawn
    and moves, with no colour code in it, and `q` quits."""
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "LINES")}
    env.update(TERM="xterm-256color", INCPLAN_NOW="2026-11-27T10:35:00+01:00", INCPLAN_CLOCK_STEP="30")
    args = ["incident", "watch", "--interval", "0.2"]
    if how == "NO_COLOR":
        env["NO_COLOR"] = "1"
    else:
        args = ["--color", "never", *args]
    child = pexpect.spawn(INCPLAN, args, cwd=str(team), env=env, dimensions=(30, 160),
                          encoding="utf-8", codec_errors="replace", timeout=30)  # fmt: skip
    try:
        shown = frames(child, "OVERDUE by 30s")
        assert any("in 4m " in s for s in shown)  # drawn from the first refresh on
        assert "Incident Commander: Alice Nowak" in shown[-1]
        assert not re.search(r"\x1b\[[0-9;]*3[0-9;]*m", child.before)  # no foreground colour at all
        child.send("q")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0


def test_watch_status_and_remind_write_spans_of_time_alike(team: Path) -> None:
    """watch wrote `OVERDUE by 2m 20s` and `49h 12m` where status and remind wrote `2m20s` and
    `2d1h`. Due 10:39; at 10:41:20 it is 2m20s overdue, at 2026-11-29 11:51 2d1h (49h12m)."""
    for now, overdue in (("2026-11-27T10:41:20+01:00", "2m20s"), ("2026-11-29T11:51:00+01:00", "2d1h")):
        child = spawn(team, now, 0)
        try:
            frames(child, f"OVERDUE by {overdue} ")
            child.send("q")
            child.expect(pexpect.EOF)
        finally:
            child.close()
        status = runner.invoke(app, ["incident", "status"], env={"INCPLAN_NOW": now}).stdout
        assert f"10:39 CET: OVERDUE by {overdue}\n" in status
        remind = runner.invoke(app, ["incident", "remind"], env={"INCPLAN_NOW": now}).stdout
        assert f"(OVERDUE by {overdue})" in remind


def test_a_fifo_or_dev_zero_record_is_set_aside_on_the_board(team: Path) -> None:
    """A record that is a FIFO (opening it would block) or a symlink to /dev/zero (reading it
    never ends) is a warning on the board; the other incidents are drawn."""
    os.mkfifo(team / "incidents" / "2026-11-27-fifo.yaml")
    (team / "incidents" / "2026-11-27-zero.yaml").symlink_to("/dev/zero")
    child = spawn(team, "2026-11-27T10:20:00+01:00", 0)
    try:
        child.expect("in 19m ")
        child.expect(re.escape("2026-11-27-fifo.yaml` cannot be read: a named pipe (FIFO)"))
        child.expect(re.escape("2026-11-27-zero.yaml` cannot be read: a symlink is not read"))
        child.send("q")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
