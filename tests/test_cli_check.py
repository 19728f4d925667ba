"""`incplan check`, `rules`, `schema` through the CLI: formats, exit codes, escaping."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from incplan.cli.app import app

from .conftest import ROOT

runner = CliRunner()
BAD = ROOT / "tests/cases/unknown-key/bad/typo.yaml"
WARN = ROOT / "tests/cases/role-without-backup/bad/one-person.yaml"
ANSI = re.compile(r"\x1b\[")


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_repo_plans_pass_strict() -> None:
    code, out, _ = run("check", str(ROOT / "plans"), str(ROOT / "examples"), "--strict")
    assert (code, out) == (0, "5 files checked: no problems\n")


def test_text_format_and_exit_1_on_errors() -> None:
    code, out, _ = run("check", str(BAD))
    assert code == 1
    assert out.splitlines() == [
        f"{BAD}:28:5: error E101 unknown key `acess` in `channels.status_page`",
        "  hint: did you mean `access`?",
        "1 file checked: 1 error, 0 warnings",
    ]


def test_warnings_pass_unless_strict() -> None:
    assert run("check", str(WARN))[0] == 0
    assert run("check", str(WARN), "--strict")[0] == 1


def test_ignore_by_code_or_name() -> None:
    assert run("check", str(WARN), "--strict", "--ignore", "W202")[0] == 0
    code, out, _ = run("check", str(WARN), "--strict", "--ignore", "role-without-backup")
    assert (code, out) == (0, "1 file checked: no problems\n")


def test_unknown_ignore_rule_is_a_usage_error() -> None:
    code, _, err = run("check", str(WARN), "--ignore", "role-without-backpu")
    assert code == 2
    assert err.startswith("error: unknown rule `role-without-backpu`\n  hint: did you mean `role-without-backup`?")


def test_plan_lint_ignore(tmp_path: Path) -> None:
    plan = tmp_path / "p.yaml"
    plan.write_text(WARN.read_text() + "lint:\n  ignore: [role-without-backup]\n")
    assert run("check", str(plan), "--strict") == (0, "1 file checked: no problems\n", "")


def test_json_format() -> None:
    code, out, _ = run("check", str(BAD), str(WARN), "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert data["files"] == 2
    assert data["summary"] == {"errors": 1, "warnings": 1, "info": 0}
    assert data["diagnostics"][0] == {
        "file": str(BAD),
        "line": 28,
        "col": 5,
        "severity": "error",
        "code": "E101",
        "name": "unknown-key",
        "message": "unknown key `acess` in `channels.status_page`",
        "hint": "did you mean `access`?",
    }
    assert not ANSI.search(out)


def test_github_format_escapes_as_the_runner_requires(tmp_path: Path) -> None:
    odd = tmp_path / "a,b:c%.yaml"
    odd.write_text("version: 1\norganization:\n  name: X\n  nme: 50%\n")
    code, out, _ = run("check", str(odd), "--format", "github")
    assert code == 1
    escaped = str(odd).replace("%", "%25").replace(":", "%3A").replace(",", "%2C")
    assert f"::error file={escaped},line=4,col=3,title=E101 unknown-key::unknown key `nme` in `organization`" in out
    assert f"::error file={escaped},line=1,col=1,title=E103 missing-key::missing required key `definition`" in out


def test_github_format_escapes_newlines_in_messages(tmp_path: Path) -> None:
    from incplan.cli.output import _gh_data, _gh_property

    assert _gh_data("50%\nnext\rline") == "50%25%0Anext%0Dline"
    assert _gh_property("a:b,c") == "a%3Ab%2Cc"


def test_sarif_format() -> None:
    code, out, _ = run("check", str(BAD), "--format", "sarif")
    assert code == 1
    sarif = json.loads(out)
    assert sarif["version"] == "2.1.0"
    run_ = sarif["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    assert {r["id"] for r in rules} >= {"E101", "W202", "E401"}
    result = run_["results"][0]
    assert result["ruleId"] == "E101"
    assert rules[result["ruleIndex"]]["id"] == "E101"
    assert result["level"] == "error"
    region = result["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 28, "startColumn": 5}


def test_folder_discovery_skips_hidden_and_incident_folders(tmp_path: Path) -> None:
    shutil.copy(ROOT / "examples/minimal.yaml", tmp_path / "plan.yaml")
    for skipped in (".github", "incidents"):
        (tmp_path / skipped).mkdir()
        (tmp_path / skipped / "x.yaml").write_text("not: [a plan")
    (tmp_path / "team").mkdir()
    shutil.copy(BAD, tmp_path / "team" / "broken.yml")
    code, out, _ = run("check", str(tmp_path), "--format", "json")
    data = json.loads(out)
    assert (code, data["files"]) == (1, 2)
    assert {Path(d["file"]).name for d in data["diagnostics"]} == {"broken.yml"}


def test_incident_records_in_any_folder_are_not_linted_as_plans(tmp_path: Path) -> None:
    shutil.copy(ROOT / "examples/minimal.yaml", tmp_path / "plan.yaml")
    (tmp_path / "records").mkdir()
    (tmp_path / "records" / "2026-11-27-x.yaml").write_text(
        "version: 1\nid: 2026-11-27-x\ntitle: X\nopened_at: 2026-11-27T10:00:00+00:00\nevents: []\n"
    )
    assert run("check", str(tmp_path)) == (
        0,
        f"{tmp_path / 'records' / '2026-11-27-x.yaml'}: skipped: an incident record, not a plan"
        " (`incplan incident status` and `incplan report` read it)\n1 file checked: no problems\n",
        "",
    )


def test_never_stops_at_first_file(tmp_path: Path) -> None:
    for i in range(3):
        (tmp_path / f"{i}.yaml").write_text("version: [\n")
    code, out, _ = run("check", str(tmp_path), "--format", "json")
    assert code == 1
    assert len(json.loads(out)["diagnostics"]) == 3


def test_missing_path_is_usage_error() -> None:
    code, out, err = run("check", "does-not-exist.yaml")
    assert (code, out) == (2, "")
    assert (
        err
        == "error: `does-not-exist.yaml`: no such file or folder\n  hint: give plan files or folders that hold them\n"
    )


def test_unknown_format_is_usage_error() -> None:
    code, _, err = run("check", str(BAD), "--format", "jsno")
    assert code == 2
    assert "unknown format `jsno`" in err and "did you mean `json`?" in err


def test_color_always_and_never() -> None:
    _, colored, _ = run("--color", "always", "check", str(BAD))
    assert ANSI.search(colored)
    _, plain, _ = run("--color", "never", "check", str(BAD))
    assert not ANSI.search(plain)


def test_no_color_env_respected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    from incplan.cli.output import set_color, use_color

    set_color("auto")

    class Tty:
        def isatty(self) -> bool:
            return True

    assert use_color(Tty()) is False  # type: ignore[arg-type]
    monkeypatch.delenv("NO_COLOR")
    assert use_color(Tty()) is True  # type: ignore[arg-type]


def test_schema_is_draft07_and_validates_the_examples() -> None:
    from ruamel.yaml import YAML

    code, out, _ = run("schema")
    assert code == 0
    schema = json.loads(out)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema, format_checker=None)
    for plan in [*ROOT.glob("examples/*.yaml"), *ROOT.glob("plans/*.yaml")]:
        data = json.loads(json.dumps(YAML(typ="safe").load(plan.read_text()), default=str))
        errors = [e.message for e in validator.iter_errors(data)]
        assert errors == [], plan
    bad = json.loads(json.dumps(YAML(typ="safe").load(BAD.read_text()), default=str))
    assert any("acess" in e.message for e in validator.iter_errors(bad))


COMPOSE = "services:\n  web: {image: nginx}\n"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with a plan, and other YAML that is not one (compose, a workflow)."""
    monkeypatch.delenv("INCPLAN_PLAN", raising=False)
    (tmp_path / ".git").mkdir()
    (tmp_path / "docker-compose.yml").write_text(COMPOSE)
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "values.yaml").write_text("replicas: 3\n")
    return tmp_path


