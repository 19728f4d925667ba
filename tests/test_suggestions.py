"""Every command incplan suggests (`First message:`, `next:`, `once posted`) runs as printed,
for every severity of every example plan and of a fresh `init` plan; and the commands of a
convention (option names, `--format json`, plan discovery) behave the same everywhere."""

from __future__ import annotations

import json
import shlex
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from incplan.cli.app import app

from .conftest import ROOT

runner = CliRunner()
NOW = "2026-11-27T10:00:00+01:00"


def run(*args: str, now: str = NOW) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--color", "never", *args], env={"INCPLAN_NOW": now})
    return result.exit_code, result.stdout, result.stderr


def suggested(line: str) -> list[str]:
    words = shlex.split(line)
    assert words[0] == "incplan", line
    return words[1:]


def plans(tmp: Path) -> list[Path]:
    found = [ROOT / "plans/incplan.yaml", *sorted((ROOT / "examples").glob("*.yaml"))]
    for locale in ("en", "pl"):
        target = tmp / f"init-{locale}" / "incplan.yaml"
        target.parent.mkdir()
        code, _, err = run("init", str(target), "--locale", locale)
        assert code == 0, err
        found.append(target)
    return found


def test_first_message_runs_as_printed_for_every_severity_of_every_plan(tmp_path: Path) -> None:
    from incplan.plan.usable import load_for_use
    from incplan.wording import words as incplan_words

    for plan_file in plans(tmp_path):
        plan, _ = load_for_use(plan_file)
        for severity in plan.severities:
            code, out, err = run("show", severity, "--plan", str(plan_file))
            assert code == 0, err
            lines = out.splitlines()
            label = incplan_words(plan.default_locale)[
                "playbook.first_message"
            ]  # `Pierwsza wiadomość:` in a Polish plan
            command = lines[lines.index(label) + 1].strip()
            code, _, err = run(*suggested(command))
            assert code == 0, f"{plan_file.name} {severity}: `{command}` -> {err}"
            # only the inputs the first stage's messages need: leaving any one out fails
            words = suggested(command)
            for i, word in enumerate(words):
                if word in ("--var", "-t"):
                    assert run(*words[:i], *words[i + 2 :])[0] == 2, f"{command}: {words[i + 1]} is not needed"
            code, out, _ = run("show", severity, "--plan", str(plan_file), "-f", "json")
            assert json.loads(out)["first_command"] == command


def test_init_workaround_is_optional(tmp_path: Path) -> None:
    target = tmp_path / "incplan.yaml"
    assert run("init", str(target))[0] == 0
    text = target.read_text()
    block = text[text.index("  workaround:\n") :].split("\n  data_impact:")[0]
    assert "    required: false\n" in block and '    default: ""' in block


def test_next_and_once_posted_suggestions_run_as_printed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(ROOT / "plans/incplan.yaml", tmp_path / "incplan.yaml")
    monkeypatch.chdir(tmp_path)
    code, out, _ = run("incident", "open", "-t", "Checkout errors", "-S", "sev1", "--var", "service=checkout",
                       "--var", "impact=payment errors")  # fmt: skip
    assert code == 0
    next_line = out.splitlines()[1]
    assert next_line == "next: incplan notify -i 2026-11-27-checkout-errors"
    code, _, err = run(*suggested(next_line.removeprefix("next: ")), now="2026-11-27T10:05:00+01:00")
    assert code == 0
    posted = err.splitlines()[-1]
    assert posted == "once posted, record them: incplan notify -i 2026-11-27-checkout-errors --posted"
    code, _, err = run(*suggested(posted.split(": ", 1)[1]), now="2026-11-27T10:06:00+01:00")
    assert (code, err) == (0, "recorded 4 messages as posted in 2026-11-27-checkout-errors\n")
    code, out, _ = run("incident", "update", "2026-11-27-checkout-errors", "-s", "identified",
                       now="2026-11-27T10:20:00+01:00")  # fmt: skip
    assert code == 0
    assert run(*suggested(out.splitlines()[1].removeprefix("next: ")), now="2026-11-27T10:21:00+01:00")[0] == 0
    # a new severity is news for customers too (it printed no next: line)
    code, out, _ = run("incident", "update", "2026-11-27-checkout-errors", "-S", "sev2",
                       now="2026-11-27T10:25:00+01:00")  # fmt: skip
    assert out.splitlines() == [
        "2026-11-27-checkout-errors: Identified, sev2",
        "next: incplan notify -i 2026-11-27-checkout-errors",
    ]
    assert run(*suggested(out.splitlines()[1].removeprefix("next: ")), now="2026-11-27T10:26:00+01:00")[0] == 0
    code, out, _ = run("incident", "update", "2026-11-27-checkout-errors", "-n", "a note",
                       now="2026-11-27T10:27:00+01:00")  # fmt: skip
    assert out == "2026-11-27-checkout-errors: Identified, sev2\n"  # a note changes nothing customers hear


