"""`lint.rules: {RULE: off | info | warning | error}`: the plan, not the rule, decides how much a
finding matters; `info` is shown everywhere and never fails, not even under `--strict`."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from incplan.cli.app import app

from .conftest import ROOT

OVERDUE = (ROOT / "tests/cases/review-overdue/bad/old-review.yaml").read_text()
runner = CliRunner()


def check(tmp_path: Path, plan: str, *args: str) -> tuple[int, str]:
    path = tmp_path / "plan.yaml"
    path.write_text(plan)
    result = runner.invoke(app, ["--color", "never", "check", str(path), *args])
    return result.exit_code, result.stdout.replace(str(path), "plan.yaml")


def with_rules(rules: str) -> str:
    return OVERDUE.replace("review_every: 90d\n", f"review_every: 90d\nlint:\n  rules: {rules}\n")


def test_review_overdue_is_info_and_strict_passes(tmp_path: Path) -> None:
    code, out = check(tmp_path, OVERDUE, "--strict")
    assert (code, out) == (
        0,
        "plan.yaml:37:11: info W501 review overdue since 2026-04-15 (226 days)\n"
        "  hint: review the plan with the team, then set `reviewed:` to today's date\n"
        "1 file checked: no problems, 1 info\n",
    )


def test_a_plan_can_enforce_it(tmp_path: Path) -> None:
    code, out = check(tmp_path, with_rules("{review-overdue: warning}"), "--strict")
    assert code == 1
    assert out.endswith("1 file checked: 0 errors, 1 warning\n")
    code, out = check(tmp_path, with_rules("{W501: error}"))
    assert code == 1
    assert "plan.yaml:37:11: error W501 review overdue" in out


def test_off_silences_it_and_ignore_still_works(tmp_path: Path) -> None:
    assert check(tmp_path, with_rules('{review-overdue: "off"}'), "--strict") == (0, "1 file checked: no problems\n")
    ignored = OVERDUE.replace("review_every: 90d\n", "review_every: 90d\nlint:\n  ignore: [review-overdue]\n")
    assert check(tmp_path, ignored, "--strict") == (0, "1 file checked: no problems\n")


def test_a_warning_rule_lowered_to_info(tmp_path: Path) -> None:
    plan = (ROOT / "tests/cases/role-without-backup/bad/one-person.yaml").read_text()
    code, _ = check(tmp_path, plan, "--strict")
    assert code == 1
    code, out = check(tmp_path, plan + "lint:\n  rules: {role-without-backup: info}\n", "--strict")
    assert code == 0
    assert " info W" in out


def test_info_in_machine_formats(tmp_path: Path) -> None:
    code, out = check(tmp_path, OVERDUE, "--format", "json")
    assert code == 0
    payload = json.loads(out)
    assert payload["summary"] == {"errors": 0, "warnings": 0, "info": 1}
    assert payload["diagnostics"][0]["severity"] == "info"
    code, out = check(tmp_path, OVERDUE, "--format", "github")
    assert out.startswith("::notice file=plan.yaml,line=37,col=11,title=W501 review-overdue::review overdue since")
