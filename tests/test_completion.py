"""Shell completion through the real protocol: the shell sets `_INCPLAN_COMPLETE`, `COMP_WORDS`
and `COMP_CWORD` and reads the candidates from standard output (bash's one per line). Most cases
run the command in-process with that environment; `test_a_real_shell_process_completes` and the
script test run the installed module as the shell would."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from incplan.cli.app import app

from .conftest import ROOT


def _protocol(line: str, env: dict[str, str]) -> dict[str, str]:
    words = line.split()
    cword = len(words) if line.endswith(" ") else len(words) - 1
    return {"_INCPLAN_COMPLETE": "complete_bash", "COMP_WORDS": line, "COMP_CWORD": str(cword), **env}


def complete(line: str, cwd: Path, **env: str) -> tuple[int, list[str], str]:
    with contextlib.chdir(cwd):
        result = CliRunner().invoke(app, [], env=_protocol(line, env), prog_name="incplan")
    return result.exit_code, result.stdout.split(), result.stderr


@pytest.fixture
def team(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "plans/incplan.yaml", tmp_path / "incplan.yaml")
    (tmp_path / "incidents").mkdir()
    for record in ("2026-11-20-api-errors", "2026-11-27-db-down"):
        (tmp_path / "incidents" / f"{record}.yaml").write_text("id: x\n")
    return tmp_path


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("incplan notify --stage ", ["investigating", "identified", "monitoring", "resolved"]),
        ("incplan notify --stage mon", ["monitoring"]),
        ("incplan notify --severity ", ["sev1", "sev2", "sev3"]),
        ("incplan notify --channel ", ["status_page", "email", "chat_internal", "social"]),
        ("incplan notify --locale ", ["en"]),
        ("incplan incident update ", ["2026-11-27-db-down", "2026-11-20-api-errors"]),
        ("incplan notify --incident 2026-11-2", ["2026-11-27-db-down", "2026-11-20-api-errors"]),
        ("incplan incident open --role comm", ["communications_lead="]),
        ("incplan incident open --role communications_lead=@b", ["communications_lead=@bob"]),
        ("incplan show sev", ["severities", "sev1", "sev2", "sev3"]),
        ("incplan chec", ["check"]),
        ("incplan --show-compl", ["--show-completion"]),
    ],
)
def test_completes_the_plans_names(team: Path, line: str, expected: list[str]) -> None:
    assert complete(line, team) == (0, expected, "")


def test_names_come_from_the_plan_given_with_plan(team: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    code, words, err = complete(f"incplan notify --plan {team / 'incplan.yaml'} --severity ", elsewhere)
    assert (code, words, err) == (0, ["sev1", "sev2", "sev3"], "")


@pytest.mark.parametrize(
    "plan",
    ["version: 1\nstages: [oops\n", "\xff\xfe not text", "- a list\n", "stages: 5\nseverities: {sev9: {}}\n", None],
    ids=["broken-yaml", "not-utf8", "a-list", "wrong-types", "no-plan"],
)
def test_a_broken_or_missing_plan_completes_quietly(tmp_path: Path, plan: str | None) -> None:
    if plan is not None:
        (tmp_path / "incplan.yaml").write_bytes(plan.encode("latin-1"))
    code, words, err = complete("incplan notify --stage ", tmp_path)
    assert (code, words, err) == (0, [], "")
    code, words, err = complete("incplan notify --severity ", tmp_path)
    assert (code, err) == (0, "")
    assert words == (["sev9"] if plan and "sev9" in plan else [])


def test_missing_plan_option_completes_quietly(tmp_path: Path) -> None:
    assert complete("incplan notify --plan nowhere.yaml --stage ", tmp_path) == (0, [], "")


def test_show_completion_prints_a_bash_script(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "incplan", "--show-completion", "bash"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
        env={**os.environ, "SHELL": "/bin/bash"},
    )
    assert done.returncode == 0
    assert "_INCPLAN_COMPLETE=complete_bash" in done.stdout
    assert "complete " in done.stdout


def test_a_real_shell_process_completes(team: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "incplan"],
        capture_output=True,
        text=True,
        cwd=team,
        check=False,
        env={**os.environ, **_protocol("incplan incident open --role communications_lead=@b", {})},
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "communications_lead=@bob\n", "")