def test_plan_discovery_looks_upward_takes_a_folder_and_names_ambiguous_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".git").mkdir()
    shutil.copy(ROOT / "examples/minimal.yaml", tmp_path / "incplan.yaml")
    deep = tmp_path / "services" / "api"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    code, out, _ = run("show", "sev1", "-f", "json")
    assert (code, json.loads(out)["name"]) == (0, "Outage")
    monkeypatch.chdir(tmp_path)
    other = tmp_path / "team"
    other.mkdir()
    shutil.copy(ROOT / "examples/minimal.yaml", other / "a.yaml")
    shutil.copy(ROOT / "examples/minimal.yaml", other / "b.yaml")
    code, _, err = run("show", "sev1", "--plan", "team", "-f", "json")
    assert code == 2
    assert err.splitlines()[0] == (
        "error: `team` holds 2 YAML files, so which one is the plan is unclear: team/a.yaml, team/b.yaml"
    )
    (other / "b.yaml").unlink()
    code, out, _ = run("show", "sev1", "--plan", "team", "-f", "json")
    assert code == 0


def test_format_json_on_show_list_and_classify(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(ROOT / "plans/incplan.yaml", tmp_path / "incplan.yaml")
    monkeypatch.chdir(tmp_path)
    code, out, _ = run("show", "-f", "json")
    assert (code, sorted(json.loads(out)["severities"])) == (0, ["sev1", "sev2", "sev3"])
    code, out, _ = run("classify", "--no", "data_exposed", "--yes", "full_outage", "-f", "json")
    data = json.loads(out)
    assert (code, data["severity"], data["decided_by"]) == (0, "sev1", "full_outage")
    assert data["playbook"]["first_update"] == "10m"
    for title, at in (("Later one", "2026-11-27T09:00:00+01:00"), ("Summer one", "2026-07-01T02:47:00+02:00")):
        assert run("incident", "open", "-t", title, "-S", "sev3", "--at", at)[0] == 0
    code, out, _ = run("incident", "list", "-f", "json")
    assert [r["title"] for r in json.loads(out)] == ["Summer one", "Later one"]  # by time, not name
    code, out, _ = run("incident", "list")
    lines = out.splitlines()
    assert lines[0].index("Summer one") == lines[1].index("Later one")  # CEST and CET rows aligned


@pytest.mark.parametrize("plan", ["-", "my plan.yaml", "$(touch pwned).yaml"])
def test_the_check_a_broken_plan_suggests_runs_as_printed(
    plan: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--plan -` suggested `incplan check <stdin>`, which no shell runs; a name with a space was
    split in two. The suggestion is `incplan check -` (given the same input) or the name quoted."""
    import re
    import subprocess
    import sys

    broken = (ROOT / "plans/incplan.yaml").read_text().replace("first_update_within: 20m", "first_update_within: 20x")
    monkeypatch.chdir(tmp_path)
    if plan != "-":
        (tmp_path / plan).write_text(broken)
    result = runner.invoke(app, ["incident", "status", "--plan", plan], input=broken if plan == "-" else None)
    assert result.exit_code == 0  # a warning: status needs no severity while nothing is open
    (command,) = re.findall(r"\(`(incplan check [^`]*)` lists every problem\)", result.stderr)
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "INCPLAN_NOW": NOW}
    done = subprocess.run(command, shell=True, cwd=tmp_path, env=env, input=broken, capture_output=True, text=True)
    assert done.returncode == 1, done.stderr
    assert "error E104 `severities.sev2.first_update_within`: `20x` is not a duration" in done.stdout
    assert not (tmp_path / "pwned").exists()