def test_check_without_path_lints_the_discovered_plan_only(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """README's Quickstart runs a bare `incplan check`: it linted every YAML file below as a
    plan (E101 on docker-compose.yml). It checks the plan `notify` and the others would use."""
    shutil.copy(ROOT / "examples/minimal.yaml", repo / "incplan.yaml")
    monkeypatch.chdir(repo)
    assert run("check") == (0, "1 file checked: no problems\n", "")
    monkeypatch.chdir(repo / "deploy")  # looking upward to the repository root, as --plan does
    assert run("check") == (0, "1 file checked: no problems\n", "")
    (repo / "incplan.yaml").write_text((repo / "incplan.yaml").read_text().replace("access:", "acess:", 1))
    code, out, _ = run("check")
    assert code == 1
    assert out.startswith("../incplan.yaml:") and "unknown key `acess`" in out
    assert out.endswith("1 file checked: 1 error, 0 warnings\n")


def test_check_without_path_lints_every_plan_of_a_plans_folder(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (repo / "plans").mkdir()
    shutil.copy(ROOT / "examples/minimal.yaml", repo / "plans" / "team.yaml")
    shutil.copy(BAD, repo / "plans" / "other-team.yml")
    monkeypatch.chdir(repo)
    code, out, _ = run("check", "--format", "json")
    data = json.loads(out)
    assert (code, data["files"]) == (1, 2)
    assert {d["file"] for d in data["diagnostics"]} == {"plans/other-team.yml"}


def test_check_without_path_follows_incplan_plan(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(ROOT / "examples/minimal.yaml", repo / "incplan.yaml")
    shutil.copy(BAD, repo / "deploy" / "plan.yaml")
    monkeypatch.chdir(repo)
    monkeypatch.setenv("INCPLAN_PLAN", "deploy/plan.yaml")
    code, out, _ = run("check")
    assert code == 1
    assert out.startswith("deploy/plan.yaml:28:5: error E101")


def test_check_without_path_and_no_plan_is_a_usage_error(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo / "deploy")
    assert run("check") == (
        2,
        "",
        "error: no plan found to check; tried INCPLAN_PLAN, ./incplan.yaml and ./plans/ up to the repository root\n"
        "  hint: name plan files or folders (`incplan check PATH...`), or write a plan with `incplan init`\n",
    )
    # a folder named explicitly still means every YAML file below it, as before
    code, out, _ = run("check", ".", "--format", "json")
    assert (code, json.loads(out)["files"]) == (1, 1)


# Attack trial, finding 13: a file name or a key can hold terminal escapes and newlines.
EVIL_NAME = "evil\x1b]0;PWN\x07\x1b[2J\nfake.yaml:1:1: error FAKE.yaml"
EVIL_KEY = 'version: 1\n"evil\\n::error file=evil,line=1::INJECTED": 1\n'


@pytest.fixture
def evil(tmp_path: Path) -> Path:
    path = tmp_path / EVIL_NAME
    path.write_text(EVIL_KEY)
    return path


def test_text_output_shows_a_hostile_file_name_and_key_escaped(evil: Path) -> None:
    code, out, _ = run("check", str(evil))
    assert code == 1
    shown = str(evil.parent) + "/evil\\x1b]0;PWN\\x07\\x1b[2J\\x0afake.yaml:1:1: error FAKE.yaml"
    assert "\x1b" not in out and "\x07" not in out
    lines = out.splitlines()
    assert lines[-1] == "1 file checked: 5 errors, 0 warnings"
    assert [line for line in lines[:-1] if not line.startswith((shown + ":", "  hint: "))] == []
    assert f"{shown}:2:1: error E101 unknown key `evil\\x0a::error file=evil,line=1::INJECTED`" in out


def test_github_output_escapes_every_property_and_message(evil: Path) -> None:
    code, out, _ = run("check", str(evil), "--format", "github")
    assert code == 1
    assert "\x1b" not in out and "\x07" not in out
    file = (str(evil.parent) + "/evil\\x1b]0;PWN\\x07\\x1b[2J%0Afake.yaml%3A1%3A1%3A error FAKE.yaml").replace(
        ",", "%2C"
    )
    lines = out.splitlines()
    assert len(lines) == 6 and lines[-1] == "1 file checked: 5 errors, 0 warnings"
    assert all(line.startswith(f"::error file={file},line=") for line in lines[:-1])
    assert (
        f"::error file={file},line=2,col=1,title=E101 unknown-key::unknown key `evil%0A::error file=evil,line=1::INJECTED`"
        in out
    )


def test_json_and_sarif_keep_the_real_text(evil: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(evil.parent)
    code, out, _ = run("check", EVIL_NAME, "--format", "json")
    assert code == 1
    found = json.loads(out)["diagnostics"]
    assert {d["file"] for d in found} == {EVIL_NAME}
    assert "unknown key `evil\n::error file=evil,line=1::INJECTED`" in [d["message"] for d in found]
    assert "\x1b" not in out and "\x07" not in out  # JSON escapes them: \u001b
    code, out, _ = run("check", EVIL_NAME, "--format", "sarif")
    results = json.loads(out)["runs"][0]["results"]
    from urllib.parse import quote

    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results} == {quote(EVIL_NAME)}
    assert any("`evil\n::error" in r["message"]["text"] for r in results)
